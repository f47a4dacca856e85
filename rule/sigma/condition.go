package sigma

import (
	"path"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tanchi-dev/tanchi/rule"
)

// maxConditionDepth bounds the nesting of a condition so that a hostile rule
// cannot exhaust the stack.
const maxConditionDepth = 256

type tokKind uint8

const (
	tokEOF tokKind = iota
	tokIdent
	tokNumber
	tokLParen
	tokRParen
	tokPipe
	tokBad
)

type token struct {
	kind tokKind
	text string
	off  int // byte offset in the condition
}

// conditionParser parses Sigma's condition language:
//
//	expr   = and { "or" and }
//	and    = not { "and" not }
//	not    = "not" not | atom
//	atom   = "(" expr ")" | quant | ident
//	quant  = ("1" | "all" | "any") "of" (ident-pattern | "them")
//
// Keywords are case-insensitive. Identifiers resolve against the detection's
// selections as they are parsed, so errors point at the name.
type conditionParser struct {
	src    string
	toks   []token
	i      int
	depth  int
	names  []string // selection names, in rule order
	pos    func(off int) rule.Pos
	err    *rule.Error
	refsOK map[string]bool
}

func lexCondition(s string) []token {
	var toks []token
	i := 0
	for i < len(s) {
		r, w := utf8.DecodeRuneInString(s[i:])
		switch {
		case unicode.IsSpace(r):
			i += w
		case r == '(':
			toks = append(toks, token{tokLParen, "(", i})
			i++
		case r == ')':
			toks = append(toks, token{tokRParen, ")", i})
			i++
		case r == '|':
			toks = append(toks, token{tokPipe, "|", i})
			i++
		case isIdentRune(r):
			j := i
			for j < len(s) {
				r2, w2 := utf8.DecodeRuneInString(s[j:])
				if !isIdentRune(r2) {
					break
				}
				j += w2
			}
			kind := tokIdent
			if _, err := strconv.Atoi(s[i:j]); err == nil {
				kind = tokNumber
			}
			toks = append(toks, token{kind, s[i:j], i})
			i = j
		default:
			toks = append(toks, token{tokBad, string(r), i})
			i += w
		}
	}
	return append(toks, token{tokEOF, "", len(s)})
}

func isIdentRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '*' || r == '-' || r == '.' || r == '?'
}

func (p *conditionParser) peek() token { return p.toks[p.i] }
func (p *conditionParser) next() token {
	t := p.toks[p.i]
	if t.kind != tokEOF {
		p.i++
	}
	return t
}

func (p *conditionParser) fail(code rule.Code, off int, format string, args ...any) {
	if p.err == nil {
		p.err = rule.Errorf(code, p.pos(off), format, args...)
	}
}

// where describes the place of offset off for a message: its column in the
// file, or its place in the condition when the condition spans lines and
// columns are not known.
func (p *conditionParser) where(off int) string {
	at := p.pos(off)
	if off > 0 && at == p.pos(0) {
		return "character " + strconv.Itoa(utf8.RuneCountInString(p.src[:off])+1) + " of the condition"
	}
	return "column " + strconv.Itoa(at.Col)
}

func isKeyword(t token, kw string) bool { return t.kind == tokIdent && strings.EqualFold(t.text, kw) }

func (p *conditionParser) parse() rule.Expr {
	if p.peek().kind == tokEOF {
		p.fail(rule.ErrCondition, 0, "empty condition")
		return nil
	}
	e := p.parseOr()
	if p.err != nil {
		return nil
	}
	switch t := p.peek(); t.kind {
	case tokEOF:
		return e
	case tokPipe:
		p.fail(rule.ErrUnsupported, t.off, "aggregation expressions after | are deprecated in Sigma and not evaluated; use a correlation rule")
	case tokRParen:
		p.fail(rule.ErrCondition, t.off, "unbalanced ')'")
	default:
		p.fail(rule.ErrCondition, t.off, "unexpected %q: expected and, or or the end of the condition", t.text)
	}
	return nil
}

func (p *conditionParser) enter(off int) bool {
	p.depth++
	if p.depth > maxConditionDepth {
		p.fail(rule.ErrLimit, off, "condition nested deeper than %d levels", maxConditionDepth)
		return false
	}
	return true
}

func (p *conditionParser) parseOr() rule.Expr {
	start := p.peek().off
	if !p.enter(start) {
		return nil
	}
	defer func() { p.depth-- }()
	args := []rule.Expr{p.parseAnd()}
	for p.err == nil && isKeyword(p.peek(), "or") {
		p.next()
		args = append(args, p.parseAnd())
	}
	if len(args) == 1 {
		return args[0]
	}
	return &rule.Or{Args: args, Pos: p.pos(start)}
}

func (p *conditionParser) parseAnd() rule.Expr {
	start := p.peek().off
	args := []rule.Expr{p.parseNot()}
	for p.err == nil && isKeyword(p.peek(), "and") {
		p.next()
		args = append(args, p.parseNot())
	}
	if len(args) == 1 {
		return args[0]
	}
	return &rule.And{Args: args, Pos: p.pos(start)}
}

func (p *conditionParser) parseNot() rule.Expr {
	t := p.peek()
	if isKeyword(t, "not") {
		p.next()
		if !p.enter(t.off) {
			return nil
		}
		x := p.parseNot()
		p.depth--
		return &rule.Not{X: x, Pos: p.pos(t.off)}
	}
	return p.parseAtom()
}

func (p *conditionParser) parseAtom() rule.Expr {
	t := p.next()
	switch t.kind {
	case tokLParen:
		e := p.parseOr()
		if p.err != nil {
			return nil
		}
		if c := p.next(); c.kind != tokRParen {
			p.fail(rule.ErrCondition, c.off, "missing ')' to close the '(' at %s", p.where(t.off))
			return nil
		}
		return e
	case tokNumber, tokIdent:
		if n := p.peek(); isKeyword(n, "of") {
			return p.parseOf(t)
		}
		for _, kw := range []string{"and", "or", "not", "of", "them"} {
			if isKeyword(t, kw) {
				p.fail(rule.ErrCondition, t.off, "unexpected %q: expected a selection name", t.text)
				return nil
			}
		}
		if isKeyword(t, "near") {
			p.fail(rule.ErrUnsupported, t.off, "the near operator is deprecated in Sigma and not evaluated")
			return nil
		}
		if strings.ContainsAny(t.text, "*?") {
			p.fail(rule.ErrCondition, t.off, "wildcard %q is only allowed after \"1 of\" or \"all of\"", t.text)
			return nil
		}
		if !p.refsOK[t.text] {
			p.fail(rule.ErrUndefined, t.off, "condition refers to %q, which is not defined in detection%s", t.text, p.suggest(t.text))
			return nil
		}
		return &rule.Ref{Name: t.text, Pos: p.pos(t.off)}
	case tokEOF:
		p.fail(rule.ErrCondition, t.off, "condition ends early: expected a selection name or '('")
	case tokRParen:
		p.fail(rule.ErrCondition, t.off, "unexpected ')': expected a selection name or '('")
	case tokPipe:
		p.fail(rule.ErrUnsupported, t.off, "aggregation expressions after | are deprecated in Sigma and not evaluated; use a correlation rule")
	default:
		p.fail(rule.ErrCondition, t.off, "unexpected character %q in condition", t.text)
	}
	return nil
}

func (p *conditionParser) parseOf(q token) rule.Expr {
	p.next() // of
	all := false
	switch {
	case isKeyword(q, "all"):
		all = true
	case q.text == "1", isKeyword(q, "any"):
	default:
		p.fail(rule.ErrCondition, q.off, "%q of: only \"1 of\" and \"all of\" are defined", q.text)
		return nil
	}
	t := p.next()
	if t.kind != tokIdent && t.kind != tokNumber {
		p.fail(rule.ErrCondition, t.off, "expected a selection pattern or \"them\" after \"of\"")
		return nil
	}
	var names []string
	if isKeyword(t, "them") {
		for _, n := range p.names {
			if !strings.HasPrefix(n, "_") {
				names = append(names, n)
			}
		}
	} else {
		for _, n := range p.names {
			if ok, _ := path.Match(escapeGlob(t.text), n); ok {
				names = append(names, n)
			}
		}
	}
	if len(names) == 0 {
		p.fail(rule.ErrUndefined, t.off, "%q matches no selection in detection", t.text)
		return nil
	}
	return &rule.Of{All: all, Pattern: t.text, Names: names, Pos: p.pos(q.off)}
}

// escapeGlob keeps Sigma's * wildcard and makes every other path.Match
// metacharacter literal.
func escapeGlob(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '?', '[', ']', '\\':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (p *conditionParser) suggest(name string) string { return rule.Suggest(name, p.names) }
