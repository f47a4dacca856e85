package corpus

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/tanchi-dev/tanchi/internal/sharedtest"
)

// manifestEntry is the part of a corpus manifest line this test checks.
type manifestEntry struct {
	File        string `json:"file"`   // events file, relative to the corpus folder
	Events      *int   `json:"events"` // records in it; absent when the source was skipped
	Error       string `json:"error"`  // why the source was skipped (too big for the snapshot)
	ChunkErrors int    `json:"chunk_errors"`
}

// TestSharedCorpora reads every events file of every corpus under
// ../shared/corpora and checks the record count against the manifest.
//
// Manifest lines come in three kinds, and each is checked for what it says:
//   - "error" set (the .evtx was too big for the snapshot): no events file.
//   - "events": 0 (the converter found no events): no events file either.
//   - otherwise: the file holds exactly "events" records and no bad ones.
//     "chunk_errors" counts EVTX records the converter could not decode;
//     they never reached the JSONL, so they do not change the count.
//
// Every events file must also appear in its manifest.
func TestSharedCorpora(t *testing.T) {
	root := sharedtest.Path(t, "corpora")
	manifests, err := filepath.Glob(filepath.Join(root, "*", "manifest.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if len(manifests) == 0 {
		t.Fatalf("no manifest.jsonl under %s", root)
	}
	for _, m := range manifests {
		dir := filepath.Dir(m)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			entries := readManifest(t, m)
			listed := make(map[string]bool)
			var files, events, skipped, empty, withChunkErrors int
			for _, e := range entries {
				p := filepath.Join(dir, filepath.FromSlash(e.File))
				listed[p] = true
				_, statErr := os.Stat(p)
				switch {
				case e.Error != "" || e.Events == nil:
					skipped++
					if statErr == nil {
						t.Errorf("%s: manifest says it was skipped (%q), yet the file exists", e.File, e.Error)
					}
					continue
				case *e.Events == 0:
					empty++
					if statErr == nil {
						t.Errorf("%s: manifest says 0 events, yet the file exists", e.File)
					}
					continue
				}
				if e.ChunkErrors > 0 {
					withChunkErrors++
				}
				n, errs := countRecords(t, p)
				for _, err := range errs {
					t.Errorf("%v", err)
				}
				if n != *e.Events {
					t.Errorf("%s: read %d records; manifest says %d", e.File, n, *e.Events)
				}
				files++
				events += n
			}
			all, err := Files(filepath.Join(dir, "events"))
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range all {
				if !listed[p] {
					t.Errorf("%s is not in the manifest", p)
				}
			}
			if files == 0 {
				t.Errorf("no events files read")
			}
			checkStats(t, dir, files+empty, events)
			t.Logf("%d files, %d events (%d files with chunk errors); manifest also lists %d skipped sources and %d without events",
				files, events, withChunkErrors, skipped, empty)
		})
	}
}

// checkStats compares the totals with stats.json, where a corpus has one.
// Its "files" counts every converted source, including those without events.
func checkStats(t *testing.T, dir string, files, events int) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "stats.json"))
	if errors.Is(err, os.ErrNotExist) {
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	var stats struct{ Files, Events *int }
	if err := json.Unmarshal(data, &stats); err != nil {
		t.Fatalf("stats.json: %v", err)
	}
	if stats.Events != nil && *stats.Events != events {
		t.Errorf("stats.json: %d events; read %d", *stats.Events, events)
	}
	if stats.Files != nil && *stats.Files != files {
		t.Errorf("stats.json: %d files; manifest lists %d converted", *stats.Files, files)
	}
}

// readManifest reads a manifest with this package's own Reader.
func readManifest(t *testing.T, path string) []manifestEntry {
	t.Helper()
	var out []manifestEntry
	err := Walk([]string{path}, func(r Record) error {
		var e manifestEntry
		if err := json.Unmarshal(r.Raw, &e); err != nil {
			return err
		}
		if e.File == "" {
			t.Errorf("%s:%d: no file", r.File, r.Line)
		}
		out = append(out, e)
		return nil
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// countRecords reads a file and returns its number of records and its errors.
func countRecords(t *testing.T, path string) (int, []error) {
	t.Helper()
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	n, prev := 0, 0
	var errs []error
	for {
		rec, err := r.Next()
		if err == io.EOF {
			return n, errs
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if rec.Line <= prev {
			errs = append(errs, errors.New(path+": line numbers do not increase"))
		}
		prev = rec.Line
		n++
	}
}

// TestSharedRegressionData reads SigmaHQ's regression events (pretty-printed
// objects, one or several per file): every file must read without errors and
// give the same values, byte for byte, as encoding/json's Decoder, with the
// first one on the line where the file's first '{' is.
func TestSharedRegressionData(t *testing.T) {
	root := sharedtest.Path(t, "sigma", "regression_data")
	files, err := Files(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no cases found under %s", root)
	}
	var records, multi int
	for _, p := range files {
		rel, _ := filepath.Rel(root, p)
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var want []json.RawMessage
		dec := json.NewDecoder(bytes.NewReader(data))
		for {
			var v json.RawMessage
			if err := dec.Decode(&v); err == io.EOF {
				break
			} else if err != nil {
				t.Errorf("%s: encoding/json: %v", rel, err)
				break
			}
			want = append(want, v)
		}

		r := NewReader(rel, bytes.NewReader(data))
		var got [][]byte
		var firstLine int
		for {
			rec, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Errorf("%v", err)
				continue
			}
			if firstLine == 0 {
				firstLine = rec.Line
			}
			got = append(got, bytes.Clone(rec.Raw))
		}
		if len(got) == 0 {
			t.Errorf("%s: no records", rel)
			continue
		}
		if len(got) != len(want) {
			t.Errorf("%s: %d records; encoding/json finds %d values", rel, len(got), len(want))
		}
		for i := range min(len(got), len(want)) {
			if !bytes.Equal(got[i], want[i]) {
				t.Errorf("%s: record %d differs from encoding/json's value", rel, i+1)
			}
		}
		trimmed := bytes.TrimLeft(data, " \t\r\n\ufeff")
		if want := bytes.Count(data[:len(data)-len(trimmed)], []byte{'\n'}) + 1; firstLine != want {
			t.Errorf("%s: first record on line %d; want %d", rel, firstLine, want)
		}
		records += len(got)
		if len(got) > 1 {
			multi++
		}
	}
	t.Logf("%d files, %d records (%d files hold more than one)", len(files), records, multi)
}
