package corpus_test

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tanchi-dev/tanchi/corpus"
)

// go-cmp puts non-breaking spaces into its diffs at random, so that nobody
// depends on their exact form; golden files hold plain spaces.
func stableDiff(s string) string { return strings.ReplaceAll(s, "\u00a0", " ") }

// TestFailureMessages runs the cases under testdata/failing, each wrong on
// purpose, and compares what the runner says about each with
// testdata/failing.golden: a must-match case shows the evaluated condition
// of the events that did not match, a must-not-match case the events that
// did with the comparisons that held, a golden case the diff, a misspelt
// rule id the closest loaded one.
func TestFailureMessages(t *testing.T) {
	eng := loadEngine(t, "testdata/failing/rules")
	s := &corpus.Suite{Engine: eng}
	cases, err := s.Cases("testdata/failing")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, c := range cases {
		r := s.Run(c)
		if r.Status != corpus.Failed {
			t.Errorf("%s: status %s, want fail", c.Name, r.Status)
		}
		b.WriteString(r.String())
		b.WriteString("\n\n")
	}
	got := stableDiff(b.String())
	const golden = "testdata/failing.golden"
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("failure messages differ from %s (-want +got); run go test -update to accept:\n%s", golden, diff)
	}
}

// TestDeliberatelyFailing is run by TestGoTestOutput in a child process;
// on its own it skips.
func TestDeliberatelyFailing(t *testing.T) {
	dir := os.Getenv("CORPUS_FAILING_DIR")
	if dir == "" {
		t.Skip("run by TestGoTestOutput")
	}
	var eng = loadEngine(t, "testdata/failing/rules")
	corpus.Run(t, eng, dir)
}

// TestGoTestOutput runs the failing cases through corpus.Run under go test
// (this test binary, in a child process) and checks what a rule author sees:
// one failing subtest per case, each failure message as the runner renders
// it, and the test binary failing. An empty directory fails with "no cases
// found".
func TestGoTestOutput(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the test binary again")
	}
	run := func(dir string) (string, error) {
		cmd := exec.Command(os.Args[0], "-test.run=^TestDeliberatelyFailing$", "-test.v")
		cmd.Env = append(os.Environ(), "CORPUS_FAILING_DIR="+dir)
		out, err := cmd.CombinedOutput()
		return stableDiff(string(out)), err
	}
	out, err := run("testdata/failing")
	if err == nil {
		t.Fatalf("the failing cases passed:\n%s", out)
	}
	for _, want := range []string{
		"--- FAIL: TestDeliberatelyFailing/missed ",
		"--- FAIL: TestDeliberatelyFailing/too-many ",
		"--- FAIL: TestDeliberatelyFailing/noisy ",
		"--- FAIL: TestDeliberatelyFailing/unknown-rule ",
		"--- FAIL: TestDeliberatelyFailing/golden-diff ",
		"--- FAIL: TestDeliberatelyFailing/bad-case ",
		"--- FAIL: TestDeliberatelyFailing/regression/cleared-three ",
		"--- FAIL: TestDeliberatelyFailing/rules/shell/match_1 ",
		"--- FAIL: TestDeliberatelyFailing/rules/shell/dont-match_1 ",
		"testdata/failing/missed/case.yml:3:5: rule 7c0f8a6e-3c51-4f38-9d0e-1b2a3c4d5e01 \"Office Application Starts a Shell\": 0 of 3 events matched, want at least 1",
		"              [ ] Image|endswith: [\"\\\\cmd.exe\", \"\\\\powershell.exe\"]    (event: \"C:\\\\Windows\\\\System32\\\\wscript.exe\")",
		"testdata/failing/rules/shell.yml:25:7: test \"dont-match 1\": the rule must not match this event, and does",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("go test output lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("output:\n%s", out)
	}
	// Every failure line the runner renders appears in go test's output,
	// indented by go test.
	golden, err := os.ReadFile("testdata/failing.golden")
	if err != nil {
		t.Fatal(err)
	}
	first := regexp.MustCompile(`(?m)^FAIL [^:]+(?: \([0-9a-f-]+\))?: (.+)$`)
	for _, m := range first.FindAllStringSubmatch(string(golden), -1) {
		if strings.HasSuffix(m[1], " failures") {
			continue
		}
		if !strings.Contains(out, m[1]) {
			t.Errorf("go test output lacks the failure %q", m[1])
		}
	}

	out, err = run(t.TempDir())
	if err == nil || !strings.Contains(out, ": no cases found") {
		t.Errorf("an empty directory must fail with \"no cases found\" (err %v):\n%s", err, out)
	}
}
