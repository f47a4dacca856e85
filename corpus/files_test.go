package corpus

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// tree writes files (path -> content) under a new temporary directory.
func tree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestIsEventFile(t *testing.T) {
	for name, want := range map[string]bool{
		"a.json": true, "a.jsonl": true, "a.ndjson": true, "a.json.gz": true, "a.jsonl.gz": true,
		"a.ndjson.gz": true, "A.JSON": true, "b.JSONL.GZ": true, "dir/x.json": true,
		"a.yml": false, "a.gz": false, "a.json.bak": false, "a.jsonx": false, ".json": false,
		"json": false, "a.tar.gz": false, "a.evtx": false,
	} {
		if got := IsEventFile(name); got != want {
			t.Errorf("IsEventFile(%q) = %v; want %v", name, got, want)
		}
	}
}

func TestFiles(t *testing.T) {
	dir := tree(t, map[string]string{
		"b.json":            "{}",
		"a/z.jsonl":         "{}",
		"a/y.NDJSON":        "{}",
		"a/x.jsonl.gz":      "",
		"a/notes.txt":       "",
		"a/rules.yml":       "",
		"a/.hidden.json":    "{}",
		".git/objects.json": "{}",
		"c/.cache/e.json":   "{}",
		"c/d/e.json":        "{}",
		"empty/keep.txt":    "",
	})
	j := func(p string) string { return filepath.Join(dir, filepath.FromSlash(p)) }
	tests := []struct {
		name string
		in   []string
		want []string
	}{
		{"directory", []string{dir}, []string{j("a/x.jsonl.gz"), j("a/y.NDJSON"), j("a/z.jsonl"), j("b.json"), j("c/d/e.json")}},
		{"file as given", []string{j("a/notes.txt")}, []string{j("a/notes.txt")}},
		{"hidden file as given", []string{j("a/.hidden.json")}, []string{j("a/.hidden.json")}},
		{"order of arguments kept", []string{j("c"), "-", j("b.json"), j("a")}, []string{j("c/d/e.json"), "-", j("b.json"), j("a/x.jsonl.gz"), j("a/y.NDJSON"), j("a/z.jsonl")}},
		{"hidden directory as given", []string{j(".git")}, []string{j(".git/objects.json")}},
		{"empty directory", []string{j("empty")}, nil},
		{"nothing", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Files(tt.in...)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Files(%q):\ngot  %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}

	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(j("c"), link); err != nil {
		t.Fatal(err)
	}
	if got, err := Files(link); err != nil || !slices.Equal(got, []string{filepath.Join(link, "d", "e.json")}) {
		t.Errorf("Files(link to a directory) = %q, %v; want the file under it, named through the link", got, err)
	}

	missing := j("nope/missing.jsonl")
	if _, err := Files(j("b.json"), missing); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), missing) {
		t.Errorf("Files(missing) error = %v; want a not-exist error naming %s", err, missing)
	}
}

func TestWalk(t *testing.T) {
	dir := tree(t, map[string]string{
		"1.jsonl":     "{\"n\":1}\n{\"n\":2\n{\"n\":3}\n",
		"2.json":      "[\n {\"n\":4},\n 42,\n {\"n\":5}\n]\n",
		"3.json.gz":   string(gzipped("{\n \"n\": 6\n}\n{\n \"n\": 7\n}\n")),
		"4.jsonl.gz":  truncatedGzip("{\"n\":8}\n" + string(genJSONL(100))),
		"5.ndjson":    "{\"n\":9}\n",
		"skip.txt":    "{\"n\":0}\n",
		"sub/6.jsonl": "{\"n\":10}",
	})
	var recs, errs []string
	fn := func(r Record) error {
		var ev struct{ N int }
		if err := json.Unmarshal(r.Raw, &ev); err != nil {
			t.Errorf("%s:%d: %v", r.File, r.Line, err)
		}
		if ev.N > 0 { // leave out the filler events of 4.jsonl.gz
			recs = append(recs, fmt.Sprintf("%s:%d:%d", filepath.Base(r.File), r.Line, ev.N))
		}
		return nil
	}
	onErr := func(err error) {
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("onErr(%v): not an *Error", err)
			return
		}
		errs = append(errs, fmt.Sprintf("%s:%d:%s", filepath.Base(e.File), e.Line, errKind(err)))
	}
	if err := Walk([]string{dir}, fn, onErr); err != nil {
		t.Fatal(err)
	}
	wantRecs := []string{
		"1.jsonl:1:1", "1.jsonl:3:3", "2.json:2:4", "2.json:4:5", "3.json.gz:1:6", "3.json.gz:4:7",
		"4.jsonl.gz:1:8", "5.ndjson:1:9", "6.jsonl:1:10",
	}
	wantErrs := []string{"1.jsonl:2:syntax", "2.json:3:object", "4.jsonl.gz:"}
	if !slices.Equal(recs, wantRecs) {
		t.Errorf("records:\ngot  %q\nwant %q", recs, wantRecs)
	}
	// The truncated gzip stops at a line that depends on how much inflates.
	if len(errs) != 3 || !slices.Equal(errs[:2], wantErrs[:2]) || !strings.HasPrefix(errs[2], wantErrs[2]) || !strings.HasSuffix(errs[2], ":io") {
		t.Errorf("errors:\ngot  %q\nwant %q and a read error in 4.jsonl.gz", errs, wantErrs[:2])
	}

	// An error from fn stops the walk and comes back as is.
	stop := errors.New("stop")
	n := 0
	err := Walk([]string{dir}, func(Record) error {
		if n++; n == 3 {
			return stop
		}
		return nil
	}, func(error) {})
	if err != stop || n != 3 {
		t.Errorf("Walk with fn failing on record 3 = %v after %d records; want stop after 3", err, n)
	}

	// Without onErr, the first problem ends the walk.
	err = Walk([]string{dir}, func(Record) error { return nil }, nil)
	var e *Error
	if !errors.As(err, &e) || filepath.Base(e.File) != "1.jsonl" || e.Line != 2 || !errors.Is(err, ErrSyntax) {
		t.Errorf("Walk without onErr = %v; want the syntax error at 1.jsonl:2", err)
	}

	// A missing path fails before anything is read.
	n = 0
	err = Walk([]string{dir, filepath.Join(dir, "missing")}, func(Record) error { n++; return nil }, func(error) {})
	if !errors.Is(err, fs.ErrNotExist) || n != 0 {
		t.Errorf("Walk with a missing path = %v after %d records; want a not-exist error before any", err, n)
	}
}

// truncatedGzip gzips s and cuts the result in half.
func truncatedGzip(s string) string {
	z := gzipped(s)
	return string(z[:len(z)/2])
}
