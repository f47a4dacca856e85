package rule

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// Pos is a position in a source file. Line and Col are 1-based; Col counts
// runes. The zero Pos means "unknown".
type Pos struct {
	File   string
	Line   int
	Col    int
	Offset int // byte offset, -1 when unknown
}

// IsValid reports whether the position points somewhere.
func (p Pos) IsValid() bool { return p.Line > 0 }

// String renders file:line:col, dropping what is unknown.
func (p Pos) String() string {
	s := p.File
	if p.Line > 0 {
		if s != "" {
			s += ":"
		}
		s += fmt.Sprint(p.Line)
		if p.Col > 0 {
			s += fmt.Sprintf(":%d", p.Col)
		}
	}
	if s == "" {
		s = "-"
	}
	return s
}

// Code classifies an Error. Codes are stable: tests and tools compare codes,
// never message text.
type Code string

// Error codes. Codes starting with "unsupported" mark valid rules the engine
// cannot evaluate (yet); all others mark input that is wrong.
const (
	ErrSyntax      Code = "syntax"                  // malformed YAML or rule text
	ErrSchema      Code = "schema"                  // a required attribute is missing or has the wrong shape
	ErrModifier    Code = "modifier"                // unknown modifier or an invalid modifier chain
	ErrValue       Code = "value"                   // a value the operator cannot use (bad number, CIDR, regex...)
	ErrCondition   Code = "condition"               // condition syntax error
	ErrUndefined   Code = "undefined"               // condition names a selection that does not exist
	ErrDuplicateID Code = "duplicate-id"            // two rules share an id
	ErrLimit       Code = "limit"                   // input exceeds a safety bound (nesting, list size, expansion)
	ErrPlaceholder Code = "unsupported-placeholder" // |expand placeholder with no value given
	ErrMapping     Code = "mapping"                 // bad field mapping
	ErrUnsupported Code = "unsupported"             // valid but not evaluated by this engine
	ErrIO          Code = "io"                      // a file could not be read
)

// Unsupported reports whether the code marks a valid rule that the engine
// does not evaluate, as opposed to a mistake in the rule.
func (c Code) Unsupported() bool { return strings.HasPrefix(string(c), "unsupported") }

// Error is a problem at a position in a rule source. RuleID names the rule it
// belongs to when known. Source holds the text of the offending line so the
// error can be rendered with a caret without rereading the file.
type Error struct {
	Code   Code
	Pos    Pos
	Msg    string
	RuleID string
	Source string
}

// Error renders "file:line:col: message".
func (e *Error) Error() string { return e.Pos.String() + ": " + e.Msg }

// Detail renders the error followed by the source line and a caret under the
// column, the way compilers show errors.
func (e *Error) Detail() string {
	var b strings.Builder
	b.WriteString(e.Error())
	if e.Source != "" && e.Pos.Col > 0 {
		line := strings.TrimRight(e.Source, "\r\n")
		b.WriteString("\n | ")
		b.WriteString(expandTabs(line))
		b.WriteString("\n | ")
		pad := e.Pos.Col - 1
		if n := utf8.RuneCountInString(line); pad > n {
			pad = n
		}
		// Keep tabs so the caret lines up with the rendered line.
		prefix := []rune(line)[:pad]
		b.WriteString(strings.Repeat(" ", len([]rune(expandTabs(string(prefix))))))
		b.WriteString("^")
	}
	return b.String()
}

func expandTabs(s string) string { return strings.ReplaceAll(s, "\t", "    ") }

// Errorf builds an Error at pos.
func Errorf(code Code, pos Pos, format string, args ...any) *Error {
	return &Error{Code: code, Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

// ErrorList collects the errors of a load or compile. It is an error itself
// when non-empty; use errors.As to get at it.
type ErrorList []*Error

// Error renders every error on its own line.
func (l ErrorList) Error() string {
	switch len(l) {
	case 0:
		return "no errors"
	case 1:
		return l[0].Error()
	}
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// Err returns the list as an error, or nil when it is empty.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}

// Sort orders errors by file, line and column.
func (l ErrorList) Sort() {
	slices.SortStableFunc(l, func(a, b *Error) int {
		return cmp.Or(
			cmp.Compare(a.Pos.File, b.Pos.File),
			cmp.Compare(a.Pos.Line, b.Pos.Line),
			cmp.Compare(a.Pos.Col, b.Pos.Col),
		)
	})
}

// Unwrap lets errors.As and errors.Is look at each error.
func (l ErrorList) Unwrap() []error {
	out := make([]error, len(l))
	for i, e := range l {
		out[i] = e
	}
	return out
}
