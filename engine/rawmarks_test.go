package engine

import (
	"math/rand/v2"
	"testing"
)

// TestRawMarks checks rawMarks, with the kernel where there is one,
// against a byte-by-byte reading, at every length around the block size
// and with every byte value.
func TestRawMarks(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var marks []uint64
	for n := range 300 {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.IntN(256))
			if r.IntN(2) == 0 {
				b[i] = "ab \"\\\x1f\x20\x7f\x80\xff"[r.IntN(10)]
			}
		}
		marks = rawMarks(marks, b)
		if want := (n + 63) / 64; len(marks) != want {
			t.Fatalf("len %d: %d words, want %d", n, len(marks), want)
		}
		for i, c := range b {
			if got := marks[i/64]>>(i%64)&1 == 1; got != !rawSafe[c] {
				t.Fatalf("len %d: byte %d (%#x) marked %v", n, i, c, got)
			}
		}
		if n%64 != 0 && marks[len(marks)-1]>>(n%64) != 0 {
			t.Fatalf("len %d: bits set past the end", n)
		}
		for i := range n + 1 {
			if got, want := rawNextMark(marks, n, i), rawSafeRun(b, i); got != want {
				t.Fatalf("len %d: rawNextMark(%d) = %d, rawSafeRun = %d", n, i, got, want)
			}
		}
	}
}

// WithoutRawMarks runs f with Reset scanning strings without marks, as it
// does where there is no vector kernel.
func WithoutRawMarks(f func()) {
	old := rawMarksFast
	rawMarksFast = false
	defer func() { rawMarksFast = old }()
	f()
}

// WithoutRawShapes runs f with Reset parsing every event in full, keeping
// no shapes.
func WithoutRawShapes(f func()) {
	old := rawShapesOn
	rawShapesOn = false
	defer func() { rawShapesOn = old }()
	f()
}

// RawShapes is the number of shapes r keeps.
func RawShapes(r *RawJSON) int {
	if r.shapes == nil {
		return 0
	}
	return len(r.shapes.all)
}
