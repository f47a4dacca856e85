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
	// The first class starts at 4 bytes or a little more (the shorter
	// literals go to the automaton).
	for lo := 4 + r.IntN(3); lo < 40; lo += 1 + r.IntN(12) {
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
	// ScanLowerChecked tells whether the text is ASCII. It reads all
	// literals of an ASCII text; of another, at least the ASCII ones.
	hits, ascii := s.ScanLowerChecked(text, nil)
	if ascii != IsASCII(text) {
		t.Fatalf("%s: ScanLowerChecked(%q) says ASCII %v", what, text, ascii)
	}
	all := found(lits, asciiLowerString(text))
	var narrow []int32
	for _, id := range all {
		if IsASCII(lits[id]) {
			narrow = append(narrow, id)
		}
	}
	if got := distinct(hits); ascii && !slices.Equal(got, all) ||
		!ascii && (!isSubset(narrow, got) || !isSubset(got, all)) {
		t.Fatalf("%s: ScanLowerChecked(%q) = %v, want %v", what, text, got, all)
	}
	// The literals of a set (or of each part of a split one) as long as
	// its tables' shortest are in its tables.
	got = nil
	long := make([]string, len(lits))
	for _, part := range []*Set{s, s.wide} {
		if part == nil || len(part.tabs) == 0 {
			continue
		}
		shortest := part.tabs[0].min
		for _, tab := range part.tabs {
			got = tab.scan(text, true, part.lits, got)
			shortest = min(shortest, tab.min)
		}
		for i, l := range part.lits {
			if len(l) >= shortest {
				long[i] = l
			}
		}
	}
	slices.Sort(got)
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
		old, err := newGramSet(lits, unsteppedClasses, 0)
		if err != nil {
			t.Fatal(err)
		}
		random, err := newGramSet(lits, randomClasses(r), 0)
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
	classes, cost4 := planGrams(lits, 4)
	last := classes[len(classes)-1]
	if classes[0] != (gramClass{4, 4, 1}) || last.n != 8 || last.step < 4 {
		t.Errorf("planGrams = %v, want 4-byte grams at step 1 first and 8-byte ones at step 4 or more last", classes)
	}
	grams, total := 0, 0
	s, err := newGramSet(lits, classes, 0)
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
	if got, cost := planGrams([]string{"abc", ""}, 4); got != nil || cost != costDFA {
		t.Errorf("planGrams of short literals = %v (cost %v), want none (the automaton's cost)", got, cost)
	}
	// Without its 4-byte literals the set's tables read fewer windows:
	// planned from 5 bytes, the first class has a step of 2 or more, and
	// when that is cheaper NewSet puts the 4-byte literals into the
	// automaton, within its bound.
	longer, cost5 := planGrams(lits, 5)
	if longer[0].min < 5 || longer[0].step < 2 {
		t.Errorf("planGrams from 5 bytes = %v, want a first class of 5 bytes or more at step 2 or more", longer)
	}
	set, err := newSetNoTeddy(lits, 256<<10)
	if err != nil {
		t.Fatal(err)
	}
	if four := slices.ContainsFunc(set.tabs, func(t *gramTable) bool { return t.step == 1 }); four != (cost5 >= cost4) {
		t.Errorf("costs %.3f (from 4 bytes), %.3f (from 5): NewSet has a table at step 1: %v", cost4, cost5, four)
	}
	small, err := newSetNoTeddy(lits, 1<<10)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(small.tabs, func(t *gramTable) bool { return t.step == 1 }) {
		t.Errorf("NewSet with 1 KB for its automaton: no table at step 1; want the 4-byte literals in one")
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
		s, err := newGramSet(lits, randomClasses(r), 0)
		if err != nil {
			return
		}
		checkSet(t, "random classes", s, lits, text)
		for from := 4; from <= 5; from++ {
			classes, _ := planGrams(lits, from)
			if s, err = newGramSet(lits, classes, 0); err == nil {
				checkSet(t, "planned", s, lits, text)
			}
		}
	})
}

// isSubset reports whether every id of a (sorted) is in b (sorted).
func isSubset(a, b []int32) bool {
	for _, x := range a {
		if _, ok := slices.BinarySearch(b, x); !ok {
			return false
		}
	}
	return true
}
