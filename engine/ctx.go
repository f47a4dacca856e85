package engine

import (
	"hash/maphash"
	"unsafe"

	"github.com/tanchi-dev/tanchi/engine/internal/pattern"
)

// evalCtx is the per-event state shared by all rules evaluated on one event.
//
// On the indexed path a context lives in the engine's pool and is reused from
// event to event: field values are read once per event into slots (one per
// field name the rules use), each value is case-folded at most once, and each
// distinct comparison (atom) is evaluated at most once, its result shared by
// every rule that contains it. Entries are valid for the current generation
// only, so starting an event costs nothing but a counter increment.
//
// The brute-force path and explanations use a bare context (no slots, no
// memo): every comparison reads its field and evaluates afresh.
type evalCtx struct {
	ev  Event
	rd  eventReader // reads ev's fields by key
	src eventSource
	cfg *config
	eng *Engine // nil in a bare context

	schema  *Schema       // of the last IndexedEvent, with its layout
	layout  *schemaLayout // nil when the engine keeps no more schemas
	slotPos []int32       // the layout's slots for the current event, else nil

	// Where the slots' fields are in the shape of the current event, a
	// RawJSON answered from its shape; else nil. See shapeSlots.
	rawPos    []int32
	rawShapes []shapeSlots

	gen uint32 // the current event; 0 in a bare context

	keys []*slotKeys // slot -> how to read it (shared, read-only)

	slots    []slotState // slot -> its value in the current event
	foldGen  []uint32    // slot -> generation its fold was computed in
	slotFold []string
	touched  []int32 // slots read this event, cleared by end

	memo []uint32 // atom id -> gen<<1 | result

	route    *route // the route of the last event, for routeKey
	routeKey routeKey

	// Candidate collection (index.go). rs: rule -> the generation of the
	// event in which it was last made a candidate or pending. One array,
	// small enough to stay in cache: addRefs touches it for every rule a
	// found literal leads to. pending: rules whose first witness group was
	// found, to be candidates if their other groups are too; seen: track
	// -> the generation of the event in which its literal was last found.
	rs      []uint32
	cands   []int32
	hits    []int32 // literals found in the text being scanned
	refs    []int32 // their refs (see refRule)
	pending []int32
	seen    []uint32

	arena []byte // folded text of the current event

	memos     []*scanMemo // field (index.fields) -> its memo, made on first use
	memoSeed  maphash.Seed
	memoBytes int // value bytes the memos hold (see memoBudget)
	nfields   int
	valEntry  []valueRef // slot -> what the memo keeps of its value this event

	srcs     *sourceCache // see sourceOf; pooled contexts only
	srcEntry *sourceMemo  // the entry of the current event's source; nil for none

	texts   []string                 // the event's texts, while keywords are searched
	addText func(string, Value) bool // adds one value's texts to texts
	kwBuf   []byte                   // the texts joinedKeywords searches

	all    []fieldValue // every field of the event, for keyword search
	folds  []string     // their folds, while a keyword search runs (valueFolds)
	allGen uint32       // generation all was filled in
	addAll func(string, Value) bool

	fieldHits []FieldHit // a match's comparisons, with the event's texts (see ownHits)
}

// slotState is what a context holds of one slot for the current event,
// together so that reading a slot touches one cache line (64 bytes).
type slotState struct {
	gen uint32 // the generation v was read in
	// v's rawField.lazy while v holds the encoded text of a RawJSON
	// string (see fieldKey.getEncoded), else 0.
	lazy int32
	ok   bool
	v    Value
}

// fieldValue is one field of an event.
type fieldValue struct {
	name string
	v    Value
}

// newCtx returns a context sized for e's slots, atoms, rules and literals.
func (e *Engine) newCtx() *evalCtx {
	c := &evalCtx{cfg: &e.cfg, eng: e, keys: e.keys}
	n := len(e.slots)
	c.slots = make([]slotState, n)
	c.foldGen, c.slotFold = make([]uint32, n), make([]string, n)
	c.memo = make([]uint32, len(e.atoms))
	c.rs = make([]uint32, len(e.rules))
	c.srcs = new(sourceCache)
	if e.index != nil {
		c.seen = make([]uint32, len(e.index.trackRules))
		c.nfields = len(e.index.fields)
		c.valEntry = make([]valueRef, n)
	}
	return c
}

// bareCtx returns a context that caches nothing.
func (e *Engine) bareCtx(ev Event) *evalCtx {
	c := &evalCtx{ev: ev, rd: readerOf(ev), cfg: &e.cfg}
	c.src = sourceOf(&c.rd)
	return c
}

// maxGen is where generations wrap: the atom memo keeps gen<<1 | result
// in 32 bits.
const (
	maxGen = 1<<31 - 1
	_      = uint32(maxGen<<1 | 1) // a compile error when it does not fit
)

// begin starts a new event in a pooled context.
func (c *evalCtx) begin(ev Event) {
	c.ev = ev
	c.rd = readerOf(ev)
	c.slotPos, c.rawPos = nil, nil
	if r := c.rd.raw; r != nil && r.shape != nil {
		c.rawPos = c.shapePos(r.shape)
	}
	if at, ok := ev.(IndexedEvent); ok && c.rd.raw == nil {
		if s := at.Schema(); s != nil {
			if s != c.schema {
				c.schema, c.layout = s, c.eng.schemaLayout(s)
			}
			if c.layout != nil {
				c.rd.at, c.rd.pos, c.slotPos = at, c.layout.keys, c.layout.slots
			}
		}
	}
	c.src = c.sourceOf()
	c.arena = c.arena[:0]
	c.gen++
	if c.gen >= maxGen {
		clear(c.slots)
		clear(c.foldGen)
		clear(c.memo)
		clear(c.rs)
		clear(c.seen)
		clear(c.valEntry)
		c.allGen = 0
		c.gen = 1
	}
}

// end drops the references a pooled context holds to the event.
func (c *evalCtx) end() {
	c.ev, c.rd = nil, eventReader{}
	for _, s := range c.touched {
		c.slots[s].v, c.slotFold[s] = Value{}, ""
	}
	c.touched = c.touched[:0]
	clear(c.all) // once: the values collected this event, if any
	c.all = c.all[:0]
	clear(c.folds) // and their folds
	c.folds = c.folds[:0]
}

// lookup reads a field by name, through the mapping, without caching.
func (c *evalCtx) lookup(name string) (Value, bool) { return c.cfg.mapping.lookup(c.ev, &c.src, name) }

// field reads the field an atom compares, from its slot when the context
// caches values.
func (c *evalCtx) field(slot int32, name string) (Value, bool) {
	if c.gen == 0 || slot < 0 {
		return c.lookup(name)
	}
	st := &c.slots[slot]
	if st.gen != c.gen {
		c.read(slot, st)
	}
	if st.lazy != 0 {
		st.v.S = c.decodedValue(slot)
		st.lazy = 0
	}
	return st.v, st.ok
}

// state is field for a value's identity rather than its text, in a
// pooled context: the slot's state for the current event, read first. A
// RawJSON string with escapes is held as the JSON writes it (lazy set, see
// fieldKey.getEncoded) and is decoded only if field is asked for it later.
func (c *evalCtx) state(slot int32) *slotState {
	st := &c.slots[slot]
	if st.gen != c.gen {
		c.read(slot, st)
	}
	return st
}

// read reads the value of slot, whose state is st, for the current event.
func (c *evalCtx) read(slot int32, st *slotState) {
	c.touched = append(c.touched, slot)
	st.gen = c.gen
	if p := c.slotPos; p != nil {
		switch i := p[slot]; {
		case i >= 0:
			// The slot's own field by its position: what lookup tries
			// first, in one call.
			if st.v, st.ok = c.rd.at.FieldAt(int(i)); st.ok {
				st.lazy = 0
				return
			}
		case i == slotNever:
			st.v, st.lazy, st.ok = Value{}, 0, false
			return
		}
	}
	if p := c.rawPos; p != nil {
		i := p[slot]
		if i == 0 {
			i = c.findShapeField(slot)
			p[slot] = i
		}
		switch {
		case i > 0:
			r := c.rd.raw
			st.v, st.lazy = r.viewed(&r.shape.fields[i-1])
			st.ok = true
			return
		case i == slotOwnAbsent:
			st.v, st.lazy, st.ok = c.keys[slot].alias(&c.rd, &c.src)
			return
		case i == slotShapeNever:
			st.v, st.lazy, st.ok = Value{}, 0, false
			return
		}
	}
	st.v, st.lazy, st.ok = c.keys[slot].lookup(&c.rd, &c.src)
}

// shapeSlots is where the slots' fields are in the events of one RawJSON
// shape (rawShape.stamp): the events of a shape have the same fields in the
// same places, so a slot's field, found by name in one of them, is where
// the slot is read in all of them. pos has, for each slot, 1 + the index of
// its field in the shape's fields, or slotOwnAbsent, slotByKeys or
// slotShapeNever, or 0 when the slot has not been read in an event of the
// shape yet.
type shapeSlots struct {
	stamp uint64
	pos   []int32
}

// shapePos values besides 1 + a field's index.
const (
	slotOwnAbsent  = -1 // the shape has no field of the slot's own name: only its aliases may answer
	slotByKeys     = -2 // the slot has no own name (a user mapping renames it): read by keys
	slotShapeNever = -3 // the shape has none of the names the slot may be read by
)

// shapeSlotWays is how many shapes a context keeps slots for, direct-mapped
// by stamp; a shape that finds its way taken by another starts afresh. With
// all rules a way is about 1 KB (245 slots). On the mixed Sysmon lane, of
// many shapes, 128 ways read 150 instructions per event less than 32
// (cachegrind, BenchmarkScan).
const shapeSlotWays = 128

// shapePos returns the slots' positions for events of shape s.
func (c *evalCtx) shapePos(s *rawShape) []int32 {
	if c.rawShapes == nil {
		c.rawShapes = make([]shapeSlots, shapeSlotWays)
	}
	w := &c.rawShapes[s.stamp%shapeSlotWays]
	if w.stamp != s.stamp {
		if w.pos == nil {
			w.pos = make([]int32, len(c.slots))
		} else {
			clear(w.pos)
		}
		w.stamp = s.stamp
	}
	return w.pos
}

// findShapeField returns the shapePos value of slot in the current event's
// shape: where RawJSON.lookup finds the slot's own name there, else whether
// another of its names may answer.
func (c *evalCtx) findShapeField(slot int32) int32 {
	s := c.rd.raw.shape
	n := len(s.table) / 2
	find := func(k *fieldKey) int {
		return rawFindIndex(s.fields, s.table[:n], s.table[n:], k.name, k.hash, k.fold)
	}
	keys := c.keys[slot]
	if keys.own != nil {
		if i := find(keys.own); i >= 0 {
			return int32(i) + 1
		}
	}
	switch {
	case keys.never(func(k *fieldKey) bool { return find(k) >= 0 }):
		return slotShapeNever
	case keys.own == nil:
		return slotByKeys
	}
	return slotOwnAbsent
}

// folded returns Fold(v.S) for the value of slot (read by field first).
func (c *evalCtx) folded(slot int32, s string) string {
	if c.gen == 0 || slot < 0 {
		return c.fold(s)
	}
	if c.foldGen[slot] != c.gen {
		c.slotFold[slot] = c.foldValue(slot, s)
		c.foldGen[slot] = c.gen
	}
	return c.slotFold[slot]
}

// fold returns Fold(s), in the context's arena when folding changes s.
func (c *evalCtx) fold(s string) string {
	start := len(c.arena)
	var changed bool
	if c.arena, changed = pattern.AppendFoldChanged(c.arena, s); !changed {
		return s
	}
	return bytesString(c.arena[start:])
}

// values returns every field of the event, read once per event in a
// caching context.
func (c *evalCtx) values() []fieldValue {
	if c.gen != 0 && c.allGen == c.gen {
		return c.all
	}
	c.all = c.all[:0]
	if c.addAll == nil {
		c.addAll = c.addValue // a method value allocates: make it once
	}
	c.ev.Range(c.addAll)
	c.allGen = c.gen
	return c.all
}

func (c *evalCtx) addValue(name string, v Value) bool {
	c.all = append(c.all, fieldValue{name, v})
	return true
}

// valueFolds returns the folds (foldScalar) of vals' values, in a buffer
// of the context's that the next call reuses: a keyword search tries each
// of its values on every field, and folds each field once.
func (c *evalCtx) valueFolds(vals []fieldValue) []string {
	c.folds = c.folds[:0]
	for _, f := range vals {
		c.folds = append(c.folds, c.foldScalar(f.v))
	}
	return c.folds
}

// foldScalar folds a scalar value; lists and null fold to "".
func (c *evalCtx) foldScalar(v Value) string {
	if v.Kind == KindNull || v.Kind == KindList {
		return ""
	}
	return c.fold(v.S)
}

// bytesString views b as a string without copying; b must not change while
// the string is in use.
func bytesString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// evalAtom evaluates a, at most once per event in a caching context.
func (c *evalCtx) evalAtom(a *atom) bool {
	if c.gen == 0 || a.id < 0 {
		return a.eval(c)
	}
	if m := c.memo[a.id]; m>>1 == c.gen {
		return m&1 == 1
	}
	var r bool
	if a.byValue || a.byLong && c.keptLong(a.slot) {
		r = c.byValue(a.slot, a.id, a)
	} else {
		r = a.eval(c)
	}
	m := c.gen << 1
	if r {
		m |= 1
	}
	c.memo[a.id] = m
	return r
}
