package engine

import (
	"slices"

	"github.com/tanchi-dev/tanchi/engine/internal/aho"
	"github.com/tanchi-dev/tanchi/engine/internal/pattern"
)

// litSet tests many plain literals of one comparison at once: Sigma's long
// value lists (Image|endswith with a hundred names, hash lists, command-line
// fragments). Exact values are one hash lookup; prefixes and suffixes one
// lookup per distinct literal length; contains one automaton scan. It
// answers exactly what testing each literal in turn would.
type litSet struct {
	exact    map[string]struct{}
	prefix   map[string]struct{}
	preLens  []int
	suffix   map[string]struct{}
	sufLens  []int
	contains *aho.Set
	lits     []string // every literal, for the index
}

// litSetDFABytes bounds the automaton of one comparison's contains values
// (there are thousands of comparisons; larger sets use grams).
const litSetDFABytes = 4 << 10

// minLitSet is the number of plain literals from which a comparison tests
// them as a set.
const minLitSet = 6

// splitPlain moves the plain case-insensitive literals of an atom's values
// into a litSet when there are enough of them, and returns the groups with
// those matchers removed (empty groups dropped). Only for atoms whose
// values are alternatives (not |all), where the order of tests does not
// matter.
func splitPlain(groups [][]matcher) (*litSet, [][]matcher) {
	n := 0
	for _, g := range groups {
		for _, m := range g {
			if plainOf(m) != nil {
				n++
			}
		}
	}
	if n < minLitSet {
		return nil, groups
	}
	s := &litSet{}
	var contains []string
	var rest [][]matcher
	for _, g := range groups {
		var left []matcher
		for _, m := range g {
			pm := plainOf(m)
			if pm == nil {
				left = append(left, m)
				continue
			}
			mode, lit, _ := pm.Plain()
			s.lits = append(s.lits, lit)
			switch mode {
			case pattern.Exact:
				s.exact = addLit(s.exact, lit)
			case pattern.StartsWith:
				s.prefix = addLit(s.prefix, lit)
				s.preLens = addLen(s.preLens, len(lit))
			case pattern.EndsWith:
				s.suffix = addLit(s.suffix, lit)
				s.sufLens = addLen(s.sufLens, len(lit))
			case pattern.Contains:
				contains = append(contains, lit)
			}
		}
		if len(left) > 0 {
			rest = append(rest, left)
		}
	}
	if len(contains) > 0 {
		set, err := aho.NewSet(contains, litSetDFABytes)
		if err != nil {
			return nil, groups
		}
		s.contains = set
	}
	return s, rest
}

// plainOf returns the pattern matcher of a plain string comparison.
func plainOf(m matcher) *pattern.Matcher {
	sm, ok := m.(*strMatcher)
	if !ok || sm.isNum {
		return nil
	}
	if _, _, ok := sm.m.Plain(); !ok {
		return nil
	}
	return sm.m
}

func addLit(m map[string]struct{}, lit string) map[string]struct{} {
	if m == nil {
		m = map[string]struct{}{}
	}
	m[lit] = struct{}{}
	return m
}

func addLen(lens []int, n int) []int {
	if !slices.Contains(lens, n) {
		lens = append(lens, n)
		slices.Sort(lens)
	}
	return lens
}

// match reports whether the folded value fv matches any literal.
func (s *litSet) match(fv string) bool {
	if _, ok := s.exact[fv]; ok {
		return true
	}
	for _, n := range s.preLens {
		if n > len(fv) {
			break
		}
		if _, ok := s.prefix[fv[:n]]; ok {
			return true
		}
	}
	for _, n := range s.sufLens {
		if n > len(fv) {
			break
		}
		if _, ok := s.suffix[fv[len(fv)-n:]]; ok {
			return true
		}
	}
	return s.contains != nil && s.contains.Any(fv)
}
