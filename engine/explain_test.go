package engine_test

import (
	"strings"
	"testing"

	"github.com/tanchi-dev/tanchi/engine"
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
