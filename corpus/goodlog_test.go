package corpus

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"github.com/tanchi-dev/tanchi/rule"
)

func TestParseKnownFPs(t *testing.T) {
	src := "\ufeffRuleId;RuleName;MatchString\r\n" +
		"8ac03a65-6c84-4116-acad-dc1558ff7a77;Sysmon Configuration Change;Computer: (evtx-PC|Agamemnon)\r\n" +
		"\n# a comment\n" +
		"b69888d4-380c-45ce-9cf9-d9ce46e67821;Executable in ADS;msedge\\.exe \n" +
		"aaaa;only a reason\n" +
		"bbbb;semicolons;a;b\n"
	k, err := ParseKnownFPs("k.csv", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	type entry struct{ id, reason, re string }
	var got []entry
	for _, e := range k {
		re := "<nil>"
		if e.Match != nil {
			re = e.Match.String()
		}
		got = append(got, entry{e.RuleID, e.Reason, re})
	}
	want := []entry{
		{"8ac03a65-6c84-4116-acad-dc1558ff7a77", "Sysmon Configuration Change", "Computer: (evtx-PC|Agamemnon)"},
		{"b69888d4-380c-45ce-9cf9-d9ce46e67821", "Executable in ADS", `msedge\.exe `}, // the trailing space is part of it
		{"aaaa", "only a reason", "<nil>"},
		{"bbbb", "semicolons", "a;b"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("entry %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if k[0].Pos.Line != 2 || k[1].Pos.Line != 5 {
		t.Errorf("positions %v %v", k[0].Pos, k[1].Pos)
	}

	_, err = ParseKnownFPs("k.csv", []byte("RuleId;RuleName;MatchString\n;x;y\nid;x;(\n"))
	el, ok := err.(rule.ErrorList)
	if !ok || len(el) != 2 || el[0].Pos.Line != 2 || el[1].Detail() != "k.csv:3:6: bad MatchString: error parsing regexp: missing closing ): `(`\n | id;x;(\n |      ^" {
		t.Errorf("errors: %v\n%s", err, el[1].Detail())
	}
}

// SigmaHQ's match strings are written against the checker's finding lines:
// "Name: value" pairs (Computer: evtx-PC) and JSON text with escaped
// backslashes (\\\\AppData\\\\Local). Both must match.
func TestKnownFPsFind(t *testing.T) {
	raw := []byte(`{"Event":{"System":{"Provider":{"Name":"Service Control Manager"},"EventID":7045,"Level":4,"Task":0,"Computer":"evtx-PC"},` +
		`"EventData":{"ServiceName":"TeamViewer","ImagePath":"C:\\Users\\x\\AppData\\Local\\Temp\\MBAMInstallerService.exe","Data":["a",1,null]}}}`)
	r := &rule.Rule{ID: "8ac03a65-6c84-4116-acad-dc1558ff7a77"}
	tests := []struct {
		re   string
		want bool
	}{
		{`Computer: (evtx-PC|Agamemnon)`, true},
		{`ServiceName: TeamViewer`, true},
		{`Level: 4  Task: 0`, true},
		{`\\\\AppData\\\\Local\\\\Temp\\\\MBAMInstallerService\.exe`, true}, // JSON text
		{`\\AppData\\Local\\Temp\\MBAM`, true},                              // either form
		{`Data: 1`, true},
		{`Computer: Agamemnon`, false},
		{`.*`, true},
	}
	for _, tc := range tests {
		k, err := ParseKnownFPs("k.csv", []byte("8AC03A65-6C84-4116-ACAD-DC1558FF7A77;x;"+tc.re+"\n"))
		if err != nil {
			t.Fatal(err)
		}
		if got := k.Find(r, raw) != nil; got != tc.want {
			t.Errorf("%s: found %v, want %v (text %q)", tc.re, got, tc.want, fieldText(raw))
		}
	}
	k, _ := ParseKnownFPs("k.csv", []byte("other;x;.*\n"))
	if k.Find(r, raw) != nil {
		t.Error("an entry for another rule accepted the match")
	}
}

func TestFieldText(t *testing.T) {
	got := fieldText([]byte(`{"a":1,"b":{"c":"x y","d":[true,{"#text":"t","#attributes":{"Name":"n"}}]},"e":null}`))
	want := "a: 1  c: x y  d: true  d: t  Name: n  e: null"
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

// JUnit output: one testsuite per group, a failure with the first message
// as attribute and all of them as text, skipped with the reason.
func TestWriteJUnit(t *testing.T) {
	pass := &Result{Case: &Case{Name: "ok"}, Elapsed: 1500 * time.Microsecond}
	fail := &Result{Case: &Case{Name: "bad", Kind: KindRegression, Rules: []string{"r1"}}, Status: Failed,
		Failures: []Failure{{Msg: "1 of 1 events matched, want at least 3"}, {Msg: "second <&>", Detail: "detail"}}}
	skip := &Result{Case: &Case{Name: "raw", Kind: KindRegression}, Status: Skipped, Skip: "no JSON events"}
	var b bytes.Buffer
	err := WriteJUnit(&b, []SuiteResult{{Name: "testdata/cases", Results: []*Result{pass, fail, skip}}, {Name: "inline"}}, time.Date(2026, 11, 27, 6, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	want := `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="tanchi" tests="3" failures="1" errors="0" skipped="1" time="0.002">
  <testsuite name="testdata/cases" tests="3" failures="1" errors="0" skipped="1" time="0.002" timestamp="2026-11-27T06:00:00">
    <testcase name="ok" classname="testdata.cases.case" time="0.002"></testcase>
    <testcase name="bad (r1)" classname="testdata.cases.regression" time="0.000">
      <failure message="1 of 1 events matched, want at least 3" type="expectation">1 of 1 events matched, want at least 3&#xA;&#xA;second &lt;&amp;&gt;&#xA;  detail</failure>
    </testcase>
    <testcase name="raw" classname="testdata.cases.regression" time="0.000">
      <skipped message="no JSON events"></skipped>
    </testcase>
  </testsuite>
  <testsuite name="inline" tests="0" failures="0" errors="0" skipped="0" time="0.000" timestamp="2026-11-27T06:00:00"></testsuite>
</testsuites>
`
	if got := b.String(); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	var doc struct{}
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Error(err)
	}
	if !strings.Contains(b.String(), "<testsuites") {
		t.Error("no testsuites root")
	}
}
