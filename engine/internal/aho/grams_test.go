package aho

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// unsteppedClasses is the large set's tables before planGrams: 4-byte
// grams for literals of 4 to 7 bytes, 8-byte grams for longer ones, every
// window read.
var unsteppedClasses = []gramClass{{4, 4, 1}, {8, 8, 1}}

// randomClasses is a random split of the lengths from 4 on into classes,
// each with a random gram length and step that its shortest literal
// allows.
func randomClasses(r *rand.Rand) []gramClass {
	var classes []gramClass
	for lo := 4; lo < 40; lo += 1 + r.IntN(12) {
		n := 4
		if lo >= 8 && r.IntN(2) == 0 {
			n = 8
		}
		classes = append(classes, gramClass{lo, n, 1 + r.IntN(min(lo-n+1, maxStep))})
		if r.IntN(3) == 0 {
			break
		}
	}
	return classes
}

// gramText is a text of about size bytes made of the literals' pieces and
// whole literals (some overlapping, some at the very start or end),
// upper-cased in places, with bytes above 0x7f.
func gramText(r *rand.Rand, lits []string, alpha string, size int) string {
	var b []byte
	if size > 0 && r.IntN(3) == 0 {
		b = append(b, lits[r.IntN(len(lits))]...)
	}
	for len(b) < size {
		l := lits[r.IntN(len(lits))]
		switch r.IntN(4) {
		case 0:
			b = append(b, randomWord(r, alpha+"AB\xc3\x89", 4)...)
		case 1:
			i, j := r.IntN(len(l)+1), r.IntN(len(l)+1)
			b = append(b, l[min(i, j):max(i, j)]...)
		case 2:
			b = append(b, l...)
		case 3: // overlapping copies
			k := r.IntN(len(l) + 1)
			b = append(b, l[:k]...)
			b = append(b, l...)
		}
	}
	if size > 0 && r.IntN(3) == 0 {
		b = append(b, lits[r.IntN(len(lits))]...)
	}
	if r.IntN(2) == 0 {
		for i, c := range b {
			if 'a' <= c && c <= 'z' && r.IntN(3) == 0 {
				b[i] = c - 'a' + 'A'
			}
		}
	}
	return string(b)
}

// checkSet checks every occurrence s reports against the naive answer,
// with Scan and, for lower-case literals, ScanLower.
func checkSet(t *testing.T, what string, s *Set, lits []string, text string) {
	t.Helper()
	got := s.Scan(text, nil)
	slices.Sort(got)
	if want := occurrences(lits, text); !slices.Equal(got, want) {
		t.Fatalf("%s: Scan(%q) = %v, want %v", what, text, got, want)
	}
	if hasUpper(lits) {
		return
	}
	// The automaton's ScanLower may report an occurrence twice; the
	// tables report each once.
	if got, want := distinct(s.ScanLower(text, nil)), found(lits, asciiLowerString(text)); !slices.Equal(got, want) {
		t.Fatalf("%s: ScanLower(%q) = %v, want %v", what, text, got, want)
	}
	got = nil
	for _, tab := range s.tabs {
		got = tab.scan(text, true, lits, got)
	}
	slices.Sort(got)
	long := slices.Clone(lits)
	for i, l := range long {
		if len(l) < 4 {
			long[i] = ""
		}
	}
	if want := occurrences(long, asciiLowerString(text)); !slices.Equal(got, want) {
		t.Fatalf("%s: the tables' ScanLower(%q) = %v, want %v", what, text, got, want)
	}
	if any, want := s.Any(text), len(found(lits, text)) > 0; any != want {
		t.Fatalf("%s: Any(%q) = %v, want %v", what, text, any, want)
	}
}

// TestGramSetsAgainstContains checks large sets, as NewSet plans them, as
// they were before planGrams, and split into random classes, against the
// naive answer.
func TestGramSetsAgainstContains(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	alphas := []string{"ab", "abc\\", "ab:\\.\xc3\x89", "abcdefghij -\\.", "0123456789abcdef{}-"}
	stepped := false
	for round := range 30 {
		alpha := alphas[round%len(alphas)]
		lits := make([]string, 1000+r.IntN(3000))
		for i := range lits {
			n := 1 + r.IntN(60)
			if r.IntN(3) == 0 {
				n = 4 + r.IntN(8)
			}
			lits[i] = randomWord(r, alpha, 0)
			for len(lits[i]) < n {
				lits[i] += randomWord(r, alpha, n-len(lits[i]))
			}
		}
		if round%4 == 3 { // upper-case literals: Scan only
			lits[r.IntN(len(lits))] = "XyZW" + lits[0]
		}
		planned, err := newSetNoTeddy(lits, 256<<10)
		if err != nil {
			t.Fatal(err)
		}
		for _, tab := range planned.tabs {
			stepped = stepped || tab.step > 1
		}
		old, err := newGramSet(lits, unsteppedClasses)
		if err != nil {
			t.Fatal(err)
		}
		random, err := newGramSet(lits, randomClasses(r))
		if err != nil {
			t.Fatal(err)
		}
		for k := range 8 {
			text := gramText(r, lits, alpha, r.IntN(600))
			if k == 0 {
				text = ""
			}
			checkSet(t, "planned", planned, lits, text)
			checkSet(t, "unstepped", old, lits, text)
			checkSet(t, "random classes", random, lits, text)
		}
	}
	if !stepped {
		t.Error("no planned set has a stepped table: the test does not cover them")
	}
}

// TestPlanGrams: a set of long literals gets a table of 8-byte grams with
// a long step; one with 4-byte literals keeps a 4-byte table read at
// every window; and the grams stay within planGramsPer per literal.
func TestPlanGrams(t *testing.T) {
	lits := cmdLits(cmdLitsN, 1)
	classes := planGrams(lits)
	last := classes[len(classes)-1]
	if classes[0] != (gramClass{4, 4, 1}) || last.n != 8 || last.step < 4 {
		t.Errorf("planGrams = %v, want 4-byte grams at step 1 first and 8-byte ones at step 4 or more last", classes)
	}
	grams, total := 0, 0
	s, err := newGramSet(lits, classes)
	if err != nil {
		t.Fatal(err)
	}
	for _, tab := range s.tabs {
		grams += len(tab.keys)
	}
	for _, l := range lits {
		if len(l) >= 4 {
			total++
		}
	}
	if grams > planGramsPer*total {
		t.Errorf("%d grams for %d literals", grams, total)
	}
	if got := planGrams([]string{"abc", ""}); got != nil {
		t.Errorf("planGrams of short literals = %v, want none", got)
	}
}

func FuzzGramSet(f *testing.F) {
	f.Add("hello world\x00wor\x00ld\x00aaaaaaaaaaa", "say hello world aaaaaaaaaaaaaaa", uint64(1))
	f.Add("\\appdata\\local\\temp\\\x00-enc \x00certutil -urlcache", "C:\\Users\\x\\AppData\\Local\\Temp\\a.exe -ENC certutil -urlcache", uint64(2))
	f.Fuzz(func(t *testing.T, joined, text string, seed uint64) {
		lits := strings.Split(joined, "\x00")
		if len(lits) > 200 || len(text) > 4096 {
			return
		}
		r := rand.New(rand.NewPCG(seed, 0))
		s, err := newGramSet(lits, randomClasses(r))
		if err != nil {
			return
		}
		checkSet(t, "random classes", s, lits, text)
		if s, err = newGramSet(lits, planGrams(lits)); err == nil {
			checkSet(t, "planned", s, lits, text)
		}
	})
}
