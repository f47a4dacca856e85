package engine

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"
	"github.com/google/cel-go/common/types/traits"
	"github.com/google/cel-go/interpreter"

	"github.com/tanchi-dev/tanchi/rule"
)

// The CEL side of the engine. A rule's condition compiles to one CEL
// expression over the variable ev (the event) and the function
//
//	sigma.match(ev, field, modifiers, values) -> bool
//
// which performs one Sigma field comparison: field is the rule's field name
// ("" for keyword search), modifiers the Sigma modifier chain as written
// ("contains|all|windash"), values the list of values. For example the
// selection
//
//	Image|endswith: ['\powershell.exe', '\pwsh.exe']
//	CommandLine|contains: ' -enc '
//
// compiles to
//
//	sigma.match(ev, "Image", "endswith", ["\\powershell.exe", "\\pwsh.exe"]) &&
//	sigma.match(ev, "CommandLine", "contains", [" -enc "])
//
// A rule's comparisons run as the engine's atoms (see the package
// documentation); this CEL form is what the condition means, shown by
// Engine.CEL and explanations. Raw CEL written by a rule author runs in
// cel-go: when its program is planned, every sigma.match call whose field,
// modifiers and values are constants is replaced by a native matcher built
// once, shared with identical calls. Calls with computed arguments still
// work through the ordinary function binding, at the cost of building the
// matcher on every call.

const (
	eventVar  = "ev"
	matchFunc = "sigma.match"
)

// EventType is the CEL type of the ev variable.
var EventType = cel.OpaqueType("tanchi.Event")

// eventVal carries the event being matched through CEL.
type eventVal struct{ c *evalCtx }

func (e eventVal) ConvertToNative(reflect.Type) (any, error) {
	return nil, errors.New("tanchi.Event has no native conversion")
}
func (e eventVal) ConvertToType(t ref.Type) ref.Val {
	if t == types.TypeType {
		return EventType
	}
	return types.NewErr("tanchi.Event cannot be converted to %s", t.TypeName())
}
func (e eventVal) Equal(o ref.Val) ref.Val {
	x, ok := o.(eventVal)
	return types.Bool(ok && x.c == e.c)
}
func (e eventVal) Type() ref.Type { return EventType }
func (e eventVal) Value() any     { return e.c }

// Library is tanchi's CEL function library: the tanchi.Event type, the ev
// variable and sigma.match. It is what Compile uses, exported so that tools
// can type-check CEL written by rule authors against the same environment.
func Library() cel.EnvOption {
	return func(env *cel.Env) (*cel.Env, error) {
		return env.Extend(
			cel.Variable(eventVar, EventType),
			cel.Function(matchFunc,
				cel.Overload("sigma_match_event_string_string_list",
					[]*cel.Type{EventType, cel.StringType, cel.StringType, cel.ListType(cel.DynType)},
					cel.BoolType,
					cel.FunctionBinding(dynamicMatch),
				),
			),
			cel.ParserExpressionSizeLimit(64<<20),
			cel.ParserRecursionLimit(2*maxNesting+64),
		)
	}
}

// maxNesting bounds the depth of a compiled condition.
const maxNesting = 512

// dynamicMatch is the binding used when sigma.match has computed arguments.
func dynamicMatch(args ...ref.Val) ref.Val {
	ev, ok := args[0].(eventVal)
	if !ok {
		return types.NewErr("sigma.match: first argument must be ev")
	}
	a, err := atomFromCEL(args[1], args[2], args[3], ev.c.cfg.placeholders, !ev.c.cfg.noIndex)
	if err != nil {
		return types.NewErr("sigma.match: %v", err)
	}
	return types.Bool(a.eval(ev.c))
}

// atomFromCEL rebuilds a rule.Match from CEL values and compiles it.
func atomFromCEL(field, mods, vals ref.Val, placeholders map[string][]string, sets bool) (*atom, error) {
	f, ok1 := field.(types.String)
	ms, ok2 := mods.(types.String)
	list, ok3 := vals.(traits.Lister)
	if !ok1 || !ok2 || !ok3 {
		return nil, fmt.Errorf("sigma.match takes (ev, string, string, list)")
	}
	m := &rule.Match{Field: string(f)}
	var modList []string
	if ms != "" {
		modList = strings.Split(string(ms), "|")
	}
	if err := m.SetModifiers(modList); err != nil {
		return nil, err
	}
	n, _ := list.Size().(types.Int)
	for i := types.Int(0); i < n; i++ {
		v, err := valueFromCEL(list.Get(i))
		if err != nil {
			return nil, err
		}
		m.Values = append(m.Values, v)
	}
	return compileAtom(m, placeholders, sets)
}

func valueFromCEL(v ref.Val) (rule.Value, error) {
	switch x := v.(type) {
	case types.String:
		return rule.Value{Kind: rule.String, S: string(x)}, nil
	case types.Int:
		return rule.Value{Kind: rule.Number, S: strconv.FormatInt(int64(x), 10)}, nil
	case types.Uint:
		return rule.Value{Kind: rule.Number, S: strconv.FormatUint(uint64(x), 10)}, nil
	case types.Double:
		return rule.Value{Kind: rule.Number, S: strconv.FormatFloat(float64(x), 'f', -1, 64)}, nil
	case types.Bool:
		return rule.Value{Kind: rule.Bool, S: strconv.FormatBool(bool(x))}, nil
	case types.Null:
		return rule.Value{Kind: rule.Null}, nil
	}
	return rule.Value{}, fmt.Errorf("sigma.match values must be strings, numbers, booleans or null, got %s", v.Type().TypeName())
}

// celValue renders a rule value as a CEL literal.
func celValue(v rule.Value) string {
	switch v.Kind {
	case rule.Null:
		return "null"
	case rule.Bool:
		return v.S
	case rule.Number:
		if _, err := strconv.ParseInt(v.S, 10, 64); err == nil {
			return v.S
		}
		if f, ok := rule.ParseNumber(v.S); ok {
			s := strconv.FormatFloat(f, 'f', -1, 64)
			if !strings.ContainsAny(s, ".eE") {
				s += ".0"
			}
			return s
		}
		return celString(v.S)
	}
	return celString(v.S)
}

// celString quotes s as a CEL string literal.
func celString(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if r < 0x20 || r == 0x7f {
				fmt.Fprintf(&b, `\u%04x`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

// celMatch renders one comparison as a sigma.match call.
func celMatch(m *rule.Match) string {
	var b strings.Builder
	b.WriteString(matchFunc)
	b.WriteString("(ev, ")
	b.WriteString(celString(m.Field))
	b.WriteString(", ")
	b.WriteString(celString(strings.Join(m.Modifiers, "|")))
	b.WriteString(", [")
	for i, v := range m.Values {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(celValue(v))
	}
	b.WriteString("])")
	return b.String()
}

// celExpr renders a condition tree; selections are inlined.
func celExpr(e rule.Expr, r *rule.Rule) (string, error) {
	switch e := e.(type) {
	case *rule.Match:
		return celMatch(e), nil
	case *rule.And:
		return celJoin(e.Args, " && ", r)
	case *rule.Or:
		return celJoin(e.Args, " || ", r)
	case *rule.Not:
		x, err := celExpr(e.X, r)
		if err != nil {
			return "", err
		}
		return "!(" + x + ")", nil
	case *rule.Ref:
		s := r.Selection(e.Name)
		if s == nil || s.Expr == nil {
			return "", rule.Errorf(rule.ErrUndefined, e.Pos, "selection %q is not defined", e.Name)
		}
		return celExpr(s.Expr, r)
	case *rule.Of:
		sep := " || "
		if e.All {
			sep = " && "
		}
		return celJoin(ofRefs(e), sep, r)
	case *rule.CEL:
		return "(" + e.Src + ")", nil
	case nil:
		return "", errors.New("empty condition")
	}
	return "", fmt.Errorf("unknown condition node %T", e)
}

func celJoin(args []rule.Expr, sep string, r *rule.Rule) (string, error) {
	parts := make([]string, len(args))
	for i, a := range args {
		s, err := celExpr(a, r)
		if err != nil {
			return "", err
		}
		parts[i] = "(" + s + ")"
	}
	if len(parts) == 1 {
		return parts[0], nil
	}
	return strings.Join(parts, sep), nil
}

// atomCache shares compiled matchers between all programs of an engine.
type atomCache struct {
	mu           sync.Mutex
	atoms        map[string]*atom
	placeholders map[string][]string
	sets         bool // see compileAtom
}

func atomKey(field, mods, vals ref.Val) string {
	var b strings.Builder
	b.WriteString(strconv.Quote(string(field.(types.String))))
	b.WriteByte('|')
	b.WriteString(string(mods.(types.String)))
	list := vals.(traits.Lister)
	n, _ := list.Size().(types.Int)
	for i := types.Int(0); i < n; i++ {
		v := list.Get(i)
		b.WriteByte(0)
		b.WriteString(v.Type().TypeName())
		b.WriteByte(':')
		fmt.Fprint(&b, v.Value())
	}
	return b.String()
}

// decorator replaces constant sigma.match calls with precompiled matchers.
func (ac *atomCache) decorator() interpreter.InterpretableDecorator {
	return func(i interpreter.Interpretable) (interpreter.Interpretable, error) {
		call, ok := i.(interpreter.InterpretableCall)
		if !ok || call.Function() != matchFunc || len(call.Args()) != 4 {
			return i, nil
		}
		args := call.Args()
		consts := make([]ref.Val, 3)
		for k, a := range args[1:] {
			v, ok := constant(a)
			if !ok {
				return i, nil // computed arguments: keep the dynamic binding
			}
			consts[k] = v
		}
		if _, ok := consts[0].(types.String); !ok {
			return i, nil
		}
		if _, ok := consts[1].(types.String); !ok {
			return i, nil
		}
		if _, ok := consts[2].(traits.Lister); !ok {
			return i, nil
		}
		key := atomKey(consts[0], consts[1], consts[2])
		ac.mu.Lock()
		a, ok := ac.atoms[key]
		ac.mu.Unlock()
		if !ok {
			var err error
			a, err = atomFromCEL(consts[0], consts[1], consts[2], ac.placeholders, ac.sets)
			if err != nil {
				return nil, err
			}
			ac.mu.Lock()
			ac.atoms[key] = a
			ac.mu.Unlock()
		}
		return &atomNode{id: i.ID(), ev: args[0], atom: a}, nil
	}
}

// constant evaluates an interpretable that does not depend on the event.
func constant(i interpreter.Interpretable) (ref.Val, bool) {
	if c, ok := i.(interpreter.InterpretableConst); ok {
		return c.Value(), true
	}
	v := i.Eval(interpreter.EmptyActivation())
	if types.IsUnknownOrError(v) {
		return nil, false
	}
	return v, true
}

// atomNode is a planned sigma.match call with a precompiled matcher.
type atomNode struct {
	id   int64
	ev   interpreter.Interpretable
	atom *atom
}

func (n *atomNode) ID() int64 { return n.id }

func (n *atomNode) Eval(act interpreter.Activation) ref.Val {
	ev, ok := n.ev.Eval(act).(eventVal)
	if !ok {
		return types.NewErr("sigma.match: ev is not an event")
	}
	return types.Bool(ev.c.evalAtom(n.atom))
}

// activation resolves the single variable ev.
type activation struct{ ev eventVal }

func (a *activation) ResolveName(name string) (any, bool) {
	if name == eventVar {
		return a.ev, true
	}
	return nil, false
}
func (a *activation) Parent() interpreter.Activation { return nil }
