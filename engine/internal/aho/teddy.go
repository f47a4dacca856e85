package aho

import (
	"math/bits"
	"unsafe"
)

// teddy finds a small set of literals with a vector prefilter (the "Teddy"
// algorithm of Hyperscan): each literal has a fingerprint, three of its
// bytes at an offset chosen per literal (the rarest in event text), and the
// literals are spread over eight buckets. For each fingerprint byte two
// 16-entry tables, one indexed by a text byte's low nibble and one by its
// high nibble, give the buckets with a literal whose fingerprint byte has
// that nibble. A kernel looks up the nibbles of a block of text positions
// (32 in AVX2, 64 in AVX-512: teddyWidth) at once with byte shuffles and
// ANDs the bucket bits of each position's three bytes: a position left
// with bucket bits may hold the fingerprint of a literal of those
// buckets, which is verified in place. The filter only ever
// over-approximates (the tables are unions over their bucket's literals,
// and take either case of a letter); verification decides, so the result
// is exact, and each occurrence is found once, at the one position where
// its fingerprint is.
//
// The kernel reads blocks in place while a block's bytes (its positions
// and the two after the last: its reach) are in the text; the last
// positions are read as one more block ending at the text's end
// (overlapping the one before, the positions already read masked off). A
// text shorter than a block's reach is one block, whose bytes past the
// text's end are read only when they are in the text's memory page, and
// else are copied to a zero-padded block first (copying costs more than
// the scan: the block's loads wait for the copy's stores).
type teddy struct {
	// masks holds, for k = 0, 1, 2, the low-nibble table of fingerprint
	// byte k at 32k and its high-nibble table at 32k+16.
	masks   [96]byte
	buckets [8][]teddyLit
	lits    []string
	// minRest is the fewest bytes a literal has from its fingerprint on:
	// no literal's fingerprint starts at the last minRest-1 positions.
	minRest int
}

// teddyLit is a literal of a bucket, with what verifies it quickly.
type teddyLit struct {
	id  int32
	off int32 // where its fingerprint starts
	// head is its first eight bytes (fewer when it is shorter, the rest
	// zero), little-endian, and headMask has 0xff for each byte of head.
	head, headMask uint64
}

// Teddy sets: each literal needs the three bytes of a fingerprint, and
// more literals than maxTeddyLits crowd the eight buckets so that many
// positions pass the filter. A set whose filter would pass more than
// maxTeddyRate of the positions of event text, by byteWeight, is not worth
// one: a candidate costs as much as reading a hundred bytes, and the
// estimate is low for literals made of common words.
const (
	teddyMinLen  = 3
	maxTeddyLits = 64
	maxTeddyRate = 0.01
	// teddyBlock is the most positions a kernel block has (see
	// teddyWidth): the size of the bucket bits a kernel returns.
	teddyBlock = 64
	// pageSize divides the size and the alignment of every page on the
	// processors that have a kernel (4 KiB on amd64).
	pageSize = 4096
)

// newTeddy returns the Teddy prefilter for lits, or nil when they do not
// suit one: no non-empty literal, a non-empty literal shorter than
// teddyMinLen, or more than maxTeddyLits of them. Empty literals are
// never reported. (NewSet also checks the filter's rate.)
func newTeddy(lits []string) *teddy {
	t := &teddy{lits: lits}
	var ids []int32
	for i, l := range lits {
		if l == "" {
			continue
		}
		if len(l) < teddyMinLen {
			return nil
		}
		ids = append(ids, int32(i))
	}
	if len(ids) == 0 || len(ids) > maxTeddyLits {
		return nil
	}
	offs := make([]int, len(lits))
	for _, id := range ids {
		offs[id] = fingerprintAt(lits[id])
		if rest := len(lits[id]) - offs[id]; t.minRest == 0 || rest < t.minRest {
			t.minRest = rest
		}
	}
	for b, g := range teddyBuckets(lits, ids, offs) {
		for _, id := range g.ids {
			l := lits[id]
			tl := teddyLit{id: id, off: int32(offs[id])}
			for i := min(len(l), 8) - 1; i >= 0; i-- {
				tl.head = tl.head<<8 | uint64(l[i])
				tl.headMask = tl.headMask<<8 | 0xff
			}
			t.buckets[b] = append(t.buckets[b], tl)
			for k := range teddyMinLen {
				for _, c := range caseVariants(l[offs[id]+k]) {
					t.masks[32*k+int(c&15)] |= 1 << b
					t.masks[32*k+16+int(c>>4)] |= 1 << b
				}
			}
		}
	}
	return t
}

// rate estimates the share of the positions of event text that pass the
// filter: the sum over buckets of the chance, by byteWeight, that the
// three bytes at a position are all accepted by the bucket's tables.
func (t *teddy) rate() float64 {
	r := 0.0
	for b := range len(t.buckets) {
		p := 1.0
		for k := range teddyMinLen {
			s := 0.0
			for c := range 256 {
				if t.masks[32*k+c&15]&t.masks[32*k+16+c>>4]&(1<<b) != 0 {
					s += byteWeight[c]
				}
			}
			p *= s
		}
		r += p
	}
	return r
}

// bytes returns the approximate memory t holds.
func (t *teddy) bytes() int {
	n := len(t.masks)
	for _, b := range t.buckets {
		n += len(b) * int(unsafe.Sizeof(teddyLit{}))
	}
	return n
}

// fingerprintAt returns the offset of l's fingerprint: its three bytes
// least likely in event text, by byteWeight (the earliest on ties).
func fingerprintAt(l string) int {
	best, bestW := 0, 0.0
	for k := 0; k+teddyMinLen <= len(l); k++ {
		w := 1.0
		for _, c := range []byte(l[k : k+teddyMinLen]) {
			s := 0.0
			for _, v := range caseVariants(c) {
				s += byteWeight[v]
			}
			w *= s
		}
		if k == 0 || w < bestW {
			best, bestW = k, w
		}
	}
	return best
}

// caseVariants returns c and, for an ASCII letter, its other case.
func caseVariants(c byte) []byte {
	if 'a' <= c|0x20 && c|0x20 <= 'z' {
		return []byte{c, c ^ 0x20}
	}
	return []byte{c}
}

// teddyGroup is a bucket in the making: its literals and, per fingerprint
// byte, the nibbles its tables accept.
type teddyGroup struct {
	ids    []int32
	lo, hi [teddyMinLen]uint16
}

// cost estimates what a group costs a scan: the share of text positions
// its tables let through, by byteWeight, times the literals each such
// position is compared with (plus the fixed cost of a candidate).
func (g *teddyGroup) cost() float64 {
	p := 1.0
	for k := range teddyMinLen {
		s := 0.0
		for h := g.hi[k]; h != 0; h &= h - 1 {
			hn := bits.TrailingZeros16(h)
			for l := g.lo[k]; l != 0; l &= l - 1 {
				s += byteWeight[hn<<4|bits.TrailingZeros16(l)]
			}
		}
		p *= s
	}
	return p * float64(2+len(g.ids))
}

func merged(a, b *teddyGroup) teddyGroup {
	m := teddyGroup{ids: append(append([]int32(nil), a.ids...), b.ids...)}
	for k := range teddyMinLen {
		m.lo[k], m.hi[k] = a.lo[k]|b.lo[k], a.hi[k]|b.hi[k]
	}
	return m
}

// byteWeight is a rough share of each byte in the texts scanned (event
// text: words, paths, numbers, JSON punctuation), for choosing
// fingerprints and buckets and for telling whether a set filters well.
// Letters are weighted by their frequency in English text.
var byteWeight = func() (w [256]float64) {
	letters := [26]float64{8.2, 1.5, 2.8, 4.3, 12.7, 2.2, 2.0, 6.1, 7.0, 0.15, 0.77, 4.0, 2.4,
		6.7, 7.5, 1.9, 0.1, 6.0, 6.3, 9.1, 2.8, 1.0, 2.4, 0.15, 2.0, 0.1}
	total := 0.0
	for c := range 256 {
		x := 0.1
		switch {
		case 'a' <= c && c <= 'z':
			x = letters[c-'a'] // 100 in all
		case 'A' <= c && c <= 'Z':
			x = letters[c-'A'] / 3
		case '0' <= c && c <= '9':
			x = 3
		case c == '\\':
			x = 6 // paths
		case c == ' ' || c == '"' || c == '.' || c == '-' || c == ',':
			x = 4
		case 0x20 < c && c < 0x7f:
			x = 1
		}
		w[c] = x
		total += x
	}
	for c := range w {
		w[c] /= total
	}
	return w
}()

// teddyBuckets puts the literals ids into at most eight groups: literals
// with the same fingerprint (in either case) share one at no cost; then
// the two groups whose merge adds least to the estimated cost are merged
// until eight are left.
func teddyBuckets(lits []string, ids []int32, offs []int) []teddyGroup {
	var groups []teddyGroup
	byPrint := map[string]int{}
	for _, id := range ids {
		fp := lits[id][offs[id] : offs[id]+teddyMinLen]
		if gi, ok := byPrint[asciiLowerString(fp)]; ok {
			groups[gi].ids = append(groups[gi].ids, id)
			continue
		}
		byPrint[asciiLowerString(fp)] = len(groups)
		g := teddyGroup{ids: []int32{id}}
		for k := range teddyMinLen {
			for _, c := range caseVariants(fp[k]) {
				g.lo[k] |= 1 << (c & 15)
				g.hi[k] |= 1 << (c >> 4)
			}
		}
		groups = append(groups, g)
	}
	costs := make([]float64, len(groups))
	for i := range groups {
		costs[i] = groups[i].cost()
	}
	// extra[i][j], i < j: what merging groups i and j adds.
	extra := make([][]float64, len(groups))
	pair := func(i, j int) float64 {
		m := merged(&groups[i], &groups[j])
		return m.cost() - costs[i] - costs[j]
	}
	for i := range groups {
		extra[i] = make([]float64, len(groups))
		for j := i + 1; j < len(groups); j++ {
			extra[i][j] = pair(i, j)
		}
	}
	alive := make([]bool, len(groups))
	for i := range alive {
		alive[i] = true
	}
	for n := len(groups); n > 8; n-- {
		bi, bj := -1, -1
		for i := range groups {
			if !alive[i] {
				continue
			}
			for j := i + 1; j < len(groups); j++ {
				if alive[j] && (bi < 0 || extra[i][j] < extra[bi][bj]) {
					bi, bj = i, j
				}
			}
		}
		groups[bi] = merged(&groups[bi], &groups[bj])
		costs[bi] = groups[bi].cost()
		alive[bj] = false
		for k := range groups {
			if alive[k] && k != bi {
				i, j := min(k, bi), max(k, bi)
				extra[i][j] = pair(i, j)
			}
		}
	}
	out := groups[:0]
	for i, g := range groups {
		if alive[i] {
			out = append(out, g)
		}
	}
	return out
}

func asciiLowerString(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// scan appends the literals that occur in text (lowered, when lower: only
// 'A' to 'Z' are), once per occurrence.
func (t *teddy) scan(text string, lower bool, hits []int32) []int32 {
	hits, _ = t.find(text, lower, false, hits)
	return hits
}

// find is scan that, with check, also reports whether text has no byte
// above 0x7f: the kernel tells at no cost while it reads a text of a
// block's reach (teddyWidth+teddyMinLen-1 bytes) or more.
func (t *teddy) find(text string, lower, check bool, hits []int32) ([]int32, bool) {
	var res [teddyBlock]byte
	n := len(text)
	width := teddyWidth()
	if reach := width + teddyMinLen - 1; n < reach {
		// One block. Its positions from last on, and the bytes after the
		// text it reads, are ignored. It is read in place when that stays
		// in the text's page (memory is mapped by whole pages, so the
		// read cannot fault), and else from a zero-padded copy. Whether
		// the text is ASCII is not the kernel's to tell, then.
		ascii := !check || IsASCII(text)
		last := n - t.minRest + 1 // positions where a fingerprint may start
		if last <= 0 {
			return hits, ascii
		}
		b := unsafe.StringData(text)
		if uintptr(unsafe.Pointer(b))%pageSize > uintptr(pageSize-reach) {
			var buf [teddyBlock + teddyMinLen - 1]byte
			copy(buf[:], text)
			b = &buf[0]
		}
		_, nz, _ := teddyFind(&t.masks, b, reach, 0, &res)
		if nz &= 1<<last - 1; nz != 0 {
			hits = t.verify(text, 0, nz, &res, lower, hits)
		}
		return hits, ascii
	}
	ascii := true
	for i := 0; ; {
		off, nz, high := teddyFind(&t.masks, unsafe.StringData(text), n, i, &res)
		ascii = ascii && high == 0
		if nz == 0 {
			return hits, ascii
		}
		hits = t.verify(text, off, nz, &res, lower, hits)
		i = off + width
	}
}

// any reports whether some literal occurs in text (not lowered).
func (t *teddy) any(text string) bool {
	var buf [8]int32
	// Hits are rare; finding them all costs little more than stopping.
	return len(t.scan(text, false, buf[:0])) > 0
}

// verify appends the literals of the buckets res names whose fingerprints
// may be at the positions base+j, for the bits j of nz, and that occur
// there.
func (t *teddy) verify(text string, base int, nz uint64, res *[teddyBlock]byte, lower bool, hits []int32) []int32 {
	for ; nz != 0; nz &= nz - 1 {
		j := bits.TrailingZeros64(nz)
		for bb := res[j]; bb != 0; bb &= bb - 1 {
			for _, tl := range t.buckets[bits.TrailingZeros8(bb)] {
				at := base + j - int(tl.off)
				if at < 0 {
					continue
				}
				l := t.lits[tl.id]
				if at+len(l) > len(text) {
					continue
				}
				if at+8 <= len(text) {
					// Most candidates fail on the first eight bytes.
					w := load64(unsafe.Slice(unsafe.StringData(text), len(text)), at)
					if lower {
						w = lowerBytes(w)
					}
					if w&tl.headMask != tl.head {
						continue
					}
					if len(l) <= 8 {
						hits = append(hits, tl.id)
						continue
					}
				}
				if lower && equalLower(text[at:at+len(l)], l) || !lower && text[at:at+len(l)] == l {
					hits = append(hits, tl.id)
				}
			}
		}
	}
	return hits
}

// teddyFindGo is teddyFind in Go, for tests. It reads b, of a block's
// reach (width+teddyMinLen-1 bytes) or more, as blocks of width positions
// (a block at off reads b[off:off+reach]) from start on, and returns the
// offset of the first block in which some position passes the filter,
// with those positions' bits in nz and the block's bucket bits in
// res[:width]; nz is 0 when no position does. The positions after the
// last whole block that have room for a fingerprint are read as the block
// ending at the end of b, with the positions before them masked off in
// nz. high is not 0 when a byte of the blocks read is above 0x7f (1 here;
// the kernels' is a mask).
func teddyFindGo(masks *[96]byte, b []byte, width, start int, res *[teddyBlock]byte) (off int, nz, high uint64) {
	reach := width + teddyMinLen - 1
	block := func(off int) (nz uint64) {
		for j := range width {
			m := byte(0xff)
			for k := range teddyMinLen {
				c := b[off+j+k]
				m &= masks[32*k+int(c&15)] & masks[32*k+16+int(c>>4)]
			}
			res[j] = m
			if m != 0 {
				nz |= 1 << j
			}
		}
		for _, c := range b[off : off+reach] {
			if c >= 0x80 {
				high = 1
			}
		}
		return nz
	}
	last := len(b) - reach
	for off = start; off <= last; off += width {
		if nz := block(off); nz != 0 {
			return off, nz, high
		}
	}
	if off < last+width {
		done := off - last
		return last, block(last) &^ (1<<done - 1), high
	}
	return off, 0, high
}
