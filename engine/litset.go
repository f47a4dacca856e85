package engine

import (
	"math/bits"
	"slices"

	"github.com/tanchi-dev/tanchi/engine/internal/aho"
	"github.com/tanchi-dev/tanchi/engine/internal/pattern"
)

// litSet tests many plain literals of one comparison at once: Sigma's long
// value lists (Image|endswith with a hundred names, hash lists, command-line
// fragments). Exact values are one hash lookup; prefixes and suffixes one
// lookup per distinct literal length; contains one automaton scan. It
// answers exactly what testing each literal in turn would.
//
// A hash lookup costs about a hundred instructions, and a suffix list of
// process names has a dozen lengths, so each lookup is first asked of a
// filter of the literals' lengths and first two bytes (see litFilter):
// on the process-creation lane nearly every one is answered there.
type litSet struct {
	filter   litFilter
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
	s.filter = newLitFilter(len(s.exact) + len(s.prefix) + len(s.suffix))
	for mode, lits := range map[pattern.Mode]map[string]struct{}{pattern.Exact: s.exact, pattern.StartsWith: s.prefix, pattern.EndsWith: s.suffix} {
		for lit := range lits {
			s.filter.add(mode, lit)
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
	if s.filter.has(pattern.Exact, fv) {
		if _, ok := s.exact[fv]; ok {
			return true
		}
	}
	for _, n := range s.preLens {
		if n > len(fv) {
			break
		}
		if p := fv[:n]; s.filter.has(pattern.StartsWith, p) {
			if _, ok := s.prefix[p]; ok {
				return true
			}
		}
	}
	for _, n := range s.sufLens {
		if n > len(fv) {
			break
		}
		if p := fv[len(fv)-n:]; s.filter.has(pattern.EndsWith, p) {
			if _, ok := s.suffix[p]; ok {
				return true
			}
		}
	}
	return s.contains != nil && s.contains.Any(fv)
}

// litFilter is a set of what a litSet's exact, prefix and suffix literals
// begin with: the mode, the length and the first two bytes, hashed to one
// bit of 32 per literal (64 to 16,384 bits). A text whose bit is clear is
// none of the literals of that mode; one whose bit is set may be, and is
// looked up. About one text in 32 that is none of them gets through
// (fewer when literals share their beginnings, as names with a common
// path do). Contains literals are not in it. The 802 litSets of the rules
// the benchmarks load take 34 KB of filters.
type litFilter struct {
	bits  []uint64
	shift uint8 // a hash's top bits pick the bit: 64 - log2(len(bits)*64)
}

// maxLitFilterBits bounds one filter (2 KB, for a litSet of 512 literals
// or more).
const maxLitFilterBits = 16384

func newLitFilter(lits int) litFilter {
	n := 64
	for n < 32*lits && n < maxLitFilterBits {
		n *= 2
	}
	return litFilter{bits: make([]uint64, n/64), shift: uint8(64 - bits.TrailingZeros(uint(n)))}
}

func (f *litFilter) add(mode pattern.Mode, lit string) {
	b := litFilterHash(mode, lit) >> f.shift
	f.bits[b>>6] |= 1 << (b & 63)
}

func (f *litFilter) has(mode pattern.Mode, s string) bool {
	b := litFilterHash(mode, s) >> f.shift
	return f.bits[b>>6]&(1<<(b&63)) != 0
}

// litFilterHash hashes the mode, length and first two bytes of s
// (multiplicatively: the top bits of the product depend on every bit of
// the key).
func litFilterHash(mode pattern.Mode, s string) uint64 {
	k := uint64(len(s))<<24 | uint64(mode)<<16
	if len(s) > 0 {
		k |= uint64(s[0]) << 8
	}
	if len(s) > 1 {
		k |= uint64(s[1])
	}
	return k * 0x9e3779b97f4a7c15
}
