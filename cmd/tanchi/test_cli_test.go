package main

import (
	"encoding/json"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

const (
	exampleCases      = "../../examples/cases"
	exampleCaseRules  = "../../examples/cases/rules"
	failingCases      = "../../corpus/testdata/failing"
	failingCasesRules = "../../corpus/testdata/failing/rules"
)

var closingLine = regexp.MustCompile(`(?m)^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?\n\z`)

// counts parses the closing line, which must end the output.
func counts(t *testing.T, out string) (pass, fail, skip int) {
	t.Helper()
	m := closingLine.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("output does not end with the closing line:\n%s", out)
	}
	pass, _ = strconv.Atoi(m[1])
	fail, _ = strconv.Atoi(m[2])
	skip, _ = strconv.Atoi(m[3])
	return
}

func TestTestCaseDirs(t *testing.T) {
	out, errOut, code := runCLI(t, "test", "-r", exampleRules, "-r", exampleCaseRules, exampleCases)
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	if p, f, s := counts(t, out); p != 10 || f != 0 || s != 0 {
		t.Errorf("%d passed, %d failed, %d skipped; want the 6 example cases and 4 inline tests to pass", p, f, s)
	}
	// Quiet unless asked: only the closing line.
	if strings.Count(out, "\n") != 1 {
		t.Errorf("passing cases are printed without -v:\n%s", out)
	}
	out, _, _ = runCLI(t, "test", "-v", "-r", exampleRules, "-r", exampleCaseRules, exampleCases)
	for _, want := range []string{
		"ok   attack-morning: 9 detections as in want.jsonl\n",
		"ok   phishing-macro: 4 expectations hold over 3 events\n",
		"ok   regression/win_security_log_cleared (06a70310-0edd-4832-86f8-061f5c35a639): 1 of 1 events matched, want at least 1\n",
		"ok   rules/proc_creation_win_whoami_privilege_discovery/dont-match 2 (9f3d6a2b-4c71-4e8a-b5d0-6e2f1a7c3b95): test \"dont-match 2\" did not match, as it must\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("-v output lacks %q:\n%s", want, out)
		}
	}
}

// The runner's deliberately failing cases, through the CLI: every case
// fails, exit 1, and the output carries the explanations.
func TestTestFailingCases(t *testing.T) {
	out, _, code := runCLI(t, "test", "-r", failingCasesRules, failingCases)
	if code != exitFindings {
		t.Errorf("exit %d, want %d", code, exitFindings)
	}
	if p, f, s := counts(t, out); p != 0 || f != 9 || s != 0 {
		t.Errorf("%d passed, %d failed, %d skipped; want 9 failures", p, f, s)
	}
	for _, want := range []string{
		"FAIL missed: " + failingCases + "/missed/case.yml:3:5: rule 7c0f8a6e-3c51-4f38-9d0e-1b2a3c4d5e01 \"Office Application Starts a Shell\": 0 of 3 events matched, want at least 1\n",
		"  events.jsonl:2: rule 7c0f8a6e-3c51-4f38-9d0e-1b2a3c4d5e01 \"Office Application Starts a Shell\" does not match\n",
		"        [ ] Image|endswith: [\"\\\\cmd.exe\", \"\\\\powershell.exe\"]    (event: \"C:\\\\Windows\\\\System32\\\\wscript.exe\")\n",
		"FAIL regression/cleared-three (3e1f7a52-6b0d-4c8e-a1f9-2d4b6c8e0a13): 1 of 1 events matched, want at least 3\n",
		"FAIL unknown-rule: " + failingCases + "/unknown-rule/case.yml:3:5: rule 7c0f8a6e-3c51-4f38-9d0e-1b2a3c4d5e0l is not loaded; did you mean \"7c0f8a6e-3c51-4f38-9d0e-1b2a3c4d5e01\"?\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// junitDoc is the common JUnit schema shape: testsuites > testsuite >
// testcase, with failure and skipped children.
type junitDoc struct {
	XMLName  xml.Name `xml:"testsuites"`
	Tests    *int     `xml:"tests,attr"`
	Failures *int     `xml:"failures,attr"`
	Skipped  *int     `xml:"skipped,attr"`
	Suites   []struct {
		Name     string  `xml:"name,attr"`
		Tests    *int    `xml:"tests,attr"`
		Failures *int    `xml:"failures,attr"`
		Errors   *int    `xml:"errors,attr"`
		Skipped  *int    `xml:"skipped,attr"`
		Time     *string `xml:"time,attr"`
		Cases    []struct {
			Name      string  `xml:"name,attr"`
			Classname string  `xml:"classname,attr"`
			Time      *string `xml:"time,attr"`
			Failure   []struct {
				Message *string `xml:"message,attr"`
				Type    string  `xml:"type,attr"`
				Text    string  `xml:",chardata"`
			} `xml:"failure"`
			Skipped []struct {
				Message string `xml:"message,attr"`
			} `xml:"skipped"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

// validateJUnit checks the element structure against the JUnit schema
// (elements only where the schema allows them, required attributes
// present, counts consistent) and returns the document.
func validateJUnit(t *testing.T, data []byte) junitDoc {
	t.Helper()
	allowed := map[string][]string{
		"":           {"testsuites"},
		"testsuites": {"testsuite"},
		"testsuite":  {"testcase", "properties", "system-out", "system-err"},
		"testcase":   {"failure", "error", "skipped", "system-out", "system-err"},
		"failure":    {},
		"skipped":    {},
	}
	required := map[string][]string{
		"testsuite": {"name", "tests", "failures", "errors", "skipped", "time"},
		"testcase":  {"name", "classname", "time"},
		"failure":   {"message", "type"},
		"skipped":   {"message"},
	}
	dec := xml.NewDecoder(strings.NewReader(string(data)))
	stack := []string{""}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("JUnit XML does not parse: %v\n%s", err, data)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			parent := stack[len(stack)-1]
			ok := false
			for _, c := range allowed[parent] {
				ok = ok || c == el.Name.Local
			}
			if !ok {
				t.Errorf("<%s> inside <%s> is not in the JUnit schema", el.Name.Local, parent)
			}
			for _, a := range required[el.Name.Local] {
				found := false
				for _, at := range el.Attr {
					found = found || at.Name.Local == a
				}
				if !found {
					t.Errorf("<%s> lacks the %s attribute", el.Name.Local, a)
				}
			}
			stack = append(stack, el.Name.Local)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		}
	}
	var doc junitDoc
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	tests, failures := 0, 0
	for _, s := range doc.Suites {
		f := 0
		for _, c := range s.Cases {
			if len(c.Failure) > 1 || (len(c.Failure) == 1 && len(c.Skipped) == 1) {
				t.Errorf("testcase %s: at most one failure or skipped element", c.Name)
			}
			if len(c.Failure) == 1 {
				f++
				if *c.Failure[0].Message == "" || c.Failure[0].Text == "" {
					t.Errorf("testcase %s: failure without message or text", c.Name)
				}
			}
		}
		if *s.Tests != len(s.Cases) || *s.Failures != f {
			t.Errorf("testsuite %s: tests=%d failures=%d, but %d testcases with %d failures", s.Name, *s.Tests, *s.Failures, len(s.Cases), f)
		}
		tests += len(s.Cases)
		failures += f
	}
	if doc.Tests == nil || *doc.Tests != tests || *doc.Failures != failures {
		t.Errorf("testsuites totals do not add up: %+v", doc)
	}
	return doc
}

func TestTestJUnit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "junit.xml")
	out, _, code := runCLI(t, "test", "--junit", path, "-r", failingCasesRules, "-r", exampleRules, failingCases, exampleCases)
	if code != exitFindings {
		t.Errorf("exit %d, want %d", code, exitFindings)
	}
	pass, fail, _ := counts(t, out)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := validateJUnit(t, data)
	if len(doc.Suites) != 2 || doc.Suites[0].Name != failingCases || doc.Suites[1].Name != exampleCases {
		t.Fatalf("want one testsuite per case directory, got %+v", doc.Suites)
	}
	if *doc.Tests != pass+fail || *doc.Failures != fail {
		t.Errorf("JUnit says %d tests, %d failures; the closing line %d passed, %d failed", *doc.Tests, *doc.Failures, pass, fail)
	}
	var missed string
	for _, c := range doc.Suites[0].Cases {
		if c.Name == "missed" {
			missed = c.Failure[0].Text
			if !strings.HasSuffix(*c.Failure[0].Message, "0 of 3 events matched, want at least 1") {
				t.Errorf("failure message %q", *c.Failure[0].Message)
			}
		}
	}
	if !strings.Contains(missed, "[ ] Image|endswith:") {
		t.Errorf("the failure text lacks the explanation:\n%s", missed)
	}
}

func TestTestJSON(t *testing.T) {
	out, errOut, code := runCLI(t, "test", "--json", "-r", failingCasesRules, failingCases)
	if code != exitFindings {
		t.Errorf("exit %d", code)
	}
	var rep testReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if rep.Passed != 0 || rep.Failed != 9 || len(rep.Suites) != 1 || len(rep.Suites[0].Cases) != 9 {
		t.Errorf("report %+v", rep)
	}
	for _, c := range rep.Suites[0].Cases {
		if c.Status != "fail" || len(c.Failures) == 0 || c.Failures[0].Message == "" {
			t.Errorf("case %+v", c)
		}
	}
	if errOut != "0 passed, 9 failed\n" {
		t.Errorf("with --json the closing line goes to standard error, got %q", errOut)
	}
}

// writeFile writes files below dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, src := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

const cmdRule = `title: Cmd Started
id: 0c1d2e3f-4a5b-4c6d-8e7f-901234567890
logsource: {product: windows, category: process_creation}
detection:
  sel:
    Image|endswith: '\cmd.exe'
  condition: sel
level: medium
`

func TestTestGoodlog(t *testing.T) {
	dir := t.TempDir()
	ev := func(image, computer string) string {
		return `{"Event":{"System":{"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","Computer":"` + computer +
			`"},"EventData":{"Image":"` + strings.ReplaceAll(image, `\`, `\\`) + `"}}}` + "\n"
	}
	writeFiles(t, dir, map[string]string{
		"rules/cmd.yml":         cmdRule,
		"rules/cleared.yml":     "title: Cleared\nid: 1b2c3d4e-5f60-4718-9a0b-c1d2e3f40516\nlogsource: {product: windows, service: security}\ndetection:\n  sel: {EventID: 1102}\n  condition: sel\nlevel: high\n",
		"benign/host1.jsonl":    ev(`C:\Windows\System32\notepad.exe`, "pc1") + ev(`C:\Windows\System32\cmd.exe`, "build-agent-7") + ev(`C:\Windows\System32\cmd.exe`, "pc1"),
		"known.csv":             "RuleId;RuleName;MatchString\n0c1d2e3f-4a5b-4c6d-8e7f-901234567890;Cmd Started;Computer: build-agent-\\d+\n",
		"known-all.csv":         "# every cmd start is fine here\n0C1D2E3F-4A5B-4C6D-8E7F-901234567890;build scripts\n",
		"known-bad.csv":         "RuleId;RuleName;MatchString\nx;y;(unclosed\n",
		"benign/not-json.jsonl": "",
	})
	rules, benign := filepath.Join(dir, "rules"), filepath.Join(dir, "benign")
	out, _, code := runCLI(t, "test", "-r", rules, "--goodlog", benign, "--known-fps", filepath.Join(dir, "known.csv"))
	if code != exitFindings {
		t.Errorf("exit %d, want %d", code, exitFindings)
	}
	host1 := filepath.Join(benign, "host1.jsonl")
	for _, want := range []string{
		"FAIL Cmd Started (0c1d2e3f-4a5b-4c6d-8e7f-901234567890): " + filepath.Join(rules, "cmd.yml") + ":1:1: matched 1 benign events (level medium), besides 1 known false positives\n",
		"  " + host1 + ":3: matched Image|endswith: \"\\\\cmd.exe\" (event: \"C:\\\\Windows\\\\System32\\\\cmd.exe\")\n",
		"goodlog: 2 rules over 3 events from 2 files: 1 unexpected matches by 1 rules, 1 known false positives, 0 suppressed by exclusions\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, host1+":2:") {
		t.Errorf("the known false positive on line 2 is listed as unexpected:\n%s", out)
	}
	if p, f, _ := counts(t, out); p != 1 || f != 1 {
		t.Errorf("%d passed, %d failed; want the cleared rule to pass and the cmd rule to fail", p, f)
	}

	// A reason-only entry accepts every match of the rule (ids compare
	// without regard to case).
	out, _, code = runCLI(t, "test", "-r", rules, "--goodlog", benign, "--known-fps", filepath.Join(dir, "known-all.csv"))
	if code != exitOK || !strings.HasSuffix(out, "2 passed, 0 failed\n") {
		t.Errorf("exit %d:\n%s", code, out)
	}
	// --min-level high leaves the medium rule out.
	out, _, code = runCLI(t, "test", "-r", rules, "--goodlog", benign, "--min-level", "high")
	if code != exitOK || !strings.HasSuffix(out, "1 passed, 0 failed\n") {
		t.Errorf("--min-level high: exit %d:\n%s", code, out)
	}
	// A bad list is a usage error naming the line.
	_, errOut, code := runCLI(t, "test", "-r", rules, "--goodlog", benign, "--known-fps", filepath.Join(dir, "known-bad.csv"))
	if code != exitUsage || !strings.Contains(errOut, "known-bad.csv:2:5: bad MatchString") {
		t.Errorf("exit %d: %s", code, errOut)
	}
}

func TestTestCoverage(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"rules/cmd.yml": cmdRule + `testcases:
  match:
    - {Image: 'C:\Windows\System32\cmd.exe'}
`,
		"rules/hash.yml": "title: Hash\nid: 2c3d4e5f-6071-4829-8a1b-2c3d4e5f6071\nlogsource: {product: windows, category: process_creation}\n" +
			"detection:\n  sel:\n    Image|endswith: '\\cmd.exe'\n    Hashes|contains: 'MD5=0'\n  condition: sel\n",
		"rules/lsass.yml": "title: Lsass\nid: 3d4e5f60-7182-493a-8b2c-3d4e5f607182\nlogsource: {product: windows, category: process_access}\n" +
			"detection:\n  sel:\n    TargetImage|endswith: '\\lsass.exe'\n  condition: sel\n",
	})
	out, _, code := runCLI(t, "test", "--coverage", "-r", filepath.Join(dir, "rules"))
	if code != exitOK {
		t.Errorf("exit %d:\n%s", code, out)
	}
	rules := filepath.Join(dir, "rules")
	want := "coverage: 1 of 3 rules tested; 1 events seen\n" +
		"  rules without a test case (2):\n" +
		"    " + rules + "/hash.yml:1:1: 2c3d4e5f-6071-4829-8a1b-2c3d4e5f6071 \"Hash\"\n" +
		"    " + rules + "/lsass.yml:1:1: 3d4e5f60-7182-493a-8b2c-3d4e5f607182 \"Lsass\"\n" +
		"  fields rules read that no event reaching them carries (2 rules):\n" +
		"    " + rules + "/hash.yml:1:1: 2c3d4e5f-6071-4829-8a1b-2c3d4e5f6071 \"Hash\": Hashes\n" +
		"    " + rules + "/lsass.yml:1:1: 3d4e5f60-7182-493a-8b2c-3d4e5f607182 \"Lsass\": TargetImage\n" +
		"1 passed, 0 failed\n"
	if out != want {
		t.Errorf("output:\n%s\nwant:\n%s", out, want)
	}
	// The test event is flat JSON, which reaches every rule. An evtx event
	// names its source: with only a Sysmon process creation event, the
	// process_access rule is never reached.
	writeFiles(t, dir, map[string]string{
		"plain/cmd.yml":          cmdRule,
		"cases/one/case.yml":     "expect:\n  - rule: 0c1d2e3f-4a5b-4c6d-8e7f-901234567890\n    at_least: 1\n",
		"cases/one/events.jsonl": `{"Event":{"System":{"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational"},"EventData":{"Image":"C:\\x\\cmd.exe"}}}` + "\n",
	})
	out, _, code = runCLI(t, "test", "--coverage", "--json", "-r", filepath.Join(dir, "plain"), "-r", filepath.Join(rules, "lsass.yml"), filepath.Join(dir, "cases"))
	if code != exitOK {
		t.Errorf("exit %d:\n%s", code, out)
	}
	var rep testReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	c := rep.Coverage
	if c == nil || c.Rules != 2 || c.Events != 1 || len(c.Untested) != 1 || len(c.Unreached) != 1 || len(c.Fields) != 0 {
		t.Fatalf("coverage %+v", c)
	}
	if c.Unreached[0].ID != "3d4e5f60-7182-493a-8b2c-3d4e5f607182" || c.Untested[0].ID != c.Unreached[0].ID {
		t.Errorf("want the lsass rule untested and unreached: %+v", c)
	}
}

// A suite that finds nothing fails; it never passes empty.
func TestTestNoCases(t *testing.T) {
	out, _, code := runCLI(t, "test", "-r", exampleRules)
	if code != exitFindings || !strings.Contains(out, "no cases found: none of the 8 rules has a test attached") {
		t.Errorf("rules without tests: exit %d\n%s", code, out)
	}
	out, _, code = runCLI(t, "test", "-r", exampleRules, t.TempDir())
	if code != exitFindings || !strings.Contains(out, ": no cases found") || !strings.HasSuffix(out, "0 passed, 1 failed\n") {
		t.Errorf("empty case directory: exit %d\n%s", code, out)
	}
	if _, errOut, code := runCLI(t, "test", "-r", exampleRules, "no-such-dir"); code != exitUsage {
		t.Errorf("missing case directory: exit %d, %s", code, errOut)
	}
	if _, _, code := runCLI(t, "test", "--known-fps", "x.csv", "-r", exampleRules); code != exitUsage {
		t.Errorf("--known-fps without --goodlog: exit %d", code)
	}
}

// Rules that do not load are failing tests, and rule tests of rules the
// engine cannot evaluate are skipped with the reason.
func TestTestRuleProblems(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"broken.yml": "title: Broken\nlogsource: {product: windows}\ndetection:\n  sel:\n    Image|endswiht: x\n  condition: sel\n",
		"placeholder.yml": "title: Admins\nid: 4e5f6071-8293-4a4b-8c3d-4e5f60718293\nlogsource: {product: windows}\ndetection:\n  sel:\n    User|expand: '%Admins%'\n  condition: sel\n" +
			"testcases:\n  match:\n    - {User: root}\n",
		"ok.yml": cmdRule + "testcases:\n  dont-match:\n    - {Image: 'C:\\x\\powershell.exe'}\n",
	})
	out, _, code := runCLI(t, "test", "-r", dir)
	if code != exitFindings {
		t.Errorf("exit %d", code)
	}
	if p, f, s := counts(t, out); p != 1 || f != 1 || s != 1 {
		t.Errorf("%d passed, %d failed, %d skipped; want 1 each:\n%s", p, f, s, out)
	}
	for _, want := range []string{
		"FAIL " + dir + "/broken.yml:5:11: unknown modifier \"endswiht\"",
		"SKIP " + dir + "/placeholder/match 1 (4e5f6071-8293-4a4b-8c3d-4e5f60718293): the rule is not evaluated: ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// --update writes a missing want.jsonl; the next run compares with it.
func TestTestUpdate(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"c/rule.yml":     cmdRule,
		"c/events.jsonl": `{"Image":"C:\\x\\cmd.exe"}` + "\n" + `{"Image":"C:\\x\\calc.exe"}` + "\n",
	})
	out, _, code := runCLI(t, "test", "-r", exampleRules, dir)
	if code != exitFindings || !strings.Contains(out, "want.jsonl does not exist; run go test -update (or tanchi test --update)") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	out, _, code = runCLI(t, "test", "-v", "--update", "-r", exampleRules, dir)
	if code != exitOK || !strings.Contains(out, "want.jsonl rewritten (1 detection)") {
		t.Fatalf("--update: exit %d:\n%s", code, out)
	}
	got, _ := os.ReadFile(filepath.Join(dir, "c", "want.jsonl"))
	if !strings.HasPrefix(string(got), `{"event":"events.jsonl:1","rule":"0c1d2e3f-4a5b-4c6d-8e7f-901234567890","title":"Cmd Started"`) {
		t.Errorf("want.jsonl:\n%s", got)
	}
	out, _, code = runCLI(t, "test", "-r", exampleRules, dir)
	if code != exitOK || !strings.HasSuffix(out, "1 passed, 0 failed\n") {
		t.Errorf("after --update: exit %d:\n%s", code, out)
	}
}
