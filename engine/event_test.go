package engine_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/tanchi-dev/tanchi/engine"
)

func TestParseJSONShapes(t *testing.T) {
	for _, tc := range []struct {
		name  string
		event string
		want  map[string]string // field -> value ("<absent>" for none)
	}{
		{"evtx_dump with attributes",
			`{"Event":{"System":{"Provider":{"#attributes":{"Name":"Microsoft-Windows-Sysmon","Guid":"5770385F"}},"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","Computer":"ws1","Execution":{"#attributes":{"ProcessID":3308}},"TimeCreated":{"#attributes":{"SystemTime":"2025-10-24T23:41:48Z"}}},"EventData":{"Image":"C:\\x.exe"}}}`,
			map[string]string{"EventID": "1", "Provider_Name": "Microsoft-Windows-Sysmon", "Provider_Guid": "5770385F", "Channel": "Microsoft-Windows-Sysmon/Operational", "Computer": "ws1", "Execution_ProcessID": "3308", "TimeCreated_SystemTime": "2025-10-24T23:41:48Z", "Image": `C:\x.exe`}},
		{"evtx without attributes, EventID with qualifiers",
			`{"Event":{"System":{"Provider":{"Name":"Service Control Manager"},"EventID":{"#text":7045,"#attributes":{"Qualifiers":16384}},"Channel":"System"},"EventData":{"ServiceName":"x"}}}`,
			map[string]string{"EventID": "7045", "EventID_Qualifiers": "16384", "Provider_Name": "Service Control Manager", "ServiceName": "x"}},
		{"XML-shaped EventData and UserData",
			`{"Event":{"System":{"EventID":1102,"Channel":"Security"},"EventData":{"Data":[{"#attributes":{"Name":"TargetUserName"},"#text":"bob"}]},"UserData":{"LogFileCleared":{"SubjectUserName":"alice"}}}}`,
			map[string]string{"TargetUserName": "bob", "SubjectUserName": "alice", "EventID": "1102"}},
		{"unnamed Data stays a list",
			`{"Event":{"System":{"EventID":7036,"Channel":"System"},"EventData":{"Data":["Windows Update","running"]}}}`,
			map[string]string{"Data": "[Windows Update, running]"}},
		{"EventData wins over System",
			`{"Event":{"System":{"EventID":4,"Channel":"x","Version":2},"EventData":{"Version":"10.0"}}}`,
			map[string]string{"Version": "10.0"}},
		{"flat nxlog",
			`{"SourceName":"Microsoft-Windows-Sysmon","Channel":"Microsoft-Windows-Sysmon/Operational","EventID":1,"Hostname":"h","Image":"C:\\a.exe"}`,
			map[string]string{"Image": `C:\a.exe`, "EventID": "1", "Provider_Name": "<absent>"}},
		{"nested objects use dotted names",
			`{"process":{"parent":{"name":"explorer.exe"},"pid":42},"tags":["a","b"],"n":null}`,
			map[string]string{"process.parent.name": "explorer.exe", "process.pid": "42", "tags": "[a, b]", "n": "null"}},
		{"winlogbeat legacy",
			`{"log_name":"Microsoft-Windows-Sysmon/Operational","event_id":3,"computer_name":"dc1","source_name":"Microsoft-Windows-Sysmon","event_data":{"Image":"C:\\svchost.exe","DestinationPort":"5985"}}`,
			map[string]string{"Channel": "Microsoft-Windows-Sysmon/Operational", "EventID": "3", "Computer": "dc1", "Provider_Name": "Microsoft-Windows-Sysmon", "Image": `C:\svchost.exe`, "event_data.Image": `C:\svchost.exe`}},
		{"winlogbeat 7+",
			`{"winlog":{"channel":"Security","event_id":4688,"computer_name":"ws","provider_name":"Microsoft-Windows-Security-Auditing","event_data":{"NewProcessName":"C:\\cmd.exe"}}}`,
			map[string]string{"Channel": "Security", "EventID": "4688", "NewProcessName": `C:\cmd.exe`, "Provider_Name": "Microsoft-Windows-Security-Auditing"}},
		{"case-insensitive fallback",
			`{"CommandLine":"x"}`,
			map[string]string{"commandline": "x", "COMMANDLINE": "x"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev, err := engine.ParseJSON([]byte(tc.event))
			if err != nil {
				t.Fatal(err)
			}
			for f, want := range tc.want {
				v, ok := ev.Field(f)
				got := v.String()
				if !ok {
					got = "<absent>"
				}
				if got != want {
					t.Errorf("%s = %q, want %q", f, got, want)
				}
			}
		})
	}
	for _, bad := range []string{`[1,2]`, `42`, `{"a":1} {"b":2}`, `{"a":`, ``} {
		if _, err := engine.ParseJSON([]byte(bad)); err == nil {
			t.Errorf("ParseJSON(%q) accepted", bad)
		}
	}
}

// TestDottedNamesBounded feeds both readers an event whose dotted names
// would grow quadratically (long keys nested deep, many members below):
// names stay within MaxFieldName and the total within the budget, and the
// readers agree.
func TestDottedNamesBounded(t *testing.T) {
	var b strings.Builder
	key := strings.Repeat("k", 200)
	depth := 4
	for range depth {
		b.WriteString(`{"` + key + `":`)
	}
	b.WriteString("{")
	for i := range 50_000 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"m%d":1`, i)
	}
	b.WriteString("}")
	b.WriteString(strings.Repeat("}", depth))
	raw := []byte(b.String())

	ev, err := engine.ParseJSON(raw)
	if err != nil {
		t.Fatal(err)
	}
	var r engine.RawJSON
	if err := r.Reset(raw); err != nil {
		t.Fatal(err)
	}
	var names []string
	total := 0
	ev.Range(func(n string, _ engine.Value) bool {
		if len(n) > engine.MaxFieldName {
			t.Fatalf("name of %d bytes", len(n))
		}
		names = append(names, n)
		total += len(n)
		return true
	})
	if total > 4*len(raw)+4096 {
		t.Errorf("%d bytes of names for a %d-byte event", total, len(raw))
	}
	if len(names) == 0 || len(names) == 50_000 {
		t.Errorf("%d fields: the budget did not apply", len(names))
	}
	var rawNames []string
	r.Range(func(n string, _ engine.Value) bool { rawNames = append(rawNames, n); return true })
	if !slices.Equal(names, rawNames) {
		t.Errorf("ParseJSON gives %d fields, RawJSON %d", len(names), len(rawNames))
	}
}
