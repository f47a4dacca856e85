package aho

import (
	"encoding/binary"
	"math/bits"
	"unsafe"
)

// Set finds literals in texts, like Automaton, with memory that stays small
// for large sets of long literals (thousands of hashes or command-line
// fragments, where a DFA's table would take tens of megabytes) and a scan
// that is not one long chain of dependent table lookups.
//
// A set whose automaton would be small is just that automaton. Otherwise
// literals shorter than 4 bytes go into an Automaton, and each longer one is
// represented by one of its substrings (a gram) of 8 bytes, or of 4 bytes
// for literals shorter than 8: the one fewest other literals share. A hash
// table maps grams to the literals they stand for. Scan hashes each 4- and
// 8-byte window of the text, checks a small bitmap (most windows stop
// there), and verifies each literal the window's gram stands for in place.
// The result is exact: the same hits an Automaton would report.
type Set struct {
	short  *Automaton // literals shorter than 4 bytes; nil when none
	g4, g8 *gramTable // nil when no literal needs them
	lits   []string
}

// gramTable maps grams of one length to literals.
type gramTable struct {
	n      int      // gram length: 4 or 8
	filter []uint32 // bit h>>fshift set when some gram hashes to h
	fshift uint32   // 32 - log2(bits in filter)
	mask   uint32   // table size - 1
	keys   []uint64 // gram per table slot
	start  []uint32 // refs[start[i]:start[i+1]] for slot i; none for empty slots
	refs   []gramRef
}

type gramRef struct {
	lit int32
	off int32 // where the gram starts in the literal
}

// NewSet builds a Set for lits; literal i is reported as i and empty
// literals never are. A set whose automaton fits in dfaBytes (scanning
// fastest) is that automaton.
func NewSet(lits []string, dfaBytes int) (*Set, error) {
	s := &Set{lits: lits}
	if a, err := Build(lits, dfaBytes/4); err == nil && a.Bytes() <= dfaBytes {
		s.short = a
		return s, nil
	}
	short := make([]string, len(lits))
	var mid, long []int32
	hasShort := false
	for i, l := range lits {
		switch {
		case len(l) < 4:
			short[i], hasShort = l, hasShort || l != ""
		case len(l) < 8:
			mid = append(mid, int32(i))
		default:
			long = append(long, int32(i))
		}
	}
	if hasShort {
		a, err := Build(short, 1<<20)
		if err != nil {
			return nil, err
		}
		s.short = a
	}
	if len(mid) > 0 {
		s.g4 = newGramTable(lits, mid, 4)
	}
	if len(long) > 0 {
		s.g8 = newGramTable(lits, long, 8)
	}
	return s, nil
}

func newGramTable(lits []string, ids []int32, n int) *gramTable {
	t := &gramTable{n: n}
	freq := map[uint64]int{}
	for _, id := range ids {
		l := lits[id]
		for k := 0; k+n <= len(l); k++ {
			freq[gramAt(l, k, n)]++
		}
	}
	// Each literal's rarest gram; the later one on ties (the ends of paths
	// and command lines say more than their beginnings).
	byGram := map[uint64][]gramRef{}
	var order []uint64
	for _, id := range ids {
		l := lits[id]
		best, bestN := 0, -1
		for k := 0; k+n <= len(l); k++ {
			if c := freq[gramAt(l, k, n)]; bestN < 0 || c <= bestN {
				best, bestN = k, c
			}
		}
		g := gramAt(l, best, n)
		if _, ok := byGram[g]; !ok {
			order = append(order, g)
		}
		byGram[g] = append(byGram[g], gramRef{id, int32(best)})
	}
	size := 1 << bits.Len(uint(2*len(order)+1))
	t.mask = uint32(size - 1)
	// About 32 filter bits per gram (so that few windows get past it), from
	// 1 Ki to 64 Ki bits.
	fbits := min(max(bits.Len(uint(32*len(order))), 10), 16)
	t.filter = make([]uint32, 1<<fbits/32)
	t.fshift = uint32(32 - fbits)
	t.keys = make([]uint64, size)
	slotOf := make([]int32, size)
	for i := range slotOf {
		slotOf[i] = -1
	}
	for gi, g := range order {
		h := hash(g)
		f := h >> t.fshift
		t.filter[f>>5] |= 1 << (f & 31)
		i := h & t.mask
		for slotOf[i] >= 0 {
			i = (i + 1) & t.mask
		}
		slotOf[i] = int32(gi)
		t.keys[i] = g
	}
	t.start = make([]uint32, size+1)
	for i := range size {
		t.start[i] = uint32(len(t.refs))
		if slotOf[i] >= 0 {
			t.refs = append(t.refs, byGram[order[slotOf[i]]]...)
		}
	}
	t.start[size] = uint32(len(t.refs))
	return t
}

// gramAt reads the n-byte gram of s at k as a little-endian number.
func gramAt(s string, k, n int) uint64 {
	var g uint64
	for i := n - 1; i >= 0; i-- {
		g = g<<8 | uint64(s[k+i])
	}
	return g
}

func hash(g uint64) uint32 { return uint32((g * 0x9E3779B97F4A7C15) >> 32) }

// lowerBytes lowers the ASCII letters of eight ASCII bytes at once: a byte
// b is upper case when b+0x3f reaches 0x80 ('A' and above) and b+0x25 does
// not ('Z' and below); bytes below 0x80 cannot carry into their neighbour.
func lowerBytes(g uint64) uint64 {
	upper := (g + 0x3f3f3f3f3f3f3f3f) &^ (g + 0x2525252525252525) & 0x8080808080808080
	return g | upper>>2
}

// Bytes returns the approximate memory the set holds.
func (s *Set) Bytes() int {
	n := 0
	for _, t := range []*gramTable{s.g4, s.g8} {
		if t != nil {
			n += len(t.filter)*4 + len(t.keys)*8 + len(t.start)*4 + len(t.refs)*8
		}
	}
	if s.short != nil {
		n += s.short.Bytes()
	}
	return n
}

// States returns the number of automaton states (for the literals shorter
// than 4 bytes).
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
	if s.g4 != nil {
		hits = s.g4.scan(text, false, s.lits, hits)
	}
	if s.g8 != nil {
		hits = s.g8.scan(text, false, s.lits, hits)
	}
	return hits
}

// ReadsAnyByte reports whether ScanLower accepts text that is not ASCII:
// true when the set is a single automaton (its lowering only touches the
// bytes 'A' to 'Z'); grams lower eight bytes at a time and need ASCII.
func (s *Set) ReadsAnyByte() bool { return s.g4 == nil && s.g8 == nil }

// ScanLower is Scan of the text with its ASCII letters lowered, without
// building that text, for sets of literals with no ASCII upper-case
// letters. The text must be ASCII (no byte above 0x7f) unless ReadsAnyByte.
func (s *Set) ScanLower(text string, hits []int32) []int32 {
	if s.short != nil {
		hits = s.short.ScanLower(text, hits)
	}
	if s.g4 != nil {
		hits = s.g4.scan(text, true, s.lits, hits)
	}
	if s.g8 != nil {
		hits = s.g8.scan(text, true, s.lits, hits)
	}
	return hits
}

// Any reports whether any literal occurs in text, stopping at the first.
func (s *Set) Any(text string) bool {
	if s.short != nil && s.short.Any(text) {
		return true
	}
	// Grams rarely hit; collecting the hits costs no more than stopping.
	var buf [8]int32
	return (s.g4 != nil && len(s.g4.scan(text, false, s.lits, buf[:0])) > 0) ||
		(s.g8 != nil && len(s.g8.scan(text, false, s.lits, buf[:0])) > 0)
}

func (t *gramTable) scan(text string, lower bool, lits []string, hits []int32) []int32 {
	if len(text) < t.n {
		return hits
	}
	b := unsafe.Slice(unsafe.StringData(text), len(text))
	last := len(b) - t.n
	for i := 0; i <= last; i++ {
		var g uint64
		if t.n == 8 {
			g = binary.LittleEndian.Uint64(b[i:])
		} else {
			g = uint64(binary.LittleEndian.Uint32(b[i:]))
		}
		if lower {
			g = lowerBytes(g)
		}
		h := hash(g)
		if f := h >> t.fshift; t.filter[f>>5]&(1<<(f&31)) == 0 {
			continue
		}
		for j := h & t.mask; t.start[j] != t.start[j+1]; j = (j + 1) & t.mask {
			if t.keys[j] != g {
				continue
			}
			for _, r := range t.refs[t.start[j]:t.start[j+1]] {
				l := lits[r.lit]
				at := i - int(r.off)
				if at < 0 || at+len(l) > len(text) {
					continue
				}
				if lower && equalLower(text[at:at+len(l)], l) || !lower && text[at:at+len(l)] == l {
					hits = append(hits, r.lit)
				}
			}
			break
		}
	}
	return hits
}

// equalLower reports whether ASCII text lowered equals lit.
func equalLower(text, lit string) bool {
	for i := 0; i < len(lit); i++ {
		c := text[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lit[i] {
			return false
		}
	}
	return true
}

// IsASCII reports whether s has no byte above 0x7f.
func IsASCII(s string) bool {
	b := unsafe.Slice(unsafe.StringData(s), len(s))
	for len(b) >= 32 {
		w := binary.LittleEndian.Uint64(b) | binary.LittleEndian.Uint64(b[8:]) |
			binary.LittleEndian.Uint64(b[16:]) | binary.LittleEndian.Uint64(b[24:])
		if w&0x8080808080808080 != 0 {
			return false
		}
		b = b[32:]
	}
	for len(b) >= 8 {
		if binary.LittleEndian.Uint64(b)&0x8080808080808080 != 0 {
			return false
		}
		b = b[8:]
	}
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}
