package sigma_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tanchi-dev/tanchi/rule"
	"github.com/tanchi-dev/tanchi/rule/sigma"
)

// sigma-test's convention: a testcases attribute with match and dont-match
// lists of events becomes rule.Rule.Tests, with positions.
func TestTestcases(t *testing.T) {
	t.Parallel()
	src := `title: t
id: 11111111-1111-4111-8111-111111111111
logsource: {product: windows, category: process_creation}
detection:
  sel:
    Image|endswith: '\cmd.exe'
  condition: sel
note: kept
testcases:
  match:
    - Image: 'C:\Windows\System32\cmd.exe'
      ParentImage: C:\Program Files\Word.exe
    - Event:
        System: {Channel: Microsoft-Windows-Sysmon/Operational, EventID: 1}
        EventData: {Image: 'C:\x\CMD.EXE', Elevated: true, Ratio: 0.5, Gone: ~, Tags: [a, 2]}
  dont-match:
    - Image: '<C:\Windows\explorer.exe>'
      Count: 0x10
      Quoted: '4688'
`
	r := parseOne(t, src)
	want := []rule.Test{
		{Name: "match 1", Match: true, Pos: rule.Pos{File: "test.yml", Line: 11, Col: 7, Offset: -1},
			Event: `{"Image":"C:\\Windows\\System32\\cmd.exe","ParentImage":"C:\\Program Files\\Word.exe"}`},
		{Name: "match 2", Match: true, Pos: rule.Pos{File: "test.yml", Line: 13, Col: 7, Offset: -1},
			Event: `{"Event":{"System":{"Channel":"Microsoft-Windows-Sysmon/Operational","EventID":1},"EventData":{"Image":"C:\\x\\CMD.EXE","Elevated":true,"Ratio":0.5,"Gone":null,"Tags":["a",2]}}}`},
		{Name: "dont-match 1", Match: false, Pos: rule.Pos{File: "test.yml", Line: 17, Col: 7, Offset: -1},
			Event: `{"Image":"<C:\\Windows\\explorer.exe>","Count":16,"Quoted":"4688"}`},
	}
	if diff := cmp.Diff(want, r.Tests); diff != "" {
		t.Errorf("Tests (-want +got):\n%s", diff)
	}
	if _, ok := r.Custom["testcases"]; ok {
		t.Errorf("testcases is still in Custom: %v", r.Custom)
	}
	if r.Custom["note"] != "kept" {
		t.Errorf("other custom attributes must stay: %v", r.Custom)
	}
}

func TestTestcasesErrors(t *testing.T) {
	t.Parallel()
	const head = "title: t\nlogsource: {product: windows}\ndetection:\n  sel: {Image: x}\n  condition: sel\n"
	tests := []struct {
		name, body, want string
	}{
		{"not a mapping", "testcases: [a]\n",
			"test.yml:6:12: testcases must be a mapping with match and dont-match lists of events, got a list\n | testcases: [a]\n |            ^"},
		{"misspelt key", "testcases:\n  dont_match: []\n",
			"test.yml:7:3: unknown key \"dont_match\" in testcases: use match or dont-match; did you mean \"dont-match\"?\n |   dont_match: []\n |   ^"},
		{"list of scalars", "testcases:\n  match: x\n",
			"test.yml:7:10: testcases match must be a list of events, got a scalar\n |   match: x\n |          ^"},
		{"event not a mapping", "testcases:\n  match:\n    - just text\n",
			"test.yml:8:7: each event in testcases match must be a mapping of fields, got a scalar\n |     - just text\n |       ^"},
		{"infinity", "testcases:\n  match:\n    - {N: .inf}\n",
			"test.yml:8:11: test event value .inf has no JSON form; quote it to make it a string\n |     - {N: .inf}\n |           ^"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			set, err := sigma.Parse("test.yml", []byte(head+tc.body))
			el, ok := err.(rule.ErrorList)
			if !ok || len(el) != 1 {
				t.Fatalf("got %v, want one error", err)
			}
			if got := el[0].Detail(); got != tc.want {
				t.Errorf("error:\n%s\nwant:\n%s", got, tc.want)
			}
			if len(set.Rules) != 0 {
				t.Errorf("a rule with broken tests must not load")
			}
		})
	}
}

// An empty testcases block is allowed and adds no tests.
func TestTestcasesEmpty(t *testing.T) {
	t.Parallel()
	r := parseOne(t, "title: t\nlogsource: {product: windows}\ndetection:\n  sel: {Image: x}\n  condition: sel\ntestcases:\n  match:\n")
	if len(r.Tests) != 0 || r.Custom != nil {
		t.Errorf("Tests %v, Custom %v; want none", r.Tests, r.Custom)
	}
}
