package engine

import (
	"fmt"
	"strings"

	"github.com/tanchi-dev/tanchi/rule"
)

// Explanation says why a rule did or did not match one event: whether
// logsource routing let the event reach the rule, the value of every part
// of the condition, and whether an exclusion suppressed the match.
type Explanation struct {
	Rule *rule.Rule
	// Source is the logsource derived from the event ("windows/sysmon/
	// process_creation"), or "" when the event names no channel.
	Source string
	// Routed reports whether the event reaches the rule at all. When it
	// does not, the condition is still evaluated and shown, for reference.
	Routed bool
	// Holds is the value of the condition.
	Holds bool
	// SuppressedBy is the exclusion that suppresses the match, if any.
	SuppressedBy *rule.Exclusion
	// Condition is the evaluated condition tree.
	Condition *ExplainNode
}

// Matched reports the outcome Match would give: routed, condition true,
// not suppressed.
func (x *Explanation) Matched() bool { return x.Routed && x.Holds && x.SuppressedBy == nil }

// ExplainNode is one evaluated part of a condition.
type ExplainNode struct {
	// Kind is "and", "or", "not", "selection", "of", "match" or "cel".
	Kind string
	// Label names the part: the selection name, "1 of selection_*", or the
	// comparison as written ('Image|endswith: "\\cmd.exe"').
	Label  string
	Result bool
	// For comparisons: the field as the rule names it, whether the event
	// has it, and its value.
	Field    string
	Present  bool
	Value    string
	Pos      rule.Pos
	Children []*ExplainNode
}

// Explain evaluates one rule on one event and reports why it did or did not
// match. id is the rule's id (or name). It returns an error when the engine
// has no such rule.
func (e *Engine) Explain(id string, ev Event) (*Explanation, error) {
	cr := e.lookup(id)
	if cr == nil {
		return nil, fmt.Errorf("no compiled rule with id %q", id)
	}
	c := e.bareCtx(ev)
	x := &Explanation{Rule: cr.rule, Source: c.src.String(), Routed: routes(cr.rule.Logsource, c.src)}
	x.Condition = explainExpr(cr.rule.Condition, cr, c)
	x.Holds = x.Condition.Result
	if x.Holds {
		x.SuppressedBy = e.match(cr, c).SuppressedBy
	}
	return x, nil
}

func explainExpr(e rule.Expr, cr *compiled, c *evalCtx) *ExplainNode {
	n := &ExplainNode{Pos: e.Position()}
	switch e := e.(type) {
	case *rule.And:
		n.Kind, n.Label, n.Result = "and", "all of", true
		for _, a := range e.Args {
			ch := explainExpr(a, cr, c)
			n.Children = append(n.Children, ch)
			n.Result = n.Result && ch.Result
		}
	case *rule.Or:
		n.Kind, n.Label = "or", "any of"
		for _, a := range e.Args {
			ch := explainExpr(a, cr, c)
			n.Children = append(n.Children, ch)
			n.Result = n.Result || ch.Result
		}
	case *rule.Not:
		n.Kind, n.Label = "not", "not"
		ch := explainExpr(e.X, cr, c)
		n.Children = []*ExplainNode{ch}
		n.Result = !ch.Result
	case *rule.Ref:
		n.Kind, n.Label = "selection", e.Name
		if s := cr.rule.Selection(e.Name); s != nil && s.Expr != nil {
			ch := explainExpr(s.Expr, cr, c)
			n.Result = ch.Result
			n.Children = flatten(ch)
		}
	case *rule.Of:
		n.Kind, n.Label = "of", e.String()
		n.Result = e.All
		for _, name := range e.Names {
			ch := explainExpr(&rule.Ref{Name: name, Pos: e.Pos}, cr, c)
			n.Children = append(n.Children, ch)
			if e.All {
				n.Result = n.Result && ch.Result
			} else {
				n.Result = n.Result || ch.Result
			}
		}
	case *rule.Match:
		n.Kind, n.Label, n.Field = "match", e.String(), e.Field
		if a := cr.atoms[e]; a != nil {
			n.Result = a.eval(c)
			if e.Field != "" {
				v, ok := c.lookup(e.Field)
				n.Present = ok
				if ok {
					n.Value = v.String()
				}
			}
		}
	case *rule.CEL:
		n.Kind, n.Label = "cel", e.Src
		if cn, ok := cr.cels[e]; ok {
			n.Result = cn.eval(c)
		}
	}
	return n
}

// flatten shows a selection's top-level AND directly under the selection.
func flatten(n *ExplainNode) []*ExplainNode {
	if n.Kind == "and" {
		return n.Children
	}
	return []*ExplainNode{n}
}

// String renders the explanation as an indented tree, one line per part,
// with [x] for what holds and [ ] for what does not.
func (x *Explanation) String() string {
	var b strings.Builder
	verdict := "does not match"
	if x.Matched() {
		verdict = "matches"
	}
	fmt.Fprintf(&b, "rule %s %q %s\n", x.Rule.Key(), x.Rule.Title, verdict)
	src := x.Source
	if src == "" {
		src = "no channel: reaches every rule"
	}
	ls := []string{}
	for _, p := range []string{x.Rule.Logsource.Product, x.Rule.Logsource.Category, x.Rule.Logsource.Service} {
		if p != "" {
			ls = append(ls, p)
		}
	}
	fmt.Fprintf(&b, "  logsource: rule wants %s, event is %s: %s\n", strings.Join(ls, "/"), src, map[bool]string{true: "routed", false: "NOT ROUTED (the rule never sees this event)"}[x.Routed])
	writeNode(&b, x.Condition, 1)
	switch {
	case x.SuppressedBy != nil:
		fmt.Fprintf(&b, "  suppressed by exclusion %s %q: %s\n", x.SuppressedBy.ID, x.SuppressedBy.Title, x.SuppressedBy.Reason)
	case x.Holds && x.Routed:
		b.WriteString("  condition holds\n")
	case x.Holds:
		b.WriteString("  condition holds, but routing keeps the event from the rule\n")
	default:
		b.WriteString("  condition does not hold\n")
	}
	return b.String()
}

func writeNode(b *strings.Builder, n *ExplainNode, depth int) {
	mark := "[ ]"
	if n.Result {
		mark = "[x]"
	}
	b.WriteString(strings.Repeat("  ", depth))
	fmt.Fprintf(b, "%s %s", mark, n.Label)
	if n.Kind == "match" && n.Field != "" {
		if n.Present {
			fmt.Fprintf(b, "    (event: %q)", n.Value)
		} else {
			b.WriteString("    (event has no such field)")
		}
	}
	b.WriteByte('\n')
	for _, ch := range n.Children {
		writeNode(b, ch, depth+1)
	}
}

// String renders an event source as product/service/categories.
func (s eventSource) String() string {
	if !s.known {
		return ""
	}
	parts := []string{s.product}
	if s.service != "" {
		parts = append(parts, s.service)
	}
	parts = append(parts, s.categories...)
	return strings.Join(parts, "/")
}
