package pattern

import (
	"strings"
	"unicode/utf8"
)

// A glob is a compiled pattern with wildcards. The pattern is cut at its
// stars into segments, each a fixed number of runes long (literal runs and
// `?`s). The segment before the first star (head) is anchored at the start of
// the value and the one after the last star (tail) at its end; the segments
// between stars (mid) are found leftmost-first, each after the previous one.
//
// Taking the leftmost occurrence of every middle segment is always right: a
// segment has a fixed number of runes, so the leftmost start also gives the
// earliest end and leaves the most room for the rest. No segment is ever
// revisited, so a match costs one substring search per segment plus the
// verification of candidates, O(len(value)·len(pattern)) at worst and
// usually linear, with no recursion and no backtracking over stars.
type glob struct {
	star bool  // the pattern has a star; without one, head is all of it
	head seg   // anchored at the start
	tail seg   // anchored at the end (when star)
	mid  []seg // between stars, in order; never empty segments
}

// seg is a star-free run of a pattern: lead `?`s, then literal parts each
// followed by some `?`s.
type seg struct {
	lead  int
	parts []part
}

// part is a literal run followed by skip `?`s.
type part struct {
	lit  string
	skip int
}

func (s *seg) empty() bool { return s.lead == 0 && len(s.parts) == 0 }

// plain returns the literal text of s when s is a single literal run.
func (s *seg) plain() (string, bool) {
	if s.lead == 0 && len(s.parts) == 1 && s.parts[0].skip == 0 {
		return s.parts[0].lit, true
	}
	return "", false
}

// newSeg builds a segment from star-free tokens.
func newSeg(toks []token) seg {
	var s seg
	for _, t := range toks {
		switch {
		case t.kind == tokOne && len(s.parts) == 0:
			s.lead++
		case t.kind == tokOne:
			s.parts[len(s.parts)-1].skip++
		case t.lit == "":
		case len(s.parts) > 0 && s.parts[len(s.parts)-1].skip == 0:
			s.parts[len(s.parts)-1].lit += t.lit
		default:
			s.parts = append(s.parts, part{lit: t.lit})
		}
	}
	return s
}

// newGlob builds a glob from tokens in which no two stars are adjacent.
func newGlob(toks []token) *glob {
	var (
		g     glob
		segs  []seg
		start int
	)
	for i, t := range toks {
		if t.kind == tokStar {
			g.star = true
			segs = append(segs, newSeg(toks[start:i]))
			start = i + 1
		}
	}
	segs = append(segs, newSeg(toks[start:]))
	g.head = segs[0]
	if g.star {
		g.tail = segs[len(segs)-1]
		for _, s := range segs[1 : len(segs)-1] {
			if !s.empty() {
				g.mid = append(g.mid, s)
			}
		}
	}
	return &g
}

// match reports whether the (already folded, if need be) value t matches.
func (g *glob) match(t string) bool {
	lo, ok := g.head.matchAt(t, 0)
	if !ok {
		return false
	}
	if !g.star {
		return lo == len(t)
	}
	hi, ok := g.tail.matchBack(t, lo)
	if !ok {
		return false
	}
	t = t[:hi]
	for i := range g.mid {
		if lo, ok = g.mid[i].find(t, lo); !ok {
			return false
		}
	}
	return true
}

// matchAt matches s at offset i of t and returns the offset after it.
func (s *seg) matchAt(t string, i int) (int, bool) {
	i, ok := skipRunes(t, i, s.lead)
	if !ok {
		return 0, false
	}
	return s.matchParts(t, i)
}

// matchParts matches the parts of s (not the lead) at offset i of t.
func (s *seg) matchParts(t string, i int) (int, bool) {
	for _, p := range s.parts {
		if !strings.HasPrefix(t[i:], p.lit) {
			return 0, false
		}
		var ok bool
		if i, ok = skipRunes(t, i+len(p.lit), p.skip); !ok {
			return 0, false
		}
	}
	return i, true
}

// matchBack matches s at the end of t[lo:] and returns the offset where it
// starts.
func (s *seg) matchBack(t string, lo int) (int, bool) {
	t = t[lo:]
	i := len(t)
	for k := len(s.parts) - 1; k >= 0; k-- {
		p := s.parts[k]
		var ok bool
		if i, ok = skipRunesBack(t, i, p.skip); !ok {
			return 0, false
		}
		if !strings.HasSuffix(t[:i], p.lit) {
			return 0, false
		}
		i -= len(p.lit)
	}
	i, ok := skipRunesBack(t, i, s.lead)
	return lo + i, ok
}

// find finds the leftmost occurrence of s in t at or after offset lo and
// returns the offset just after it.
func (s *seg) find(t string, lo int) (int, bool) {
	// The lead `?`s need that many runes before the first literal.
	i, ok := skipRunes(t, lo, s.lead)
	if !ok {
		return 0, false
	}
	if len(s.parts) == 0 {
		return i, true
	}
	first, rest := s.parts[0], seg{parts: s.parts[1:]}
	for {
		k := strings.Index(t[i:], first.lit)
		if k < 0 {
			return 0, false
		}
		at := i + k
		if j, ok := skipRunes(t, at+len(first.lit), first.skip); ok {
			if end, ok := rest.matchParts(t, j); ok {
				return end, true
			}
		}
		// A literal begins with a byte that starts a rune, so the next
		// candidate, found by Index, starts a rune too.
		i = at + 1
	}
}

// skipRunes advances offset i of t by n runes.
func skipRunes(t string, i, n int) (int, bool) {
	for ; n > 0; n-- {
		if i >= len(t) {
			return 0, false
		}
		if t[i] < utf8.RuneSelf {
			i++
		} else {
			_, w := utf8.DecodeRuneInString(t[i:])
			i += w
		}
	}
	return i, true
}

// skipRunesBack moves offset i of t back by n runes.
func skipRunesBack(t string, i, n int) (int, bool) {
	for ; n > 0; n-- {
		if i <= 0 {
			return 0, false
		}
		if t[i-1] < utf8.RuneSelf {
			i--
		} else {
			_, w := utf8.DecodeLastRuneInString(t[:i])
			i -= w
		}
	}
	return i, true
}
