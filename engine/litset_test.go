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
// none of them: the filter may only save lookups, never answer for one.
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
	var f litFilter
	added := map[[2]string]bool{}
	for i := range 300 {
		mode, lit := modes[i%3], text()
		f.add(mode, lit)
		added[[2]string{string(rune('0' + mode)), lit}] = true
	}
	for k := range added {
		mode := pattern.Mode(k[0][0] - '0')
		if !f.has(mode, k[1]) {
			t.Fatalf("mode %d literal %q added and not found", mode, k[1])
		}
	}
	passed := 0
	for range 10000 {
		mode, s := modes[r.IntN(3)], text()
		if f.has(mode, s) && !added[[2]string{string(rune('0' + mode)), s}] {
			passed++
		}
	}
	// 300 bits of 4,096 are set: about 7% of other texts get through.
	if passed > 1500 {
		t.Errorf("%d of 10,000 texts that are no literal passed the filter", passed)
	}
}
