package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/tanchi-dev/tanchi/internal/sharedtest"
)

const exampleRules = "../../examples/rules"
const exampleStory = "../../examples/events/host-story.jsonl"

func runCLI(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var o, e bytes.Buffer
	code = run(args, &o, &e)
	return o.String(), e.String(), code
}

func TestScanJSONL(t *testing.T) {
	out, errOut, code := runCLI(t, "scan", "-r", exampleRules, exampleStory)
	if code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 9 {
		t.Fatalf("got %d detections, want 9:\n%s", len(lines), out)
	}
	for _, l := range lines {
		var d struct {
			Rule   map[string]json.RawMessage `json:"rule"`
			Source struct {
				File string
				Line int
			} `json:"source"`
			Event   map[string]any      `json:"event"`
			Actions []string            `json:"actions"`
			Matched []map[string]string `json:"matched"`
		}
		if err := json.Unmarshal([]byte(l), &d); err != nil {
			t.Fatalf("bad JSON line %q: %v", l, err)
		}
		for _, k := range []string{"id", "title", "level", "tags"} {
			if _, ok := d.Rule[k]; !ok {
				t.Errorf("detection lacks rule.%s: %s", k, l)
			}
		}
		if d.Source.File != exampleStory || d.Source.Line < 1 || d.Event["Event"] == nil || d.Actions == nil || len(d.Matched) == 0 {
			t.Errorf("incomplete detection: %s", l)
		}
	}
	if !strings.Contains(errOut, "9 detections") {
		t.Errorf("summary does not count 9 detections:\n%s", errOut)
	}
}

func TestScanNoIndexSameOutput(t *testing.T) {
	a, _, _ := runCLI(t, "scan", "-r", exampleRules, exampleStory)
	b, _, _ := runCLI(t, "scan", "--no-index", "-r", exampleRules, exampleStory)
	if a != b || a == "" {
		t.Errorf("--no-index output differs:\n%s\nvs\n%s", a, b)
	}
}

func TestScanFlags(t *testing.T) {
	for _, tc := range []struct {
		name  string
		args  []string
		code  int
		lines int
	}{
		{"fail-on-detect", []string{"--fail-on-detect"}, exitFindings, 9},
		{"min-level high", []string{"--min-level", "high"}, exitOK, 7},
		{"table", []string{"--format", "table"}, exitOK, 10},
		{"bad format", []string{"--format", "xml"}, exitUsage, 0},
		{"bad level", []string{"--min-level", "severe"}, exitUsage, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"scan", "-r", exampleRules}, tc.args...)
			out, errOut, code := runCLI(t, append(args, exampleStory)...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tc.code, errOut)
			}
			if n := strings.Count(out, "\n"); n != tc.lines {
				t.Errorf("%d output lines, want %d:\n%s", n, tc.lines, out)
			}
		})
	}
}

// A malformed record is reported with file and line; the records after it
// are still scanned, and the exit code says the input was bad.
func TestScanMalformedInput(t *testing.T) {
	story, err := os.ReadFile(exampleStory)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(story), "\n")
	// Break line 2; line 29 onwards (the attack) must still be detected.
	lines[1] = "{\"Event\": {\"System\": \n"
	f := filepath.Join(t.TempDir(), "broken.jsonl")
	os.WriteFile(f, []byte(strings.Join(lines, "")), 0o644)
	out, errOut, code := runCLI(t, "scan", "-r", exampleRules, f)
	if code != exitUsage {
		t.Errorf("exit %d, want %d", code, exitUsage)
	}
	if !strings.Contains(errOut, f+":2:") {
		t.Errorf("stderr does not name %s:2:\n%s", f, errOut)
	}
	if n := strings.Count(out, "\n"); n != 9 {
		t.Errorf("%d detections after a malformed line, want all 9", n)
	}
}

func TestCheckJSON(t *testing.T) {
	out, errOut, code := runCLI(t, "check", "--json", "-r", exampleRules)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rep checkReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Files != 8 || rep.Rules != 8 || rep.Loaded != 8 || len(rep.Unsupported) != 0 || len(rep.Errors) != 0 {
		t.Errorf("report %+v, want 8 files, 8 rules all loaded", rep)
	}
}

func TestCheckReportsEveryBadRule(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	good := "title: Good\nid: 11111111-1111-4111-8111-111111111111\nlogsource: {product: windows}\ndetection:\n  sel:\n    Image|endswith: '\\x.exe'\n  condition: sel\n"
	write("a_good.yml", good)
	write("b_modifier.yml", "title: Bad modifier\nlogsource: {product: windows}\ndetection:\n  sel:\n    Image|endswiht: x\n  condition: sel\n")
	write("c_condition.yml", "title: Undefined\nlogsource: {product: windows}\ndetection:\n  sel:\n    Image: x\n  condition: sel and filter\n")
	write("d_dup.yml", strings.Replace(good, "title: Good", "title: Duplicate", 1))
	write("e_corr.yml", "title: Many\nid: 22222222-2222-4222-8222-222222222222\ncorrelation:\n  type: event_count\n  rules: [11111111-1111-4111-8111-111111111111]\n  group-by: [Computer]\n  timespan: 1h\n  condition: {gte: 10}\n")
	out, _, code := runCLI(t, "check", "--json", "-r", dir)
	if code != exitFindings {
		t.Errorf("exit %d, want %d", code, exitFindings)
	}
	var rep checkReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Files != 5 || rep.Loaded != 1 {
		t.Errorf("files %d loaded %d, want 5 and 1", rep.Files, rep.Loaded)
	}
	want := []struct {
		file      string
		line, col int
		text      string
	}{
		{"b_modifier.yml", 5, 11, "unknown modifier \"endswiht\""},
		{"c_condition.yml", 6, 22, "\"filter\", which is not defined"},
		{"d_dup.yml", 1, 1, "already used"},
	}
	if len(rep.Errors) != len(want) {
		t.Fatalf("errors %+v, want %d", rep.Errors, len(want))
	}
	for i, w := range want {
		e := rep.Errors[i]
		if filepath.Base(e.File) != w.file || e.Line != w.line || e.Col != w.col || !strings.Contains(e.Message, w.text) {
			t.Errorf("error %d = %+v, want %s:%d:%d %q", i, e, w.file, w.line, w.col, w.text)
		}
	}
	if len(rep.Unsupported) != 1 || !strings.Contains(rep.Unsupported[0].Reason, "not evaluated") || rep.Unsupported[0].ID == "" {
		t.Errorf("unsupported %+v, want the correlation", rep.Unsupported)
	}
}

func TestTestRegressionLayout(t *testing.T) {
	dir := t.TempDir()
	mk := func(name, ruleID, events string, count int) {
		d := filepath.Join(dir, name)
		os.MkdirAll(d, 0o755)
		info := "id: x\nrule_metadata:\n  - id: " + ruleID + "\nregression_tests_info:\n  - name: Positive\n    type: evtx\n    match_count: " +
			strconv.Itoa(count) + "\n    path: regression_data/" + name + "/" + ruleID + ".evtx\n"
		os.WriteFile(filepath.Join(d, "info.yml"), []byte(info), 0o644)
		os.WriteFile(filepath.Join(d, ruleID+".json"), []byte(events), 0o644)
	}
	ev := `{"Event":{"System":{"Channel":"Security","EventID":1102,"Provider":{"Name":"Microsoft-Windows-Eventlog"}},"UserData":{"LogFileCleared":{"SubjectUserName":"j.doe"}}}}` + "\n"
	mk("cleared", "06a70310-0edd-4832-86f8-061f5c35a639", ev, 1)
	mk("cleared_twice", "06a70310-0edd-4832-86f8-061f5c35a639", ev+ev, 3)
	out, _, code := runCLI(t, "test", "-r", exampleRules, "--regression", dir)
	if code != exitFindings {
		t.Errorf("exit %d, want %d (one case fails)", code, exitFindings)
	}
	if !strings.Contains(out, "FAIL cleared_twice (06a70310-0edd-4832-86f8-061f5c35a639): 2 of 2 events matched, want at least 3") {
		t.Errorf("failure not explained:\n%s", out)
	}
	if !strings.HasSuffix(out, "1 passed, 1 failed\n") {
		t.Errorf("closing line wrong:\n%s", out)
	}
}

func sigmaHQArgs(t *testing.T) []string {
	dir := sharedtest.Path(t, "sigma")
	return []string{"-r", filepath.Join(dir, "rules"), "-r", filepath.Join(dir, "rules-emerging-threats"), "-r", filepath.Join(dir, "rules-threat-hunting")}
}

func TestSigmaHQRegressionCLI(t *testing.T) {
	args := append([]string{"test", "--regression", sharedtest.Path(t, "sigma", "regression_data")}, sigmaHQArgs(t)...)
	out, errOut, code := runCLI(t, args...)
	m := regexp.MustCompile(`(?m)^(\d+) passed, (\d+) failed(, (\d+) skipped)?$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no closing line; exit %d\n%s\n%s", code, out, errOut)
	}
	t.Log(m[0])
	if m[2] != "0" || code != exitOK {
		t.Errorf("regression failures (exit %d):\n%s", code, out)
	}
	if n, _ := strconv.Atoi(m[1]); n < 136 {
		t.Errorf("%d passed, want all 136 runnable cases", n)
	}
}

func TestSigmaHQCheckCLI(t *testing.T) {
	out, _, code := runCLI(t, append([]string{"check", "--json"}, sigmaHQArgs(t)...)...)
	var rep checkReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	t.Logf("files %d rules %d loaded %d unsupported %d errors %d", rep.Files, rep.Rules, rep.Loaded, len(rep.Unsupported), len(rep.Errors))
	if code != exitOK || len(rep.Errors) != 0 {
		t.Errorf("exit %d, errors: %+v", code, rep.Errors)
	}
	if rep.Files != rep.Rules || rep.Loaded+len(rep.Unsupported) != rep.Rules {
		t.Errorf("every file must hold one rule that is either loaded or listed as unsupported: %+v", rep)
	}
	for _, u := range rep.Unsupported {
		if !strings.Contains(u.Reason, "placeholder") {
			t.Errorf("unexpected unsupported rule %s:%d: %s", u.File, u.Line, u.Reason)
		}
	}
}
