package engine_test

import (
	"strings"
	"testing"

	"github.com/tanchi-dev/tanchi/engine"
	"github.com/tanchi-dev/tanchi/rule"
	"github.com/tanchi-dev/tanchi/rule/sigma"
)

const explainRule = `title: Encoded PowerShell
id: 0f3c7a52-8d8e-4f5e-9a57-3b8f7c0e1d11
logsource: {product: windows, category: process_creation}
detection:
  selection_img:
    Image|endswith: '\powershell.exe'
  selection_enc:
    CommandLine|contains|windash: ' -enc '
  filter_sccm:
    ParentImage|endswith: '\CcmExec.exe'
  condition: all of selection_* and not filter_sccm
level: high
`

func explain(t *testing.T, event string) *engine.Explanation {
	t.Helper()
	set, err := sigma.Parse("rule.yml", []byte(explainRule))
	if err != nil {
		t.Fatal(err)
	}
	eng, err := engine.Compile(set.Rules)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := engine.ParseJSON([]byte(event))
	if err != nil {
		t.Fatal(err)
	}
	x, err := eng.Explain("0f3c7a52-8d8e-4f5e-9a57-3b8f7c0e1d11", ev)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

func TestExplain(t *testing.T) {
	const sysmon1 = `{"Event":{"System":{"Channel":"Microsoft-Windows-Sysmon/Operational","EventID":1},"EventData":{` +
		`"Image":"C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe","CommandLine":"powershell /enc SQBFAFgA","ParentImage":"C:\\Windows\\explorer.exe"}}}`
	x := explain(t, sysmon1)
	want := `rule 0f3c7a52-8d8e-4f5e-9a57-3b8f7c0e1d11 "Encoded PowerShell" matches
  logsource: rule wants windows/process_creation, event is windows/sysmon/process_creation: routed
  [x] all of
    [x] all of selection_*
      [x] selection_img
        [x] Image|endswith: "\\powershell.exe"    (event: "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe")
      [x] selection_enc
        [x] CommandLine|contains|windash: " -enc "    (event: "powershell /enc SQBFAFgA")
    [x] not
      [ ] filter_sccm
        [ ] ParentImage|endswith: "\\CcmExec.exe"    (event: "C:\\Windows\\explorer.exe")
  condition holds
`
	if got := x.String(); got != want {
		t.Errorf("explanation:\n%s\nwant:\n%s", got, want)
	}
	if !x.Matched() {
		t.Error("Matched() = false")
	}

	// The same process start seen as a file event: routing decides.
	fileEvent := strings.Replace(sysmon1, `"EventID":1`, `"EventID":11`, 1)
	x = explain(t, fileEvent)
	if x.Routed || x.Matched() || !x.Holds {
		t.Errorf("file event: routed=%v matched=%v holds=%v, want routing to decide", x.Routed, x.Matched(), x.Holds)
	}
	if s := x.String(); !strings.Contains(s, "NOT ROUTED") || !strings.Contains(s, "windows/sysmon/file_event") {
		t.Errorf("explanation does not say routing decided:\n%s", s)
	}

	// A field the event lacks is shown as missing.
	noCmd := strings.Replace(sysmon1, `"CommandLine":"powershell /enc SQBFAFgA",`, ``, 1)
	if s := explain(t, noCmd).String(); !strings.Contains(s, `[ ] CommandLine|contains|windash: " -enc "    (event has no such field)`) {
		t.Errorf("missing field not explained:\n%s", s)
	}
}

// The CEL a rule compiles to is readable Sigma: one sigma.match call per
// comparison, with the modifiers and values as written.
func TestCELSource(t *testing.T) {
	set, err := sigma.Parse("rule.yml", []byte(explainRule))
	if err != nil {
		t.Fatal(err)
	}
	eng, err := engine.Compile(set.Rules)
	if err != nil {
		t.Fatal(err)
	}
	got, ok := eng.CEL("0f3c7a52-8d8e-4f5e-9a57-3b8f7c0e1d11")
	want := `((sigma.match(ev, "Image", "endswith", ["\\powershell.exe"])) && (sigma.match(ev, "CommandLine", "contains|windash", [" -enc "]))) && (!(sigma.match(ev, "ParentImage", "endswith", ["\\CcmExec.exe"])))`
	if !ok || got != want {
		t.Errorf("CEL:\n%s\nwant:\n%s", got, want)
	}
	if _, ok := eng.CEL("no-such-rule"); ok {
		t.Error("CEL of an unknown rule")
	}
}

// A raw CEL condition is explained with its value.
func TestExplainRawCEL(t *testing.T) {
	r := &rule.Rule{ID: "raw", Title: "raw", Condition: &rule.CEL{Src: `sigma.match(ev, "User", "", ["admin"])`}}
	eng, err := engine.Compile([]*rule.Rule{r})
	if err != nil {
		t.Fatal(err)
	}
	for user, want := range map[string]bool{"ADMIN": true, "bob": false} {
		ev := engine.NewEvent(map[string]engine.Value{"User": engine.Str(user)})
		x, err := eng.Explain("raw", ev)
		if err != nil {
			t.Fatal(err)
		}
		if x.Condition.Kind != "cel" || x.Condition.Result != want || x.Matched() != want {
			t.Errorf("User=%s: %+v, want result %v", user, x.Condition, want)
		}
	}
}
