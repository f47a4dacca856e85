package corpus_test

import (
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tanchi-dev/tanchi/corpus"
	"github.com/tanchi-dev/tanchi/engine"
	"github.com/tanchi-dev/tanchi/rule"
	"github.com/tanchi-dev/tanchi/rule/sigma"
)

var update = flag.Bool("update", false, "rewrite golden files: want.jsonl of the cases under testdata, and testdata/failing.golden")

func loadEngine(t *testing.T, paths ...string) *engine.Engine {
	t.Helper()
	eng, err := corpus.LoadEngine(paths)
	if err != nil {
		t.Fatal(err)
	}
	return eng
}

// TestRun runs the runner's own cases, one subtest per case, the way a rule
// repository runs its cases with go test.
func TestRun(t *testing.T) {
	eng := loadEngine(t, "testdata/cases/rules")
	corpus.Run(t, eng, "testdata/cases")
}

// Every case layout is found, and named after its directory (or rule file
// and test, for inline tests).
func TestCasesFound(t *testing.T) {
	s := &corpus.Suite{Engine: loadEngine(t, "testdata/cases/rules")}
	cases, err := s.Cases("testdata/cases")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range cases {
		got = append(got, c.Kind.String()+" "+c.Name)
		if r := s.Run(c); r.Status != corpus.Passed {
			t.Errorf("%s", r)
		}
	}
	want := []string{
		"case benign",
		"case golden",
		"case macro",
		"case one-line",
		"case own-rules",
		"regression regression/cleared",
		"case twice",
		"inline rules/shell/match 1",
		"inline rules/shell/dont-match 1",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("cases (-want +got):\n%s", diff)
	}
}

func TestNoCasesFound(t *testing.T) {
	cases, err := corpus.LoadCases(t.TempDir())
	if err != nil || len(cases) != 0 {
		t.Fatalf("empty directory: %d cases, %v", len(cases), err)
	}
	// Run itself must fail on it; that is checked in the subprocess test
	// (TestGoTestOutput), since a failing t cannot be observed from inside.
}

// A case that brings rules counts their inline tests among its checks.
func TestOwnRulesRunTheirTests(t *testing.T) {
	s := &corpus.Suite{}
	cases, err := corpus.LoadCases("testdata/cases/own-rules")
	if err != nil || len(cases) != 1 {
		t.Fatalf("%d cases, %v", len(cases), err)
	}
	r := s.Run(cases[0])
	if r.Status != corpus.Passed {
		t.Fatalf("%s", r)
	}
	// 1 inline test; the golden comparison is not a Check.
	if len(r.Checks) != 1 || r.Events != 4 {
		t.Errorf("checks %+v over %d events; want the inline test over 3 case events + 1 test event", r.Checks, r.Events)
	}
}

// case.yml mistakes fail the case with the position and a suggestion.
func TestCaseFileErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"unknown key", "expects:\n  - exactly: 0\n",
			`case.yml:1:1: unknown key "expects" in case.yml: use description, rules, events, expect, golden, skip; did you mean "expect"?`},
		{"two bounds", "expect:\n  - {rule: x, at_least: 1, exactly: 2}\n",
			"case.yml:2:5: an expectation needs exactly one of at_least: N and exactly: N"},
		{"at least zero", "expect:\n  - at_least: 0\n",
			"case.yml:2:5: at_least: 0 always holds; write exactly: 0 for events the rule must not match"},
		{"negative", "expect:\n  - exactly: -1\n",
			"case.yml:2:14: exactly must be a count of events (0 or more)"},
		{"missing events", "events: [nope.jsonl]\nexpect:\n  - exactly: 0\n",
			`case.yml:1:10: events "nope.jsonl": no such file or directory`},
		{"bad range", "events: [events.jsonl:5-2]\nexpect:\n  - exactly: 0\n",
			`case.yml:1:10: bad line range in "events.jsonl:5-2": want FILE:LINE or FILE:FROM-TO with FROM <= TO`},
		{"nothing to check", "description: x\n",
			"case.yml:1:1: case.yml states nothing to check: add expect: (at_least / exactly per rule) or golden: true"},
		{"no events", "expect:\n  - exactly: 0\n", "no event files"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, "case.yml"), []byte(tc.src), 0o644)
			if tc.name != "no events" {
				os.WriteFile(filepath.Join(dir, "events.jsonl"), []byte(`{"a":1}`+"\n"), 0o644)
			}
			cases, err := corpus.LoadCases(dir)
			if err != nil || len(cases) != 1 {
				t.Fatalf("%d cases, %v", len(cases), err)
			}
			c := cases[0]
			if c.Err == nil {
				t.Fatalf("no error; case %+v", c)
			}
			got := strings.ReplaceAll(c.Err.Error(), dir+string(filepath.Separator), "")
			if !strings.Contains(got, tc.want) {
				t.Errorf("error:\n%s\nwant:\n%s", got, tc.want)
			}
			r := (&corpus.Suite{}).Run(c)
			if r.Status != corpus.Failed {
				t.Errorf("a case that cannot be read must fail, got %s", r)
			}
		})
	}
}

// The regression view keeps the API the engine's SigmaHQ test uses.
func TestRegressionView(t *testing.T) {
	eng := loadEngine(t, "testdata/cases/rules")
	cases, err := corpus.LoadRegression("testdata/cases")
	if err != nil || len(cases) != 1 {
		t.Fatalf("%d cases, %v", len(cases), err)
	}
	res := cases[0].Run(eng)
	if !res.Pass || res.Events != 1 || res.Matched != 1 || res.Err != nil {
		t.Errorf("%+v", res)
	}
	if !strings.HasPrefix(res.String(), "ok   regression/cleared (3e1f7a52-6b0d-4c8e-a1f9-2d4b6c8e0a13): 1 of 1 events matched, want at least 1") {
		t.Errorf("String: %s", res)
	}
	if _, err := corpus.LoadRegression(t.TempDir()); err == nil || !strings.Contains(err.Error(), "no regression cases found") {
		t.Errorf("empty root: %v", err)
	}
}

// Inline tests run from rule.Rule.Tests, whatever filled them: here a rule
// from tanchi's language would carry them the same way. Events may be flat
// or evtx JSON; an evtx event is routed by its channel like any other.
func TestInlineAnySource(t *testing.T) {
	set, err := sigma.Parse("r.yml", []byte("title: Whoami\nid: 5f607182-93a4-4b5c-8d4e-5f60718293a4\nlogsource: {product: windows, category: process_creation}\n"+
		"detection:\n  sel:\n    Image|endswith: '\\whoami.exe'\n  condition: sel\n"))
	if err != nil {
		t.Fatal(err)
	}
	r := set.Rules[0]
	sysmon := func(id int, image string) string {
		return `{"Event":{"System":{"EventID":` + strconv.Itoa(id) + `,"Channel":"Microsoft-Windows-Sysmon/Operational"},"EventData":{"Image":"` + image + `"}}}`
	}
	r.Tests = []rule.Test{
		{Name: "flat", Event: `{"Image":"C:\\Windows\\System32\\whoami.exe"}`, Match: true},
		{Name: "sysmon process creation", Event: sysmon(1, `C:\\x\\whoami.exe`), Match: true},
		{Name: "sysmon file event is not routed", Event: sysmon(11, `C:\\x\\whoami.exe`), Match: false},
		{Name: "other image", Event: `{"Image":"C:\\x\\hostname.exe"}`, Match: false},
	}
	eng, err := engine.Compile(set.Rules)
	if err != nil {
		t.Fatal(err)
	}
	corpus.RunInline(t, eng)
	cases := corpus.InlineCases(eng.Rules(), "")
	if len(cases) != 4 || cases[1].Name != "r/sysmon process creation" {
		t.Fatalf("cases %v", cases)
	}
	// Flipping what a test wants makes it fail, with the reason.
	r.Tests[2].Match = true
	res := (&corpus.Suite{Engine: eng}).Run(cases[2])
	if res.Status != corpus.Failed || !strings.Contains(res.String(), "NOT ROUTED") {
		t.Errorf("%s", res)
	}
}
