package engine

import (
	"encoding/binary"
	"math/bits"
	"slices"
	"sync/atomic"
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
// event of either kind walks t's literals once. A shape is kept the second
// time its literals are seen (a stream has many shapes seen once); the
// tree is bounded in shapes and bytes, and forgotten whole when full.
//
// A shape also keeps what build made of its event (keepBuild): the fields,
// with their names, hashes and the node each value comes from, and the
// tables over them. The next event of the shape is not built: when each
// field takes a scalar's value or a flat list of scalars', the shape's
// fields answer Field and Range with the values just read (view);
// otherwise the event's nodes are made and its fields replayed from them
// (replay). A build that made a name from a value (evtx_dump's Data Name)
// or left one out for want of name bytes is not kept.

// rawShape is the shape of an event: its literals and its nodes.
type rawShape struct {
	// steps[k] is literal k and value k after it; the last step has the
	// literal after the last value, and no value.
	steps []rawStep
	lits  []byte    // the literals one after the other, then names
	nodes []rawNode // the event's nodes with empty values
	top   []int32
	kids  []rawKid
	// RawJSON.nested and RawJSON.keyHides for the event.
	nested, hides bool
	// stamp names the shape for as long as the process runs (rawStamps):
	// its place in rawShapes.all is taken by another shape once the tree
	// is wiped, its stamp never is.
	stamp uint64

	// What build made of the event, once keepBuild has kept it: the
	// fields with their names and where their values come from, but
	// without values, and the tables over them.
	built   bool
	noBuild bool // build made a name from a value: none to keep
	evtx    bool
	scalars bool // every field's value is read from r.vals: see view
	lists   []rawList
	fields  []rawField // without values; see rawField.step
	table   []int32    // table and folded, the one after the other
	names   int        // RawJSON.nameBytes
}

// rawStep is a literal and the kind of the value after it, with the node
// that value makes.
type rawStep struct {
	off, n uint32 // the literal is lits[off:off+n]
	node   int32
	kind   uint8
}

// replays reports whether s has a build kept that holds for r's event,
// whose length bounds the dotted-name bytes build may make.
func (s *rawShape) replays(r *RawJSON) bool {
	return s.built && s.names <= nameBudget(len(r.raw))
}

// rawList is a field's list of scalars in a shape: the values of steps
// step to step+n, which view puts at r.items[at:at+n].
type rawList struct{ step, n, at int32 }

// flatList returns node n's list when it is a list of one or more
// scalars, whose values are steps in a row; step is the step of each
// scalar node, -1 for others.
func (s *rawShape) flatList(n int32, step []int32) (rawList, bool) {
	if n < 0 || s.nodes[n].kind != rawArray || s.nodes[n].end == n+1 {
		return rawList{}, false
	}
	for c := n + 1; c < s.nodes[n].end; c++ {
		if step[c] < 0 { // scalar nodes in a row have steps in a row
			return rawList{}, false
		}
	}
	return rawList{step: step[n+1], n: s.nodes[n].end - n - 1}, true
}

// view makes s's fields the event's, with the values parseShaped read:
// the lists' items go to r.items.
func (r *RawJSON) view(s *rawShape) {
	r.shape, r.evtx = s, s.evtx
	r.nodes = r.nodes[:0]
	for _, l := range s.lists {
		for k := l.step; k < l.step+l.n; k++ {
			v := Value{Kind: rawValueKind[s.steps[k].kind], S: r.vals[k].s}
			if lazy := r.vals[k].lazy; lazy != 0 {
				v.S = r.decoded(lazy)
			}
			r.items = append(r.items, v)
		}
	}
}

// viewed is the value of field f of r.shape, with its rawField.lazy.
func (r *RawJSON) viewed(f *rawField) (Value, int32) {
	if f.step >= 0 {
		v := &r.vals[f.step]
		return Value{Kind: f.val.Kind, S: v.s}, v.lazy
	}
	l := &r.shape.lists[-2-f.step]
	return Value{Kind: KindList, Items: r.items[l.at : l.at+l.n : l.at+l.n]}, 0
}

// rawVal is a value parseShaped read: rawNode.s and rawNode.lazy.
type rawVal struct {
	s    string
	lazy int32
}

// lit is the literal of step k.
func (s *rawShape) lit(k int) []byte {
	st := &s.steps[k]
	return s.lits[st.off : st.off+st.n]
}

// fits reports whether b at i holds literal k of s followed, unless it is
// the last, by the first byte of a value of the kind s has there.
func (s *rawShape) fits(b []byte, i, k int) bool {
	lit := s.lit(k)
	if !rawHasLit(b, i, lit) {
		return false
	}
	i += len(lit)
	return k == len(s.steps)-1 || i < len(b) && rawStarts[s.steps[k].kind][b[i]]
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
	// Signatures of shapes seen once and not kept, by signature modulo
	// their number: a shape is kept the second time it is seen, so that
	// events of shapes seen once (a stream has many) do not fill the tree.
	seen [1024]uint64
}

// Bounds of the shapes a RawJSON keeps: events of at most rawShapeNodes
// nodes and rawShapeBytes bytes, and at most rawShapesMax shapes holding
// rawShapesBytes bytes in all.
const (
	rawShapeNodes  = 2048
	rawShapeBytes  = 1 << 16
	rawShapesMax   = 1024
	rawShapesBytes = 8 << 20
)

// rawStamps numbers the shapes all RawJSONs keep (rawShape.stamp), from 1.
var rawStamps atomic.Uint64

// rawShapesOn is whether Reset keeps and uses shapes; tests turn it off
// to compare.
var rawShapesOn = true

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
func rawHasLit(b []byte, i int, lit []byte) bool {
	n := len(lit)
	if len(b)-i < n {
		return false
	}
	if n < 8 {
		return string(b[i:i+n]) == string(lit)
	}
	w := b[i : i+n : i+n]
	for k := 0; k+8 < n; k += 8 {
		if binary.LittleEndian.Uint64(w[k:]) != binary.LittleEndian.Uint64(lit[k:]) {
			return false
		}
	}
	return binary.LittleEndian.Uint64(w[n-8:]) == binary.LittleEndian.Uint64(lit[n-8:])
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

// parseShaped reads r.raw as an event of a shape kept before and returns
// the shape, or nil when the event has none: r.vals then holds the
// values, by step, that parse would put in the shape's nodes (makeNodes
// puts them there). When there is none, it notes where in the tree it
// failed, for keepShape, and parse must read the event from the start
// (values read so far have left lazy strings and decoded text behind).
func (r *RawJSON) parseShaped() *rawShape {
	sh, b := r.shapes, r.raw
	sh.missShape, sh.missAt = -1, 0
	sid := sh.kid(sh.roots, b, 0, 0)
	if sid < 0 {
		return nil
	}
	s := &sh.all[sid]
	steps, lits, marks := s.steps, s.lits, r.marks
	vals := slices.Grow(r.vals[:0], len(steps))[:len(steps)-1]
	i := 0
	for k := 0; ; k++ {
		// The steps of the common kind first, in a loop without calls (a
		// call costs the loop its registers): a literal of 8 to 32 bytes,
		// then a string without escapes that ends in the 64-byte word it
		// starts in or a number of digits alone. Anything else leaves the
		// step to the code after the loop, untouched but for found.
		found := -1 // the step whose literal the loop found last
		for ; k+1 < len(steps); k++ {
			st := &steps[k]
			n := int(st.n)
			if n < 8 || n > 32 || n >= len(b)-i || int(st.off)+n > len(lits) {
				break
			}
			w, l := b[i:i+n], lits[st.off:int(st.off)+n]
			if binary.LittleEndian.Uint64(w) != binary.LittleEndian.Uint64(l) ||
				binary.LittleEndian.Uint64(w[n-8:]) != binary.LittleEndian.Uint64(l[n-8:]) ||
				n > 16 && binary.LittleEndian.Uint64(w[8:]) != binary.LittleEndian.Uint64(l[8:]) ||
				n > 24 && binary.LittleEndian.Uint64(w[16:]) != binary.LittleEndian.Uint64(l[16:]) {
				break
			}
			found = k
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
				vals[k] = rawVal{s: unsafe.String(unsafe.SliceData(b[j:]), e-j)}
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
			vals[k] = rawVal{s: unsafe.String(&b[j], e-j)}
			i = e
		}
		st := &steps[k]
		if found == k && st.kind != rawString && !rawStarts[st.kind][b[i+int(st.n)]] || found != k && !s.fits(b, i, k) {
			c := sh.kid(s.kids, b, i, k)
			if c < 0 {
				sh.missShape, sh.missAt = sid, int32(k)
				r.vals = vals
				return nil
			}
			// The kid has the same steps before k, and so the same values.
			s, sid = &sh.all[c], c
			steps, lits = s.steps, s.lits
			vals = slices.Grow(vals, len(steps))[:len(steps)-1]
			st = &steps[k]
		}
		i += int(st.n)
		if k+1 == len(steps) {
			break
		}
		v := &vals[k]
		*v = rawVal{}
		switch st.kind {
		case rawString:
			j := r.safeRunFar(b, i)
			if j < len(b) && b[j] == '"' {
				v.s = rawAlias(b, i, j)
				i = j
				break
			}
			text, lazy, next, err := r.strSlow(b, i-1, j)
			if err != nil {
				return r.shapeFailed(vals)
			}
			v.s, v.lazy, i = text, lazy, next-1
		case rawNumber:
			next, ok := rawScanNumber(b, i)
			if !ok {
				return r.shapeFailed(vals)
			}
			v.s = unsafe.String(&b[i], next-i)
			i = next
		default:
			lit := rawLiterals[st.kind]
			if len(b)-i < len(lit) || string(b[i:i+len(lit)]) != lit {
				return r.shapeFailed(vals)
			}
			i += len(lit)
			if st.kind != rawNull {
				v.s = lit
			}
		}
	}
	r.vals = vals
	if r.finish(i) != nil {
		return r.shapeFailed(vals)
	}
	r.hidesASCII = r.hidesASCII || s.hides
	return s
}

// makeNodes makes r.nodes, r.top and r.nested what parse would make of
// the event of shape s that parseShaped read: s's nodes with its values.
func (r *RawJSON) makeNodes(s *rawShape) {
	r.top = append(r.top[:0], s.top...)
	r.nested = s.nested
	nodes := append(r.nodes[:0], s.nodes...)
	for k, v := range r.vals {
		nd := &nodes[s.steps[k].node]
		nd.s, nd.lazy = v.s, v.lazy
	}
	r.nodes = nodes
}

// rawLiterals are the texts of true, false and null.
var rawLiterals = [...]string{rawNull: "null", rawTrue: "true", rawFalse: "false"}

// shapeFailed ends a parseShaped that found a value or what follows the
// event invalid: parse will reject the event too, so there is no shape to
// keep.
func (r *RawJSON) shapeFailed(vals []rawVal) *rawShape {
	r.vals = vals
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
	// The signature of the literals and the kinds of the values (a
	// string's literal ends with its quote; others' first bytes differ by
	// kind but for numbers).
	sig, prev := uint64(nvals), int32(0)
	for k := range nvals {
		start := r.spans[2*k]
		kind := r.raw[start]
		if r.raw[start-1] == '"' || kind == '-' || '0' <= kind && kind <= '9' {
			kind = 0
		}
		sig = rawMix(sig^rawHash(unsafe.String(unsafe.SliceData(r.raw[prev:]), int(start-prev))), rawK1^uint64(kind))
		prev = r.spans[2*k+1]
	}
	sig = rawMix(sig^rawHash(unsafe.String(unsafe.SliceData(r.raw[prev:]), r.end-int(prev))), rawK2)
	if slot := &sh.seen[sig%uint64(len(sh.seen))]; *slot != sig {
		*slot = sig
		return nil
	}
	s := rawShape{
		steps:  make([]rawStep, 0, nvals+1),
		nodes:  make([]rawNode, len(r.nodes)),
		top:    append([]int32(nil), r.top...),
		nested: r.nested,
		hides:  r.keyHides,
		stamp:  rawStamps.Add(1),
	}
	// The literals, then the names, in one block of memory.
	size := r.end
	for k := range nvals {
		size -= int(r.spans[2*k+1] - r.spans[2*k])
	}
	for n := range r.nodes {
		size += len(r.nodes[n].key)
	}
	// The literals first, in order, then the names, which must not move:
	// buf has room for all of them.
	buf := make([]byte, 0, size)
	prev = 0
	for n, nd := range r.nodes {
		if nd.kind < rawArray {
			k := len(s.steps)
			lit := r.raw[prev:r.spans[2*k]]
			s.steps = append(s.steps, rawStep{off: uint32(len(buf)), n: uint32(len(lit)), node: int32(n), kind: nd.kind})
			buf = append(buf, lit...)
			prev = r.spans[2*k+1]
		}
	}
	lit := r.raw[prev:r.end]
	s.steps = append(s.steps, rawStep{off: uint32(len(buf)), n: uint32(len(lit))})
	buf = append(buf, lit...)
	for n, nd := range r.nodes {
		key := ""
		if nd.key != "" {
			off := len(buf)
			buf = append(buf, nd.key...)
			key = unsafe.String(&buf[off], len(nd.key))
		}
		s.nodes[n] = rawNode{key: key, pfx: nd.pfx, end: nd.end, kind: nd.kind}
	}
	s.lits = buf
	cost := size + len(s.nodes)*int(unsafe.Sizeof(rawNode{})) + len(s.steps)*int(unsafe.Sizeof(rawStep{})) + 4*len(s.top) + 256
	if len(sh.all) >= rawShapesMax || sh.bytes+cost > rawShapesBytes {
		clear(sh.all)
		sh.all, sh.roots, sh.bytes, sh.missShape = sh.all[:0], sh.roots[:0], 0, -1
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
	// The step of each scalar node.
	step := make([]int32, len(s.nodes))
	for n := range step {
		step[n] = -1
	}
	for k := range len(s.steps) - 1 {
		step[s.steps[k].node] = int32(k)
	}
	names := make([]byte, 0, size)
	s.fields = make([]rawField, len(r.fields))
	s.scalars = true
	for i := range r.fields {
		f := &r.fields[i]
		name := ""
		if f.name != "" {
			off := len(names)
			names = append(names, f.name...)
			name = unsafe.String(&names[off], len(f.name))
		}
		fo := rawField{name: name, hash: f.hash, fold: f.fold, head: f.head, src: f.src, step: -1}
		if n := f.src.node; n >= 0 && step[n] >= 0 {
			fo.step, fo.val.Kind = step[n], rawValueKind[s.nodes[n].kind]
		} else if l, ok := s.flatList(n, step); ok {
			if len(s.lists) > 0 {
				last := s.lists[len(s.lists)-1]
				l.at = last.at + last.n
			}
			fo.step, fo.val.Kind = int32(-2-len(s.lists)), KindList
			s.lists = append(s.lists, l)
		} else {
			s.scalars = false
		}
		s.fields[i] = fo
	}
	s.table = append(append(make([]int32, 0, 2*len(r.table)), r.table...), r.folded...)
	s.evtx, s.names, s.built = r.evtx, r.nameBytes, true
	r.shapes.bytes += size + len(s.fields)*int(unsafe.Sizeof(rawField{})) + 4*len(s.table)
}

// replay makes the fields of the event parseShaped read as s, from
// r.nodes (see makeNodes), as build made them of the event keepBuild kept;
// false when it cannot: s has no build kept, or the event is too short for
// the names build made. (Events whose fields are all scalars' need no
// replay: the shape's fields answer for them, see RawJSON.view.)
func (r *RawJSON) replay(s *rawShape) bool {
	if !s.replays(r) {
		return false
	}
	r.evtx = s.evtx
	n := len(s.table) / 2
	r.sizeTables(n)
	copy(r.table, s.table[:n])
	copy(r.folded, s.table[n:])
	fields := slices.Grow(r.fields[:0], len(s.fields))[:len(s.fields)]
	for i := range fields {
		t, f := &s.fields[i], &fields[i]
		f.name, f.hash, f.fold, f.head, f.src, f.step = t.name, t.hash, t.fold, t.head, t.src, -1
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
