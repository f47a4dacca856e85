package aho

import (
	"encoding/binary"
	"math/bits"
	"unsafe"
)

// Set finds literals in texts, like Automaton, with memory that stays small
// for large sets of long literals (thousands of hashes or command-line
// fragments, where a DFA's table would take tens of megabytes).
//
// Literals shorter than gramLen go into an Automaton. Every longer literal is
// represented by one of its 4-byte substrings (grams), chosen to be the one
// fewest other literals share; a hash table maps grams to the literals they
// stand for. Scan hashes each 4-byte window of the text, checks a small
// bitmap (most windows stop there), and verifies each literal the window's
// gram stands for by comparing it in place. The result is exact: the same
// hits an Automaton would report.
type Set struct {
	short *Automaton // literals shorter than gramLen; nil when none
	lits  []string

	filter [1 << 16 / 32]uint32 // bit h>>16 set when some gram hashes to h
	mask   uint32               // table size - 1
	keys   []uint32             // gram per table slot
	start  []uint32             // entries[start[i]:start[i+1]] for slot i; empty slots have none
	refs   []gramRef
}

type gramRef struct {
	lit int32
	off int32 // where the gram starts in the literal
}

const gramLen = 4

// smallDFA is the table size (bytes) up to which NewSet uses a plain
// Automaton for all literals: it scans faster than grams.
const smallDFA = 256 << 10

// NewSet builds a Set for lits; literal i is reported as i and empty
// literals never are.
func NewSet(lits []string) (*Set, error) {
	s := &Set{lits: lits}
	if a, err := Build(lits, smallDFA/4); err == nil && a.Bytes() <= smallDFA {
		s.short = a
		return s, nil
	}
	short := make([]string, len(lits))
	hasShort := false
	freq := map[uint32]int{}
	for i, l := range lits {
		if len(l) < gramLen {
			short[i], hasShort = l, hasShort || l != ""
			continue
		}
		for k := 0; k+gramLen <= len(l); k++ {
			freq[gram(l, k)]++
		}
	}
	if hasShort {
		a, err := Build(short, 1<<20)
		if err != nil {
			return nil, err
		}
		s.short = a
	}
	// Pick each literal's rarest gram; the later one on ties (the ends of
	// paths and command lines say more than their beginnings).
	byGram := map[uint32][]gramRef{}
	var order []uint32
	for i, l := range lits {
		if len(l) < gramLen {
			continue
		}
		best, bestN := 0, -1
		for k := 0; k+gramLen <= len(l); k++ {
			if n := freq[gram(l, k)]; bestN < 0 || n <= bestN {
				best, bestN = k, n
			}
		}
		g := gram(l, best)
		if _, ok := byGram[g]; !ok {
			order = append(order, g)
		}
		byGram[g] = append(byGram[g], gramRef{int32(i), int32(best)})
	}
	size := 1 << bits.Len(uint(2*len(order)+1))
	s.mask = uint32(size - 1)
	s.keys = make([]uint32, size)
	slotOf := make([]int32, size)
	for i := range slotOf {
		slotOf[i] = -1
	}
	for gi, g := range order {
		h := hash(g)
		s.filter[h>>21] |= 1 << (h >> 16 & 31)
		i := h & s.mask
		for slotOf[i] >= 0 {
			i = (i + 1) & s.mask
		}
		slotOf[i] = int32(gi)
		s.keys[i] = g
	}
	s.start = make([]uint32, size+1)
	for i := range size {
		s.start[i] = uint32(len(s.refs))
		if slotOf[i] >= 0 {
			s.refs = append(s.refs, byGram[order[slotOf[i]]]...)
		}
	}
	s.start[size] = uint32(len(s.refs))
	return s, nil
}

func gram(s string, k int) uint32 {
	return uint32(s[k]) | uint32(s[k+1])<<8 | uint32(s[k+2])<<16 | uint32(s[k+3])<<24
}

func hash(g uint32) uint32 { return g * 0x9E3779B1 }

// Bytes returns the approximate memory the set holds.
func (s *Set) Bytes() int {
	n := len(s.filter)*4 + len(s.keys)*4 + len(s.start)*4 + len(s.refs)*8
	if s.short != nil {
		n += s.short.Bytes()
	}
	return n
}

// States returns the number of automaton states (short literals only when
// grams hold the rest).
func (s *Set) States() int {
	if s.short == nil {
		return 0
	}
	return s.short.States()
}

// Scan appends to hits the number of every literal that occurs in text, once
// per occurrence, and returns the extended slice.
func (s *Set) Scan(text string, hits []int32) []int32 {
	if s.short != nil {
		hits = s.short.Scan(text, hits)
	}
	if s.keys == nil || len(text) < gramLen {
		return hits
	}
	b := unsafe.Slice(unsafe.StringData(text), len(text))
	for i := 0; i+gramLen <= len(b); i++ {
		g := binary.LittleEndian.Uint32(b[i:])
		h := hash(g)
		if s.filter[h>>21]&(1<<(h>>16&31)) == 0 {
			continue
		}
		for j := h & s.mask; s.start[j] != s.start[j+1]; j = (j + 1) & s.mask {
			if s.keys[j] != g {
				continue
			}
			for _, r := range s.refs[s.start[j]:s.start[j+1]] {
				l := s.lits[r.lit]
				at := i - int(r.off)
				if at >= 0 && at+len(l) <= len(text) && text[at:at+len(l)] == l {
					hits = append(hits, r.lit)
				}
			}
			break
		}
	}
	return hits
}

// Any reports whether any literal occurs in text, stopping at the first.
func (s *Set) Any(text string) bool {
	if s.short != nil && s.short.Any(text) {
		return true
	}
	if s.keys == nil || len(text) < gramLen {
		return false
	}
	b := unsafe.Slice(unsafe.StringData(text), len(text))
	for i := 0; i+gramLen <= len(b); i++ {
		g := binary.LittleEndian.Uint32(b[i:])
		h := hash(g)
		if s.filter[h>>21]&(1<<(h>>16&31)) == 0 {
			continue
		}
		for j := h & s.mask; s.start[j] != s.start[j+1]; j = (j + 1) & s.mask {
			if s.keys[j] != g {
				continue
			}
			for _, r := range s.refs[s.start[j]:s.start[j+1]] {
				l := s.lits[r.lit]
				at := i - int(r.off)
				if at >= 0 && at+len(l) <= len(text) && text[at:at+len(l)] == l {
					return true
				}
			}
			break
		}
	}
	return false
}
