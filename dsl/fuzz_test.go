package dsl_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tanchi-dev/tanchi/dsl"
	"github.com/tanchi-dev/tanchi/rule"
)

// FuzzParse checks that parsing never panics, that a failure is a
// rule.ErrorList whose positions point into the source, and that what
// parses round-trips through Format: formatting is idempotent and the
// formatted source gives the same model.
func FuzzParse(f *testing.F) {
	for _, pattern := range []string{"testdata/*/*.tdl", "testdata/*.tdl", "../examples/rules-dsl/*.tdl"} {
		files, _ := filepath.Glob(pattern)
		for _, p := range files {
			if src, err := os.ReadFile(p); err == nil {
				f.Add(src)
			}
		}
	}
	f.Add([]byte("list l = (\"a\", `b`)\nmacro m = X in l\nrule \"r\" {\n  logsource product=p\n  s = m and Y contains all windash(\"-x\")\n  condition s or cel `true`\n}\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		if len(src) > 64<<10 {
			return
		}
		// Nothing may take long: a hang crashes the fuzzer with the input.
		done := make(chan struct{})
		defer close(done)
		go func() {
			select {
			case <-done:
			case <-time.After(30 * time.Second):
				panic(fmt.Sprintf("FuzzParse: no answer after 30s for %q", src))
			}
		}()
		set, err := dsl.Parse("fuzz.tdl", src)
		checkErr(t, err, src)
		out, ferr := dsl.Format("fuzz.tdl", src)
		checkErr(t, ferr, src)
		if err == nil && ferr != nil {
			t.Fatalf("Parse succeeds but Format fails: %v", ferr)
		}
		if ferr != nil {
			return
		}
		again, err2 := dsl.Format("fuzz.tdl", out)
		if err2 != nil {
			t.Fatalf("formatted source does not parse: %v\n%s", err2, out)
		}
		if string(again) != string(out) {
			t.Fatalf("Format is not idempotent:\n%s", cmp.Diff(string(out), string(again)))
		}
		if err != nil {
			return
		}
		back, err := dsl.Parse("fuzz.tdl", out)
		if err != nil {
			t.Fatalf("formatted source fails: %v\n%s", err, out)
		}
		if d := cmp.Diff(set, back, modelOpts...); d != "" {
			t.Fatalf("model changes when formatted:\n%s", d)
		}
	})
}

func checkErr(t *testing.T, err error, src []byte) {
	t.Helper()
	if err == nil {
		return
	}
	var el rule.ErrorList
	if !errors.As(err, &el) || len(el) == 0 {
		t.Fatalf("error %T is not a non-empty rule.ErrorList: %v", err, err)
	}
	lines := strings.Count(string(src), "\n") + 1
	for _, e := range el {
		if e.Code == "" || e.Pos.File != "fuzz.tdl" || e.Pos.Line < 1 || e.Pos.Line > lines || e.Pos.Col < 1 {
			t.Fatalf("bad error position or code: %+v (source has %d lines)", e, lines)
		}
		_ = e.Detail()
	}
}
