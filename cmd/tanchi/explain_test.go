package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestExplainCLI(t *testing.T) {
	const r2 = "05a2e9a8-f643-40a3-a6c9-2d7d43f0d4f7"
	out, errOut, code := runCLI(t, "explain", "-r", exampleRules, "--rule", r2, "--line", "30", exampleStory)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		exampleStory + ":30: rule " + r2,
		"matches\n",
		"event is windows/sysmon/process_creation: routed",
		`[x] CommandLine|contains|windash: [" -e ", " -ec ", " -enc ", " -encodedcommand "]`,
		"[ ] filter_sccm",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("explanation lacks %q:\n%s", want, out)
		}
	}
	// Every event of the file, as JSON: exactly the README's two lines match.
	out, _, code = runCLI(t, "explain", "--json", "-r", exampleRules, "--rule", r2, exampleStory)
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	var matched []int
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var x struct {
			Source  struct{ Line int } `json:"source"`
			Matched bool               `json:"matched"`
		}
		if err := json.Unmarshal([]byte(l), &x); err != nil {
			t.Fatal(err)
		}
		if x.Matched {
			matched = append(matched, x.Source.Line)
		}
	}
	if len(matched) != 2 || matched[0] != 30 || matched[1] != 43 {
		t.Errorf("matched lines %v, want [30 43]", matched)
	}
	if _, _, code := runCLI(t, "explain", "-r", exampleRules, "--rule", "no-such-rule", exampleStory); code != exitUsage {
		t.Errorf("unknown rule: exit %d, want %d", code, exitUsage)
	}
}
