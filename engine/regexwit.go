package engine

import (
	"regexp/syntax"
	"slices"
	"unicode/utf8"

	"github.com/tanchi-dev/tanchi/engine/internal/pattern"
)

// regexWitness returns folded literals one of which every match of re
// contains (re simplified: no counted repeats). Folding is sound for
// case-insensitive parts too: the runes a (?i) literal or class matches
// all fold to the folds regexWitness takes.
//
// Besides the literals of the parts of a sequence, it tries the strings
// that cross from one part into the next, when the parts are small sets:
// `net\s+user` gives {"net ", "net\t", ...} next to "net" and "user", and
// `\.[ "']` gives {". ", ".\"", ".'"}, far rarer in command lines than "."
// alone. The cheapest set (strCost) wins. With cross false, only the
// parts' own literals are taken.
func regexWitness(re *syntax.Regexp, cross bool, depth int) ([]string, bool) {
	if depth > 100 {
		return nil, false
	}
	switch re.Op {
	case syntax.OpLiteral:
		if s, ok := foldedLiteral(re.Rune); ok {
			return []string{s}, true
		}
	case syntax.OpCapture:
		return regexWitness(re.Sub[0], cross, depth+1)
	case syntax.OpPlus:
		return regexWitness(re.Sub[0], cross, depth+1)
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return regexWitness(re.Sub[0], cross, depth+1)
		}
	case syntax.OpConcat:
		var best []string
		found := false
		for _, s := range re.Sub {
			w, ok := regexWitness(s, cross, depth+1)
			if ok && (!found || strCost(w) < strCost(best)) {
				best, found = w, true
			}
		}
		if !cross {
			return best, found
		}
		for _, w := range crossings(re.Sub, depth+1) {
			if !found || strCost(w) < strCost(best) {
				best, found = w, true
			}
		}
		return best, found
	case syntax.OpAlternate:
		var out []string
		for _, s := range re.Sub {
			w, ok := regexWitness(s, cross, depth+1)
			if !ok {
				return nil, false
			}
			out = append(out, w...)
		}
		return out, true
	}
	return nil, false
}

// maxShapeSet bounds the strings of one set in a regexShape, maxShapeLen
// their length in bytes (a longer witness is no rarer in practice, and
// long sequences of parts must not build ever longer strings), and
// maxClassRunes the runes of a character class taken one by one.
const (
	maxShapeSet   = 64
	maxShapeLen   = 32
	maxClassRunes = 16
)

// regexShape is what regexWitness knows of the texts a regular expression
// matches, folded: all of them (exact) when they are few, else strings one
// of which every match begins with (pre) and one of which every match ends
// with (suf). A nil set is unknown; an expression that may match the empty
// string has none.
type regexShape struct {
	exact, pre, suf []string
}

func exactShape(set []string) regexShape { return regexShape{exact: set, pre: set, suf: set} }

// shapeOf returns the shape of re.
func shapeOf(re *syntax.Regexp, depth int) regexShape {
	if depth > 100 {
		return regexShape{}
	}
	switch re.Op {
	case syntax.OpLiteral:
		if s, ok := foldedLiteral(re.Rune); ok {
			return exactShape([]string{s})
		}
	case syntax.OpCharClass:
		if set, ok := classStrings(re.Rune); ok {
			return exactShape(set)
		}
	case syntax.OpCapture:
		return shapeOf(re.Sub[0], depth+1)
	case syntax.OpPlus:
		x := shapeOf(re.Sub[0], depth+1)
		return regexShape{pre: x.pre, suf: x.suf}
	case syntax.OpRepeat:
		if re.Min >= 1 {
			x := shapeOf(re.Sub[0], depth+1)
			return regexShape{pre: x.pre, suf: x.suf}
		}
	case syntax.OpConcat:
		items := consuming(re.Sub)
		if len(items) == 0 {
			return regexShape{}
		}
		// Each part's shape once: nested sequences would otherwise be
		// walked again at every level.
		shapes := make([]regexShape, len(items))
		for i, it := range items {
			shapes[i] = shapeOf(it, depth+1)
		}
		if len(items) == 1 {
			return shapes[0]
		}
		exact := []string{""}
		for _, sh := range shapes {
			if exact = crossSets(exact, sh.exact); exact == nil {
				break
			}
		}
		if exact != nil {
			return exactShape(exact)
		}
		return regexShape{pre: shapes[0].pre, suf: shapes[len(shapes)-1].suf}
	case syntax.OpAlternate:
		var x regexShape
		for i, sub := range re.Sub {
			s := shapeOf(sub, depth+1)
			if i == 0 {
				x = s
				continue
			}
			x.exact = unionSets(x.exact, s.exact)
			x.pre = unionSets(x.pre, s.pre)
			x.suf = unionSets(x.suf, s.suf)
		}
		return x
	}
	return regexShape{}
}

// crossings returns, for the parts of a sequence, the sets of strings
// that cross from a part into those after it: a part's suffixes, followed
// by the whole texts of the small parts after it and the prefixes of the
// first other one. Every match of the sequence holds one string of each set.
func crossings(subs []*syntax.Regexp, depth int) [][]string {
	items := consuming(subs)
	shapes := make([]regexShape, len(items))
	for i, it := range items {
		shapes[i] = shapeOf(it, depth)
	}
	var out [][]string
	for i := range shapes {
		cur := shapes[i].suf
		for j := i + 1; cur != nil && j < len(shapes); j++ {
			if shapes[j].exact == nil {
				if next := crossSets(cur, shapes[j].pre); next != nil {
					out = append(out, next)
				}
				break
			}
			if cur = crossSets(cur, shapes[j].exact); cur != nil {
				out = append(out, cur)
			}
		}
	}
	return out
}

// consuming returns subs without the parts that match no text (anchors,
// word boundaries): the parts around them are adjacent in every match.
func consuming(subs []*syntax.Regexp) []*syntax.Regexp {
	var out []*syntax.Regexp
	for _, s := range subs {
		switch s.Op {
		case syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
			syntax.OpWordBoundary, syntax.OpNoWordBoundary, syntax.OpEmptyMatch:
			continue
		}
		out = append(out, s)
	}
	return out
}

// crossSets returns every a+b, or nil when either set is unknown or there
// would be more than maxShapeSet of them or one longer than maxShapeLen.
func crossSets(as, bs []string) []string {
	if as == nil || bs == nil || len(as)*len(bs) > maxShapeSet {
		return nil
	}
	out := make([]string, 0, len(as)*len(bs))
	for _, a := range as {
		for _, b := range bs {
			if len(a)+len(b) > maxShapeLen {
				return nil
			}
			out = append(out, a+b)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// unionSets returns the strings of both sets, or nil when either is
// unknown or the union is too large.
func unionSets(as, bs []string) []string {
	if as == nil || bs == nil || len(as)+len(bs) > maxShapeSet {
		return nil
	}
	out := append(slices.Clone(as), bs...)
	slices.Sort(out)
	return slices.Compact(out)
}

// foldedLiteral returns the fold of a literal's runes, or false when it
// is empty or holds U+FFFD, which matches any invalid byte: the byte, not
// the rune's encoding, is then in the text.
func foldedLiteral(runes []rune) (string, bool) {
	if len(runes) == 0 || slices.Contains(runes, utf8.RuneError) {
		return "", false
	}
	return pattern.Fold(string(runes)), true
}

// classStrings returns the folds of the runes of a character class (as
// ranges, lo-hi pairs), or false when it has more than maxClassRunes of
// them or U+FFFD.
func classStrings(ranges []rune) ([]string, bool) {
	n := 0
	for i := 0; i+1 < len(ranges); i += 2 {
		n += int(ranges[i+1]-ranges[i]) + 1
		if n > maxClassRunes {
			return nil, false
		}
	}
	var out []string
	for i := 0; i+1 < len(ranges); i += 2 {
		for r := ranges[i]; r <= ranges[i+1]; r++ {
			if r == utf8.RuneError {
				return nil, false
			}
			out = append(out, pattern.Fold(string(r)))
		}
	}
	slices.Sort(out)
	return slices.Compact(out), len(out) > 0
}
