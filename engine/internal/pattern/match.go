package pattern

import (
	"strconv"
	"strings"
	"sync"
	"unsafe"
)

// Mode says where a pattern must occur in a value, as Sigma's string
// modifiers do.
type Mode uint8

const (
	// Exact: the pattern matches the whole value (no modifier).
	Exact Mode = iota
	// Contains: the pattern matches anywhere in the value, as if wrapped in
	// `*...*` (the contains modifier).
	Contains
	// StartsWith: the pattern matches a prefix of the value, as if followed
	// by `*` (the startswith modifier).
	StartsWith
	// EndsWith: the pattern matches a suffix of the value, as if preceded by
	// `*` (the endswith modifier).
	EndsWith
)

// String returns the name of the Sigma modifier for m ("exact" for Exact).
func (m Mode) String() string {
	switch m {
	case Exact:
		return "exact"
	case Contains:
		return "contains"
	case StartsWith:
		return "startswith"
	case EndsWith:
		return "endswith"
	}
	return "Mode(" + strconv.Itoa(int(m)) + ")"
}

// kind is the strategy a Matcher uses, chosen once by Compile.
type kind uint8

const (
	kAlways   kind = iota // matches everything (`*`, contains "")
	kExact                // value == lit
	kPrefix               // value starts with lit
	kSuffix               // value ends with lit
	kPreSuf               // value starts with lit and ends with lit2, not overlapping
	kContains             // value contains lit
	kGlob                 // anything else: glob
)

// Matcher tests values against one compiled pattern. It is immutable and safe
// for concurrent use. Its methods do not allocate, with one exception: Match
// on a case-insensitive matcher that must search (contains, or wildcards
// between the ends) folds values longer than 256 bytes into a pooled buffer,
// which is allocated or grown when the pool has none large enough (after a
// garbage collection, or for values longer than 64 KiB). A nil *Matcher is
// not valid. Build one with Compile.
//
// To test many matchers against one value, fold the value once with Fold or
// AppendFold and call MatchPair (or MatchFolded on case-insensitive
// matchers): that skips Match's per-call folding.
type Matcher struct {
	kind  kind
	cased bool
	// noFold is set for case-insensitive matchers whose literals are ASCII
	// with no letters: no rune other than such a character folds to it, so
	// folding the value cannot change the result and Match skips it.
	noFold bool
	lit    string // folded unless cased; for all kinds but kAlways and kGlob
	lit2   string // the suffix, for kPreSuf
	glob   *glob  // for kGlob

	pat  Pattern // for String
	mode Mode
}

// Compile builds a matcher for p under mode. Contains, StartsWith and
// EndsWith behave as Sigma's modifiers: they put a `*` around, after or before
// the pattern, and wildcards inside p keep their meaning. With cased false
// (Sigma's default) matching is case-insensitive in the sense of Fold.
//
// Compile panics if mode is not one of the four Mode constants, which is a
// programming error.
func Compile(p Pattern, mode Mode, cased bool) *Matcher {
	m := &Matcher{cased: cased, pat: p, mode: mode}
	toks := p.tokens()
	star := []token{{kind: tokStar}}
	switch mode {
	case Exact:
	case Contains:
		toks = append(append(star, toks...), star...)
	case StartsWith:
		toks = append(toks, star...)
	case EndsWith:
		toks = append(star, toks...)
	default:
		panic("pattern: Compile with invalid " + mode.String())
	}

	// Fold the literals and collapse runs of stars.
	norm := toks[:0:0]
	m.noFold = !cased
	for _, t := range toks {
		if t.kind == tokStar && len(norm) > 0 && norm[len(norm)-1].kind == tokStar {
			continue
		}
		if t.kind == tokLit && !cased {
			t.lit = Fold(t.lit)
			m.noFold = m.noFold && letterlessASCII(t.lit)
		}
		norm = append(norm, t)
	}

	g := newGlob(norm)
	head, headPlain := g.head.plain()
	tail, tailPlain := g.tail.plain()
	switch {
	case !g.star && g.head.empty():
		m.kind = kExact
	case !g.star && headPlain:
		m.kind, m.lit = kExact, head
	case !g.star:
		m.kind, m.glob = kGlob, g
	case len(g.mid) == 0 && g.head.empty() && g.tail.empty():
		m.kind = kAlways
	case len(g.mid) == 0 && headPlain && g.tail.empty():
		m.kind, m.lit = kPrefix, head
	case len(g.mid) == 0 && g.head.empty() && tailPlain:
		m.kind, m.lit = kSuffix, tail
	case len(g.mid) == 0 && headPlain && tailPlain:
		m.kind, m.lit, m.lit2 = kPreSuf, head, tail
	case len(g.mid) == 1 && g.head.empty() && g.tail.empty():
		if mid, ok := g.mid[0].plain(); ok {
			m.kind, m.lit = kContains, mid
			break
		}
		fallthrough
	default:
		m.kind, m.glob = kGlob, g
	}
	return m
}

// letterlessASCII reports whether s is ASCII without letters.
func letterlessASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20 // maps 'A'..'Z' onto 'a'..'z'
		if s[i] >= 0x80 || 'a' <= c && c <= 'z' {
			return false
		}
	}
	return true
}

// Cased reports whether m matches case-sensitively. It tells a caller that
// folds a value once for many matchers which form to pass: the value itself
// for a cased matcher, its Fold otherwise (see MatchFolded and MatchPair).
func (m *Matcher) Cased() bool { return m.cased }

// String describes m for debugging, for example `contains "a*b"` or
// `exact "C:\Windows\" cased`.
func (m *Matcher) String() string {
	s := m.mode.String() + " " + strconv.Quote(m.pat.String())
	if m.cased {
		s += " cased"
	}
	return s
}

// Match reports whether the value s, as it appears in the event, matches.
// For a case-insensitive matcher it folds s on the fly: the anchored fast
// paths compare rune by rune, the others fold into a reused buffer.
func (m *Matcher) Match(s string) bool {
	if m.cased || m.noFold {
		return m.match(s)
	}
	switch m.kind {
	case kAlways:
		return true
	case kExact:
		n, ok := foldPrefix(s, m.lit)
		return ok && n == len(s)
	case kPrefix:
		_, ok := foldPrefix(s, m.lit)
		return ok
	case kSuffix:
		_, ok := foldSuffix(s, m.lit)
		return ok
	case kPreSuf:
		n, ok := foldPrefix(s, m.lit)
		if !ok {
			return false
		}
		_, ok = foldSuffix(s[n:], m.lit2)
		return ok
	}
	return m.matchFolding(s)
}

// MatchFolded reports whether a value matches, given folded == Fold(value),
// so that a caller can fold a field once and test many case-insensitive
// matchers against it.
//
// For a case-sensitive matcher (Cased reports true) there is nothing to fold:
// MatchFolded then treats its argument as the value itself and behaves as
// Match, so it must be given the original, unfolded value. MatchPair, which
// takes both forms, avoids that trap.
func (m *Matcher) MatchFolded(folded string) bool { return m.match(folded) }

// MatchPair reports whether the value raw matches, given folded ==
// Fold(raw). It uses whichever form the matcher needs and never folds, so it
// is the safe way to test many matchers against one value folded once.
func (m *Matcher) MatchPair(raw, folded string) bool {
	if m.cased {
		return m.match(raw)
	}
	return m.match(folded)
}

// match matches t, which is already folded when the matcher is not cased.
func (m *Matcher) match(t string) bool {
	switch m.kind {
	case kAlways:
		return true
	case kExact:
		return t == m.lit
	case kPrefix:
		return strings.HasPrefix(t, m.lit)
	case kSuffix:
		return strings.HasSuffix(t, m.lit)
	case kPreSuf:
		return len(t) >= len(m.lit)+len(m.lit2) &&
			strings.HasPrefix(t, m.lit) && strings.HasSuffix(t, m.lit2)
	case kContains:
		return strings.Contains(t, m.lit)
	default:
		return m.glob.match(t)
	}
}

// stackFold is the longest value matchFolding folds into a stack buffer;
// longer ones use a pooled buffer. Folding can grow a value by half at most.
const stackFold = 256

// maxPooled bounds the buffers kept in foldPool, so that one huge value does
// not pin its memory.
const maxPooled = 64 << 10

var foldPool = sync.Pool{New: func() any { return new([]byte) }}

// matchFolding folds s into a buffer and matches the result.
func (m *Matcher) matchFolding(s string) bool {
	i := foldIndex(s)
	if i == len(s) {
		return m.match(s)
	}
	if len(s) <= stackFold {
		var buf [stackFold + stackFold/2]byte
		b := appendFoldFrom(buf[:0], s, i)
		return m.match(bytesString(b))
	}
	bp := foldPool.Get().(*[]byte)
	b := appendFoldFrom((*bp)[:0], s, i)
	ok := m.match(bytesString(b))
	if cap(b) <= maxPooled {
		*bp = b[:0]
		foldPool.Put(bp)
	}
	return ok
}

// bytesString views b as a string without copying. The caller must not
// modify b while the string is in use, nor keep the string.
func bytesString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// Runs returns the literal runs of the pattern (the text between
// wildcards), folded: a value m matches contains every run once folded
// (also for a cased matcher, whose matches contain the runs as written and
// so their folds). An index of required substrings uses them to rule out
// values without testing them.
func (m *Matcher) Runs() []string {
	runs := m.pat.Literals()
	for i, l := range runs {
		runs[i] = Fold(l)
	}
	return runs
}

// Plain reports, for a case-insensitive matcher of one literal with no
// wildcards in it, where the literal must be (Exact, StartsWith, EndsWith or
// Contains) and the literal, folded: the value matches exactly when its fold
// equals, starts with, ends with or contains it. A caller holding many such
// matchers can test them together with hash lookups.
func (m *Matcher) Plain() (Mode, string, bool) {
	if m.cased {
		return 0, "", false
	}
	switch m.kind {
	case kExact:
		return Exact, m.lit, true
	case kPrefix:
		return StartsWith, m.lit, true
	case kSuffix:
		return EndsWith, m.lit, true
	case kContains:
		return Contains, m.lit, true
	}
	return 0, "", false
}
