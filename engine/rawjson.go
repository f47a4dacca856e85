package engine

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"math/rand/v2"
	"slices"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// RawJSON is an Event read from JSON bytes without building maps, for
// reading many events fast. For every input it gives
// what ParseJSON and *JSONEvent give: the same accept or reject decision,
// the same fields with the same values (evtx flattening, Winlogbeat
// aliases, dotted names for other JSON; see JSONEvent), Range in the same
// order, and the same case-insensitive fallback in Field.
//
// A RawJSON is reusable, and reading many events with one allocates nothing
// once its buffers have grown to the size of the largest event. In
// exchange, field names and values may point into the bytes given to
// Reset or into storage the next Reset overwrites: every name and Value
// obtained from a RawJSON is valid only until the next Reset, and the
// caller must not modify the bytes given to Reset until then. Copy what
// must outlive the event (strings.Clone).
//
// The zero RawJSON is an event with no fields. Field, Range and IsEvtx may
// be called from several goroutines at once; Reset may not run concurrently
// with anything else.
type RawJSON struct {
	raw   []byte
	nodes []rawNode // the document, in order; see rawNode
	stack []int32   // open containers while parsing
	top   []int32   // the members of the top object, in order
	arena []byte    // decoded strings and joined field names
	items []Value   // list elements
	order []int32   // sorted members of the objects being walked
	// rawHashes of the names of the members in order: exact and fold
	// hashes of order[i] at 2*i and 2*i+1.
	hashes []uint64

	// Strings with escapes, decoded into text when first read (see
	// rawLazy); textLen is the room they need there.
	lazy    []rawLazy
	text    []byte
	textLen int

	// Sorted orders of objects seen before, by rawSchemaSig of their
	// names; see sorted.
	schemas []rawSchema
	docTmp  []int32

	sortKeys []uint64 // scratch space for sorting
	sortTmp  []int32

	fields []rawField // in the order ParseJSON's Range gives them
	// Open addressing over fields, by rawHash of the name and, for the
	// first of the names equal but for case, by rawFoldHash: a field
	// index+1, 0 for none.
	table, folded []int32
	evtx          bool
	nested        bool // whether a member of the top object is an object

	nameBytes int // dotted-name bytes made (see JSONEvent)
	// Whether build made a name from a value, or left one out for want of
	// name bytes: the fields of the next event of the shape may differ.
	valueNames bool

	// What the text says of its own spelling, for searching it as bytes
	// (see PlainText): hidesASCII is set by an escape that writes printable
	// ASCII (\/, \u0041) or a rune whose fold is an ASCII letter (ſ, the
	// Kelvin sign), escaped or not.
	hidesASCII bool
	keyHides   bool // whether a member name set hidesASCII

	// The marks of raw when rawMarksFast (see rawMarks), else empty.
	marks []uint64

	// Where parse found the scalar values in raw: for each, in document
	// order, its first byte and the byte after it (for a string, the bytes
	// between its quotes); end is the offset after the top object.
	spans []int32
	end   int

	shapes *rawShapes // events' shapes seen before; see rawShape
	vals   []rawVal   // the values parseShaped read
	// The shape whose fields are the event's, with r.vals their values,
	// when build was not needed (see view); then fields and nodes are
	// empty.
	shape *rawShape
}

// rawNode is one JSON value. The nodes of a container's members follow it,
// and end is the index after its last descendant, so the next sibling of
// node i is nodes[i].end.
type rawNode struct {
	key string // the member name when the parent is an object
	s   string // a string's decoded text, a number's literal
	pfx uint64 // the first 8 bytes of key, big-endian, for sorting
	end int32
	// For a string with escapes, the index in r.lazy plus one, and s is
	// its bytes as the JSON writes them; 0 for others.
	lazy int32
	kind uint8
}

// Node kinds.
const (
	rawNull uint8 = iota
	rawString
	rawNumber
	rawTrue
	rawFalse
	rawArray
	rawObject
)

type rawField struct {
	name string
	hash uint64 // rawHash(name)
	fold uint64 // rawFoldHash(name)
	val  Value
	lazy int32 // rawNode.lazy of a string value, whose val.S is not decoded
	head bool  // the first field of those whose names are equal but for case
	src  rawSrc
	// Only in a shape's fields (rawShape.fields): the step of the value
	// when it is a scalar's, whose kind val.Kind gives; else -1.
	step int32
}

// rawSrc is where build found a field's value: scalar(node, depth), or no
// node (-1) for a null it made.
type rawSrc struct{ node, depth int32 }

// rawSchema is the sorted order of the members of an object, kept to
// sort the next object with the same names in the same order without
// comparing names.
type rawSchema struct {
	sig    uint64   // signature of the names (see sorted); 0 for none
	score  int32    // hits less misses of other objects in the slot, up to 8
	pfxs   []uint64 // rawNode.pfx of the names, in document order
	lens   []int32  // their lengths
	sfxs   []uint64 // for names longer than 8 bytes, their last 8 (rawLast8)
	names  []byte   // for longer than 16, the bytes between, one after the other
	perm   []int32  // member positions, in sorted order without duplicates
	hashes []uint64

	// For the top object of an event, when none of its members is an
	// object, the fields flatten makes are those names in sorted order:
	// layout keeps r.table and r.folded as they are then, the one after
	// the other, and heads their rawField.head (see flatten). Empty until
	// then.
	layout []int32
	heads  []bool
}

// Bounds of the objects sorted returns from r.schemas: at least
// rawSchemaMin members, at most rawSchemaMax, names of at most
// rawSchemaBytes bytes in all.
const (
	rawSchemaMin   = 3
	rawSchemaMax   = 256
	rawSchemaBytes = 8192
	rawSchemaSlots = 256
)

// rawMaxNesting is the nesting encoding/json accepts, so ParseJSON too.
const rawMaxNesting = 10000

// rawKeep bounds the buffers a RawJSON keeps from one event to the next,
// in nodes, fields or list items (32 times as many bytes of text): an
// event larger than that does not hold on to its memory.
const rawKeep = 1 << 16

// Reset reads one JSON object into r, replacing the previous event: values
// and names obtained before are invalid from now on. An error leaves r
// without fields; it starts with "invalid JSON: " and gives the byte offset
// of the problem, or with "event must be a JSON object" when raw is valid
// JSON but not an object. Like ParseJSON, Reset ignores what follows the
// object after white space when it starts with "]" or "}".
func (r *RawJSON) Reset(raw []byte) error {
	if cap(r.nodes) > rawKeep || cap(r.arena) > 32*rawKeep || cap(r.items) > rawKeep ||
		cap(r.fields) > rawKeep || cap(r.table) > 4*rawKeep || cap(r.lazy) > rawKeep || cap(r.text) > 32*rawKeep || cap(r.marks) > rawKeep {
		*r = RawJSON{} // after an unusually large event
	}
	r.raw = raw
	r.arena = r.arena[:0]
	r.items = r.items[:0]
	r.lazy, r.textLen = r.lazy[:0], 0
	r.order = r.order[:0]
	r.fields = r.fields[:0]
	r.shape = nil
	r.evtx, r.nested = false, false
	r.nameBytes, r.valueNames = 0, false
	r.hidesASCII, r.keyHides = false, false
	r.marks = r.marks[:0]
	if rawMarksFast {
		r.marks = rawMarks(r.marks, raw)
	}
	if rawShapesOn {
		if r.shapes == nil {
			r.shapes = &rawShapes{missShape: -1}
		}
		if s := r.parseShaped(); s != nil {
			// Most events need no nodes and no fields of their own: the
			// shape's fields answer, with the values just read.
			if s.scalars && s.replays(r) {
				r.view(s)
				return nil
			}
			r.makeNodes(s)
			if !r.replay(s) {
				r.build()
				r.keepBuild(s)
			}
			return nil
		}
		// Start again from nothing.
		r.arena = r.arena[:0]
		r.lazy, r.textLen = r.lazy[:0], 0
		r.hidesASCII = false
	}
	if err := r.parse(); err != nil {
		r.nodes = r.nodes[:0]
		return err
	}
	if k := r.nodes[0].kind; k != rawObject {
		r.nodes = r.nodes[:0]
		return fmt.Errorf("event must be a JSON object, got %s", rawKindName[k])
	}
	var s *rawShape
	if rawShapesOn {
		s = r.keepShape()
	}
	r.build()
	if s != nil {
		r.keepBuild(s)
	}
	return nil
}

var _ Event = (*RawJSON)(nil)

var rawKindName = [...]string{
	rawNull: "null", rawString: "a string", rawNumber: "a number", rawTrue: "a boolean",
	rawFalse: "a boolean", rawArray: "an array", rawObject: "an object",
}

// Field implements Event. Names are matched exactly first, then without
// regard to case (strings.ToLower); of several fields equal but for case,
// the first in Range order answers.
func (r *RawJSON) Field(name string) (Value, bool) {
	v, lazy, ok := r.lookup(name, rawHash(name), 0)
	if lazy != 0 {
		v.S = r.decoded(lazy)
	}
	return v, ok
}

// lookup returns the value of the field that answers Field(name), given
// rawHash(name) and, unless 0, rawFoldHash(name), with its rawField.lazy:
// a string with escapes is left as the JSON writes it.
func (r *RawJSON) lookup(name string, h, fold uint64) (Value, int32, bool) {
	if s := r.shape; s != nil {
		n := len(s.table) / 2
		if f := rawFind(s.fields, s.table[:n], s.table[n:], name, h, fold); f != nil {
			v, lazy := r.viewed(f)
			return v, lazy, true
		}
		return Value{}, 0, false
	}
	if f := rawFind(r.fields, r.table, r.folded, name, h, fold); f != nil {
		return f.val, f.lazy, true
	}
	return Value{}, 0, false
}

// rawFind returns the field of fields, hashed in table and folded, that
// answers Field(name), or nil, given rawHash(name) and, unless 0,
// rawFoldHash(name).
func rawFind(fields []rawField, table, folded []int32, name string, h, fold uint64) *rawField {
	if i := rawFindIndex(fields, table, folded, name, h, fold); i >= 0 {
		return &fields[i]
	}
	return nil
}

// rawFindIndex is rawFind, giving the field's index in fields, or -1.
func rawFindIndex(fields []rawField, table, folded []int32, name string, h, fold uint64) int {
	if len(fields) == 0 {
		return -1
	}
	mask := uint64(len(table) - 1)
	for i := h & mask; table[i] != 0; i = (i + 1) & mask {
		if f := &fields[table[i]-1]; f.hash == h && f.name == name {
			return int(table[i] - 1)
		}
	}
	h = fold
	if h == 0 {
		h = rawFoldHash(name)
	}
	for i := h & mask; folded[i] != 0; i = (i + 1) & mask {
		if f := &fields[folded[i]-1]; f.fold == h && rawFoldEqual(f.name, name) {
			return int(folded[i] - 1)
		}
	}
	return -1
}

// Range implements Event, in the order JSONEvent.Range gives the same
// event's fields.
func (r *RawJSON) Range(fn func(name string, v Value) bool) {
	if s := r.shape; s != nil {
		for i := range s.fields {
			v, lazy := r.viewed(&s.fields[i])
			if lazy != 0 {
				v.S = r.decoded(lazy)
			}
			if !fn(s.fields[i].name, v) {
				return
			}
		}
		return
	}
	for i := range r.fields {
		if !fn(r.fields[i].name, r.value(&r.fields[i])) {
			return
		}
	}
}

// IsEvtx reports whether the event was Windows evtx JSON.
func (r *RawJSON) IsEvtx() bool { return r.evtx }

// rawSafe marks the bytes a string holds as they are: printable ASCII
// other than the quote and the backslash.
var rawSafe = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

func rawSyntax(what string, at int) error {
	return fmt.Errorf("invalid JSON: %s at offset %d", what, at)
}

func rawUnexpected(b []byte, at int) error {
	if at >= len(b) {
		return rawSyntax("unexpected end of input", at)
	}
	return rawSyntax(fmt.Sprintf("invalid character %q", b[at:at+1]), at)
}

func rawSkipSpace(b []byte, i int) int {
	for i < len(b) {
		if c := b[i]; c > ' ' || c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return i
		}
		i++
	}
	return i
}

// parse reads r.raw into r.nodes, checking it the way encoding/json's
// Decoder does for ParseJSON: one value, at most rawMaxNesting deep,
// followed by white space, by nothing, or by anything starting with "]" or
// "}" (Decoder.More reports false there). The loop keeps open containers on
// r.stack rather than recursing.
func (r *RawJSON) parse() (err error) {
	b := r.raw
	nodes, stack, top, spans := r.nodes[:0], r.stack[:0], r.top[:0], r.spans[:0]
	var key string
	var pfx uint64
	obj := false    // whether the innermost open container is an object
	member := false // whether a member's name comes next
	i := rawSkipSpace(b, 0)
value:
	for {
		if member {
			// `"name" :` and the space after it.
			member = false
			if i >= len(b) || b[i] != '"' {
				err = rawUnexpected(b, i)
				break
			}
			j := i + 1
			if m := r.markWord(j); m != 0 {
				j += bits.TrailingZeros64(m)
			} else {
				j = r.safeRunFar(b, j)
			}
			if j < len(b) && b[j] == '"' {
				key = rawAlias(b, i+1, j)
				if i+9 <= len(b) { // the first 8 bytes from b, cut to the name
					pfx = binary.BigEndian.Uint64(b[i+1:])
					if n := j - i - 1; n < 8 {
						pfx &^= ^uint64(0) >> (8 * n)
					}
				} else {
					pfx = rawPrefix(key)
				}
				i = j + 1
			} else {
				// What the name says of PlainText is noted apart for
				// keepShape: a shape's names are not read again.
				hides := r.hidesASCII
				r.hidesASCII = false
				if key, i, err = r.strRest(b, i+1, j); err != nil {
					break
				}
				r.keyHides = r.keyHides || r.hidesASCII
				r.hidesASCII = r.hidesASCII || hides
				pfx = rawPrefix(key)
			}
			if i = rawSkipSpace(b, i); i >= len(b) || b[i] != ':' {
				err = rawUnexpected(b, i)
				break
			}
			i = rawSkipSpace(b, i+1)
		}
		if i >= len(b) {
			err = rawUnexpected(b, i)
			break
		}
		idx := int32(len(nodes))
		if len(stack) == 1 && obj {
			top = append(top, idx)
		}
		switch c := b[i]; c {
		case '{', '[':
			if len(stack) >= rawMaxNesting {
				err = rawSyntax("exceeded max depth", i)
				break value
			}
			kind := rawObject
			if c == '[' {
				kind = rawArray
			}
			nodes = rawPush(nodes, key, pfx, "", 0, kind)
			r.nested = r.nested || len(stack) == 1 && kind == rawObject
			i = rawSkipSpace(b, i+1)
			if i < len(b) && b[i] == c+2 { // "{}" or "[]"
				nodes[idx].end = idx + 1
				i++
				break
			}
			stack = append(stack, idx)
			if obj = kind == rawObject; obj {
				member = true
			} else {
				key, pfx = "", 0
			}
			continue
		case '"':
			j := i + 1
			if m := r.markWord(j); m != 0 {
				j += bits.TrailingZeros64(m)
			} else {
				j = r.safeRunFar(b, j)
			}
			if j < len(b) && b[j] == '"' {
				nodes = rawPush(nodes, key, pfx, rawAlias(b, i+1, j), idx+1, rawString)
				spans = append(spans, int32(i+1), int32(j))
				i = j + 1
				break
			}
			s, lazy, next, serr := r.strSlow(b, i, j)
			if serr != nil {
				err = serr
				break value
			}
			nodes = rawPush(nodes, key, pfx, s, idx+1, rawString)
			nodes[idx].lazy = lazy
			spans = append(spans, int32(i+1), int32(next-1))
			i = next
		case 't', 'f', 'n':
			lit, kind := "true", rawTrue
			if c == 'f' {
				lit, kind = "false", rawFalse
			} else if c == 'n' {
				lit, kind = "null", rawNull
			}
			for k := 1; k < len(lit); k++ {
				if i+k >= len(b) || b[i+k] != lit[k] {
					err = rawUnexpected(b, i+k)
					break value
				}
			}
			spans = append(spans, int32(i), int32(i+len(lit)))
			i += len(lit)
			if kind == rawNull {
				lit = ""
			}
			nodes = rawPush(nodes, key, pfx, lit, idx+1, kind)
		default:
			next, ok := rawScanNumber(b, i)
			if !ok {
				err = rawUnexpected(b, next)
				break value
			}
			nodes = rawPush(nodes, key, pfx, unsafe.String(&b[i], next-i), idx+1, rawNumber)
			spans = append(spans, int32(i), int32(next))
			i = next
		}
		// A value ended: close containers until the next member or element.
		for len(stack) > 0 {
			i = rawSkipSpace(b, i)
			if i >= len(b) {
				err = rawUnexpected(b, i)
				break value
			}
			switch c := b[i]; {
			case c == ',':
				i = rawSkipSpace(b, i+1)
				if obj {
					member = true
				} else {
					key, pfx = "", 0
				}
				continue value
			case obj && c == '}', !obj && c == ']':
				nodes[stack[len(stack)-1]].end = int32(len(nodes))
				stack = stack[:len(stack)-1]
				if len(stack) > 0 {
					obj = nodes[stack[len(stack)-1]].kind == rawObject
				}
				i++
			default:
				err = rawUnexpected(b, i)
				break value
			}
		}
		break
	}
	r.nodes, r.stack, r.top, r.spans = nodes, stack, top, spans
	if err != nil {
		return err
	}
	r.end = i
	return r.finish(i)
}

// finish ends a parse whose value ends at i: it checks what follows and
// makes room for the lazy strings' text.
func (r *RawJSON) finish(i int) error {
	if cap(r.text) < r.textLen {
		r.text = make([]byte, r.textLen, max(r.textLen, 2*cap(r.text)))
	}
	r.text = r.text[:r.textLen]
	b := r.raw
	if i = rawSkipSpace(b, i); i < len(b) && b[i] != ']' && b[i] != '}' {
		return rawSyntax("data after the event", i)
	}
	return nil
}

// strSlow reads the string value whose opening quote is at i and whose
// bytes up to j are rawSafe, b[j] not being its closing quote: it returns
// the value's text (or its bytes, for a lazy string), its rawNode.lazy, and
// the offset after the closing quote.
func (r *RawJSON) strSlow(b []byte, i, j int) (s string, lazy int32, next int, err error) {
	end, escaped, hides, ok := r.scanEscaped(b, j)
	if !ok {
		s, next, err = r.strRest(b, i+1, j)
		return s, 0, next, err
	}
	r.hidesASCII = r.hidesASCII || hides
	s = rawAlias(b, i+1, end)
	if escaped {
		lazy = r.pushLazy(s)
	}
	return s, lazy, end + 1, nil
}

// rawPush appends a node, storing its fields one by one.
func rawPush(nodes []rawNode, key string, pfx uint64, s string, end int32, kind uint8) []rawNode {
	return append(nodes, rawNode{key: key, s: s, pfx: pfx, end: end, kind: kind})
}

// rawPrefix is the rawNode.pfx of key.
func rawPrefix(key string) (pfx uint64) {
	if len(key) >= 8 {
		return binary.BigEndian.Uint64(unsafe.Slice(unsafe.StringData(key), 8))
	}
	for k := 0; k < len(key); k++ {
		pfx |= uint64(key[k]) << (56 - 8*k)
	}
	return pfx
}

// rawScanNumber returns the end of the number starting at i, or the offset of
// the byte that makes it invalid.
func rawScanNumber(b []byte, i int) (int, bool) {
	digits := func(i int) int {
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		return i
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i >= len(b):
		return i, false
	case b[i] == '0':
		i++
	case b[i] >= '1' && b[i] <= '9':
		i = digits(i + 1)
	default:
		return i, false
	}
	if i < len(b) && b[i] == '.' {
		if i++; i >= len(b) || b[i] < '0' || b[i] > '9' {
			return i, false
		}
		i = digits(i)
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		if i++; i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			return i, false
		}
		i = digits(i)
	}
	return i, true
}

// foldsToASCII reports whether r is one of the two runes that are not ASCII
// but whose folds are ASCII letters: ſ (s) and the Kelvin sign (k).
func foldsToASCII(r rune) bool { return r == 0x17f || r == 0x212a }

// holdsFoldToASCII reports whether s holds a rune foldsToASCII reports.
func holdsFoldToASCII(s string) bool {
	return strings.Contains(s, "\u017f") || strings.Contains(s, "\u212a")
}

// PlainText reports whether every printable ASCII text that some value of
// the event holds, case-folded, also appears in the event's JSON bytes
// lowered to ASCII lower case, escaped as JSON escapes a backslash or a
// quote: so the bytes can be searched for such text instead of the values.
// That holds when no escape writes printable ASCII (\/, \u0041) and no
// rune folds to an ASCII letter.
func (r *RawJSON) PlainText() bool { return !r.hidesASCII }

// rawAlias is b[start:end] as a string, sharing its bytes.
func rawAlias(b []byte, start, end int) string {
	if end == start {
		return ""
	}
	return unsafe.String(&b[start], end-start)
}

// strRest reads the rest of the string that starts at start, after the
// opening quote, and whose bytes up to j are rawSafe. Text that decodes to
// itself points into b; other text is decoded into the arena the way
// encoding/json decodes it: invalid UTF-8 bytes and unpaired surrogate
// escapes become U+FFFD.
func (r *RawJSON) strRest(b []byte, start, j int) (string, int, error) {
	// Valid UTF-8 needs no copy either.
	for j < len(b) {
		c := b[j]
		if c == '"' {
			if j == start {
				return "", j + 1, nil
			}
			return unsafe.String(&b[start], j-start), j + 1, nil
		}
		if c < utf8.RuneSelf {
			break
		}
		rr, size := utf8.DecodeRune(b[j:])
		if rr == utf8.RuneError && size == 1 {
			break
		}
		r.hidesASCII = r.hidesASCII || foldsToASCII(rr)
		j = rawSafeRun(b, j+size)
	}
	a := r.arena
	off := len(a)
	a = append(a, b[start:j]...)
	for j < len(b) {
		c := b[j]
		switch {
		case rawSafe[c]:
			k := rawSafeRun(b, j+1)
			a = append(a, b[j:k]...)
			j = k
		case c == '"':
			r.arena = a
			if len(a) == off {
				return "", j + 1, nil
			}
			return unsafe.String(&a[off], len(a)-off), j + 1, nil
		case c == '\\':
			if j+1 >= len(b) {
				r.arena = a
				return "", j, rawUnexpected(b, j+1)
			}
			switch e := b[j+1]; e {
			case '"', '\\':
				a = append(a, e)
			case '/':
				a = append(a, e)
				r.hidesASCII = true
			case 'b':
				a = append(a, '\b')
			case 'f':
				a = append(a, '\f')
			case 'n':
				a = append(a, '\n')
			case 'r':
				a = append(a, '\r')
			case 't':
				a = append(a, '\t')
			case 'u':
				rr, bad := rawHex4(b, j+2)
				if bad >= 0 {
					r.arena = a
					return "", j, rawUnexpected(b, bad)
				}
				j += 6
				r.hidesASCII = r.hidesASCII || 0x20 <= rr && rr <= 0x7e || foldsToASCII(rr)
				if utf16.IsSurrogate(rr) {
					rr1 := unicode.ReplacementChar
					if j+1 < len(b) && b[j] == '\\' && b[j+1] == 'u' {
						if x, bad := rawHex4(b, j+2); bad < 0 {
							rr1 = x
						}
					}
					if dec := utf16.DecodeRune(rr, rr1); dec != unicode.ReplacementChar {
						a = utf8.AppendRune(a, dec)
						j += 6
						continue
					}
					rr = unicode.ReplacementChar
				}
				a = utf8.AppendRune(a, rr)
				continue
			default:
				r.arena = a
				return "", j, rawSyntax(fmt.Sprintf("invalid escape %q in string", b[j:j+2]), j)
			}
			j += 2
		case c < 0x20:
			r.arena = a
			return "", j, rawSyntax(fmt.Sprintf("invalid character %q in string", b[j:j+1]), j)
		default:
			rr, size := utf8.DecodeRune(b[j:])
			if rr == utf8.RuneError && size == 1 {
				a = append(a, "\uFFFD"...)
			} else {
				a = append(a, b[j:j+size]...)
				r.hidesASCII = r.hidesASCII || foldsToASCII(rr)
			}
			j += size
		}
	}
	r.arena = a
	return "", j, rawUnexpected(b, j)
}

// markWord returns the marks of the bytes from i to the end of i's 64-byte
// word, from bit 0 on; 0 when there are none or no marks. A string run
// mostly ends in the word it starts in: the parse loop finds its end so,
// inline, and asks safeRunFar otherwise.
func (r *RawJSON) markWord(i int) uint64 {
	if w := i >> 6; w < len(r.marks) {
		return r.marks[w] >> (uint(i) & 63)
	}
	return 0
}

// safeRunFar is rawSafeRun on r.raw, from the marks when there are.
func (r *RawJSON) safeRunFar(b []byte, i int) int {
	if len(r.marks) > 0 {
		return rawNextMark(r.marks, len(b), i)
	}
	return rawSafeRun(b, i)
}

// scanEscaped is rawScanEscaped on r.raw, from the marks when there are.
func (r *RawJSON) scanEscaped(b []byte, j int) (end int, escaped, hides, ok bool) {
	if len(r.marks) > 0 {
		return rawScanEscapedMarks(r.marks, b, j)
	}
	return rawScanEscaped(b, j)
}

// rawSafeRun returns the end of the run of rawSafe bytes at i, looking at
// eight bytes at a time.
func rawSafeRun(b []byte, i int) int {
	for ; i+8 <= len(b); i += 8 {
		if m := rawUnsafe8(binary.LittleEndian.Uint64(b[i:])); m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for i < len(b) && rawSafe[b[i]] {
		i++
	}
	return i
}

// rawUnsafe8 sets the high bit of the bytes of w that are not rawSafe: '"',
// '\\', bytes below 0x20 and non-ASCII bytes. Bytes above such a byte may
// be marked too (borrows run upwards), so only the lowest mark is exact.
func rawUnsafe8(w uint64) uint64 {
	const ones, high = 0x0101010101010101, 0x8080808080808080
	q, bs := w^('"'*ones), w^('\\'*ones)
	return ((q-ones)&^q | (bs-ones)&^bs | (w - 0x20*ones) | w) & high
}

// rawHex4 reads the four hex digits of a \u escape at i; bad is the offset
// of the first byte that is not one, or -1.
func rawHex4(b []byte, i int) (rr rune, bad int) {
	for k := i; k < i+4; k++ {
		if k >= len(b) {
			return 0, k
		}
		c := b[k]
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, k
		}
		rr = rr<<4 | rune(c)
	}
	return rr, -1
}

// build flattens the parsed document into fields, step by step as
// ParseJSON does: members in sorted order with duplicate names resolved to
// the last, and the same depth limits, so that every name gets the value
// ParseJSON gives it and Range the same order.
func (r *RawJSON) build() {
	size := 32
	for size < 2*len(r.nodes) && size < 1024 {
		size *= 2
	}
	top := r.topKeys(0)
	if evt := top[rawKeyEvent]; evt >= 0 && r.nodes[evt].kind == rawObject {
		if sys, ok := r.get(evt, "System"); ok && r.nodes[sys].kind == rawObject {
			r.evtx = true
			r.resize(size)
			r.flattenEvtx(evt, sys)
			return
		}
	}
	// flatTop copies the tables whole: they need no clearing for it.
	if r.nested || !r.flatTop(size) {
		r.resize(size)
		r.flatten("", 0, 0)
	}
	r.beatAliases(top)
}

// The members of the top object that build and beatAliases read.
const (
	rawKeyEvent = iota
	rawKeyWinlog
	rawKeyEventData
	rawKeyChannel
	rawKeyLogName
	rawKeyEventID
	rawKeyComputerName
	rawKeySourceName
	rawKeyProviderName
	rawKeys
)

// topKeys finds the members of obj named in the rawKey constants in one
// pass; -1 where there is none.
func (r *RawJSON) topKeys(obj int32) (at [rawKeys]int32) {
	for i := range at {
		at[i] = -1
	}
	if obj == 0 {
		for _, c := range r.top {
			r.topKey(&at, c)
		}
		return at
	}
	for c, end := obj+1, r.nodes[obj].end; c < end; c = r.nodes[c].end {
		r.topKey(&at, c)
	}
	return at
}

// topKey sets at[k] to member c when c has the name of rawKey k.
func (r *RawJSON) topKey(at *[rawKeys]int32, c int32) {
	// Most names differ from these in their first eight bytes, which
	// pick the one name a member can have.
	nd := &r.nodes[c]
	if t := &rawTopNames[nd.pfx*rawK3>>59]; t.pfx == nd.pfx && t.name == nd.key && t.name != "" {
		at[t.key] = c
	}
}

// rawTopNames are the names topKeys looks for, by rawNode.pfx*rawK3>>59,
// which differs for each.
var rawTopNames = func() (t [32]struct {
	pfx  uint64
	key  int
	name string
}) {
	for k, name := range [rawKeys]string{rawKeyEvent: "Event", rawKeyWinlog: "winlog", rawKeyEventData: "event_data",
		rawKeyChannel: "channel", rawKeyLogName: "log_name", rawKeyEventID: "event_id",
		rawKeyComputerName: "computer_name", rawKeySourceName: "source_name", rawKeyProviderName: "provider_name"} {
		var pfx uint64
		for i := 0; i < 8 && i < len(name); i++ {
			pfx |= uint64(name[i]) << (56 - 8*i)
		}
		e := &t[pfx*rawK3>>59]
		if e.name != "" {
			panic("rawTopNames: " + name + " and " + e.name + " share a slot")
		}
		e.pfx, e.key, e.name = pfx, k, name
	}
	return t
}()

// get returns the member key of object obj; of duplicates the last, as
// decoding into a map keeps.
func (r *RawJSON) get(obj int32, key string) (int32, bool) {
	found := int32(-1)
	for c, end := obj+1, r.nodes[obj].end; c < end; c = r.nodes[c].end {
		if r.nodes[c].key == key {
			found = c
		}
	}
	return found, found >= 0
}

// sorted pushes the members of obj onto r.order sorted by name, keeping
// the last of duplicates, and their names' rawHashes onto r.hashes, and
// returns their range there. The caller pops them with
// r.order = r.order[:lo].
//
// An object whose names, in document order, are those of an object sorted
// before takes the order and hashes kept in r.schemas, after checking
// that every name is the same. s is the schema kept for the names, if
// any.
func (r *RawJSON) sorted(obj int32) (lo, hi int, s *rawSchema) {
	lo = len(r.order)
	nodes := r.nodes
	var sig uint64
	if obj == 0 {
		r.order = append(r.order, r.top...)
		sig = r.sig(r.top)
	} else {
		sig = rawK3
		for c, end := obj+1, nodes[obj].end; c < end; c = nodes[c].end {
			sig = (sig ^ nodes[c].pfx ^ uint64(len(nodes[c].key))) * rawK1
			r.order = append(r.order, c)
		}
		sig |= 1
	}
	seg := r.order[lo:]
	slot := r.schemaSlot(len(seg), sig)
	if slot != nil {
		if slot.sig == sig && len(slot.lens) == len(seg) && r.sameNames(slot, seg) {
			tmp := append(r.docTmp[:0], seg...)
			r.docTmp = tmp
			for i, p := range slot.perm {
				seg[i] = tmp[p]
			}
			hi = lo + len(slot.perm)
			r.order = r.order[:hi]
			r.hashes = append(r.hashes[:2*lo], slot.hashes...)
			if slot.score < 8 {
				slot.score++
			}
			return lo, hi, slot
		}
		// A schema that was used often stays until it has been missed as
		// often.
		if slot.score > 0 {
			slot.score--
			slot = nil
		}
	}
	var doc []int32
	if slot != nil {
		doc = append(r.docTmp[:0], seg...)
		r.docTmp = doc
	}
	for i := 1; i < len(seg); i++ {
		if !rawLess(nodes, seg[i-1], seg[i]) {
			r.sort(seg)
			break
		}
	}
	w := 0
	hashes := r.hashes[:2*lo]
	for i, c := range seg {
		if i+1 < len(seg) && nodes[c].pfx == nodes[seg[i+1]].pfx && nodes[c].key == nodes[seg[i+1]].key {
			continue
		}
		seg[w] = c
		w++
		h, f := rawHashes(nodes[c].key)
		hashes = append(hashes, h, f)
	}
	r.hashes = hashes
	hi = lo + w
	r.order = r.order[:hi]
	if slot != nil && !r.keepSchema(slot, sig, doc, seg[:w]) {
		slot = nil
	}
	return lo, hi, slot
}

// sig is the signature of the names of the members seg, in document
// order, by which r.schemas keeps them.
func (r *RawJSON) sig(seg []int32) uint64 {
	sig := uint64(rawK3)
	for _, c := range seg {
		sig = (sig ^ r.nodes[c].pfx ^ uint64(len(r.nodes[c].key))) * rawK1
	}
	return sig | 1
}

// schemaSlot is the slot of r.schemas for n members whose names have
// signature sig; nil when there are too few or too many to keep.
func (r *RawJSON) schemaSlot(n int, sig uint64) *rawSchema {
	if n < rawSchemaMin || n > rawSchemaMax {
		return nil
	}
	if r.schemas == nil {
		r.schemas = make([]rawSchema, rawSchemaSlots)
	}
	return &r.schemas[(sig^sig>>32)%rawSchemaSlots]
}

// sameNames reports whether the members seg have the names of schema s,
// in that order.
func (r *RawJSON) sameNames(s *rawSchema, seg []int32) bool {
	off := 0
	for i, c := range seg {
		nd := &r.nodes[c]
		n := int(s.lens[i])
		if nd.pfx != s.pfxs[i] || len(nd.key) != n {
			return false
		}
		if n > 8 {
			if rawLast8(nd.key) != s.sfxs[i] {
				return false
			}
			if n > 16 {
				if string(s.names[off:off+n-16]) != nd.key[8:n-8] {
					return false
				}
				off += n - 16
			}
		}
	}
	return true
}

// rawLast8 is the last 8 bytes of s, which has at least 8.
func rawLast8(s string) uint64 {
	return binary.LittleEndian.Uint64(unsafe.Slice(unsafe.StringData(s[len(s)-8:]), 8))
}

// keepSchema puts into s the names of the members doc, in document order,
// and their sorted order sorted with their hashes (the last len(sorted)
// pairs of r.hashes); false when the names are too long to keep.
func (r *RawJSON) keepSchema(s *rawSchema, sig uint64, doc, sorted []int32) bool {
	size := 0
	for _, c := range doc {
		size += len(r.nodes[c].key)
	}
	if size > rawSchemaBytes {
		return false
	}
	s.sig, s.score = sig, 1
	s.layout, s.heads = s.layout[:0], s.heads[:0]
	s.pfxs, s.lens, s.sfxs, s.names = s.pfxs[:0], s.lens[:0], s.sfxs[:0], s.names[:0]
	for _, c := range doc {
		k := r.nodes[c].key
		s.pfxs = append(s.pfxs, r.nodes[c].pfx)
		s.lens = append(s.lens, int32(len(k)))
		var sfx uint64
		if len(k) > 8 {
			sfx = rawLast8(k)
		}
		s.sfxs = append(s.sfxs, sfx)
		if len(k) > 16 {
			s.names = append(s.names, k[8:len(k)-8]...)
		}
	}
	s.perm = s.perm[:0]
	for _, c := range sorted {
		p, _ := slices.BinarySearch(doc, c)
		s.perm = append(s.perm, int32(p))
	}
	s.hashes = append(s.hashes[:0], r.hashes[len(r.hashes)-2*len(sorted):]...)
	return true
}

// rawLess orders members by name, and by position for equal names.
func rawLess(nodes []rawNode, a, b int32) bool {
	na, nb := &nodes[a], &nodes[b]
	if na.pfx != nb.pfx {
		return na.pfx < nb.pfx
	}
	if na.key != nb.key {
		return na.key < nb.key
	}
	return a < b
}

// sort sorts members by rawLess. Up to 256 of them, it sorts integers:
// the first seven bytes of the name with the position in the last, then
// orders runs that share those seven bytes by whole name.
func (r *RawJSON) sort(seg []int32) {
	nodes := r.nodes
	switch {
	case len(seg) <= 12:
		for i := 1; i < len(seg); i++ {
			for j := i; j > 0 && rawLess(nodes, seg[j], seg[j-1]); j-- {
				seg[j], seg[j-1] = seg[j-1], seg[j]
			}
		}
	case len(seg) <= 256:
		keys := r.sortKeys[:0]
		for i, c := range seg {
			keys = append(keys, nodes[c].pfx&^0xff|uint64(i))
		}
		slices.Sort(keys)
		orig := append(r.sortTmp[:0], seg...)
		for i, k := range keys {
			seg[i] = orig[k&0xff]
		}
		for i := 0; i < len(keys); {
			j := i + 1
			for j < len(keys) && keys[j]>>8 == keys[i]>>8 {
				j++
			}
			if j-i > 1 {
				run := seg[i:j]
				for x := 1; x < len(run); x++ {
					for y := x; y > 0 && rawLess(nodes, run[y], run[y-1]); y-- {
						run[y], run[y-1] = run[y-1], run[y]
					}
				}
			}
			i = j
		}
		r.sortKeys, r.sortTmp = keys, orig
	default:
		slices.SortFunc(seg, func(a, b int32) int {
			if rawLess(nodes, a, b) {
				return -1
			}
			return 1
		})
	}
}

// textOf unwraps evtx_dump's {"#text": v, "#attributes": {...}} form.
func (r *RawJSON) textOf(n int32) int32 {
	if r.nodes[n].kind == rawObject {
		if t, ok := r.get(n, "#text"); ok {
			return t
		}
	}
	return n
}

// rawValueKind is the Kind of a scalar node's Value.
var rawValueKind = [...]Kind{rawNull: KindNull, rawString: KindString, rawNumber: KindNumber, rawTrue: KindBool, rawFalse: KindBool}

// scalar is the Value of node n as ParseJSON's scalar gives it; false for
// objects and for lists nested deeper than MaxJSONDepth. For a string with
// escapes, lazy is its rawNode.lazy and S is not decoded (see rawField).
func (r *RawJSON) scalar(n int32, depth int) (v Value, lazy int32, ok bool) {
	if nd := &r.nodes[n]; nd.kind < rawArray {
		return Value{Kind: rawValueKind[nd.kind], S: nd.s}, nd.lazy, true
	}
	v, ok = r.list(n, depth)
	return v, 0, ok
}

// str is the text of string node n.
func (r *RawJSON) str(n int32) string {
	if l := r.nodes[n].lazy; l != 0 {
		return r.decoded(l)
	}
	return r.nodes[n].s
}

// list is scalar for a list, or an object.
func (r *RawJSON) list(n int32, depth int) (Value, bool) {
	if r.nodes[n].kind != rawArray || depth > MaxJSONDepth {
		return Value{}, false
	}
	// The elements of this list and of the lists inside it take at most
	// one slot per node below it: reserve them all now, so that r.items
	// does not move while they are filled.
	end := r.nodes[n].end
	if need := int(end - n); cap(r.items)-len(r.items) < need {
		items := make([]Value, len(r.items), max(2*cap(r.items), len(r.items)+need, 64))
		copy(items, r.items)
		r.items = items
	}
	start := len(r.items)
	count := 0
	for c := n + 1; c < end; c = r.nodes[c].end {
		count++
	}
	r.items = r.items[:start+count]
	k := start
	for c := n + 1; c < end; c = r.nodes[c].end {
		if v, lazy, ok := r.scalar(r.textOf(c), depth+1); ok {
			if lazy != 0 {
				v.S = r.decoded(lazy)
			}
			r.items[k] = v
			k++
		}
	}
	return Value{Kind: KindList, Items: r.items[start:k:k]}, true
}

// flatten adds the leaves of obj with dotted names below prefix.
func (r *RawJSON) flatten(prefix string, obj int32, depth int) {
	if depth > MaxJSONDepth {
		return
	}
	lo, hi, s := r.sorted(obj)
	top := obj == 0 && !r.nested && s != nil
	for i := lo; i < hi; i++ {
		c := r.order[i]
		name := r.nodes[c].key
		h, fold := r.hashes[2*i], r.hashes[2*i+1]
		if prefix != "" {
			n := len(prefix) + 1 + len(name)
			if n > MaxFieldName {
				continue
			}
			if r.nameBytes+n > nameBudget(len(r.raw)) {
				r.valueNames = true // the budget depends on the values' length
				continue
			}
			r.nameBytes += n
			name = r.join(prefix, '.', name)
			h, fold = rawHashes(name)
		}
		if v, lazy, ok := r.scalar(c, depth); ok {
			r.setHashed(name, h, fold, v, lazy, rawSrc{c, int32(depth)}, false)
			continue
		}
		if r.nodes[c].kind == rawObject {
			if t, ok := r.get(c, "#text"); ok {
				if v, lazy, ok := r.scalar(t, depth); ok {
					r.setHashed(name, h, fold, v, lazy, rawSrc{t, int32(depth)}, false)
				}
			}
			r.flatten(name, c, depth+1)
		}
	}
	// See flatTop.
	if top && len(r.fields) == hi-lo {
		s.layout = append(append(s.layout[:0], r.table...), r.folded...)
		s.heads = s.heads[:0]
		for i := range r.fields {
			s.heads = append(s.heads, r.fields[i].head)
		}
	}
	r.order = r.order[:lo]
}

// flatTop is flatten for the top object when none of its members is an
// object, in one step when its names are those of an object flattened
// before: then it makes one field per name, in the sorted order kept in
// r.schemas and with the tables kept there, which it copies rather than
// filling them again. It reports whether it could; size is the size of
// the tables build chose.
func (r *RawJSON) flatTop(size int) bool {
	sig := r.sig(r.top)
	s := r.schemaSlot(len(r.top), sig)
	if s == nil || s.sig != sig || len(s.lens) != len(r.top) || len(s.layout) != 2*size || !r.sameNames(s, r.top) {
		return false
	}
	r.sizeTables(size)
	if s.score < 8 {
		s.score++
	}
	n := len(r.table)
	copy(r.table, s.layout[:n])
	copy(r.folded, s.layout[n:])
	r.fields = slices.Grow(r.fields[:0], len(s.perm))[:len(s.perm)]
	hashes, heads := s.hashes[:2*len(s.perm)], s.heads[:len(s.perm)]
	for i, p := range s.perm {
		c := r.top[p]
		nd, f := &r.nodes[c], &r.fields[i]
		f.name, f.hash, f.fold, f.head, f.src = nd.key, hashes[2*i], hashes[2*i+1], heads[i], rawSrc{c, 0}
		if nd.kind < rawArray {
			f.val, f.lazy = Value{Kind: rawValueKind[nd.kind], S: nd.s}, nd.lazy
		} else {
			f.val, _ = r.list(c, 0)
			f.lazy = 0
		}
	}
	return true
}

// beatAliases is JSONEvent.beatAliases; top is topKeys of the event.
func (r *RawJSON) beatAliases(top [rawKeys]int32) {
	if w := top[rawKeyWinlog]; w >= 0 && r.nodes[w].kind == rawObject {
		top = r.topKeys(w)
	}
	data := top[rawKeyEventData]
	ok := data >= 0 && r.nodes[data].kind == rawObject
	if !ok && top[rawKeyChannel] < 0 && top[rawKeyLogName] < 0 {
		return
	}
	if ok {
		lo, hi, _ := r.sorted(data)
		for i := lo; i < hi; i++ {
			c := r.order[i]
			t := r.textOf(c)
			if v, lazy, ok := r.scalar(t, 0); ok {
				r.setHashed(r.nodes[c].key, r.hashes[2*i], r.hashes[2*i+1], v, lazy, rawSrc{t, 0}, true)
			}
		}
		r.order = r.order[:lo]
	}
	for _, a := range [...]struct {
		from int
		to   string
	}{
		{rawKeyLogName, "Channel"}, {rawKeyChannel, "Channel"}, {rawKeyEventID, "EventID"},
		{rawKeyComputerName, "Computer"}, {rawKeySourceName, "Provider_Name"}, {rawKeyProviderName, "Provider_Name"},
	} {
		if c := top[a.from]; c >= 0 {
			if v, lazy, ok := r.scalar(c, 0); ok && v.Kind != KindList {
				r.set(a.to, v, lazy, rawSrc{c, 0}, true)
			}
		}
	}
}

// flattenEvtx is JSONEvent.flattenEvtx.
func (r *RawJSON) flattenEvtx(evt, sys int32) {
	if data, ok := r.get(evt, "EventData"); ok && r.nodes[data].kind == rawObject {
		r.dataFields(data, 0)
	}
	if data, ok := r.get(evt, "UserData"); ok && r.nodes[data].kind == rawObject {
		// UserData holds one element named after the event; its children
		// are the fields.
		lo, hi, _ := r.sorted(data)
		for i := lo; i < hi; i++ {
			if c := r.order[i]; r.nodes[c].kind == rawObject {
				r.dataFields(c, 0)
			}
		}
		r.order = r.order[:lo]
	}
	lo, hi, _ := r.sorted(sys)
	for i := lo; i < hi; i++ {
		c := r.order[i]
		k := r.nodes[c].key
		t := r.textOf(c)
		if v, lazy, ok := r.scalar(t, 0); ok {
			r.setHashed(k, r.hashes[2*i], r.hashes[2*i+1], v, lazy, rawSrc{t, 0}, true)
		}
		if r.nodes[c].kind != rawObject {
			continue
		}
		attrs := c
		if a, ok := r.get(c, "#attributes"); ok && r.nodes[a].kind == rawObject {
			attrs = a
		}
		alo, ahi, _ := r.sorted(attrs)
		for j := alo; j < ahi; j++ {
			ac := r.order[j]
			if ak := r.nodes[ac].key; ak != "#text" {
				if v, lazy, ok := r.scalar(ac, 0); ok {
					r.set(r.join(k, '_', ak), v, lazy, rawSrc{ac, 0}, true)
				}
			}
		}
		r.order = r.order[:alo]
	}
	r.order = r.order[:lo]
}

// dataFields is JSONEvent.dataFields.
func (r *RawJSON) dataFields(data int32, depth int) {
	if depth > MaxJSONDepth {
		return
	}
	lo, hi, _ := r.sorted(data)
	for i := lo; i < hi; i++ {
		c := r.order[i]
		k := r.nodes[c].key
		if k == "#attributes" {
			continue
		}
		if k == "Data" && r.nodes[c].kind == rawArray && r.namedData(c) {
			continue
		}
		t := r.textOf(c)
		if v, lazy, ok := r.scalar(t, depth); ok {
			r.setHashed(k, r.hashes[2*i], r.hashes[2*i+1], v, lazy, rawSrc{t, int32(depth)}, true)
			continue
		}
		if r.nodes[c].kind == rawObject {
			r.dataFields(c, depth+1)
		}
	}
	r.order = r.order[:lo]
}

// namedData is JSONEvent.namedData.
func (r *RawJSON) namedData(list int32) bool {
	end := r.nodes[list].end
	for c := list + 1; c < end; c = r.nodes[c].end {
		if _, ok := r.dataName(c); !ok {
			return false
		}
	}
	for c := list + 1; c < end; c = r.nodes[c].end {
		name, _ := r.dataName(c)
		v, lazy := Value{}, int32(0)
		if t, ok := r.get(c, "#text"); ok {
			var ok bool
			if v, lazy, ok = r.scalar(t, 0); !ok {
				continue
			}
		}
		r.set(name, v, lazy, rawSrc{-1, 0}, true)
		r.valueNames = true
	}
	return true
}

// dataName is n in {"#attributes": {"Name": n}}.
func (r *RawJSON) dataName(item int32) (string, bool) {
	if r.nodes[item].kind != rawObject {
		return "", false
	}
	a, ok := r.get(item, "#attributes")
	if !ok || r.nodes[a].kind != rawObject {
		return "", false
	}
	n, ok := r.get(a, "Name")
	if !ok || r.nodes[n].kind != rawString {
		return "", false
	}
	return r.str(n), true
}

// join returns a+sep+b, kept in the arena.
func (r *RawJSON) join(a string, sep byte, b string) string {
	off := len(r.arena)
	r.arena = append(r.arena, a...)
	r.arena = append(r.arena, sep)
	r.arena = append(r.arena, b...)
	return unsafe.String(&r.arena[off], len(r.arena)-off)
}

// set is JSONEvent.set, or JSONEvent.setFirst when first is true; lazy is
// scalar's.
func (r *RawJSON) set(name string, v Value, lazy int32, src rawSrc, first bool) {
	h, fold := rawHashes(name)
	r.setHashed(name, h, fold, v, lazy, src, first)
}

// setHashed is set given rawHashes(name).
func (r *RawJSON) setHashed(name string, h, fold uint64, v Value, lazy int32, src rawSrc, first bool) {
	mask := uint64(len(r.table) - 1)
	i := h & mask
	for ; r.table[i] != 0; i = (i + 1) & mask {
		if f := &r.fields[r.table[i]-1]; f.hash == h && f.name == name {
			if !first {
				f.val, f.lazy, f.src = v, lazy, src
			}
			return
		}
	}
	if len(r.fields) == cap(r.fields) {
		r.fields = slices.Grow(r.fields, 1)
	}
	r.fields = r.fields[:len(r.fields)+1]
	e := int32(len(r.fields))
	f := &r.fields[e-1]
	f.name, f.hash, f.fold, f.val, f.lazy, f.head, f.src = name, h, fold, v, lazy, true, src
	r.table[i] = e
	// Only the first of the names equal but for case goes into folded.
	j := fold & mask
	for ; r.folded[j] != 0; j = (j + 1) & mask {
		if g := &r.fields[r.folded[j]-1]; g.fold == fold && rawFoldEqual(g.name, name) {
			f.head = false
			break
		}
	}
	if f.head {
		r.folded[j] = e
	}
	if 2*len(r.fields) > len(r.table) {
		r.resize(2 * len(r.table))
	}
}

// sizeTables makes the tables size entries long, their contents left as
// they are.
func (r *RawJSON) sizeTables(size int) {
	if cap(r.table) < size {
		r.table, r.folded = make([]int32, size), make([]int32, size)
	}
	r.table, r.folded = r.table[:size], r.folded[:size]
}

// resize empties the tables at the given size, a power of two, and puts
// the fields back.
func (r *RawJSON) resize(size int) {
	r.sizeTables(size)
	clear(r.table)
	clear(r.folded)
	mask := uint64(size - 1)
	for e := range r.fields {
		f := &r.fields[e]
		i := f.hash & mask
		for r.table[i] != 0 {
			i = (i + 1) & mask
		}
		r.table[i] = int32(e + 1)
		if f.head {
			i = f.fold & mask
			for r.folded[i] != 0 {
				i = (i + 1) & mask
			}
			r.folded[i] = int32(e + 1)
		}
	}
}

// rawSeed varies the hash between processes, so that no input can be made
// to collide on purpose.
var rawSeed = rand.Uint64() | 1

const (
	rawK1 = 0xa0761d6478bd642f
	rawK2 = 0xe7037ed1a0b428db
	rawK3 = 0x8ebc6af09c88c6e3
)

func rawMix(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi ^ lo
}

// rawWord is the 8 bytes of s at i, little-endian.
func rawWord(s string, i int) uint64 {
	_ = s[i+7]
	return uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
		uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
}

// rawTail is the bytes of s from i on, fewer than 8, little-endian.
func rawTail(s string, i int) (w uint64) {
	for k := 0; i+k < len(s); k++ {
		w |= uint64(s[i+k]) << (8 * k)
	}
	return w
}

// rawHash hashes s.
func rawHash(s string) uint64 {
	h := rawSeed
	i := 0
	for ; i+8 <= len(s); i += 8 {
		h = rawMix(h^rawK1, rawWord(s, i)^rawK2)
	}
	if i < len(s) {
		h = rawMix(h^rawK1, rawTail(s, i)^rawK2)
	}
	return rawMix(h^uint64(len(s)), rawK3)
}

// rawFoldHash hashes strings.ToLower(s).
func rawFoldHash(s string) uint64 {
	_, fold := rawHashes(s)
	return fold
}

// rawHashes is rawHash(s) and rawFoldHash(s) in one pass over s.
func rawHashes(s string) (exact, fold uint64) {
	const hi = 0x8080808080808080
	h, f := rawSeed, rawSeed
	var all uint64
	i := 0
	for ; i+8 <= len(s); i += 8 {
		w := rawWord(s, i)
		all |= w
		h = rawMix(h^rawK1, w^rawK2)
		f = rawMix(f^rawK1, rawLower8(w)^rawK2)
	}
	if i < len(s) {
		w := rawTail(s, i)
		all |= w
		h = rawMix(h^rawK1, w^rawK2)
		f = rawMix(f^rawK1, rawLower8(w)^rawK2)
	}
	h = rawMix(h^uint64(len(s)), rawK3)
	if all&hi != 0 {
		return h, rawFoldHashRunes(s)
	}
	return h, rawMix(f^uint64(len(s)), rawK3)
}

// rawFoldHashRunes is rawFoldHash for text that is not all ASCII: the same
// hash of the bytes of strings.ToLower(s), lowered rune by rune rather than
// eight bytes at a time.
func rawFoldHashRunes(s string) uint64 {
	h := rawSeed
	var w uint64
	nb, n := 0, 0
	var buf [utf8.UTFMax]byte
	for _, c := range s {
		k := utf8.EncodeRune(buf[:], unicode.ToLower(c))
		for _, x := range buf[:k] {
			w |= uint64(x) << (8 * nb)
			if nb++; nb == 8 {
				h = rawMix(h^rawK1, w^rawK2)
				w, nb = 0, 0
			}
		}
		n += k
	}
	if nb > 0 {
		h = rawMix(h^rawK1, w^rawK2)
	}
	return rawMix(h^uint64(n), rawK3)
}

// rawLower8 lowers the ASCII letters of eight ASCII bytes.
func rawLower8(w uint64) uint64 {
	const ones = 0x0101010101010101
	ge := w + (0x80-'A')*ones   // high bit set from 'A' up
	gt := w + (0x80-'Z'-1)*ones // high bit set above 'Z'
	upper := ge &^ gt & (0x80 * ones)
	return w | upper>>2
}

// rawFoldEqual reports strings.ToLower(a) == strings.ToLower(b).
func rawFoldEqual(a, b string) bool {
	for a != "" && b != "" {
		ca, na := rune(a[0]), 1
		if ca >= utf8.RuneSelf {
			ca, na = utf8.DecodeRuneInString(a)
		}
		cb, nb := rune(b[0]), 1
		if cb >= utf8.RuneSelf {
			cb, nb = utf8.DecodeRuneInString(b)
		}
		if ca != cb && unicode.ToLower(ca) != unicode.ToLower(cb) {
			return false
		}
		a, b = a[na:], b[nb:]
	}
	return a == "" && b == ""
}
