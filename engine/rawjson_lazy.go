package engine

import (
	"encoding/binary"
	"math/bits"
	"runtime"
	"sync/atomic"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// Strings with escapes are decoded when read rather than in Reset: a rule
// set reads a few of an event's fields, and in Windows events the strings
// with escapes are the long ones (paths with a backslash every few bytes,
// the Message). Reset only checks them and notes what PlainText needs to
// know; the first read decodes one into r.text, at a place kept for it.

// rawLazy is a string value that holds escapes, valid and in valid UTF-8
// (others are decoded by Reset), so that its text is no longer than raw.
type rawLazy struct {
	raw   string // the bytes between the quotes
	s     string // the decoded text, once state is rawDecoded
	off   int32  // where in r.text the text goes
	state uint32 // rawEncoded, rawDecoding or rawDecoded, read atomically
}

// rawLazy states. Field and Range may run in several goroutines at once:
// the first to read a string decodes it, and the others wait for it.
const (
	rawEncoded uint32 = iota
	rawDecoding
	rawDecoded
)

// pushLazy notes the string value raw, a lazy string, and returns its
// rawNode.lazy.
func (r *RawJSON) pushLazy(raw string) int32 {
	if len(r.lazy) == cap(r.lazy) {
		r.lazy = append(r.lazy, rawLazy{})[:len(r.lazy)]
	}
	r.lazy = r.lazy[:len(r.lazy)+1]
	l := &r.lazy[len(r.lazy)-1]
	l.raw, l.s, l.off, l.state = raw, "", int32(r.textLen), rawEncoded
	r.textLen += len(raw)
	return int32(len(r.lazy))
}

// decoded is the text of the lazy string n (a rawNode.lazy).
func (r *RawJSON) decoded(n int32) string {
	l := &r.lazy[n-1]
	if atomic.LoadUint32(&l.state) == rawDecoded {
		return l.s
	}
	if atomic.CompareAndSwapUint32(&l.state, rawEncoded, rawDecoding) {
		dst := r.text[l.off : int(l.off)+len(l.raw)]
		l.s = unsafe.String(&dst[0], rawUnescape(dst, l.raw))
		atomic.StoreUint32(&l.state, rawDecoded)
		return l.s
	}
	for atomic.LoadUint32(&l.state) != rawDecoded {
		runtime.Gosched()
	}
	return l.s
}

// value is the value of field f.
func (r *RawJSON) value(f *rawField) Value {
	if f.lazy == 0 {
		return f.val
	}
	return Value{Kind: KindString, S: r.decoded(f.lazy)}
}

// rawEscape is what the byte after a backslash makes of the escape:
// the byte it writes, 'u' for \u, 0 for none (an invalid escape).
var rawEscape = [256]byte{'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t', 'u': 'u'}

// rawScanEscaped reads the rest of a string value from j, where an
// escape or a byte that is not ASCII is, to its closing quote at end.
// It reports whether the string holds an escape and whether it hides
// ASCII (see RawJSON.hidesASCII). ok is false for a string that
// strRest must read: one that is not valid, or whose UTF-8 is not.
//
// Windows paths put an escape every few bytes, so rather than scanning
// anew after each, it goes through all the bytes rawUnsafe8 marks in
// eight at a time.
func rawScanEscaped(b []byte, j int) (end int, escaped, hides, ok bool) {
	for j < len(b) {
		next := j + 8
		var w uint64
		if next <= len(b) {
			w = binary.LittleEndian.Uint64(b[j:])
		} else {
			// The zeros past the end are marked as bytes below 0x20.
			var last [8]byte
			copy(last[:], b[j:])
			w = binary.LittleEndian.Uint64(last[:])
		}
		for m := rawUnsafe8(w); m != 0; {
			k := j + bits.TrailingZeros64(m)/8
			if k >= len(b) {
				return k, escaped, hides, false
			}
			if b[k] == '"' {
				return k, escaped, hides, true
			}
			n, esc, h := rawStringStop(b, k)
			if n == 0 {
				return k, escaped, hides, false
			}
			escaped, hides = escaped || esc, hides || h
			// Past what is at k; bytes marked above a mark may be safe
			// (see rawUnsafe8), and are passed over as one byte.
			m &= ^uint64(0) << (8 * (k + n - j))
			next = max(next, k+n)
		}
		j = next
	}
	return j, escaped, hides, false
}

// rawScanEscapedMarks is rawScanEscaped with the event's marks (see
// rawMarks): it goes from one marked byte to the next.
func rawScanEscapedMarks(marks []uint64, b []byte, j int) (end int, escaped, hides, ok bool) {
	for k := rawNextMark(marks, len(b), j); k < len(b); k = rawNextMark(marks, len(b), k) {
		c := b[k]
		if c == '"' {
			return k, escaped, hides, true
		}
		// The escapes of paths and line breaks, inline: an escaped
		// backslash, most of them in Windows events, first.
		if c == '\\' && k+1 < len(b) {
			if d := b[k+1]; d == '\\' || rawEscape[d] != 0 && rawEscape[d] != 'u' && rawEscape[d] != '/' {
				escaped = true
				k += 2
				continue
			}
		}
		n, esc, h := rawStringStop(b, k)
		if n == 0 {
			return k, escaped, hides, false
		}
		escaped, hides = escaped || esc, hides || h
		k += n
	}
	return len(b), escaped, hides, false
}

// rawStringStop reads what starts at b[k] in a string, a byte that is not
// rawSafe and not the closing quote: an escape or a rune that is not
// ASCII. It returns its length, 0 when it is invalid or strRest must read
// it, whether it is an escape and whether it hides ASCII (see
// RawJSON.hidesASCII).
func rawStringStop(b []byte, k int) (n int, escaped, hides bool) {
	switch c := b[k]; {
	case c == '\\':
		if k+1 >= len(b) {
			return 0, false, false
		}
		switch e := rawEscape[b[k+1]]; e {
		case 0:
			return 0, false, false
		case 'u':
			rr, bad := rawHex4(b, k+2)
			if bad >= 0 {
				return 0, false, false
			}
			return 6, true, 0x20 <= rr && rr <= 0x7e || foldsToASCII(rr)
		case '/':
			return 2, true, true
		default:
			return 2, true, false
		}
	case c >= utf8.RuneSelf:
		rr, size := utf8.DecodeRune(b[k:])
		if rr == utf8.RuneError && size == 1 {
			return 0, false, false
		}
		return size, false, foldsToASCII(rr)
	}
	return 0, false, false // below 0x20
}

// rawUnescape decodes raw, the text of a lazy string, into dst, which is
// as long, as strRest does, and returns the length of the text. It copies
// eight bytes at a time up to the next backslash: the text is never
// longer than raw, so the copy stays within dst.
func rawUnescape(dst []byte, raw string) int {
	const ones, high = 0x0101010101010101, 0x8080808080808080
	n, i := 0, 0
	for i < len(raw) {
		if i+8 <= len(raw) {
			w := binary.LittleEndian.Uint64(unsafe.Slice(unsafe.StringData(raw[i:]), 8))
			binary.LittleEndian.PutUint64(dst[n:], w)
			bs := w ^ '\\'*ones
			m := (bs - ones) &^ bs & high // exact at the lowest backslash
			if m == 0 {
				n, i = n+8, i+8
				continue
			}
			k := bits.TrailingZeros64(m) / 8
			n, i = n+k, i+k
		} else if raw[i] != '\\' {
			dst[n] = raw[i]
			n, i = n+1, i+1
			continue
		}
		e := rawEscape[raw[i+1]]
		if e != 'u' {
			dst[n] = e
			n, i = n+1, i+2
			continue
		}
		rr := rawHex4String(raw[i+2:])
		i += 6
		if utf16.IsSurrogate(rr) {
			rr1 := unicode.ReplacementChar
			if i+6 <= len(raw) && raw[i] == '\\' && raw[i+1] == 'u' {
				rr1 = rawHex4String(raw[i+2:])
			}
			if dec := utf16.DecodeRune(rr, rr1); dec != unicode.ReplacementChar {
				n += utf8.EncodeRune(dst[n:], dec)
				i += 6
				continue
			}
			rr = unicode.ReplacementChar
		}
		n += utf8.EncodeRune(dst[n:], rr)
	}
	return n
}

// rawHex4String is the value of the four hex digits s starts with, or -1
// when they are not.
func rawHex4String(s string) rune {
	if len(s) < 4 {
		return -1
	}
	rr, bad := rawHex4(unsafe.Slice(unsafe.StringData(s), 4), 0)
	if bad >= 0 {
		return -1
	}
	return rr
}
