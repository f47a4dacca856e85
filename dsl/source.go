package dsl

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"

	"github.com/tanchi-dev/tanchi/dsl/internal/grammar"
	"github.com/tanchi-dev/tanchi/rule"
)

// MaxFileSize is the largest source parsed.
const MaxFileSize = 16 << 20

// source is one parsed file: its declarations, comments and the errors of
// lexing and parsing.
type source struct {
	file  string
	src   []byte
	lines []string
	lx    *grammar.Lexed
	decls []*decl
	errs  rule.ErrorList
}

// decl is a declaration that parsed, with the span of its tokens.
type decl struct {
	*grammar.Decl
	toks []lexer.Token // without the final EOF
	// broken marks a block put together from the statements that parsed
	// when others did not: it is checked, so that every problem is
	// reported, but never loaded. brokenSels names the selections whose
	// statements did not parse.
	broken     bool
	brokenSels []string
}

// end is the offset just after the declaration's last token.
func (d *decl) end() int {
	t := d.toks[len(d.toks)-1]
	return t.Pos.Offset + len(t.Value)
}

func (s *source) pos(p lexer.Position) rule.Pos {
	return rule.Pos{File: s.file, Line: p.Line, Col: p.Column, Offset: p.Offset}
}

func (s *source) errorf(code rule.Code, p lexer.Position, format string, args ...any) *rule.Error {
	e := rule.Errorf(code, s.pos(p), format, args...)
	s.errs = append(s.errs, e)
	return e
}

// parseSource lexes and parses src. Every declaration that parses is kept;
// every syntax error is reported, one per bad statement at most.
func parseSource(file string, src []byte) *source {
	s := &source{file: file, src: src, lines: strings.Split(string(src), "\n")}
	if len(src) > MaxFileSize {
		s.errorf(rule.ErrLimit, lexer.Position{Line: 1, Column: 1}, "file of %d bytes exceeds the %d byte limit", len(src), MaxFileSize)
		s.lx = &grammar.Lexed{Blank: map[int]bool{}}
		return s
	}
	s.lx = grammar.Lex(file, src)
	for _, e := range s.lx.Errors {
		s.errorf(rule.ErrSyntax, e.Pos, "%s", e.Msg)
	}
	for _, part := range grammar.Split(s.lx.Tokens) {
		if t := tooDeep(part); t != nil {
			s.errorf(rule.ErrLimit, t.Pos, "nested deeper than %d levels", maxNesting)
			continue
		}
		d, err := grammar.ParseDecl(part)
		if err == nil {
			s.decls = append(s.decls, &decl{Decl: d, toks: part[:len(part)-1]})
			continue
		}
		// A lexing error explains the parse errors it causes.
		if !s.lexErrorIn(part) {
			s.syntaxErrors(part, err)
		}
	}
	return s
}

// maxNesting bounds the nesting of brackets and of not, so that hostile
// input cannot make parsing slow or deep.
const maxNesting = 256

// tooDeep returns the token at which brackets or a run of not nest deeper
// than maxNesting, or nil.
func tooDeep(toks []lexer.Token) *lexer.Token {
	depth, nots := 0, 0
	for i := range toks {
		t := &toks[i]
		if t.Type == grammar.Ident && t.Value == "not" {
			nots++
		} else {
			nots = 0
		}
		if t.Type == grammar.Punct {
			switch t.Value {
			case "(", "[", "{":
				depth++
			case ")", "]", "}":
				depth--
			}
		}
		if depth > maxNesting || nots > maxNesting {
			return t
		}
	}
	return nil
}

func (s *source) lexErrorIn(part []lexer.Token) bool {
	if len(part) < 2 {
		return false
	}
	return s.lexErrorBetween(part[0].Pos.Offset, part[len(part)-1].Pos.Offset+1)
}

// lexErrorBetween reports whether a lexing error lies in [start, end).
// Lexing errors are in offset order.
func (s *source) lexErrorBetween(start, end int) bool {
	errs := s.lx.Errors
	i := sort.Search(len(errs), func(i int) bool { return errs[i].Pos.Offset >= start })
	return i < len(errs) && errs[i].Pos.Offset < end
}

// syntaxErrors reports why a declaration did not parse. For a rule or
// exclude block, each statement is parsed on its own so that every bad
// statement is reported, not only the first.
func (s *source) syntaxErrors(part []lexer.Token, err error) {
	first := s.syntaxError(part, err)
	if len(part) < 4 || (part[0].Value != "rule" && part[0].Value != "exclude") || part[2].Value != "{" {
		s.errs = append(s.errs, first)
		return
	}
	// Statements are the tokens between EOLs at the block's own depth.
	var found rule.ErrorList
	var good []*grammar.Stmt
	var badSels []string
	depth := 0
	start := 3
	flush := func(end int) {
		if end <= start {
			return
		}
		stmt := append(append([]lexer.Token(nil), part[start:end]...), lexer.Token{Type: grammar.EOF, Pos: part[end].Pos})
		st, err := grammar.ParseStmt(stmt)
		if err != nil {
			found = append(found, s.syntaxError(stmt, err))
			if len(stmt) > 2 && stmt[1].Value == "=" {
				name, _ := grammar.Unquote(stmt[0].Value)
				badSels = append(badSels, name)
			}
			return
		}
		good = append(good, st)
	}
	for i := 3; i < len(part)-1; i++ {
		t := part[i]
		switch {
		case t.Type == grammar.Punct && (t.Value == "(" || t.Value == "[" || t.Value == "{"):
			depth++
		case t.Type == grammar.Punct && (t.Value == ")" || t.Value == "]"):
			depth--
		case t.Type == grammar.Punct && t.Value == "}":
			if depth == 0 {
				flush(i)
				start = i + 1
				continue
			}
			depth--
		case t.Type == grammar.EOL && depth <= 0:
			flush(i)
			start = i + 1
		}
	}
	flush(len(part) - 1)
	// An unclosed block is reported at its opening brace; otherwise the
	// block's own error counts only when no statement explains it.
	if openBrace(part) {
		found = append(found, rule.Errorf(rule.ErrSyntax, s.pos(part[2].Pos), "%s block %s is not closed: no } matches this {", part[0].Value, part[1].Value))
	} else if len(found) == 0 {
		found = append(found, first)
	}
	s.errs = append(s.errs, found...)
	if grammar.IsQuoted(part[1].Value) {
		b := &grammar.Block{Pos: part[1].Pos, Title: part[1].Value, Stmts: good}
		d := &grammar.Decl{Pos: part[0].Pos}
		if part[0].Value == "rule" {
			d.Rule = b
		} else {
			d.Exclude = b
		}
		s.decls = append(s.decls, &decl{Decl: d, toks: part[:len(part)-1], broken: true, brokenSels: badSels})
	}
}

// syntaxError turns a participle error into a rule.Error with a message a
// rule author can act on.
func (s *source) syntaxError(toks []lexer.Token, err error) *rule.Error {
	var perr participle.Error
	if !errors.As(err, &perr) {
		return rule.Errorf(rule.ErrSyntax, s.pos(toks[0].Pos), "%v", err)
	}
	pos := perr.Position()
	var ute *participle.UnexpectedTokenError
	if !errors.As(err, &ute) {
		return rule.Errorf(rule.ErrSyntax, s.pos(pos), "%s", perr.Message())
	}
	tok := ute.Unexpected
	prev := previous(toks, tok.Pos.Offset)
	msg := "unexpected " + describe(tok)
	switch {
	case tok.Type == grammar.Ident && prev != nil && (prev.Type == grammar.Ident || grammar.IsQuoted(prev.Value)) && startsOperand(toks, prev):
		msg = fmt.Sprintf("unknown operator %q after field %s: use ==, !=, in, contains, startswith, endswith, matches, cidr, <, <=, >, >= or exists", tok.Value, prev.Value)
	case tok.Type == grammar.EOF && openBrace(toks):
		msg = "unexpected end of file: the block is not closed with }"
	case tok.Type == grammar.Punct && tok.Value == "=" && prev != nil && prev.Type == grammar.Ident:
		msg = fmt.Sprintf("unexpected = after %s: compare with ==, and define selections as name = expression on their own line", prev.Value)
	default:
		if want := expected(ute.Message()); want != "" {
			msg += ", expected " + want
		}
	}
	return rule.Errorf(rule.ErrSyntax, s.pos(tok.Pos), "%s", msg)
}

// previous returns the token before the one at offset off.
func previous(toks []lexer.Token, off int) *lexer.Token {
	i := sort.Search(len(toks), func(i int) bool { return toks[i].Pos.Offset >= off })
	if i == 0 {
		return nil
	}
	return &toks[i-1]
}

// startsOperand reports whether t is the first token of an operand of a
// condition (so the token after it should have been an operator).
func startsOperand(toks []lexer.Token, t *lexer.Token) bool {
	p := previous(toks, t.Pos.Offset)
	if p == nil {
		return false
	}
	switch p.Value {
	case "=", "and", "or", "not", "(", "condition", "when":
		return true
	}
	return false
}

func openBrace(toks []lexer.Token) bool {
	depth := 0
	for _, t := range toks {
		if t.Type == grammar.Punct {
			switch t.Value {
			case "{":
				depth++
			case "}":
				depth--
			}
		}
	}
	return depth > 0
}

// describe names a token for a message.
func describe(t lexer.Token) string {
	switch t.Type {
	case grammar.EOF:
		return "end of file"
	case grammar.EOL:
		return "end of line"
	case grammar.String, grammar.RawString:
		v := t.Value
		if len(v) > 40 {
			v = v[:37] + "..."
		}
		return "string " + v
	case grammar.TextBlock:
		return "text block"
	case grammar.Number:
		return "number " + t.Value
	case grammar.Date:
		return "date " + t.Value
	case grammar.Pattern:
		return "pattern " + t.Value
	}
	return fmt.Sprintf("%q", t.Value)
}

// expected extracts and rewords participle's "(expected ...)" hint.
func expected(msg string) string {
	i := strings.LastIndex(msg, "(expected ")
	if i < 0 || !strings.HasSuffix(msg, ")") {
		return ""
	}
	want := msg[i+len("(expected ") : len(msg)-1]
	if r, ok := expectNames[want]; ok {
		return r
	}
	if strings.HasPrefix(want, `"`) && strings.Count(want, `"`) == 2 {
		return want
	}
	for k, v := range expectNames {
		if strings.Contains(want, k) {
			return v
		}
	}
	return ""
}

var expectNames = map[string]string{
	"Values":                       "a value, a (list) or a transform such as windash(...)",
	"Item":                         "a value",
	"Expr":                         "an expression",
	"AndExpr":                      "an expression",
	"Unary":                        "an expression",
	"Primary":                      "an expression",
	"Stmt":                         "a statement",
	"Scalar":                       "a value",
	"Literal":                      "a value, [list] or {map}",
	"Block":                        "a title string and { ... }",
	"<string> | <rawstring>":       "a string",
	"<ident>":                      "a name",
	`"="`:                          `"="`,
	"Field":                        "a field name",
	"Pattern":                      "a selection name or pattern",
	"<pattern> | <ident>":          "a selection name or pattern",
	`"rule" | "exclude" | "macro"`: "rule, exclude, macro or list",
}
