package engine

import (
	"cmp"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/tanchi-dev/tanchi/engine/internal/aho"
	"github.com/tanchi-dev/tanchi/rule"
)

// The literal witness index decides, per event, which few rules can match.
//
// For every rule Compile derives a witness: a set of (field, literal) pairs
// such that whenever the rule's condition holds, at least one of the fields'
// folded values contains its literal. A comparison `Image|endswith:
// '\cmd.exe'` has the witness {Image: `\cmd.exe`}; an OR has the union of its
// parts' witnesses; an AND needs only one part's, and takes the one least
// likely to occur. A rule whose condition can hold with no literal present
// (`not filter`, `exists: false`, null, a number, a regular expression
// without a fixed substring, raw CEL) has no witness and is a candidate for
// every event its logsource routes to, unless the part of its condition
// that reads one field alone (its gate, gate.go) does not hold. So the
// index can only ever add candidates a brute-force scan would evaluate
// anyway: it never drops a rule that could match.
//
// When an AND's cheapest witness is still likely present (short literals,
// text ordinary telemetry holds), the rule gets the witnesses of two to
// maxGroups of its parts and is a candidate only when each has a literal in
// the event. Finding a literal of the first (the least likely) makes the
// rule pending; the literals of the others only record that they were
// found, once for all the rules that need them, and a pending rule is a
// candidate when every one of its other groups has a literal recorded.
// Common text that many rules pair with something rarer (powershell.exe,
// System) so costs one record per event, not a step per rule.
//
// Per event, routing picks the rules for the event's logsource and, for
// rules that need certain EventIDs, for its EventID; then each field that
// has literals of those rules is scanned once for all of them (aho.Set: an
// Aho-Corasick automaton, or tables of 4- and 8-byte grams for large sets),
// ASCII text lowered on the fly and other text folded first. What a scan
// found is remembered per field value (memo.go): telemetry repeats its
// values. Exact numbers (EventID: 4624) are looked up by value. Keywords,
// which may be in any field, are searched in the event's raw JSON text
// when its escapes allow (see RawJSON.PlainText), else in all its values.
// Every literal found makes its rules candidates; only candidates are
// evaluated.

// index is built once by Compile.
type index struct {
	fields []fieldIndex
	nums   []numIndex
	// What finding each literal does: those of literal id (global) are
	// litRefs[litStart[id]:litStart[id+1]], each a ref (see refRule). A
	// rule with one witness group has a refRule on each of its literals;
	// a rule with several, all of which must be found, a refLead on the
	// literals of its first group (the least likely to occur) and, on
	// those of the others, the refTrack that records a literal found. One
	// flat array: appendRefs reads them for every literal a scan finds
	// (memo entries keep the refs of repeated values, see scanMemoized).
	litStart []int32
	litRefs  []int32
	lits     []string // literal id (global) -> the literal
	always   []int32  // rules without a witness
	// gates[i] are the gates of rule i (gate.go); gates is nil when no
	// rule has one.
	gates []*ruleGates
	// results[slot]: atoms or gates keep results in the memo entries of
	// the slot's values (see evalCtx.byValue).
	results []bool

	// Tracked literals: ruleTracks[i] lists, for each witness group of
	// rule i after the first, the tracks of its literals (nil for a rule
	// with one group); trackRules[k] the rules track k serves.
	ruleTracks [][][]int32
	trackRules [][]int32

	// Event IDs: a rule whose condition holds only for some EventID
	// numbers (EventID: 4624 and ..., or 1 of several such) is routed only
	// to events with one of them, so that its witnesses are not searched
	// for in the others. ruleIDs[i] holds rule i's numbers (numKey,
	// sorted), nil for a rule that needs none; idKnown every number some
	// rule needs; idSlot the slot of EventID, -1 when no rule needs one.
	ruleIDs [][]uint64
	idKnown map[uint64]bool
	idSlot  int32
	// idFromSource: the EventID slot reads the field sourceOf reads (no
	// mapping gives EventID other names), so a source memo entry may keep
	// its route (see routeOfSource).
	idFromSource bool
}

// A ref is what finding a literal does, its kind in the low bits: a
// refRule makes rule ref>>refKindBits a candidate, a refLead makes it
// one if literals of its other groups are found too (see
// evalCtx.pending), a refTrack records track ref>>refKindBits found.
const (
	refRule = iota
	refLead
	refTrack

	refKindBits = 2
	refKindMask = 1<<refKindBits - 1
)

func makeRef(kind, x int32) int32 { return x<<refKindBits | kind }

// literals is the number of literals, substrings and numbers.
func (x *index) literals() int32 { return int32(len(x.litStart) - 1) }

// refs returns the rules literal id witnesses (see litRefs).
func (x *index) refs(id int32) []int32 { return x.litRefs[x.litStart[id]:x.litStart[id+1]] }

// fieldIndex is the automaton for one field's literals.
type fieldIndex struct {
	slot int32 // anyField for keywords
	name string
	ac   *aho.Set
	base int32 // global id of the automaton's literal 0
}

// fieldDFABytes is the largest automaton table the index builds for one
// field; larger literal sets use grams (see aho.Set).
const fieldDFABytes = 256 << 10

// anyField is the slot of keyword literals, which may occur in any field.
const anyField = -2

// lit is one witness literal: a folded substring of one field, or with num
// set, a number the field's value equals (as Sigma compares numbers:
// 0x17 equals 23).
type lit struct {
	slot int32
	s    string
	num  bool
	x    uint64 // math.Float64bits of the number, 0 normalized

	channel bool // a literal of the Channel field
}

// numIndex finds the rules whose number a field's value equals.
type numIndex struct {
	slot int32
	name string
	keys map[uint64][]int32 // number bits -> global literal ids
}

// buildIndex derives every rule's witness and compiles the automata.
func (e *Engine) buildIndex() {
	type fieldLits struct {
		ids  map[string]int32 // literal -> local id
		list []string
	}
	perSlot := map[int32]*fieldLits{}
	var order []int32 // slots in first-seen order, for determinism
	idx := &index{}
	// A rule has one to maxGroups witness groups (see witnessGroups).
	type ref struct {
		slot  int32
		local int32
		group int32
	}
	refs := make([][]ref, len(e.rules))
	numRefs := make([][]ref, len(e.rules)) // local: index in numLits
	var numLits []lit
	numLocal := map[lit]int32{}
	var litRules [][]int32       // literal id -> refs, flattened into litRefs at the end
	trackOf := map[int32]int32{} // literal id -> its track
	for i, cr := range e.rules {
		groups := witnessGroups(cr.tree)
		if groups == nil {
			idx.always = append(idx.always, int32(i))
			continue
		}
		for g, w := range groups {
			for _, l := range w {
				if l.num {
					id, ok := numLocal[l]
					if !ok {
						id = int32(len(numLits))
						numLocal[l] = id
						numLits = append(numLits, l)
					}
					numRefs[i] = append(numRefs[i], ref{l.slot, id, int32(g)})
					continue
				}
				fl := perSlot[l.slot]
				if fl == nil {
					fl = &fieldLits{ids: map[string]int32{}}
					perSlot[l.slot] = fl
					order = append(order, l.slot)
				}
				id, ok := fl.ids[l.s]
				if !ok {
					id = int32(len(fl.list))
					fl.ids[l.s] = id
					fl.list = append(fl.list, l.s)
				}
				refs[i] = append(refs[i], ref{l.slot, id, int32(g)})
			}
		}
	}
	// One automaton per field; literals get global ids by field.
	base := map[int32]int32{}
	for _, slot := range order {
		fl := perSlot[slot]
		ac, err := aho.NewSet(fl.list, fieldDFABytes)
		if err != nil {
			base[slot] = -1
			continue
		}
		base[slot] = int32(len(litRules))
		name := ""
		if slot != anyField {
			name = e.slots[slot]
		}
		idx.fields = append(idx.fields, fieldIndex{slot: slot, name: name, ac: ac, base: base[slot]})
		litRules = append(litRules, make([][]int32, len(fl.list))...)
		idx.lits = append(idx.lits, fl.list...)
	}
	// Numbers get global ids after the substrings.
	numSlots := map[int32]int{} // slot -> index in idx.nums
	numIDs := make([]int32, len(numLits))
	for k, l := range numLits {
		ni, ok := numSlots[l.slot]
		if !ok {
			ni = len(idx.nums)
			numSlots[l.slot] = ni
			idx.nums = append(idx.nums, numIndex{slot: l.slot, name: e.slots[l.slot], keys: map[uint64][]int32{}})
		}
		id := int32(len(litRules))
		numIDs[k] = id
		litRules = append(litRules, nil)
		idx.lits = append(idx.lits, l.s)
		idx.nums[ni].keys[l.x] = append(idx.nums[ni].keys[l.x], id)
	}
	for i := range e.rules {
		if refs[i] == nil && numRefs[i] == nil {
			continue
		}
		// A group with a literal in a field without automaton is
		// unusable: the others are numbered anew. A rule left without a
		// usable group has no witness.
		var usable [maxGroups]bool
		for _, r := range refs[i] {
			usable[r.group] = true
		}
		for _, r := range numRefs[i] {
			usable[r.group] = true
		}
		for _, r := range refs[i] {
			if base[r.slot] < 0 {
				usable[r.group] = false
			}
		}
		var renum [maxGroups]int32
		groups := 0
		for g, ok := range usable {
			if ok {
				renum[g] = int32(groups)
				groups++
			}
		}
		if groups == 0 {
			idx.always = append(idx.always, int32(i))
			continue
		}
		type litGroup struct{ id, group int32 }
		var ids []litGroup
		for _, r := range refs[i] {
			if usable[r.group] {
				ids = append(ids, litGroup{base[r.slot] + r.local, renum[r.group]})
			}
		}
		for _, r := range numRefs[i] {
			if usable[r.group] {
				ids = append(ids, litGroup{numIDs[r.local], renum[r.group]})
			}
		}
		slices.SortFunc(ids, func(a, b litGroup) int { return cmp.Or(cmp.Compare(a.group, b.group), cmp.Compare(a.id, b.id)) })
		ids = slices.Compact(ids)
		if groups == 1 {
			for _, x := range ids {
				litRules[x.id] = append(litRules[x.id], makeRef(refRule, int32(i)))
			}
			continue
		}
		// Groups are numbered cheapest first (witnessGroups): the first
		// leads, the others are tracked.
		if idx.ruleTracks == nil {
			idx.ruleTracks = make([][][]int32, len(e.rules))
		}
		idx.ruleTracks[i] = make([][]int32, groups-1)
		for _, x := range ids {
			if x.group == 0 {
				litRules[x.id] = append(litRules[x.id], makeRef(refLead, int32(i)))
				continue
			}
			k, ok := trackOf[x.id]
			if !ok {
				k = int32(len(idx.trackRules))
				trackOf[x.id] = k
				idx.trackRules = append(idx.trackRules, nil)
				litRules[x.id] = append(litRules[x.id], makeRef(refTrack, k))
			}
			if rs := idx.trackRules[k]; len(rs) == 0 || rs[len(rs)-1] != int32(i) {
				idx.trackRules[k] = append(rs, int32(i))
			}
			g := &idx.ruleTracks[i][x.group-1]
			*g = append(*g, k)
		}
	}
	idx.litStart = make([]int32, 0, len(litRules)+1)
	for _, refs := range litRules {
		idx.litStart = append(idx.litStart, int32(len(idx.litRefs)))
		idx.litRefs = append(idx.litRefs, refs...)
	}
	idx.litStart = append(idx.litStart, int32(len(idx.litRefs)))
	slices.Sort(idx.always)
	e.buildGates(idx)
	idx.idSlot = -1
	idx.ruleIDs = make([][]uint64, len(e.rules))
	for i, cr := range e.rules {
		ids, ok := requiredIDs(cr.tree)
		if !ok {
			continue
		}
		slices.Sort(ids)
		idx.ruleIDs[i] = slices.Compact(ids)
		if idx.idKnown == nil {
			idx.idKnown = map[uint64]bool{}
			idx.idSlot = e.slotOf[eventIDField]
		}
		for _, x := range ids {
			idx.idKnown[x] = true
		}
	}
	k := newSlotKeys(e.fieldKeys, e.cfg.mapping, eventIDField)
	idx.idFromSource = k.own != nil && k.own.name == eventIDKey.name &&
		k.security == nil && k.av == nil && k.flat == nil
	e.index = idx
}

const eventIDField = "EventID"

// requiredIDs returns the EventID numbers (numKey) one of which an event
// must have for the condition to hold, or false when it can hold with
// any. An EventID comparison needs its numbers when each of its values is
// an exact number (its witness is numbers only); an AND needs what each
// of its parts needs, an OR what all of them do.
func requiredIDs(n node) ([]uint64, bool) {
	switch n := n.(type) {
	case atomLeaf:
		if n.a.field != eventIDField {
			return nil, false
		}
		w, ok := n.a.witness()
		if !ok {
			return nil, false
		}
		var out []uint64
		for _, l := range w {
			if !l.num {
				return nil, false
			}
			out = append(out, l.x)
		}
		return out, true
	case orNode:
		var out []uint64
		for _, x := range n {
			ids, ok := requiredIDs(x)
			if !ok {
				return nil, false
			}
			out = append(out, ids...)
		}
		return out, len(out) > 0
	case andNode:
		var out []uint64
		found := false
		for _, x := range n {
			ids, ok := requiredIDs(x)
			switch {
			case !ok:
			case !found:
				out, found = ids, true
			default:
				out = slices.DeleteFunc(out, func(x uint64) bool { return !slices.Contains(ids, x) })
			}
		}
		return out, found
	}
	return nil, false
}

// Event ID route modes (routeKey.idMode).
const (
	idAll   uint8 = iota // no rule needs an EventID: no ID routing
	idExact              // the event's EventID is the number routeKey.id, one some rule needs
	idOther              // the event's EventID is no number any rule needs (or it has none)
	idAny                // the event has a list of EventIDs: any rule may match
)

// eventIDKey sets k's event ID part from the event's EventID, read as the
// rules' comparisons read it (the slot, then the number its text parses
// to: "4624", 4624 and "0x1210" are one).
func (e *Engine) eventIDKey(c *evalCtx, k *routeKey) {
	k.idMode = idOther
	v, ok := c.field(e.index.idSlot, eventIDField)
	if !ok {
		return
	}
	switch v.Kind {
	case KindList:
		k.idMode = idAny
	case KindString, KindNumber:
		if x, ok := rule.ParseNumber(v.S); ok && e.index.idKnown[numKey(x)] {
			k.idMode, k.id = idExact, numKey(x)
		}
	}
}

// routeOfSource returns the route of the current event. The route follows
// from the event's source and its EventID; when the source memo's key
// holds the EventID the route reads (no mapping renames EventID), the
// source's memo entry keeps the route for the next events of that source.
func (e *Engine) routeOfSource(c *evalCtx) *route {
	m := c.srcEntry
	if m != nil && m.route != nil {
		return m.route
	}
	// Consecutive events mostly come from one source: keep its route.
	k := keyOf(c.src)
	if e.index.idKnown != nil {
		e.eventIDKey(c, &k)
	}
	if c.route == nil || k != c.routeKey {
		c.route, c.routeKey = e.routeFor(c.src, k), k
	}
	// An empty EventID text is a missing field, an empty string or a
	// list, which route apart.
	if m != nil && (e.index.idKnown == nil || e.index.idFromSource && len(m.id) > 0) {
		m.route = c.route
	}
	return c.route
}

// idRoutes reports whether rule i may match an event with route key k as
// far as its EventID numbers go.
func (e *Engine) idRoutes(i int, k routeKey) bool {
	ids := e.index.ruleIDs[i]
	switch {
	case ids == nil || k.idMode == idAll || k.idMode == idAny:
		return true
	case k.idMode == idOther:
		return false
	}
	_, found := slices.BinarySearch(ids, k.id)
	return found
}

// route is the index restricted to the rules one logsource reaches.
type route struct {
	in     []uint64 // bitset over rules
	always []int32  // routed rules without a witness or gate
	gated  []int32  // routed rules without a witness, with a gate
	scan   []int    // fields (index.fields) that witness some routed rule
	nums   []int    // number fields (index.nums) that witness some routed rule
	kw     *aho.Set // keywords of the routed rules
	kwIDs  []int32  // kw's literal i is global literal kwIDs[i]
	kwMin  int      // bytes of the shortest keyword
	kwRaw  *aho.Set // the keywords as JSON writes them, for RawJSON's bytes; nil when one is not printable ASCII
	// kwJoined: the keywords are ASCII without a 0 byte, so that values
	// can be searched joined (see joinedKeywords).
	kwJoined bool
}

func (r *route) has(i int32) bool { return r.in[i>>6]&(1<<(i&63)) != 0 }

// needs reports whether a rule the route has depends on what ref does.
func (r *route) needs(x *index, ref int32) bool {
	if ref&refKindMask == refTrack {
		return slices.ContainsFunc(x.trackRules[ref>>refKindBits], r.has)
	}
	return r.has(ref >> refKindBits)
}

// needsAny reports whether the route needs literal id searched for.
func (r *route) needsAny(x *index, id int32) bool {
	for _, ref := range x.refs(id) {
		if r.needs(x, ref) {
			return true
		}
	}
	return false
}

// routeFor returns the plan for an event source and route key (keyOf(src)
// with its event ID part), building it on first use.
func (e *Engine) routeFor(src eventSource, k routeKey) *route {
	if m := e.routes.Load(); m != nil {
		if r, ok := (*m)[k]; ok {
			return r
		}
	}
	r := &route{in: make([]uint64, (len(e.rules)+63)/64)}
	for i, cr := range e.rules {
		if routes(cr.rule.Logsource, src) && e.idRoutes(i, k) {
			r.in[i>>6] |= 1 << (i & 63)
		}
	}
	for _, i := range e.index.always {
		switch {
		case !r.has(i):
		case e.index.gates != nil && e.index.gates[i] != nil:
			r.gated = append(r.gated, i)
		default:
			r.always = append(r.always, i)
		}
	}
	for fi, f := range e.index.fields {
		lo, hi := f.base, e.index.literals()
		if fi+1 < len(e.index.fields) {
			hi = e.index.fields[fi+1].base
		}
		if f.slot == anyField {
			// Keywords are searched in every value of the event: search
			// only for those of the routed rules.
			var lits []string
			for id := lo; id < hi; id++ {
				if r.needsAny(e.index, id) {
					r.kwIDs = append(r.kwIDs, id)
					lits = append(lits, e.index.lits[id])
					if l := len(e.index.lits[id]); r.kwMin == 0 || l < r.kwMin {
						r.kwMin = l
					}
				}
			}
			if len(lits) > 0 {
				set, err := aho.NewSet(lits, fieldDFABytes)
				if err != nil {
					panic("engine: keyword automaton: " + err.Error()) // cannot happen: the global one was built
				}
				r.kw = set
				r.kwRaw = jsonKeywords(lits)
				r.kwJoined = !slices.ContainsFunc(lits, func(l string) bool {
					return !aho.IsASCII(l) || strings.IndexByte(l, 0) >= 0
				})
			}
			continue
		}
		for id := lo; id < hi; id++ {
			if r.needsAny(e.index, id) {
				r.scan = append(r.scan, fi)
				break
			}
		}
	}
	for ni, n := range e.index.nums {
	keys:
		for _, ids := range n.keys {
			for _, id := range ids {
				if r.needsAny(e.index, id) {
					r.nums = append(r.nums, ni)
					break keys
				}
			}
		}
	}
	// Publish a copy of the table with r added: readers never lock. Routes
	// are few (one per logsource seen), so copying is cheap.
	e.routeMu.Lock()
	defer e.routeMu.Unlock()
	next := map[routeKey]*route{}
	if m := e.routes.Load(); m != nil {
		if old, ok := (*m)[k]; ok {
			return old
		}
		maps.Copy(next, *m)
	}
	next[k] = r
	e.routes.Store(&next)
	return r
}

// candidates collects into c.cands, in rule order, the rules the index
// says can match the current event.
func (e *Engine) candidates(c *evalCtx) {
	rt := e.routeOfSource(c)
	c.cands, c.pending = c.cands[:0], c.pending[:0]
	c.cands = append(c.cands, rt.always...)
	for _, i := range rt.always {
		c.rs[i] = c.gen
	}
	fresh := len(c.cands)
	for _, fi := range rt.scan {
		f := &e.index.fields[fi]
		st := c.state(f.slot)
		if !st.ok {
			continue
		}
		if k := st.v.Kind; k != KindNull && k != KindList {
			if refs := c.scanMemoized(e.index, fi, k, st.v.S, st.lazy != 0); len(refs) > 0 {
				addRefs(c, rt, refs)
			}
		} else {
			c.hits = c.hits[:0]
			c.hits = scanValue(f.ac, st.v, c)
			e.addHits(c, rt, f.base)
		}
	}
	if rt.kw != nil {
		c.hits = c.hits[:0]
		if raw, ok := c.ev.(*RawJSON); ok && rt.kwRaw != nil && raw.PlainText() {
			c.hits = rt.kwRaw.ScanLower(bytesString(raw.raw), c.hits)
		} else {
			c.hits = scanKeywords(rt, c)
		}
		for k, l := range c.hits {
			c.hits[k] = rt.kwIDs[l]
		}
		e.addHits(c, rt, 0)
	}
	for _, ni := range rt.nums {
		n := &e.index.nums[ni]
		v, ok := c.field(n.slot, n.name)
		if !ok {
			continue
		}
		c.hits = c.hits[:0]
		switch v.Kind {
		case KindList:
			for _, it := range v.Items {
				c.hits = n.lookup(it, c.hits)
			}
		default:
			c.hits = n.lookup(v, c.hits)
		}
		e.addHits(c, rt, 0)
	}
	for _, i := range c.pending {
		if e.index.othersFound(c, i) {
			c.cands = append(c.cands, i)
		}
	}
	// After the scans, which found the memo entries of the values gates
	// read: the witnessed candidates whose gates reject the event are left
	// out, and the rules without a witness whose gates hold are added.
	if gates := e.index.gates; gates != nil {
		kept := c.cands[:fresh]
		for _, i := range c.cands[fresh:] {
			if g := gates[i]; g == nil || !g.reject(c, 0) {
				kept = append(kept, i)
			}
		}
		c.cands = kept
	}
	for _, i := range rt.gated {
		if e.index.gates[i].holds(c) {
			c.cands = append(c.cands, i)
		}
	}
	if len(c.cands) > fresh {
		slices.Sort(c.cands)
	}
}

// lookup appends the literals whose number equals v's.
func (n *numIndex) lookup(v Value, hits []int32) []int32 {
	if v.Kind != KindString && v.Kind != KindNumber {
		return hits
	}
	x, ok := rule.ParseNumber(v.S)
	if !ok {
		return hits
	}
	return append(hits, n.keys[numKey(x)]...)
}

// numKey is the index key of a number: its bits, with -0 as 0.
func numKey(x float64) uint64 {
	if x == 0 {
		return 0
	}
	return math.Float64bits(x)
}

// scanValue appends to c.hits the literals found in a value's fold. ASCII
// text is scanned as it is, lowered on the fly (its fold is its lower
// case); other text is folded first.
func scanValue(ac *aho.Set, v Value, c *evalCtx) []int32 {
	switch v.Kind {
	case KindNull:
	case KindList:
		for _, it := range v.Items {
			if it.Kind != KindNull && it.Kind != KindList {
				c.hits = scanText(ac, it.S, c)
			}
		}
	default:
		c.hits = scanText(ac, v.S, c)
	}
	return c.hits
}

// jsonKeywords returns keywords as they appear in JSON text (a backslash
// or quote escaped by a backslash), or nil when a keyword is not printable
// ASCII: JSON may write those in more than one way.
func jsonKeywords(lits []string) *aho.Set {
	esc := make([]string, len(lits))
	for i, l := range lits {
		for j := 0; j < len(l); j++ {
			if l[j] < 0x20 || l[j] > 0x7e {
				return nil
			}
		}
		esc[i] = strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(l)
	}
	set, err := aho.NewSet(esc, fieldDFABytes)
	if err != nil {
		return nil
	}
	return set
}

// scanKeywords scans every value of the event for the route's keywords:
// joined into one text when it can (joinedKeywords), else each value on
// its own. An ASCII value shorter than the shortest keyword cannot hold
// one, nor can another value whose fold cannot reach that length.
func scanKeywords(rt *route, c *evalCtx) []int32 {
	if rt.kwJoined {
		if be, ok := c.ev.(TextBlockEvent); ok {
			if c.searchLowered(rt, be.TextBlock()) {
				return c.hits
			}
		} else if c.joinedKeywords(rt) {
			return c.hits
		}
	}
	for _, s := range c.eventTexts() {
		c.keywordText(rt, s)
	}
	c.dropTexts()
	return c.hits
}

// eventTexts returns the texts of the event's values (see TextEvent):
// those of the values collected if they were this event, else as the
// event hands them over, else as Range does (the values are collected
// only if a keyword atom needs them later). The caller drops them when
// done (dropTexts).
func (c *evalCtx) eventTexts() []string {
	c.texts = c.texts[:0]
	if c.allGen == c.gen {
		for _, f := range c.all {
			c.texts = AppendValueTexts(c.texts, f.v)
		}
		return c.texts
	}
	if te, ok := c.ev.(TextEvent); ok {
		c.texts = te.AppendTexts(c.texts)
		return c.texts
	}
	if c.addText == nil {
		c.addText = func(_ string, v Value) bool { // made once: a closure passed to Range escapes
			c.texts = AppendValueTexts(c.texts, v)
			return true
		}
	}
	c.ev.Range(c.addText)
	return c.texts
}

// dropTexts lets go of the event's texts, and of their slice after an
// unusually large event.
func (c *evalCtx) dropTexts() {
	clear(c.texts)
	if cap(c.texts) > maxKeywordJoin/16 {
		c.texts = nil
	}
}

// joinedKeywords searches the event's values for rt's ASCII keywords in
// one scan, of the values that could hold one joined by 0 bytes (which
// no keyword holds: none is found across two values), lowered to ASCII
// lower case. That finds what searching each value's fold finds unless a
// value holds a rune whose fold is an ASCII letter (see foldsToASCII):
// other runes fold to runes that are not ASCII, so the ASCII runs of a
// value and of its fold are the same text lowered. When some value
// holds one, it adds nothing and returns false. (Whether the text is all
// ASCII, and so holds none, the scan tells: most events need no other
// pass over the text.)
func (c *evalCtx) joinedKeywords(rt *route) bool {
	buf := appendJoined(c.kwBuf[:0], c.eventTexts(), rt.joinMin())
	c.dropTexts()
	c.kwBuf = buf
	if cap(buf) > maxKeywordJoin {
		c.kwBuf = nil // after an unusually large event
	}
	return c.searchLowered(rt, bytesString(buf))
}

// searchLowered searches text, which holds every value's text, for rt's
// ASCII keywords, lowered to ASCII lower case (see joinedKeywords), and
// reports whether that found what searching each value's fold finds.
func (c *evalCtx) searchLowered(rt *route, text string) bool {
	hits, ascii := rt.kw.ScanLowerChecked(text, c.hits)
	if !ascii && holdsFoldToASCII(text) {
		c.hits = hits[:len(c.hits)]
		return false
	}
	c.hits = hits
	return true
}

// maxKeywordJoin bounds the buffer joinedKeywords keeps for the next event.
const maxKeywordJoin = 1 << 20

// joinMin is the length from which a text could hold one of the route's
// keywords once folded: folding makes a text at most 1.5 times as long
// (pattern.AppendFold).
func (r *route) joinMin() int { return (2*r.kwMin + 2) / 3 }

func (c *evalCtx) keywordText(rt *route, s string) {
	if len(s) < rt.kwMin && (len(s) < rt.joinMin() || aho.IsASCII(s)) {
		return
	}
	c.hits = scanText(rt.kw, s, c)
}

// scanText appends to c.hits the literals of ac found in the fold of s:
// ASCII text is scanned as it is, lowered on the fly (its fold is its
// lower case), other text scanned again once folded.
func scanText(ac *aho.Set, s string, c *evalCtx) []int32 {
	hits, ascii := ac.ScanLowerChecked(s, c.hits)
	if ascii {
		return hits
	}
	return ac.Scan(c.fold(s), hits[:len(c.hits)])
}

// addHits does what finding the literals in c.hits (ids relative to base)
// does for the rules rt routes to (see addRefs).
func (e *Engine) addHits(c *evalCtx, rt *route, base int32) {
	if len(c.hits) == 0 {
		return
	}
	c.refs = e.index.appendRefs(c.refs[:0], c.hits, base)
	addRefs(c, rt, c.refs)
}

// appendRefs appends to dst the refs of the literals in hits (ids relative
// to base).
func (x *index) appendRefs(dst, hits []int32, base int32) []int32 {
	for _, l := range hits {
		for _, ref := range x.refs(base + l) {
			dst = append(dst, ref)
		}
	}
	return dst
}

// addRefs does what finding literals with refs does (see refRule) for the
// rules rt routes to: makes rules candidates, adds rules to c.pending,
// records tracks found.
//
// A rule is taken once per event: c.rs holds the event's generation for
// the rules already candidates or pending.
func addRefs(c *evalCtx, rt *route, refs []int32) {
	rs, seen, gen, in := c.rs, c.seen, c.gen, rt.in
	for _, ref := range refs {
		x := ref >> refKindBits
		kind := ref & refKindMask
		if kind == refTrack {
			seen[x] = gen
			continue
		}
		if rs[x] == gen || in[x>>6]&(1<<(x&63)) == 0 {
			continue
		}
		rs[x] = gen
		if kind == refLead {
			c.pending = append(c.pending, x)
		} else {
			c.cands = append(c.cands, x)
		}
	}
}

// othersFound reports whether, for each witness group of rule i after the
// first, a literal was found in the current event.
func (x *index) othersFound(c *evalCtx, i int32) bool {
	seen, gen := c.seen, c.gen
groups:
	for _, g := range x.ruleTracks[i] {
		for _, k := range g {
			if seen[k] == gen {
				continue groups
			}
		}
		return false
	}
	return true
}

// pairCost is the witness cost from which a rule gets more witness groups
// when its condition is an AND of parts that have them: a literal of about
// seven bytes or less, or text ordinary telemetry holds.
const pairCost = 0.02

// maxGroups bounds a rule's witness groups.
const maxGroups = 4

// witnessGroups returns a rule's witness groups: one, or for an AND whose
// cheapest witness is still likely present, the witnesses of its cheapest
// parts, all of which a matching event holds ("IntegrityLevel: System and
// User contains AUTHORI and Image endswith ..." is a candidate only where
// a literal of each part occurs). Parts are added, cheapest first, until
// their costs multiplied (each at most 1) fall under pairCost or
// maxGroups are taken: a part whose text is common on its own often
// rarely comes with the others. Nil when the condition can hold without
// any literal.
func witnessGroups(n node) [][]lit {
	var parts [][]lit
	var conjuncts func(node)
	conjuncts = func(n node) {
		if a, ok := n.(andNode); ok {
			for _, x := range a {
				conjuncts(x)
			}
			return
		}
		if w, ok := witnessOf(n); ok {
			parts = append(parts, w)
		}
	}
	conjuncts(n)
	if len(parts) == 0 {
		return nil
	}
	slices.SortStableFunc(parts, func(a, b []lit) int { return cmp.Compare(cost(a), cost(b)) })
	p := 1.0
	for k, w := range parts {
		if k == maxGroups || p < pairCost {
			return parts[:k]
		}
		p *= min(cost(w), 1)
	}
	return parts
}

// witnessOf returns the witness literals of a condition, or false when it
// can hold without any literal present.
func witnessOf(n node) ([]lit, bool) {
	switch n := n.(type) {
	case atomLeaf:
		return n.a.witness()
	case orNode:
		var out []lit
		for _, x := range n {
			w, ok := witnessOf(x)
			if !ok {
				return nil, false
			}
			out = append(out, w...)
		}
		return out, len(out) > 0
	case andNode:
		var best []lit
		found := false
		for _, x := range n {
			w, ok := witnessOf(x)
			if ok && (!found || cost(w) < cost(best)) {
				best, found = w, true
			}
		}
		return best, found
	}
	// not, raw CEL: may hold without any literal.
	return nil, false
}

// cost estimates how often a witness lets an event through: a literal of n
// bytes is taken to occur with probability about 1/n². Short literals
// ("\\", ".exe") are common; long ones are rare.
//
// Two kinds of literal are taken to be nearly always present, whatever
// their length: those of the Channel field (routing has already chosen the
// channel) and those that occur in commonText.
func cost(w []lit) float64 {
	c := 0.0
	for _, l := range w {
		switch {
		case l.channel:
			c += litCost(l.s) + 1
		case l.num:
			c += litCost(l.s) // a number is not text: commonText does not apply
		default:
			c += textCost(l.s)
		}
	}
	return c
}

// litCost is 1/n² for a literal of n bytes.
func litCost(s string) float64 {
	n := float64(len(s))
	return 1 / (n * n)
}

// textCost is litCost, plus 1 for text found in commonText.
func textCost(s string) float64 {
	if strings.Contains(commonText, s) {
		return litCost(s) + 1
	}
	return litCost(s)
}

// commonText is what ordinary Windows telemetry is full of: the system
// directories, the processes that run all day, the built-in accounts and
// vendor strings (folded). A literal found in it makes a poor witness: an
// AND picks another part when it has one.
var commonText = strings.Join([]string{
	`c:\windows\system32\svchost.exe -k netsvcs -p -s schedule`,
	`c:\windows\syswow64\wbem\wmiprvse.exe -secured -embedding`,
	`c:\program files (x86)\common files\`, `c:\program files\windowsapps\`,
	`c:\programdata\microsoft\windows defender\platform\msmpeng.exe`,
	`c:\users\public\appdata\local\temp\`, `\appdata\roaming\microsoft\`,
	`c:\windows\explorer.exe`, `c:\windows\system32\services.exe`,
	`c:\windows\system32\conhost.exe 0x4`, `c:\windows\system32\dllhost.exe /processid:`,
	`c:\windows\system32\taskhostw.exe`, `c:\windows\system32\runtimebroker.exe`,
	`c:\windows\system32\backgroundtaskhost.exe`, `c:\windows\system32\searchprotocolhost.exe`,
	`c:\windows\system32\lsass.exe`, `c:\windows\system32\winlogon.exe`,
	`c:\windows\system32\csrss.exe`, `c:\windows\system32\wininit.exe`,
	`c:\windows\system32\rundll32.exe`, `c:\windows\system32\cmd.exe /c `,
	`nt authority\system`, `nt authority\network service`, `nt authority\local service`,
	`microsoft corporation`, `microsoft® windows® operating system`,
	`s-1-5-18`, `0x3e7`, `system`, `high`, `medium`, `.dll`, `.exe`,
	// Call stacks of process access events, registry paths of object
	// access and registry events.
	`c:\windows\system32\ntdll.dll+`, `|c:\windows\system32\kernelbase.dll+`, `|unknown(`,
	`\registry\machine\system\currentcontrolset\services\`, `\registry\machine\software\microsoft\windows\currentversion\`,
	`hklm\system\currentcontrolset\services\`, `hklm\software\microsoft\windows\currentversion\`,
}, "\x00")

// witness returns the literals one of which a matching value contains.
func (a *atom) witness() ([]lit, bool) {
	if a.exists != nil || a.neq || (len(a.groups) == 0 && a.plain == nil) {
		return nil, false
	}
	slot := a.slot
	if a.field == "" {
		slot = anyField // keywords: a literal somewhere in the event
	} else if slot < 0 {
		return nil, false
	}
	var out []lit
	found := false
	if a.plain != nil {
		for _, l := range a.plain.lits {
			if l == "" {
				return nil, false // exact '': no text to find
			}
			out = append(out, lit{slot: slot, s: l, channel: a.field == "Channel"})
		}
		found = true
	}
	for _, g := range a.groups {
		w, ok := groupWitness(slot, g)
		if a.field == "Channel" {
			for i := range w {
				w[i].channel = true
			}
		}
		switch {
		case a.all:
			// Every value must match: one value's literals suffice.
			if ok && (!found || cost(w) < cost(out)) {
				out, found = w, true
			}
		case !ok:
			return nil, false
		default:
			out, found = append(out, w...), true
		}
	}
	return out, found
}

func groupWitness(slot int32, g []matcher) ([]lit, bool) {
	var out []lit
	for _, m := range g {
		if sm, ok := m.(*strMatcher); ok && sm.isNum {
			// An exact number holds when the value's text equals it
			// (after folding) or the value is the same number; either
			// way the value parses to that number.
			if math.IsNaN(sm.num) {
				return nil, false
			}
			out = append(out, lit{slot: slot, s: strconv.FormatFloat(sm.num, 'g', -1, 64), num: true, x: numKey(sm.num)})
			continue
		}
		ls, ok := matcherWitness(m)
		if !ok {
			return nil, false
		}
		for _, s := range ls {
			out = append(out, lit{slot: slot, s: s})
		}
	}
	return out, len(out) > 0
}

// matcherWitness returns folded substrings one of which every value the
// matcher accepts contains.
func matcherWitness(m matcher) ([]string, bool) {
	switch m := m.(type) {
	case *strMatcher:
		if m.isNum {
			return nil, false // see groupWitness
		}
		// Any one run will do: take the one least likely to occur
		// ("7z" rather than ".exe" for 7z*.exe).
		var best []string
		for _, r := range m.m.Runs() {
			if c := []string{r}; best == nil || strCost(c) < strCost(best) {
				best = c
			}
		}
		if best != nil {
			return best, true
		}
	case regexMatcher:
		return m.req, m.req != nil
	}
	return nil, false
}

// strCost is cost for literals of one field.
func strCost(ws []string) float64 {
	c := 0.0
	for _, s := range ws {
		c += textCost(s)
	}
	return c
}

// IndexStats describes the literal witness index of an engine.
type IndexStats struct {
	Rules    int // rules compiled
	Always   int // rules without a witness: candidates for every routed event unless gated
	Gated    int // of those, rules with a gate (gate.go): candidates when it holds
	Fields   int // fields with an automaton
	Literals int // distinct (field, literal) witnesses
	States   int // automaton states, all fields
	Bytes    int // approximate memory of the automata
}

// IndexStats reports on the index; it is zero but for Rules without one.
func (e *Engine) IndexStats() IndexStats {
	s := IndexStats{Rules: len(e.rules)}
	if e.index == nil {
		return s
	}
	s.Always, s.Fields, s.Literals = len(e.index.always), len(e.index.fields), int(e.index.literals())
	for _, i := range e.index.always {
		if e.index.gates != nil && e.index.gates[i] != nil {
			s.Gated++
		}
	}
	for _, f := range e.index.fields {
		s.States += f.ac.States()
		s.Bytes += f.ac.Bytes()
	}
	return s
}
