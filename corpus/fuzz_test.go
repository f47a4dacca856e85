package corpus

import (
	"bytes"
	"encoding/json"
	"io"
	"slices"
	"testing"
	"testing/iotest"
)

// FuzzReader feeds arbitrary bytes to a Reader. Reading must end (Next
// returns io.EOF within a bound on calls, so it never loops), every record
// must be a valid JSON object on a line that exists, and the result must not
// depend on how the input is chunked or how big the buffer starts.
func FuzzReader(f *testing.F) {
	for _, c := range readerCases {
		f.Add([]byte(c.in))
	}
	f.Add(genPretty(2))
	f.Add(genJSONL(2))
	f.Add([]byte("\ufeff[\r\n {\"a\": [1, {\"b\": null}]},\r\n {\"c\": \"\\u00e9\"}\r\n]\r\n"))
	f.Add(gzipped("{\"a\":1}\n{\"b\":\n"))
	f.Add(utf16Encoded("{\n \"a\": 1\n}\n", false))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		bound := 2*len(data) + 10
		if bytes.HasPrefix(data, []byte{0x1f, 0x8b}) {
			bound = 1 << 20 // gzip can expand
		}
		for _, limit := range []int{MaxRecordSize, 24} {
			r := NewReader("t", bytes.NewReader(data))
			r.max = limit
			want := readAll(t, r, bound)

			r = NewReader("t", iotest.OneByteReader(bytes.NewReader(data)))
			r.max, r.minBuf = limit, 1
			got := readAll(t, r, bound)
			if !slices.Equal(got, want) {
				t.Fatalf("limit %d: read in one-byte chunks:\n%s\nin one go:\n%s", limit, lines(got), lines(want))
			}

			plain := !bytes.HasPrefix(data, []byte{0x1f, 0x8b}) && !bytes.HasPrefix(data, []byte{0xff, 0xfe}) && !bytes.HasPrefix(data, []byte{0xfe, 0xff})
			if !plain {
				continue
			}
			lastLine := bytes.Count(data, []byte{'\n'}) + 1
			r = NewReader("t", bytes.NewReader(data))
			r.max = limit
			for {
				rec, err := r.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					continue
				}
				if !json.Valid(rec.Raw) || rec.Raw[0] != '{' {
					t.Fatalf("record %q is not a JSON object", rec.Raw)
				}
				if rec.Line < 1 || rec.Line > lastLine || !bytes.Contains(data, rec.Raw) {
					t.Fatalf("record %q on line %d of %d is not from the input", rec.Raw, rec.Line, lastLine)
				}
				if len(rec.Raw) > limit {
					t.Fatalf("record of %d bytes passed the limit %d", len(rec.Raw), limit)
				}
			}
		}
	})
}
