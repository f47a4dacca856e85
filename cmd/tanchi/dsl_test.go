package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tanchi-dev/tanchi/dsl"
	ruleload "github.com/tanchi-dev/tanchi/rule/load"
)

const exampleDSLRules = "../../examples/rules-dsl"

// detectionKeys runs scan and returns "line rule-id" for every detection.
func detectionKeys(t *testing.T, args ...string) []string {
	t.Helper()
	out, errOut, code := runCLI(t, append([]string{"scan"}, args...)...)
	if code != exitOK {
		t.Fatalf("scan exit %d, stderr:\n%s", code, errOut)
	}
	var keys []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if l == "" {
			continue
		}
		var d struct {
			Rule   struct{ ID string }
			Source struct{ Line int }
		}
		if err := json.Unmarshal([]byte(l), &d); err != nil {
			t.Fatalf("bad JSON line %q: %v", l, err)
		}
		keys = append(keys, strings.Join([]string{itoa(d.Source.Line), d.Rule.ID}, " "))
	}
	slices.Sort(keys)
	return keys
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func TestScanDSLRules(t *testing.T) {
	yml := detectionKeys(t, "-r", exampleRules, exampleStory)
	tdl := detectionKeys(t, "-r", exampleDSLRules, exampleStory)
	if len(yml) != 9 {
		t.Fatalf("Sigma rules gave %d detections, want 9", len(yml))
	}
	if d := cmp.Diff(yml, tdl); d != "" {
		t.Errorf("DSL rules differ from Sigma rules (-yml +tdl):\n%s", d)
	}
}

func TestCheckDSLRules(t *testing.T) {
	out, errOut, code := runCLI(t, "check", "--json", "-r", exampleDSLRules)
	if code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, errOut)
	}
	var rep struct{ Files, Rules, Loaded int }
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	// 8 rules and the exclusion.
	if rep.Rules != 9 || rep.Loaded != 9 || rep.Files < 10 {
		t.Errorf("check: %+v, want 8 rules and 1 exclusion loaded from the .tdl files", rep)
	}
}

func TestFmt(t *testing.T) {
	dir := t.TempDir()
	messy := "rule \"x\"{\nlogsource   product=windows\n  s=Image   endswith `\\cmd.exe`   # shells\ncondition s}\n"
	want := "rule \"x\" {\n  logsource product=windows\n  s = Image endswith `\\cmd.exe` # shells\n  condition s\n}\n"
	f := filepath.Join(dir, "r.tdl")
	if err := os.WriteFile(f, []byte(messy), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runCLI(t, "fmt", f)
	if code != exitOK || out != want {
		t.Fatalf("fmt: exit %d\nstdout:\n%s\nstderr:\n%s\nwant:\n%s", code, out, errOut, want)
	}
	if _, errOut, code = runCLI(t, "fmt", "-w", f); code != exitOK || !strings.Contains(errOut, f) {
		t.Fatalf("fmt -w: exit %d, stderr %q", code, errOut)
	}
	if got, _ := os.ReadFile(f); string(got) != want {
		t.Errorf("fmt -w wrote:\n%s", got)
	}
	// A formatted file is left alone and not listed.
	if _, errOut, code = runCLI(t, "fmt", "-w", f); code != exitOK || errOut != "" {
		t.Errorf("fmt -w of a formatted file: exit %d, stderr %q", code, errOut)
	}
}

func TestFmtErrors(t *testing.T) {
	f := filepath.Join(t.TempDir(), "bad.tdl")
	os.WriteFile(f, []byte("rule \"x\" {\n  s = Image endwith `\\cmd.exe`\n  condition s\n}\n"), 0o644)
	out, errOut, code := runCLI(t, "fmt", f)
	if code != exitUsage || out != "" {
		t.Fatalf("exit %d, stdout %q", code, out)
	}
	want := f + ":2:13: unknown operator \"endwith\" after field Image: use ==, !=, in, contains, startswith, endswith, matches, cidr, <, <=, >, >= or exists\n" +
		" |   s = Image endwith `\\cmd.exe`\n" +
		" |             ^\n"
	if errOut != want {
		t.Errorf("stderr:\n%s\nwant:\n%s", errOut, want)
	}
	if _, _, code := runCLI(t, "fmt"); code != exitUsage {
		t.Errorf("fmt without files: exit %d", code)
	}
}

func TestConvertToDSL(t *testing.T) {
	dir := t.TempDir()
	_, errOut, code := runCLI(t, "convert", "--to", "dsl", "-o", dir, exampleRules)
	if code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, errOut)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.tdl"))
	if len(files) != 8 {
		t.Fatalf("wrote %d .tdl files, want 8", len(files))
	}
	for _, f := range files {
		src, _ := os.ReadFile(f)
		if out, err := dsl.Format(f, src); err != nil || string(out) != string(src) {
			t.Errorf("%s: converted file is not in canonical form (%v)", f, err)
		}
	}
	// The converted rules find what the originals find.
	if d := cmp.Diff(detectionKeys(t, "-r", exampleRules, exampleStory), detectionKeys(t, "-r", dir, exampleStory)); d != "" {
		t.Errorf("converted rules differ (-yml +tdl):\n%s", d)
	}
	// To standard output.
	out, _, code := runCLI(t, "convert", "--to", "dsl", filepath.Join(exampleRules, "win_security_log_cleared.yml"))
	if code != exitOK || !strings.Contains(out, `rule "Security Event Log Cleared" {`) || !strings.Contains(out, "EventID == 1102") {
		t.Errorf("convert to stdout: exit %d\n%s", code, out)
	}
}

func TestConvertToSigma(t *testing.T) {
	dir := t.TempDir()
	_, errOut, code := runCLI(t, "convert", "--to", "sigma", "-o", dir, exampleDSLRules)
	if code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, errOut)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.yml"))
	if len(files) != 9 {
		t.Fatalf("wrote %d .yml files, want the 8 rules and the exclusion: %v", len(files), files)
	}
	set, err := ruleload.Paths(dir)
	if err != nil || len(set.Rules) != 8 || len(set.Exclusions) != 1 {
		t.Fatalf("converted YAML: %v (%d rules, %d exclusions)", err, len(set.Rules), len(set.Exclusions))
	}
	// The exclusion's expiry survives as the filter attribute expires.
	if x := set.Exclusions[0]; x.Expires != "2027-05-31" {
		t.Errorf("exclusion %q expires %q, want 2027-05-31", x.Title, x.Expires)
	}
	if d := cmp.Diff(detectionKeys(t, "-r", exampleRules, exampleStory), detectionKeys(t, "-r", dir, exampleStory)); d != "" {
		t.Errorf("converted rules differ (-original +converted):\n%s", d)
	}
	// Actions survive as the actions attribute.
	y, _ := os.ReadFile(filepath.Join(dir, "proc_access_win_lsass_suspicious_access.yml"))
	if !strings.Contains(string(y), "actions:\n    - isolate_host") {
		t.Errorf("actions not written:\n%s", y)
	}
}

func TestConvertUsage(t *testing.T) {
	for _, args := range [][]string{
		{"convert", exampleRules},
		{"convert", "--to", "yaml", exampleRules},
		{"convert", "--to", "dsl"},
	} {
		if _, _, code := runCLI(t, args...); code != exitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, exitUsage)
		}
	}
}
