package load_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tanchi-dev/tanchi/rule"
	"github.com/tanchi-dev/tanchi/rule/load"
)

func write(t *testing.T, dir string, files map[string]string) {
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

const sigmaRule = `title: Sigma rule
id: 11111111-0000-4000-8000-000000000001
logsource:
    product: windows
detection:
    selection:
        Image|endswith: '\cmd.exe'
    condition: selection
`

func TestPaths(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, map[string]string{
		"a_sigma.yml":      sigmaRule,
		"b/rules.tdl":      "rule \"DSL rule\" {\n  id \"22222222-0000-4000-8000-000000000002\"\n  logsource product=windows\n  condition shells and not admins\n}\n",
		"c/shared.tdl":     "list shell_names = (`\\cmd.exe`, `\\powershell.exe`)\nmacro shells = Image endswith shell_names\nmacro admins = User in (\"admin\", \"root\")\n",
		"d/exclusions.tdl": "exclude \"quiet\" {\n  rules \"22222222-0000-4000-8000-000000000002\"\n  when Computer == \"build-01\"\n}\n",
		"notes.txt":        "not a rule",
	})
	set, err := load.Paths(dir)
	if err != nil {
		t.Fatal(err)
	}
	if set.Files != 4 || len(set.Rules) != 2 || len(set.Exclusions) != 1 {
		t.Fatalf("got %d files, %d rules, %d exclusions; want 4, 2, 1", set.Files, len(set.Rules), len(set.Exclusions))
	}
	if set.Rules[0].Title != "Sigma rule" || set.Rules[1].Title != "DSL rule" {
		t.Errorf("rules are not in file order: %q, %q", set.Rules[0].Title, set.Rules[1].Title)
	}
	// The macro from another file expanded into the rule.
	if got := set.Rules[1].Condition.String(); !strings.Contains(got, `Image|endswith: ["\\cmd.exe", "\\powershell.exe"]`) {
		t.Errorf("condition %s does not hold the expanded macro", got)
	}
}

func TestPathsErrors(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, map[string]string{
		"a.yml": sigmaRule,
		"b.tdl": "rule \"Same id\" {\n  id \"11111111-0000-4000-8000-000000000001\"\n  logsource product=windows\n  s = Image endswith `\\x.exe`\n  condition s\n}\n" +
			"rule \"Broken\" {\n  logsource product=windows\n  condition undefined_thing\n}\n",
		"c.yml": "title: broken yaml\n  bad: [\n",
	})
	set, err := load.Paths(dir, filepath.Join(dir, "missing"))
	var el rule.ErrorList
	if !errors.As(err, &el) {
		t.Fatalf("error %v is not a rule.ErrorList", err)
	}
	codes := map[rule.Code]int{}
	for _, e := range el {
		codes[e.Code]++
	}
	for _, c := range []rule.Code{rule.ErrDuplicateID, rule.ErrUndefined, rule.ErrSyntax, rule.ErrIO} {
		if codes[c] != 1 {
			t.Errorf("%d errors of code %s, want 1:\n%v", codes[c], c, err)
		}
	}
	for _, e := range el {
		if e.Code == rule.ErrDuplicateID && e.Source != `rule "Same id" {` {
			t.Errorf("duplicate-id error lacks its source line: %q", e.Detail())
		}
	}
	if len(set.Rules) != 1 || set.Rules[0].Title != "Sigma rule" {
		t.Errorf("want only the first rule with the id kept, got %d rules", len(set.Rules))
	}
}

func TestIsRuleFile(t *testing.T) {
	for name, want := range map[string]bool{"a.yml": true, "a.YAML": true, "a.tdl": true, "a.TDL": true, "a.json": false, "tdl": false} {
		if got := load.IsRuleFile(name); got != want {
			t.Errorf("IsRuleFile(%q) = %v", name, got)
		}
	}
}
