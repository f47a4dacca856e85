// Package aho finds many literal strings in a text in one pass, with an
// Aho-Corasick automaton compiled to a table-driven DFA.
//
// The engine's index uses it to learn which rule literals occur in an
// event's fields: one automaton per field, run once over the field's folded
// value, reports every literal that occurs in it. Matching is byte-wise and
// exact; callers fold text and literals the same way beforehand.
//
// The DFA's alphabet is reduced to byte classes: bytes that occur in no
// literal share one class, so a table row has one entry per distinct
// literal byte plus one, not 256.
package aho

import (
	"fmt"
	"slices"
)

// Automaton reports which of a fixed set of literals occur in a text. It is
// immutable once built and safe for concurrent use.
type Automaton struct {
	classes [256]uint8 // byte -> class; class 0 is "in no literal"
	// lower is classes with each ASCII upper-case letter given the class of
	// its lower-case letter, for ScanLower.
	lower [256]uint8
	width int // classes per state row
	// next holds the DFA: next[s*width+c] is the state reached from s on a
	// byte of class c, premultiplied by width so that the scan loop needs
	// no multiplication, with finalBit set when that state has outputs.
	next []uint32
	// Outputs: the literals that end at state s are out[outOff[s]:outOff[s+1]],
	// including those that end there through suffix links.
	outOff []uint32
	out    []int32
	// states is the number of DFA states.
	states int
	maxLen int // the longest literal
	lits   int
}

// Build compiles an automaton for lits. Literal i is reported as i. Empty
// literals are never reported (they would match every text). Build fails
// when the table would exceed maxStates states.
func Build(lits []string, maxStates int) (*Automaton, error) {
	a := &Automaton{lits: len(lits)}
	// Byte classes.
	var used [256]bool
	for _, l := range lits {
		for i := 0; i < len(l); i++ {
			used[l[i]] = true
		}
	}
	n := 1
	for b := range 256 {
		if used[b] {
			if n == 256 {
				return nil, fmt.Errorf("aho: more than 255 distinct bytes")
			}
			a.classes[b] = uint8(n)
			n++
		}
	}
	a.width = n
	a.lower = a.classes
	for b := 'A'; b <= 'Z'; b++ {
		a.lower[b] = a.classes[b+'a'-'A']
	}

	// The trie, with sparse children during construction.
	type tstate struct {
		kids  map[uint8]uint32
		fail  uint32
		own   []int32
		depth int
	}
	states := []tstate{{}}
	for id, l := range lits {
		if l == "" {
			continue
		}
		a.maxLen = max(a.maxLen, len(l))
		s := uint32(0)
		for i := 0; i < len(l); i++ {
			c := a.classes[l[i]]
			k, ok := states[s].kids[c]
			if !ok {
				if len(states) >= maxStates {
					return nil, fmt.Errorf("aho: literals need more than %d states", maxStates)
				}
				k = uint32(len(states))
				if states[s].kids == nil {
					states[s].kids = map[uint8]uint32{}
				}
				states[s].kids[c] = k
				states = append(states, tstate{depth: states[s].depth + 1})
			}
			s = k
		}
		states[s].own = append(states[s].own, int32(id))
	}

	if uint64(len(states))*uint64(a.width) >= finalBit {
		return nil, fmt.Errorf("aho: table of %d states by %d classes is too large", len(states), a.width)
	}

	// Breadth-first: failure links, dense rows and outputs.
	w := uint32(a.width)
	a.next = make([]uint32, len(states)*a.width)
	order := make([]uint32, 0, len(states))
	order = append(order, 0)
	for qi := 0; qi < len(order); qi++ {
		s := order[qi]
		st := &states[s]
		row := a.next[s*w : (s+1)*w]
		if s != 0 {
			copy(row, a.next[st.fail*w:(st.fail+1)*w])
		}
		keys := make([]uint8, 0, len(st.kids))
		for c := range st.kids {
			keys = append(keys, c)
		}
		slices.Sort(keys)
		for _, c := range keys {
			k := st.kids[c]
			if s == 0 {
				states[k].fail = 0
			} else {
				states[k].fail = a.next[st.fail*w+uint32(c)] / w // no finalBit yet
			}
			row[c] = k * w
			order = append(order, k)
		}
	}
	// Outputs in BFS order so that a state's failure target is done first.
	outs := make([][]int32, len(states))
	for _, s := range order {
		st := &states[s]
		o := append([]int32(nil), st.own...)
		if s != 0 {
			o = append(o, outs[st.fail]...)
		}
		outs[s] = o
	}
	a.outOff = make([]uint32, len(states)+1)
	for s, o := range outs {
		a.outOff[s] = uint32(len(a.out))
		a.out = append(a.out, o...)
	}
	a.outOff[len(states)] = uint32(len(a.out))
	for i, t := range a.next {
		if len(outs[t/w]) > 0 {
			a.next[i] = t | finalBit
		}
	}
	a.states = len(states)
	return a, nil
}

// finalBit marks a transition into a state that has outputs.
const finalBit = 1 << 31

// States returns the number of DFA states.
func (a *Automaton) States() int { return a.states }

// Bytes returns the approximate memory the automaton holds.
func (a *Automaton) Bytes() int {
	return len(a.next)*4 + len(a.outOff)*4 + len(a.out)*4 + 256
}

// Scan appends to hits the number of every literal that occurs in text, once
// per occurrence (a literal found twice is appended twice), and returns the
// extended slice. It does not allocate when hits has room.
func (a *Automaton) Scan(text string, hits []int32) []int32 {
	next, classes := a.next, &a.classes
	s := uint32(0)
	for i := 0; i < len(text); i++ {
		s = next[s+uint32(classes[text[i]])]
		if s&finalBit != 0 {
			s &^= finalBit
			st := s / uint32(a.width)
			hits = append(hits, a.out[a.outOff[st]:a.outOff[st+1]]...)
		}
	}
	return hits
}

// Any reports whether any literal occurs in text, stopping at the first.
func (a *Automaton) Any(text string) bool {
	next, classes := a.next, &a.classes
	s := uint32(0)
	for i := 0; i < len(text); i++ {
		s = next[s+uint32(classes[text[i]])]
		if s&finalBit != 0 {
			return true
		}
	}
	return false
}

// ScanLower is Scan of the text with its ASCII letters lowered, without
// building that text. It is for automata whose literals have no ASCII
// upper-case letters (case-folded literals): then it finds exactly what
// Scan finds in the lowered text.
func (a *Automaton) ScanLower(text string, hits []int32) []int32 {
	// A long text is scanned as four parts at once: the four chains of
	// dependent lookups overlap in the processor. Each part after the
	// first starts maxLen-1 bytes early, so that a literal crossing a
	// boundary is found; one that ends inside that overlap is the part
	// before's to report.
	q := len(text) / 4
	if q < 64 || a.maxLen >= q {
		return a.scanLower1(text, hits)
	}
	o := a.maxLen - 1
	return a.scanLower4([4]string{text[:q], text[q-o : 2*q], text[2*q-o : 3*q], text[3*q-o:]}, o, hits)
}

// scanLower4 is ScanLower of four texts, interleaved, the last three of
// which begin with the o bytes that end the one before (their literals
// ending there are not reported). The four states are separate variables
// so that they stay in registers.
func (a *Automaton) scanLower4(x [4]string, o int, hits []int32) []int32 {
	next, classes := a.next, &a.lower
	x0, x1, x2, x3 := x[0], x[1], x[2], x[3]
	n := min(len(x0), len(x1), len(x2), len(x3))
	x0, x1, x2, x3 = x0[:n], x1[:n], x2[:n], x3[:n]
	var s0, s1, s2, s3 uint32
	for i := range n {
		s0 = next[s0+uint32(classes[x0[i]])]
		s1 = next[s1+uint32(classes[x1[i]])]
		s2 = next[s2+uint32(classes[x2[i]])]
		s3 = next[s3+uint32(classes[x3[i]])]
		if (s0|s1|s2|s3)&finalBit != 0 {
			if s0&finalBit != 0 {
				s0 &^= finalBit
				hits = a.appendOut(hits, s0)
			}
			if s1&finalBit != 0 {
				s1 &^= finalBit
				if i >= o {
					hits = a.appendOut(hits, s1)
				}
			}
			if s2&finalBit != 0 {
				s2 &^= finalBit
				if i >= o {
					hits = a.appendOut(hits, s2)
				}
			}
			if s3&finalBit != 0 {
				s3 &^= finalBit
				if i >= o {
					hits = a.appendOut(hits, s3)
				}
			}
		}
	}
	hits = a.scanLowerFrom(s0, x[0][n:], hits)
	hits = a.scanLowerFrom(s1, x[1][n:], hits)
	hits = a.scanLowerFrom(s2, x[2][n:], hits)
	return a.scanLowerFrom(s3, x[3][n:], hits)
}

// appendOut appends the outputs of the (premultiplied) state s.
func (a *Automaton) appendOut(hits []int32, s uint32) []int32 {
	st := s / uint32(a.width)
	return append(hits, a.out[a.outOff[st]:a.outOff[st+1]]...)
}

// scanLowerFrom continues a lowered scan from state s.
func (a *Automaton) scanLowerFrom(s uint32, text string, hits []int32) []int32 {
	next, classes := a.next, &a.lower
	for i := 0; i < len(text); i++ {
		s = next[s+uint32(classes[text[i]])]
		if s&finalBit != 0 {
			s &^= finalBit
			hits = a.appendOut(hits, s)
		}
	}
	return hits
}

// scanLower1 is ScanLower in one pass.
func (a *Automaton) scanLower1(text string, hits []int32) []int32 {
	return a.scanLowerFrom(0, text, hits)
}
