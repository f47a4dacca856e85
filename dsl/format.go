package dsl

import (
	"sort"
	"strings"

	"github.com/alecthomas/participle/v2/lexer"

	"github.com/tanchi-dev/tanchi/dsl/internal/grammar"
)

// Format parses src and prints it in the canonical layout: two-space
// indentation, aligned attributes, one blank line between declarations,
// long expressions and lists broken across lines. Macros, lists, comments
// and the kind of every string literal are kept as written; blank lines
// between statements are kept (several become one). Format needs only the
// syntax to be right: a rule that uses an undefined macro still formats.
// The error, when not nil, is a rule.ErrorList.
func Format(file string, src []byte) ([]byte, error) {
	s := parseSource(file, src)
	if len(s.errs) > 0 {
		fillSources(s.errs, []*source{s})
		s.errs.Sort()
		return nil, s.errs
	}
	f := &formatter{src: s, comments: s.lx.Comments, used: make([]bool, len(s.lx.Comments)), toks: s.lx.Tokens}
	decls := make([]*grammar.Decl, len(s.decls))
	for i, d := range s.decls {
		decls[i] = d.Decl
	}
	return []byte(f.file(decls)), nil
}

// formatter prints parse trees. For a parsed source it places comments and
// keeps blank lines; for a generated tree (FromSet) blank says where blank
// lines go.
type formatter struct {
	src      *source
	comments []grammar.Comment
	used     []bool
	next     int // no comment before this index is unused
	toks     []lexer.Token
	blank    map[any]bool // generated trees: statements preceded by a blank line

	out     strings.Builder
	lastEnd int // source line of the last thing printed, 0 at the start of a block
}

// blankBefore reports whether a blank line precedes the source line.
func (f *formatter) blankBefore(node any, line int) bool {
	if f.src == nil {
		return f.blank[node]
	}
	return line > 1 && f.src.lx.Blank[line-1]
}

// lastTok returns the last token before offset end that is not a line break.
func (f *formatter) lastTok(end int) *lexer.Token {
	i := sort.Search(len(f.toks), func(i int) bool { return f.toks[i].Pos.Offset >= end })
	for i--; i >= 0; i-- {
		if f.toks[i].Type != grammar.EOL && f.toks[i].Type != grammar.EOF {
			return &f.toks[i]
		}
	}
	return nil
}

// endLine is the line on which a token ends.
func endLine(t *lexer.Token) int { return t.Pos.Line + strings.Count(t.Value, "\n") }

// span returns the indexes [i, j) of the comments with offsets in
// [lo, hi); comments are in offset order.
func (f *formatter) span(lo, hi int) (int, int) {
	i := sort.Search(len(f.comments), func(k int) bool { return f.comments[k].Pos.Offset >= lo })
	j := sort.Search(len(f.comments), func(k int) bool { return f.comments[k].Pos.Offset >= hi })
	return i, max(i, j)
}

// leading prints the comments before offset off on their own lines.
func (f *formatter) leading(off, indent int) {
	for f.next < len(f.used) && f.used[f.next] {
		f.next++
	}
	_, j := f.span(0, off)
	for i := f.next; i < j; i++ {
		c := f.comments[i]
		if f.used[i] {
			continue
		}
		f.used[i] = true
		if f.lastEnd > 0 && f.blankBefore(nil, c.Pos.Line) {
			f.out.WriteByte('\n')
		}
		f.out.WriteString(strings.Repeat(" ", indent))
		f.out.WriteString(c.Text)
		f.out.WriteByte('\n')
		f.lastEnd = c.Pos.Line
	}
}

// trailing claims the comment at the end of source line ln, after offset
// from.
func (f *formatter) trailing(from, ln int) string {
	i0, _ := f.span(from, from)
	for i := i0; i < len(f.comments) && f.comments[i].Pos.Line <= ln; i++ {
		c := f.comments[i]
		if !f.used[i] && !c.OwnLine && c.Pos.Line == ln {
			f.used[i] = true
			return " " + c.Text
		}
	}
	return ""
}

// item prints one statement or declaration that spans source offsets
// [pos, end), building its document first so that comments inside its
// lists are placed there; other comments inside it move above it.
func (f *formatter) item(node any, pos lexer.Position, end lexer.Position, indent int, build func() doc) {
	d := build()
	trail := ""
	if f.src != nil {
		if t := f.lastTok(end.Offset); t != nil {
			trail = f.trailing(pos.Offset, endLine(t))
			end = lexer.Position{Offset: t.Pos.Offset + len(t.Value)}
		}
		first := pos.Line
		for i := f.next; i < len(f.comments) && f.comments[i].Pos.Offset < end.Offset; i++ {
			if !f.used[i] {
				first = min(first, f.comments[i].Pos.Line)
				break
			}
		}
		if f.lastEnd > 0 && f.blankBefore(node, first) {
			f.out.WriteByte('\n')
		}
		f.lastEnd = 0
		f.leading(end.Offset, indent)
		if f.lastEnd > 0 && f.lastEnd < pos.Line && f.blankBefore(node, pos.Line) {
			f.out.WriteByte('\n')
		}
	} else if f.lastEnd > 0 && f.blank[node] {
		f.out.WriteByte('\n')
	}
	f.out.WriteString(layout(d, indent))
	f.out.WriteString(trail)
	f.out.WriteByte('\n')
	f.lastEnd = max(pos.Line, 1)
}

func (f *formatter) file(decls []*grammar.Decl) string {
	for i, d := range decls {
		isBlock := d.Rule != nil || d.Exclude != nil
		if i > 0 {
			prevBlock := decls[i-1].Rule != nil || decls[i-1].Exclude != nil
			wantBlank := isBlock || prevBlock
			if f.src != nil {
				first := d.Pos.Line
				for j := f.next; j < len(f.comments) && f.comments[j].Pos.Offset < d.Pos.Offset; j++ {
					if !f.used[j] {
						first = f.comments[j].Pos.Line
						break
					}
				}
				wantBlank = wantBlank || f.src.lx.Blank[first-1]
			} else {
				wantBlank = wantBlank || f.blank[d]
			}
			if wantBlank {
				f.out.WriteByte('\n')
			}
		}
		f.lastEnd = 0
		switch {
		case isBlock:
			f.block(d)
		case d.Macro != nil:
			f.item(d, d.Pos, f.declEnd(d), 0, func() doc {
				return cat{text("macro " + d.Macro.Name + " = "), f.expr(d.Macro.Expr)}
			})
		case d.List != nil:
			f.item(d, d.Pos, f.declEnd(d), 0, func() doc {
				return cat{text("list " + d.List.Name + " = "), f.values(d.List.Values, true)}
			})
		}
	}
	f.lastEnd = 0
	if f.src != nil {
		rest := false
		for i := range f.comments {
			if !f.used[i] {
				rest = true
			}
		}
		if rest && len(decls) > 0 {
			f.out.WriteByte('\n')
		}
		f.leading(len(f.src.src)+1, 0)
	}
	return f.out.String()
}

// declEnd is the offset after a declaration: the start of the next token
// after it in the source.
func (f *formatter) declEnd(d *grammar.Decl) lexer.Position {
	if f.src == nil {
		return lexer.Position{}
	}
	for _, sd := range f.src.decls {
		if sd.Decl == d {
			return lexer.Position{Offset: sd.end()}
		}
	}
	return lexer.Position{}
}

func (f *formatter) block(d *grammar.Decl) {
	b, kw := d.Rule, "rule"
	if b == nil {
		b, kw = d.Exclude, "exclude"
	}
	header := kw + " " + b.Title + " {"
	if f.src != nil {
		f.leading(d.Pos.Offset, 0)
		f.out.WriteString(header)
		f.out.WriteString(f.trailing(d.Pos.Offset, d.Pos.Line))
	} else {
		f.out.WriteString(header)
	}
	f.out.WriteByte('\n')
	f.lastEnd = 0
	widths := f.alignment(b.Stmts)
	for _, st := range b.Stmts {
		st := st
		f.item(st, st.Pos, st.EndPos, 2, func() doc { return f.stmt(st, widths[st]) })
	}
	closeOff := b.EndPos.Offset
	if f.src != nil {
		t := f.lastTok(b.EndPos.Offset)
		if t != nil {
			closeOff = t.Pos.Offset
		}
		f.leading(closeOff, 2)
		f.out.WriteString("}")
		if t != nil {
			f.out.WriteString(f.trailing(closeOff, t.Pos.Line))
		}
	} else {
		f.out.WriteString("}")
	}
	f.out.WriteByte('\n')
}

// alignment computes, for runs of consecutive attributes and of
// consecutive selections, the width their keys are padded to.
func (f *formatter) alignment(stmts []*grammar.Stmt) map[*grammar.Stmt]int {
	out := map[*grammar.Stmt]int{}
	kind := func(st *grammar.Stmt) int {
		switch {
		case st.Attr != nil, st.Logsource != nil, st.Custom != nil:
			return 1
		case st.Selection != nil:
			return 2
		}
		return 0
	}
	key := func(st *grammar.Stmt) string {
		switch {
		case st.Attr != nil:
			return st.Attr.Key
		case st.Logsource != nil:
			return "logsource"
		case st.Custom != nil:
			return "custom"
		case st.Selection != nil:
			return st.Selection.Name
		}
		return ""
	}
	for i := 0; i < len(stmts); {
		k := kind(stmts[i])
		j := i + 1
		for j < len(stmts) && kind(stmts[j]) == k && k != 0 && !f.blankBefore(stmts[j], stmts[j].Pos.Line) {
			j++
		}
		lo, hi := 1<<30, 0
		for _, st := range stmts[i:j] {
			n := len([]rune(key(st)))
			lo, hi = min(lo, n), max(hi, n)
		}
		if k == 1 || hi-lo <= 12 {
			for _, st := range stmts[i:j] {
				out[st] = hi
			}
		}
		i = j
	}
	return out
}

func pad(s string, w int) string {
	if n := len([]rune(s)); n < w {
		return s + strings.Repeat(" ", w-n)
	}
	return s
}

func (f *formatter) stmt(st *grammar.Stmt, width int) doc {
	switch {
	case st.Selection != nil:
		return cat{text(pad(st.Selection.Name, width) + " = "), f.expr(st.Selection.Expr)}
	case st.Condition != nil:
		return cat{text(st.Condition.Keyword + " "), f.expr(st.Condition.Expr)}
	case st.Logsource != nil:
		// A line break would end the statement: the pairs stay on one line.
		var parts []doc
		parts = append(parts, text(pad("logsource", width)))
		for _, p := range st.Logsource.Pairs {
			parts = append(parts, text(" "+p.Key+"="), f.scalar(p.Value.Tok))
		}
		return cat(parts)
	case st.Custom != nil:
		return cat{text(pad("custom", width) + " " + st.Custom.Key + " = "), f.literal(st.Custom.Value)}
	case st.Test != nil:
		return cat{text("test " + st.Test.Kind + " "), f.literal(st.Test.Event)}
	}
	a := st.Attr
	if len(a.Values) == 0 {
		return text(a.Key)
	}
	var vals []doc
	block := false
	for i, v := range a.Values {
		if i > 0 {
			vals = append(vals, text(","), space)
		}
		vals = append(vals, f.scalar(v.Tok))
		block = block || strings.HasPrefix(v.Tok, `"""`)
	}
	if block {
		// Text blocks indent from the statement, not from the aligned
		// value column.
		return cat{text(pad(a.Key, width) + " "), cat(vals)}
	}
	return cat{text(pad(a.Key, width) + " "), group{nested(width+1, vals...)}}
}

func (f *formatter) literal(l *grammar.Literal) doc {
	switch {
	case l.IsList:
		var items []doc
		for _, it := range l.Items {
			items = append(items, f.literal(it))
		}
		return f.bracketed("[", "]", items)
	case l.IsMap:
		var items []doc
		for _, e := range l.Entries {
			items = append(items, cat{text(e.Key + ": "), f.literal(e.Value)})
		}
		return f.bracketed("{", "}", items)
	}
	return f.scalar(l.Scalar.Tok)
}

func (f *formatter) bracketed(open, close string, items []doc) doc {
	if len(items) == 0 {
		return text(open + close)
	}
	var body []doc
	body = append(body, softLine)
	for i, it := range items {
		if i > 0 {
			body = append(body, text(","), space)
		}
		body = append(body, it)
	}
	body = append(body, ifBroken(","))
	return group{text(open), nested(4, body...), softLine, text(close)}
}

// scalar prints a literal token; text blocks are indented afresh.
func (f *formatter) scalar(tok string) doc {
	if !strings.HasPrefix(tok, `"""`) {
		return text(tok)
	}
	v, err := grammar.TextBlockValue(tok)
	if err != nil {
		return text(tok)
	}
	body := []doc{}
	for _, l := range strings.Split(v, "\n") {
		body = append(body, hardLine{}, text(l))
	}
	body = append(body, hardLine{}, text(`"""`))
	return cat{text(`"""`), nested(2, body...)}
}

// ---- expressions

func (f *formatter) expr(e *grammar.Expr) doc {
	if len(e.Terms) == 1 {
		return f.and(e.Terms[0])
	}
	rest := []doc{}
	for _, t := range e.Terms[1:] {
		rest = append(rest, space, text("or "), f.and(t))
	}
	return group{f.and(e.Terms[0]), nested(4, rest...)}
}

func (f *formatter) and(e *grammar.AndExpr) doc {
	if len(e.Factors) == 1 {
		return f.unary(e.Factors[0])
	}
	rest := []doc{}
	for _, u := range e.Factors[1:] {
		rest = append(rest, space, text("and "), f.unary(u))
	}
	return group{f.unary(e.Factors[0]), nested(4, rest...)}
}

func (f *formatter) unary(u *grammar.Unary) doc {
	if u.Not != nil {
		return cat{text("not "), f.unary(u.Not)}
	}
	return f.primary(u.Primary)
}

func (f *formatter) primary(p *grammar.Primary) doc {
	switch {
	case p.Paren != nil:
		return cat{text("("), f.expr(p.Paren), text(")")}
	case p.Of != nil:
		q := p.Of.Quant
		if q == "any" {
			q = "1"
		}
		return text(q + " of " + p.Of.Pattern)
	case p.CEL != nil:
		return text("cel " + p.CEL.Src)
	case p.Keywords != nil:
		head := "keywords "
		if p.Keywords.Quant == "all" {
			head += "all "
		}
		return cat{text(head), f.values(p.Keywords.Values, false)}
	case p.Match != nil:
		return f.match(p.Match)
	}
	return text(p.Ref)
}

// multiValued reports whether values stand for more than one value.
func multiValued(v *grammar.Values) bool {
	var items []*grammar.Item
	switch {
	case v.Call != nil:
		c := v.Call
		for c.Inner != nil {
			c = c.Inner
		}
		if c.Func == "field" {
			return len(c.Items) != 1 // field names, not lists
		}
		items = c.Items
	case v.Group != nil:
		items = v.Group.Items
	default:
		items = []*grammar.Item{v.Item}
	}
	if len(items) != 1 {
		return true
	}
	return tokType(items[0].Tok) == grammar.Ident && !isLiteralName(items[0].Tok)
}

func isLiteralName(s string) bool { return s == "true" || s == "false" || s == "null" }

func (f *formatter) match(m *grammar.Match) doc {
	o := m.Op
	var b strings.Builder
	b.WriteString(f.fieldTok(m.Field))
	b.WriteByte(' ')
	if o.Cased {
		b.WriteString("cased ")
	}
	op := o.Op
	neq := o.Not
	if op == "!=" {
		op, neq = "==", true
	}
	switch {
	case op == "exists":
		if neq {
			b.WriteString("not ")
		}
		b.WriteString("exists")
		return text(b.String())
	case op == "==" || op == "in":
		// Without values (an error the parser reports later) only a word
		// may end the line: == would continue the statement on the next.
		multi := m.Values == nil || multiValued(m.Values)
		switch {
		case neq && multi:
			b.WriteString("not in")
		case neq:
			b.WriteString("!=")
		case multi:
			b.WriteString("in")
		default:
			b.WriteString("==")
		}
	default:
		if neq {
			b.WriteString("not ")
		}
		b.WriteString(op)
	}
	if o.Flags != "" {
		b.WriteString("/" + o.Flags)
	}
	if o.Quant == "all" {
		b.WriteString(" all")
	}
	if m.Values == nil {
		return text(b.String())
	}
	b.WriteByte(' ')
	return cat{text(b.String()), f.values(m.Values, false)}
}

func (f *formatter) fieldTok(fl *grammar.Field) string {
	if fl.Timed != nil {
		return fl.Timed.Part + "(" + fl.Timed.Name + ")"
	}
	return fl.Name
}

// values prints the right-hand side of a match or a list definition. A
// list definition keeps its parentheses even around one value.
func (f *formatter) values(v *grammar.Values, keepGroup bool) doc {
	switch {
	case v.Call != nil:
		return f.call(v.Call)
	case v.Group != nil:
		if len(v.Group.Items) == 1 && !keepGroup && !f.hasComments(v.Group.Pos, v.Group.EndPos) {
			return f.scalar(v.Group.Items[0].Tok)
		}
		return f.items(v.Group.Items, "(", ")", v.Group.Pos, v.Group.EndPos)
	}
	return f.scalar(v.Item.Tok)
}

func (f *formatter) call(c *grammar.Call) doc {
	if c.Inner != nil {
		return cat{text(c.Func + "("), f.call(c.Inner), text(")")}
	}
	return f.items(c.Items, c.Func+"(", ")", c.Pos, c.EndPos)
}

// hasComments reports whether unplaced comments lie inside a bracketed list.
func (f *formatter) hasComments(start, end lexer.Position) bool {
	if f.src == nil {
		return false
	}
	closeOff := end.Offset
	if t := f.lastTok(end.Offset); t != nil {
		closeOff = t.Pos.Offset
	}
	i, j := f.span(start.Offset+1, closeOff)
	for ; i < j; i++ {
		if !f.used[i] {
			return true
		}
	}
	return false
}

// items prints a bracketed list of values, one per line when it does not
// fit or holds comments (which stay with their values).
func (f *formatter) items(items []*grammar.Item, open, close string, start, end lexer.Position) doc {
	if len(items) == 0 {
		return text(open + close)
	}
	if !f.hasComments(start, end) {
		body := []doc{softLine}
		for i, it := range items {
			if i > 0 {
				body = append(body, text(","), space)
			}
			body = append(body, f.scalar(it.Tok))
		}
		body = append(body, ifBroken(","))
		return group{text(open), nested(4, body...), softLine, text(close)}
	}
	closeOff := f.lastTok(end.Offset).Pos.Offset
	var body []doc
	comment := func(before int) {
		i, j := f.span(start.Offset+1, before)
		for ; i < j; i++ {
			if !f.used[i] {
				f.used[i] = true
				body = append(body, hardLine{}, text(f.comments[i].Text))
			}
		}
	}
	// Trailing comments of the values, aligned like gofmt aligns them.
	trail := make([]string, len(items))
	width := 0
	for i, it := range items {
		next := closeOff
		if i+1 < len(items) {
			next = items[i+1].Pos.Offset
		}
		line := it.Pos.Line + strings.Count(it.Tok, "\n")
		lo, hi := f.span(it.Pos.Offset+1, next)
		for j := lo; j < hi; j++ {
			c := f.comments[j]
			if !f.used[j] && !c.OwnLine && c.Pos.Line == line {
				f.used[j] = true
				trail[i] = c.Text
				if !strings.Contains(it.Tok, "\n") {
					width = max(width, len([]rune(it.Tok)))
				}
				break
			}
		}
	}
	for i, it := range items {
		comment(it.Pos.Offset)
		body = append(body, hardLine{}, f.scalar(it.Tok), text(","))
		if trail[i] != "" {
			pad := 1
			if !strings.Contains(it.Tok, "\n") {
				pad += width - len([]rune(it.Tok))
			}
			body = append(body, text(strings.Repeat(" ", pad)+trail[i]))
		}
	}
	comment(closeOff)
	return cat{text(open), nested(4, body...), hardLine{}, text(close)}
}
