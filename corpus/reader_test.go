package corpus

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf16"
)

// readAll reads r to the end and renders what Next returned, one string per
// call: "LINE:RAW" for a record, "LINE!kind" for an *Error, where kind names
// the sentinel it wraps ("syntax", "object", "large", "truncated") or is "io".
// It fails the test if Next does not end within a bound on calls, returns a
// record that json.Valid rejects, or an error that is not an *Error.
func readAll(t testing.TB, r *Reader, bound int) []string {
	t.Helper()
	var out []string
	for range bound {
		rec, err := r.Next()
		if err == io.EOF {
			if _, err := r.Next(); err != io.EOF {
				t.Fatalf("Next after io.EOF = %v, want io.EOF", err)
			}
			return out
		}
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Next error %v (%T) is not an *Error", err, err)
			}
			if e.File != r.name || e.Line < 1 {
				t.Fatalf("Next error %q has file %q, line %d", err, e.File, e.Line)
			}
			out = append(out, fmt.Sprintf("%d!%s", e.Line, errKind(err)))
			continue
		}
		if rec.File != r.name || rec.Line < 1 {
			t.Fatalf("record has file %q, line %d", rec.File, rec.Line)
		}
		if !json.Valid(rec.Raw) || len(rec.Raw) == 0 || rec.Raw[0] != '{' {
			t.Fatalf("record %d:%q is not a JSON object", rec.Line, rec.Raw)
		}
		out = append(out, fmt.Sprintf("%d:%s", rec.Line, rec.Raw))
	}
	t.Fatalf("Next did not return io.EOF within %d calls; so far %q", bound, out)
	return nil
}

func errKind(err error) string {
	switch {
	case errors.Is(err, ErrSyntax):
		return "syntax"
	case errors.Is(err, ErrNotObject):
		return "object"
	case errors.Is(err, ErrTooLarge):
		return "large"
	case errors.Is(err, ErrTruncated):
		return "truncated"
	}
	return "io"
}

// read reads data with default settings.
func read(t testing.TB, data string) []string {
	t.Helper()
	return readAll(t, NewReader("t", strings.NewReader(data)), 2*len(data)+10)
}

// readerCase is one input and what reading it yields.
type readerCase struct {
	name string
	in   string
	max  int // record size limit; 0 for MaxRecordSize
	want []string
}

var readerCases = []readerCase{
	// Empty input.
	{name: "empty", in: "", want: nil},
	{name: "only space", in: " \n\r\n\t\n", want: nil},
	{name: "only BOM", in: "\ufeff", want: nil},

	// JSONL.
	{name: "jsonl", in: "{\"a\":1}\n{\"b\":2}\n", want: []string{`1:{"a":1}`, `2:{"b":2}`}},
	{name: "jsonl no final newline", in: "{\"a\":1}\n{\"b\":2}", want: []string{`1:{"a":1}`, `2:{"b":2}`}},
	{name: "jsonl blank lines", in: "\n\n{\"a\":1}\n\n  \n{\"b\":2}\n\n", want: []string{`3:{"a":1}`, `6:{"b":2}`}},
	{name: "jsonl CRLF", in: "{\"a\":1}\r\n\r\n{\"b\":\"x\"}\r\n", want: []string{`1:{"a":1}`, `3:{"b":"x"}`}},
	{name: "jsonl BOM", in: "\ufeff{\"a\":1}\n{\"b\":2}\n", want: []string{`1:{"a":1}`, `2:{"b":2}`}},
	{name: "jsonl indented lines", in: "  {\"a\":1}  \n\t{\"b\":2}\t\n", want: []string{`1:{"a":1}`, `2:{"b":2}`}},
	{name: "jsonl empty object", in: "{}\n{ }\n", want: []string{`1:{}`, `2:{ }`}},
	{
		name: "jsonl malformed middle",
		in:   "{\"a\":1}\n{\"a\":1,}\n{\"c\":3}\n{\"d\":\n{\"e\":5}\n",
		want: []string{`1:{"a":1}`, `2!syntax`, `3:{"c":3}`, `4!syntax`, `5:{"e":5}`},
	},
	{name: "jsonl missing brace costs one line", in: "{\"a\":{\"b\":1}\n{\"c\":3}\n", want: []string{`1!syntax`, `2:{"c":3}`}},
	{name: "jsonl truncated last", in: "{\"a\":1}\n{\"b\":[1,2", want: []string{`1:{"a":1}`, `2!truncated`}},
	{name: "jsonl truncated last with newline", in: "{\"a\":1}\n{\"b\":[1,2\n", want: []string{`1:{"a":1}`, `2!syntax`}},
	{
		name: "jsonl non-objects",
		in:   "{\"a\":1}\n42\n[1,2]\n\"s\"\nnull\ntrue\n{\"z\":0}\n",
		want: []string{`1:{"a":1}`, `2!object`, `3!object`, `4!object`, `5!object`, `6!object`, `7:{"z":0}`},
	},
	{name: "jsonl trailing garbage", in: "{\"a\":1}\n{\"b\":2} x\n{\"c\":3}\n", want: []string{`1:{"a":1}`, `2!syntax`, `3:{"c":3}`}},
	{name: "jsonl garbage lines", in: "{\"a\":1}\nnot json\n}\n\x00\n{\"c\":3}\n", want: []string{`1:{"a":1}`, `2!syntax`, `3!syntax`, `4!syntax`, `5:{"c":3}`}},
	{name: "starts with garbage", in: "garbage\n{\"a\":1}\n", want: []string{`1!syntax`, `2:{"a":1}`}},
	{name: "starts with number", in: "42\n{\"a\":1}\n", want: []string{`1!object`, `2:{"a":1}`}},
	{name: "broken first line is jsonl", in: "{\"a\": \"x\n{\"b\":2}\n{\"c\":3}\n", want: []string{`1!syntax`, `2:{"b":2}`, `3:{"c":3}`}},
	{name: "jsonl escapes and unicode", in: "{\"a\":\"\\\"}\\n\\u00e9\",\"b\":\"日本 \xff\"}\n", want: []string{"1:{\"a\":\"\\\"}\\n\\u00e9\",\"b\":\"日本 \xff\"}"}},
	{
		name: "jsonl too large line",
		in:   "{\"a\":1}\n{\"b\":\"" + strings.Repeat("x", 100) + "\"}\n{\"c\":3}\n",
		max:  64,
		want: []string{`1:{"a":1}`, `2!large`, `3:{"c":3}`},
	},
	{
		name: "jsonl too large last line",
		in:   "{\"a\":1}\n{\"b\":\"" + strings.Repeat("x", 100) + "\"}",
		max:  64,
		want: []string{`1:{"a":1}`, `2!large`},
	},
	{
		name: "jsonl at the size limit",
		in:   "{\"a\":1}\n{\"b\":\"" + strings.Repeat("x", 58) + "\"}\n{\"c\":3}\n",
		max:  66,
		want: []string{`1:{"a":1}`, `2:{"b":"` + strings.Repeat("x", 58) + `"}`, `3:{"c":3}`},
	},

	// Arrays.
	{name: "array one line", in: `[{"a":1},{"b":2}]`, want: []string{`1:{"a":1}`, `1:{"b":2}`}},
	{name: "array empty", in: "[]\n", want: nil},
	{name: "array empty spaced", in: "[ \n ]", want: nil},
	{
		name: "array pretty",
		in:   "[\n  {\n    \"a\": 1,\n    \"n\": {\"x\": [1, 2]}\n  },\n  {\n    \"b\": 2\n  }\n]\n",
		want: []string{"2:{\n    \"a\": 1,\n    \"n\": {\"x\": [1, 2]}\n  }", "6:{\n    \"b\": 2\n  }"},
	},
	{name: "array CRLF BOM", in: "\ufeff[\r\n{\"a\":1},\r\n\r\n{\"b\":2}\r\n]\r\n", want: []string{`2:{"a":1}`, `4:{"b":2}`}},
	{name: "array of non-objects", in: `[1, {"a":1}, "s", [2], null, {"b":2}]`, want: []string{`1!object`, `1:{"a":1}`, `1!object`, `1!object`, `1!object`, `1:{"b":2}`}},
	{name: "array trailing comma", in: "[{\"a\":1},]\n{\"b\":2}", want: []string{`1:{"a":1}`, `1!syntax`, `2:{"b":2}`}},
	{name: "array missing comma", in: "[\n{\"a\":1}\n{\"b\":2}\n]", want: []string{`2:{"a":1}`, `3!syntax`, `3:{"b":2}`}},
	{name: "array unterminated", in: "[\n{\"a\":1},\n{\"b\":2}\n", want: []string{`2:{"a":1}`, `3:{"b":2}`, `1!truncated`}},
	{name: "array unterminated after comma", in: "[{\"a\":1},", want: []string{`1:{"a":1}`, `1!truncated`}},
	{
		name: "array bad element",
		in:   "[\n  {\"a\": 1},\n  {\"b\": tru},\n  {\"c\": 3},\n  {\"d\": [},\n  {\"e\": 5}\n]\n",
		want: []string{`2:{"a": 1}`, `3!syntax`, `4:{"c": 3}`, `5!syntax`, `6:{"e": 5}`},
	},
	{
		name: "array element missing brace, pretty",
		in:   "[\n  {\n    \"a\": {\n      \"x\": 1\n  },\n  {\n    \"b\": [\n      {\"y\": 2}\n    ]\n  }\n]\n",
		want: []string{`2!syntax`, "6:{\n    \"b\": [\n      {\"y\": 2}\n    ]\n  }"},
	},
	{name: "arrays in sequence", in: "[{\"a\":1}]\n[{\"b\":2}]\n{\"c\":3}\n", want: []string{`1:{"a":1}`, `2:{"b":2}`, `3:{"c":3}`}},
	{name: "nested array", in: `[[{"a":1}], {"b":2}]`, want: []string{`1!object`, `1:{"b":2}`}},

	// Streams of objects.
	{name: "single pretty object", in: "{\n  \"a\": 1\n}\n", want: []string{"1:{\n  \"a\": 1\n}"}},
	{name: "single pretty object no newline", in: "{\n  \"a\": 1\n}", want: []string{"1:{\n  \"a\": 1\n}"}},
	{
		name: "pretty stream",
		in:   "{\n  \"Event\": {\n    \"System\": {\"EventID\": 1}\n  }\n}\n{\n  \"Event\": {}\n}\n\n{\"x\":\n\n[1]}\n",
		want: []string{"1:{\n  \"Event\": {\n    \"System\": {\"EventID\": 1}\n  }\n}", "6:{\n  \"Event\": {}\n}", "10:{\"x\":\n\n[1]}"},
	},
	{name: "pretty stream CRLF", in: "{\r\n \"a\": 1\r\n}\r\n{\r\n \"b\": 2\r\n}\r\n", want: []string{"1:{\r\n \"a\": 1\r\n}", "4:{\r\n \"b\": 2\r\n}"}},
	{name: "pretty stream BOM", in: "\ufeff{\n \"a\": 1\n}\n", want: []string{"1:{\n \"a\": 1\n}"}},
	{name: "objects on one line", in: "{\"a\":1}{\"b\":2} {\"c\":3}\n{\"d\":4}", want: []string{`1:{"a":1}`, `1:{"b":2}`, `1:{"c":3}`, `2:{"d":4}`}},
	{name: "stream with non-objects", in: "{\n\"a\":1}\n42\n\"s\" [1]\n{\"b\":2}", want: []string{"1:{\n\"a\":1}", `3!object`, `4!object`, `4!object`, `5:{"b":2}`}},
	{name: "stream garbage between", in: "{\n\"a\":1}\nxyz\n{\"b\":2}\n", want: []string{"1:{\n\"a\":1}", `3!syntax`, `4:{"b":2}`}},
	{
		name: "stream syntax error resyncs",
		in:   "{\n  \"a\": 1 2\n}\n{\n  \"b\": 2\n}\n",
		want: []string{`1!syntax`, "4:{\n  \"b\": 2\n}"},
	},
	{
		name: "stream missing brace costs one record",
		in:   "{\n  \"a\": {\n    \"x\": 1\n}\n{\n  \"b\": {\n    \"n\": [\n      {\"y\": 2}\n    ]\n  }\n}\n",
		want: []string{`1!syntax`, "5:{\n  \"b\": {\n    \"n\": [\n      {\"y\": 2}\n    ]\n  }\n}"},
	},
	{
		name: "stream cut record swallows the next",
		in:   "{\n\"a\":\n{\"b\":2}\n{\"c\":3}\n",
		want: []string{`1!syntax`, `3:{"b":2}`, `4:{"c":3}`},
	},
	{
		name: "stream cut record at the end",
		in:   "{\n\"a\": 1}\n{\n\"b\": [\n{\"c\":3}\n",
		want: []string{"1:{\n\"a\": 1}", `3!truncated`, `5:{"c":3}`},
	},
	{
		name: "stream newline in string",
		in:   "{\n  \"a\": \"x\n\"}\n{\n  \"b\": 2\n}\n",
		want: []string{`1!syntax`, "4:{\n  \"b\": 2\n}"},
	},
	{
		name: "stream truncated last",
		in:   "{\n  \"a\": 1\n}\n{\n  \"b\": [\n    2,\n",
		want: []string{"1:{\n  \"a\": 1\n}", `4!truncated`},
	},
	{name: "stream stray closers", in: "{\n\"a\":1}\n}\n]\n{\"b\":2}\n", want: []string{"1:{\n\"a\":1}", `3!syntax`, `5:{"b":2}`}},
	{
		name: "stream record too large",
		in:   "{\n\"a\":1}\n{\n\"b\":\"" + strings.Repeat("x", 100) + "\"\n}\n{\n\"c\":3}\n",
		max:  64,
		want: []string{"1:{\n\"a\":1}", `3!large`, "6:{\n\"c\":3}"},
	},
	{
		name: "stream record one over the limit in the buffer",
		in:   "{\n\"a\":\"" + strings.Repeat("x", 16) + "\"}\n{\"b\":1}",
		max:  24,
		want: []string{`1!large`, `3:{"b":1}`},
	},
	{
		name: "stream record at the limit",
		in:   "{\n\"a\":\"" + strings.Repeat("x", 15) + "\"}\n{\"b\":1}",
		max:  24,
		want: []string{"1:{\n\"a\":\"" + strings.Repeat("x", 15) + "\"}", `3:{"b":1}`},
	},
	{name: "stream top-level number at end", in: "{\n\"a\":1}\n12", want: []string{"1:{\n\"a\":1}", `3!object`}},
	{name: "stream truncated number", in: "{\n\"a\":1}\n12e", want: []string{"1:{\n\"a\":1}", `3!truncated`}},
	{name: "deep nesting", in: strings.Repeat("[", maxDepth+5), want: []string{`1!syntax`}},
}

func TestReader(t *testing.T) {
	for _, tt := range readerCases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := NewReader("t", strings.NewReader(tt.in))
			if tt.max > 0 {
				r.max = tt.max
			}
			got := readAll(t, r, 2*len(tt.in)+10)
			if !slices.Equal(tt.want, got) {
				t.Errorf("read %q: got:\n%s\nwant:\n%s", tt.in, lines(got), lines(tt.want))
			}
		})
	}
}

// TestReaderChunking reads every case again through readers that hand over one
// byte, or half of what is asked, at a time, and with a buffer that starts at
// one byte, so that every record and line straddles a refill: the result must
// not change.
func TestReaderChunking(t *testing.T) {
	wraps := map[string]func(io.Reader) io.Reader{
		"one byte": iotest.OneByteReader,
		"half":     iotest.HalfReader,
		"data+err": iotest.DataErrReader,
	}
	for _, tt := range readerCases {
		for wname, wrap := range wraps {
			t.Run(tt.name+"/"+wname, func(t *testing.T) {
				t.Parallel()
				r := NewReader("t", wrap(strings.NewReader(tt.in)))
				r.minBuf = 1
				if tt.max > 0 {
					r.max = tt.max
				}
				got := readAll(t, r, 2*len(tt.in)+10)
				if !slices.Equal(tt.want, got) {
					t.Errorf("read %q: got:\n%s\nwant:\n%s", tt.in, lines(got), lines(tt.want))
				}
			})
		}
	}
}

// TestReaderEncodings reads every case gzipped and as UTF-16, which must give
// what the plain input gives.
func TestReaderEncodings(t *testing.T) {
	for _, tt := range readerCases {
		if !utf8Valid(tt.in) {
			continue // UTF-16 cannot carry invalid UTF-8
		}
		for ename, enc := range map[string]func(string) []byte{
			"gzip": gzipped, "utf16le": func(s string) []byte { return utf16Encoded(s, false) },
			"utf16be": func(s string) []byte { return utf16Encoded(s, true) }, "gzip utf16": func(s string) []byte { return gzipped(string(utf16Encoded(s, false))) },
		} {
			t.Run(tt.name+"/"+ename, func(t *testing.T) {
				t.Parallel()
				in := enc(tt.in)
				r := NewReader("t", iotest.HalfReader(bytes.NewReader(in)))
				if tt.max > 0 {
					r.max = tt.max
				}
				got := readAll(t, r, 2*len(tt.in)+10)
				if !slices.Equal(tt.want, got) {
					t.Errorf("read %q: got:\n%s\nwant:\n%s", tt.in, lines(got), lines(tt.want))
				}
			})
		}
	}
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\ufffd") == s }

func gzipped(s string) []byte {
	var b bytes.Buffer
	z := gzip.NewWriter(&b)
	z.Write([]byte(s))
	z.Close()
	return b.Bytes()
}

// utf16Encoded encodes s as UTF-16 with a byte order mark (replacing a UTF-8
// one, as an editor saving in UTF-16 would).
func utf16Encoded(s string, bigEndian bool) []byte {
	var order binary.AppendByteOrder = binary.LittleEndian
	if bigEndian {
		order = binary.BigEndian
	}
	out := order.AppendUint16(nil, 0xfeff)
	for _, u := range utf16.Encode([]rune(strings.TrimPrefix(s, "\ufeff"))) {
		out = order.AppendUint16(out, u)
	}
	return out
}

func TestErrorText(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
	}{
		{
			name: "jsonl",
			in:   "{\"a\":1}\n{\"a\" 1}\n{\"b\":2} }\n42\n{\"c\":",
			want: []string{
				`t.jsonl:2: invalid JSON: invalid character '1' after object key (column 6)`,
				`t.jsonl:3: invalid JSON: invalid character '}' after top-level value (column 9)`,
				`t.jsonl:4: not a JSON object: found a number`,
				`t.jsonl:5: input ends inside record: unexpected end of JSON input`,
			},
		},
		{
			name: "stream",
			in:   "{\n  \"a\": 1\n}\n  ?\n{\n  \"a\": 1,\n  \"b\": x\n}\n{\n  \"c\": [\n",
			want: []string{
				`t.jsonl:4: invalid JSON: invalid character '?' looking for beginning of value (column 3)`,
				`t.jsonl:5: invalid JSON: invalid character 'x' looking for beginning of value (line 7, column 8)`,
				`t.jsonl:9: input ends inside record: unexpected end of JSON input`,
			},
		},
		{
			name: "array",
			in:   "[\n {\"a\":1}\n {\"b\":2}\n",
			want: []string{
				`t.jsonl:3: invalid JSON: invalid character '{' after array element (column 2)`,
				`t.jsonl:1: input ends inside record: array opened here is not closed`,
			},
		},
		{
			name: "too large",
			in:   "{\"a\":\"" + strings.Repeat("x", 80) + "\"}\n{\n\"b\":\"" + strings.Repeat("x", 80) + "\"}",
			want: []string{
				`t.jsonl:1: record too large: line longer than 64 bytes`,
				`t.jsonl:2: invalid JSON: unexpected end of line`,
				`t.jsonl:3: record too large: line longer than 64 bytes`,
			},
		},
		{
			name: "stream too large",
			in:   "{\n\"a\":1}\n{\n\"b\":\"" + strings.Repeat("x", 80) + "\"}\n",
			want: []string{
				`t.jsonl:3: record too large: record longer than 64 bytes`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewReader("t.jsonl", strings.NewReader(tt.in))
			r.max = 64
			var got []string
			for {
				_, err := r.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					got = append(got, err.Error())
				}
			}
			if !slices.Equal(tt.want, got) {
				t.Errorf("got:\n%s\nwant:\n%s", lines(got), lines(tt.want))
			}
		})
	}
}

// errAfter returns data and then fails with err.
type errAfter struct {
	data []byte
	err  error
}

func (e *errAfter) Read(p []byte) (int, error) {
	if len(e.data) == 0 {
		return 0, e.err
	}
	n := copy(p, e.data)
	e.data = e.data[n:]
	return n, nil
}

func TestReadError(t *testing.T) {
	boom := errors.New("boom")
	for _, in := range []string{"{\"a\":1}\n{\"b\":2}\n{\"c\"", "{\n\"a\":1}\n{\"b\":2}\n{\"c\"", "[{\"a\":1},\n{\"b\":2},\n{\"c\""} {
		r := NewReader("t", &errAfter{data: []byte(in), err: boom})
		var recs int
		for {
			_, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				var e *Error
				line := strings.Count(in, "\n") + 1
				if !errors.Is(err, boom) || !errors.As(err, &e) || e.Line != line {
					t.Errorf("%q: Next = %v; want *Error at line %d wrapping boom", in, err, line)
				}
				if _, err := r.Next(); err != io.EOF {
					t.Errorf("%q: Next after the read error = %v; want io.EOF", in, err)
				}
				break
			}
			recs++
		}
		if recs != 2 {
			t.Errorf("%q: read %d records before the error; want 2", in, recs)
		}
	}
}

func TestCorruptGzip(t *testing.T) {
	var lines strings.Builder
	for i := range 20000 {
		fmt.Fprintf(&lines, "{\"n\":%d,\"pad\":\"%s\"}\n", i, strings.Repeat("ab", i%50))
	}
	z := gzipped(lines.String())
	for name, data := range map[string][]byte{
		"truncated": z[:len(z)/2],
		"flipped":   append(append(append([]byte(nil), z[:len(z)/2]...), ^z[len(z)/2]), z[len(z)/2+1:]...),
		"checksum":  append(append([]byte(nil), z[:len(z)-8]...), 1, 2, 3, 4, 5, 6, 7, 8),
	} {
		t.Run(name, func(t *testing.T) {
			r := NewReader("t.gz", bytes.NewReader(data))
			var recs, ioErrs int
			for {
				_, err := r.Next()
				if err == io.EOF {
					break
				}
				if err != nil && errKind(err) == "io" {
					ioErrs++
				} else if err == nil {
					recs++
				}
			}
			// A bad checksum is found after all the data is out.
			if ioErrs != 1 || (recs >= 20000) != (name == "checksum") {
				t.Errorf("read %d records and %d read errors", recs, ioErrs)
			}
		})
	}
}

func TestBinaryEVTX(t *testing.T) {
	r := NewReader("x.evtx", strings.NewReader("ElfFile\x00\x00\x00\x00\x00\x00\x00\x00\x00"))
	_, err := r.Next()
	if err == nil || !strings.Contains(err.Error(), "x.evtx:1: binary EVTX is not supported") {
		t.Errorf("Next = %v; want the binary EVTX error", err)
	}
	if _, err := r.Next(); err != io.EOF {
		t.Errorf("second Next = %v; want io.EOF", err)
	}
}

// TestHugeLine reads a 5 MB line between ordinary ones, then the same record
// pretty-printed.
func TestHugeLine(t *testing.T) {
	big := `{"CommandLine":"` + strings.Repeat(`powershell -enc AAAA\\ `, 5<<20/23) + `"}`
	for name, in := range map[string]string{
		"jsonl":  "{\"a\":1}\n" + big + "\r\n{\"b\":2}\n",
		"stream": "{\n\"a\":1\n}\n" + big + "\n{\n\"b\":2\n}\n",
		"array":  "[{\"a\":1},\n" + big + ",\n{\"b\":2}]\n",
	} {
		t.Run(name, func(t *testing.T) {
			r := NewReader("t", strings.NewReader(in))
			var got []Record
			for {
				rec, err := r.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				rec.Raw = bytes.Clone(rec.Raw)
				got = append(got, rec)
			}
			if len(got) != 3 || string(got[1].Raw) != big || got[2].Line != got[1].Line+1 {
				t.Fatalf("read %d records; want 3 with the big one second, and line numbers in order", len(got))
			}
		})
	}
}

// TestMaxRecordSize checks the real limit with a line of exactly
// MaxRecordSize bytes and one a byte longer, streamed from a generator so
// the test holds only the Reader's own buffer.
func TestMaxRecordSize(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates 64 MiB")
	}
	for _, size := range []int{MaxRecordSize, MaxRecordSize + 1} {
		head, tail := `{"a":1}`+"\n"+`{"big":"`, `"}`+"\n"+`{"b":2}`+"\n"
		pad := size - len(`{"big":""}`)
		src := io.MultiReader(strings.NewReader(head), &repeatReader{c: 'x', n: pad}, strings.NewReader(tail))
		r := NewReader("t", src)
		var got []string
		for {
			rec, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				got = append(got, errKind(err))
				continue
			}
			got = append(got, fmt.Sprintf("%d:%d", rec.Line, len(rec.Raw)))
		}
		want := []string{"1:7", fmt.Sprintf("2:%d", size), "3:7"}
		if size > MaxRecordSize {
			want[1] = "large"
		}
		if !slices.Equal(want, got) {
			t.Errorf("record of %d bytes: got:\n%s\nwant:\n%s", size, lines(got), lines(want))
		}
	}
}

// repeatReader yields n copies of c.
type repeatReader struct {
	c byte
	n int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	p = p[:min(len(p), r.n)]
	for i := range p {
		p[i] = r.c
	}
	r.n -= len(p)
	return len(p), nil
}

// TestNoAllocsPerRecord holds the hot path to its promise: once the buffer
// is in place, reading a record allocates nothing.
func TestNoAllocsPerRecord(t *testing.T) {
	for name, data := range map[string][]byte{
		"jsonl":  genJSONL(2000),
		"stream": genPretty(2000),
	} {
		t.Run(name, func(t *testing.T) {
			r := NewReader("t", bytes.NewReader(data))
			if _, err := r.Next(); err != nil { // sniffing and the buffer
				t.Fatal(err)
			}
			allocs := testing.AllocsPerRun(1000, func() {
				if _, err := r.Next(); err != nil {
					t.Fatal(err)
				}
			})
			if allocs != 0 {
				t.Errorf("%v allocations per record; want 0", allocs)
			}
		})
	}
}

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	jsonl := "{\"a\":1}\n{\"b\":2}\n"
	for _, p := range []string{
		write("a.jsonl", []byte(jsonl)),
		write("a.jsonl.gz", gzipped(jsonl)),
		write("a.json", []byte("[\n"+strings.ReplaceAll(strings.TrimSpace(jsonl), "\n", ",\n")+"\n]")),
		write("gz-not-gzip.json.gz", []byte(jsonl)),
	} {
		r, err := Open(p)
		if err != nil {
			t.Fatal(err)
		}
		got := readAll(t, r, 100)
		if len(got) != 2 || !strings.HasSuffix(got[0], `{"a":1}`) || !strings.HasSuffix(got[1], `{"b":2}`) {
			t.Errorf("%s: read %q", p, got)
		}
		if err := r.Close(); err != nil {
			t.Errorf("%s: Close = %v", p, err)
		}
		if err := r.Close(); err != nil {
			t.Errorf("%s: second Close = %v", p, err)
		}
		if _, err := r.Next(); err != io.EOF {
			t.Errorf("%s: Next after Close = %v; want io.EOF", p, err)
		}
	}
	if _, err := Open(filepath.Join(dir, "missing.jsonl")); !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "missing.jsonl") {
		t.Errorf("Open(missing) = %v; want a not-exist error naming the file", err)
	}
	if _, err := Open(dir); err == nil || !strings.Contains(err.Error(), dir) {
		t.Errorf("Open(dir) = %v; want an error naming the directory", err)
	}
}

// lines renders a list one quoted item per line, for failure messages.
func lines(items []string) string {
	var b strings.Builder
	for _, s := range items {
		fmt.Fprintf(&b, "\t%q\n", s)
	}
	return b.String()
}

// TestUnchecked: an Unchecked reader hands over every non-blank line of
// JSON-lines input as it is, with its line number, bad JSON included;
// pretty-printed input is still scanned for its records.
func TestUnchecked(t *testing.T) {
	in := "{\"a\": 1}\n\n  {\"b\": \n[1, 2]\r\n{\"c\": 3} trailing\n{\"d\": 4}"
	r := NewReader("t", strings.NewReader(in))
	r.Unchecked()
	type rec struct {
		line int
		raw  string
	}
	var got []rec
	for {
		x, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		got = append(got, rec{x.Line, string(x.Raw)})
	}
	want := []rec{{1, `{"a": 1}`}, {3, `{"b":`}, {4, `[1, 2]`}, {5, `{"c": 3} trailing`}, {6, `{"d": 4}`}}
	if !slices.Equal(got, want) {
		t.Errorf("records %v, want %v", got, want)
	}

	// Checked, the same input reports three errors.
	r = NewReader("t", strings.NewReader(in))
	bad := 0
	for {
		_, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			bad++
		}
	}
	if bad != 3 {
		t.Errorf("checked reader: %d errors, want 3", bad)
	}

	// A pretty-printed stream is found by scanning, Unchecked or not.
	r = NewReader("t", strings.NewReader("{\n  \"a\": 1\n}\n{\n  \"b\": 2\n}\n"))
	r.Unchecked()
	n := 0
	for {
		x, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil || x.Raw[0] != '{' || x.Raw[len(x.Raw)-1] != '}' {
			t.Fatalf("stream record %q, %v", x.Raw, err)
		}
		n++
	}
	if n != 2 {
		t.Errorf("%d stream records, want 2", n)
	}
}
