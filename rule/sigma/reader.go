package sigma

import (
	"bytes"
	"errors"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/tanchi-dev/tanchi/rule"
)

// Limits that keep hostile input bounded.
const (
	// MaxFileSize is the largest rule file read.
	MaxFileSize = 16 << 20
	// maxYAMLNodes bounds the nodes of one document (YAML aliases can
	// otherwise expand a small file into a huge tree).
	maxYAMLNodes = 1_000_000
	// maxYAMLReparse bounds the bytes parsed again, per file, to find where
	// a YAML syntax error is.
	maxYAMLReparse = 1 << 20
)

// Parse reads every YAML document in src. file names the source in
// positions. The returned set holds everything that loaded; the error, when
// not nil, is a rule.ErrorList with every problem found.
func Parse(file string, src []byte) (*rule.Set, error) {
	set := &rule.Set{Files: 1}
	if len(src) > MaxFileSize {
		e := rule.Errorf(rule.ErrLimit, rule.Pos{File: file, Line: 1, Col: 1}, "file of %d bytes exceeds the %d byte limit", len(src), MaxFileSize)
		return set, rule.ErrorList{e}
	}
	p := &parser{file: file, src: src, lines: splitLines(src), reparse: maxYAMLReparse}
	// A YAML syntax error ends the decoder; reading resumes at the next
	// document marker so that one broken document does not hide the rules
	// after it; p.base counts the lines before the decoder's input.
	dec := yaml.NewDecoder(bytes.NewReader(src))
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line := p.yamlError(err)
			next := nextDocument(p.lines, max(line-1, p.base+1))
			if line == 0 || next < 0 {
				break
			}
			p.base = next
			dec = yaml.NewDecoder(bytes.NewReader(src[p.offset(next):]))
			continue
		}
		p.document(&n, set)
	}
	return set, p.finish()
}

// nextDocument returns the index of the first line at or after from that
// starts a YAML document ("---"), or -1.
func nextDocument(lines []string, from int) int {
	for i := from; i < len(lines); i++ {
		l := strings.TrimRight(lines[i], "\r")
		if l == "---" || strings.HasPrefix(l, "--- ") || strings.HasPrefix(l, "---\t") {
			return i
		}
	}
	return -1
}

type parser struct {
	file    string
	src     []byte
	lines   []string
	offs    []int // byte offset of each line
	base    int   // lines of src before the current YAML decoder's input
	reparse int   // bytes left for locating YAML errors
	errs    rule.ErrorList
}

// offset is the byte offset of line i (0-based), at most len(src).
func (p *parser) offset(i int) int {
	if p.offs == nil {
		p.offs = make([]int, len(p.lines)+1)
		for j, l := range p.lines {
			p.offs[j+1] = p.offs[j] + len(l) + 1
		}
	}
	return min(p.offs[min(i, len(p.lines))], len(p.src))
}

func splitLines(src []byte) []string {
	return strings.Split(string(src), "\n")
}

func (p *parser) finish() error {
	for _, e := range p.errs {
		if e.Source == "" && e.Pos.Line > 0 && e.Pos.Line <= len(p.lines) {
			e.Source = p.lines[e.Pos.Line-1]
		}
	}
	p.errs.Sort()
	return p.errs.Err()
}

var yamlLineRE = regexp.MustCompile(`line (\d+)(?:, column (\d+))?`)

// yamlError reports a YAML syntax error and returns its line in the file, or
// 0 when the error names no line. yaml.v3 reports the line of the construct
// being read when the error happened (and, for parser errors, 0-based), so
// the position is narrowed down here to what the person has to fix.
func (p *parser) yamlError(err error) int {
	pos := rule.Pos{File: p.file, Line: p.base + 1, Col: 1, Offset: -1}
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line, col := 0, 0
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		if m[2] != "" {
			col, _ = strconv.Atoi(m[2])
		}
		msg = strings.TrimSpace(yamlLineRE.ReplaceAllString(msg, ""))
		msg = strings.TrimPrefix(strings.TrimPrefix(msg, ":"), " ")
	}
	if line > 0 && col > 0 {
		pos.Line, pos.Col = p.base+line, col
	} else if line > 0 {
		switch {
		case yamlBlockErrors[msg]:
			line = p.yamlProblemLine(line, msg)
			msg += " (is this line indented right?)"
		case yamlParserErrors[msg]:
			line++
		}
		pos.Line = p.base + line
		if pos.Line <= len(p.lines) {
			text := strings.TrimRight(p.lines[pos.Line-1], "\r")
			indent := text[:len(text)-len(strings.TrimLeft(text, " \t"))]
			col := func(i int) int { return utf8.RuneCountInString(text[:i]) + 1 }
			pos.Col = col(len(indent))
			switch msg {
			case "found character that cannot start any token":
				if i := strings.IndexByte(indent, '\t'); i >= 0 {
					pos.Col = col(i)
					msg = "tab character in indentation; YAML indents with spaces"
				} else if i := strings.IndexAny(text, "@`"); i >= 0 {
					pos.Col = col(i)
				}
			case "found unexpected end of stream", "found unexpected document indicator":
				if i := unclosedQuote(text); i >= 0 {
					pos.Col = col(i)
					msg = "quoted string is not closed (" + msg + ")"
				}
			}
		}
	}
	p.errs = append(p.errs, rule.Errorf(rule.ErrSyntax, pos, "invalid YAML: %s", msg))
	if line == 0 {
		return 0
	}
	return pos.Line
}

// yamlParserErrors are the messages of yaml.v3's parser (as opposed to its
// scanner), which it reports at the 0-based line of the enclosing construct.
var yamlParserErrors = map[string]bool{
	"did not find expected <stream-start>":   true,
	"did not find expected <document start>": true,
	"found undefined tag handle":             true,
	"did not find expected node content":     true,
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"found duplicate %YAML directive":        true,
	"found incompatible YAML document":       true,
	"found duplicate %TAG directive":         true,
}

// yamlBlockErrors are the parser errors of a badly indented block; the
// enclosing block can start many lines above the mistake.
var yamlBlockErrors = map[string]bool{
	"did not find expected key":           true,
	"did not find expected '-' indicator": true,
}

// yamlProblemLine finds the line of a block error that yaml.v3 reported at
// line (0-based, relative to the decoder's input): the first line that makes
// the input up to it fail with the same message. The search is bounded; when
// it gives up, the (1-based) line of the enclosing block is returned.
func (p *parser) yamlProblemLine(line int, msg string) int {
	const maxLines = 1000
	n := len(p.lines) - p.base
	start := p.offset(p.base)
	for k := line + 1; k <= n && k <= line+maxLines; k++ {
		end := p.offset(p.base + k)
		if p.reparse -= end - start; p.reparse < 0 {
			break
		}
		dec := yaml.NewDecoder(bytes.NewReader(p.src[start:end]))
		for {
			var doc yaml.Node
			err := dec.Decode(&doc)
			if err == nil {
				continue
			}
			if !errors.Is(err, io.EOF) && strings.HasSuffix(err.Error(), ": "+msg) {
				return k
			}
			break
		}
	}
	return min(line+1, n)
}

// unclosedQuote returns the byte index of the quote that opens a quoted
// string not closed on line, or -1.
func unclosedQuote(line string) int {
	open, q := -1, byte(0)
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case q == 0 && (c == '\'' || c == '"'):
			open, q = i, c
		case q == '"' && c == '\\':
			i++
		case q == '\'' && c == '\'' && i+1 < len(line) && line[i+1] == '\'':
			i++
		case q != 0 && c == q:
			q = 0
		}
	}
	if q == 0 {
		return -1
	}
	return open
}

func (p *parser) pos(n *yaml.Node) rule.Pos {
	return rule.Pos{File: p.file, Line: p.base + n.Line, Col: n.Column, Offset: -1}
}

// posIn is the position of the byte offset off inside the text of scalar n,
// for single-line scalars; multi-line scalars fall back to the node.
func (p *parser) posIn(n *yaml.Node, off int) rule.Pos {
	pos := p.pos(n)
	if strings.ContainsRune(n.Value, '\n') || n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return pos
	}
	if n.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle) != 0 {
		pos.Col++
	}
	if off > len(n.Value) {
		off = len(n.Value)
	}
	pos.Col += utf8.RuneCountInString(n.Value[:off])
	return pos
}

func (p *parser) errorf(code rule.Code, n *yaml.Node, format string, args ...any) *rule.Error {
	e := rule.Errorf(code, p.pos(n), format, args...)
	p.errs = append(p.errs, e)
	return e
}

// field is one key/value pair of a mapping.
type field struct {
	key, val *yaml.Node
}

// mapping returns the pairs of a mapping node, reporting duplicate keys.
func (p *parser) mapping(n *yaml.Node) []field {
	n = resolve(n)
	if n.Kind != yaml.MappingNode {
		return nil
	}
	out := make([]field, 0, len(n.Content)/2)
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], resolve(n.Content[i+1])
		if first, dup := seen[k.Value]; dup {
			p.errorf(rule.ErrSyntax, k, "duplicate key %q (first at line %d)", k.Value, first.Line)
			continue
		}
		seen[k.Value] = k
		out = append(out, field{k, v})
	}
	return out
}

func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// countNodes counts the nodes of n with aliases expanded, stopping once the
// count passes limit. It walks without recursion, so that deep alias chains
// cannot exhaust the stack, and returns the alias that makes a cycle (an
// anchor used inside itself), which would expand without end.
func countNodes(n *yaml.Node, limit int) (int, *yaml.Node) {
	type frame struct {
		n *yaml.Node
		i int
	}
	stack := []frame{{n, 0}}
	open := map[*yaml.Node]bool{} // anchored nodes being walked
	if n.Anchor != "" {
		open[n] = true
	}
	c := 1
	for len(stack) > 0 && c <= limit {
		top := &stack[len(stack)-1]
		if top.i == len(top.n.Content) {
			delete(open, top.n)
			stack = stack[:len(stack)-1]
			continue
		}
		ch := top.n.Content[top.i]
		top.i++
		r := resolve(ch)
		if open[r] {
			return c, ch
		}
		if r.Anchor != "" {
			open[r] = true
		}
		c++
		stack = append(stack, frame{r, 0})
	}
	return c, nil
}

func (p *parser) document(n *yaml.Node, set *rule.Set) {
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return
		}
		n = n.Content[0]
	}
	n = resolve(n)
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return // empty document
	}
	if n.Kind != yaml.MappingNode {
		p.errorf(rule.ErrSchema, n, "a Sigma document must be a mapping, got a %s", kindName(n))
		return
	}
	if c, cycle := countNodes(n, maxYAMLNodes); cycle != nil {
		p.errorf(rule.ErrLimit, cycle, "alias *%s is used inside its own anchor and expands without end", cycle.Value)
		return
	} else if c > maxYAMLNodes {
		p.errorf(rule.ErrLimit, n, "document expands to more than %d YAML nodes", maxYAMLNodes)
		return
	}
	top := map[string]field{}
	for _, f := range p.mapping(n) {
		top[f.key.Value] = f
	}
	switch {
	case top["correlation"].key != nil:
		if c := p.correlation(n, top); c != nil {
			set.Correlations = append(set.Correlations, c)
		}
	case top["filter"].key != nil:
		if x := p.filter(n, top); x != nil {
			set.Exclusions = append(set.Exclusions, x)
		}
	case top["detection"].key != nil:
		if r := p.rule(n, top); r != nil {
			set.Rules = append(set.Rules, r)
		}
	case top["action"].key != nil:
		f := top["action"]
		p.errorf(rule.ErrUnsupported, f.val, "Sigma 1 rule collections (action: %s) are not supported; write each rule as its own document", f.val.Value)
	default:
		p.errorf(rule.ErrSchema, n, "document has none of detection, filter or correlation")
	}
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	case yaml.ScalarNode:
		return "scalar"
	}
	return "node"
}

// Known top-level attributes; everything else goes to Rule.Custom.
var knownAttrs = map[string]bool{
	"title": true, "id": true, "name": true, "status": true, "description": true, "references": true,
	"author": true, "date": true, "modified": true, "tags": true, "logsource": true, "detection": true,
	"falsepositives": true, "level": true, "fields": true, "actions": true,
}

func (p *parser) str(f field) string {
	if f.val == nil {
		return ""
	}
	if f.val.Kind != yaml.ScalarNode {
		p.errorf(rule.ErrSchema, f.val, "%s must be a string, got a %s", f.key.Value, kindName(f.val))
		return ""
	}
	if f.val.Tag == "!!null" {
		return ""
	}
	return f.val.Value
}

func (p *parser) strList(f field) []string {
	if f.val == nil {
		return nil
	}
	switch f.val.Kind {
	case yaml.ScalarNode:
		if f.val.Tag == "!!null" {
			return nil
		}
		return []string{f.val.Value}
	case yaml.SequenceNode:
		out := make([]string, 0, len(f.val.Content))
		for _, c := range f.val.Content {
			c = resolve(c)
			if c.Kind != yaml.ScalarNode {
				p.errorf(rule.ErrSchema, c, "%s must be a list of strings", f.key.Value)
				continue
			}
			out = append(out, c.Value)
		}
		return out
	}
	p.errorf(rule.ErrSchema, f.val, "%s must be a string or a list of strings", f.key.Value)
	return nil
}

func (p *parser) logsource(f field) rule.Logsource {
	ls := rule.Logsource{}
	if f.val == nil {
		return ls
	}
	ls.Pos = p.pos(f.key)
	if f.val.Kind != yaml.MappingNode {
		p.errorf(rule.ErrSchema, f.val, "logsource must be a mapping")
		return ls
	}
	for _, g := range p.mapping(f.val) {
		switch g.key.Value {
		case "product":
			ls.Product = p.str(g)
		case "category":
			ls.Category = p.str(g)
		case "service":
			ls.Service = p.str(g)
		case "definition":
			ls.Definition = p.str(g)
		}
	}
	return ls
}

func (p *parser) rule(n *yaml.Node, top map[string]field) *rule.Rule {
	before := len(p.errs)
	r := &rule.Rule{Pos: p.pos(n)}
	r.Title = p.str(top["title"])
	r.ID = p.str(top["id"])
	r.Name = p.str(top["name"])
	r.Status = p.str(top["status"])
	r.Description = p.str(top["description"])
	r.References = p.strList(top["references"])
	r.Author = p.str(top["author"])
	r.Date = p.str(top["date"])
	r.Modified = p.str(top["modified"])
	r.Tags = p.strList(top["tags"])
	r.FalsePositives = p.strList(top["falsepositives"])
	r.Fields = p.strList(top["fields"])
	r.Actions = p.strList(top["actions"])
	r.Level = rule.Level(p.str(top["level"]))
	r.Logsource = p.logsource(top["logsource"])
	if r.Title == "" && top["title"].key == nil {
		p.errorf(rule.ErrSchema, n, "rule has no title")
	}
	if top["logsource"].key == nil {
		p.errorf(rule.ErrSchema, n, "rule %q has no logsource", r.Title)
	}
	switch r.Level {
	case "", rule.LevelInformational, rule.LevelLow, rule.LevelMedium, rule.LevelHigh, rule.LevelCritical:
	default:
		p.errorf(rule.ErrSchema, top["level"].val, "unknown level %q: use informational, low, medium, high or critical", r.Level)
	}
	for k, f := range top {
		if knownAttrs[k] {
			continue
		}
		var v any
		if err := f.val.Decode(&v); err == nil {
			if r.Custom == nil {
				r.Custom = map[string]any{}
			}
			r.Custom[k] = v
		}
	}
	p.ruleTests(r, top)
	r.Selections, r.Condition = p.detection(top["detection"], "detection")
	return keep(p, r.ID, before, r)
}

// keep tags new errors with the rule id and returns r only when no error
// was found for it.
func keep[T any](p *parser, id string, before int, v *T) *T {
	for _, e := range p.errs[before:] {
		e.RuleID = id
	}
	if len(p.errs) > before {
		return nil
	}
	return v
}

// detection reads the selections and the condition of a detection (or
// filter) mapping.
func (p *parser) detection(f field, what string) ([]*rule.Selection, rule.Expr) {
	if f.val == nil {
		return nil, nil
	}
	if f.val.Kind != yaml.MappingNode {
		p.errorf(rule.ErrSchema, f.val, "%s must be a mapping of selections and a condition", what)
		return nil, nil
	}
	var sels []*rule.Selection
	var cond field
	for _, g := range p.mapping(f.val) {
		switch g.key.Value {
		case "condition":
			cond = g
		case "timeframe":
			p.errorf(rule.ErrUnsupported, g.key, "timeframe in a detection is deprecated; use a correlation rule")
		case "rules":
			if what == "filter" {
				continue
			}
			fallthrough
		default:
			if e := p.selection(g); e != nil {
				sels = append(sels, &rule.Selection{Name: g.key.Value, Expr: e, Pos: p.pos(g.key)})
			} else {
				// Keep the name so the condition does not report it as
				// undefined on top of the real error.
				sels = append(sels, &rule.Selection{Name: g.key.Value, Pos: p.pos(g.key)})
			}
		}
	}
	if cond.key == nil {
		p.errorf(rule.ErrSchema, f.key, "%s has no condition", what)
		return sels, nil
	}
	names := make([]string, len(sels))
	ok := map[string]bool{}
	for i, s := range sels {
		names[i] = s.Name
		ok[s.Name] = true
	}
	var conds []rule.Expr
	var nodes []*yaml.Node
	switch cond.val.Kind {
	case yaml.ScalarNode:
		nodes = []*yaml.Node{cond.val}
	case yaml.SequenceNode:
		nodes = cond.val.Content
	default:
		p.errorf(rule.ErrSchema, cond.val, "condition must be a string or a list of strings")
		return sels, nil
	}
	if len(nodes) == 0 {
		p.errorf(rule.ErrCondition, cond.val, "empty condition")
	}
	for _, cn := range nodes {
		cn = resolve(cn)
		if cn.Kind != yaml.ScalarNode {
			p.errorf(rule.ErrSchema, cn, "condition must be a string")
			continue
		}
		cp := &conditionParser{
			src:    cn.Value,
			toks:   lexCondition(cn.Value),
			names:  names,
			refsOK: ok,
			pos:    func(off int) rule.Pos { return p.posIn(cn, off) },
		}
		e := cp.parse()
		if cp.err != nil {
			p.errs = append(p.errs, cp.err)
			continue
		}
		conds = append(conds, e)
	}
	switch len(conds) {
	case 0:
		return sels, nil
	case 1:
		return sels, conds[0]
	}
	return sels, &rule.Or{Args: conds, Pos: p.pos(cond.val)}
}

// selection reads one named selection: a mapping (fields joined by AND), a
// list (items joined by OR; plain values are keywords) or a single keyword.
func (p *parser) selection(g field) rule.Expr {
	n := g.val
	switch n.Kind {
	case yaml.MappingNode:
		return p.fieldMap(n)
	case yaml.SequenceNode:
		if len(n.Content) == 0 {
			p.errorf(rule.ErrValue, n, "selection %q is an empty list", g.key.Value)
			return nil
		}
		var args []rule.Expr
		var keywords []*yaml.Node
		for _, c := range n.Content {
			c = resolve(c)
			switch c.Kind {
			case yaml.MappingNode:
				if e := p.fieldMap(c); e != nil {
					args = append(args, e)
				}
			case yaml.ScalarNode:
				keywords = append(keywords, c)
			default:
				p.errorf(rule.ErrSchema, c, "selection list items must be values or mappings, got a nested list")
			}
		}
		if len(keywords) > 0 {
			if m := p.match(g.key, "", nil, keywords, n); m != nil {
				args = append([]rule.Expr{m}, args...)
			}
		}
		switch len(args) {
		case 0:
			return nil
		case 1:
			return args[0]
		}
		return &rule.Or{Args: args, Pos: p.pos(n)}
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			p.errorf(rule.ErrValue, n, "selection %q is empty", g.key.Value)
			return nil
		}
		if m := p.match(g.key, "", nil, []*yaml.Node{n}, n); m != nil {
			return m
		}
	}
	return nil
}

// fieldMap reads "Field|mod: value(s)" pairs joined by AND.
func (p *parser) fieldMap(n *yaml.Node) rule.Expr {
	pairs := p.mapping(n)
	if len(pairs) == 0 {
		p.errorf(rule.ErrValue, n, "empty mapping in a selection")
		return nil
	}
	var args []rule.Expr
	for _, f := range pairs {
		name, mods := splitKey(f.key.Value)
		var vals []*yaml.Node
		switch f.val.Kind {
		case yaml.ScalarNode:
			vals = []*yaml.Node{f.val}
		case yaml.SequenceNode:
			if len(f.val.Content) == 0 {
				p.errorf(rule.ErrValue, f.val, "field %q has an empty list of values", name)
				continue
			}
			for _, c := range f.val.Content {
				c = resolve(c)
				if c.Kind != yaml.ScalarNode {
					p.errorf(rule.ErrValue, c, "values of field %q must be scalars, got a %s", name, kindName(c))
					continue
				}
				vals = append(vals, c)
			}
		default:
			p.errorf(rule.ErrValue, f.val, "field %q: values must be a scalar or a list, got a %s", name, kindName(f.val))
			continue
		}
		if m := p.match(f.key, name, mods, vals, f.val); m != nil {
			args = append(args, m)
		}
	}
	switch len(args) {
	case 0:
		return nil
	case 1:
		return args[0]
	}
	return &rule.And{Args: args, Pos: p.pos(n)}
}

func splitKey(key string) (string, []string) {
	parts := strings.Split(key, "|")
	return parts[0], parts[1:]
}

// match builds a Match for a field (or keyword search when name is "")
// from its key node, modifiers and value nodes.
func (p *parser) match(key *yaml.Node, name string, mods []string, vals []*yaml.Node, valNode *yaml.Node) *rule.Match {
	m := &rule.Match{Field: name, Pos: p.pos(key)}
	if err := m.SetModifiers(mods); err != nil {
		var me *rule.ModifierError
		if errors.As(err, &me) {
			off := len(name)
			for i := 0; i < me.Index; i++ {
				off += 1 + len(mods[i])
			}
			e := rule.Errorf(rule.ErrModifier, p.posIn(key, off+1), "%s", me.Msg)
			p.errs = append(p.errs, e)
		} else {
			p.errorf(rule.ErrModifier, key, "%v", err)
		}
		return nil
	}
	if len(vals) > rule.MaxValues {
		p.errorf(rule.ErrLimit, valNode, "field %q has %d values, more than the limit of %d", name, len(vals), rule.MaxValues)
		return nil
	}
	for _, v := range vals {
		m.Values = append(m.Values, p.value(v))
	}
	if errs := m.Check(); len(errs) > 0 {
		p.errs = append(p.errs, errs...)
		return nil
	}
	return m
}

func (p *parser) value(n *yaml.Node) rule.Value {
	v := rule.Value{S: n.Value, Pos: p.pos(n)}
	switch n.ShortTag() {
	case "!!null":
		v.Kind, v.S = rule.Null, ""
	case "!!int", "!!float":
		v.Kind = rule.Number
	case "!!bool":
		v.Kind = rule.Bool
		if b, err := strconv.ParseBool(strings.ToLower(n.Value)); err == nil {
			v.S = strconv.FormatBool(b)
		}
	default:
		v.Kind = rule.String
	}
	return v
}

func (p *parser) filter(n *yaml.Node, top map[string]field) *rule.Exclusion {
	before := len(p.errs)
	x := &rule.Exclusion{Pos: p.pos(n)}
	x.Title = p.str(top["title"])
	x.ID = p.str(top["id"])
	x.Description = p.str(top["description"])
	x.Author = p.str(top["author"])
	x.Date = p.str(top["date"])
	x.Logsource = p.logsource(top["logsource"])
	// expires is tanchi's extension to Sigma filters (the learning mode
	// writes it): the filter stops applying after that day.
	if f := top["expires"]; f.key != nil {
		x.Expires = p.str(f)
		if _, err := time.Parse(time.DateOnly, x.Expires); err != nil {
			p.errorf(rule.ErrValue, f.val, "expires must be a date (YYYY-MM-DD), got %q", x.Expires)
		}
	}
	x.Reason = x.Description
	if x.Reason == "" {
		x.Reason = x.Title
	}
	f := top["filter"]
	if f.val.Kind != yaml.MappingNode {
		p.errorf(rule.ErrSchema, f.val, "filter must be a mapping with rules, selections and a condition")
		return nil
	}
	for _, g := range p.mapping(f.val) {
		if g.key.Value == "rules" {
			x.Rules = p.strList(g)
		}
	}
	if len(x.Rules) == 0 {
		p.errorf(rule.ErrSchema, f.key, "filter names no rules")
	}
	var cond rule.Expr
	x.Selections, cond = p.detection(f, "filter")
	// A Sigma filter's condition says what must hold for a match to stay;
	// the exclusion suppresses when it does not.
	if cond != nil {
		if not, ok := cond.(*rule.Not); ok {
			x.When = not.X
		} else {
			x.When = &rule.Not{X: cond, Pos: cond.Position()}
		}
	}
	return keep(p, x.ID, before, x)
}

func (p *parser) correlation(n *yaml.Node, top map[string]field) *rule.Correlation {
	before := len(p.errs)
	c := &rule.Correlation{Pos: p.pos(n)}
	c.Title = p.str(top["title"])
	c.ID = p.str(top["id"])
	c.Name = p.str(top["name"])
	c.Level = rule.Level(p.str(top["level"]))
	f := top["correlation"]
	if f.val.Kind != yaml.MappingNode {
		p.errorf(rule.ErrSchema, f.val, "correlation must be a mapping")
		return nil
	}
	for _, g := range p.mapping(f.val) {
		switch g.key.Value {
		case "type":
			c.Type = p.str(g)
		case "rules":
			c.Rules = p.strList(g)
		case "group-by":
			c.GroupBy = p.strList(g)
		case "timespan", "timeframe":
			c.Timespan = p.str(g)
		case "generate":
			c.Generate = g.val.Value == "true"
		case "condition":
			var m map[string]any
			if err := g.val.Decode(&m); err != nil {
				p.errorf(rule.ErrSchema, g.val, "correlation condition must be a mapping: %v", err)
			}
			c.Condition = m
		}
	}
	switch c.Type {
	case "event_count", "value_count", "temporal", "temporal_ordered", "value_sum", "value_avg", "value_percentile", "value_median":
	case "":
		p.errorf(rule.ErrSchema, f.key, "correlation has no type")
	default:
		p.errorf(rule.ErrSchema, f.key, "unknown correlation type %q", c.Type)
	}
	if len(c.Rules) == 0 {
		p.errorf(rule.ErrSchema, f.key, "correlation names no rules")
	}
	return keep(p, c.ID, before, c)
}
