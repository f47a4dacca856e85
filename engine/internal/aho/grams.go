package aho

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"unsafe"
)

// Set finds literals in texts, like Automaton, with memory that stays small
// for large sets of long literals (thousands of hashes or command-line
// fragments, where a DFA's table would take tens of megabytes) and a scan
// that is not one long chain of dependent table lookups.
//
// A set whose automaton would be small is just that automaton. Otherwise
// literals shorter than 4 bytes (and the 4-byte ones too, when the cost
// model of planGrams says so) go into an Automaton, and the longer ones
// into gram tables. A gram table represents each of its literals by
// substrings (grams) of 4 or 8 bytes, the ones fewest other literals share,
// and maps grams to the literals they stand for. Scan hashes windows of the
// text of the table's gram length, checks a small bitmap (most windows stop
// there), and verifies each literal the window's gram stands for in place.
// The result is exact: the same hits an Automaton would report.
//
// A table is read with a step: when every literal of a table has at least
// n+k-1 bytes, each is represented by k n-byte grams at consecutive
// offsets, and only every k-th window of the text needs reading, since one
// of those k grams of an occurrence starts at a multiple of k. A large set
// is split by literal length into a few such tables (see planGrams): the
// long literals, the most in command-line sets, in a table of 8-byte grams
// read every few bytes, and the shorter ones, whose step is small, in
// another. A set whose literals are all long enough is one 4-byte table
// with a step: keyword sets (a few dozen literals of ten bytes or more,
// searched in every value of every event) scan several times faster so.
//
// Where AVX2 is available, a set of at most 64 literals of 3 bytes or more
// whose fingerprints filter well is a Teddy prefilter instead (see teddy),
// which reads 32 positions of the text at once and scans a 2 KB event for
// Sigma's Mimikatz keywords about five times faster than the stepped table.
//
// A set whose literals are some ASCII and some not (Sigma's lists of emoji
// and lookalike letters beside command-line fragments) is two: the ASCII
// literals in this one, the others in wide. An ASCII text cannot hold a
// literal with a byte above 0x7f, so ScanLowerChecked searches this one
// alone, with tables and an automaton the other literals do not crowd.
type Set struct {
	td    *teddy       // the Teddy prefilter, when the set is one; see NewSet
	short *Automaton   // literals shorter than the tables'; nil when none
	tabs  []*gramTable // gram tables, by literal length
	lits  []string     // the set's literals; "" for those of wide
	wide  *Set         // the literals that are not ASCII, when split; nil when not
}

// gramTable maps grams of one length to literals. Its entries are grouped
// by bucket, the top bits of their gram's hash, with no empty slots: the
// entries of bucket b are keys[start[b]:start[b+1]], one per (gram,
// literal) pair, and refs[j] is the literal of keys[j].
type gramTable struct {
	n      int      // gram length: 4 or 8
	step   int      // windows read: every step-th
	min    int      // bytes of its shortest literal
	filter []uint32 // bit filterBit(g, fshift) set for every gram g
	fshift uint
	bshift uint32 // a gram's bucket is hash(g)>>bshift
	start  []uint32
	keys   []uint64
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
	narrow, wide, split := splitWide(lits)
	if !split {
		return newSet(lits, dfaBytes)
	}
	s, err := newSet(narrow, dfaBytes)
	if err != nil {
		return nil, err
	}
	if s.wide, err = newSet(wide, dfaBytes); err != nil {
		return nil, err
	}
	return s, nil
}

// splitWide returns lits as two lists of the same length: the ASCII
// literals, with "" in place of the others, and the others, with "" in
// place of the ASCII ones; split is false when either list would be all
// empty.
func splitWide(lits []string) (narrow, wide []string, split bool) {
	nw, nn := 0, 0
	for _, l := range lits {
		switch {
		case l == "":
		case IsASCII(l):
			nn++
		default:
			nw++
		}
	}
	if nw == 0 || nn == 0 {
		return nil, nil, false
	}
	narrow, wide = make([]string, len(lits)), make([]string, len(lits))
	for i, l := range lits {
		if IsASCII(l) {
			narrow[i] = l
		} else {
			wide[i] = l
		}
	}
	return narrow, wide, true
}

// newSet is NewSet without the split.
func newSet(lits []string, dfaBytes int) (*Set, error) {
	s := &Set{lits: lits}
	if useTeddy {
		if td := newTeddy(lits); td != nil && td.rate() <= maxTeddyRate {
			s.td = td
			return s, nil
		}
	}
	if step, ids := stepFor(lits); step > 0 {
		s.tabs = []*gramTable{newGramTable(lits, ids, 4, step)}
		return s, nil
	}
	// A DFA of more states than this would not fit, whatever its outputs:
	// bounding Build by it stops the build of a large set's automaton
	// early.
	if a, err := Build(lits, dfaBytes/4/classWidth(lits)); err == nil && a.Bytes() <= dfaBytes {
		s.short = a
		return s, nil
	}
	// Literals shorter than 4 bytes have no gram and go to an automaton;
	// the 4-byte ones may join them when the tables then scan faster by
	// more than the automaton costs, and it stays within dfaBytes.
	classes, cost := planGrams(lits, 4)
	if longer, c := planGrams(lits, 5); c < cost {
		if s, err := newGramSet(lits, longer, dfaBytes); err == nil {
			return s, nil
		}
	}
	return newGramSet(lits, classes, 0)
}

// classWidth is the row width of the automaton of lits: one more than the
// distinct bytes they have.
func classWidth(lits []string) int {
	var used [256]bool
	n := 1
	for _, l := range lits {
		for i := 0; i < len(l); i++ {
			if !used[l[i]] {
				used[l[i]] = true
				n++
			}
		}
	}
	return n
}

// newGramSet is the Set of an automaton for the literals shorter than the
// first of classes (all of them when there is none; at least those
// shorter than 4 bytes) and a gram table for each class. An automaton
// of more than dfaBytes is an error, unless dfaBytes is 0.
func newGramSet(lits []string, classes []gramClass, dfaBytes int) (*Set, error) {
	s := &Set{lits: lits}
	short := make([]string, len(lits))
	hasShort := false
	ids := make([][]int32, len(classes))
	for i, l := range lits {
		if len(l) < 4 || len(classes) == 0 || len(l) < classes[0].min {
			short[i], hasShort = l, hasShort || l != ""
			continue
		}
		for c, cl := range classes {
			if len(l) >= cl.min && (c+1 == len(classes) || len(l) < classes[c+1].min) {
				ids[c] = append(ids[c], int32(i))
				break
			}
		}
	}
	if hasShort {
		a, err := Build(short, 1<<20)
		if err != nil {
			return nil, err
		}
		if dfaBytes > 0 && a.Bytes() > dfaBytes {
			return nil, fmt.Errorf("aho: automaton of %d bytes, more than %d", a.Bytes(), dfaBytes)
		}
		s.short = a
	}
	for c, cl := range classes {
		if len(ids[c]) > 0 {
			s.tabs = append(s.tabs, newGramTable(lits, ids[c], cl.n, cl.step))
		}
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

// gramClass is a gram table of a large set: it holds the literals of min
// bytes or more, up to the next class's min, as grams of n bytes read
// every step-th window (step <= min-n+1).
type gramClass struct {
	min, n, step int
}

// The cost model of planGrams, in nanoseconds per byte of text: reading a
// window costs costWindow;
// one that passes the filter costs costProbe more; a table costs
// costTable per scan, spread over a text of planText bytes; and a literal
// of a table makes a window of the text equal one of its grams with the
// chance hit4 or hit8, after which the probe is done whether the literal
// occurs there or not. The values are rough (a window measures 1.7 to 2
// ns and a filter pass that finds no gram 9 ns more, on a shared
// machine) and set so that the plan is the fastest of those measured on
// BenchmarkScanCmdLine; the model is sensitive to them: with a window at
// 1.8 and a probe at 9, it keeps that set in one 4-byte table at step 1.
//
// An automaton, read a byte at a time through dependent lookups, costs
// costDFA per byte.
const (
	costDFA    = 1.5
	costWindow = 1.2
	costProbe  = 12.0
	costTable  = 15.0
	planText   = 300
	hit4       = 2e-5
	hit8       = 5e-6
	// Memory: the step of a table is at most maxPlanStep, and a set's
	// tables hold at most planGramsPer grams per literal (a gram entry
	// takes about 18 bytes).
	maxPlanStep  = 8
	planGramsPer = 4
)

// planGrams splits the literals of from bytes or more (from >= 4) by
// length into the classes whose tables scan a text fastest by the cost
// model: each class is a range of lengths, with the step its shortest
// literal allows. The classes are found by dynamic programming over the
// distinct lengths (lengths of maxPlanStep+7 bytes or more all allow the
// longest step, so they count as one). It also returns the model's cost
// per byte of the tables and of the automaton the shorter literals need.
func planGrams(lits []string, from int) ([]gramClass, float64) {
	const top = 8 + maxPlanStep - 1
	var count [top + 1]int
	total := 0
	cost := 0.0
	for _, l := range lits {
		switch {
		case len(l) >= from:
			count[min(len(l), top)]++
			total++
		case l != "":
			cost = costDFA
		}
	}
	var lens []int
	for n := from; n <= top; n++ {
		if count[n] > 0 {
			lens = append(lens, n)
		}
	}
	if len(lens) == 0 {
		return nil, cost
	}
	// Lower the step bound until the grams fit the memory bound.
	for maxStep := maxPlanStep; ; maxStep-- {
		classes, grams, c := planWith(lens, count[:], maxStep)
		if grams <= planGramsPer*total || maxStep == 1 {
			return classes, cost + c
		}
	}
}

// planWith is planGrams with steps of at most maxStep; it returns the
// classes, their grams and their cost.
func planWith(lens, count []int, maxStep int) ([]gramClass, int, float64) {
	m := len(lens)
	type choice struct {
		cost  float64
		next  int // the next class starts at lens[next]
		class gramClass
		grams int
	}
	best := make([]choice, m+1)
	for i := m - 1; i >= 0; i-- {
		best[i].cost = -1
		lits := 0
		for j := i + 1; j <= m; j++ {
			lits += count[lens[j-1]]
			for _, n := range []int{4, 8} {
				if lens[i] < n {
					continue
				}
				step := min(lens[i]-n+1, maxStep)
				c := classCost(n, step, lits) + best[j].cost
				if best[i].cost < 0 || c < best[i].cost {
					best[i] = choice{c, j, gramClass{lens[i], n, step}, step*lits + best[j].grams}
				}
			}
		}
	}
	var classes []gramClass
	for i := 0; i < m; i = best[i].next {
		classes = append(classes, best[i].class)
	}
	return classes, best[0].grams, best[0].cost
}

// classCost is the cost model's time per text byte of a table of lits
// literals as n-byte grams read every step-th window.
func classCost(n, step, lits int) float64 {
	grams := step * lits
	fill := 1 - math.Exp(-float64(grams)/float64(uint(1)<<filterBits(grams)))
	hit := hit8
	if n == 4 {
		hit = hit4
	}
	return costTable/planText + (costWindow+costProbe*fill)/float64(step) + costProbe*hit*float64(lits)
}

// filterBits is the log2 of the filter bits of a table of grams grams:
// about 32 bits per gram, so that few windows get past it, from 1 Ki to
// 256 Ki bits.
func filterBits(grams int) int {
	return min(max(bits.Len(uint(32*grams)), 10), 18)
}

// newGramTable builds the table of n-byte grams for the literals ids, read
// every step-th window: each literal is entered under step grams at
// consecutive offsets (its literals have at least n+step-1 bytes).
func newGramTable(lits []string, ids []int32, n, step int) *gramTable {
	t := &gramTable{n: n, step: step}
	var freq gramCounts
	total := 0
	for _, id := range ids {
		total += len(lits[id]) - n + 1
		if t.min == 0 || len(lits[id]) < t.min {
			t.min = len(lits[id])
		}
	}
	freq.init(total)
	for _, id := range ids {
		l := lits[id]
		for k := 0; k+n <= len(l); k++ {
			freq.add(gramAt(l, k, n))
		}
	}
	// Each literal's rarest run of step grams; the later one on ties (the
	// ends of paths and command lines say more than their beginnings).
	type entry struct {
		key uint64
		ref gramRef
	}
	entries := make([]entry, 0, len(ids)*step)
	for _, id := range ids {
		l := lits[id]
		best, bestN, c := 0, -1, 0
		for k := 0; k+n <= len(l); k++ {
			c += freq.get(gramAt(l, k, n))
			if k >= step {
				c -= freq.get(gramAt(l, k-step, n))
			}
			if at := k - step + 1; at >= 0 && (bestN < 0 || c <= bestN) {
				best, bestN = at, c
			}
		}
		for k := best; k < best+step; k++ {
			entries = append(entries, entry{gramAt(l, k, n), gramRef{id, int32(k)}})
		}
	}
	fbits := filterBits(len(entries))
	t.filter = make([]uint32, 1<<fbits/32)
	t.fshift = uint(64 - fbits)
	// About one entry per bucket.
	bbits := bits.Len(uint(len(entries))) - 1
	t.bshift = uint32(32 - bbits)
	t.start = make([]uint32, 1<<bbits+1)
	for _, e := range entries {
		f := filterBit(e.key, t.fshift)
		t.filter[f>>5] |= 1 << (f & 31)
		t.start[hash(e.key)>>t.bshift+1]++
	}
	for b := 1; b < len(t.start); b++ {
		t.start[b] += t.start[b-1]
	}
	t.keys = make([]uint64, len(entries))
	t.refs = make([]gramRef, len(entries))
	next := slices.Clone(t.start[:len(t.start)-1])
	for _, e := range entries {
		b := hash(e.key) >> t.bshift
		t.keys[next[b]], t.refs[next[b]] = e.key, e.ref
		next[b]++
	}
	return t
}

// gramCounts counts grams, in an open-addressed table (a map would take
// most of the build time of a large set).
type gramCounts struct {
	keys  []uint64
	count []int32
	used  []bool
	mask  uint32
}

func (c *gramCounts) init(n int) {
	size := 1 << bits.Len(uint(2*n+1))
	c.keys, c.count, c.used = make([]uint64, size), make([]int32, size), make([]bool, size)
	c.mask = uint32(size - 1)
}

func (c *gramCounts) slot(g uint64) uint32 {
	i := hash(g) & c.mask
	for c.used[i] && c.keys[i] != g {
		i = (i + 1) & c.mask
	}
	return i
}

func (c *gramCounts) add(g uint64) {
	i := c.slot(g)
	c.used[i], c.keys[i] = true, g
	c.count[i]++
}

func (c *gramCounts) get(g uint64) int { return int(c.count[c.slot(g)]) }

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
	for _, t := range s.tabs {
		n += len(t.filter)*4 + len(t.start)*4 + len(t.keys)*8 + len(t.refs)*8
	}
	if s.short != nil {
		n += s.short.Bytes()
	}
	if s.wide != nil {
		n += s.wide.Bytes()
	}
	return n
}

// States returns the number of automaton states (for the literals shorter
// than 4 bytes).
func (s *Set) States() int {
	n := 0
	if s.short != nil {
		n = s.short.States()
	}
	if s.wide != nil {
		n += s.wide.States()
	}
	return n
}

// Scan appends to hits the number of every literal that occurs in text, once
// per occurrence, and returns the extended slice.
func (s *Set) Scan(text string, hits []int32) []int32 {
	hits = s.scan(text, false, hits)
	if s.wide != nil {
		hits = s.wide.scan(text, false, hits)
	}
	return hits
}

// scan is Scan, or with lower ScanLower, without the wide literals.
func (s *Set) scan(text string, lower bool, hits []int32) []int32 {
	if s.td != nil {
		return s.td.scan(text, lower, hits)
	}
	if s.short != nil {
		if lower {
			hits = s.short.ScanLower(text, hits)
		} else {
			hits = s.short.Scan(text, hits)
		}
	}
	for _, t := range s.tabs {
		hits = t.scan(text, lower, s.lits, hits)
	}
	return hits
}

// ScanLower is Scan of the text with its ASCII letters lowered, without
// building that text, for sets of literals with no ASCII upper-case
// letters. Only the bytes 'A' to 'Z' are lowered: other bytes, those above
// 0x7f included, are read as they are.
func (s *Set) ScanLower(text string, hits []int32) []int32 {
	hits = s.scan(text, true, hits)
	if s.wide != nil {
		hits = s.wide.scan(text, true, hits)
	}
	return hits
}

// ScanLowerChecked is ScanLower without the literals NewSet sets apart for
// having a byte above 0x7f, which an ASCII text cannot hold; it also
// reports whether text is ASCII. A Teddy set learns that while it scans
// the text, at no cost; other sets check the text after.
func (s *Set) ScanLowerChecked(text string, hits []int32) ([]int32, bool) {
	if s.td != nil {
		return s.td.find(text, true, true, hits)
	}
	return s.scan(text, true, hits), IsASCII(text)
}

// Any reports whether any literal occurs in text, stopping at the first.
func (s *Set) Any(text string) bool {
	return s.any(text) || s.wide != nil && s.wide.any(text)
}

// any is Any without the wide literals.
func (s *Set) any(text string) bool {
	if s.td != nil {
		return s.td.any(text)
	}
	if s.short != nil && s.short.Any(text) {
		return true
	}
	// Grams rarely hit; collecting the hits costs no more than stopping.
	var buf [8]int32
	for _, t := range s.tabs {
		if len(t.scan(text, false, s.lits, buf[:0])) > 0 {
			return true
		}
	}
	return false
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
		hits = t.probe(b, i, lower, lits, hits)
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
// gram passes the filter; len(b) when there is none. The loop reads the
// text and the filter through pointers: its bounds are checked by its
// condition and by filterBit, and checks in the loop would double its
// instructions.
func (t *gramTable) skip4(b []byte, i int) int {
	p, filter, fshift, step := unsafe.Pointer(unsafe.SliceData(b)), unsafe.Pointer(unsafe.SliceData(t.filter)), t.fshift, t.step
	for ; i+4 <= len(b); i += step {
		g := uint64(binary.LittleEndian.Uint32((*[4]byte)(unsafe.Add(p, i))[:]))
		f := filterBit(g, fshift)
		if *(*uint32)(unsafe.Add(filter, f>>5*4))&(1<<(f&31)) != 0 {
			return i
		}
	}
	return len(b)
}

// skip8 is skip4 for 8-byte grams.
func (t *gramTable) skip8(b []byte, i int) int {
	p, filter, fshift, step := unsafe.Pointer(unsafe.SliceData(b)), unsafe.Pointer(unsafe.SliceData(t.filter)), t.fshift, t.step
	for ; i+8 <= len(b); i += step {
		g := binary.LittleEndian.Uint64((*[8]byte)(unsafe.Add(p, i))[:])
		f := filterBit(g, fshift)
		if *(*uint32)(unsafe.Add(filter, f>>5*4))&(1<<(f&31)) != 0 {
			return i
		}
	}
	return len(b)
}

// filterBit is the filter bit of gram g in a filter of 1<<(64-fshift)
// bits: the top bits of the masked gram's hash.
func filterBit(g uint64, fshift uint) uint64 {
	return (g & caseMask) * 0x9E3779B97F4A7C15 >> (fshift & 63)
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

// probe looks up the gram at i, whose window is in b, and appends the
// literals it stands for that occur there.
func (t *gramTable) probe(b []byte, i int, lower bool, lits []string, hits []int32) []int32 {
	var g uint64
	if t.n == 8 {
		g = load64(b, i)
	} else {
		g = uint64(load32(b, i))
	}
	if lower {
		g = lowerBytes(g)
	}
	bk := hash(g) >> t.bshift
	for j := t.start[bk]; j < t.start[bk+1]; j++ {
		if t.keys[j] != g {
			continue
		}
		r := t.refs[j]
		l := lits[r.lit]
		at := i - int(r.off)
		if at < 0 || at+len(l) > len(b) {
			continue
		}
		text := unsafe.String(&b[at], len(l))
		if lower && equalLower(text, l) || !lower && text == l {
			hits = append(hits, r.lit)
		}
	}
	return hits
}

// equalLower reports whether text, lowered (see lowerBytes), equals lit;
// text is at least as long as lit. Eight bytes are compared at a time, the
// last eight overlapping those before.
func equalLower(text, lit string) bool {
	n := len(lit)
	if n < 8 {
		for i := 0; i < n; i++ {
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
	t := unsafe.Slice(unsafe.StringData(text), n)
	l := unsafe.Slice(unsafe.StringData(lit), n)
	for i := 0; i < n-8; i += 8 {
		if lowerBytes(load64(t, i)) != load64(l, i) {
			return false
		}
	}
	return lowerBytes(load64(t, n-8)) == load64(l, n-8)
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
