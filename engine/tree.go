package engine

import (
	"github.com/google/cel-go/cel"

	"github.com/tanchi-dev/tanchi/rule"
)

// node is a condition compiled for direct evaluation: the brute-force path
// (WithoutIndex) and explanations walk it instead of running CEL.
type node interface {
	eval(c *evalCtx) bool
	// hits appends the comparisons that hold outside negations.
	hits(c *evalCtx, out *[]FieldHit, negated bool)
}

type andNode []node
type orNode []node
type notNode struct{ x node }
type atomLeaf struct{ a *atom }

func (n andNode) eval(c *evalCtx) bool {
	for _, x := range n {
		if !x.eval(c) {
			return false
		}
	}
	return true
}

func (n orNode) eval(c *evalCtx) bool {
	for _, x := range n {
		if x.eval(c) {
			return true
		}
	}
	return false
}

func (n notNode) eval(c *evalCtx) bool  { return !n.x.eval(c) }
func (n atomLeaf) eval(c *evalCtx) bool { return c.evalAtom(n.a) }

func (n andNode) hits(c *evalCtx, out *[]FieldHit, neg bool) {
	for _, x := range n {
		x.hits(c, out, neg)
	}
}
func (n orNode) hits(c *evalCtx, out *[]FieldHit, neg bool) {
	for _, x := range n {
		x.hits(c, out, neg)
	}
}
func (n notNode) hits(c *evalCtx, out *[]FieldHit, neg bool) { n.x.hits(c, out, !neg) }
func (n atomLeaf) hits(c *evalCtx, out *[]FieldHit, neg bool) {
	if neg || !c.evalAtom(n.a) {
		return
	}
	h := FieldHit{Field: n.a.field, Match: n.a.matchText()}
	if n.a.field != "" {
		if v, ok := c.field(n.a.slot, n.a.field); ok {
			h.Value = v.String()
		}
	} else {
		// A keyword hit names the field whose value contained it.
		h.Field, h.Value = n.a.keywordHit(c)
	}
	*out = append(*out, h) // the event's texts: see ownHits
}

// builder compiles a condition into nodes.
type builder struct {
	r     *rule.Rule
	e     *Engine // where shared atoms and field slots are registered
	env   *cel.Env
	atoms map[*rule.Match]*atom // every comparison, for explanations
	cels  map[*rule.CEL]celNode // every raw CEL part, for explanations
}

func (b *builder) build(e rule.Expr, depth int) (node, error) {
	if depth > maxNesting {
		return nil, rule.Errorf(rule.ErrLimit, e.Position(), "condition nested deeper than %d levels", maxNesting)
	}
	list := func(args []rule.Expr) ([]node, error) {
		out := make([]node, len(args))
		for i, a := range args {
			n, err := b.build(a, depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = n
		}
		return out, nil
	}
	switch e := e.(type) {
	case *rule.Match:
		a, err := b.e.atom(e)
		if err != nil {
			return nil, err
		}
		b.atoms[e] = a
		return atomLeaf{a}, nil
	case *rule.And:
		ns, err := list(e.Args)
		return andNode(ns), err
	case *rule.Or:
		ns, err := list(e.Args)
		return orNode(ns), err
	case *rule.Not:
		x, err := b.build(e.X, depth+1)
		return notNode{x}, err
	case *rule.Ref:
		s := b.r.Selection(e.Name)
		if s == nil || s.Expr == nil {
			return nil, rule.Errorf(rule.ErrUndefined, e.Pos, "selection %q is not defined", e.Name)
		}
		return b.build(s.Expr, depth+1)
	case *rule.Of:
		ns, err := list(ofRefs(e))
		if err != nil {
			return nil, err
		}
		if e.All {
			return andNode(ns), nil
		}
		return orNode(ns), nil
	case *rule.CEL:
		prg, err := b.e.compileRawCEL(b.env, e)
		if err != nil {
			return nil, err
		}
		b.cels[e] = celNode{prg}
		return b.cels[e], nil
	}
	return nil, rule.Errorf(rule.ErrSchema, b.r.Pos, "rule has an empty condition")
}

// ofRefs expands "1 of x*" / "all of x*" into references to the selections.
func ofRefs(e *rule.Of) []rule.Expr {
	args := make([]rule.Expr, len(e.Names))
	for i, n := range e.Names {
		args[i] = &rule.Ref{Name: n, Pos: e.Pos}
	}
	return args
}

// celNode is a raw CEL expression written by a rule author.
type celNode struct{ prg cel.Program }

func (n celNode) eval(c *evalCtx) bool {
	v, _, err := n.prg.Eval(&activation{ev: eventVal{c}})
	if err != nil {
		return false
	}
	b, ok := v.Value().(bool)
	return ok && b
}

func (n celNode) hits(*evalCtx, *[]FieldHit, bool) {}

// compileRawCEL type-checks a raw CEL condition. Errors point into the rule
// file: CEL's line and column are added to the position of the expression's
// first character.
func (eng *Engine) compileRawCEL(env *cel.Env, e *rule.CEL) (cel.Program, error) {
	ast, iss := env.Compile(e.Src)
	if iss.Err() != nil {
		errs := iss.Errors()
		pos := e.Pos
		msg := iss.Err().Error()
		if len(errs) > 0 {
			loc := errs[0].Location
			msg = errs[0].Message
			if loc != nil && loc.Line() > 0 {
				if loc.Line() == 1 {
					pos.Col += loc.Column()
				} else {
					pos.Line += loc.Line() - 1
					pos.Col = loc.Column() + 1
				}
			}
		}
		return nil, rule.Errorf(rule.ErrValue, pos, "CEL: %s", msg)
	}
	if !ast.OutputType().IsExactType(cel.BoolType) {
		return nil, rule.Errorf(rule.ErrValue, e.Pos, "CEL: condition must be a bool, got %s", ast.OutputType())
	}
	prg, err := env.Program(ast, cel.CustomDecorator(eng.celAtoms.decorator()))
	if err != nil {
		return nil, rule.Errorf(rule.ErrValue, e.Pos, "CEL: %v", err)
	}
	return prg, nil
}
