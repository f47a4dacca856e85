package pattern

import (
	"encoding/binary"
	"math/bits"
	"unicode"
	"unicode/utf8"
	"unsafe"
)

// Fold returns s case-folded for case-insensitive matching: every rune is
// replaced by the lower case of its upper case, except 'İ' (U+0130) and 'ı'
// (U+0131), which stay as they are (see the package documentation). For valid
// UTF-8, Fold(a) == Fold(b) exactly when strings.EqualFold(a, b). Bytes that
// are not valid UTF-8 are copied unchanged.
//
// Fold returns s itself, without allocating, when folding changes nothing (s
// has no upper-case letters). Letters are folded eight ASCII bytes at a time.
func Fold(s string) string {
	i := foldIndex(s)
	if i == len(s) {
		return s
	}
	b := appendFoldFrom(make([]byte, 0, len(s)+utf8.UTFMax), s, i)
	// b is never written again, so it can back the string.
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// AppendFold appends Fold(s) to dst and returns the extended buffer. It does
// not allocate when dst has room for the result, which is at most
// len(s)+len(s)/2 bytes and usually len(s).
func AppendFold(dst []byte, s string) []byte {
	return appendFoldFrom(dst, s, foldIndex(s))
}

// AppendFoldChanged is AppendFold that leaves dst as it is, and reports
// false, when folding would not change s.
func AppendFoldChanged(dst []byte, s string) ([]byte, bool) {
	i := foldIndex(s)
	if i == len(s) {
		return dst, false
	}
	return appendFoldFrom(dst, s, i), true
}

// foldRune returns the case fold of r (see Fold).
func foldRune(r rune) rune {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}
	if r < rune(len(foldTable)) {
		return rune(foldTable[r])
	}
	return foldRuneSlow(r)
}

// foldRuneSlow computes the fold of r from the Unicode tables.
//
// The lower case of the upper case is constant on each orbit of
// unicode.SimpleFold (the simple case-folding classes) and lies inside it,
// except for U+0130 and U+0131, which are each alone in their orbit but map
// to 'i'; the tests check this over every rune.
func foldRuneSlow(r rune) rune {
	if r == 'İ' || r == 'ı' {
		return r
	}
	return unicode.ToLower(unicode.ToUpper(r))
}

// foldTable caches foldRuneSlow for the Latin, Greek and Cyrillic blocks, where
// most non-ASCII event text falls. Every value fits in 16 bits.
var foldTable = func() (t [0x530]uint16) {
	for r := range t {
		t[r] = uint16(foldRuneSlow(rune(r)))
	}
	return t
}()

const (
	ones8 = 0x0101010101010101
	high8 = 0x8080808080808080 // the top bit of every byte
)

// upperMask returns a word with the top bit set in each byte of w that is an
// ASCII upper-case letter. Every byte of w must be ASCII (below 0x80), so the
// additions carry into no other byte.
func upperMask(w uint64) uint64 {
	geA := w + ones8*(0x80-'A')   // top bit set where byte >= 'A'
	gtZ := w + ones8*(0x80-'Z'-1) // top bit set where byte > 'Z'
	return geA &^ gtZ & high8
}

// load8 reads s[i:i+8] as a little-endian word. The compiler merges the byte
// loads into one.
func load8(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// foldIndex returns the offset of the first byte of s that Fold would change,
// or len(s) when Fold(s) == s.
func foldIndex(s string) int {
	for i := 0; i < len(s); {
		if i+8 <= len(s) {
			if w := load8(s, i); w&high8 == 0 {
				if up := upperMask(w); up != 0 {
					return i + bits.TrailingZeros64(up)/8
				}
				i += 8
				continue
			}
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				return i
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		// An invalid byte decodes as RuneError, which folds to itself.
		if foldRune(r) != r {
			return i
		}
		i += n
	}
	return len(s)
}

// appendFoldFrom appends s to dst, copying s[:i] unchanged and folding the
// rest. Fold leaves s[:i] unchanged, as foldIndex reports.
func appendFoldFrom(dst []byte, s string, i int) []byte {
	dst = append(dst, s[:i]...)
	for i < len(s) {
		if i+8 <= len(s) {
			if w := load8(s, i); w&high8 == 0 {
				// 'A'..'Z' differ from 'a'..'z' only in bit 5 (0x20); shift
				// each byte's mark from bit 7 to bit 5.
				dst = binary.LittleEndian.AppendUint64(dst, w|upperMask(w)>>2)
				i += 8
				continue
			}
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			dst = append(dst, c)
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if f := foldRune(r); f != r {
			dst = utf8.AppendRune(dst, f)
		} else {
			// Copy the original bytes: this keeps invalid UTF-8 as it was
			// rather than turning it into U+FFFD.
			dst = append(dst, s[i:i+n]...)
		}
		i += n
	}
	return dst
}

// The functions below compare a value with an already folded literal as if
// the value had been folded first, without building the folded value. They
// serve the anchored fast paths of Matcher.Match.

// foldPrefix reports whether Fold(s) starts with lit (lit already folded) and
// returns the number of bytes of s that lit covers.
func foldPrefix(s, lit string) (int, bool) {
	i, j := 0, 0
	for j < len(lit) {
		if i+8 <= len(s) && j+8 <= len(lit) {
			// Eight ASCII bytes of s fold to eight bytes, which must be the
			// next eight of lit.
			if w := load8(s, i); w&high8 == 0 {
				if w|upperMask(w)>>2 != load8(lit, j) {
					return 0, false
				}
				i += 8
				j += 8
				continue
			}
		}
		if i >= len(s) {
			return 0, false
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != lit[j] {
				return 0, false
			}
			i++
			j++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			// Invalid byte: it matches only itself.
			if c != lit[j] {
				return 0, false
			}
			i++
			j++
			continue
		}
		m, ok := matchRuneAt(foldRune(r), lit, j)
		if !ok {
			return 0, false
		}
		i += n
		j += m
	}
	return i, true
}

// foldSuffix reports whether Fold(s) ends with lit (lit already folded) and
// returns the offset in s where the part matching lit starts.
func foldSuffix(s, lit string) (int, bool) {
	i, j := len(s), len(lit)
	for j > 0 {
		if i >= 8 && j >= 8 {
			if w := load8(s, i-8); w&high8 == 0 {
				if w|upperMask(w)>>2 != load8(lit, j-8) {
					return 0, false
				}
				i -= 8
				j -= 8
				continue
			}
		}
		if i <= 0 {
			return 0, false
		}
		c := s[i-1]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != lit[j-1] {
				return 0, false
			}
			i--
			j--
			continue
		}
		r, n := utf8.DecodeLastRuneInString(s[:i])
		if r == utf8.RuneError && n == 1 {
			if c != lit[j-1] {
				return 0, false
			}
			i--
			j--
			continue
		}
		f := foldRune(r)
		m := utf8.RuneLen(f)
		if m > j {
			return 0, false
		}
		if _, ok := matchRuneAt(f, lit, j-m); !ok {
			return 0, false
		}
		i -= n
		j -= m
	}
	return i, true
}

// matchRuneAt reports whether lit holds the valid encoding of r at offset j,
// and returns its length.
func matchRuneAt(r rune, lit string, j int) (int, bool) {
	if r < utf8.RuneSelf {
		return 1, lit[j] == byte(r)
	}
	lr, n := utf8.DecodeRuneInString(lit[j:])
	// A decoded RuneError of length 1 is an invalid byte, never equal to a
	// real rune (not even a real U+FFFD, which is three bytes long).
	return n, lr == r && n > 1
}
