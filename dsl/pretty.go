package dsl

import "strings"

// A small pretty printer in the style of Wadler's "prettier printer": the
// formatter describes the layout as a document of text, possible line
// breaks and groups, and the printer breaks a group's lines only when the
// group does not fit in the line width. The layout depends on nothing but
// the document, which is what makes formatting idempotent.

// lineWidth is the width the formatter aims for.
const lineWidth = 100

type doc interface{ isDoc() }

type (
	text     string // literal text without line breaks
	line     string // a break: the string in flat mode, a newline in broken mode
	hardLine struct{}
	ifBroken string // text printed only when the enclosing group is broken
	nest     struct {
		n    int
		body []doc
	}
	group []doc
	cat   []doc
)

func (text) isDoc()     {}
func (line) isDoc()     {}
func (hardLine) isDoc() {}
func (ifBroken) isDoc() {}
func (nest) isDoc()     {}
func (group) isDoc()    {}
func (cat) isDoc()      {}

var (
	space    = line(" ")
	softLine = line("")
)

func nested(n int, body ...doc) doc { return nest{n, body} }

// hasHard reports whether d contains a hard line break (a comment or a text
// block), which forces the groups around it to break.
func hasHard(d doc) bool {
	switch d := d.(type) {
	case hardLine:
		return true
	case nest:
		for _, x := range d.body {
			if hasHard(x) {
				return true
			}
		}
	case group:
		for _, x := range d {
			if hasHard(x) {
				return true
			}
		}
	case cat:
		for _, x := range d {
			if hasHard(x) {
				return true
			}
		}
	}
	return false
}

type frame struct {
	indent int
	flat   bool
	d      doc
}

type render struct {
	b       strings.Builder
	col     int
	pending int // indentation owed before the next text, after a newline
	atStart bool
}

func (r *render) write(s string) {
	if s == "" {
		return
	}
	if r.atStart {
		r.b.WriteString(strings.Repeat(" ", r.pending))
		r.col = r.pending
		r.atStart = false
	}
	r.b.WriteString(s)
	r.col += len([]rune(s))
}

func (r *render) newline(indent int) {
	r.b.WriteByte('\n')
	r.col, r.pending, r.atStart = 0, indent, true
}

// layout renders d starting at indentation indent.
func layout(d doc, indent int) string {
	r := &render{atStart: true, pending: indent}
	stack := []frame{{indent, false, d}}
	for len(stack) > 0 {
		f := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		switch d := f.d.(type) {
		case text:
			r.write(string(d))
		case line:
			if f.flat {
				r.write(string(d))
			} else {
				r.newline(f.indent)
			}
		case hardLine:
			r.newline(f.indent)
		case ifBroken:
			if !f.flat {
				r.write(string(d))
			}
		case nest:
			for i := len(d.body) - 1; i >= 0; i-- {
				stack = append(stack, frame{f.indent + d.n, f.flat, d.body[i]})
			}
		case cat:
			for i := len(d) - 1; i >= 0; i-- {
				stack = append(stack, frame{f.indent, f.flat, d[i]})
			}
		case group:
			flat := f.flat
			if !flat {
				col := r.col
				if r.atStart {
					col = r.pending
				}
				flat = !hasHard(d) && fits(lineWidth-col, append(stack, frame{f.indent, true, cat(d)}))
			}
			for i := len(d) - 1; i >= 0; i-- {
				stack = append(stack, frame{f.indent, flat, d[i]})
			}
		}
	}
	return r.b.String()
}

// fits reports whether the frames, the last one first, print within w
// columns up to the first line break of a broken group.
func fits(w int, stack []frame) bool {
	var local []frame // children of frames taken from stack
	next := len(stack) - 1
	for w >= 0 {
		var f frame
		switch {
		case len(local) > 0:
			f = local[len(local)-1]
			local = local[:len(local)-1]
		case next >= 0:
			f = stack[next]
			next--
		default:
			return true
		}
		switch d := f.d.(type) {
		case text:
			w -= len([]rune(string(d)))
		case line:
			if !f.flat {
				return true
			}
			w -= len([]rune(string(d)))
		case hardLine:
			return true
		case ifBroken:
			if !f.flat {
				w -= len([]rune(string(d)))
			}
		case nest:
			for i := len(d.body) - 1; i >= 0; i-- {
				local = append(local, frame{f.indent + d.n, f.flat, d.body[i]})
			}
		case cat:
			for i := len(d) - 1; i >= 0; i-- {
				local = append(local, frame{f.indent, f.flat, d[i]})
			}
		case group:
			for i := len(d) - 1; i >= 0; i-- {
				local = append(local, frame{f.indent, f.flat, d[i]})
			}
		}
	}
	return false
}
