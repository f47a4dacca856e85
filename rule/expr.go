package rule

import (
	"strconv"
	"strings"
)

// Expr is a node of a condition tree: *And, *Or, *Not, *Ref, *Of, *Match or
// *CEL. Selections are trees of *Match joined by *And and *Or; rule
// conditions combine selections through *Ref and *Of.
type Expr interface {
	// Position is where the expression was written.
	Position() Pos
	// String renders the expression in a compact, deterministic form used
	// by golden tests and explanations.
	String() string
	isExpr()
}

// And holds when every argument holds.
type And struct {
	Args []Expr
	Pos  Pos
}

// Or holds when any argument holds.
type Or struct {
	Args []Expr
	Pos  Pos
}

// Not negates its operand.
type Not struct {
	X   Expr
	Pos Pos
}

// Ref refers to a selection by name.
type Ref struct {
	Name string
	Pos  Pos
}

// Of is Sigma's "1 of pattern" / "all of pattern" (and "... of them"). Names
// holds the selections the pattern resolved to, in the rule's order.
type Of struct {
	All     bool
	Pattern string // "them" or a name pattern with * wildcards
	Names   []string
	Pos     Pos
}

// CEL is a raw CEL expression written by a rule author (tanchi's language
// only); it is checked when the engine compiles the rule.
type CEL struct {
	Src string
	Pos Pos
}

func (e *And) Position() Pos   { return e.Pos }
func (e *Or) Position() Pos    { return e.Pos }
func (e *Not) Position() Pos   { return e.Pos }
func (e *Ref) Position() Pos   { return e.Pos }
func (e *Of) Position() Pos    { return e.Pos }
func (e *CEL) Position() Pos   { return e.Pos }
func (e *Match) Position() Pos { return e.Pos }

func (*And) isExpr()   {}
func (*Or) isExpr()    {}
func (*Not) isExpr()   {}
func (*Ref) isExpr()   {}
func (*Of) isExpr()    {}
func (*CEL) isExpr()   {}
func (*Match) isExpr() {}

func (e *And) String() string { return joinExprs(e.Args, " and ") }
func (e *Or) String() string  { return joinExprs(e.Args, " or ") }
func (e *Not) String() string { return "not " + paren(e.X) }
func (e *Ref) String() string { return e.Name }
func (e *CEL) String() string { return "cel(" + strconv.Quote(e.Src) + ")" }
func (e *Of) String() string {
	if e.All {
		return "all of " + e.Pattern
	}
	return "1 of " + e.Pattern
}

func joinExprs(args []Expr, sep string) string {
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = paren(a)
	}
	return strings.Join(parts, sep)
}

func paren(e Expr) string {
	switch e.(type) {
	case *And, *Or:
		return "(" + e.String() + ")"
	}
	return e.String()
}

// Op is the comparison a Match performs.
type Op uint8

// Match operators. OpEq compares whole values (with Sigma wildcards);
// contains/startswith/endswith add the implied wildcards.
const (
	OpEq Op = iota
	OpContains
	OpStartsWith
	OpEndsWith
	OpRegex
	OpCIDR
	OpLT
	OpLTE
	OpGT
	OpGTE
	OpExists
)

var opNames = [...]string{"eq", "contains", "startswith", "endswith", "re", "cidr", "lt", "lte", "gt", "gte", "exists"}

func (o Op) String() string {
	if int(o) < len(opNames) {
		return opNames[o]
	}
	return "op(" + strconv.Itoa(int(o)) + ")"
}

// ValueKind is the type a value was written as.
type ValueKind uint8

// Value kinds.
const (
	String ValueKind = iota
	Number
	Bool
	Null
)

// Value is one value of a Match as written. S holds the text: the string
// itself (still with Sigma wildcards and escapes), a number's literal
// ("4688", "0x17"), "true"/"false", or "" for null.
type Value struct {
	Kind ValueKind
	S    string
	Pos  Pos
}

func (v Value) String() string {
	switch v.Kind {
	case Null:
		return "null"
	case Number, Bool:
		return v.S
	}
	return strconv.Quote(v.S)
}

// Match compares one field (or, with an empty Field, any value of the event:
// keyword search) with a list of values. Values are joined by OR, or by AND
// when All is set. Transforms rewrite the values, in order, before the
// comparison: windash, base64, base64offset, utf16le, utf16be, utf16, wide,
// expand.
type Match struct {
	Field      string
	Op         Op
	Values     []Value
	All        bool   // every value must match
	Cased      bool   // case-sensitive comparison
	Neq        bool   // the field must differ from the values
	FieldRef   bool   // values name other fields of the same event
	RegexFlags string // for OpRegex: any of "i", "m", "s"
	TimePart   string // minute, hour, day, week, month, year: compare that part of a date
	Transforms []string
	Modifiers  []string // the modifiers as written, in order
	Pos        Pos
}

// String renders the match as field|modifiers: values.
func (m *Match) String() string {
	var b strings.Builder
	if m.Field == "" {
		b.WriteString("keywords")
	} else {
		b.WriteString(m.Field)
	}
	for _, mod := range m.Modifiers {
		b.WriteByte('|')
		b.WriteString(mod)
	}
	b.WriteString(": ")
	if len(m.Values) == 1 {
		b.WriteString(m.Values[0].String())
		return b.String()
	}
	b.WriteByte('[')
	for i, v := range m.Values {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(v.String())
	}
	b.WriteByte(']')
	return b.String()
}

// Walk calls fn for e and every expression below it, depth first, until fn
// returns false.
func Walk(e Expr, fn func(Expr) bool) {
	if e == nil || !fn(e) {
		return
	}
	switch e := e.(type) {
	case *And:
		for _, a := range e.Args {
			Walk(a, fn)
		}
	case *Or:
		for _, a := range e.Args {
			Walk(a, fn)
		}
	case *Not:
		Walk(e.X, fn)
	}
}
