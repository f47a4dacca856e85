package sigma

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/tanchi-dev/tanchi/rule"
)

// maxDNFTerms bounds how many alternatives a selection may be expanded
// into when it is written as a list of field maps.
const maxDNFTerms = 256

// Marshal writes rules, exclusions and correlations as Sigma YAML, one
// document each, separated by "---". Reading the output back gives rules
// that match the same events.
//
// Sigma cannot say everything the model can. What it cannot say is an
// error naming the construct and its position (the error is a
// rule.ErrorList of code rule.ErrUnsupported) and the document it belongs
// to is left out; the others are still written:
//   - raw CEL conditions;
//   - exclusions scoped by tags or to every rule (Sigma filters name rules),
//     and a reason beside a different description;
//   - selections that need more than 256 field maps, or that compare one
//     field with the same modifiers twice under one "and".
//
// Actions are written as the attribute actions and an exclusion's expiry
// date as the filter attribute expires, which tanchi's reader reads back; attached tests as sigma-test's testcases attribute.
// Comparisons written inside a condition (the DSL allows them) become
// selections of their own; macros and lists arrive here already expanded.
func Marshal(set *rule.Set) ([]byte, error) {
	w := &sigmaWriter{}
	var docs []*yaml.Node
	for _, r := range set.Rules {
		if n := w.rule(r); n != nil {
			docs = append(docs, n)
		}
	}
	for _, x := range set.Exclusions {
		if n := w.filter(x); n != nil {
			docs = append(docs, n)
		}
	}
	for _, c := range set.Correlations {
		docs = append(docs, w.correlation(c))
	}
	var buf bytes.Buffer
	for i, d := range docs {
		if i > 0 {
			buf.WriteString("---\n")
		}
		enc := yaml.NewEncoder(&buf)
		enc.SetIndent(4)
		if err := enc.Encode(d); err != nil {
			w.errs = append(w.errs, rule.Errorf(rule.ErrUnsupported, rule.Pos{}, "YAML: %v", err))
		}
		enc.Close()
	}
	w.errs.Sort()
	return buf.Bytes(), w.errs.Err()
}

type sigmaWriter struct {
	errs rule.ErrorList
}

func (w *sigmaWriter) errorf(id string, pos rule.Pos, format string, args ...any) {
	e := rule.Errorf(rule.ErrUnsupported, pos, format, args...)
	e.RuleID = id
	w.errs = append(w.errs, e)
}

// ---- YAML nodes

func str(s string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
	if strings.Contains(s, "\n") {
		n.Style = yaml.LiteralStyle
	}
	return n
}

// quoted is a string value of a detection: single-quoted like SigmaHQ's
// rules, so that backslashes read as written.
func quoted(s string) *yaml.Node {
	n := str(s)
	if n.Style == 0 {
		n.Style = yaml.SingleQuotedStyle
	}
	return n
}

func seq(items ...*yaml.Node) *yaml.Node {
	return &yaml.Node{Kind: yaml.SequenceNode, Content: items}
}

func strSeq(vals []string) *yaml.Node {
	n := seq()
	for _, v := range vals {
		n.Content = append(n.Content, str(v))
	}
	return n
}

type mapNode struct{ n *yaml.Node }

func newMap() *mapNode { return &mapNode{&yaml.Node{Kind: yaml.MappingNode}} }

func (m *mapNode) add(key string, v *yaml.Node) {
	m.n.Content = append(m.n.Content, str(key), v)
}

func (m *mapNode) addStr(key, v string) {
	if v != "" {
		m.add(key, str(v))
	}
}

// addDate writes a date: plain when it is one (2024-01-31), as Sigma
// rules write it, else as a string.
func (m *mapNode) addDate(key, v string) {
	if v == "" {
		return
	}
	if _, err := time.Parse(time.DateOnly, v); err == nil {
		m.add(key, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!timestamp", Value: v})
		return
	}
	m.addStr(key, v)
}

func (m *mapNode) addList(key string, vals []string) {
	if len(vals) > 0 {
		m.add(key, strSeq(vals))
	}
}

func (m *mapNode) has(key string) bool {
	for i := 0; i < len(m.n.Content); i += 2 {
		if m.n.Content[i].Value == key {
			return true
		}
	}
	return false
}

func valueNode(v rule.Value) *yaml.Node {
	switch v.Kind {
	case rule.Null:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
	case rule.Bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: v.S}
	case rule.Number:
		tag := "!!float"
		if _, err := strconv.ParseInt(strings.ReplaceAll(v.S, "_", ""), 0, 64); err == nil {
			tag = "!!int"
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: v.S}
	}
	return quoted(v.S)
}

func logsourceNode(l rule.Logsource) *yaml.Node {
	m := newMap()
	m.addStr("product", l.Product)
	m.addStr("category", l.Category)
	m.addStr("service", l.Service)
	m.addStr("definition", l.Definition)
	return m.n
}

// ---- rules

func (w *sigmaWriter) rule(r *rule.Rule) *yaml.Node {
	before := len(w.errs)
	m := newMap()
	m.add("title", str(r.Title))
	m.addStr("id", r.ID)
	m.addStr("name", r.Name)
	m.addStr("status", r.Status)
	m.addStr("description", r.Description)
	m.addList("references", r.References)
	m.addStr("author", r.Author)
	m.addDate("date", r.Date)
	m.addDate("modified", r.Modified)
	m.addList("tags", r.Tags)
	m.add("logsource", logsourceNode(r.Logsource))
	det := w.detection(r.ID, r.Selections, r.Condition, r.Pos)
	if det != nil {
		m.add("detection", det)
	}
	m.addList("fields", r.Fields)
	m.addList("falsepositives", r.FalsePositives)
	m.addStr("level", string(r.Level))
	m.addList("actions", r.Actions)
	if len(r.Tests) > 0 {
		if n := w.tests(r); n != nil {
			m.add(testcasesKey, n)
		}
	}
	keys := make([]string, 0, len(r.Custom))
	for k := range r.Custom {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if m.has(k) || knownAttrs[k] {
			w.errorf(r.ID, r.Pos, "rule %q: custom attribute %q clashes with a Sigma attribute", r.Title, k)
			continue
		}
		var n yaml.Node
		if err := n.Encode(r.Custom[k]); err != nil {
			w.errorf(r.ID, r.Pos, "rule %q: custom attribute %q: %v", r.Title, k, err)
			continue
		}
		m.add(k, &n)
	}
	if len(w.errs) > before {
		return nil
	}
	return m.n
}

// tests writes attached tests the way sigma-test reads them.
func (w *sigmaWriter) tests(r *rule.Rule) *yaml.Node {
	var match, dont []*yaml.Node
	for _, t := range r.Tests {
		var ev any
		dec := json.NewDecoder(strings.NewReader(t.Event))
		dec.UseNumber()
		if err := dec.Decode(&ev); err != nil {
			w.errorf(r.ID, t.Pos, "test %q: event is not JSON: %v", t.Name, err)
			return nil
		}
		var n yaml.Node
		if err := n.Encode(jsonToYAML(ev)); err != nil {
			w.errorf(r.ID, t.Pos, "test %q: %v", t.Name, err)
			return nil
		}
		if t.Match {
			match = append(match, &n)
		} else {
			dont = append(dont, &n)
		}
	}
	m := newMap()
	if len(match) > 0 {
		m.add("match", seq(match...))
	}
	if len(dont) > 0 {
		m.add("dont-match", seq(dont...))
	}
	return m.n
}

// jsonToYAML turns json.Number into ints and floats so that YAML writes
// them as numbers.
func jsonToYAML(v any) any {
	switch v := v.(type) {
	case json.Number:
		if i, err := v.Int64(); err == nil {
			return i
		}
		f, _ := v.Float64()
		return f
	case []any:
		for i := range v {
			v[i] = jsonToYAML(v[i])
		}
	case map[string]any:
		for k := range v {
			v[k] = jsonToYAML(v[k])
		}
	}
	return v
}

// ---- detections

// detection writes selections and a condition. Comparisons written in the
// condition become selections named inline_N.
func (w *sigmaWriter) detection(id string, sels []*rule.Selection, cond rule.Expr, pos rule.Pos) *yaml.Node {
	if cond == nil {
		w.errorf(id, pos, "no condition")
		return nil
	}
	m := newMap()
	names := map[string]bool{}
	var order []string
	for _, s := range sels {
		names[s.Name] = true
		order = append(order, s.Name)
	}
	cw := &condWriter{w: w, id: id, names: names}
	for _, s := range sels {
		n := w.selection(id, s.Name, s.Expr, s.Pos)
		if n == nil {
			continue
		}
		m.add(s.Name, n)
	}
	// Write the condition first: it may add selections.
	c := cw.expr(cond)
	for _, extra := range cw.extra {
		n := w.selection(id, extra.Name, extra.Expr, extra.Pos)
		if n != nil {
			m.add(extra.Name, n)
		}
		order = append(order, extra.Name)
	}
	// 1 of / all of patterns must still mean the selections they meant.
	c = cw.fixPatterns(c, order)
	m.add("condition", str(c))
	return m.n
}

// selection writes a selection: a field map (and), a list of field maps
// (or), or a list of keywords.
func (w *sigmaWriter) selection(id, name string, e rule.Expr, pos rule.Pos) *yaml.Node {
	terms, err := dnf(e)
	if err != nil {
		w.errorf(id, pos, "selection %s: %v", name, err)
		return nil
	}
	if len(terms) == 1 {
		if kw := keywordOnly(terms[0]); kw != nil {
			return valuesSeq(kw.Values)
		}
		return w.fieldMap(id, name, terms[0])
	}
	list := seq()
	for _, t := range terms {
		if kw := keywordOnly(t); kw != nil {
			list.Content = append(list.Content, valuesSeq(kw.Values).Content...)
			continue
		}
		fm := w.fieldMap(id, name, t)
		if fm == nil {
			return nil
		}
		list.Content = append(list.Content, fm)
	}
	return list
}

func keywordOnly(t []*rule.Match) *rule.Match {
	if len(t) == 1 && t[0].Field == "" && !t[0].All {
		return t[0]
	}
	return nil
}

func valuesSeq(vals []rule.Value) *yaml.Node {
	n := seq()
	for _, v := range vals {
		n.Content = append(n.Content, valueNode(v))
	}
	return n
}

func (w *sigmaWriter) fieldMap(id, name string, t []*rule.Match) *yaml.Node {
	m := newMap()
	for _, x := range t {
		key := strings.Join(append([]string{x.Field}, modifiers(x)...), "|")
		if m.has(key) {
			w.errorf(id, x.Pos, "selection %s compares %s twice under one and, which one Sigma field map cannot say: split it into two selections", name, key)
			return nil
		}
		if len(x.Values) == 1 {
			m.add(key, valueNode(x.Values[0]))
		} else {
			m.add(key, valuesSeq(x.Values))
		}
	}
	return m.n
}

// modifiers returns the modifier chain of a match: as written when known,
// else derived from its fields.
func modifiers(m *rule.Match) []string {
	if len(m.Modifiers) > 0 {
		return m.Modifiers
	}
	var mods []string
	if m.TimePart != "" {
		mods = append(mods, m.TimePart)
	}
	mods = append(mods, m.Transforms...)
	if m.Op != rule.OpEq {
		mods = append(mods, m.Op.String())
	}
	for _, f := range m.RegexFlags {
		mods = append(mods, string(f))
	}
	if m.FieldRef {
		mods = append(mods, "fieldref")
	}
	if m.Cased {
		mods = append(mods, "cased")
	}
	if m.All {
		mods = append(mods, "all")
	}
	if m.Neq {
		mods = append(mods, "neq")
	}
	return mods
}

// dnf expands an and/or tree of matches into alternatives of conjunctions.
func dnf(e rule.Expr) ([][]*rule.Match, error) {
	switch e := e.(type) {
	case *rule.Match:
		return [][]*rule.Match{{e}}, nil
	case *rule.Or:
		var out [][]*rule.Match
		for _, a := range e.Args {
			t, err := dnf(a)
			if err != nil {
				return nil, err
			}
			out = append(out, t...)
			if len(out) > maxDNFTerms {
				return nil, fmt.Errorf("needs more than %d field maps in Sigma", maxDNFTerms)
			}
		}
		return out, nil
	case *rule.And:
		out := [][]*rule.Match{{}}
		for _, a := range e.Args {
			t, err := dnf(a)
			if err != nil {
				return nil, err
			}
			var next [][]*rule.Match
			for _, x := range out {
				for _, y := range t {
					next = append(next, append(append([]*rule.Match(nil), x...), y...))
				}
			}
			if len(next) > maxDNFTerms {
				return nil, fmt.Errorf("needs more than %d field maps in Sigma", maxDNFTerms)
			}
			out = next
		}
		return out, nil
	case nil:
		return nil, fmt.Errorf("is empty")
	}
	return nil, fmt.Errorf("uses %s, which a Sigma selection cannot hold", describeExpr(e))
}

func describeExpr(e rule.Expr) string {
	switch e.(type) {
	case *rule.Not:
		return "not"
	case *rule.CEL:
		return "raw CEL"
	case *rule.Ref:
		return "a reference to a selection"
	case *rule.Of:
		return "1 of/all of"
	}
	return fmt.Sprintf("%T", e)
}

// fieldShaped reports whether e is comparisons joined by and/or.
func fieldShaped(e rule.Expr) bool {
	switch e := e.(type) {
	case *rule.Match:
		return true
	case *rule.And:
		for _, a := range e.Args {
			if !fieldShaped(a) {
				return false
			}
		}
		return true
	case *rule.Or:
		for _, a := range e.Args {
			if !fieldShaped(a) {
				return false
			}
		}
		return true
	}
	return false
}

type condWriter struct {
	w     *sigmaWriter
	id    string
	names map[string]bool
	extra []*rule.Selection
	ofs   []*rule.Of
}

// ofMarker stands for a 1 of / all of in the condition until the final
// selection list is known.
const ofMarker = "\x00of"

func (c *condWriter) expr(e rule.Expr) string {
	if fieldShaped(e) {
		name := c.newName()
		c.extra = append(c.extra, &rule.Selection{Name: name, Expr: e, Pos: e.Position()})
		return name
	}
	wrap := func(s string, x rule.Expr) string {
		switch x.(type) {
		case *rule.And, *rule.Or:
			if !fieldShaped(x) {
				return "(" + s + ")"
			}
		}
		return s
	}
	switch e := e.(type) {
	case *rule.And:
		parts := make([]string, len(e.Args))
		for i, a := range e.Args {
			parts[i] = wrap(c.expr(a), a)
		}
		return strings.Join(parts, " and ")
	case *rule.Or:
		parts := make([]string, len(e.Args))
		for i, a := range e.Args {
			s := c.expr(a)
			if _, ok := a.(*rule.Or); ok && !fieldShaped(a) {
				s = "(" + s + ")"
			}
			parts[i] = s
		}
		return strings.Join(parts, " or ")
	case *rule.Not:
		return "not " + wrap(c.expr(e.X), e.X)
	case *rule.Ref:
		if !conditionName(e.Name) {
			c.w.errorf(c.id, e.Pos, "selection name %q cannot be written in a Sigma condition", e.Name)
		}
		return e.Name
	case *rule.Of:
		c.ofs = append(c.ofs, e)
		return fmt.Sprintf("%s%d\x00", ofMarker, len(c.ofs)-1)
	case *rule.CEL:
		c.w.errorf(c.id, e.Pos, "raw CEL (cel %q) cannot be written in Sigma", e.Src)
		return "false"
	}
	c.w.errorf(c.id, e.Position(), "%s cannot be written in a Sigma condition", describeExpr(e))
	return "false"
}

func (c *condWriter) newName() string {
	if len(c.names) == 0 {
		c.names["selection"] = true
		return "selection"
	}
	for i := len(c.extra) + 1; ; i++ {
		n := "inline_" + strconv.Itoa(i)
		if !c.names[n] {
			c.names[n] = true
			return n
		}
	}
}

// fixPatterns replaces the of markers: by the pattern when it still
// selects the same selections, else by the selections themselves.
func (c *condWriter) fixPatterns(cond string, order []string) string {
	for i, o := range c.ofs {
		var got []string
		for _, n := range order {
			if o.Pattern == "them" {
				if !strings.HasPrefix(n, "_") {
					got = append(got, n)
				}
			} else if ok, _ := path.Match(escapeGlob(o.Pattern), n); ok {
				got = append(got, n)
			}
		}
		var s string
		switch {
		case slices.Equal(got, o.Names) && conditionName(strings.ReplaceAll(o.Pattern, "*", "x")):
			q := "1"
			if o.All {
				q = "all"
			}
			s = q + " of " + o.Pattern
		case len(o.Names) == 1:
			s = o.Names[0]
		default:
			sep := " or "
			if o.All {
				sep = " and "
			}
			s = "(" + strings.Join(o.Names, sep) + ")"
		}
		cond = strings.Replace(cond, fmt.Sprintf("%s%d\x00", ofMarker, i), s, 1)
	}
	return cond
}

// conditionName reports whether Sigma's condition lexer reads s as one
// identifier.
func conditionName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !isIdentRune(r) || r == '*' || r == '?' {
			return false
		}
	}
	switch strings.ToLower(s) {
	case "and", "or", "not", "of", "them", "all", "any", "1", "near":
		return false
	}
	return true
}

// ---- filters and correlations

func (w *sigmaWriter) filter(x *rule.Exclusion) *yaml.Node {
	before := len(w.errs)
	if x.AllRules {
		w.errorf(x.ID, x.Pos, "exclusion %q applies to every rule (rules *), which a Sigma filter cannot say: name the rules", x.Title)
	}
	if len(x.Tags) > 0 {
		w.errorf(x.ID, x.Pos, "exclusion %q is scoped by tags (%s), which a Sigma filter cannot say: name the rules", x.Title, strings.Join(x.Tags, ", "))
	}
	desc := x.Description
	switch {
	case desc == "":
		desc = x.Reason
	case x.Reason != "" && x.Reason != desc:
		w.errorf(x.ID, x.Pos, "exclusion %q has both a description and a different reason; a Sigma filter has only a description", x.Title)
	}
	m := newMap()
	m.add("title", str(x.Title))
	m.addStr("id", x.ID)
	m.addStr("description", desc)
	m.addStr("author", x.Author)
	m.addDate("date", x.Date)
	m.addDate("expires", x.Expires)
	if !x.Logsource.IsZero() || x.Logsource.Definition != "" {
		m.add("logsource", logsourceNode(x.Logsource))
	}
	// A Sigma filter's condition says when a match stays; the exclusion
	// suppresses when When holds.
	var cond rule.Expr = &rule.Not{X: x.When, Pos: x.Pos}
	if not, ok := x.When.(*rule.Not); ok {
		cond = not.X
	}
	if x.When == nil {
		cond = nil
	}
	det := w.detection(x.ID, x.Selections, cond, x.Pos)
	if det != nil {
		f := newMap()
		f.add("rules", strSeq(x.Rules))
		f.n.Content = append(f.n.Content, det.Content...)
		m.add("filter", f.n)
	}
	if len(w.errs) > before {
		return nil
	}
	return m.n
}

func (w *sigmaWriter) correlation(c *rule.Correlation) *yaml.Node {
	m := newMap()
	m.add("title", str(c.Title))
	m.addStr("id", c.ID)
	m.addStr("name", c.Name)
	cm := newMap()
	cm.addStr("type", c.Type)
	cm.addList("rules", c.Rules)
	cm.addList("group-by", c.GroupBy)
	cm.addStr("timespan", c.Timespan)
	if c.Condition != nil {
		var n yaml.Node
		if err := n.Encode(c.Condition); err == nil {
			cm.add("condition", &n)
		}
	}
	if c.Generate {
		cm.add("generate", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "true"})
	}
	m.add("correlation", cm.n)
	m.addStr("level", string(c.Level))
	return m.n
}
