package corpus

import (
	"strconv"
	"unicode/utf8"
)

// This file holds the small ordered-JSON writer the fleet simulator uses to
// write events. encoding/json would sort map keys and escape '<' and '&',
// neither of which evtx_dump does; keeping the field order of real logs and
// writing without reflection also keeps a million-event run fast.

// jobj is a JSON object whose keys keep their order.
type jobj []jkv

// jkv is one member of a jobj. V is a string, int, int64, bool, nil, jobj
// or jraw.
type jkv struct {
	K string
	V any
}

// jraw is JSON text written as is.
type jraw []byte

// get returns the value of key k and whether it is present.
func (o jobj) get(k string) (any, bool) {
	for _, kv := range o {
		if kv.K == k {
			return kv.V, true
		}
	}
	return nil, false
}

// set replaces the value of key k in place; it reports false when o has
// no such key (set never adds one, so that objects reached through obj can
// be changed).
func (o jobj) set(k string, v any) bool {
	for i := range o {
		if o[i].K == k {
			o[i].V = v
			return true
		}
	}
	return false
}

// obj returns the object under key k, or nil.
func (o jobj) obj(k string) jobj {
	v, _ := o.get(k)
	m, _ := v.(jobj)
	return m
}

func appendJSON(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case string:
		return appendJSONString(b, x)
	case int:
		return strconv.AppendInt(b, int64(x), 10)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case uint32:
		return strconv.AppendUint(b, uint64(x), 10)
	case bool:
		return strconv.AppendBool(b, x)
	case jraw:
		return append(b, x...)
	case jobj:
		b = append(b, '{')
		for i, kv := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, kv.K)
			b = append(b, ':')
			b = appendJSON(b, kv.V)
		}
		return append(b, '}')
	case []any:
		b = append(b, '[')
		for i, it := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSON(b, it)
		}
		return append(b, ']')
	}
	panic("corpus: unsupported JSON value in simulator")
}

const hexDigits = "0123456789abcdef"

// appendJSONString writes s as a JSON string. Invalid UTF-8 becomes U+FFFD,
// as encoding/json does.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, "\ufffd"...)
			i++
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
