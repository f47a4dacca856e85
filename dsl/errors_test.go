package dsl_test

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tanchi-dev/tanchi/dsl"
	"github.com/tanchi-dev/tanchi/engine"
	"github.com/tanchi-dev/tanchi/rule"
)

var update = flag.Bool("update", false, "rewrite the golden files of error tests")

// TestErrors checks the messages of typical mistakes. Each case in
// testdata/errors is a .tdl file (or a directory of them, parsed together)
// with the expected errors in a .golden file beside it: the code, then the
// error as Detail renders it. Rules that parse are also compiled, so that
// errors the engine finds (raw CEL) are covered too. Regenerate with
// go test ./dsl -run TestErrors -update, and review the diff.
func TestErrors(t *testing.T) {
	entries, err := os.ReadDir("testdata/errors")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		name := e.Name()
		if !e.IsDir() && !strings.HasSuffix(name, ".tdl") {
			continue
		}
		n++
		base := strings.TrimSuffix(name, ".tdl")
		t.Run(base, func(t *testing.T) {
			path := filepath.Join("testdata/errors", name)
			files := []string{path}
			if e.IsDir() {
				files, _ = filepath.Glob(filepath.Join(path, "*.tdl"))
			}
			got := renderErrors(t, files)
			if got == "" {
				t.Fatal("no error reported")
			}
			golden := filepath.Join("testdata/errors", base+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if d := cmp.Diff(string(want), got); d != "" {
				t.Errorf("errors differ from %s (-want +got):\n%s", golden, d)
			}
		})
	}
	if n < 20 {
		t.Fatalf("found %d cases in testdata/errors, want at least 20", n)
	}
}

func renderErrors(t *testing.T, files []string) string {
	t.Helper()
	set, err := dsl.ParseFiles(files...)
	var all rule.ErrorList
	if err != nil {
		var el rule.ErrorList
		if !errors.As(err, &el) {
			t.Fatalf("error is %T, want rule.ErrorList", err)
		}
		all = append(all, el...)
	}
	_, err = engine.Compile(set.Rules, engine.WithExclusions(set.Exclusions))
	if err != nil {
		var el rule.ErrorList
		if !errors.As(err, &el) {
			t.Fatalf("compile error is %T, want rule.ErrorList", err)
		}
		all = append(all, el...)
	}
	var b strings.Builder
	for _, e := range all {
		if !e.Pos.IsValid() || e.Pos.File == "" || e.Pos.Col < 1 {
			t.Errorf("error without a full position: %v", e)
		}
		if e.Source == "" {
			e.Source = lineOf(e.Pos)
		}
		b.WriteString("[" + string(e.Code) + "] " + e.Detail() + "\n")
	}
	return b.String()
}

func lineOf(p rule.Pos) string {
	src, err := os.ReadFile(p.File)
	if err != nil {
		return ""
	}
	lines := strings.Split(string(src), "\n")
	if p.Line < 1 || p.Line > len(lines) {
		return ""
	}
	return lines[p.Line-1]
}
