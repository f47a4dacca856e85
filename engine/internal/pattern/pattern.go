package pattern

import "strings"

// Pattern is a Sigma string value: a sequence of literal runs and the
// wildcards `*` (any run of characters, possibly empty) and `?` (exactly one
// rune).
//
// The zero Pattern is the empty value. Patterns are comparable: p == q exactly
// when both hold the same sequence of literal runs and wildcards, whatever
// spelling they were parsed from, so a Pattern can be a map key (for example
// to share one compiled [Matcher] between rules). Consecutive stars are kept
// as written (`a**b` is not == `a*b`, though both match the same strings).
type Pattern struct {
	// src is the canonical Sigma spelling, as returned by String. Keeping the
	// pattern as one string makes it comparable and cheap to copy; the token
	// form is only needed when compiling, which happens once.
	src string
}

// tokKind is the kind of one element of a pattern.
type tokKind uint8

const (
	tokLit  tokKind = iota // a literal run
	tokStar                // `*`
	tokOne                 // `?`
)

// token is one element of a pattern: a literal run or a wildcard.
type token struct {
	kind tokKind
	lit  string // the literal text, for tokLit
}

// Parse reads a Sigma string value. `*` and `?` are wildcards; `\*`, `\?` and
// `\\` are a literal star, question mark and backslash; a backslash before
// any other character or at the end of s is itself literal. So `\\*` is a
// backslash followed by a wildcard, `\\\*` a backslash and a star, and three
// or four backslashes in a row are two literal backslashes. Every string is
// valid, so Parse has no error.
func Parse(s string) Pattern {
	if strings.IndexByte(s, '\\') < 0 {
		// Without backslashes the canonical spelling is s itself: every `*`
		// and `?` is a wildcard and nothing needs escaping.
		return Pattern{src: s}
	}
	return fromTokens(parseTokens(s))
}

// Literal returns the pattern that matches s literally: `*`, `?` and `\` in s
// are ordinary characters.
func Literal(s string) Pattern {
	if s == "" {
		return Pattern{}
	}
	return fromTokens([]token{{kind: tokLit, lit: s}})
}

// String returns p in Sigma syntax, escaping only what needs it: a literal `*`
// or `?` as `\*` or `\?`, and a literal backslash as `\\` when it is followed by
// another backslash, a `*` or a `?`. A lone backslash before any other
// character or at the end stays single, so Windows paths read as written.
// Parse(p.String()) == p for every p.
func (p Pattern) String() string { return p.src }

// HasWildcards reports whether p contains a `*` or `?` wildcard.
func (p Pattern) HasWildcards() bool {
	for i := 0; i < len(p.src); {
		kind, _, n := next(p.src, i)
		if kind != tokLit {
			return true
		}
		i += n
	}
	return false
}

// IsPlain returns the literal text of p and true when p has no wildcards, and
// "" and false otherwise. The empty pattern is plain.
func (p Pattern) IsPlain() (string, bool) {
	if p.HasWildcards() {
		return "", false
	}
	if strings.IndexByte(p.src, '\\') < 0 {
		return p.src, true
	}
	toks := p.tokens()
	if len(toks) == 0 {
		return "", true
	}
	return toks[0].lit, true
}

// Literals returns the literal runs of p in order, unescaped and not folded:
// the text between wildcards, without empty runs. It returns nil when p has
// no literal text. A value that matches p contains every run (folded, when
// matching case-insensitively), which is what an index of required
// substrings needs.
func (p Pattern) Literals() []string {
	var out []string
	for _, t := range p.tokens() {
		if t.kind == tokLit {
			out = append(out, t.lit)
		}
	}
	return out
}

// tokens returns the elements of p. Adjacent literal text forms one token.
func (p Pattern) tokens() []token { return parseTokens(p.src) }

// next decodes the element of the Sigma string s at byte offset i: its kind,
// the literal byte for tokLit, and how many bytes of s it used. Working on
// bytes is enough: the special characters are ASCII, and no byte of a
// multi-byte UTF-8 sequence is ASCII.
func next(s string, i int) (kind tokKind, c byte, n int) {
	switch c := s[i]; c {
	case '*':
		return tokStar, 0, 1
	case '?':
		return tokOne, 0, 1
	case '\\':
		if i+1 < len(s) {
			switch e := s[i+1]; e {
			case '*', '?', '\\':
				return tokLit, e, 2
			}
		}
		return tokLit, '\\', 1
	default:
		return tokLit, c, 1
	}
}

// parseTokens splits a Sigma string into tokens, joining literal text.
func parseTokens(s string) []token {
	var (
		toks []token
		lit  []byte
	)
	flush := func() {
		if len(lit) > 0 {
			toks = append(toks, token{kind: tokLit, lit: string(lit)})
			lit = lit[:0]
		}
	}
	for i := 0; i < len(s); {
		kind, c, n := next(s, i)
		if kind == tokLit {
			lit = append(lit, c)
		} else {
			flush()
			toks = append(toks, token{kind: kind})
		}
		i += n
	}
	flush()
	return toks
}

// fromTokens builds the pattern for toks, spelling it canonically. Empty
// literal tokens are dropped and adjacent literals joined, so that equal
// token sequences always give equal spellings.
func fromTokens(toks []token) Pattern {
	var b strings.Builder
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch t.kind {
		case tokStar:
			b.WriteByte('*')
		case tokOne:
			b.WriteByte('?')
		case tokLit:
			lit := t.lit
			for i+1 < len(toks) && toks[i+1].kind == tokLit {
				i++
				lit += toks[i].lit
			}
			// A trailing backslash must be doubled when a wildcard follows.
			wildNext := i+1 < len(toks)
			writeEscaped(&b, lit, wildNext)
		}
	}
	return Pattern{src: b.String()}
}

// writeEscaped writes the literal run lit in canonical Sigma spelling.
// wildNext says whether a wildcard follows lit.
func writeEscaped(b *strings.Builder, lit string, wildNext bool) {
	for i := 0; i < len(lit); {
		switch c := lit[i]; c {
		case '*', '?':
			b.WriteByte('\\')
			b.WriteByte(c)
			i++
		case '\\':
			j := i
			for j < len(lit) && lit[j] == '\\' {
				j++
			}
			// A single backslash may stay single when what follows it is an
			// ordinary character, or the end of the whole pattern. A run of
			// two or more is doubled throughout, since its first backslash is
			// followed by a backslash.
			single := j-i == 1
			if j < len(lit) {
				single = single && lit[j] != '*' && lit[j] != '?'
			} else {
				single = single && !wildNext
			}
			if single {
				b.WriteByte('\\')
			} else {
				for range j - i {
					b.WriteString(`\\`)
				}
			}
			i = j
		default:
			b.WriteByte(c)
			i++
		}
	}
}
