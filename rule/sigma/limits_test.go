package sigma_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tanchi-dev/tanchi/rule"
	"github.com/tanchi-dev/tanchi/rule/load"
	"github.com/tanchi-dev/tanchi/rule/sigma"
)

// parseWithin parses src and fails the test when that takes longer than d
// (generous: the limits guard against seconds or minutes, not milliseconds).
func parseWithin(t *testing.T, d time.Duration, src []byte) (*rule.Set, error) {
	t.Helper()
	start := time.Now()
	set, err := sigma.Parse("hostile.yml", src)
	if el := time.Since(start); el > d {
		t.Errorf("Parse took %v, want under %v", el, d)
	}
	return set, err
}

// wantCode fails the test unless err is a rule.ErrorList holding an error
// with code.
func wantCode(t *testing.T, err error, code rule.Code) {
	t.Helper()
	var errs rule.ErrorList
	if !errors.As(err, &errs) {
		t.Fatalf("got %v, want a rule.ErrorList with a %s error", err, code)
	}
	for _, e := range errs {
		if e.Code == code {
			if !e.Pos.IsValid() {
				t.Errorf("%s error has no position: %v", code, e)
			}
			return
		}
	}
	t.Fatalf("no %s error in:\n%v", code, errs)
}

func TestLongValueList(t *testing.T) {
	t.Parallel()
	const n = 10_000
	var b strings.Builder
	b.WriteString(withDetection("    selection:\n        CommandLine|contains:\n"))
	for i := range n {
		fmt.Fprintf(&b, "            - 'value-%05d'\n", i)
	}
	b.WriteString("    condition: selection\n")
	set, err := parseWithin(t, 2*time.Second, []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	m := set.Rules[0].Selection("selection").Expr.(*rule.Match)
	if len(m.Values) != n {
		t.Fatalf("got %d values, want %d", len(m.Values), n)
	}
	if last := m.Values[n-1]; last.S != "value-09999" || last.Pos.Line != 6+n {
		t.Errorf("last value %q at %v", last.S, last.Pos)
	}
}

func TestDeepCondition(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cond string
		ok   bool
	}{
		{"parentheses 300", strings.Repeat("(", 300) + "selection" + strings.Repeat(")", 300), false},
		{"not 300", strings.Repeat("not ", 300) + "selection", false},
		{"mixed 300", strings.Repeat("not (", 150) + "selection" + strings.Repeat(")", 150), false},
		{"unclosed 100000", strings.Repeat("(", 100_000), false},
		{"parentheses 100", strings.Repeat("(", 100) + "selection" + strings.Repeat(")", 100), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src := withDetection("    selection:\n        F: 1\n    condition: " + tt.cond + "\n")
			set, err := parseWithin(t, 2*time.Second, []byte(src))
			if tt.ok {
				if err != nil || len(set.Rules) != 1 {
					t.Fatalf("got %v, want the rule", err)
				}
				return
			}
			wantCode(t, err, rule.ErrLimit)
			if len(set.Rules) != 0 {
				t.Errorf("the rule loaded despite the error")
			}
		})
	}
}

func TestAliasBomb(t *testing.T) {
	t.Parallel()
	// "Billion laughs": nine levels of ten aliases expand to 10^9 values.
	var b strings.Builder
	b.WriteString("title: lol\nlogsource:\n    product: windows\n")
	b.WriteString(`lol0: &lol0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]` + "\n")
	for i := 1; i <= 9; i++ {
		fmt.Fprintf(&b, "lol%d: &lol%d [", i, i)
		for j := range 10 {
			if j > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, "*lol%d", i-1)
		}
		b.WriteString("]\n")
	}
	bomb := b.String()
	tests := []struct {
		name string
		src  string
	}{
		{"in an unknown attribute", bomb + "detection:\n    selection:\n        F: 1\n    condition: selection\n"},
		{"as field values", bomb + "detection:\n    selection:\n        F: *lol9\n    condition: selection\n"},
		{"as keywords", bomb + "detection:\n    keywords: *lol9\n    condition: keywords\n"},
		{"in a correlation", bomb + "correlation:\n    type: event_count\n    rules: [r]\n    condition: *lol9\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			set, err := parseWithin(t, 5*time.Second, []byte(tt.src))
			wantCode(t, err, rule.ErrLimit)
			if len(set.Rules)+len(set.Correlations) != 0 {
				t.Errorf("the bomb loaded")
			}
		})
	}
}

// TestSelfAlias checks that an anchor used inside itself, which yaml.v3
// turns into a cyclic node graph, is bounded.
func TestSelfAlias(t *testing.T) {
	t.Parallel()
	for _, src := range []string{
		withDetection("    selection:\n        F: &a [*a]\n    condition: selection\n"),
		withDetection("    selection: &a\n        F: 1\n        G: *a\n    condition: selection\n"),
		"title: t\nx: &a {k: *a}\n" + withDetection("    selection:\n        F: 1\n    condition: selection\n")[len("title: t\n"):],
	} {
		_, err := parseWithin(t, time.Second, []byte(src))
		wantCode(t, err, rule.ErrLimit)
	}
}

func TestHugeFile(t *testing.T) {
	t.Parallel()
	line := []byte("# padding padding padding padding padding padding padding padding\n")
	src := bytes.Repeat(line, 20<<20/len(line)+1)
	if len(src) < 20<<20 {
		t.Fatalf("built %d bytes", len(src))
	}
	set, err := parseWithin(t, time.Second, src)
	wantCode(t, err, rule.ErrLimit)
	if len(set.Rules) != 0 {
		t.Errorf("loaded %d rules", len(set.Rules))
	}

	// Files are refused before they are read, with the same code.
	path := filepath.Join(t.TempDir(), "huge.yml")
	if err := os.WriteFile(path, src, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = sigma.ParseFile(path)
	wantCode(t, err, rule.ErrLimit)
	_, err = load.Paths(filepath.Dir(path))
	wantCode(t, err, rule.ErrLimit)
}

// TestManyBrokenDocuments checks that resuming after YAML errors stays
// linear: every document of a large file is broken.
func TestManyBrokenDocuments(t *testing.T) {
	t.Parallel()
	doc := "title: t\nlogsource:\n    product: windows\ndetection:\n    selection:\n        F: 1\n      G: 2\n    condition: selection\n---\n"
	const n = 5_000
	src := strings.Repeat(doc, n)
	_, err := parseWithin(t, 10*time.Second, []byte(src))
	var errs rule.ErrorList
	if !errors.As(err, &errs) {
		t.Fatalf("got %v", err)
	}
	if len(errs) != n {
		t.Errorf("got %d errors, want one per document (%d)", len(errs), n)
	}
	for _, e := range errs[:3] {
		if e.Code != rule.ErrSyntax || e.Pos.Line%9 != 7 {
			t.Errorf("got %v, want a syntax error on the G line", e)
		}
	}
}
