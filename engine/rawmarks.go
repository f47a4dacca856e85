package engine

import "math/bits"

// Marks: a bitmap with one bit per byte of an event's JSON, set for the
// bytes rawSafe is false for ('"', '\\', bytes below 0x20 and above 0x7f),
// the bytes a string scan must stop at. Where rawMarkBlocks is fast (a
// vector kernel), Reset fills the bitmap for the whole event before
// parsing, and the string scans find their next stop with a shift and a
// count of trailing zeros instead of testing every byte of a path or a
// Message; elsewhere rawMarks is nil and they use rawSafeRun and the eight-
// bytes-at-a-time scan of rawScanEscaped.

// rawMarksFast is whether Reset fills marks; tests turn it off to cover
// the other scan.
var rawMarksFast = rawMarkBlocksFast

// rawMarks fills dst, resized to one word per 64 bytes of b, with the marks
// of b. Bits past the end of b are clear.
func rawMarks(dst []uint64, b []byte) []uint64 {
	n := (len(b) + 63) / 64
	if cap(dst) < n {
		dst = make([]uint64, n, max(n, 2*cap(dst)))
	}
	dst = dst[:n]
	full := len(b) / 64
	if full > 0 {
		rawMarkBlocks(dst[:full], b[:full*64])
	}
	if rest := b[full*64:]; len(rest) > 0 {
		var last [64]byte
		copy(last[:], rest)
		rawMarkBlocks(dst[full:], last[:])
		dst[full] &= 1<<len(rest) - 1
	}
	return dst
}

// rawMarkBlocksGo is rawMarkBlocks one byte at a time: the reference the
// kernel is tested against, and the fallback where there is none.
func rawMarkBlocksGo(dst []uint64, b []byte) {
	for k := range dst {
		var m uint64
		for i, c := range b[64*k : 64*k+64] {
			if !rawSafe[c] {
				m |= 1 << i
			}
		}
		dst[k] = m
	}
}

// rawNextMark returns the first marked byte at or after i, or n (the
// length of the text) when there is none.
func rawNextMark(marks []uint64, n, i int) int {
	w := i >> 6
	if w >= len(marks) {
		return n
	}
	if m := marks[w] >> (uint(i) & 63); m != 0 {
		return i + bits.TrailingZeros64(m)
	}
	for w++; w < len(marks); w++ {
		if m := marks[w]; m != 0 {
			return w<<6 + bits.TrailingZeros64(m)
		}
	}
	return n
}
