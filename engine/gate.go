package engine

import (
	"slices"

	"github.com/tanchi-dev/tanchi/engine/internal/pattern"
)

// A rule without a witness (index.go) can hold with no literal present, so
// the index cannot leave it out by what an event's fields contain. Many such
// rules still cannot hold for most values of one field: `not Image|endswith:
// ['.exe', '.com', ...]`, `not Image|contains: '\'`, a regular expression
// on CommandLine with no fixed substring. A rule gets a gate for each field
// that conjuncts of its condition read alone (up to maxGates): the AND of
// those conjuncts. What a gate gives for a value is remembered in the
// value's memo entry (memo.go), next to the literals the value holds:
// telemetry repeats its images and command lines, so for most events a
// gate costs a look in a short list instead of an evaluation of the rule.
// A gate is part of the rule's condition, evaluated as the rule evaluates
// it, so the rule can never hold where a gate does not.
//
// A rule without a witness is a candidate only when its first gate holds
// (evaluated when its value has no memo entry) and no other gate rejects
// the event. A rule with a witness is a candidate when its witness is
// found and no gate rejects the event: a witness is a substring, found in
// many values the condition still rejects (`Image|endswith:
// '\svchost.exe'` with `not Image|startswith: 'C:\Windows\System32\'`
// finds its literal in every svchost.exe; the gate rejects nearly all of
// them). A gate rejects an event only from its value's memo entry: a value
// the memo does not hold leaves the decision to the rule's evaluation,
// since there the gate's result would not be kept for later events.
//
// A conjunct that compares two fields (`Image|fieldref: ParentImage`)
// reads no field alone, and a rule built on one ("a process started by
// its own image") has no witness and is a candidate for nearly every
// event of its logsource. Its pair gate rejects the events whose two
// values differ once folded, from the hashes of the folds their memo
// entries keep.

// gate is a conjunct of a rule's condition that reads one field alone.
type gate struct {
	slot int32 // the field whose value alone decides n
	id   int32 // n's id among the results a memo entry keeps (after the atoms')
	n    node
}

// gatesOf returns the gates of a condition whose conjuncts are parts (see
// conjunctsOf), at most maxGates: for each field that some conjunct reads
// alone, in the order of the first such conjunct, the AND of the conjuncts
// that read only that field, and the field's slot.
func gatesOf(parts []node) (gates []andNode, slots []int32) {
	for _, p := range parts {
		s, ok := valueSlot(p)
		if !ok {
			continue
		}
		if k := slices.Index(slots, s); k >= 0 {
			gates[k] = append(gates[k], p)
		} else if len(slots) < maxGates {
			gates, slots = append(gates, andNode{p}), append(slots, s)
		}
	}
	return gates, slots
}

// conjunctsOf returns the conjuncts of condition n: n's own, and those
// `not` of an OR gives.
func conjunctsOf(n node) []node {
	var parts []node
	var conjuncts func(n node, neg bool)
	conjuncts = func(n node, neg bool) {
		switch x := n.(type) {
		case andNode:
			if !neg {
				for _, y := range x {
					conjuncts(y, false)
				}
				return
			}
		case orNode:
			if neg {
				for _, y := range x {
					conjuncts(y, true)
				}
				return
			}
		case notNode:
			conjuncts(x.x, !neg)
			return
		}
		if neg {
			n = notNode{n}
		}
		parts = append(parts, n)
	}
	conjuncts(n, false)
	return parts
}

// pairGate is a conjunct `A|fieldref: B` of a rule's condition, equality
// regardless of case: it rejects an event whose values of the two fields
// both have memo entries, and whose folds differ (by their hashes, kept in
// the entries: different hashes are different folds). Equal hashes leave
// the decision to the rule.
type pairGate struct{ a, b int32 }

// pairGatesOf returns the pair gates among a condition's conjuncts, parts.
func pairGatesOf(parts []node) []pairGate {
	var out []pairGate
	for _, p := range parts {
		l, ok := p.(atomLeaf)
		if !ok {
			continue
		}
		a := l.a
		if a.field == "" || a.slot < 0 || a.neq || a.exists != nil || a.plain != nil ||
			len(a.groups) != 1 || len(a.groups[0]) != 1 {
			continue
		}
		f, ok := a.groups[0][0].(fieldRefMatcher)
		if ok && f.slot >= 0 && f.mode == pattern.Exact && !f.cased {
			out = append(out, pairGate{a.slot, f.slot})
		}
	}
	return out
}

// rejects reports whether the current event's values of p's fields both
// have memo entries and differ once folded.
func (p pairGate) rejects(c *evalCtx) bool {
	ea, eb := c.valueEntry(p.a), c.valueEntry(p.b)
	if ea == nil || eb == nil {
		return false
	}
	return c.foldHash(p.a, ea) != c.foldHash(p.b, eb)
}

// maxGates bounds a rule's gates.
const maxGates = 4

// gateNode is gate g as a node: g's one conjunct, or their AND.
func gateNode(g andNode) node {
	if len(g) == 1 {
		return g[0]
	}
	return g
}

// valueSlot returns the slot of the one field whose value alone decides n:
// every comparison in n reads that field and compares it with constants
// (not with another field, and not as a keyword search of every field).
func valueSlot(n node) (int32, bool) {
	switch n := n.(type) {
	case atomLeaf:
		a := n.a
		if a.field == "" || a.slot < 0 || hasMatcher[fieldRefMatcher](a.groups) {
			return -1, false
		}
		return a.slot, true
	case notNode:
		return valueSlot(n.x)
	case andNode:
		return sameSlot(n)
	case orNode:
		return sameSlot(n)
	}
	return -1, false // raw CEL reads what it likes
}

func sameSlot(ns []node) (int32, bool) {
	slot := int32(-1)
	for _, x := range ns {
		s, ok := valueSlot(x)
		if !ok || slot >= 0 && s != slot {
			return -1, false
		}
		slot = s
	}
	return slot, slot >= 0
}

// buildGates gives every rule that has them its gates; gate ids follow the
// engine's atom ids. It marks the slots whose memo entries keep results:
// those of gates and of atoms evaluated by value.
func (e *Engine) buildGates(idx *index) {
	idx.results = make([]bool, len(e.slots))
	for _, a := range e.atoms {
		if a.byValue {
			idx.results[a.slot] = true
		}
	}
	id := int32(len(e.atoms))
	for i := range e.rules {
		parts := conjunctsOf(e.rules[i].tree)
		ns, slots := gatesOf(parts)
		pairs := pairGatesOf(parts)
		if len(ns) == 0 && len(pairs) == 0 {
			continue
		}
		if idx.gates == nil {
			idx.gates = make([]*ruleGates, len(e.rules))
		}
		gs := &ruleGates{one: make([]gate, len(ns)), pairs: pairs}
		for k, n := range ns {
			gs.one[k] = gate{slot: slots[k], id: id, n: gateNode(n)}
			idx.results[slots[k]] = true
			id++
		}
		idx.gates[i] = gs
	}
}

// ruleGates are a rule's gates: one per field, in the order of gatesOf,
// and its pair gates.
type ruleGates struct {
	one   []gate
	pairs []pairGate
}

// holds reports, for a rule without a witness, whether its gates let it be a
// candidate: its first gate holds (evaluated when its value has no memo
// entry) and no other rejects the event.
func (gs *ruleGates) holds(c *evalCtx) bool {
	if len(gs.one) > 0 && !gs.one[0].holds(c) {
		return false
	}
	return !gs.reject(c, 1)
}

// reject reports whether one of the gates rejects the event: a one-field
// gate from the from'th on (see gate.rejects), or a pair gate.
func (gs *ruleGates) reject(c *evalCtx, from int) bool {
	for k := from; k < len(gs.one); k++ {
		if gs.one[k].rejects(c) {
			return true
		}
	}
	for _, p := range gs.pairs {
		if p.rejects(c) {
			return true
		}
	}
	return false
}

// holds evaluates g for the current event, from the memo entry of its
// field's value when g was evaluated on that value before.
func (g *gate) holds(c *evalCtx) bool { return c.byValue(g.slot, g.id, g.n) }

// rejects reports whether g does not hold for the current event's value of
// its field, when the value has a memo entry; without one it reports false
// and the rule is evaluated.
func (g *gate) rejects(c *evalCtx) bool {
	e := c.valueEntry(g.slot)
	return e != nil && !c.entryResult(e, g.id, g.n)
}
