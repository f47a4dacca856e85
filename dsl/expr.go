package dsl

import (
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/alecthomas/participle/v2/lexer"

	"github.com/tanchi-dev/tanchi/dsl/internal/grammar"
	"github.com/tanchi-dev/tanchi/rule"
)

// Conversion of macros, lists, conditions and comparisons into the model.

// ---- macros and lists

// macro converts a macro's body once. use is the reference being expanded,
// or nil for the pass that checks every macro.
func (p *program) macro(m *macroDef, c *ctx) {
	switch m.state {
	case 2:
		return
	case 1:
		return // a cycle, reported by the reference that closes it
	}
	m.state = 1
	var chain []string
	if c != nil {
		chain = c.chain
	}
	mc := &ctx{s: m.s, scope: inMacro, chain: append(append([]string(nil), chain...), m.name)}
	m.body = p.expr(mc, m.d.Expr)
	m.notField = notFieldShaped(m.body)
	rule.Walk(m.body, func(rule.Expr) bool { m.size++; return true })
	m.state = 2
}

// notFieldShaped says why an expression cannot stand in a selection, or
// returns "" when it is matches joined by and/or.
func notFieldShaped(e rule.Expr) string {
	why := ""
	rule.Walk(e, func(x rule.Expr) bool {
		switch x.(type) {
		case *rule.Not:
			why = "uses not"
		case *rule.CEL:
			why = "uses cel"
		case *rule.Ref, *rule.Of:
			why = "refers to selections"
		}
		return why == ""
	})
	return why
}

func (p *program) list(l *listDef, chain []string) {
	switch l.state {
	case 2:
		return
	case 1:
		return // a cycle, reported by the reference that closes it
	}
	l.state = 1
	v := l.d.Values
	c := &ctx{s: l.s, scope: inMacro}
	var items []*grammar.Item
	switch {
	case v.Call != nil:
		l.s.errorf(rule.ErrValue, v.Call.Pos, "a list holds plain values: apply %s(...) where the list is used, as in Field contains %s(%s)", v.Call.Func, v.Call.Func, l.name)
		l.state = 2
		return
	case v.Group != nil:
		items = v.Group.Items
	default:
		items = []*grammar.Item{v.Item}
	}
	l.values, l.ok = p.items(c, items, append(chain, l.name))
	if len(l.values) == 0 && l.ok {
		l.s.errorf(rule.ErrValue, v.Pos, "list %s is empty", l.name)
		l.ok = false
	}
	l.state = 2
}

// ---- expressions

func (p *program) expr(c *ctx, e *grammar.Expr) rule.Expr {
	if len(e.Terms) == 1 {
		return p.and(c, e.Terms[0])
	}
	args := make([]rule.Expr, 0, len(e.Terms))
	ok := true
	for _, t := range e.Terms {
		x := p.and(c, t)
		ok = ok && x != nil
		args = append(args, x)
	}
	if !ok {
		return nil
	}
	return &rule.Or{Args: args, Pos: c.s.pos(e.Pos)}
}

func (p *program) and(c *ctx, e *grammar.AndExpr) rule.Expr {
	if len(e.Factors) == 1 {
		return p.unary(c, e.Factors[0])
	}
	args := make([]rule.Expr, 0, len(e.Factors))
	ok := true
	for _, f := range e.Factors {
		x := p.unary(c, f)
		ok = ok && x != nil
		args = append(args, x)
	}
	if !ok {
		return nil
	}
	return &rule.And{Args: args, Pos: c.s.pos(e.Pos)}
}

func (p *program) unary(c *ctx, u *grammar.Unary) rule.Expr {
	if u.Not == nil {
		return p.primary(c, u.Primary)
	}
	if c.scope == inSelection {
		c.s.errorf(rule.ErrCondition, u.Pos, "selection %s uses not: a selection joins comparisons with and/or; negate it in the condition (condition ... and not %s)", c.sel, c.sel)
		return nil
	}
	x := p.unary(c, u.Not)
	if x == nil {
		return nil
	}
	return &rule.Not{X: x, Pos: c.s.pos(u.Pos)}
}

func (p *program) primary(c *ctx, pr *grammar.Primary) rule.Expr {
	c.nodes++
	if c.nodes > maxExpansion {
		if c.nodes == maxExpansion+1 {
			c.s.errorf(rule.ErrLimit, pr.Pos, "condition has more than %d parts once macros are expanded", maxExpansion)
		}
		return nil
	}
	switch {
	case pr.Paren != nil:
		return p.expr(c, pr.Paren)
	case pr.Of != nil:
		return p.of(c, pr.Of)
	case pr.CEL != nil:
		if c.scope == inSelection {
			c.s.errorf(rule.ErrCondition, pr.Pos, "selection %s uses cel: raw CEL belongs in the condition", c.sel)
			return nil
		}
		src, err := grammar.Unquote(pr.CEL.Src)
		if err != nil {
			return nil
		}
		if strings.TrimSpace(src) == "" {
			c.s.errorf(rule.ErrValue, pr.Pos, "cel needs an expression")
			return nil
		}
		// The position is that of the first character of the CEL text,
		// after the opening quote, so that CEL's own positions map into
		// the file.
		at := pr.CEL.Pos
		i := strings.IndexAny(c.s.lineAt(at, pr.CEL.Src), "\"`")
		pos := c.s.pos(at)
		if i >= 0 {
			pos.Col += i + 1
			pos.Offset += i + 1
		}
		return &rule.CEL{Src: src, Pos: pos}
	case pr.Keywords != nil:
		return p.keywords(c, pr.Keywords)
	case pr.Match != nil:
		return p.match(c, pr.Match)
	}
	return p.ref(c, pr)
}

// lineAt returns the source text from position at, up to and including
// the token tok.
func (s *source) lineAt(at lexer.Position, tok string) string {
	end := at.Offset + 5 + len(tok)
	if at.Offset < 0 || at.Offset >= len(s.src) {
		return ""
	}
	return string(s.src[at.Offset:min(end, len(s.src))])
}

func (p *program) ref(c *ctx, pr *grammar.Primary) rule.Expr {
	name, _ := grammar.Unquote(pr.Ref)
	pos := c.s.pos(pr.Pos)
	if c.scope == inCondition && c.sels[name] {
		return &rule.Ref{Name: name, Pos: pos}
	}
	m := p.macros[name]
	if m == nil {
		switch c.scope {
		case inSelection:
			c.s.errorf(rule.ErrUndefined, pr.Pos, "selection %s refers to %s, which is not a macro%s", c.sel, name, p.suggestName(name, nil))
		case inMacro:
			c.s.errorf(rule.ErrUndefined, pr.Pos, "macro %s refers to %s, which is not a macro (macros can use other macros, not the selections of a rule)%s", c.chain[len(c.chain)-1], name, p.suggestName(name, nil))
		default:
			c.s.errorf(rule.ErrUndefined, pr.Pos, "condition refers to %s, which is neither a selection of this rule nor a macro%s", name, p.suggestName(name, c.order))
		}
		return nil
	}
	p.macro(m, c)
	if m.state == 1 || m.body == nil {
		p.depFailed = true
		if m.state == 1 {
			// A cycle: report it at the reference that closes it.
			chain := append(append([]string(nil), c.chain...), name)
			i := 0
			for i < len(chain) && chain[i] != name {
				i++
			}
			c.s.errorf(rule.ErrLimit, pr.Pos, "macro cycle: %s", strings.Join(chain[i:], " -> "))
		}
		return nil
	}
	if c.scope == inSelection && m.notField != "" {
		c.s.errorf(rule.ErrCondition, pr.Pos, "selection %s uses macro %s, which %s: use it in the condition instead", c.sel, name, m.notField)
		return nil
	}
	p.expanded += m.size
	c.nodes += m.size
	if p.expanded > maxTotalExpansion || c.nodes > maxExpansion {
		p.depFailed = true
		if p.expanded-m.size <= maxTotalExpansion && c.nodes-m.size <= maxExpansion {
			c.s.errorf(rule.ErrLimit, pr.Pos, "macro %s expands past the limit of %d parts per condition and %d in all", name, maxExpansion, maxTotalExpansion)
		}
		return nil
	}
	return clone(m.body)
}

func (p *program) suggestName(name string, sels []string) string {
	var known []string
	known = append(known, sels...)
	for k := range p.macros {
		known = append(known, k)
	}
	for _, k := range known {
		if strings.EqualFold(k, name) {
			return "; did you mean " + k + "?"
		}
	}
	if s := suggest(name, known); s != "" && len(name) > 3 {
		return "; did you mean " + s + "?"
	}
	return ""
}

func (p *program) of(c *ctx, o *grammar.Of) rule.Expr {
	if c.scope != inCondition {
		c.s.errorf(rule.ErrCondition, o.Pos, "%s of ... names selections: it belongs in a rule's condition", o.Quant)
		return nil
	}
	pat, _ := grammar.Unquote(o.Pattern)
	var names []string
	if pat == "them" && !grammar.IsQuoted(o.Pattern) {
		for _, n := range c.order {
			if !strings.HasPrefix(n, "_") {
				names = append(names, n)
			}
		}
	} else {
		for _, n := range c.order {
			if ok, _ := path.Match(escapeGlob(pat), n); ok {
				names = append(names, n)
			}
		}
	}
	if len(names) == 0 {
		c.s.errorf(rule.ErrUndefined, o.Pos, "%s of %s: no selection of this rule matches %s", o.Quant, o.Pattern, o.Pattern)
		return nil
	}
	return &rule.Of{All: o.Quant == "all", Pattern: pat, Names: names, Pos: c.s.pos(o.Pos)}
}

// escapeGlob keeps * as the only wildcard of a selection pattern.
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

// clone copies an expression tree so that every rule owns its nodes.
func clone(e rule.Expr) rule.Expr {
	switch e := e.(type) {
	case *rule.And:
		return &rule.And{Args: cloneAll(e.Args), Pos: e.Pos}
	case *rule.Or:
		return &rule.Or{Args: cloneAll(e.Args), Pos: e.Pos}
	case *rule.Not:
		return &rule.Not{X: clone(e.X), Pos: e.Pos}
	case *rule.Ref:
		c := *e
		return &c
	case *rule.Of:
		c := *e
		c.Names = append([]string(nil), e.Names...)
		return &c
	case *rule.CEL:
		c := *e
		return &c
	case *rule.Match:
		c := *e
		c.Values = append([]rule.Value(nil), e.Values...)
		c.Transforms = append([]string(nil), e.Transforms...)
		c.Modifiers = append([]string(nil), e.Modifiers...)
		return &c
	}
	return e
}

func cloneAll(args []rule.Expr) []rule.Expr {
	out := make([]rule.Expr, len(args))
	for i, a := range args {
		out[i] = clone(a)
	}
	return out
}

// ---- matches

// Transforms, in the order of Sigma's modifiers they stand for.
var transforms = []string{"windash", "base64", "base64offset", "utf16le", "utf16be", "utf16", "wide", "expand"}

var opModifier = map[string]string{
	"==": "", "!=": "", "in": "", "contains": "contains", "startswith": "startswith", "endswith": "endswith",
	"matches": "re", "cidr": "cidr", "<": "lt", "<=": "lte", ">": "gt", ">=": "gte", "exists": "exists",
}

// modPos pairs a modifier with where it was written.
type modPos struct {
	mod string
	pos lexer.Position
}

func (p *program) keywords(c *ctx, k *grammar.Keywords) rule.Expr {
	m := &rule.Match{Pos: c.s.pos(k.Pos)}
	var mods []modPos
	if k.Quant == "all" {
		mods = append(mods, modPos{"all", k.Pos})
	}
	vals, calls, ok := p.values(c, k.Values)
	if !ok {
		return nil
	}
	if len(calls) > 0 {
		c.s.errorf(rule.ErrModifier, calls[0].pos, "keyword search takes plain values, not %s(...)", calls[0].mod)
		return nil
	}
	return p.finishMatch(c, m, mods, vals)
}

func (p *program) match(c *ctx, g *grammar.Match) rule.Expr {
	f := g.Field
	name := f.Name
	var mods []modPos
	if f.Timed != nil {
		name = f.Timed.Name
		mods = append(mods, modPos{f.Timed.Part, f.Pos})
	}
	field, _ := grammar.Unquote(name)
	m := &rule.Match{Field: field, Pos: c.s.pos(g.Pos)}
	if field == "" {
		c.s.errorf(rule.ErrSchema, f.Pos, "empty field name: search every field with keywords (...)")
		return nil
	}
	o := g.Op
	opPos := o.Pos
	op := o.Op
	neq := o.Not
	switch {
	case op == "!=" && o.Not:
		c.s.errorf(rule.ErrCondition, f.Pos, "not != is a double negation: write ==")
		return nil
	case op == "!=":
		neq = true
	}
	if op == "exists" {
		if o.Cased || o.Flags != "" || o.Quant != "" || g.Values != nil {
			at := o.Pos
			if g.Values != nil {
				at = g.Values.Pos
			}
			c.s.errorf(rule.ErrModifier, at, "exists takes no value and no other modifier: write %s exists or %s not exists", field, field)
			return nil
		}
		if len(mods) > 0 {
			c.s.errorf(rule.ErrModifier, f.Pos, "exists cannot be combined with %s(...)", mods[0].mod)
			return nil
		}
		v := rule.Value{Kind: rule.Bool, S: strconv.FormatBool(!o.Not), Pos: c.s.pos(o.Pos)}
		m.Values = []rule.Value{v}
		if err := m.SetModifiers([]string{"exists"}); err != nil {
			c.s.errorf(rule.ErrModifier, o.Pos, "%v", err)
			return nil
		}
		return m
	}
	if g.Values == nil {
		c.s.errorf(rule.ErrValue, g.EndPos, "%s %s needs a value", field, op)
		return nil
	}
	vals, calls, ok := p.values(c, g.Values)
	if !ok {
		return nil
	}
	// Transforms apply innermost first, like Sigma's modifier chain left
	// to right; the comparison comes after them.
	for i := len(calls) - 1; i >= 0; i-- {
		mods = append(mods, calls[i])
	}
	if mod := opModifier[op]; mod != "" {
		mods = append(mods, modPos{mod, opPos})
	}
	if o.Flags != "" {
		if op != "matches" {
			c.s.errorf(rule.ErrModifier, o.Pos, "/%s flags belong to matches, not %s", o.Flags, op)
			return nil
		}
		for _, r := range o.Flags {
			if !strings.ContainsRune("ims", r) {
				c.s.errorf(rule.ErrModifier, o.Pos, "unknown regular expression flag %q: use i (ignore case), m (multi-line) or s (dot matches newline)", r)
				return nil
			}
			mods = append(mods, modPos{string(r), opPos})
		}
	}
	if o.Cased {
		mods = append(mods, modPos{"cased", opPos})
	}
	if o.Quant == "all" {
		mods = append(mods, modPos{"all", opPos})
	}
	if neq {
		mods = append(mods, modPos{"neq", opPos})
	}
	return p.finishMatch(c, m, mods, vals)
}

func (p *program) finishMatch(c *ctx, m *rule.Match, mods []modPos, vals []rule.Value) rule.Expr {
	names := make([]string, len(mods))
	for i, mp := range mods {
		names[i] = mp.mod
	}
	if names == nil {
		names = []string{}
	}
	if err := m.SetModifiers(names); err != nil {
		var me *rule.ModifierError
		at := m.Pos
		msg := err.Error()
		if errors.As(err, &me) {
			at = c.s.pos(mods[me.Index].pos)
			msg = dslModifierMessage(me.Msg)
		}
		c.s.errs = append(c.s.errs, rule.Errorf(rule.ErrModifier, at, "%s", msg))
		return nil
	}
	if len(names) == 0 {
		m.Modifiers = nil
	}
	m.Values = vals
	if errs := m.Check(); len(errs) > 0 {
		for _, e := range errs {
			e.Msg = checkMessage.Replace(e.Msg)
		}
		c.s.errs = append(c.s.errs, errs...)
		return nil
	}
	return m
}

// checkMessage rewords the value errors of rule.Match.Check in the DSL's
// terms.
var checkMessage = strings.NewReplacer("lte needs", "<= needs", "gte needs", ">= needs", "lt needs", "< needs",
	"gt needs", "> needs", "re needs", "matches needs")

// dslModifierMessage rewords a modifier error in the DSL's terms.
func dslModifierMessage(msg string) string {
	r := strings.NewReplacer(
		`the re modifier`, `matches`,
		`with re`, `with matches`,
		`"re"`, `matches`,
		`modifier "neq"`, `negation (not, !=)`,
		`the contains modifier`, `contains`,
		`modifier "all"`, `all`,
		`modifier "cased"`, `cased`,
	)
	return r.Replace(msg)
}

// values converts the right-hand side of a match. calls lists the
// transform modifiers, outermost first.
func (p *program) values(c *ctx, v *grammar.Values) ([]rule.Value, []modPos, bool) {
	var calls []modPos
	var items []*grammar.Item
	switch {
	case v.Call != nil:
		call := v.Call
		for {
			switch {
			case call.Func == "field":
				if len(calls) > 0 || call.Inner != nil {
					c.s.errorf(rule.ErrModifier, call.Pos, "field(...) names other fields: it cannot be combined with transforms")
					return nil, nil, false
				}
				calls = append(calls, modPos{"fieldref", call.Pos})
			case contains(transforms, call.Func):
				calls = append(calls, modPos{call.Func, call.Pos})
			default:
				msg := fmt.Sprintf("unknown transform %s(...): use windash, base64, base64offset, utf16le, utf16be, utf16, wide, expand or field", call.Func)
				if sg := suggest(call.Func, append(transforms, "field")); sg != "" {
					msg = fmt.Sprintf("unknown transform %s(...); did you mean %s?", call.Func, sg)
				}
				c.s.errorf(rule.ErrModifier, call.Pos, "%s", msg)
				return nil, nil, false
			}
			if call.Inner == nil {
				break
			}
			call = call.Inner
		}
		items = call.Items
		if len(items) == 0 {
			c.s.errorf(rule.ErrValue, call.Pos, "%s() needs at least one value", call.Func)
			return nil, nil, false
		}
		if call.Func == "field" {
			var out []rule.Value
			for _, it := range items {
				if tt := tokType(it.Tok); tt != grammar.Ident && tt != grammar.String && tt != grammar.RawString {
					c.s.errorf(rule.ErrValue, it.Pos, "field(...) takes field names, got %s", it.Tok)
					return nil, nil, false
				}
				name, _ := grammar.Unquote(it.Tok)
				out = append(out, rule.Value{Kind: rule.String, S: name, Pos: c.s.pos(it.Pos)})
			}
			return out, calls, true
		}
	case v.Group != nil:
		items = v.Group.Items
		if len(items) == 0 {
			c.s.errorf(rule.ErrValue, v.Pos, "empty list of values")
			return nil, nil, false
		}
	default:
		items = []*grammar.Item{v.Item}
	}
	out, ok := p.items(c, items, nil)
	return out, calls, ok
}

// items converts values; names of lists are replaced by their values.
func (p *program) items(c *ctx, items []*grammar.Item, chain []string) ([]rule.Value, bool) {
	var out []rule.Value
	ok := true
	for _, it := range items {
		pos := c.s.pos(it.Pos)
		switch tokType(it.Tok) {
		case grammar.String, grammar.RawString, grammar.TextBlock:
			s, err := grammar.Unquote(it.Tok)
			if err != nil {
				ok = false
				continue
			}
			out = append(out, rule.Value{Kind: rule.String, S: s, Pos: pos})
		case grammar.Number:
			out = append(out, rule.Value{Kind: rule.Number, S: it.Tok, Pos: pos})
		default:
			switch it.Tok {
			case "true", "false":
				out = append(out, rule.Value{Kind: rule.Bool, S: it.Tok, Pos: pos})
				continue
			case "null":
				out = append(out, rule.Value{Kind: rule.Null, Pos: pos})
				continue
			}
			l := p.lists[it.Tok]
			if l == nil {
				msg := fmt.Sprintf("no list named %s (strings are quoted: \"%s\")", it.Tok, it.Tok)
				var known []string
				for k := range p.lists {
					known = append(known, k)
				}
				if sg := suggest(it.Tok, known); sg != "" && len(it.Tok) > 3 {
					msg = fmt.Sprintf("no list named %s; did you mean %s?", it.Tok, sg)
				}
				c.s.errorf(rule.ErrUndefined, it.Pos, "%s", msg)
				ok = false
				continue
			}
			p.list(l, chain)
			if l.state != 2 || !l.ok {
				p.depFailed = true
				if l.state == 1 {
					cyc := append(append([]string(nil), chain...), l.name)
					i := 0
					for i < len(cyc) && cyc[i] != l.name {
						i++
					}
					c.s.errorf(rule.ErrLimit, it.Pos, "list cycle: %s", strings.Join(cyc[i:], " -> "))
				}
				ok = false
				continue
			}
			p.spliced += len(l.values)
			if p.spliced > maxTotalValues {
				if p.spliced-len(l.values) <= maxTotalValues {
					c.s.errorf(rule.ErrLimit, it.Pos, "lists splice in more than %d values in all", maxTotalValues)
				}
				return nil, false
			}
			out = append(out, l.values...)
		}
		if len(out) > rule.MaxValues {
			c.s.errorf(rule.ErrLimit, it.Pos, "more than %d values", rule.MaxValues)
			return nil, false
		}
	}
	return out, ok
}
