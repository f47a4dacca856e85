package corpus

// This file holds the JSON validator the reader runs on every record. It
// accepts exactly the language of json.Valid (checked by TestScanMatchesValid
// and FuzzScan), but it also says where a value ends and whether the input ran
// out before it did, so one pass both finds a record's extent in a
// pretty-printed stream and validates it. json.Valid calls a state function
// per byte; this loop skips string contents eight bytes at a time, which is
// where evtx JSON spends its bytes.

import (
	"encoding/binary"
	"fmt"
	"math/bits"
)

// maxDepth is encoding/json's nesting limit: json.Valid rejects a value with
// more than 10000 open objects and arrays, so scan does too.
const maxDepth = 10000

// scanStatus is the outcome of scanner.scan.
type scanStatus uint8

const (
	scanDone  scanStatus = iota // a complete value: data[:n]
	scanMore                    // data ended inside the value (n is where)
	scanError                   // syntax error at data[n]; scanner.errorf has the reason
)

// scanner validates JSON values. Its stack is reused from value to value, so a
// scanner allocates only while nesting grows beyond what it has seen before.
// The zero value is ready to use; a scanner is not safe for concurrent use.
type scanner struct {
	stack []byte // open containers, '{' or '['
	what  string // on scanError: what was being read, e.g. "object key"
	char  byte   // on scanError: the offending byte
	depth bool   // on scanError: the nesting limit was exceeded
	eof   bool   // on scanError: the input ended (final was set)
}

// err describes the last scanError, in the words encoding/json uses.
func (s *scanner) err() string {
	switch {
	case s.depth:
		return fmt.Sprintf("exceeded max nesting depth %d", maxDepth)
	case s.eof:
		return "unexpected end of JSON input"
	}
	return fmt.Sprintf("invalid character %s %s", quoteChar(s.char), s.what)
}

// quoteChar formats c the way encoding/json's syntax errors do.
func quoteChar(c byte) string {
	switch c {
	case '\'':
		return `'\''`
	case '"':
		return `'"'`
	}
	if c < 0x20 || c >= 0x7f {
		return fmt.Sprintf("%q", rune(c))
	}
	return "'" + string(c) + "'"
}

// isSpace reports JSON whitespace.
func isSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t'
}

// plain marks the bytes a string can hold without a closer look: everything
// but '"', '\\' and control characters. Like encoding/json, invalid UTF-8 is
// accepted.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// special returns a word whose high bit is set in every byte of w that is
// '"', '\\' or below 0x20 (with no false negatives; a set bit after the first
// real one may be spurious, so only the lowest set bit is used).
func special(w uint64) uint64 {
	q := w ^ (lsb * '"')
	b := w ^ (lsb * '\\')
	return ((q-lsb)&^q | (b-lsb)&^b | (w-lsb*0x20)&^w) & msb
}

// scan reads the JSON value that starts at data[0] (which must not be
// whitespace) and returns its length with scanDone. When data ends inside the
// value it returns scanMore, unless final says nothing follows data, in which
// case a number running to the end is complete and anything else is an error.
// On scanError, n is the offset of the offending byte.
func (s *scanner) scan(data []byte, final bool) (n int, st scanStatus) {
	var stack []byte
	n, st, stack = s.run(data, final, s.stack[:0])
	s.stack = stack[:0]
	return n, st
}

// run is scan's body; it hands the stack back so that scan can keep the
// storage without a defer.
func (s *scanner) run(data []byte, final bool, stack []byte) (int, scanStatus, []byte) {
	i := 0
	var c byte
	var lit string

value: // a value starts at or after i
	for i < len(data) && isSpace(data[i]) {
		i++
	}
	if i >= len(data) {
		return i, s.more(final, "looking for beginning of value"), stack
	}
	switch c = data[i]; c {
	case '{', '[':
		if len(stack) >= maxDepth {
			st := s.fail(c, "")
			s.depth = true
			return i, st, stack
		}
		stack = append(stack, c)
		i++
		for i < len(data) && isSpace(data[i]) {
			i++
		}
		if i >= len(data) {
			return i, s.more(final, "looking for beginning of value"), stack
		}
		if data[i] == c+2 { // '}' and ']' are '{'+2 and '['+2
			stack = stack[:len(stack)-1]
			i++
			goto next
		}
		if c == '{' {
			goto key
		}
		goto value
	case '"':
		i++
		goto str
	case 't':
		lit = "true"
		goto literal
	case 'f':
		lit = "false"
		goto literal
	case 'n':
		lit = "null"
		goto literal
	case '-':
		i++
		if i >= len(data) {
			return i, s.more(final, "in numeric literal"), stack
		}
		if c = data[i]; c < '0' || c > '9' {
			return i, s.fail(c, "in numeric literal"), stack
		}
		goto number
	default:
		if c >= '0' && c <= '9' {
			goto number
		}
		return i, s.fail(c, "looking for beginning of value"), stack
	}

literal: // data[i] is the first byte of lit
	for k := 1; k < len(lit); k++ {
		if i+k >= len(data) {
			return i + k, s.more(final, "in literal "+lit+" (expecting "+quoteChar(lit[k])+")"), stack
		}
		if c = data[i+k]; c != lit[k] {
			return i + k, s.fail(c, "in literal "+lit+" (expecting "+quoteChar(lit[k])+")"), stack
		}
	}
	i += len(lit)
	goto next

number: // data[i] is the first digit
	if data[i] == '0' {
		i++
	} else {
		for i++; i < len(data) && data[i] >= '0' && data[i] <= '9'; i++ {
		}
	}
	if i < len(data) && data[i] == '.' {
		i++
		if i >= len(data) {
			return i, s.more(final, "after decimal point in numeric literal"), stack
		}
		if c = data[i]; c < '0' || c > '9' {
			return i, s.fail(c, "after decimal point in numeric literal"), stack
		}
		for i++; i < len(data) && data[i] >= '0' && data[i] <= '9'; i++ {
		}
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if i >= len(data) {
			return i, s.more(final, "in exponent of numeric literal"), stack
		}
		if c = data[i]; c < '0' || c > '9' {
			return i, s.fail(c, "in exponent of numeric literal"), stack
		}
		for i++; i < len(data) && data[i] >= '0' && data[i] <= '9'; i++ {
		}
	}
	if i >= len(data) && len(stack) == 0 && !final {
		// A top-level number may go on in data not read yet.
		return i, scanMore, stack
	}
	goto next

str: // inside a string; data[i] is the first byte after the opening quote
	for {
		for i+8 <= len(data) {
			if m := special(binary.LittleEndian.Uint64(data[i:])); m != 0 {
				i += bits.TrailingZeros64(m) >> 3
				break
			}
			i += 8
		}
		for i < len(data) && plain[data[i]] {
			i++
		}
		if i >= len(data) {
			return i, s.more(final, "in string literal"), stack
		}
		switch c = data[i]; c {
		case '"':
			i++
			goto next
		case '\\':
			i++
			if i >= len(data) {
				return i, s.more(final, "in string escape code"), stack
			}
			switch c = data[i]; c {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i++
			case 'u':
				i++
				for k := 0; k < 4; k++ {
					if i >= len(data) {
						return i, s.more(final, "in \\u hexadecimal character escape"), stack
					}
					if c = data[i]; !isHex(c) {
						return i, s.fail(c, "in \\u hexadecimal character escape"), stack
					}
					i++
				}
			default:
				return i, s.fail(c, "in string escape code"), stack
			}
		default:
			return i, s.fail(c, "in string literal"), stack
		}
	}

key: // data[i] is the first non-space byte where an object key must start
	if c = data[i]; c != '"' {
		return i, s.fail(c, "looking for beginning of object key string"), stack
	}
	i++
	// A key is a string; ':' on the stack makes next expect the colon.
	stack = append(stack, ':')
	goto str

next: // a value or key ended just before i
	if len(stack) == 0 {
		return i, scanDone, stack
	}
	for i < len(data) && isSpace(data[i]) {
		i++
	}
	if i >= len(data) {
		return i, s.more(final, "after top-level value"), stack
	}
	c = data[i]
	switch stack[len(stack)-1] {
	case ':':
		stack = stack[:len(stack)-1]
		if c != ':' {
			return i, s.fail(c, "after object key"), stack
		}
		i++
		goto value
	case '{':
		switch c {
		case ',':
			i++
			for i < len(data) && isSpace(data[i]) {
				i++
			}
			if i >= len(data) {
				return i, s.more(final, "looking for beginning of object key string"), stack
			}
			goto key
		case '}':
			stack = stack[:len(stack)-1]
			i++
			goto next
		}
		return i, s.fail(c, "after object key:value pair"), stack
	default: // '['
		switch c {
		case ',':
			i++
			goto value
		case ']':
			stack = stack[:len(stack)-1]
			i++
			goto next
		}
		return i, s.fail(c, "after array element"), stack
	}
}

// more is the result of running out of data: scanMore, or when final is set
// an "unexpected end of JSON input" error.
func (s *scanner) more(final bool, what string) scanStatus {
	if !final {
		return scanMore
	}
	s.what, s.char, s.depth, s.eof = what, 0, false, true
	return scanError
}

// fail records a syntax error at byte c.
func (s *scanner) fail(c byte, what string) scanStatus {
	s.what, s.char, s.depth, s.eof = what, c, false, false
	return scanError
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}
