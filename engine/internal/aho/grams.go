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
//
// A set whose literals are all long enough is one gram table read with a
// step: when every literal has at least 4+k-1 bytes, each is represented by
// k grams at consecutive offsets, and only every k-th window of the text
// needs reading, since one of those k grams of an occurrence starts at a
// multiple of k. Keyword sets (a few dozen literals of ten bytes or more,
// searched in every value of every event) scan several times faster so.
//
// Where AVX2 is available, a set of at most 64 literals of 3 bytes or more
// whose fingerprints filter well is a Teddy prefilter instead (see teddy),
// which reads 32 positions of the text at once and scans a 2 KB event for
// Sigma's Mimikatz keywords about five times faster than the stepped table.
type Set struct {
	td     *teddy     // the Teddy prefilter, when the set is one; see NewSet
	short  *Automaton // literals shorter than 4 bytes; nil when none
	g4, g8 *gramTable // nil when no literal needs them
	lits   []string
}

// gramTable maps grams of one length to literals.
type gramTable struct {
	n      int      // gram length: 4 or 8
	step   int      // windows read: every step-th
	filter []uint32 // bit h>>16&fmask set when some gram hashes to h
	fmask  uint32   // bits in filter - 1
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
// literals never are. A set that suits a Teddy prefilter is one; else a set
// whose literals allow a stepped gram table is one; else a set whose
// automaton fits in dfaBytes is that automaton.
func NewSet(lits []string, dfaBytes int) (*Set, error) {
	s := &Set{lits: lits}
	if useTeddy {
		if td := newTeddy(lits); td != nil && td.rate() <= maxTeddyRate {
			s.td = td
			return s, nil
		}
	}
	if step, ids := stepFor(lits); step > 0 {
		s.g4 = newGramTable(lits, ids, 4, step)
		return s, nil
	}
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
		s.g4 = newGramTable(lits, mid, 4, 1)
	}
	if len(long) > 0 {
		s.g8 = newGramTable(lits, long, 8, 1)
	}
	return s, nil
}

// Stepped tables: a step below minStep scans no faster than an automaton,
// and more than maxStepGrams grams would crowd the filter.
const (
	minStep      = 4
	maxStep      = 16
	maxStepGrams = 4096
)

// stepFor returns the step of a 4-byte gram table for lits and the
// literals it holds (the non-empty ones), or 0 when some literal is too
// short for a useful step.
func stepFor(lits []string) (int, []int32) {
	shortest := 0
	var ids []int32
	for i, l := range lits {
		if l == "" {
			continue
		}
		if shortest == 0 || len(l) < shortest {
			shortest = len(l)
		}
		ids = append(ids, int32(i))
	}
	step := min(shortest-3, maxStep)
	if step < minStep || len(ids)*step > maxStepGrams {
		return 0, nil
	}
	return step, ids
}

// newGramTable builds the table of n-byte grams for the literals ids, read
// every step-th window: each literal is entered under step grams at
// consecutive offsets (its literals have at least n+step-1 bytes).
func newGramTable(lits []string, ids []int32, n, step int) *gramTable {
	t := &gramTable{n: n, step: step}
	freq := map[uint64]int{}
	for _, id := range ids {
		l := lits[id]
		for k := 0; k+n <= len(l); k++ {
			freq[gramAt(l, k, n)]++
		}
	}
	// Each literal's rarest run of step grams; the later one on ties (the
	// ends of paths and command lines say more than their beginnings).
	byGram := map[uint64][]gramRef{}
	var order []uint64
	for _, id := range ids {
		l := lits[id]
		best, bestN := 0, -1
		for k := 0; k+n+step-1 <= len(l); k++ {
			c := 0
			for j := k; j < k+step; j++ {
				c += freq[gramAt(l, j, n)]
			}
			if bestN < 0 || c <= bestN {
				best, bestN = k, c
			}
		}
		for k := best; k < best+step; k++ {
			g := gramAt(l, k, n)
			if _, ok := byGram[g]; !ok {
				order = append(order, g)
			}
			byGram[g] = append(byGram[g], gramRef{id, int32(k)})
		}
	}
	size := 1 << bits.Len(uint(2*len(order)+1))
	t.mask = uint32(size - 1)
	// About 32 filter bits per gram (so that few windows get past it), from
	// 1 Ki to 64 Ki bits.
	fbits := min(max(bits.Len(uint(32*len(order))), 10), 16)
	t.filter = make([]uint32, 1<<fbits/32)
	t.fmask = 1<<fbits - 1
	t.keys = make([]uint64, size)
	slotOf := make([]int32, size)
	for i := range slotOf {
		slotOf[i] = -1
	}
	for gi, g := range order {
		f := hash(g&caseMask) >> 16 & t.fmask
		t.filter[f>>5] |= 1 << (f & 31)
		h := hash(g)
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

// lowerBytes lowers the ASCII letters among eight bytes at once: a byte b
// below 0x80 is upper case when b+0x3f reaches 0x80 ('A' and above) and
// b+0x25 does not ('Z' and below). The sums are taken on the low seven bits
// of each byte, so that none carries into its neighbour, and bytes with
// the high bit set are left as they are.
func lowerBytes(g uint64) uint64 {
	const hi = 0x8080808080808080
	x := g &^ hi
	upper := (x + 0x3f3f3f3f3f3f3f3f) &^ (x + 0x2525252525252525) &^ g & hi
	return g | upper>>2
}

// Bytes returns the approximate memory the set holds.
func (s *Set) Bytes() int {
	n := 0
	if s.td != nil {
		n += s.td.bytes()
	}
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
	if s.td != nil {
		return s.td.scan(text, false, hits)
	}
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

// ScanLower is Scan of the text with its ASCII letters lowered, without
// building that text, for sets of literals with no ASCII upper-case
// letters. Only the bytes 'A' to 'Z' are lowered: other bytes, those above
// 0x7f included, are read as they are.
func (s *Set) ScanLower(text string, hits []int32) []int32 {
	if s.td != nil {
		return s.td.scan(text, true, hits)
	}
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
	if s.td != nil {
		return s.td.any(text)
	}
	if s.short != nil && s.short.Any(text) {
		return true
	}
	// Grams rarely hit; collecting the hits costs no more than stopping.
	var buf [8]int32
	return (s.g4 != nil && len(s.g4.scan(text, false, s.lits, buf[:0])) > 0) ||
		(s.g8 != nil && len(s.g8.scan(text, false, s.lits, buf[:0])) > 0)
}

// scan reads every step-th window of text. The windows that pass the
// filter, rare, are found by a skip loop for each gram length (no calls, so
// its few instructions stay on registers) and looked up by probe.
func (t *gramTable) scan(text string, lower bool, lits []string, hits []int32) []int32 {
	b := unsafe.Slice(unsafe.StringData(text), len(text))
	skip := t.skip8
	if t.n == 4 {
		skip = t.skip4
	}
	for i := skip(b, 0); i < len(b); i = skip(b, i+t.step) {
		hits = t.probe(text, i, lower, lits, hits)
	}
	return hits
}

// caseMask clears the bit that tells an ASCII letter's cases apart. The
// filter is keyed by grams so masked: lowered or not, a text's window and
// a literal's gram it could equal have the same masked gram, so one filter
// serves both scans and the skip loops need not lower the text. Masking
// also pairs some other bytes ('[' with '{', digits with control bytes);
// those only let a few more windows through to probe, which compares
// exactly.
const caseMask = 0xdfdfdfdfdfdfdfdf

// skip4 returns the first window from i on, by steps, whose masked 4-byte
// gram passes the filter; len(b) when there is none.
func (t *gramTable) skip4(b []byte, i int) int {
	filter, fmask, step := t.filter, t.fmask, t.step
	for ; i+4 <= len(b); i += step {
		h := hash(uint64(load32(b, i)) & caseMask)
		if f := h >> 16 & fmask; filter[f>>5]&(1<<(f&31)) != 0 {
			return i
		}
	}
	return len(b)
}

// skip8 is skip4 for 8-byte grams.
func (t *gramTable) skip8(b []byte, i int) int {
	filter, fmask, step := t.filter, t.fmask, t.step
	for ; i+8 <= len(b); i += step {
		h := hash(load64(b, i) & caseMask)
		if f := h >> 16 & fmask; filter[f>>5]&(1<<(f&31)) != 0 {
			return i
		}
	}
	return len(b)
}

// load32 and load64 read the little-endian word at b[i:], which the caller
// has checked holds it; the skip loops read one word per step and do
// without the bounds checks.
func load32(b []byte, i int) uint32 {
	return binary.LittleEndian.Uint32(unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(b)), i)), 4))
}

func load64(b []byte, i int) uint64 {
	return binary.LittleEndian.Uint64(unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(b)), i)), 8))
}

// probe looks up the gram at i and appends the literals it stands for that
// occur there.
func (t *gramTable) probe(text string, i int, lower bool, lits []string, hits []int32) []int32 {
	g := gramAt(text, i, t.n)
	if lower {
		g = lowerBytes(g)
	}
	h := hash(g)
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
