package grammar

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2/lexer"
)

// Token types. The lexer is hand-written (rather than participle's
// regular-expression lexer) so that it can report an unclosed string at its
// opening quote, keep going after a bad character, hand comments to the
// formatter and decide where a line break ends a statement.
const (
	EOF                       = lexer.EOF
	EOL       lexer.TokenType = -(iota + 2) // a line break that ends a statement
	Ident                                   // name, keyword, tag: letters, digits, _ . -
	Pattern                                 // a name pattern with * wildcards: filter_*
	String                                  // "..." with escapes
	RawString                               // `...`, no escapes, may span lines
	TextBlock                               // """ ... """ multi-line text, indentation removed
	Number                                  // 4688, -1, 0x17, 1.5
	Date                                    // 2024-01-31
	Punct                                   // ( ) [ ] { } , = == != < <= > >= / :
)

// symbols is a function, not a variable: the parsers are built during
// package initialization, through an interface call the initialization
// order does not see.
func symbols() map[string]lexer.TokenType {
	return map[string]lexer.TokenType{
		"EOF": EOF, "EOL": EOL, "Ident": Ident, "Pattern": Pattern, "String": String,
		"RawString": RawString, "TextBlock": TextBlock, "Number": Number, "Date": Date, "Punct": Punct,
	}
}

// TypeName names a token type for messages.
func TypeName(t lexer.TokenType) string {
	for k, v := range symbols() {
		if v == t {
			return k
		}
	}
	return "token"
}

// Comment is a # comment, kept for the formatter.
type Comment struct {
	Pos  lexer.Position
	Text string // including the #, without the line break
	// OwnLine is set when only blanks precede the comment on its line.
	OwnLine bool
}

// LexError is a problem found by the lexer.
type LexError struct {
	Pos lexer.Position
	Msg string
}

func (e *LexError) Error() string { return fmt.Sprintf("%d:%d: %s", e.Pos.Line, e.Pos.Column, e.Msg) }

// Lexed is the result of lexing one source.
type Lexed struct {
	Tokens   []lexer.Token // ends with an EOF token
	Comments []Comment
	Errors   []*LexError
	// Blank records the lines that hold nothing but blanks.
	Blank map[int]bool
}

// Definition is the participle lexer definition. Parsing goes through Lex,
// which returns every token at once; the Definition exists so that the
// grammar can name token types.
type Definition struct{}

// Symbols implements lexer.Definition.
func (Definition) Symbols() map[string]lexer.TokenType { return symbols() }

// Lex implements lexer.Definition. Lexing errors become the error of the
// first bad token.
func (Definition) Lex(filename string, r io.Reader) (lexer.Lexer, error) {
	src, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	lx := Lex(filename, src)
	if len(lx.Errors) > 0 {
		e := lx.Errors[0]
		return nil, &lexer.Error{Msg: e.Msg, Pos: e.Pos}
	}
	return NewSliceLexer(lx.Tokens), nil
}

// SliceLexer replays tokens.
type SliceLexer struct {
	toks []lexer.Token
	i    int
}

// NewSliceLexer returns a lexer over toks, which must end with EOF.
func NewSliceLexer(toks []lexer.Token) *SliceLexer { return &SliceLexer{toks: toks} }

// Next implements lexer.Lexer.
func (l *SliceLexer) Next() (lexer.Token, error) {
	if l.i >= len(l.toks) {
		return l.toks[len(l.toks)-1], nil
	}
	t := l.toks[l.i]
	l.i++
	return t, nil
}

type scanner struct {
	file  string
	src   []byte
	off   int
	line  int
	col   int
	out   *Lexed
	depth int // open ( and [
	// nl is set when a line break was passed since the last token.
	nl    bool
	nlPos lexer.Position
}

// Lex splits src into tokens. It never stops at an error: a bad character
// is skipped and an unclosed string ends at the end of its line (or of the
// file), so that later problems are still reported.
func Lex(file string, src []byte) *Lexed {
	s := &scanner{file: file, src: src, line: 1, col: 1, out: &Lexed{Blank: map[int]bool{}}}
	s.run()
	return s.out
}

func (s *scanner) pos() lexer.Position {
	return lexer.Position{Filename: s.file, Offset: s.off, Line: s.line, Column: s.col}
}

func (s *scanner) errorf(p lexer.Position, format string, args ...any) {
	s.out.Errors = append(s.out.Errors, &LexError{Pos: p, Msg: fmt.Sprintf(format, args...)})
}

// advance moves over n bytes, keeping line and column.
func (s *scanner) advance(n int) {
	end := min(s.off+n, len(s.src))
	for s.off < end {
		r, w := utf8.DecodeRune(s.src[s.off:])
		s.off += w
		if r == '\n' {
			s.line++
			s.col = 1
		} else {
			s.col++
		}
	}
}

func (s *scanner) peekRune(at int) rune {
	if at >= len(s.src) {
		return -1
	}
	r, _ := utf8.DecodeRune(s.src[at:])
	return r
}

// endsStatement reports whether a line break after t ends a statement: not
// after an operator, a comma or an opening bracket, which all need more.
func endsStatement(t lexer.Token) bool {
	switch t.Type {
	case EOL:
		return false
	case Punct:
		switch t.Value {
		case ")", "]", "}":
			return true
		}
		return false
	case Ident:
		switch t.Value {
		case "and", "or", "not":
			return false
		}
	}
	return true
}

func (s *scanner) emit(typ lexer.TokenType, p lexer.Position, val string) {
	toks := s.out.Tokens
	if s.nl && s.depth == 0 && len(toks) > 0 && endsStatement(toks[len(toks)-1]) &&
		!(typ == Ident && (val == "and" || val == "or")) {
		s.out.Tokens = append(s.out.Tokens, lexer.Token{Type: EOL, Value: "\n", Pos: s.nlPos})
	}
	s.nl = false
	s.out.Tokens = append(s.out.Tokens, lexer.Token{Type: typ, Value: val, Pos: p})
}

var (
	numberRE = regexp.MustCompile(`^[-+]?(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?)$`)
	dateRE   = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)
)

func isIdentStart(r rune) bool { return r == '_' || unicode.IsLetter(r) }
func isIdentRune(r rune) bool {
	return r == '_' || r == '.' || r == '-' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

func (s *scanner) run() {
	lineHasToken := false
	for s.off < len(s.src) {
		c := s.src[s.off]
		p := s.pos()
		switch {
		case c == '\n':
			if !lineHasToken && s.lineBlank() {
				s.out.Blank[s.line] = true
			}
			if !s.nl {
				s.nl, s.nlPos = true, p
			}
			s.advance(1)
			lineHasToken = false
			continue
		case c == ' ' || c == '\t' || c == '\r':
			s.advance(1)
			continue
		case c == '#':
			end := s.off
			for end < len(s.src) && s.src[end] != '\n' {
				end++
			}
			text := strings.TrimRight(string(s.src[s.off:end]), "\r")
			s.out.Comments = append(s.out.Comments, Comment{Pos: p, Text: text, OwnLine: !lineHasToken})
			s.advance(end - s.off)
			continue
		}
		lineHasToken = true
		switch {
		case c == '"' && strings.HasPrefix(string(s.src[s.off:min(s.off+3, len(s.src))]), `"""`):
			s.textBlock(p)
		case c == '"':
			s.str(p)
		case c == '`':
			s.raw(p)
		case c >= '0' && c <= '9', (c == '-' || c == '+') && s.numberFollows(s.off+1):
			s.number(p)
		case c == '*' || isIdentStart(s.peekRune(s.off)):
			s.word(p)
		default:
			s.punct(p)
		}
	}
	s.emit(EOF, s.pos(), "")
	// The EOF token must not be preceded by an EOL the grammar does not
	// expect: drop it (statements end at EOF anyway).
	toks := s.out.Tokens
	if n := len(toks); n >= 2 && toks[n-2].Type == EOL {
		toks[n-2] = toks[n-1]
		s.out.Tokens = toks[:n-1]
	}
}

// lineBlank reports whether the current line up to the cursor holds only
// blanks (so a line break here ends a blank line).
func (s *scanner) lineBlank() bool {
	i := s.off - 1
	for i >= 0 && s.src[i] != '\n' {
		if s.src[i] != ' ' && s.src[i] != '\t' && s.src[i] != '\r' {
			return false
		}
		i--
	}
	return true
}

func (s *scanner) numberFollows(at int) bool {
	r := s.peekRune(at)
	if r == '.' {
		r = s.peekRune(at + 1)
	}
	return r >= '0' && r <= '9'
}

func (s *scanner) number(p lexer.Position) {
	end := s.off + 1
	for end < len(s.src) {
		c := s.src[end]
		if c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '.' || c == '_' ||
			(c == '-' || c == '+') && (s.src[end-1] == 'e' || s.src[end-1] == 'E' || dateSoFar(s.src[s.off:end])) {
			end++
			continue
		}
		break
	}
	text := string(s.src[s.off:end])
	s.advance(end - s.off)
	switch {
	case dateRE.MatchString(text):
		s.emit(Date, p, text)
	case numberRE.MatchString(text):
		s.emit(Number, p, text)
	default:
		s.errorf(p, "malformed number %q (names start with a letter or _; quote anything else)", text)
		s.emit(Number, p, "0")
	}
}

// dateSoFar reports whether b could be the start of a date (digits with
// dashes after the year and the month).
func dateSoFar(b []byte) bool {
	return len(b) == 4 && allDigits(b) || len(b) == 7 && allDigits(b[:4]) && b[4] == '-' && allDigits(b[5:])
}

func allDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return len(b) > 0
}

func (s *scanner) word(p lexer.Position) {
	end := s.off
	star := false
	for end < len(s.src) {
		r, w := utf8.DecodeRune(s.src[end:])
		if r == '*' {
			star = true
		} else if !isIdentRune(r) {
			break
		}
		end += w
	}
	text := string(s.src[s.off:end])
	s.advance(end - s.off)
	if star {
		s.emit(Pattern, p, text)
		return
	}
	s.emit(Ident, p, text)
}

func (s *scanner) punct(p lexer.Position) {
	two := string(s.src[s.off:min(s.off+2, len(s.src))])
	switch two {
	case "==", "!=", "<=", ">=":
		s.advance(2)
		s.emit(Punct, p, two)
		return
	}
	c := s.src[s.off]
	switch c {
	case '(', ')', '[', ']', '{', '}', ',', '=', '<', '>', '/', ':':
		s.advance(1)
		s.emit(Punct, p, string(c))
		switch c {
		case '(', '[':
			s.depth++
		case ')', ']':
			if s.depth > 0 {
				s.depth--
			}
		}
		return
	}
	r, w := utf8.DecodeRune(s.src[s.off:])
	switch {
	case r == '!':
		s.errorf(p, "unexpected '!': write != for \"not equal\" or not for negation")
	case r == '\'':
		// Read it as a raw string, so that parsing goes on.
		end := bytes.IndexAny(s.src[s.off+1:], "'\n")
		if end >= 0 && s.src[s.off+1+end] == '\'' && !strings.ContainsRune(string(s.src[s.off+1:s.off+1+end]), '`') {
			s.errorf(p, "strings are quoted with \" or ` (backtick), not '")
			body := string(s.src[s.off+1 : s.off+1+end])
			s.advance(end + 2)
			s.emit(RawString, p, "`"+body+"`")
			return
		}
		s.errorf(p, "strings are quoted with \" or ` (backtick), not '")
	case r == utf8.RuneError && w == 1:
		s.errorf(p, "invalid UTF-8 byte 0x%02x", s.src[s.off])
	default:
		s.errorf(p, "unexpected character %q", r)
	}
	s.advance(w)
}

// str scans a "..." string. The token keeps the quotes and escapes; Unquote
// decodes it.
func (s *scanner) str(p lexer.Position) {
	i := s.off + 1
	for i < len(s.src) {
		switch s.src[i] {
		case '\\':
			if i+1 < len(s.src) && s.src[i+1] != '\n' {
				i += 2
				continue
			}
		case '"':
			text := string(s.src[s.off : i+1])
			s.advance(i + 1 - s.off)
			if _, err := unquote(text); err != nil {
				s.errorf(s.offsetPos(p, text, err.at), "%s", err.msg)
			}
			s.emit(String, p, text)
			return
		case '\n':
		default:
			i++
			continue
		}
		break
	}
	text := string(s.src[s.off:i])
	if strings.Contains(text, `\"`) {
		s.errorf(p, "string is not closed: in \"...\" strings \\\" is an escaped quote, not the end; write \\\\ for a backslash, or use a `raw string` for Windows paths")
	} else {
		s.errorf(p, "string is not closed: a \"...\" string ends on the line it starts (use a `raw string` or a \"\"\" text block for several lines)")
	}
	s.advance(i - s.off)
	s.emit(String, p, text+`"`)
}

// offsetPos is the position of byte off inside text, which starts at p and
// holds no line break.
func (s *scanner) offsetPos(p lexer.Position, text string, off int) lexer.Position {
	p.Offset += off
	p.Column += utf8.RuneCountInString(text[:off])
	return p
}

func (s *scanner) raw(p lexer.Position) {
	end := bytes.IndexByte(s.src[s.off+1:], '`')
	if end < 0 {
		s.errorf(p, "raw string is not closed: no ` after this one")
		rest := s.src[s.off:]
		if nl := bytes.IndexByte(rest, '\n'); nl >= 0 {
			rest = rest[:nl]
		}
		text := string(rest)
		s.advance(len(text))
		s.emit(RawString, p, text+"`")
		return
	}
	text := string(s.src[s.off : s.off+end+2])
	s.advance(len(text))
	s.emit(RawString, p, text)
}

func (s *scanner) textBlock(p lexer.Position) {
	end := bytes.Index(s.src[s.off+3:], []byte(`"""`))
	if end < 0 {
		s.errorf(p, `text block is not closed: no """ after this one`)
		s.advance(len(s.src) - s.off)
		s.emit(TextBlock, p, `""""""`)
		return
	}
	text := `"""` + string(s.src[s.off+3:s.off+3+end+3])
	if _, err := TextBlockValue(text); err != nil {
		s.errorf(s.textBlockPos(p, text, err.at), "%s", err.msg)
	}
	s.advance(len(text))
	s.emit(TextBlock, p, text)
}

func (s *scanner) textBlockPos(p lexer.Position, text string, off int) lexer.Position {
	before := text[:off]
	p.Offset += off
	if nl := strings.LastIndexByte(before, '\n'); nl >= 0 {
		p.Line += strings.Count(before, "\n")
		p.Column = utf8.RuneCountInString(before[nl+1:]) + 1
	} else {
		p.Column += utf8.RuneCountInString(before)
	}
	return p
}

// quoteError is a problem inside a string literal, at byte offset at of the
// literal.
type quoteError struct {
	at  int
	msg string
}

// Unquote decodes a String, RawString or TextBlock token value.
func Unquote(tok string) (string, error) {
	switch {
	case strings.HasPrefix(tok, `"""`):
		s, err := TextBlockValue(tok)
		if err != nil {
			return "", fmt.Errorf("%s", err.msg)
		}
		return s, nil
	case strings.HasPrefix(tok, "`"):
		return strings.TrimSuffix(strings.TrimPrefix(tok, "`"), "`"), nil
	case strings.HasPrefix(tok, `"`):
		s, err := unquote(tok)
		if err != nil {
			return "", fmt.Errorf("%s", err.msg)
		}
		return s, nil
	}
	return tok, nil
}

// IsQuoted reports whether a token value is a string literal.
func IsQuoted(tok string) bool {
	return strings.HasPrefix(tok, `"`) || strings.HasPrefix(tok, "`")
}

func unquote(tok string) (string, *quoteError) {
	body := tok[1 : len(tok)-1]
	if !strings.ContainsRune(body, '\\') {
		return body, nil
	}
	var b strings.Builder
	for i := 0; i < len(body); {
		c := body[i]
		if c != '\\' {
			b.WriteByte(c)
			i++
			continue
		}
		if i+1 >= len(body) {
			return "", &quoteError{1 + i, "unfinished escape sequence at the end of the string"}
		}
		e := body[i+1]
		switch e {
		case '\\', '"':
			b.WriteByte(e)
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'x', 'u', 'U':
			n := map[byte]int{'x': 2, 'u': 4, 'U': 8}[e]
			hex := body[i+2 : min(i+2+n, len(body))]
			var v rune
			ok := len(hex) == n
			for _, h := range []byte(hex) {
				switch {
				case h >= '0' && h <= '9':
					v = v*16 + rune(h-'0')
				case h >= 'a' && h <= 'f':
					v = v*16 + rune(h-'a'+10)
				case h >= 'A' && h <= 'F':
					v = v*16 + rune(h-'A'+10)
				default:
					ok = false
				}
			}
			if !ok || (e != 'x' && !utf8.ValidRune(v)) {
				return "", &quoteError{1 + i, fmt.Sprintf(`bad escape \%c: it takes %d hex digits`, e, n)}
			}
			if e == 'x' {
				b.WriteByte(byte(v))
			} else {
				b.WriteRune(v)
			}
			i += 2 + n
			continue
		default:
			r, _ := utf8.DecodeRuneInString(body[i+1:])
			return "", &quoteError{1 + i, fmt.Sprintf("unknown escape \\%c: in \"...\" strings a backslash starts an escape; write \\\\ for a backslash, or use a `raw string` for Windows paths", r)}
		}
		i += 2
	}
	return b.String(), nil
}

// TextBlockValue decodes a """ text block: the text between the line after
// the opening quotes and the line of the closing quotes, with the closing
// line's indentation removed from every line. The line break before the
// closing quotes is not part of the text; an empty line there adds one.
func TextBlockValue(tok string) (string, *quoteError) {
	body := tok[3 : len(tok)-3]
	nl := strings.IndexByte(body, '\n')
	if nl < 0 || strings.TrimRight(body[:nl], " \t\r") != "" {
		return "", &quoteError{3, `text after """ on its line: a text block starts on the next line`}
	}
	content := body[nl+1:]
	last := strings.LastIndexByte(content, '\n')
	indent := content[last+1:]
	if strings.TrimLeft(indent, " \t") != "" {
		return "", &quoteError{len(tok) - 3, `the closing """ of a text block must be on a line of its own`}
	}
	if last < 0 {
		return "", nil
	}
	lines := strings.Split(content[:last], "\n")
	off := 3 + nl + 1
	for i, l := range lines {
		l = strings.TrimSuffix(l, "\r")
		switch {
		case strings.HasPrefix(l, indent):
			lines[i] = l[len(indent):]
		case strings.TrimLeft(l, " \t") == "":
			lines[i] = ""
		default:
			return "", &quoteError{off, "text block line is indented less than its closing \"\"\""}
		}
		off += len(l) + 1
	}
	return strings.Join(lines, "\n"), nil
}
