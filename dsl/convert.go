package dsl

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/alecthomas/participle/v2/lexer"

	"github.com/tanchi-dev/tanchi/dsl/internal/grammar"
	"github.com/tanchi-dev/tanchi/rule"
)

// maxExpansion bounds the nodes of one rule's condition after macros are
// expanded, so that macros using macros cannot blow up exponentially.
const maxExpansion = 100_000

// Bounds over a whole program: the nodes all macro uses expand to, and the
// values all list uses splice in.
const (
	maxTotalExpansion = 1_000_000
	maxTotalValues    = 2_000_000
)

// program converts parsed sources into the rule model. Macros and lists
// are shared by all its sources.
type program struct {
	// depFailed is set when a declaration uses a macro or list that has
	// errors (reported where it is defined): the declaration is left out.
	depFailed bool
	// expanded and spliced count macro nodes and list values used so far,
	// against maxTotalExpansion and maxTotalValues.
	expanded, spliced int
	srcs              []*source
	macros            map[string]*macroDef
	lists             map[string]*listDef
	set               *rule.Set
}

type macroDef struct {
	name  string
	s     *source
	d     *grammar.Macro
	state int // 0 not converted, 1 being converted, 2 done
	body  rule.Expr
	// notField says why the macro cannot be used inside a selection ("not",
	// "cel"...), or is "" when it can.
	notField string
	size     int // nodes of body
	pos      rule.Pos
}

type listDef struct {
	name   string
	s      *source
	d      *grammar.List
	state  int
	values []rule.Value
	ok     bool
	pos    rule.Pos
}

// scope says where an expression is written, which decides what names mean.
type scope int

const (
	inSelection scope = iota // matches joined by and/or; names are macros
	inCondition              // names are selections, then macros
	inMacro                  // names are macros
)

type ctx struct {
	s     *source
	scope scope
	sels  map[string]bool // the rule's selections (inCondition)
	order []string
	// sel names the selection being converted (inSelection), for messages.
	sel string
	// chain is the stack of macros being converted, for cycle messages.
	chain []string
	nodes int
}

func newProgram(srcs []*source) *program {
	p := &program{srcs: srcs, macros: map[string]*macroDef{}, lists: map[string]*listDef{}, set: &rule.Set{Files: len(srcs)}}
	for _, s := range srcs {
		for _, d := range s.decls {
			switch {
			case d.Macro != nil:
				m := &macroDef{name: d.Macro.Name, s: s, d: d.Macro, pos: s.pos(d.Macro.Pos)}
				if prev, dup := p.macros[m.name]; dup {
					s.errorf(rule.ErrDuplicateID, d.Macro.Pos, "macro %s is already defined at %s", m.name, prev.pos)
					continue
				}
				p.macros[m.name] = m
			case d.List != nil:
				l := &listDef{name: d.List.Name, s: s, d: d.List, pos: s.pos(d.List.Pos)}
				if prev, dup := p.lists[l.name]; dup {
					s.errorf(rule.ErrDuplicateID, d.List.Pos, "list %s is already defined at %s", l.name, prev.pos)
					continue
				}
				p.lists[l.name] = l
			}
		}
	}
	return p
}

func (p *program) run() {
	for _, s := range p.srcs {
		for _, d := range s.decls {
			before := len(s.errs)
			p.depFailed = false
			switch {
			case d.Rule != nil:
				r := p.rule(s, d)
				if p.clean(s, d, before, r.ID) {
					p.set.Rules = append(p.set.Rules, r)
				}
			case d.Exclude != nil:
				x := p.exclude(s, d)
				if p.clean(s, d, before, x.ID) {
					p.set.Exclusions = append(p.set.Exclusions, x)
				}
			case d.Macro != nil:
				if m := p.macros[d.Macro.Name]; m != nil && m.d == d.Macro {
					p.macro(m, nil)
				}
			case d.List != nil:
				if l := p.lists[d.List.Name]; l != nil && l.d == d.List {
					p.list(l, nil)
				}
			}
		}
	}
}

// clean tags the errors found for a declaration with its id and reports
// whether it has none, counting lexing errors inside it.
func (p *program) clean(s *source, d *decl, before int, id string) bool {
	ok := len(s.errs) == before
	for _, e := range s.errs[before:] {
		e.RuleID = id
	}
	if s.lexErrorBetween(d.toks[0].Pos.Offset, d.end()) {
		ok = false
	}
	return ok && !p.depFailed && !d.broken
}

// ---- metadata

var ruleAttrs = []string{"id", "name", "status", "level", "description", "author", "date", "modified",
	"references", "tags", "falsepositives", "fields", "action"}
var excludeAttrs = []string{"id", "description", "rules", "tags", "reason", "expires", "author", "date"}

// attrs checks the attributes of a block: known, given once.
type attrs struct {
	s     *source
	what  string
	known []string
	seen  map[string]*grammar.Stmt
}

func (a *attrs) check(st *grammar.Stmt) bool {
	key := st.Attr.Key
	if !contains(a.known, key) {
		msg := fmt.Sprintf("unknown attribute %q in %s", key, a.what)
		if s := suggest(key, a.known); s != "" {
			msg += "; did you mean " + s + "?"
		} else {
			msg += fmt.Sprintf(" (a selection is written name = expression; attributes are %s)", strings.Join(a.known, ", "))
		}
		a.s.errorf(rule.ErrSchema, st.Pos, "%s", msg)
		return false
	}
	if first, dup := a.seen[key]; dup {
		a.s.errorf(rule.ErrSchema, st.Pos, "%s is given twice in %s (first at line %d)", key, a.what, first.Pos.Line)
		return false
	}
	a.seen[key] = st
	if len(st.Attr.Values) == 0 {
		a.s.errorf(rule.ErrSchema, st.Pos, "%s needs a value", key)
		return false
	}
	return true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// suggest returns the closest name within two edits, or "".
func suggest(name string, known []string) string {
	best, bestD := "", 3
	for _, k := range known {
		if d := editDistance(name, k); d < bestD {
			best, bestD = k, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// one returns the single value of an attribute.
func one(s *source, st *grammar.Stmt) *grammar.Scalar {
	if len(st.Attr.Values) != 1 {
		s.errorf(rule.ErrSchema, st.Attr.Values[1].Pos, "%s takes one value", st.Attr.Key)
		return nil
	}
	return st.Attr.Values[0]
}

// scalarText returns a scalar as text: strings decoded, names and dates as
// written. Numbers are accepted only when numbers is set.
func scalarText(s *source, sc *grammar.Scalar, what string, names bool) (string, bool) {
	if sc == nil {
		return "", false
	}
	switch tokType(sc.Tok) {
	case grammar.String, grammar.RawString, grammar.TextBlock:
		v, err := grammar.Unquote(sc.Tok)
		if err != nil {
			return "", false // reported by the lexer
		}
		return v, true
	case grammar.Ident, grammar.Date:
		if names {
			return sc.Tok, true
		}
	}
	s.errorf(rule.ErrSchema, sc.Pos, "%s must be a string, got %s", what, sc.Tok)
	return "", false
}

// tokType classifies a captured token by its text.
func tokType(tok string) lexer.TokenType {
	switch {
	case strings.HasPrefix(tok, `"""`):
		return grammar.TextBlock
	case strings.HasPrefix(tok, `"`):
		return grammar.String
	case strings.HasPrefix(tok, "`"):
		return grammar.RawString
	case tok == "":
		return grammar.EOF
	}
	c := tok[0]
	switch {
	case c >= '0' && c <= '9', c == '-', c == '+', c == '.':
		if len(tok) == 10 && tok[4] == '-' && tok[7] == '-' {
			return grammar.Date
		}
		return grammar.Number
	case strings.ContainsRune(tok, '*'):
		return grammar.Pattern
	}
	return grammar.Ident
}

func texts(s *source, st *grammar.Stmt, names bool) []string {
	var out []string
	for _, sc := range st.Attr.Values {
		if v, ok := scalarText(s, sc, st.Attr.Key, names); ok {
			out = append(out, v)
		}
	}
	return out
}

func date(s *source, st *grammar.Stmt, strict bool) string {
	sc := one(s, st)
	v, ok := scalarText(s, sc, st.Attr.Key, true)
	if !ok {
		return ""
	}
	if strict {
		if _, err := time.Parse("2006-01-02", v); err != nil {
			s.errorf(rule.ErrValue, sc.Pos, "%s must be a date written YYYY-MM-DD, got %s", st.Attr.Key, sc.Tok)
			return ""
		}
	}
	return v
}

func (p *program) logsource(s *source, st *grammar.Stmt, ls *rule.Logsource) {
	*ls = rule.Logsource{Pos: s.pos(st.Pos)}
	if len(st.Logsource.Pairs) == 0 {
		s.errorf(rule.ErrSchema, st.Pos, "logsource needs at least one of product=, category=, service=, definition=")
		return
	}
	seen := map[string]bool{}
	for _, pr := range st.Logsource.Pairs {
		v, ok := scalarText(s, pr.Value, pr.Key, true)
		if !ok {
			continue
		}
		if seen[pr.Key] {
			s.errorf(rule.ErrSchema, pr.Pos, "logsource %s is given twice", pr.Key)
			continue
		}
		seen[pr.Key] = true
		switch pr.Key {
		case "product":
			ls.Product = v
		case "category":
			ls.Category = v
		case "service":
			ls.Service = v
		case "definition":
			ls.Definition = v
		default:
			msg := fmt.Sprintf("unknown logsource key %q: use product, category, service or definition", pr.Key)
			if sg := suggest(pr.Key, []string{"product", "category", "service", "definition"}); sg != "" {
				msg = fmt.Sprintf("unknown logsource key %q; did you mean %s?", pr.Key, sg)
			}
			s.errorf(rule.ErrSchema, pr.Pos, "%s", msg)
		}
	}
}

func (p *program) literal(s *source, l *grammar.Literal) any {
	switch {
	case l.IsList:
		out := []any{}
		for _, it := range l.Items {
			out = append(out, p.literal(s, it))
		}
		return out
	case l.IsMap:
		out := map[string]any{}
		for _, e := range l.Entries {
			k, _ := grammar.Unquote(e.Key)
			if _, dup := out[k]; dup {
				s.errorf(rule.ErrSchema, e.Pos, "key %s is given twice in this map", e.Key)
			}
			out[k] = p.literal(s, e.Value)
		}
		return out
	}
	tok := l.Scalar.Tok
	switch tokType(tok) {
	case grammar.String, grammar.RawString, grammar.TextBlock:
		v, _ := grammar.Unquote(tok)
		return v
	case grammar.Number:
		if i, err := strconv.ParseInt(tok, 0, 64); err == nil {
			if int64(int(i)) == i {
				return int(i)
			}
			return i
		}
		if f, err := strconv.ParseFloat(tok, 64); err == nil {
			return f
		}
		return tok
	case grammar.Ident:
		switch tok {
		case "true":
			return true
		case "false":
			return false
		case "null":
			return nil
		}
	}
	return tok
}

// test adds an example event to a rule. Tests are named like the Sigma
// reader names sigma-test's testcases: "match 1", "dont-match 1", ...
func (p *program) test(s *source, st *grammar.Stmt, r *rule.Rule) {
	t := st.Test
	if !t.Event.IsMap {
		s.errorf(rule.ErrSchema, t.Event.Pos, "a test event is a map of fields: test %s {Image: `C:\\x.exe`}", t.Kind)
		return
	}
	var b strings.Builder
	if !p.eventJSON(s, &b, t.Event, 0) {
		return
	}
	kind, match := "match", t.Kind == "match"
	if !match {
		kind = "dont-match"
	}
	n := 1
	for _, x := range r.Tests {
		if x.Match == match {
			n++
		}
	}
	r.Tests = append(r.Tests, rule.Test{Name: fmt.Sprintf("%s %d", kind, n), Event: b.String(), Match: match, Pos: s.pos(t.Event.Pos)})
}

// eventJSON writes a literal as JSON, keeping the order of keys.
func (p *program) eventJSON(s *source, b *strings.Builder, l *grammar.Literal, depth int) bool {
	if depth > 32 {
		s.errorf(rule.ErrLimit, l.Pos, "test event nests deeper than 32 levels")
		return false
	}
	ok := true
	switch {
	case l.IsMap:
		b.WriteByte('{')
		seen := map[string]bool{}
		for i, e := range l.Entries {
			k, _ := grammar.Unquote(e.Key)
			if seen[k] {
				s.errorf(rule.ErrSchema, e.Pos, "field %s is given twice in this event", e.Key)
				ok = false
			}
			seen[k] = true
			if i > 0 {
				b.WriteByte(',')
			}
			kj, _ := json.Marshal(k)
			b.Write(kj)
			b.WriteByte(':')
			ok = p.eventJSON(s, b, e.Value, depth+1) && ok
		}
		b.WriteByte('}')
	case l.IsList:
		b.WriteByte('[')
		for i, it := range l.Items {
			if i > 0 {
				b.WriteByte(',')
			}
			ok = p.eventJSON(s, b, it, depth+1) && ok
		}
		b.WriteByte(']')
	default:
		tok := l.Scalar.Tok
		switch tokType(tok) {
		case grammar.String, grammar.RawString, grammar.TextBlock:
			v, _ := grammar.Unquote(tok)
			j, _ := json.Marshal(v)
			b.Write(j)
		case grammar.Number:
			if json.Valid([]byte(tok)) {
				b.WriteString(tok)
			} else if f, isNum := rule.ParseNumber(tok); isNum {
				b.WriteString(strconv.FormatFloat(f, 'f', -1, 64))
			}
		default:
			switch tok {
			case "true", "false", "null":
				b.WriteString(tok)
			default:
				s.errorf(rule.ErrValue, l.Pos, "%s in a test event: strings are quoted (\"%s\")", tok, tok)
				ok = false
			}
		}
	}
	return ok
}

// ---- rules and exclusions

// blockParts is what rules and excludes share.
type blockParts struct {
	sels     []*rule.Selection
	selStmts []*grammar.Stmt
	cond     *grammar.Stmt
}

func (p *program) selections(s *source, d *decl, b *grammar.Block, what string) *blockParts {
	bp := &blockParts{}
	seen := map[string]*grammar.Stmt{}
	for _, name := range d.brokenSels {
		bp.sels = append(bp.sels, &rule.Selection{Name: name})
	}
	for _, st := range b.Stmts {
		if st.Selection == nil {
			continue
		}
		name, _ := grammar.Unquote(st.Selection.Name)
		if first, dup := seen[name]; dup {
			s.errorf(rule.ErrSchema, st.Pos, "selection %s is already defined in this %s (line %d)", name, what, first.Pos.Line)
			continue
		}
		seen[name] = st
		c := &ctx{s: s, scope: inSelection, sel: name}
		e := p.expr(c, st.Selection.Expr)
		// A broken selection keeps its name, so that the condition does
		// not report it as undefined on top of the real error.
		bp.sels = append(bp.sels, &rule.Selection{Name: name, Expr: e, Pos: s.pos(st.Pos)})
		bp.selStmts = append(bp.selStmts, st)
	}
	return bp
}

func (p *program) condition(s *source, bp *blockParts) rule.Expr {
	c := &ctx{s: s, scope: inCondition, sels: map[string]bool{}}
	for _, sel := range bp.sels {
		c.sels[sel.Name] = true
		c.order = append(c.order, sel.Name)
	}
	return p.expr(c, bp.cond.Condition.Expr)
}

func (p *program) rule(s *source, d *decl) *rule.Rule {
	b := d.Rule
	r := &rule.Rule{Pos: s.pos(d.Pos)}
	r.Title, _ = grammar.Unquote(b.Title)
	if strings.TrimSpace(r.Title) == "" {
		s.errorf(rule.ErrSchema, b.Pos, "rule has no title")
	}
	a := &attrs{s: s, what: "a rule", known: ruleAttrs, seen: map[string]*grammar.Stmt{}}
	bp := p.selections(s, d, b, "rule")
	for _, st := range b.Stmts {
		switch {
		case st.Attr != nil:
			if !a.check(st) {
				continue
			}
			p.ruleAttr(s, st, r)
		case st.Logsource != nil:
			if first, dup := a.seen["logsource"]; dup {
				s.errorf(rule.ErrSchema, st.Pos, "logsource is given twice in a rule (first at line %d)", first.Pos.Line)
				continue
			}
			a.seen["logsource"] = st
			p.logsource(s, st, &r.Logsource)
		case st.Custom != nil:
			if r.Custom == nil {
				r.Custom = map[string]any{}
			}
			k, _ := grammar.Unquote(st.Custom.Key)
			if _, dup := r.Custom[k]; dup {
				s.errorf(rule.ErrSchema, st.Pos, "custom %s is given twice", k)
				continue
			}
			r.Custom[k] = p.literal(s, st.Custom.Value)
		case st.Test != nil:
			p.test(s, st, r)
		case st.Condition != nil:
			if st.Condition.Keyword != "condition" {
				s.errorf(rule.ErrSchema, st.Pos, "a rule has a condition, not when (when belongs to exclude blocks)")
				continue
			}
			if bp.cond != nil {
				s.errorf(rule.ErrSchema, st.Pos, "condition is given twice in a rule (first at line %d)", bp.cond.Pos.Line)
				continue
			}
			bp.cond = st
		}
	}
	r.Selections = bp.sels
	if bp.cond == nil {
		// In a block with statements that did not parse, the condition
		// may be one of them.
		if !d.broken {
			s.errorf(rule.ErrSchema, b.Pos, "rule %q has no condition", r.Title)
		}
		return r
	}
	r.Condition = p.condition(s, bp)
	return r
}

func (p *program) ruleAttr(s *source, st *grammar.Stmt, r *rule.Rule) {
	key := st.Attr.Key
	single := func(names bool) string {
		v, _ := scalarText(s, one(s, st), key, names)
		return v
	}
	switch key {
	case "id":
		r.ID = single(true)
	case "name":
		r.Name = single(true)
	case "status":
		r.Status = single(true)
	case "level":
		sc := one(s, st)
		v, ok := scalarText(s, sc, key, true)
		if !ok {
			return
		}
		r.Level = rule.Level(v)
		if r.Level.Rank() == 0 {
			msg := fmt.Sprintf("unknown level %q: use informational, low, medium, high or critical", v)
			if sg := suggest(v, []string{"informational", "low", "medium", "high", "critical"}); sg != "" {
				msg = fmt.Sprintf("unknown level %q; did you mean %s?", v, sg)
			}
			s.errorf(rule.ErrSchema, sc.Pos, "%s", msg)
		}
	case "description":
		r.Description = single(false)
	case "author":
		r.Author = single(false)
	case "date":
		r.Date = date(s, st, false)
	case "modified":
		r.Modified = date(s, st, false)
	case "references":
		r.References = texts(s, st, false)
	case "tags":
		r.Tags = texts(s, st, true)
	case "falsepositives":
		r.FalsePositives = texts(s, st, false)
	case "fields":
		r.Fields = texts(s, st, true)
	case "action":
		r.Actions = texts(s, st, true)
	}
}

func (p *program) exclude(s *source, d *decl) *rule.Exclusion {
	b := d.Exclude
	x := &rule.Exclusion{Pos: s.pos(d.Pos)}
	x.Title, _ = grammar.Unquote(b.Title)
	a := &attrs{s: s, what: "an exclude", known: excludeAttrs, seen: map[string]*grammar.Stmt{}}
	bp := p.selections(s, d, b, "exclude")
	for _, st := range b.Stmts {
		switch {
		case st.Attr != nil:
			if !a.check(st) {
				continue
			}
			p.excludeAttr(s, st, x)
		case st.Logsource != nil:
			if first, dup := a.seen["logsource"]; dup {
				s.errorf(rule.ErrSchema, st.Pos, "logsource is given twice in an exclude (first at line %d)", first.Pos.Line)
				continue
			}
			a.seen["logsource"] = st
			p.logsource(s, st, &x.Logsource)
		case st.Custom != nil:
			s.errorf(rule.ErrSchema, st.Pos, "an exclude has no custom attributes")
		case st.Test != nil:
			s.errorf(rule.ErrSchema, st.Pos, "an exclude has no tests; attach tests to the rules")
		case st.Condition != nil:
			if st.Condition.Keyword != "when" {
				s.errorf(rule.ErrSchema, st.Pos, "an exclude says when it applies with when, not condition")
				continue
			}
			if bp.cond != nil {
				s.errorf(rule.ErrSchema, st.Pos, "when is given twice in an exclude (first at line %d)", bp.cond.Pos.Line)
				continue
			}
			bp.cond = st
		}
	}
	x.Selections = bp.sels
	if !x.AllRules && len(x.Rules) == 0 && len(x.Tags) == 0 && !d.broken {
		s.errorf(rule.ErrSchema, b.Pos, "exclude %q names no rules: give rules \"id\", ..., tags a.b, ... or rules * for every rule", x.Title)
	}
	if bp.cond == nil {
		if !d.broken {
			s.errorf(rule.ErrSchema, b.Pos, "exclude %q has no when condition", x.Title)
		}
		return x
	}
	x.When = p.condition(s, bp)
	return x
}

func (p *program) excludeAttr(s *source, st *grammar.Stmt, x *rule.Exclusion) {
	key := st.Attr.Key
	single := func(names bool) string {
		v, _ := scalarText(s, one(s, st), key, names)
		return v
	}
	switch key {
	case "id":
		x.ID = single(true)
	case "description":
		x.Description = single(false)
	case "reason":
		x.Reason = single(false)
	case "author":
		x.Author = single(false)
	case "date":
		x.Date = date(s, st, false)
	case "expires":
		x.Expires = date(s, st, true)
	case "tags":
		x.Tags = texts(s, st, true)
	case "rules":
		for _, sc := range st.Attr.Values {
			if sc.Tok == "*" {
				if len(st.Attr.Values) > 1 {
					s.errorf(rule.ErrSchema, sc.Pos, "rules * means every rule: it cannot be combined with rule ids")
					continue
				}
				x.AllRules = true
				continue
			}
			if v, ok := scalarText(s, sc, key, true); ok {
				x.Rules = append(x.Rules, v)
			}
		}
	}
}
