package engine

// A rule without a witness (index.go) can hold with no literal present, so
// the index cannot leave it out by what an event's fields contain. Many such
// rules still cannot hold for most values of one field: `not Image|endswith:
// ['.exe', '.com', ...]`, `not Image|contains: '\'`, a regular expression
// on CommandLine with no fixed substring. Such a rule gets a gate: the AND of
// the conjuncts of its condition that read one field's value and nothing
// else. The rule is a candidate only when its gate holds, and what the gate
// gives for a value is remembered in the value's memo entry (memo.go), next
// to the literals the value holds: telemetry repeats its images and command
// lines, so for most events the gate costs a look in a short list instead
// of an evaluation of the rule. A gate is part of the rule's condition,
// evaluated as the rule evaluates it, so the rule can never hold where its
// gate does not.

// gate is the conjunct a rule without a witness is gated by.
type gate struct {
	slot int32 // the field whose value alone decides n
	id   int32 // n's id among the results a memo entry keeps (after the atoms')
	n    node
}

// gateOf returns the gate of condition n: the AND of the conjuncts of n
// (n's own, and those `not` of an OR gives) that read only the field the
// first such conjunct reads; false when no conjunct reads one field alone.
func gateOf(n node) (node, int32, bool) {
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
	var gate andNode
	slot := int32(-1)
	for _, p := range parts {
		s, ok := valueSlot(p)
		if !ok || slot >= 0 && s != slot {
			continue
		}
		slot = s
		gate = append(gate, p)
	}
	switch len(gate) {
	case 0:
		return nil, -1, false
	case 1:
		return gate[0], slot, true
	}
	return gate, slot, true
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

// buildGates gives every rule without a witness that has one a gate; gate
// ids follow the engine's atom ids. It marks the slots whose memo entries
// keep results: those of gates and of atoms evaluated by value.
func (e *Engine) buildGates(idx *index) {
	idx.results = make([]bool, len(e.slots))
	for _, a := range e.atoms {
		if a.byValue {
			idx.results[a.slot] = true
		}
	}
	for _, i := range idx.always {
		n, slot, ok := gateOf(e.rules[i].tree)
		if !ok {
			continue
		}
		if idx.gates == nil {
			idx.gates = make([]*gate, len(e.rules))
		}
		idx.gates[i] = &gate{slot: slot, id: int32(len(e.atoms)) + int32(i), n: n}
		idx.results[slot] = true
	}
}

// holds evaluates g for the current event, from the memo entry of its
// field's value when g was evaluated on that value before.
func (g *gate) holds(c *evalCtx) bool { return c.byValue(g.slot, g.id, g.n) }
