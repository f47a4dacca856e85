package engine

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// joinRef is appendJoined written plainly.
func joinRef(buf []byte, texts []string, min int) []byte {
	for _, s := range texts {
		if len(s) >= min {
			buf = append(buf, s...)
			buf = append(buf, 0)
		}
	}
	return buf
}

// TestAppendJoined joins texts of every length to 100 (so every copy
// size and the overlap of its last loads) at random minimums, after a
// prefix already in the buffer.
func TestAppendJoined(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	src := make([]byte, 4096)
	for i := range src {
		src[i] = byte('a' + i%26)
	}
	text := func(n int) string {
		at := r.IntN(len(src) - n + 1)
		return string(src[at : at+n]) // its own allocation
	}
	for n := range 101 {
		for _, min := range []int{0, 1, n, n + 1} {
			texts := []string{text(n), "", text(r.IntN(40)), text(n), text(r.IntN(3))}
			want := joinRef([]byte("prefix"), texts, min)
			// With room in the buffer, with none, and with all but a byte.
			for _, room := range []int{4096, 0, len(want) - len("prefix") - 1} {
				buf := append(make([]byte, 0, len("prefix")+max(room, 0)), "prefix"...)
				if got := appendJoined(buf, texts, min); string(got) != string(want) {
					t.Fatalf("texts of %d bytes, min %d, room %d:\ngot  %q\nwant %q", n, min, room, got, want)
				}
			}
		}
	}
	for range 2000 {
		texts := make([]string, r.IntN(40))
		for i := range texts {
			texts[i] = text(r.IntN(200))
		}
		min := r.IntN(12)
		if got, want := appendJoined(nil, texts, min), joinRef(nil, texts, min); string(got) != string(want) {
			t.Fatalf("min %d, %d texts:\ngot  %q\nwant %q", min, len(texts), got, want)
		}
	}
	if got := appendJoined([]byte("x"), []string{"ab", "c"}, 3); string(got) != "x" {
		t.Fatalf("no text long enough: got %q", got)
	}
	if got := appendJoined(nil, nil, 0); len(got) != 0 {
		t.Fatalf("no texts: got %q", got)
	}
	long := strings.Repeat("0123456789", 1000)
	if got, want := appendJoined(nil, []string{long, "tail"}, 1), joinRef(nil, []string{long, "tail"}, 1); string(got) != string(want) {
		t.Fatal("a 10,000-byte text is not copied whole")
	}
}

// TestAppendJoinedStoresInPlace checks that joining writes nothing past
// the texts' places: the bytes after the room joinTexts is given stay as
// they were.
func TestAppendJoinedStoresInPlace(t *testing.T) {
	for n := range 100 {
		testJoinInPlace(t, joinTexts, n)
		testJoinInPlace(t, joinTextsGo, n)
	}
}

func testJoinInPlace(t *testing.T, join func([]byte, []string, int) int, n int) {
	t.Helper()
	texts := []string{strings.Repeat("a", n), strings.Repeat("b", n/2+1)}
	want := joinRef(nil, texts, 0)
	mem := make([]byte, len(want)+64)
	for i := range mem {
		mem[i] = 0xee
	}
	if w := join(mem[:len(want)-1], texts, 0); w != -1 {
		t.Fatalf("texts of %d and %d bytes, a byte short of room: %d bytes written, want -1", n, n/2+1, w)
	}
	for i := range mem {
		mem[i] = 0xee
	}
	if w := join(mem[:len(want)], texts, 0); w != len(want) {
		t.Fatalf("texts of %d and %d bytes: %d bytes written, want %d", n, n/2+1, w, len(want))
	}
	if string(mem[:len(want)]) != string(want) {
		t.Fatalf("texts of %d and %d bytes: joined %q", n, n/2+1, mem[:len(want)])
	}
	for i, b := range mem[len(want):] {
		if b != 0xee {
			t.Fatalf("texts of %d and %d bytes: byte %d after the joined texts written", n, n/2+1, i)
		}
	}
}
