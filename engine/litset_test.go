package engine

import (
	"math/rand/v2"
	"testing"

	"github.com/tanchi-dev/tanchi/engine/internal/pattern"
	"github.com/tanchi-dev/tanchi/rule"
)

// TestLitSetAgreesWithMatchers checks that testing plain literals as a set
// gives what testing each matcher gives, for every string modifier and
// values that fold (Kelvin sign, ß, İ), are empty or repeat.
func TestLitSetAgreesWithMatchers(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	words := []string{"", "a", "A", "ab", "K", "k", "\u212a", "ß", "ẞ", "İ", "i", "ı", "\\", "cmd.exe", "CMD", ".EXE", "x*y", "?", "\\*"}
	word := func() string {
		s := ""
		for range r.IntN(4) {
			s += words[r.IntN(len(words))]
		}
		return s
	}
	c := &evalCtx{}
	for round := range 500 {
		mods := [][]string{nil, {"contains"}, {"startswith"}, {"endswith"}, {"contains", "cased"}}[round%5]
		m := &rule.Match{Field: "F"}
		if err := m.SetModifiers(mods); err != nil {
			t.Fatal(err)
		}
		for range minLitSet + r.IntN(10) {
			m.Values = append(m.Values, rule.Value{Kind: rule.String, S: word()})
		}
		var groups [][]matcher
		for _, v := range m.Values {
			g, err := compileValue(m, v, nil)
			if err != nil {
				t.Fatal(err)
			}
			groups = append(groups, g)
		}
		set, rest := splitPlain(groups)
		for range 30 {
			val := word() + word()
			fv := pattern.Fold(val)
			want := false
			for _, g := range groups {
				for _, x := range g {
					want = want || x.match(Str(val), fv, c)
				}
			}
			got := set != nil && set.match(fv)
			for _, g := range rest {
				for _, x := range g {
					got = got || x.match(Str(val), fv, c)
				}
			}
			if got != want {
				t.Fatalf("%s %q on %q: set says %v, matchers %v", m.Modifiers, m.Values, val, got, want)
			}
		}
	}
}

// TestLitFilter checks that a litSet's filter passes every literal added to
// it, of any length and mode, and that it turns away most texts that are
// none of them (about one in 32 passes), for sets of every size: the
// filter may only save lookups, never answer for one.
func TestLitFilter(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	text := func() string {
		b := make([]byte, r.IntN(40))
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		return string(b)
	}
	modes := []pattern.Mode{pattern.Exact, pattern.StartsWith, pattern.EndsWith}
	type key struct {
		mode pattern.Mode
		lit  string
	}
	for _, n := range []int{1, 6, 40, 300, 1000, 5000} {
		f := newLitFilter(n)
		added := map[key]bool{}
		for i := range n {
			k := key{modes[i%3], text()}
			f.add(k.mode, k.lit)
			added[k] = true
		}
		for k := range added {
			if !f.has(k.mode, k.lit) {
				t.Fatalf("%d literals: mode %d literal %q added and not found", n, k.mode, k.lit)
			}
		}
		passed := 0
		for range 10000 {
			k := key{modes[r.IntN(3)], text()}
			if f.has(k.mode, k.lit) && !added[k] {
				passed++
			}
		}
		if passed > 600 && 32*n <= maxLitFilterBits {
			t.Errorf("%d literals in %d bits: %d of 10,000 texts that are no literal passed the filter", n, 64*len(f.bits), passed)
		}
		t.Logf("%d literals in %d bits: %d of 10,000 other texts passed", n, 64*len(f.bits), passed)
	}
}
