package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tanchi-dev/tanchi/dsl"
	"github.com/tanchi-dev/tanchi/rule/sigma"
)

// TestSimulateLearnScan is the loop a new customer's first week goes
// through: simulate a fleet, learn from it, scan with what was learned.
func TestSimulateLearnScan(t *testing.T) {
	dir := t.TempDir()
	out, errOut, code := runCLI(t, "simulate", "--hosts", "4", "--days", "3", "--seed", "2", "--no-corpora", "-o", dir)
	if code != exitOK {
		t.Fatalf("simulate: exit %d\n%s", code, errOut)
	}
	events := filepath.Join(dir, "events")
	if strings.TrimSpace(out) != events || !strings.Contains(errOut, "4 hosts, 3 days") {
		t.Fatalf("simulate: stdout %q, stderr %q", out, errOut)
	}

	excl := filepath.Join(dir, "excl.yml")
	reports := []string{filepath.Join(dir, "r.html"), filepath.Join(dir, "r.md"), filepath.Join(dir, "r.json")}
	args := []string{"learn", "-r", exampleRules, "--baseline", events, "-o", excl, "--holdout-days", "1"}
	for _, r := range reports {
		args = append(args, "--report", r)
	}
	_, errOut, code = runCLI(t, args...)
	if code != exitOK {
		t.Fatalf("learn: exit %d\n%s", code, errOut)
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`tanchi: 8 rules; \d+ baseline events from 12 files, 3 days \(2 learning, 1 held out\)`),
		regexp.MustCompile(`tanchi: \d+ alerts \([\d.]+ a day\) -> \d+ after the proposals \([\d.]+ a day\); [1-9]\d* proposals, \d+ patterns not learned`),
		regexp.MustCompile(`tanchi: held-out days 2026-03-06: \d+ of \d+ alerts suppressed \([\d.]+%\), \d+ remain`),
	} {
		if !want.MatchString(errOut) {
			t.Errorf("learn summary lacks %s:\n%s", want, errOut)
		}
	}
	src, err := os.ReadFile(excl)
	if err != nil {
		t.Fatal(err)
	}
	set, err := sigma.Parse(excl, src)
	if err != nil || len(set.Exclusions) == 0 {
		t.Fatalf("the Sigma output: %d exclusions, %v", len(set.Exclusions), err)
	}
	for _, r := range reports {
		b, err := os.ReadFile(r)
		if err != nil {
			t.Fatal(err)
		}
		switch filepath.Ext(r) {
		case ".html":
			if !bytes.Contains(b, []byte("<svg")) || bytes.Contains(b, []byte("http://")) && !bytes.Contains(b, []byte(`xmlns="http://www.w3.org/2000/svg"`)) {
				t.Errorf("%s: no inline chart", r)
			}
		case ".md":
			if !bytes.HasPrefix(b, []byte("# Initial tuning report")) {
				t.Errorf("%s does not start with its title", r)
			}
		case ".json":
			var v map[string]any
			if err := json.Unmarshal(b, &v); err != nil || v["proposals"] == nil {
				t.Errorf("%s: %v", r, err)
			}
		}
	}

	// The same again: the same bytes.
	again := filepath.Join(dir, "again.yml")
	args[6] = again
	if _, errOut, code := runCLI(t, args...); code != exitOK {
		t.Fatalf("learn again: exit %d\n%s", code, errOut)
	}
	if b, _ := os.ReadFile(again); !bytes.Equal(b, src) {
		t.Error("learning twice from the same data gives different files")
	}

	// The DSL output, applied by scan.
	tdl := filepath.Join(dir, "excl.tdl")
	if _, errOut, code := runCLI(t, "learn", "-r", exampleRules, "--baseline", events, "-o", tdl); code != exitOK {
		t.Fatalf("learn -o .tdl: exit %d\n%s", code, errOut)
	}
	b, _ := os.ReadFile(tdl)
	if _, err := dsl.Parse(tdl, b); err != nil || !bytes.Contains(b, []byte("exclude \"")) {
		t.Fatalf("the DSL output does not parse (%v):\n%s", err, b)
	}
	_, errOut, code = runCLI(t, "scan", "-r", exampleRules, "-r", tdl, events)
	if code != exitOK {
		t.Fatalf("scan with the learned exclusions: exit %d\n%s", code, errOut)
	}
	m := regexp.MustCompile(`tanchi: (\d+) detections.*, (\d+) suppressed by exclusions`).FindStringSubmatch(errOut)
	if m == nil || m[2] == "0" {
		t.Errorf("scan suppressed nothing with the learned exclusions:\n%s", errOut)
	}
}

func TestLearnUsage(t *testing.T) {
	dir := t.TempDir()
	ev := filepath.Join(dir, "e.jsonl")
	os.WriteFile(ev, []byte(`{"Image":"x"}`+"\n"), 0o644)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"learn", "--baseline", ev, "-o", "-"}, "no rules"},
		{[]string{"learn", "-r", exampleRules, "-o", "-"}, "no baseline"},
		{[]string{"learn", "-r", exampleRules, "--baseline", ev}, "-o EXCL"},
		{[]string{"learn", "-r", exampleRules, "--baseline", ev, "-o", "-", "--format", "xml"}, "unknown --format"},
		{[]string{"learn", "-r", exampleRules, "--baseline", ev, "-o", "-", "--report", "r.pdf"}, ".html, .md or .json"},
		{[]string{"learn", "-r", exampleRules, "--baseline", "-", "--protect", "-", "-o", "-"}, "read once"},
		{[]string{"learn", "-r", exampleRules, "--baseline", ev, "-o", "-", "--min-events", "1"}, "below 2"},
		{[]string{"learn", "-r", exampleRules, "--baseline", ev, "-o", "-", "--date", "tomorrow"}, "not a date"},
		{[]string{"learn", "-r", exampleRules, "--baseline", filepath.Join(dir, "missing"), "-o", "-"}, "missing"},
		{[]string{"learn", "-r", exampleRules, "--baseline", ev, "-o", "-", "extra"}, "unexpected argument"},
		{[]string{"simulate", "--hosts", "0", "-o", dir, "--no-corpora"}, "hosts must be"},
		{[]string{"simulate", "--hosts", "2"}, "-o DIR"},
		{[]string{"simulate", "--hosts", "2", "-o", dir, "--no-corpora", "--attacks", "3"}, "cannot be combined"},
		{[]string{"simulate", "--hosts", "2", "-o", dir, "--start", "March"}, "not a date"},
	} {
		_, errOut, code := runCLI(t, tc.args...)
		if code != exitUsage || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and %q", tc.args, code, errOut, tc.want)
		}
	}
}
