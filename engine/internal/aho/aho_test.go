package aho

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// found is the reference: the literals that occur in text.
func found(lits []string, text string) []int32 {
	var out []int32
	for i, l := range lits {
		if l != "" && strings.Contains(text, l) {
			out = append(out, int32(i))
		}
	}
	return out
}

func distinct(hits []int32) []int32 {
	slices.Sort(hits)
	return slices.Compact(hits)
}

func TestScanFindsEveryLiteral(t *testing.T) {
	lits := []string{"he", "she", "his", "hers", "", "\\cmd.exe", "cmd", "exe", "e", "hers"}
	a, err := Build(lits, 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"", "ushers", "c:\\windows\\cmd.exe", "h", "hishers", "xyz", "eeee"} {
		got := distinct(a.Scan(text, nil))
		if want := found(lits, text); !slices.Equal(got, want) {
			t.Errorf("Scan(%q) = %v, want %v", text, got, want)
		}
	}
}

func TestScanCountsOccurrences(t *testing.T) {
	a, err := Build([]string{"ab"}, 10)
	if err != nil {
		t.Fatal(err)
	}
	if got := a.Scan("abxab", nil); len(got) != 2 {
		t.Errorf("Scan found %v, want two occurrences", got)
	}
}

// randomWord returns up to max bytes drawn from alpha.
func randomWord(r *rand.Rand, alpha string, max int) string {
	b := make([]byte, r.IntN(max+1))
	for i := range b {
		b[i] = alpha[r.IntN(len(alpha))]
	}
	return string(b)
}

func TestScanRandomAgainstContains(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	word := func(alpha string, max int) string { return randomWord(r, alpha, max) }
	for round := range 300 {
		alpha := "abc\\.\xff"[:2+round%5]
		lits := make([]string, 1+r.IntN(30))
		for i := range lits {
			lits[i] = word(alpha, 6)
		}
		a, err := Build(lits, 10_000)
		if err != nil {
			t.Fatal(err)
		}
		for range 20 {
			text := word(alpha+"xyz", 40)
			got := distinct(a.Scan(text, nil))
			if want := found(lits, text); !slices.Equal(got, want) {
				t.Fatalf("lits %q, Scan(%q) = %v, want %v", lits, text, got, want)
			}
		}
	}
}

func TestBuildLimit(t *testing.T) {
	if _, err := Build([]string{"abcdefgh"}, 4); err == nil {
		t.Error("Build with too few states succeeded")
	}
}

func FuzzScan(f *testing.F) {
	f.Add("he\x00she\x00hers", "ushers")
	f.Add("\\cmd.exe\x00cmd", "C:\\cmd.exe")
	f.Fuzz(func(t *testing.T, joined, text string) {
		lits := strings.Split(joined, "\x00")
		if len(lits) > 64 {
			lits = lits[:64]
		}
		a, err := Build(lits, 1<<16)
		if err != nil {
			return
		}
		got := distinct(a.Scan(text, nil))
		if want := found(lits, text); !slices.Equal(got, want) {
			t.Fatalf("lits %q, Scan(%q) = %v, want %v", lits, text, got, want)
		}
	})
}

// benchLits is 5,000 random literals of 4 to 15 bytes, for the benchmarks.
func benchLits() []string {
	r := rand.New(rand.NewPCG(3, 4))
	lits := make([]string, 5000)
	for i := range lits {
		n := 4 + r.IntN(12)
		bs := make([]byte, n)
		for j := range bs {
			bs[j] = "abcdefghijklmnopqrstuvwxyz\\.- "[r.IntN(30)]
		}
		lits[i] = string(bs)
	}
	return lits
}

// BenchmarkScan scans one text for 5,000 literals with one automaton and
// with a Set (grams).
func BenchmarkScan(b *testing.B) {
	lits := benchLits()
	a, err := Build(lits, 1<<20)
	if err != nil {
		b.Fatal(err)
	}
	s, err := NewSet(lits, 256<<10)
	if err != nil {
		b.Fatal(err)
	}
	text := strings.Repeat("c:\\windows\\system32\\cmd.exe /c echo hello ", 5)
	for _, sc := range []struct {
		name string
		m    interface {
			Scan(string, []int32) []int32
			Bytes() int
		}
	}{{"automaton", a}, {"set", s}} {
		b.Run(sc.name, func(b *testing.B) {
			var hits []int32
			b.SetBytes(int64(len(text)))
			for b.Loop() {
				hits = sc.m.Scan(text, hits[:0])
			}
			b.ReportMetric(float64(sc.m.Bytes())/1e6, "MB")
		})
	}
}

func TestSetRandomAgainstContains(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	word := func(alpha string, max int) string { return randomWord(r, alpha, max) }
	for round := range 200 {
		alpha := "abcd\\.\xff"[:2+round%6]
		// Enough literals that the set uses grams, not one automaton.
		lits := make([]string, 2000+r.IntN(2000))
		for i := range lits {
			lits[i] = word(alpha, 3+r.IntN(40))
		}
		s, err := NewSet(lits, 256<<10)
		if err != nil {
			t.Fatal(err)
		}
		if round == 0 && len(s.tabs) == 0 {
			t.Fatal("the set did not use grams: the test does not cover them")
		}
		for range 10 {
			text := word(alpha+"xyz", 120)
			got := distinct(s.Scan(text, nil))
			if want := found(lits, text); !slices.Equal(got, want) {
				t.Fatalf("Scan(%q) = %v, want %v", text, got, want)
			}
		}
	}
}

func FuzzSet(f *testing.F) {
	f.Add("hello world\x00wor\x00ld\x00", "say hello world")
	f.Fuzz(func(t *testing.T, joined, text string) {
		lits := strings.Split(joined, "\x00")
		// Pad the set with long literals so that grams are used.
		for i := range 3000 {
			lits = append(lits, strings.Repeat(string(rune('a'+i%26)), 4+i%7)+string(rune('A'+i%26)))
		}
		s, err := NewSet(lits, 256<<10)
		if err != nil {
			return
		}
		got := distinct(s.Scan(text, nil))
		if want := found(lits, text); !slices.Equal(got, want) {
			t.Fatalf("lits %q, Scan(%q) = %v, want %v", lits[:len(lits)-3000], text, got, want)
		}
	})
}

func TestScanLower(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	word := func(alpha string, max int) string { return randomWord(r, alpha, max) }
	for round := range 100 {
		var lits []string
		for range 1 + round*40 { // small sets use one automaton, large ones grams
			lits = append(lits, word("abz[@\\.", 2+r.IntN(12)))
		}
		s, err := NewSet(lits, 256<<10)
		if err != nil {
			t.Fatal(err)
		}
		for k := range 20 {
			text := word("abzABZ[@\\.`{", 80+k*20) // long texts are scanned in two halves
			if !IsASCII(text) {
				t.Fatal("IsASCII is wrong")
			}
			got := distinct(s.ScanLower(text, nil))
			want := distinct(s.Scan(asciiLowerString(text), nil))
			if !slices.Equal(got, want) {
				t.Fatalf("ScanLower(%q) = %v, Scan(lowered) = %v", text, got, want)
			}
		}
	}
	if IsASCII("abcdefgh\x80") || !IsASCII("abcdefghijk") || IsASCII("é") {
		t.Error("IsASCII is wrong")
	}
}

// TestAutomatonScanLowerCounts: an automaton's ScanLower reports what Scan
// reports in the lowered text, each occurrence once, on texts long enough
// to be scanned as four overlapping parts, with literals dense enough
// that some end inside every overlap.
func TestAutomatonScanLowerCounts(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 32))
	for round := range 200 {
		lits := []string{"a", "ab", "\xa3b"}
		for range 1 + round%6 {
			lits = append(lits, "z"+randomWord(r, "abz\\\xa3", 8))
		}
		a, err := Build(lits, 1<<16)
		if err != nil {
			t.Fatal(err)
		}
		text := ""
		for n := 256 + r.IntN(600); len(text) < n; {
			text += randomWord(r, "abzABZ\\\xa3", 16)
		}
		got := slices.Sorted(slices.Values(a.ScanLower(text, nil)))
		want := slices.Sorted(slices.Values(a.Scan(asciiLowerString(text), nil)))
		if !slices.Equal(got, want) {
			t.Fatalf("lits %q: ScanLower(%q) = %v, Scan(lowered) = %v", lits, text, got, want)
		}
	}
}

// BenchmarkScanLowerLong compares the one-chain scan with the two-half scan
// ScanLower uses for long texts, in the same run.
func BenchmarkScanLowerLong(b *testing.B) {
	lits := []string{"sekurlsa::", "kerberos::", "lsadump::", "privilege::debug", "token::elevate", "eo.oe.kiwi", "gentilkiwi.com", "dpapi::masterkey", "event::clear"}
	a, err := Build(lits, 1<<16)
	if err != nil {
		b.Fatal(err)
	}
	text := strings.Repeat("Process accessed: C:\\Windows\\System32\\svchost.exe GrantedAccess 0x1400 CallTrace ", 25)
	s, _ := newSetNoTeddy(lits, 1<<16)
	if len(s.tabs) != 1 || s.tabs[0].step < 2 {
		b.Fatal("the keyword set is not stepped")
	}
	var hits []int32
	b.Run("stepped", func(b *testing.B) {
		b.SetBytes(int64(len(text)))
		for b.Loop() {
			hits = s.ScanLower(text, hits[:0])
		}
	})
	b.Run("one-chain", func(b *testing.B) {
		b.SetBytes(int64(len(text)))
		for b.Loop() {
			hits = a.scanLower1(text, hits[:0])
		}
	})
	b.Run("four-parts", func(b *testing.B) {
		b.SetBytes(int64(len(text)))
		for b.Loop() {
			hits = a.ScanLower(text, hits[:0])
		}
	})
}

func TestIsASCII(t *testing.T) {
	for n := range 80 {
		s := strings.Repeat("a", n)
		if !IsASCII(s) {
			t.Fatalf("IsASCII(%d a's) = false", n)
		}
		for i := range n {
			b := []byte(s)
			b[i] = 0x80
			if IsASCII(string(b)) {
				t.Fatalf("IsASCII misses 0x80 at %d of %d", i, n)
			}
		}
	}
}

func TestSteppedSet(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	word := func(alpha string, n int) string { return randomWord(r, alpha, n) }
	for round := range 300 {
		alpha := "ab:\\.Éz"[:2+round%6]
		shortest := 7 + r.IntN(12)
		lits := make([]string, 1+r.IntN(60))
		for i := range lits {
			lits[i] = word(alpha, 0)
			for len(lits[i]) < shortest {
				lits[i] += word(alpha, 25)
			}
		}
		s, err := newSetNoTeddy(lits, 256<<10)
		if err != nil {
			t.Fatal(err)
		}
		// A set of ASCII literals and others is two (see Set): each is
		// one table with the step its own shortest literal allows.
		for _, part := range []*Set{s, s.wide} {
			if part == nil {
				continue
			}
			shortest := len(slices.MinFunc(slices.DeleteFunc(slices.Clone(part.lits), func(l string) bool { return l == "" }), func(a, b string) int { return len(a) - len(b) }))
			if step := min(shortest-3, maxStep); len(part.tabs) != 1 || part.tabs[0].n != 4 || part.tabs[0].step != step || part.short != nil {
				t.Fatalf("literals of %d bytes or more: want one 4-byte table with step %d", shortest, step)
			}
		}
		for k := range 20 {
			// Texts made of the literals' pieces, upper-cased in places
			// and with bytes above 0x7f.
			var text string
			for len(text) < k*30 {
				l := lits[r.IntN(len(lits))]
				i, j := r.IntN(len(l)), r.IntN(len(l)+1)
				text += word(alpha+"AB\xc3\x89", 3) + l[min(i, j):max(i, j)]
				if r.IntN(3) == 0 {
					text += l
				}
			}
			if got, want := distinct(s.Scan(text, nil)), found(lits, text); !slices.Equal(got, want) {
				t.Fatalf("lits %q: Scan(%q) = %v, want %v", lits, text, got, want)
			}
			got := distinct(s.ScanLower(text, nil))
			if want := found(lits, asciiLowerString(text)); !slices.Equal(got, want) {
				t.Fatalf("lits %q: ScanLower(%q) = %v, want %v", lits, text, got, want)
			}
		}
	}
}

// TestStepLimits: short literals and many literals keep the unstepped set.
func TestStepLimits(t *testing.T) {
	for _, tc := range []struct {
		lits []string
		step int
	}{
		{[]string{"sekurlsa::", "lsadump::"}, 6},
		{[]string{"sekurlsa::", "abcdef"}, 0},         // step 3 reads too many windows
		{[]string{"", "sekurlsa::", "kerberos::"}, 7}, // empty literals never match
		{[]string{strings.Repeat("x", 100)}, maxStep},
	} {
		if step, _ := stepFor(tc.lits); step != tc.step {
			t.Errorf("stepFor(%q) = %d, want %d", tc.lits, step, tc.step)
		}
	}
	many := make([]string, maxStepGrams/4+1)
	for i := range many {
		many[i] = fmt.Sprintf("literal-%08d", i)
	}
	if step, _ := stepFor(many); step != 0 {
		t.Errorf("%d literals: step %d, want none", len(many), step)
	}
}

func TestLowerBytes(t *testing.T) {
	for b := range 256 {
		for pos := range 8 {
			for _, fill := range []byte{0, 'A', 'z', 0x7f, 0x80, 0xff} {
				var in, want [8]byte
				for i := range in {
					in[i] = fill
				}
				in[pos] = byte(b)
				for i, c := range in {
					want[i] = c
					if 'A' <= c && c <= 'Z' {
						want[i] = c + 'a' - 'A'
					}
				}
				got := lowerBytes(binary.LittleEndian.Uint64(in[:]))
				if got != binary.LittleEndian.Uint64(want[:]) {
					t.Fatalf("lowerBytes(% x) = %016x, want % x", in, got, want)
				}
			}
		}
	}
}

// TestEqualLower compares equalLower, eight bytes at a time, with lowering
// the text byte by byte, for every length up to 40 and a difference at
// each position (a letter of the other case, the next byte, a high byte).
func TestEqualLower(t *testing.T) {
	base := "C:\\Windows\\System32\\NTDLL.dll+9d1e4|KERNELBASE"
	for n := range 41 {
		text := base[:n]
		lit := asciiLowerString(text)
		if !equalLower(text, lit) {
			t.Fatalf("equalLower(%q, %q) = false", text, lit)
		}
		for i := range n {
			for _, c := range []byte{lit[i] ^ 0x20, lit[i] + 1, 0xc4} {
				b := []byte(lit)
				b[i] = c
				want := asciiLowerString(text) == string(b)
				if got := equalLower(text, string(b)); got != want {
					t.Fatalf("equalLower(%q, %q) = %v, want %v", text, b, got, want)
				}
			}
		}
	}
}

func FuzzSteppedSet(f *testing.F) {
	f.Add("sekurlsa::\x00lsadump::\x00gentilkiwi.com", "C:\\x SEKURLSA::logonpasswords")
	f.Fuzz(func(t *testing.T, joined, text string) {
		lits := strings.Split(joined, "\x00")
		s, err := NewSet(lits, 256<<10)
		if err != nil {
			return
		}
		if got, want := distinct(s.ScanLower(text, nil)), found(lits, asciiLowerString(text)); !slices.Equal(got, want) && !hasUpper(lits) {
			t.Fatalf("lits %q, ScanLower(%q) = %v, want %v", lits, text, got, want)
		}
		if got, want := distinct(s.Scan(text, nil)), found(lits, text); !slices.Equal(got, want) {
			t.Fatalf("lits %q, Scan(%q) = %v, want %v", lits, text, got, want)
		}
	})
}

func hasUpper(lits []string) bool {
	return slices.ContainsFunc(lits, func(l string) bool { return l != asciiLowerString(l) })
}
