package corpus

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// scanValid is json.Valid built on scanner.scan: one value, whitespace around.
func scanValid(s *scanner, data []byte) bool {
	i := 0
	for i < len(data) && isSpace(data[i]) {
		i++
	}
	n, st := s.scan(data[i:], true)
	if st != scanDone {
		return false
	}
	for _, c := range data[i+n:] {
		if !isSpace(c) {
			return false
		}
	}
	return true
}

// validCases are inputs on which scan and json.Valid must agree; many sit at
// the edges of the grammar.
var validCases = []string{
	``, ` `, `{}`, `[]`, ` { } `, `[ ]`, `{"a":1}`, `{"a" : 1 , "b" : [ 1 , 2 ] }`,
	`{"a":1,}`, `[1,]`, `[,1]`, `{,}`, `{"a"}`, `{"a":}`, `{"a" 1}`, `{1:2}`, `{"a":1 "b":2}`,
	`[1 2]`, `{"a":[}`, `{"a":{]}`, `[{]`, `}`, `]`, `{`, `[`, `{"a":1}}`, `{"a":1}{}`,
	`0`, `-0`, `01`, `-`, `-a`, `1.`, `1.5`, `1.e5`, `1e`, `1e+`, `1e-5`, `1E+05`, `.5`,
	`+1`, `1.5e3.2`, `123456789012345678901234567890`, `-0.0e-0`, `00`, `0x10`, `1 2`,
	`true`, `false`, `null`, `tru`, `nul`, `nulll`, `True`, `NaN`, `Infinity`, `[true,false,null]`,
	`"`, `""`, `"abc`, `"a\"b"`, `"a\\"`, `"\/\b\f\n\r\t"`, `"\x"`, `"\u00e9"`, `"\u00G9"`,
	`"\u12"`, `"\ud800"`, "\"tab\there\"", "\"nl\nhere\"", "\"\x00\"", "\"\x1f\"", "\"\x7f\"",
	"\"\xff\xfe invalid utf8\"", "\"é ü 中文\"", `"01234567\"89abcdef"`, `"0123456789abcdef\`,
	"\ufeff{}", "{}\x00", "\x00", "{\"a\":1}\n", "\r\n{\"a\":\r\n1}\r\n", "{\"a\":1}\f",
	`{"a":"b","c":{"d":[1,2,{"e":null}]}}`, `[[[[[]]]]]`, `[[[[[]]]]`, `{"a":[1,2,3]]`,
	`{"":""}`, `{"a":"\u0000"}`, `["\"\\\/"]`,
}

func TestScanMatchesValid(t *testing.T) {
	var s scanner
	cases := append([]string(nil), validCases...)
	// The nesting limit: encoding/json allows exactly 10000 open containers.
	for _, d := range []int{maxDepth - 1, maxDepth, maxDepth + 1} {
		cases = append(cases, strings.Repeat("[", d)+strings.Repeat("]", d))
		cases = append(cases, strings.Repeat(`{"a":`, d-1)+"{}"+strings.Repeat("}", d-1))
	}
	for _, in := range cases {
		want := json.Valid([]byte(in))
		if got := scanValid(&s, []byte(in)); got != want {
			t.Errorf("scan(%.60q) valid = %v, json.Valid = %v", in, got, want)
		}
	}
}

// TestScanPrefixes checks that every proper prefix of a valid value asks for
// more data (or, for a top-level number, may stop) instead of failing.
func TestScanPrefixes(t *testing.T) {
	var s scanner
	for _, in := range validCases {
		b := bytes.TrimSpace([]byte(in))
		if !json.Valid(b) || len(b) == 0 {
			continue
		}
		for k := 1; k < len(b); k++ {
			n, st := s.scan(b[:k], false)
			if st != scanMore {
				t.Errorf("scan(%q, more to come) = %d, %v; want scanMore", b[:k], n, st)
			}
		}
		if n, st := s.scan(b, true); st != scanDone || n != len(b) {
			t.Errorf("scan(%q, final) = %d, %v; want %d, scanDone", b, n, st, len(b))
		}
	}
}

func TestScanErrorText(t *testing.T) {
	tests := []struct {
		in     string
		final  bool
		offset int
		want   string
	}{
		{`{"a" 1}`, true, 5, `invalid character '1' after object key`},
		{`{"a":1 "b"}`, true, 7, `invalid character '"' after object key:value pair`},
		{`[1 2]`, true, 3, `invalid character '2' after array element`},
		{`{"a":"x` + "\n" + `"}`, false, 7, `invalid character '\n' in string literal`},
		{`{"a":tru}`, true, 8, `invalid character '}' in literal true (expecting 'e')`},
		{`{"a":"\q"}`, true, 7, `invalid character 'q' in string escape code`},
		{`{"a":`, true, 5, `unexpected end of JSON input`},
		{`{"a":1}`[:6], true, 6, `unexpected end of JSON input`},
		{`[` + "\x01", true, 1, `invalid character '\x01' looking for beginning of value`},
		{strings.Repeat("[", maxDepth+1), false, maxDepth, `exceeded max nesting depth 10000`},
	}
	var s scanner
	for _, tt := range tests {
		t.Run(tt.in[:min(len(tt.in), 20)], func(t *testing.T) {
			n, st := s.scan([]byte(tt.in), tt.final)
			if st != scanError || n != tt.offset || s.err() != tt.want {
				t.Errorf("scan(%q) = %d, %v, %q; want %d, scanError, %q", tt.in, n, st, s.err(), tt.offset, tt.want)
			}
		})
	}
}

// FuzzScan is differential: scan must accept exactly what json.Valid accepts,
// and a value it completes must end where the JSON does.
func FuzzScan(f *testing.F) {
	for _, c := range validCases {
		f.Add([]byte(c))
	}
	var s scanner
	f.Fuzz(func(t *testing.T, data []byte) {
		want := json.Valid(data)
		if got := scanValid(&s, data); got != want {
			t.Fatalf("scan valid = %v, json.Valid = %v for %q", got, want, data)
		}
		// Any prefix of the data that scan calls a complete value is one.
		i := 0
		for i < len(data) && isSpace(data[i]) {
			i++
		}
		if n, st := s.scan(data[i:], false); st == scanDone && !json.Valid(data[i:i+n]) {
			t.Fatalf("scan completed %q, which json.Valid rejects", data[i:i+n])
		}
	})
}
