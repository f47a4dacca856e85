package engine

import (
	"regexp/syntax"
	"slices"
	"unicode"
	"unicode/utf8"
)

// runRegex answers regular expressions that ask only for a run of
// characters of one class, C{n,m}, optionally anchored at the start or the
// end of the text: the shape rules use to flag very long values ('.{1000,}',
// '(.){200,}', '[^/]{100,}$'). Go's regexp runs such an expression in time
// proportional to the text times the repeat count, which is milliseconds on
// an 8 KB command line (9 ms for '[^/]{100,}$' here); counting the run takes
// one pass.
//
// Runes are read as regexp reads them: an invalid UTF-8 byte is U+FFFD.
type runRegex struct {
	in         func(rune) bool
	ascii      [utf8.RuneSelf]bool // in, for the ASCII runes
	min, max   int                 // runes; max -1 for no bound
	begin, end bool
}

// setClass sets the class of the runes of the run.
func (x *runRegex) setClass(in func(rune) bool) {
	x.in = in
	for c := range x.ascii {
		x.ascii[c] = in(rune(c))
	}
}

// next reports whether the rune at s[i] is in the class, and its width.
func (x *runRegex) next(s string, i int) (bool, int) {
	if c := s[i]; c < utf8.RuneSelf {
		return x.ascii[c], 1
	}
	r, w := utf8.DecodeRuneInString(s[i:])
	return x.in(r), w
}

// newRunRegex returns the run form of a parsed expression (not simplified),
// or nil when it has another shape.
func newRunRegex(re *syntax.Regexp) *runRegex {
	re = uncapture(re)
	r := &runRegex{}
	if re.Op == syntax.OpConcat {
		subs := re.Sub
		if len(subs) > 0 && subs[0].Op == syntax.OpBeginText {
			r.begin, subs = true, subs[1:]
		}
		if len(subs) > 0 && subs[len(subs)-1].Op == syntax.OpEndText {
			r.end, subs = true, subs[:len(subs)-1]
		}
		if len(subs) != 1 {
			return nil
		}
		re = uncapture(subs[0])
	}
	switch re.Op {
	case syntax.OpRepeat:
		r.min, r.max = re.Min, re.Max
	case syntax.OpStar:
		r.min, r.max = 0, -1
	case syntax.OpPlus:
		r.min, r.max = 1, -1
	default:
		return nil
	}
	in := runeClass(uncapture(re.Sub[0]))
	if in == nil {
		return nil
	}
	r.setClass(in)
	return r
}

// minNeededRun is the shortest run worth testing for before a regular
// expression runs: shorter runs (of hex digits, say) are common.
const minNeededRun = 8

// neededRun returns, for an expression that is a sequence with a part
// C{n,} (n >= minNeededRun) over one character class, the test that the
// text holds a run of n such characters, which every match does ('\s[a-f0-9]{64}\s'
// needs 64 hex digits in a row); nil when there is none. Of several such
// parts it takes the longest. The test counts the run in one pass, far
// cheaper than the expression on the text that lacks it.
func neededRun(re *syntax.Regexp) *runRegex {
	re = uncapture(re)
	if re.Op != syntax.OpConcat {
		return nil
	}
	var best *runRegex
	for _, sub := range re.Sub {
		sub = uncapture(sub)
		if sub.Op != syntax.OpRepeat && sub.Op != syntax.OpPlus {
			continue
		}
		n := 1
		if sub.Op == syntax.OpRepeat {
			n = sub.Min
		}
		if n < minNeededRun || best != nil && n <= best.min {
			continue
		}
		if in := runeClass(uncapture(sub.Sub[0])); in != nil {
			best = &runRegex{min: n, max: -1}
			best.setClass(in)
		}
	}
	return best
}

func uncapture(re *syntax.Regexp) *syntax.Regexp {
	for re.Op == syntax.OpCapture {
		re = re.Sub[0]
	}
	return re
}

// runeClass returns the test of a one-rune expression, or nil.
func runeClass(re *syntax.Regexp) func(rune) bool {
	switch re.Op {
	case syntax.OpAnyChar:
		return func(rune) bool { return true }
	case syntax.OpAnyCharNotNL:
		return func(r rune) bool { return r != '\n' }
	case syntax.OpCharClass:
		ranges := re.Rune // sorted pairs; the parser has applied (?i)
		return func(r rune) bool {
			for i := 0; i+1 < len(ranges); i += 2 {
				if r < ranges[i] {
					return false
				}
				if r <= ranges[i+1] {
					return true
				}
			}
			return false
		}
	case syntax.OpLiteral:
		if len(re.Rune) != 1 {
			return nil
		}
		// The rune, or under (?i) every rune of its case-folding orbit (k,
		// K and the Kelvin sign).
		runes := []rune{re.Rune[0]}
		if re.Flags&syntax.FoldCase != 0 {
			for f := unicode.SimpleFold(runes[0]); f != runes[0]; f = unicode.SimpleFold(f) {
				runes = append(runes, f)
			}
		}
		return func(r rune) bool { return slices.Contains(runes, r) }
	}
	return nil
}

func (x *runRegex) match(s string) bool {
	switch {
	case x.begin && x.end:
		n := 0
		for i := 0; i < len(s); {
			in, w := x.next(s, i)
			if !in {
				return false
			}
			n++
			i += w
		}
		return n >= x.min && (x.max < 0 || n <= x.max)
	case x.begin:
		n := 0
		for i := 0; i < len(s) && n < x.min; {
			in, w := x.next(s, i)
			if !in {
				break
			}
			n++
			i += w
		}
		return n >= x.min
	case x.end:
		// The trailing run, counted forwards: reading invalid UTF-8
		// backwards need not split it into the same runes.
		return x.lastRun(s, -1) >= x.min
	}
	return x.lastRun(s, x.min) >= x.min
}

// lastRun returns the length in runes of the run of class runes that ends
// s, or stop as soon as some run reaches stop (never for -1).
func (x *runRegex) lastRun(s string, stop int) int {
	n := 0
	for i := 0; i < len(s) && n != stop; {
		if c := s[i]; c < utf8.RuneSelf { // ASCII, inline
			n = (n + 1) * int(b2i(x.ascii[c]))
			i++
			continue
		}
		in, w := x.next(s, i)
		n = (n + 1) * int(b2i(in))
		i += w
	}
	return n
}

func b2i(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}
