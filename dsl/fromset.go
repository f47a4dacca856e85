package dsl

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tanchi-dev/tanchi/dsl/internal/grammar"
	"github.com/tanchi-dev/tanchi/rule"
)

// FromSet prints rules and exclusions in tanchi's language, in the
// canonical layout. Parsing the result gives the same model back (up to
// positions and the order of modifiers, which the language writes in one
// canonical order). Correlations have no form in the language yet: each is
// reported, with its position, in the error (a rule.ErrorList), and the
// rest is still printed.
func FromSet(set *rule.Set) ([]byte, error) {
	w := &writer{blank: map[any]bool{}}
	var decls []*grammar.Decl
	for _, r := range set.Rules {
		if d := w.rule(r); d != nil {
			decls = append(decls, d)
		}
	}
	for _, x := range set.Exclusions {
		if d := w.exclusion(x); d != nil {
			decls = append(decls, d)
		}
	}
	for _, c := range set.Correlations {
		w.errs = append(w.errs, rule.Errorf(rule.ErrUnsupported, c.Pos, "correlation rule %q (%s) cannot be written in tanchi's rule language yet", c.Title, c.Type))
	}
	f := &formatter{blank: w.blank}
	out := f.file(decls)
	w.errs.Sort()
	return []byte(out), w.errs.Err()
}

type writer struct {
	blank map[any]bool
	errs  rule.ErrorList
}

func (w *writer) errorf(pos rule.Pos, format string, args ...any) {
	w.errs = append(w.errs, rule.Errorf(rule.ErrUnsupported, pos, format, args...))
}

var identRE = regexp.MustCompile(`^[\p{L}_][\p{L}\p{N}_.\-]*$`)

// reserved are the words with a meaning of their own somewhere in the
// language; names spelled like them are written quoted.
var reserved = map[string]bool{
	"and": true, "or": true, "not": true, "of": true, "them": true, "all": true, "any": true, "cel": true,
	"keywords": true, "true": true, "false": true, "null": true, "in": true, "contains": true,
	"startswith": true, "endswith": true, "matches": true, "cidr": true, "exists": true, "cased": true,
	"rule": true, "exclude": true, "macro": true, "list": true, "condition": true, "when": true,
	"logsource": true, "custom": true, "minute": true, "hour": true, "day": true, "week": true,
	"month": true, "year": true, "field": true,
}

// isIdent reports whether s can be written as a bare name.
func isIdent(s string) bool { return identRE.MatchString(s) }

// name writes a selection or field name: bare when it is a name, else
// quoted.
func name(s string) string {
	if isIdent(s) && !reserved[s] {
		return s
	}
	return quote(s)
}

// word writes an attribute value that may be a bare word (a tag, a level).
func word(s string) string {
	if isIdent(s) && !isLiteralName(s) {
		return s
	}
	return quote(s)
}

// quote writes s as a string literal: "..." when nothing needs escaping,
// `raw` for text with backslashes or quotes, else "..." with escapes.
func quote(s string) string {
	plain, raw := true, !strings.ContainsRune(s, '`')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			plain = false
		case r == '\t':
			plain = false
		case r < 0x20 || r == 0x7f || r == utf8.RuneError:
			plain, raw = false, false
		}
	}
	if !utf8.ValidString(s) {
		plain, raw = false, false
	}
	switch {
	case plain:
		return `"` + s + `"`
	case raw:
		return "`" + s + "`"
	}
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
		i += n
	}
	b.WriteByte('"')
	return b.String()
}

// textOrBlock writes a description: a text block when it has several
// lines that a text block keeps exactly.
func textOrBlock(s string) string {
	if !strings.Contains(s, "\n") || strings.Contains(s, `"""`) {
		return quote(s)
	}
	for _, l := range strings.Split(s, "\n") {
		if l != "" && strings.TrimSpace(l) == "" {
			return quote(s) // a blank line of spaces would not survive editors
		}
		for _, r := range l {
			if (r < 0x20 && r != '\t') || r == 0x7f || r == utf8.RuneError {
				return quote(s)
			}
		}
		if strings.TrimRightFunc(l, unicode.IsSpace) != l {
			return quote(s)
		}
	}
	return `"""` + "\n" + s + "\n" + `"""`
}

func dateTok(s string) string {
	if _, err := time.Parse("2006-01-02", s); err == nil {
		return s
	}
	return quote(s)
}

func attr(key string, vals ...string) *grammar.Stmt {
	st := &grammar.Stmt{Attr: &grammar.Attr{Key: key}}
	for _, v := range vals {
		st.Attr.Values = append(st.Attr.Values, &grammar.Scalar{Tok: v})
	}
	return st
}

func mapStrings(vals []string, f func(string) string) []string {
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = f(v)
	}
	return out
}

func (w *writer) rule(r *rule.Rule) *grammar.Decl {
	before := len(w.errs)
	var st []*grammar.Stmt
	add := func(key string, vals ...string) {
		if len(vals) > 0 && (len(vals) > 1 || vals[0] != "") {
			st = append(st, attr(key, vals...))
		}
	}
	if r.ID != "" {
		add("id", quote(r.ID))
	}
	if r.Name != "" {
		add("name", word(r.Name))
	}
	if r.Status != "" {
		add("status", word(r.Status))
	}
	if r.Level != "" {
		add("level", word(string(r.Level)))
	}
	if r.Description != "" {
		add("description", textOrBlock(r.Description))
	}
	add("references", mapStrings(r.References, quote)...)
	if r.Author != "" {
		add("author", quote(r.Author))
	}
	if r.Date != "" {
		add("date", dateTok(r.Date))
	}
	if r.Modified != "" {
		add("modified", dateTok(r.Modified))
	}
	add("tags", mapStrings(r.Tags, word)...)
	add("falsepositives", mapStrings(r.FalsePositives, quote)...)
	add("fields", mapStrings(r.Fields, name)...)
	add("action", mapStrings(r.Actions, word)...)
	if ls := logsourceStmt(r.Logsource); ls != nil {
		st = append(st, ls)
	}
	keys := make([]string, 0, len(r.Custom))
	for k := range r.Custom {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		lit, err := literalOf(r.Custom[k])
		if err != nil {
			w.errorf(r.Pos, "rule %q: custom attribute %s: %v", r.Title, k, err)
			continue
		}
		st = append(st, &grammar.Stmt{Custom: &grammar.Custom{Key: name(k), Value: lit}})
	}
	sels := w.selections(r.Selections)
	if len(sels) > 0 {
		w.blank[sels[0]] = true
	}
	st = append(st, sels...)
	for i, t := range r.Tests {
		ev, err := eventLiteral(t.Event)
		if err != nil {
			w.errorf(t.Pos, "test %q: %v", t.Name, err)
			continue
		}
		kind := "nomatch"
		if t.Match {
			kind = "match"
		}
		ts := &grammar.Stmt{Test: &grammar.Test{Kind: kind, Event: ev}}
		if i == 0 {
			w.blank[ts] = true
		}
		st = append(st, ts)
	}
	if r.Condition == nil {
		w.errorf(r.Pos, "rule %q has no condition", r.Title)
		return nil
	}
	cond := &grammar.Stmt{Condition: &grammar.Cond{Keyword: "condition", Expr: w.expr(r.Condition)}}
	if len(sels) > 0 {
		w.blank[cond] = true
	}
	st = append(st, cond)
	if len(w.errs) > before {
		return nil
	}
	return &grammar.Decl{Rule: &grammar.Block{Title: quote(r.Title), Stmts: st, Close: "}"}}
}

func logsourceStmt(l rule.Logsource) *grammar.Stmt {
	ls := &grammar.Logsource{Keyword: "logsource"}
	for _, kv := range [][2]string{{"product", l.Product}, {"category", l.Category}, {"service", l.Service}, {"definition", l.Definition}} {
		if kv[1] != "" {
			ls.Pairs = append(ls.Pairs, &grammar.Pair{Key: kv[0], Value: &grammar.Scalar{Tok: word(kv[1])}})
		}
	}
	if len(ls.Pairs) == 0 {
		return nil
	}
	return &grammar.Stmt{Logsource: ls}
}

func (w *writer) selections(sels []*rule.Selection) []*grammar.Stmt {
	var out []*grammar.Stmt
	for _, s := range sels {
		if s.Expr == nil {
			w.errorf(s.Pos, "selection %s is empty", s.Name)
			continue
		}
		out = append(out, &grammar.Stmt{Selection: &grammar.Selection{Name: name(s.Name), Expr: w.expr(s.Expr)}})
	}
	return out
}

func (w *writer) exclusion(x *rule.Exclusion) *grammar.Decl {
	before := len(w.errs)
	var st []*grammar.Stmt
	if x.ID != "" {
		st = append(st, attr("id", quote(x.ID)))
	}
	if x.Description != "" {
		st = append(st, attr("description", textOrBlock(x.Description)))
	}
	switch {
	case x.AllRules:
		st = append(st, attr("rules", "*"))
	case len(x.Rules) > 0:
		st = append(st, attr("rules", mapStrings(x.Rules, quote)...))
	}
	if len(x.Tags) > 0 {
		st = append(st, attr("tags", mapStrings(x.Tags, word)...))
	}
	if x.Reason != "" {
		st = append(st, attr("reason", textOrBlock(x.Reason)))
	}
	if x.Expires != "" {
		st = append(st, attr("expires", dateTok(x.Expires)))
	}
	if x.Author != "" {
		st = append(st, attr("author", quote(x.Author)))
	}
	if x.Date != "" {
		st = append(st, attr("date", dateTok(x.Date)))
	}
	if ls := logsourceStmt(x.Logsource); ls != nil {
		st = append(st, ls)
	}
	sels := w.selections(x.Selections)
	if len(sels) > 0 {
		w.blank[sels[0]] = true
	}
	st = append(st, sels...)
	if x.When == nil {
		w.errorf(x.Pos, "exclusion %q has no condition", x.Title)
		return nil
	}
	when := &grammar.Stmt{Condition: &grammar.Cond{Keyword: "when", Expr: w.expr(x.When)}}
	if len(sels) > 0 {
		w.blank[when] = true
	}
	st = append(st, when)
	if len(w.errs) > before {
		return nil
	}
	return &grammar.Decl{Exclude: &grammar.Block{Title: quote(x.Title), Stmts: st, Close: "}"}}
}

func literalOf(v any) (*grammar.Literal, error) {
	scalar := func(tok string) *grammar.Literal { return &grammar.Literal{Scalar: &grammar.Scalar{Tok: tok}} }
	switch v := v.(type) {
	case nil:
		return scalar("null"), nil
	case string:
		return scalar(quote(v)), nil
	case bool:
		return scalar(strconv.FormatBool(v)), nil
	case int:
		return scalar(strconv.Itoa(v)), nil
	case int64:
		return scalar(strconv.FormatInt(v, 10)), nil
	case uint64:
		return scalar(strconv.FormatUint(v, 10)), nil
	case float64:
		if math.IsInf(v, 0) || math.IsNaN(v) {
			return nil, fmt.Errorf("number %v has no literal", v)
		}
		s := strconv.FormatFloat(v, 'g', -1, 64)
		if !strings.ContainsAny(s, ".eE") {
			s += ".0"
		}
		return scalar(s), nil
	case time.Time:
		return scalar(quote(v.Format(time.RFC3339))), nil
	case []any:
		l := &grammar.Literal{IsList: true}
		for _, it := range v {
			x, err := literalOf(it)
			if err != nil {
				return nil, err
			}
			l.Items = append(l.Items, x)
		}
		return l, nil
	case map[string]any:
		l := &grammar.Literal{IsMap: true}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			x, err := literalOf(v[k])
			if err != nil {
				return nil, err
			}
			l.Entries = append(l.Entries, &grammar.Entry{Key: name(k), Value: x})
		}
		return l, nil
	case map[any]any:
		m := map[string]any{}
		for k, x := range v {
			m[fmt.Sprint(k)] = x
		}
		return literalOf(m)
	}
	return nil, fmt.Errorf("value of type %T has no literal", v)
}

// ---- expressions

func (w *writer) expr(e rule.Expr) *grammar.Expr {
	if o, ok := e.(*rule.Or); ok {
		g := &grammar.Expr{}
		for _, a := range o.Args {
			if _, nested := a.(*rule.Or); nested {
				g.Terms = append(g.Terms, &grammar.AndExpr{Factors: []*grammar.Unary{paren(w.expr(a))}})
				continue
			}
			g.Terms = append(g.Terms, w.and(a))
		}
		return g
	}
	return &grammar.Expr{Terms: []*grammar.AndExpr{w.and(e)}}
}

func paren(e *grammar.Expr) *grammar.Unary {
	return &grammar.Unary{Primary: &grammar.Primary{Paren: e}}
}

func (w *writer) and(e rule.Expr) *grammar.AndExpr {
	if a, ok := e.(*rule.And); ok {
		g := &grammar.AndExpr{}
		for _, x := range a.Args {
			switch x.(type) {
			case *rule.And, *rule.Or:
				g.Factors = append(g.Factors, paren(w.expr(x)))
			default:
				g.Factors = append(g.Factors, w.unary(x))
			}
		}
		return g
	}
	return &grammar.AndExpr{Factors: []*grammar.Unary{w.unary(e)}}
}

func (w *writer) unary(e rule.Expr) *grammar.Unary {
	switch e := e.(type) {
	case *rule.Not:
		switch e.X.(type) {
		case *rule.And, *rule.Or:
			return &grammar.Unary{Not: paren(w.expr(e.X))}
		}
		return &grammar.Unary{Not: w.unary(e.X)}
	case *rule.And, *rule.Or:
		return paren(w.expr(e))
	case *rule.Ref:
		return &grammar.Unary{Primary: &grammar.Primary{Ref: name(e.Name)}}
	case *rule.Of:
		q := "1"
		if e.All {
			q = "all"
		}
		pat := e.Pattern
		switch {
		case pat == "them":
		case patternRE.MatchString(pat) && !reserved[pat]:
		default:
			pat = quote(pat)
		}
		return &grammar.Unary{Primary: &grammar.Primary{Of: &grammar.Of{Quant: q, Pattern: pat}}}
	case *rule.CEL:
		src := quote(e.Src)
		if !strings.ContainsRune(e.Src, '`') {
			src = "`" + e.Src + "`"
		}
		return &grammar.Unary{Primary: &grammar.Primary{CEL: &grammar.CEL{Src: src}}}
	case *rule.Match:
		return &grammar.Unary{Primary: w.match(e)}
	}
	w.errorf(e.Position(), "unknown condition node %T", e)
	return &grammar.Unary{Primary: &grammar.Primary{Ref: "?"}}
}

var patternRE = regexp.MustCompile(`^[\p{L}_*][\p{L}\p{N}_.\-*]*$`)

var opNames = map[rule.Op]string{
	rule.OpContains: "contains", rule.OpStartsWith: "startswith", rule.OpEndsWith: "endswith",
	rule.OpRegex: "matches", rule.OpCIDR: "cidr", rule.OpLT: "<", rule.OpLTE: "<=", rule.OpGT: ">", rule.OpGTE: ">=",
}

func (w *writer) match(m *rule.Match) *grammar.Primary {
	var items []*grammar.Item
	for _, v := range m.Values {
		tok, ok := valueTok(v)
		if !ok {
			w.errorf(v.Pos, "value %s of field %q cannot be written in tanchi's rule language", v.S, m.Field)
		}
		items = append(items, &grammar.Item{Tok: tok})
	}
	vals := &grammar.Values{}
	if len(items) == 1 {
		vals.Item = items[0]
	} else {
		vals.Group = &grammar.Group{Items: items}
	}
	calls := append([]string(nil), m.Transforms...)
	if m.FieldRef {
		calls = append(calls, "field")
	}
	if len(calls) > 0 {
		var c *grammar.Call
		for _, fn := range calls {
			if c == nil {
				c = &grammar.Call{Func: fn, Items: items}
				continue
			}
			c = &grammar.Call{Func: fn, Inner: c}
		}
		if m.FieldRef {
			for _, it := range items {
				it.Tok = name(strings.TrimSpace(unquoteTok(it.Tok)))
			}
		}
		vals = &grammar.Values{Call: c}
	}
	if m.Field == "" {
		k := &grammar.Keywords{Values: vals}
		if m.All {
			k.Quant = "all"
		}
		return &grammar.Primary{Keywords: k}
	}
	f := &grammar.Field{Name: name(m.Field)}
	if m.TimePart != "" {
		f = &grammar.Field{Timed: &grammar.TimedField{Part: m.TimePart, Name: name(m.Field)}}
	}
	o := &grammar.Operator{Cased: m.Cased, Not: m.Neq, Op: "in", Flags: m.RegexFlags}
	if m.All {
		o.Quant = "all"
	}
	switch m.Op {
	case rule.OpExists:
		o.Op = "exists"
		o.Not = len(m.Values) == 1 && m.Values[0].S == "false"
		return &grammar.Primary{Match: &grammar.Match{Field: f, Op: o}}
	case rule.OpEq:
	default:
		o.Op = opNames[m.Op]
	}
	return &grammar.Primary{Match: &grammar.Match{Field: f, Op: o, Values: vals}}
}

func unquoteTok(tok string) string {
	if grammar.IsQuoted(tok) {
		s, err := grammar.Unquote(tok)
		if err == nil {
			return s
		}
	}
	return tok
}

// valueTok writes a value as a literal token of its kind.
func valueTok(v rule.Value) (string, bool) {
	switch v.Kind {
	case rule.Null:
		return "null", true
	case rule.Bool:
		return v.S, v.S == "true" || v.S == "false"
	case rule.Number:
		lx := grammar.Lex("", []byte(v.S))
		ok := len(lx.Errors) == 0 && len(lx.Tokens) == 2 && lx.Tokens[0].Type == grammar.Number && lx.Tokens[0].Value == v.S
		return v.S, ok
	}
	return quote(v.S), true
}

// eventLiteral turns a JSON object into a map literal, keeping the order of
// its keys.
func eventLiteral(src string) (*grammar.Literal, error) {
	dec := json.NewDecoder(strings.NewReader(src))
	dec.UseNumber()
	l, err := jsonLiteral(dec)
	if err != nil {
		return nil, err
	}
	if !l.IsMap {
		return nil, fmt.Errorf("event is not a JSON object")
	}
	return l, nil
}

func jsonLiteral(dec *json.Decoder) (*grammar.Literal, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	scalar := func(s string) *grammar.Literal { return &grammar.Literal{Scalar: &grammar.Scalar{Tok: s}} }
	switch v := tok.(type) {
	case json.Delim:
		switch v {
		case '{':
			l := &grammar.Literal{IsMap: true}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, _ := kt.(string)
				val, err := jsonLiteral(dec)
				if err != nil {
					return nil, err
				}
				l.Entries = append(l.Entries, &grammar.Entry{Key: name(k), Value: val})
			}
			_, err := dec.Token()
			return l, err
		case '[':
			l := &grammar.Literal{IsList: true}
			for dec.More() {
				val, err := jsonLiteral(dec)
				if err != nil {
					return nil, err
				}
				l.Items = append(l.Items, val)
			}
			_, err := dec.Token()
			return l, err
		}
	case string:
		return scalar(quote(v)), nil
	case json.Number:
		return scalar(v.String()), nil
	case bool:
		return scalar(strconv.FormatBool(v)), nil
	case nil:
		return scalar("null"), nil
	}
	return nil, fmt.Errorf("unexpected JSON token %v", tok)
}
