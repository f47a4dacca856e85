package sigma_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tanchi-dev/tanchi/internal/sharedtest"
	"github.com/tanchi-dev/tanchi/rule"
	"github.com/tanchi-dev/tanchi/rule/sigma"
)

// validCodes are the codes an error from Parse may carry.
var validCodes = map[rule.Code]bool{
	rule.ErrSyntax: true, rule.ErrSchema: true, rule.ErrModifier: true, rule.ErrValue: true,
	rule.ErrCondition: true, rule.ErrUndefined: true, rule.ErrDuplicateID: true, rule.ErrLimit: true,
	rule.ErrPlaceholder: true, rule.ErrUnsupported: true,
}

// sigmaHQSample is how many SigmaHQ rule files seed FuzzParse.
const sigmaHQSample = 200

// FuzzParse checks that Parse never panics, that every error is a
// rule.ErrorList of positioned errors with known codes, and that every rule,
// exclusion and correlation it returns is complete: conditions exist and
// name only selections that exist.
func FuzzParse(f *testing.F) {
	// Every rule file in testdata, good and bad.
	n := 0
	err := filepath.WalkDir("testdata", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !sigma.IsRuleFile(path) {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		f.Add(src)
		n++
		return nil
	})
	if err != nil {
		f.Fatal(err)
	}
	if n == 0 {
		f.Fatal("no seed files found under testdata")
	}
	// A sample of SigmaHQ, when ../shared is there.
	for _, path := range sampleSigmaHQ(f, sigmaHQSample) {
		src, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	// Shapes that stress the bounds.
	for _, s := range []string{
		"",
		"---\n---\n",
		"a: &a [*a]\n",
		"title: t\nlogsource: {}\ndetection: {s: {F: 1}, condition: " + strings.Repeat("(", 300) + "s" + strings.Repeat(")", 300) + "}\n",
		"title: t\nlogsource: {}\ndetection: {s: [1, 2], condition: [s, 'not s', '1 of s*']}\n",
		"filter: {rules: [x], s: {F: 1}, condition: not s}\n",
		"correlation: {type: temporal, rules: [a, b], timespan: 1m, group-by: [F]}\n",
	} {
		f.Add([]byte(s))
	}

	f.Fuzz(func(t *testing.T, src []byte) {
		const file = "fuzz.yml"
		set, err := sigma.Parse(file, src)
		if set == nil {
			t.Fatal("Parse returned a nil set")
		}
		if err != nil {
			errs, ok := err.(rule.ErrorList)
			if !ok {
				t.Fatalf("error is a %T, want rule.ErrorList: %v", err, err)
			}
			if len(errs) == 0 {
				t.Fatal("empty rule.ErrorList returned as an error")
			}
			for _, e := range errs {
				if e == nil {
					t.Fatal("nil *rule.Error in the list")
				}
				if !validCodes[e.Code] {
					t.Errorf("unknown code %q: %v", e.Code, e)
				}
				if e.Pos.File != file || e.Pos.Line < 1 || e.Pos.Col < 1 {
					t.Errorf("bad position %+v: %v", e.Pos, e)
				}
				if e.Msg == "" {
					t.Errorf("empty message at %v", e.Pos)
				}
				_ = e.Detail()
			}
		}
		for _, r := range set.Rules {
			if r.Condition == nil {
				t.Errorf("rule %q has no condition", r.Key())
			}
			checkRefs(t, r.Key(), r.Selections, r.Condition)
		}
		for _, x := range set.Exclusions {
			if x.When == nil {
				t.Errorf("exclusion %q has no condition", x.ID)
			}
			if len(x.Rules) == 0 {
				t.Errorf("exclusion %q applies to no rule", x.ID)
			}
			checkRefs(t, x.ID, x.Selections, x.When)
		}
		for _, c := range set.Correlations {
			if c.Type == "" || len(c.Rules) == 0 {
				t.Errorf("correlation %q without type or rules", c.ID)
			}
		}
	})
}

// checkRefs asserts that every selection has an expression and that every
// name the condition uses is one of the selections.
func checkRefs(t *testing.T, owner string, sels []*rule.Selection, cond rule.Expr) {
	t.Helper()
	defined := map[string]bool{}
	for _, s := range sels {
		if s.Expr == nil {
			t.Errorf("%q: selection %q has no expression", owner, s.Name)
		}
		defined[s.Name] = true
	}
	rule.Walk(cond, func(e rule.Expr) bool {
		switch e := e.(type) {
		case *rule.Ref:
			if !defined[e.Name] {
				t.Errorf("%q: condition names %q, which is not a selection", owner, e.Name)
			}
		case *rule.Of:
			if len(e.Names) == 0 {
				t.Errorf("%q: %v resolves to no selection", owner, e)
			}
			for _, n := range e.Names {
				if !defined[n] {
					t.Errorf("%q: %v names %q, which is not a selection", owner, e, n)
				}
			}
		case nil:
			t.Errorf("%q: nil expression in the condition", owner)
		}
		return true
	})
}

// sampleSigmaHQ returns about n rule files spread evenly over SigmaHQ's
// rules folder, or nothing when the shared data is absent: seeding is an
// extra, so a missing folder neither skips nor fails the fuzz test.
func sampleSigmaHQ(f *testing.F, n int) []string {
	tb := &seedTB{TB: f}
	dir := sharedtest.Path(tb, "sigma", "rules")
	if tb.missing {
		f.Log("SigmaHQ rules not found: seeding from testdata only")
		return nil
	}
	var all []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && sigma.IsRuleFile(path) {
			all = append(all, path)
		}
		return err
	})
	if err != nil {
		f.Fatal(err)
	}
	if len(all) <= n {
		return all
	}
	out := make([]string, 0, n)
	for i := range n {
		out = append(out, all[i*len(all)/n])
	}
	return out
}

// seedTB lets sharedtest report a missing folder without skipping or
// failing the fuzz test.
type seedTB struct {
	testing.TB
	missing bool
}

func (tb *seedTB) Skip(args ...any)                  { tb.missing = true }
func (tb *seedTB) Skipf(format string, args ...any)  { tb.missing = true }
func (tb *seedTB) Fatal(args ...any)                 { tb.missing = true }
func (tb *seedTB) Fatalf(format string, args ...any) { tb.missing = true }
