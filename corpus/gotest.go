package corpus

import (
	"flag"
	"testing"

	"github.com/tanchi-dev/tanchi/engine"
)

// Run runs the cases under dir as subtests of t, one per case, named after
// the case: the case directories (tanchi cases, SigmaHQ regression folders,
// golden cases) and the inline tests of eng's rules whose files lie under
// dir. Cases that name rules run on eng; cases that bring rule files run on
// their own rules. A directory without cases fails with "no cases found":
// a suite never passes by running nothing.
//
// Golden files are rewritten instead of compared when the test binary has
// a boolean flag named "update" that is set; declare it in the test package
// as go/doc and gofmt do:
//
//	var _ = flag.Bool("update", false, "rewrite golden files")
func Run(t *testing.T, eng *engine.Engine, dir string) {
	t.Helper()
	s := &Suite{Engine: eng, Update: UpdateFlag()}
	s.Test(t, dir)
}

// RunInline runs the tests attached to eng's rules (DSL test blocks,
// sigma-test testcases) as subtests of t. It fails with "no cases found"
// when no rule has a test.
func RunInline(t *testing.T, eng *engine.Engine) {
	t.Helper()
	s := &Suite{Engine: eng}
	cases := InlineCases(eng.Rules(), "")
	if len(cases) == 0 {
		t.Fatalf("no cases found: none of the %d rules has a test attached", len(eng.Rules()))
	}
	s.TestCases(t, cases)
}

// Test runs the cases under dir as subtests of t (see Run).
func (s *Suite) Test(t *testing.T, dir string) {
	t.Helper()
	cases, err := s.Cases(dir)
	if err != nil {
		t.Error(err)
	}
	if len(cases) == 0 {
		t.Fatalf("%s: no cases found", dir)
	}
	s.TestCases(t, cases)
}

// TestCases runs cases as subtests of t: a failure reports each problem
// with t.Error, a skipped case calls t.Skip, and a passing case logs what
// it found (shown with go test -v).
func (s *Suite) TestCases(t *testing.T, cases []*Case) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			r := s.Run(c)
			switch r.Status {
			case Skipped:
				t.Skip(r.Skip)
			case Failed:
				for _, f := range r.Failures {
					t.Error(f.String())
				}
			default:
				t.Log(r.Summary())
			}
		})
	}
}

// UpdateFlag reports whether the test binary was run with -update: it
// looks up a boolean flag named "update", which the test package declares.
// It is false when there is no such flag.
func UpdateFlag() bool {
	f := flag.Lookup("update")
	if f == nil {
		return false
	}
	g, ok := f.Value.(flag.Getter)
	if !ok {
		return false
	}
	b, _ := g.Get().(bool)
	return b
}
