package corpus

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"
)

// benchEvents is how many ~1 KB events the benchmarks read per operation.
const benchEvents = 10000

// benchRead reads data to the end b.N times, checking the record count, and
// reports throughput as MB/s, events/s and allocations. MB/s counts
// uncompressed bytes (size), so formats compare.
func benchRead(b *testing.B, data []byte, size, want int) {
	b.Helper()
	count := func() int {
		r := NewReader("bench", bytes.NewReader(data))
		n := 0
		for {
			_, err := r.Next()
			if err == io.EOF {
				return n
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
	}
	if n := count(); n != want {
		b.Fatalf("read %d records; want %d", n, want)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	total := 0
	for b.Loop() {
		total += count()
	}
	if total != want*b.N {
		b.Fatalf("read %d records in %d runs; want %d each", total, b.N, want)
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkReaderJSONL reads evtx-like JSONL from memory: the scanner's hot
// path, where the reader should cost little next to rule evaluation.
func BenchmarkReaderJSONL(b *testing.B) {
	data := genJSONL(benchEvents)
	benchRead(b, data, len(data), benchEvents)
}

// BenchmarkReader covers the other formats.
func BenchmarkReader(b *testing.B) {
	jsonl := genJSONL(benchEvents)
	pretty := genPretty(benchEvents)
	array := []byte("[\n" + strings.ReplaceAll(strings.TrimSpace(string(jsonl)), "\n", ",\n") + "\n]\n")
	for _, bc := range []struct {
		name string
		data []byte
		size int
	}{
		{"format=pretty", pretty, len(pretty)},
		{"format=array", array, len(array)},
		{"format=jsonl.gz", gzipped(string(jsonl)), len(jsonl)},
	} {
		b.Run(bc.name, func(b *testing.B) { benchRead(b, bc.data, bc.size, benchEvents) })
	}
}

// BenchmarkValidate compares the reader's validator with json.Valid on the
// same records: the reason the package has its own.
func BenchmarkValidate(b *testing.B) {
	lines := bytes.Split(bytes.TrimSpace(genJSONL(1000)), []byte{'\n'})
	size := 0
	for _, l := range lines {
		size += len(l)
	}
	b.Run("impl=json.Valid", func(b *testing.B) {
		b.SetBytes(int64(size))
		for b.Loop() {
			for _, l := range lines {
				if !json.Valid(l) {
					b.Fatal("invalid")
				}
			}
		}
	})
	b.Run("impl=scanner", func(b *testing.B) {
		var s scanner
		b.SetBytes(int64(size))
		for b.Loop() {
			for _, l := range lines {
				if n, st := s.scan(l, true); st != scanDone || n != len(l) {
					b.Fatal("invalid")
				}
			}
		}
	})
}
