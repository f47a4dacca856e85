package engine

import (
	"hash/maphash"
	"math/bits"
	"slices"
	"unsafe"
)

// scanMemo remembers the literals the index found in one field's recent
// values. Telemetry repeats itself: the same images, parent images, call
// traces and registry keys come back event after event, so a field's value
// is often one scanned a moment ago. Looking it up costs a hash and a
// comparison of the value, a fraction of scanning it.
//
// A memo holds memoWays entries, each a copy of a value (the event's
// bytes are not kept) and the refs of the literals scanning it found (what
// finding them does, see refRule). A value's hash picks one set of
// memoSetWays entries, and the value is looked for in all of them; an
// entry is used only when its value equals the new one byte for byte, so
// the memo never changes what the index finds. Entries keep a small
// score, raised by each reuse. A value not found takes the entry under
// its set's hand when that entry's score is zero, else lowers that score
// and is scanned without being kept; the hand moves on either way (a
// clock), so that one-off values (a command line seen once) do not push
// out the values that keep coming back. Memos live in the pooled evalCtx,
// one per field the context has scanned, and need no locking.
//
// On the benchmark lanes (events drawn at random from real logs, so with
// no bursts of one process's events) a field's distinct values are often
// more than its memo holds where their hashes put them: with one entry per
// set (direct-mapped), 84% of the process-creation lane's CommandLine
// lookups found their value and 91% of mixed Sysmon's CallTrace lookups;
// with sets of 8 entries, 96.5% and 95.4% (BenchmarkAgent, all rules).
type scanMemo struct {
	tags  [memoWays]uint64 // the hash of each entry's value, a set's side by side
	hands [memoSets]uint8  // each set's next entry to take (see scanMemoized)
	ents  [memoWays]memoEntry
	// What atoms keep of each entry's value, apart from the entries so
	// that a lookup reads one 32-byte entry.
	vals [memoWays]valueMemo
	// results: the entries have room for atoms' and gates' results (see
	// newScanMemo).
	results bool
}

// memoEntry is a value a memo holds: what looking it up reads. Its bytes
// and the refs (see refRule) of the literals scanning it found share one
// buffer, so that a short value's refs are read from the cache line its
// comparison has just read.
type memoEntry struct {
	mem   *int32         // the buffer: nrefs refs, then the value's bytes
	val   unsafe.Pointer // the value's bytes, in mem
	words uint32         // the buffer's capacity
	n     uint16         // bytes of the value (at most memoMax; see below)
	nrefs uint16         // (at most maxEntryRefs)
	kind  Kind           // of the value
	enc   bool           // whether the bytes are the encoded text (see evalCtx.state)
	score uint8
}

// maxEntryRefs bounds the refs an entry holds; a value whose literals have
// more is scanned each time.
const maxEntryRefs = 1<<16 - 1

// value returns the bytes e holds.
func (e *memoEntry) value() string { return unsafe.String((*byte)(e.val), int(e.n)) }

// refs returns the refs e holds.
func (e *memoEntry) refs() []int32 {
	return (*[maxEntryRefs]int32)(unsafe.Pointer(e.mem))[:e.nrefs:e.nrefs]
}

// buffer returns e's buffer, empty.
func (e *memoEntry) buffer() []int32 { return unsafe.Slice(e.mem, e.words)[:0] }

// hold makes e hold s, of kind, encoded or not, and refs, in mem, which
// has room for them, with a score of 0.
func (e *memoEntry) hold(mem []int32, kind Kind, encoded bool, s string, refs []int32) {
	mem = mem[:len(refs)+memWords(len(s))]
	copy(mem, refs)
	val := unsafe.Pointer(unsafe.SliceData(mem[len(refs):]))
	copy(unsafe.Slice((*byte)(val), len(s)), s)
	*e = memoEntry{
		mem: unsafe.SliceData(mem), val: val, words: uint32(cap(mem)),
		n: uint16(len(s)), nrefs: uint16(len(refs)), kind: kind, enc: encoded,
	}
}

// memWords is the number of int32 words n bytes take.
func memWords(n int) int { return (n + 3) / 4 }

// valueMemo is what atoms keep of a memo entry's value (see
// evalCtx.valueEntry).
type valueMemo struct {
	// Results of atoms that depend on this value alone and are costly
	// (regular expressions), and of rules' gates (gate.go), as evaluated
	// on it (see evalCtx.byValue).
	atoms []atomResult
	// The value's fold, once an atom has asked for it (see
	// evalCtx.folded): foldSame when folding leaves the value as it is,
	// foldKept when fold holds it.
	fold      []byte
	foldState uint8
	// The decoded text of an encoded value (enc), once an atom has read
	// it (see evalCtx.decodedValue), when decKept.
	dec     []byte
	decKept bool
	enc     bool // the entry's enc
	long    bool // the value has longValue bytes or more
	// The hash of the value's fold, once a pair gate has asked for it
	// (see evalCtx.foldHash), when hashKept.
	hashKept bool
	// Where entryResult looks first in atoms (a hint: any value is
	// correct). It sits here, in the padding before foldHash.
	next     uint16
	foldHash uint64
}

// find returns the index of the entry holding s, of kind, encoded or not,
// whose hash is h, or -1, and the first entry of the set it belongs in.
func (m *scanMemo) find(h uint64, kind Kind, encoded bool, s string) (i, set int) {
	set = int(h%memoSets) * memoSetWays
	for w, t := range (*[memoSetWays]uint64)(m.tags[set:]) {
		if t != h {
			continue
		}
		if e := &m.ents[set+w]; e.kind == kind && e.enc == encoded && e.value() == s {
			return set + w, set
		}
	}
	return -1, set
}

// newScanMemo returns the memo of a field. When atoms or gates keep their
// results in its entries (results), each entry gets room for memoResults
// of them in one array made with the memo, so that an entry first asked
// for a result long after the memo was made (an image kept for events no
// gate reads) does not allocate then. A memo made without that room gets
// it when it first keeps a value of longValue bytes, whose results every
// atom keeps (see atom.byLong). (An entry's fold and decoded text are
// still kept the first time an atom asks for them, which allocates when
// the entry's buffer for them is too short.)
func newScanMemo(results bool) *scanMemo {
	m := new(scanMemo)
	if results {
		m.makeResults()
	}
	return m
}

// makeResults gives each entry room for memoResults results, keeping those
// it has.
func (m *scanMemo) makeResults() {
	all := make([]atomResult, memoWays*memoResults)
	for i := range m.vals {
		v := &m.vals[i]
		v.atoms = append(all[i*memoResults:i*memoResults:(i+1)*memoResults], v.atoms...)
	}
	m.results = true
}

// memoResults is the room for results an entry starts with; an entry that
// needs more grows its own and keeps it.
const memoResults = 4

// valueMemo.foldState values.
const (
	foldNone = iota
	foldSame
	foldKept
)

type atomResult struct {
	id int32
	ok bool
}

// Values of memoMin to memoMax bytes are kept. Short ones too: an
// IntegrityLevel of "System" or a LogonId of "0x3e7" holds a literal of
// its field, and finding it again (a Teddy call and its verification)
// costs more than looking the value up; keeping values of 1 to 7 bytes
// took 800 of 18,600 instructions off a process creation and 240 of 8,600
// off a mixed Sysmon event (BenchmarkAgent, all rules). Long values pay the
// most to scan and still repeat: an encoded PowerShell stager's 5 KB
// command line comes back as the parent command line of every process it
// starts (on the process-creation lane, 3% of events; scanning them was
// 3,100 of 34,300 instructions per event while memoMax was 4 KB).
const (
	memoWays     = 256
	memoSetWays  = 8 // a set's tags fill one cache line
	memoSets     = memoWays / memoSetWays
	memoMin      = 1
	memoMax      = 16 << 10
	memoMaxScore = 3
)

// A memo entry's length is a uint16.
const _ = uint16(memoMax)

// memoBudget bounds the bytes of values, and of their refs, one context's
// memos keep, whatever the events: a stream of long values that never
// repeat, in every field, would otherwise fill every memo with
// memoWays*memoMax bytes. On the benchmark lanes (BenchmarkAgent, 50,000
// events) a context keeps 125 KB (Security) to 460 KB (mixed Sysmon).
const memoBudget = 2 << 20

// scanMemoized returns the refs (see refRule) of the literals of field
// fi of x found in s, the text of the current event's scalar value (of
// kind) of the field, from c's memo of the field when the value was
// scanned recently: a repeated value costs neither the scan nor looking
// up its literals' refs. The entry that holds it, if any, is kept for the
// field slot's atoms (see valueEntry). The refs returned are the memo's
// or c.refs: the caller reads them before the next scan and never writes
// them. When encoded, s is the value's encoded text (see evalCtx.state):
// it stands for the value in the memo, and the value is decoded only to
// be scanned.
func (c *evalCtx) scanMemoized(x *index, fi int, kind Kind, s string, encoded bool) []int32 {
	f := &x.fields[fi]
	if len(s) < memoMin || len(s) > memoMax {
		return c.scanRefs(x, f, s, encoded)
	}
	if c.memos == nil {
		c.memos = make([]*scanMemo, c.nfields)
		c.memoSeed = maphash.MakeSeed()
	}
	m := c.memos[fi]
	if m == nil {
		m = newScanMemo(f.slot >= 0 && x.results[f.slot])
		c.memos[fi] = m
	}
	h := maphash.String(c.memoSeed, s)
	i, set := m.find(h, kind, encoded, s)
	if i >= 0 {
		e := &m.ents[i]
		e.score = min(e.score+1, memoMaxScore)
		c.setValueEntry(f.slot, &m.vals[i])
		return e.refs()
	}
	hand := &m.hands[set/memoSetWays]
	i = set + int(*hand)
	*hand = (*hand + 1) % memoSetWays
	e := &m.ents[i]
	if e.score > 0 {
		e.score--
		return c.scanRefs(x, f, s, encoded)
	}
	refs := c.scanRefs(x, f, s, encoded)
	if len(refs) > 1 {
		// What several literals found do is kept once: the entry serves
		// every later event with this value.
		slices.Sort(refs)
		refs = slices.Compact(refs)
	}
	if len(refs) > maxEntryRefs {
		return refs
	}
	mem, ok := room(c, e.buffer(), len(refs)+memWords(len(s)), 4)
	if !ok {
		// The context's memos are full: scan, keep nothing. The entry is
		// left as it was, answering for its own value with its own refs.
		return refs
	}
	e.hold(mem, kind, encoded, s, refs)
	long := len(s) >= longValue
	if long && !m.results {
		m.makeResults()
	}
	m.tags[i] = h
	v := &m.vals[i]
	v.atoms, v.next = v.atoms[:0], 0
	v.foldState, v.decKept, v.enc, v.long, v.hashKept = foldNone, false, encoded, long, false
	c.setValueEntry(f.slot, v)
	return e.refs()
}

// scanRefs returns, in c.refs, the refs of the literals of field f of x
// found in s, the current event's value of the field (see scanMemoized).
func (c *evalCtx) scanRefs(x *index, f *fieldIndex, s string, encoded bool) []int32 {
	if encoded {
		v, _ := c.field(f.slot, "")
		s = v.S
	}
	c.hits = c.hits[:0]
	c.hits = scanText(f.ac, s, c)
	c.refs = x.appendRefs(c.refs[:0], c.hits, f.base)
	return c.refs
}

// decodedValue returns the text of the current event's value of slot, a
// RawJSON string with escapes held encoded (slotState.lazy), from the value's
// memo entry when it has one: repeated values are decoded once.
func (c *evalCtx) decodedValue(slot int32) string {
	e := c.valueEntry(slot)
	if e != nil && e.decKept {
		return bytesString(e.dec)
	}
	d := c.rd.raw.decoded(c.slots[slot].lazy)
	if e != nil && e.enc {
		e.dec, e.decKept = c.keep(e.dec, d)
	}
	return d
}

// foldValue returns Fold(s) for s, the current event's value of slot, from
// the value's memo entry when it has one: repeated values are folded once.
func (c *evalCtx) foldValue(slot int32, s string) string {
	e := c.valueEntry(slot)
	if e == nil {
		return c.fold(s)
	}
	switch e.foldState {
	case foldSame:
		return s
	case foldKept:
		return bytesString(e.fold)
	}
	f := c.fold(s)
	if unsafe.StringData(f) == unsafe.StringData(s) {
		e.foldState = foldSame
		return f
	}
	var kept bool
	if e.fold, kept = c.keep(e.fold, f); kept {
		e.foldState = foldKept
	}
	return f
}

// keep copies s into buf, growing it within the memos' budget, and
// returns it; false, with buf as it was, when the budget has no room.
func (c *evalCtx) keep(buf []byte, s string) ([]byte, bool) {
	buf, ok := room(c, buf, len(s), 1)
	if !ok {
		return buf, false
	}
	return append(buf, s...), true
}

// room returns buf emptied, with room for n items of size bytes each:
// buf itself when it has the room, else a new buffer of n rounded up to a
// power of two (the memos' bytes count capacity) when the budget has room
// for the growth; false, with buf as it was, when it has not. Values move
// from entry to entry of a set as they come and go, and an entry's buffers
// grow to the longest value it has held: rounding up lets them stop
// growing, and allocating, after a few values rather than after every one
// longer than the last.
func room[T any](c *evalCtx, buf []T, n, size int) ([]T, bool) {
	if n <= cap(buf) {
		return buf[:0], true
	}
	want := 1 << bits.Len(uint(n-1))
	grow := want - cap(buf)
	if c.memoBytes+size*grow > memoBudget {
		return buf, false
	}
	c.memoBytes += size * grow
	return make([]T, 0, want), true
}

// setValueEntry records that e is what a memo keeps of the current event's
// value of slot.
func (c *evalCtx) setValueEntry(slot int32, e *valueMemo) {
	if slot < 0 || int(slot) >= len(c.valEntry) {
		return
	}
	c.valEntry[slot] = valueRef{e, c.gen}
}

// valueRef is what a memo keeps of a slot's value, and the generation of
// the event it was the value of.
type valueRef struct {
	e   *valueMemo
	gen uint32
}

// valueEntry returns what a memo keeps of the current event's value of
// slot, or nil when no memo holds the value.
func (c *evalCtx) valueEntry(slot int32) *valueMemo {
	if slot < 0 || int(slot) >= len(c.valEntry) {
		return nil
	}
	if r := &c.valEntry[slot]; r.gen == c.gen {
		return r.e
	}
	return nil
}

// keptLong reports whether the current event's value of slot has a memo
// entry and is at least longValue bytes long.
func (c *evalCtx) keptLong(slot int32) bool {
	e := c.valueEntry(slot)
	return e != nil && e.long
}

// foldHash returns the hash of the fold of the current event's value of
// slot, whose memo entry is e, from e after the first time.
func (c *evalCtx) foldHash(slot int32, e *valueMemo) uint64 {
	if !e.hashKept {
		v, _ := c.field(slot, "")
		e.foldHash, e.hashKept = maphash.String(c.memoSeed, c.folded(slot, v.S)), true
	}
	return e.foldHash
}

// evaluator is what byValue evaluates: an atom or a rule's gate (gate.go).
type evaluator interface{ eval(c *evalCtx) bool }

// byValue evaluates x, whose result depends on the value of slot alone, from
// the value's memo entry when x (id) was evaluated on that value before.
func (c *evalCtx) byValue(slot, id int32, x evaluator) bool {
	e := c.valueEntry(slot)
	if e == nil {
		return x.eval(c)
	}
	return c.entryResult(e, id, x)
}

// entryResult evaluates x (id), whose result depends on the value e keeps
// alone, from e when x was evaluated on that value before.
//
// The search starts after the result found last: the rules and gates
// that ask an entry ask in the same order event after event (their
// order in the route), so the next one asked is usually the next result
// kept.
func (c *evalCtx) entryResult(e *valueMemo, id int32, x evaluator) bool {
	rs := e.atoms
	if k := int(e.next); k < len(rs) {
		if r := rs[k]; r.id == id {
			e.next++
			return r.ok
		}
	}
	for k, r := range rs {
		if r.id == id {
			e.next = uint16(k + 1)
			return r.ok
		}
	}
	ok := x.eval(c)
	e.atoms = append(e.atoms, atomResult{id, ok})
	e.next = uint16(len(e.atoms))
	return ok
}
