package engine

import (
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
func (n atomLeaf) eval(c *evalCtx) bool { return n.a.eval(c) }

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
	if neg || !n.a.eval(c) {
		return
	}
	h := FieldHit{Field: n.a.field, Match: n.a.m.String()}
	if n.a.field != "" {
		if v, ok := c.lookup(n.a.field); ok {
			h.Value = v.String()
		}
	}
	*out = append(*out, h)
}

// buildTree compiles a condition into nodes, compiling each comparison.
func buildTree(e rule.Expr, r *rule.Rule, placeholders map[string][]string, atoms *[]*atom, depth int) (node, error) {
	if depth > maxNesting {
		return nil, rule.Errorf(rule.ErrLimit, e.Position(), "condition nested deeper than %d levels", maxNesting)
	}
	list := func(args []rule.Expr) ([]node, error) {
		out := make([]node, len(args))
		for i, a := range args {
			n, err := buildTree(a, r, placeholders, atoms, depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = n
		}
		return out, nil
	}
	switch e := e.(type) {
	case *rule.Match:
		a, err := compileAtom(e, placeholders)
		if err != nil {
			return nil, err
		}
		*atoms = append(*atoms, a)
		return atomLeaf{a}, nil
	case *rule.And:
		ns, err := list(e.Args)
		return andNode(ns), err
	case *rule.Or:
		ns, err := list(e.Args)
		return orNode(ns), err
	case *rule.Not:
		x, err := buildTree(e.X, r, placeholders, atoms, depth+1)
		return notNode{x}, err
	case *rule.Ref:
		s := r.Selection(e.Name)
		if s == nil || s.Expr == nil {
			return nil, rule.Errorf(rule.ErrUndefined, e.Pos, "selection %q is not defined", e.Name)
		}
		return buildTree(s.Expr, r, placeholders, atoms, depth+1)
	case *rule.Of:
		args := make([]rule.Expr, len(e.Names))
		for i, n := range e.Names {
			args[i] = &rule.Ref{Name: n, Pos: e.Pos}
		}
		ns, err := list(args)
		if err != nil {
			return nil, err
		}
		if e.All {
			return andNode(ns), nil
		}
		return orNode(ns), nil
	case *rule.CEL:
		return nil, rule.Errorf(rule.ErrUnsupported, e.Pos, "raw CEL conditions are not evaluated yet")
	}
	return nil, rule.Errorf(rule.ErrSchema, r.Pos, "rule has an empty condition")
}
