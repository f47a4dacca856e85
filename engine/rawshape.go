package engine

import (
	"encoding/binary"
	"math/bits"
	"slices"
	"unsafe"
)

// Shapes: most events of a stream are written by a few programs, each of
// which writes the same names in the same order with the same punctuation
// and spacing, so that two events of one kind differ only in their values.
// A RawJSON keeps the shapes of the events it parsed: the bytes between
// their scalar values (literals: braces, names, colons, commas, quotes and
// white space) and the nodes parse made of them. An event whose bytes are
// a shape's literals with values of the same kinds between them has that
// shape's nodes: parseShaped checks the literals with byte comparisons and
// reads only the values, instead of parsing the names and punctuation one
// byte at a time.
//
// A shape reached this way is exactly what parse would make of the event.
// The literals hold all of the event's structure; a value is read by the
// same scans parse uses, and its kind is that of the value before it in
// the shape, checked from its first byte. A number cannot run into the
// literal after it (the byte after a number in the shape's own event could
// not continue it, and the literal starts with that byte), and a string
// ends at its first unescaped quote. Anything else, an invalid value
// included, leaves the event to parse, errors and all.
//
// Shapes form a tree: a shape made from an event that matched shape t up to
// literal k (all of t's literals and values before it) shares t's
// literals before k and is kept among t's kids at k, so that the next
// event of either kind walks t's literals once. The tree is bounded in
// shapes and bytes, and forgotten whole when full.

// rawShape is the shape of an event: its literals and its nodes.
type rawShape struct {
	// steps[k] is literal k and value k after it; the last step has the
	// literal after the last value, and no value.
	steps []rawStep
	nodes []rawNode // the event's nodes with empty values
	top   []int32
	kids  []rawKid
	// RawJSON.nested and RawJSON.keyHides for the event.
	nested, hides bool

	// What build made of the event, once keepBuild has kept it: the
	// fields with their names and where their values come from, but
	// without values, and the tables over them.
	built         bool
	noBuild       bool // build made a name from a value: none to keep
	evtx          bool
	fields        []rawField
	table, folded []int32
	nameBytes     int
}

// rawStep is a literal and the kind of the value after it, with the node
// that value makes.
type rawStep struct {
	lit string
	// The literal's first 24 bytes, 8 at a time, and its last 8, little-
	// endian, as far as it has them (a shorter literal's last word ends
	// early, with zeros).
	words [3]uint64
	last  uint64
	node  int32
	kind  uint8
}

// at reports whether b at i starts with the step's literal.
func (st *rawStep) at(b []byte, i int) bool {
	n := len(st.lit)
	if n < 8 || n > 32 || n > len(b)-i {
		return rawHasLit(b, i, st.lit)
	}
	w := b[i : i+n]
	return binary.LittleEndian.Uint64(w) == st.words[0] && binary.LittleEndian.Uint64(w[n-8:]) == st.last &&
		(n <= 16 || binary.LittleEndian.Uint64(w[8:]) == st.words[1]) &&
		(n <= 24 || binary.LittleEndian.Uint64(w[16:]) == st.words[2])
}

// rawStepOf is the step of literal lit.
func rawStepOf(lit string, node int32, kind uint8) rawStep {
	st := rawStep{lit: lit, node: node, kind: kind}
	var w [32]byte
	copy(w[:], lit)
	for k := range st.words {
		st.words[k] = binary.LittleEndian.Uint64(w[8*k:])
	}
	if n := len(lit); n >= 8 {
		st.last = binary.LittleEndian.Uint64([]byte(lit[n-8:]))
	}
	return st
}

// rawKid is a shape that shares its parent's literals before literal at,
// where it differs.
type rawKid struct{ at, shape int32 }

// rawShapes is the tree of shapes a RawJSON keeps.
type rawShapes struct {
	all   []rawShape
	roots []rawKid // the shapes that differ at literal 0
	bytes int      // the memory the shapes hold, roughly
	// Where the last parseShaped left the tree: the shape whose literal at
	// no shape matched, -1 for the roots.
	missShape, missAt int32
}

// Bounds of the shapes a RawJSON keeps: events of at most rawShapeNodes
// nodes and rawShapeBytes bytes, and at most rawShapesMax shapes holding
// rawShapesBytes bytes in all.
const (
	rawShapeNodes  = 2048
	rawShapeBytes  = 1 << 16
	rawShapesMax   = 512
	rawShapesBytes = 4 << 20
)

// rawShapesOn is whether Reset keeps and uses shapes; tests turn it off
// to compare.
var rawShapesOn = true

// fits reports whether b at i holds literal k of s followed, unless it is
// the last, by the first byte of a value of the kind s has there.
func (s *rawShape) fits(b []byte, i, k int) bool {
	st := &s.steps[k]
	if !st.at(b, i) {
		return false
	}
	i += len(st.lit)
	return k == len(s.steps)-1 || i < len(b) && rawStarts[st.kind][b[i]]
}

// rawStarts tells, by kind of value, the bytes a value of the kind can
// start with after its literal (which holds a string's opening quote).
var rawStarts = func() (t [rawArray][256]bool) {
	for c := range 256 {
		t[rawString][c] = true
		t[rawNumber][c] = c == '-' || '0' <= c && c <= '9'
	}
	t[rawTrue]['t'], t[rawFalse]['f'], t[rawNull]['n'] = true, true, true
	return t
}()

// rawHasLit reports whether b at i starts with lit, comparing eight bytes
// at a time.
func rawHasLit(b []byte, i int, lit string) bool {
	n := len(lit)
	if len(b)-i < n {
		return false
	}
	if n < 8 {
		return string(b[i:i+n]) == lit
	}
	w := b[i : i+n : i+n]
	l := unsafe.Slice(unsafe.StringData(lit), n)
	for k := 0; k+8 < n; k += 8 {
		if binary.LittleEndian.Uint64(w[k:]) != binary.LittleEndian.Uint64(l[k:]) {
			return false
		}
	}
	return binary.LittleEndian.Uint64(w[n-8:]) == binary.LittleEndian.Uint64(l[n-8:])
}

// kid returns the kid of s at literal k that b at i fits, or -1.
func (sh *rawShapes) kid(kids []rawKid, b []byte, i, k int) int32 {
	for _, kd := range kids {
		if int(kd.at) == k && sh.all[kd.shape].fits(b, i, k) {
			return kd.shape
		}
	}
	return -1
}

// parseShaped reads r.raw as an event of a shape kept before, and reports
// whether it is one; r.nodes, r.top and r.nested are then what parse would
// make of it. When it is not, it notes where in the tree it failed, for
// keepShape, and parse must read the event from the start (values read so
// far have left their lazy strings and decoded text behind).
func (r *RawJSON) parseShaped() *rawShape {
	sh, b := r.shapes, r.raw
	sh.missShape, sh.missAt = -1, 0
	sid := sh.kid(sh.roots, b, 0, 0)
	if sid < 0 {
		return nil
	}
	s := &sh.all[sid]
	nodes := append(r.nodes[:0], s.nodes...)
	steps, marks := s.steps, r.marks
	i := 0
	for k := 0; ; k++ {
		// The steps of the common kind first, in a loop without calls (a
		// call costs the loop its registers): a literal of 8 to 32 bytes,
		// then a string without escapes that ends in the 64-byte word it
		// starts in or a number of digits alone. Anything else leaves the
		// step to the code after the loop, untouched.
		for ; k+1 < len(steps); k++ {
			st := &steps[k]
			n := len(st.lit)
			if n < 8 || n > 32 || n >= len(b)-i {
				break
			}
			w := b[i : i+n]
			if binary.LittleEndian.Uint64(w) != st.words[0] || binary.LittleEndian.Uint64(w[n-8:]) != st.last ||
				n > 16 && binary.LittleEndian.Uint64(w[8:]) != st.words[1] ||
				n > 24 && binary.LittleEndian.Uint64(w[16:]) != st.words[2] {
				break
			}
			j := i + n
			if st.kind == rawString {
				if j>>6 >= len(marks) {
					break
				}
				m := marks[j>>6] >> (uint(j) & 63)
				if m == 0 {
					break
				}
				e := j + bits.TrailingZeros64(m)
				if e >= len(b) || b[e] != '"' {
					break
				}
				nodes[st.node].s = unsafe.String(unsafe.SliceData(b[j:]), e-j)
				i = e // the next literal has the quote
				continue
			}
			if st.kind != rawNumber || b[j] < '1' || b[j] > '9' {
				break
			}
			e := j + 1
			for e < len(b) && '0' <= b[e] && b[e] <= '9' {
				e++
			}
			if e < len(b) && (b[e] == '.' || b[e]|0x20 == 'e') {
				break
			}
			nodes[st.node].s = unsafe.String(&b[j], e-j)
			i = e
		}
		st := &steps[k]
		if !st.at(b, i) || st.kind != rawString && k+1 < len(steps) && !rawStartsAt(st.kind, b, i+len(st.lit)) {
			c := sh.kid(s.kids, b, i, k)
			if c < 0 {
				sh.missShape, sh.missAt = sid, int32(k)
				r.nodes = nodes
				return nil
			}
			s, sid = &sh.all[c], c
			nodes = s.adopt(nodes, k)
			steps = s.steps
			st = &steps[k]
		}
		i += len(st.lit)
		if k+1 == len(steps) {
			break
		}
		nd := &nodes[st.node]
		switch st.kind {
		case rawString:
			j := r.safeRunFar(b, i)
			if j < len(b) && b[j] == '"' {
				nd.s = rawAlias(b, i, j)
				i = j
				break
			}
			text, lazy, next, err := r.strSlow(b, i-1, j)
			if err != nil {
				return r.shapeFailed(nodes)
			}
			nd.s, nd.lazy, i = text, lazy, next-1
		case rawNumber:
			next, ok := rawScanNumber(b, i)
			if !ok {
				return r.shapeFailed(nodes)
			}
			nd.s = unsafe.String(&b[i], next-i)
			i = next
		default:
			lit := rawLiterals[st.kind]
			if !rawHasLit(b, i, lit) {
				return r.shapeFailed(nodes)
			}
			i += len(lit)
			if st.kind != rawNull {
				nd.s = lit
			}
		}
	}
	r.nodes = nodes
	if r.finish(i) != nil {
		return r.shapeFailed(nodes)
	}
	r.top = append(r.top[:0], s.top...)
	r.nested = s.nested
	r.hidesASCII = r.hidesASCII || s.hides
	return s
}

// rawStartsAt reports whether b[i] can start a value of the kind.
func rawStartsAt(kind uint8, b []byte, i int) bool {
	return i < len(b) && int(kind) < len(rawStarts) && rawStarts[kind][b[i]]
}

// adopt returns nodes, which hold s's parent's nodes with values read for
// the steps before k (k > 0), as s's nodes with those values: the nodes
// up to the value before literal k are the same in both, but for the ends
// of containers still open there.
func (s *rawShape) adopt(nodes []rawNode, k int) []rawNode {
	first := s.steps[k-1].node + 1
	nodes = append(nodes[:first], s.nodes[first:]...)
	for n := range first {
		nodes[n].end = s.nodes[n].end
	}
	return nodes
}

// rawLiterals are the texts of true, false and null.
var rawLiterals = [...]string{rawNull: "null", rawTrue: "true", rawFalse: "false"}

// shapeFailed ends a parseShaped that found a value or what follows the
// event invalid: parse will reject the event too, so there is no shape to
// keep.
func (r *RawJSON) shapeFailed(nodes []rawNode) *rawShape {
	r.nodes = nodes
	r.shapes.missShape = rawNoShape
	return nil
}

// rawNoShape is rawShapes.missShape when there is no shape to keep.
const rawNoShape = -2

// keepShape keeps the shape of the event parse just read, where the last
// parseShaped failed in the tree, and returns it; nil when it keeps none.
func (r *RawJSON) keepShape() *rawShape {
	sh := r.shapes
	if sh.missShape == rawNoShape || len(r.nodes) > rawShapeNodes || r.end > rawShapeBytes {
		return nil
	}
	nvals := len(r.spans) / 2
	s := rawShape{
		steps:  make([]rawStep, 0, nvals+1),
		nodes:  make([]rawNode, len(r.nodes)),
		top:    append([]int32(nil), r.top...),
		nested: r.nested,
		hides:  r.keyHides,
	}
	// The literals, then the names, in one block of memory.
	size := r.end
	for k := range nvals {
		size -= int(r.spans[2*k+1] - r.spans[2*k])
	}
	for n := range r.nodes {
		size += len(r.nodes[n].key)
	}
	buf := make([]byte, 0, size)
	keep := func(text []byte) string {
		if len(text) == 0 {
			return ""
		}
		off := len(buf)
		buf = append(buf, text...)
		return unsafe.String(&buf[off], len(text))
	}
	prev := int32(0)
	for n, nd := range r.nodes {
		s.nodes[n] = rawNode{key: keep([]byte(nd.key)), pfx: nd.pfx, end: nd.end, kind: nd.kind}
		if nd.kind < rawArray {
			k := len(s.steps)
			s.steps = append(s.steps, rawStepOf(keep(r.raw[prev:r.spans[2*k]]), int32(n), nd.kind))
			prev = r.spans[2*k+1]
		}
	}
	s.steps = append(s.steps, rawStepOf(keep(r.raw[prev:r.end]), 0, 0))
	cost := size + len(s.nodes)*int(unsafe.Sizeof(rawNode{})) + len(s.steps)*int(unsafe.Sizeof(rawStep{})) + 4*len(s.top) + 256
	if len(sh.all) >= rawShapesMax || sh.bytes+cost > rawShapesBytes {
		clear(sh.all)
		*sh = rawShapes{all: sh.all[:0], roots: sh.roots[:0], missShape: -1}
	}
	id := int32(len(sh.all))
	sh.all = append(sh.all, s)
	sh.bytes += cost
	if sh.missShape < 0 {
		sh.roots = append(sh.roots, rawKid{shape: id})
	} else {
		p := &sh.all[sh.missShape]
		p.kids = append(p.kids, rawKid{at: sh.missAt, shape: id})
	}
	return &sh.all[id]
}

// keepBuild keeps in s, the shape of the event, what build made of it, for
// replay to make the same of the next event of the shape. It keeps nothing
// when build made a name from a value (the Name of evtx_dump's Data items)
// or left one out for want of name bytes (which depends on the length of
// the values).
func (r *RawJSON) keepBuild(s *rawShape) {
	if s.built || s.noBuild {
		return
	}
	if r.valueNames {
		s.noBuild = true
		return
	}
	size := 0
	for i := range r.fields {
		size += len(r.fields[i].name)
	}
	names := make([]byte, 0, size)
	s.fields = make([]rawField, len(r.fields))
	for i := range r.fields {
		f := &r.fields[i]
		name := ""
		if f.name != "" {
			off := len(names)
			names = append(names, f.name...)
			name = unsafe.String(&names[off], len(f.name))
		}
		s.fields[i] = rawField{name: name, hash: f.hash, fold: f.fold, head: f.head, src: f.src}
	}
	s.table = append([]int32(nil), r.table...)
	s.folded = append([]int32(nil), r.folded...)
	s.evtx, s.nameBytes, s.built = r.evtx, r.nameBytes, true
	r.shapes.bytes += size + len(s.fields)*int(unsafe.Sizeof(rawField{})) + 8*len(s.table)
}

// replay makes the fields of the event parseShaped read as s, as build
// made them of the event keepBuild kept, with this event's values; false
// when it cannot (s has no build kept, or the event is too short for the
// names build made).
func (r *RawJSON) replay(s *rawShape) bool {
	if !s.built || s.nameBytes > nameBudget(len(r.raw)) {
		return false
	}
	r.evtx = s.evtx
	r.sizeTables(len(s.table))
	copy(r.table, s.table)
	copy(r.folded, s.folded)
	fields := slices.Grow(r.fields[:0], len(s.fields))[:len(s.fields)]
	for i := range fields {
		t, f := &s.fields[i], &fields[i]
		f.name, f.hash, f.fold, f.head, f.src = t.name, t.hash, t.fold, t.head, t.src
		switch n := t.src.node; {
		case n < 0:
			f.val, f.lazy = Value{}, 0
		case r.nodes[n].kind < rawArray: // scalar, written out
			nd := &r.nodes[n]
			f.val, f.lazy = Value{Kind: rawValueKind[nd.kind], S: nd.s}, nd.lazy
		default:
			f.val, f.lazy, _ = r.scalar(n, int(t.src.depth))
		}
	}
	r.fields = fields
	return true
}
