package engine_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/tanchi-dev/tanchi/engine"
	"github.com/tanchi-dev/tanchi/internal/sharedtest"
)

// rawSysmon is a Sysmon process creation as evtx_dump writes it (about
// 1.5 KB, the shape of the evtx corpora).
const rawSysmon = `{"Event":{"#attributes":{"xmlns":"http://schemas.microsoft.com/win/2004/08/events/event"},"System":{"Provider":{"#attributes":{"Name":"Microsoft-Windows-Sysmon","Guid":"5770385F-C22A-43E0-BF4C-06F5698FFBD9"}},"EventID":1,"Version":5,"Level":4,"Task":1,"Opcode":0,"Keywords":"0x8000000000000000","TimeCreated":{"#attributes":{"SystemTime":"2024-05-02T09:14:27.4418221Z"}},"EventRecordID":118204,"Correlation":null,"Execution":{"#attributes":{"ProcessID":3012,"ThreadID":4120}},"Channel":"Microsoft-Windows-Sysmon/Operational","Computer":"ws07.corp.example","Security":{"#attributes":{"UserID":"S-1-5-18"}}},"EventData":{"RuleName":"-","UtcTime":"2024-05-02 09:14:27.437","ProcessGuid":"1F2E3D4C-5B6A-7980-0A1B-000000001C00","ProcessId":7412,"Image":"C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe","FileVersion":"10.0.19041.3996 (WinBuild.160101.0800)","Description":"Windows PowerShell","Product":"Microsoft® Windows® Operating System","Company":"Microsoft Corporation","OriginalFileName":"PowerShell.EXE","CommandLine":"powershell.exe -NoProfile -ExecutionPolicy Bypass -Command \"Get-ChildItem C:\\Users\\alice\\Documents\"","CurrentDirectory":"C:\\Users\\alice\\","User":"CORP\\alice","LogonGuid":"1F2E3D4C-5B6A-7980-E4D2-120000000000","LogonId":"0x12d2e4","TerminalSessionId":1,"IntegrityLevel":"Medium","Hashes":"SHA1=0D3A5F9B7C21E4486A9F1B2C3D4E5F60718293A4,MD5=8E2A1C4B6D9F0A3B5C7D9E1F2A4B6C8D,SHA256=3C7A1E9F5B2D8C4A6E0F1B3D5C7A9E2F4B6D8A0C1E3F5A7B9D2C4E6F8A0B1C3D,IMPHASH=A1B2C3D4E5F60718293A4B5C6D7E8F90","ParentProcessGuid":"1F2E3D4C-5B69-7980-0918-000000001C00","ParentProcessId":6120,"ParentImage":"C:\\Windows\\explorer.exe","ParentCommandLine":"C:\\Windows\\Explorer.EXE","ParentUser":"CORP\\alice"}}}`

// rawNxlog is a Sysmon process creation as nxlog forwards it (the flat
// shape of most OTRF files).
const rawNxlog = `{"@timestamp": "2020-06-10T02:51:05.723Z", "FileVersion": "10.0.17763.1217 (WinBuild.160101.0800)", "Description": "Background Task Host", "LogonGuid": "{a1b2c3d4-0001-5edf-e403-000000000000}", "Domain": "NT AUTHORITY", "port": 60211, "ParentCommandLine": "C:\\windows\\system32\\svchost.exe -k DcomLaunch -p", "ExecutionProcessID": 3520, "Hashes": "SHA1=11AA22BB33CC44DD55EE66FF7788990011223344,MD5=00112233445566778899AABBCCDDEEFF,SHA256=00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF", "Image": "C:\\Windows\\System32\\backgroundTaskHost.exe", "SeverityValue": 2, "EventID": 1, "@version": "1", "EventReceivedTime": "2020-06-09 22:51:05", "SourceModuleType": "im_msvistalog", "TerminalSessionId": "1", "Message": "Process Create:\r\nRuleName: -\r\nUtcTime: 2020-06-10 02:51:04.728\r\nImage: C:\\Windows\\System32\\backgroundTaskHost.exe\r\nCommandLine: \"C:\\Windows\\system32\\backgroundTaskHost.exe\" -ServerName:App.AppX\r\nCurrentDirectory: C:\\Windows\\system32\\", "User": "CORP\\bob", "CommandLine": "\"C:\\Windows\\system32\\backgroundTaskHost.exe\" -ServerName:App.AppX", "ParentProcessGuid": "{a1b2c3d4-a0da-5edf-0b00-000000000300}", "ProviderGuid": "{5770385F-C22A-43E0-BF4C-06F5698FFBD9}", "OpcodeValue": 0, "ParentProcessId": "812", "OriginalFileName": "backgroundTaskHost.exe", "ProcessId": "2008", "ProcessGuid": "{a1b2c3d4-4a98-5ee0-1704-000000000300}", "Product": "Microsoft® Windows® Operating System", "ParentImage": "C:\\Windows\\System32\\svchost.exe", "RuleName": "-", "Task": 1, "Version": 5, "Keywords": -9223372036854775808, "AccountName": "SYSTEM", "Company": "Microsoft Corporation", "SourceName": "Microsoft-Windows-Sysmon", "UserID": "S-1-5-18", "Hostname": "WORKSTATION5.corp.example", "tags": ["mordorDataset"], "EventTime": "2020-06-09 22:51:04", "Severity": "INFO", "RecordNumber": 464819, "IntegrityLevel": "Medium", "CurrentDirectory": "C:\\Windows\\system32\\", "LogonId": "0x3e4", "ThreadID": 4156, "host": "wec.internal.cloudapp.net", "UtcTime": "2020-06-10 02:51:04.728", "EventType": "INFO", "SourceModuleName": "eventlog", "Channel": "Microsoft-Windows-Sysmon/Operational", "AccountType": "User"}`

// rawSameValue reports whether two values are equal, list elements
// included (an empty list equals a nil one).
func rawSameValue(a, b engine.Value) bool {
	if a.Kind != b.Kind || a.S != b.S || len(a.Items) != len(b.Items) {
		return false
	}
	for i := range a.Items {
		if !rawSameValue(a.Items[i], b.Items[i]) {
			return false
		}
	}
	return true
}

type rawPair struct {
	name string
	v    engine.Value
}

func rawPairs(ev engine.Event) []rawPair {
	var ps []rawPair
	ev.Range(func(name string, v engine.Value) bool {
		ps = append(ps, rawPair{name, v})
		return true
	})
	return ps
}

func rawErrClass(err error) string {
	for _, p := range []string{"invalid JSON: ", "event must be a JSON object"} {
		if strings.HasPrefix(err.Error(), p) {
			return p
		}
	}
	return "other"
}

// rawSwapCase flips the case of every letter.
func rawSwapCase(s string) string {
	return strings.Map(func(c rune) rune {
		if unicode.IsUpper(c) {
			return unicode.ToLower(c)
		}
		return unicode.ToUpper(c)
	}, s)
}

// rawDiff reads raw with ParseJSON and with r and describes the first
// difference, or returns "" when they agree: on the error decision and its
// kind, on IsEvtx, on Range (names, values and order), on Field for every
// name, for case variants of the first variants names (all when negative),
// and for names the event lacks.
func rawDiff(r *engine.RawJSON, raw []byte, variants int) string {
	ev, perr := engine.ParseJSON(raw)
	rerr := r.Reset(raw)
	if (perr == nil) != (rerr == nil) {
		return fmt.Sprintf("ParseJSON error: %v; RawJSON error: %v", perr, rerr)
	}
	if perr != nil {
		if rawErrClass(perr) != rawErrClass(rerr) {
			return fmt.Sprintf("ParseJSON error %q, RawJSON error %q", perr, rerr)
		}
		if rawErrClass(rerr) == "invalid JSON: " && !strings.Contains(rerr.Error(), " at offset ") {
			return fmt.Sprintf("RawJSON error %q gives no offset", rerr)
		}
		if n := len(rawPairs(r)); n > 0 {
			return fmt.Sprintf("RawJSON has %d fields after an error", n)
		}
		if _, ok := r.Field("a"); ok {
			return "RawJSON has a field after an error"
		}
		return ""
	}
	if ev.IsEvtx() != r.IsEvtx() {
		return fmt.Sprintf("IsEvtx: ParseJSON %v, RawJSON %v", ev.IsEvtx(), r.IsEvtx())
	}
	if want := rawPlainText(raw); r.PlainText() != want {
		return fmt.Sprintf("PlainText %v, want %v", r.PlainText(), want)
	}
	want, got := rawPairs(ev), rawPairs(r)
	for i := range max(len(want), len(got)) {
		if i >= len(want) || i >= len(got) || want[i].name != got[i].name || !rawSameValue(want[i].v, got[i].v) {
			return fmt.Sprintf("Range differs at %d:\nParseJSON %v\nRawJSON   %v", i, want[min(i, len(want)):], got[min(i, len(got)):])
		}
	}
	names := []string{"", "NoSuchField", "eventid", "IMAGE", "provider_name", "Channel", "\xff", "\uFFFD", "\u212a"}
	for i, p := range want {
		names = append(names, p.name)
		if variants < 0 || i < variants {
			names = append(names, strings.ToLower(p.name), strings.ToUpper(p.name), rawSwapCase(p.name))
		}
	}
	for _, n := range names {
		wv, wok := ev.Field(n)
		gv, gok := r.Field(n)
		if wok != gok || !rawSameValue(wv, gv) {
			return fmt.Sprintf("Field(%q): ParseJSON %v %v, RawJSON %v %v", n, wv, wok, gv, gok)
		}
	}
	return ""
}

// rawPlainText is what RawJSON.PlainText says of valid JSON raw: whether
// no string of the event (not of what Reset ignores after it) has an
// escape that writes printable ASCII or a rune, escaped or not, whose fold
// is an ASCII letter.
func rawPlainText(raw []byte) bool {
	folds := func(c rune) bool { return c == 'ſ' || c == '\u212a' }
	in := false
	depth := 0 // of the event's containers: what follows the event is not read
	for i := 0; i < len(raw); {
		c := raw[i]
		switch {
		case !in:
			in = c == '"'
			i++
			if c == '{' || c == '[' {
				depth++
			} else if c == '}' || c == ']' {
				if depth--; depth == 0 {
					return true
				}
			}
		case c == '"':
			in = false
			i++
		case c == '\\' && raw[i+1] == '/':
			return false
		case c == '\\' && raw[i+1] == 'u':
			var x rune
			fmt.Sscanf(string(raw[i+2:i+6]), "%x", &x)
			if 0x20 <= x && x <= 0x7e || folds(x) {
				return false
			}
			i += 6
		case c == '\\':
			i += 2
		default:
			r, size := utf8.DecodeRune(raw[i:])
			if folds(r) && size > 1 {
				return false
			}
			i += size
		}
	}
	return true
}

func TestRawJSONShapes(t *testing.T) { bothScans(t, testRawJSONShapes) }

func testRawJSONShapes(t *testing.T) {
	deep := func(n int, leaf string) string {
		return strings.Repeat(`{"a":`, n) + leaf + strings.Repeat(`}`, n)
	}
	deepList := func(n int) string {
		return `{"l":` + strings.Repeat(`[`, n) + `1` + strings.Repeat(`]`, n) + `}`
	}
	for _, tc := range []struct {
		name  string
		event string
		want  map[string]string // field -> value ("<absent>" for none)
	}{
		{"evtx_dump with attributes", rawSysmon,
			map[string]string{"EventID": "1", "Provider_Name": "Microsoft-Windows-Sysmon", "Provider_Guid": "5770385F-C22A-43E0-BF4C-06F5698FFBD9",
				"Execution_ProcessID": "3012", "TimeCreated_SystemTime": "2024-05-02T09:14:27.4418221Z", "Correlation": "null",
				"Image": `C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`, "commandline": `powershell.exe -NoProfile -ExecutionPolicy Bypass -Command "Get-ChildItem C:\Users\alice\Documents"`,
				"Product": "Microsoft® Windows® Operating System", "xmlns": "<absent>", "Event.System.EventID": "<absent>"}},
		{"evtx without attributes, EventID with qualifiers",
			`{"Event":{"System":{"Provider":{"Name":"Service Control Manager"},"EventID":{"#text":7045,"#attributes":{"Qualifiers":16384}},"Channel":"System"},"EventData":{"ServiceName":"x"}}}`,
			map[string]string{"EventID": "7045", "EventID_Qualifiers": "16384", "Provider_Name": "Service Control Manager", "ServiceName": "x"}},
		{"System attributes that are not an object",
			`{"Event":{"System":{"Provider":{"#attributes":"x","Name":"p","#text":"t"},"Keywords":["a",{"#text":"b"},{"c":1}]}}}`,
			map[string]string{"Provider": "t", "Provider_#attributes": "x", "Provider_Name": "p", "Provider_#text": "<absent>", "Keywords": "[a, b]"}},
		{"named Data",
			`{"Event":{"System":{"EventID":4688,"Channel":"Security"},"EventData":{"Data":[{"#attributes":{"Name":"NewProcessName"},"#text":"C:\\cmd.exe"},{"#attributes":{"Name":"Empty"}},{"#attributes":{"Name":"L"},"#text":[1,2]},{"#attributes":{"Name":"Obj"},"#text":{"x":1}}]}}}`,
			map[string]string{"NewProcessName": `C:\cmd.exe`, "Empty": "null", "L": "[1, 2]", "Obj": "<absent>", "Data": "<absent>"}},
		{"empty Data list gives no field",
			`{"Event":{"System":{"EventID":1},"EventData":{"Data":[]}}}`,
			map[string]string{"Data": "<absent>", "EventID": "1"}},
		{"Data with one unnamed item stays a list",
			`{"Event":{"System":{"EventID":1},"EventData":{"Data":[{"#attributes":{"Name":"a"},"#text":"x"},{"#attributes":{"Name":2},"#text":"y"},"z"]}}}`,
			map[string]string{"Data": "[x, y, z]", "a": "<absent>"}},
		{"unnamed Data stays a list",
			`{"Event":{"System":{"EventID":7036,"Channel":"System"},"EventData":{"Data":["Windows Update","running"],"Binary":null}}}`,
			map[string]string{"Data": "[Windows Update, running]", "Binary": "null"}},
		{"XML-shaped EventData and UserData",
			`{"Event":{"System":{"EventID":1102,"Channel":"Security"},"EventData":{"Data":[{"#attributes":{"Name":"TargetUserName"},"#text":"bob"}]},"UserData":{"LogFileCleared":{"SubjectUserName":"alice","#attributes":{"xmlns":"x"},"Nested":{"Deep":"d"}},"Scalar":"s"}}}`,
			map[string]string{"TargetUserName": "bob", "SubjectUserName": "alice", "EventID": "1102", "Deep": "d", "xmlns": "<absent>", "Scalar": "<absent>"}},
		{"EventData wins over System, first wins",
			`{"Event":{"System":{"EventID":4,"Channel":"x","Version":2},"EventData":{"Version":"10.0","Channel":"data"},"UserData":{"U":{"Channel":"user","Only":"u"}}}}`,
			map[string]string{"Version": "10.0", "Channel": "data", "Only": "u"}},
		{"EventData #text values unwrap",
			`{"Event":{"System":{},"EventData":{"A":{"#text":"a","#attributes":{"k":"v"}},"B":{"#text":{"C":"c"}},"D":{"E":{"F":"f"}}}}}`,
			map[string]string{"A": "a", "C": "c", "F": "f", "B": "<absent>", "k": "<absent>"}},
		{"Event without System is plain JSON",
			`{"Event":{"EventData":{"Image":"x"}}}`,
			map[string]string{"Event.EventData.Image": "x", "Image": "<absent>"}},
		{"last of duplicate keys wins",
			`{"a":1,"b":{"x":1},"a":2,"b":{"y":2},"\u0061":3,"Event":{"System":{}},"Event":5}`,
			map[string]string{"a": "3", "b.x": "<absent>", "b.y": "2", "Event": "5"}},
		{"duplicate Event decides evtx",
			`{"Event":{"System":{"EventID":1}},"Event":{"EventData":{"x":1}}}`,
			map[string]string{"EventID": "<absent>", "Event.EventData.x": "1"}},
		{"flat nxlog", rawNxlog,
			map[string]string{"Image": `C:\Windows\System32\backgroundTaskHost.exe`, "EventID": "1", "Provider_Name": "<absent>", "tags": "[mordorDataset]",
				"Keywords": "-9223372036854775808", "@timestamp": "2020-06-10T02:51:05.723Z", "ParentProcessId": "812"}},
		{"nested objects use dotted names",
			`{"process":{"parent":{"name":"explorer.exe"},"pid":42},"tags":["a","b"],"n":null}`,
			map[string]string{"process.parent.name": "explorer.exe", "process.pid": "42", "tags": "[a, b]", "n": "null"}},
		{"#text in plain JSON",
			`{"a":{"#text":"t","b":1},"c":{"#text":{"d":2}}}`,
			map[string]string{"a": "t", "a.#text": "t", "a.b": "1", "c": "<absent>", "c.#text.d": "2"}},
		{"dotted names collide: last set wins, first keeps its place",
			`{"a.b":1,"a":{"b":2},"":{"x":3},"x":4,"y":{"":{"z":5}}}`,
			map[string]string{"a.b": "1", "x": "4", "y..z": "5"}},
		{"lists",
			`{"l":[1,"s",true,null,[2,[3]],{"#text":"t"},{"o":1},{"#text":{"o":1}}],"e":[]}`,
			map[string]string{"l": "[1, s, true, null, [2, [3]], t]", "e": "[]", "l.o": "<absent>"}},
		{"numbers keep their text",
			`{"a":1.50,"b":-0,"c":1E+05,"d":12345678901234567890123,"e":0.1e-3}`,
			map[string]string{"a": "1.50", "b": "-0", "c": "1E+05", "d": "12345678901234567890123", "e": "0.1e-3"}},
		{"escapes",
			`{"s":"a\"b\\c\/d\b\f\n\r\t","u":"\u00e9\u20AC","pair":"\ud83d\ude00","lone":"\ud800x","low":"\udc00","hh":"\ud800\ud800\udc00","\u0041":"k"}`,
			map[string]string{"s": "a\"b\\c/d\b\f\n\r\t", "u": "é€", "pair": "😀", "lone": "\uFFFDx", "low": "\uFFFD", "hh": "\uFFFD\U00010000", "A": "k"}},
		{"invalid UTF-8 becomes U+FFFD",
			"{\"s\":\"a\xffb\xc3\",\"k\xfe\":\"\xed\xa0\x80\",\"ok\":\"é\"}",
			map[string]string{"s": "a\uFFFDb\uFFFD", "k\uFFFD": "\uFFFD\uFFFD\uFFFD", "ok": "é"}},
		{"winlogbeat legacy",
			`{"log_name":"Microsoft-Windows-Sysmon/Operational","event_id":3,"computer_name":"dc1","source_name":"Microsoft-Windows-Sysmon","event_data":{"Image":"C:\\svchost.exe","DestinationPort":"5985","W":{"#text":"w"},"N":{"x":1}}}`,
			map[string]string{"Channel": "Microsoft-Windows-Sysmon/Operational", "EventID": "3", "Computer": "dc1", "Provider_Name": "Microsoft-Windows-Sysmon",
				"Image": `C:\svchost.exe`, "event_data.Image": `C:\svchost.exe`, "W": "w", "N": "<absent>", "event_data.N.x": "1"}},
		{"winlogbeat 7+",
			`{"winlog":{"channel":"Security","event_id":4688,"computer_name":"ws","provider_name":"Microsoft-Windows-Security-Auditing","event_data":{"NewProcessName":"C:\\cmd.exe","Channel":"mine"}}}`,
			map[string]string{"Channel": "mine", "EventID": "4688", "NewProcessName": `C:\cmd.exe`, "Provider_Name": "Microsoft-Windows-Security-Auditing"}},
		{"winlogbeat aliases skip lists, keep null",
			`{"channel":["a"],"event_id":null,"source_name":{"x":1}}`,
			map[string]string{"Channel": "[a]" /* channel, by case */, "EventID": "null", "Provider_Name": "<absent>"}},
		{"case-insensitive fallback: first in Range order",
			`{"CommandLine":"x","b":{"c":1},"B.C":2,"K":"kelvin"}`,
			map[string]string{"commandline": "x", "COMMANDLINE": "x", "b.C": "2", "B.c": "2", "b.c": "1", "\u212A": "kelvin", "k": "kelvin"}},
		{"non-ASCII names fold",
			`{"Ärger":"a","ÉTÉ":"e","x\u212Ay":"kelvin"}`,
			map[string]string{"ärger": "a", "été": "e", "ÄRGER": "a", "xky": "kelvin", "XKY": "kelvin"}},
		{"objects at MaxJSONDepth", deep(engine.MaxJSONDepth, `1`),
			map[string]string{strings.TrimSuffix(strings.Repeat("a.", engine.MaxJSONDepth), "."): "1"}},
		{"objects beyond MaxJSONDepth", deep(engine.MaxJSONDepth+2, `1`), map[string]string{}},
		{"#text beyond MaxJSONDepth", deep(engine.MaxJSONDepth+1, `{"#text":"t"}`), map[string]string{}},
		{"lists at MaxJSONDepth", deepList(engine.MaxJSONDepth + 1), map[string]string{}},
		{"lists beyond MaxJSONDepth", deepList(engine.MaxJSONDepth + 2), map[string]string{}},
		{"nesting at encoding/json's limit", `{"x":` + strings.Repeat(`[`, 9999) + strings.Repeat(`]`, 9999) + `}`, map[string]string{}},
		{"data after the object that ParseJSON ignores", `{"a":1} ]not json`, map[string]string{"a": "1"}},
		{"names that are not Event", `{"":{"System":{"EventID":1}},"\u0000":{"System":{"EventID":2}},"EventX":{"System":{}}}`,
			map[string]string{"EventID": "<absent>", "System.EventID": "1", "\x00.System.EventID": "2"}},
		{"white space around", " \t\r\n{ \"a\" : [ 1 , 2 ] }\n ", map[string]string{"a": "[1, 2]"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r engine.RawJSON
			if err := r.Reset([]byte(rawNxlog)); err != nil { // leave state behind
				t.Fatal(err)
			}
			if d := rawDiff(&r, []byte(tc.event), -1); d != "" {
				t.Fatal(d)
			}
			for f, want := range tc.want {
				v, ok := r.Field(f)
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
}

func TestRawJSONErrors(t *testing.T) { bothScans(t, testRawJSONErrors) }

func testRawJSONErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{``, "invalid JSON: unexpected end of input at offset 0"},
		{`  `, "invalid JSON: unexpected end of input at offset 2"},
		{`[1,2]`, "event must be a JSON object, got an array"},
		{`42`, "event must be a JSON object, got a number"},
		{`null`, "event must be a JSON object, got null"},
		{`"s"]`, "event must be a JSON object, got a string"},
		{`true`, "event must be a JSON object, got a boolean"},
		{`42x`, "invalid JSON: data after the event at offset 2"},
		{`01`, "invalid JSON: data after the event at offset 1"},
		{`{"a":1} {"b":2}`, "invalid JSON: data after the event at offset 8"},
		{`{"a":`, "invalid JSON: unexpected end of input at offset 5"},
		{`{"a":1,}`, `invalid JSON: invalid character "}" at offset 7`},
		{`{"a" 1}`, `invalid JSON: invalid character "1" at offset 5`},
		{`{"a":01}`, `invalid JSON: invalid character "1" at offset 6`},
		{`{"a":1.}`, `invalid JSON: invalid character "}" at offset 7`},
		{`{"a":-}`, `invalid JSON: invalid character "}" at offset 6`},
		{`{"a":1e}`, `invalid JSON: invalid character "}" at offset 7`},
		{`{"a":tru}`, `invalid JSON: invalid character "}" at offset 8`},
		{`{"a":[1,]}`, `invalid JSON: invalid character "]" at offset 8`},
		{`{"a":[1}`, `invalid JSON: invalid character "}" at offset 7`},
		{`{"a":"\x"}`, `invalid JSON: invalid escape "\\x" in string at offset 6`},
		{`{"a":"\u12g4"}`, `invalid JSON: invalid character "g" at offset 10`},
		{"{\"a\":\"\t\"}", `invalid JSON: invalid character "\t" in string at offset 6`},
		{`{"a":"abc`, "invalid JSON: unexpected end of input at offset 9"},
		{"{\"a\":\"\xff", "invalid JSON: unexpected end of input at offset 7"},
		{`{'a':1}`, `invalid JSON: invalid character "'" at offset 1`},
		{"\ufeff{}", `invalid JSON: invalid character "\xef" at offset 0`},
		{`{"x":` + strings.Repeat(`[`, 10000) + strings.Repeat(`]`, 10000) + `}`, "invalid JSON: exceeded max depth at offset 10004"},
	} {
		var r engine.RawJSON
		err := r.Reset([]byte(tc.in))
		if err == nil || err.Error() != tc.want {
			t.Errorf("Reset(%.40q) = %v, want %s", tc.in, err, tc.want)
		}
		if d := rawDiff(&r, []byte(tc.in), -1); d != "" {
			t.Errorf("%.40q: %s", tc.in, d)
		}
	}
}

// TestRawJSONLarge compares RawJSON with ParseJSON on generated events
// larger than the buffers start with: objects with many members (sorted in
// each of the ways RawJSON sorts), many names equal but for case, long
// strings and long lists.
func TestRawJSONLarge(t *testing.T) { bothScans(t, testRawJSONLarge) }

func testRawJSONLarge(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	words := []string{"Image", "image", "IMAGE", "ParentProcessGuid", "ParentProcessId", "ParentProcessIdx", "a", "A", "",
		"#text", "#attributes", "Data", "\u00c9t\u00e9", "\u00e9T\u00c9", "x.y", "K", "\u212a", "Name"}
	key := func() string {
		switch rng.IntN(3) {
		case 0:
			return words[rng.IntN(len(words))]
		case 1:
			return fmt.Sprintf("ParentProcess%d", rng.IntN(500))
		}
		return fmt.Sprintf("k%d", rng.IntN(5000))
	}
	var value func(depth int) string
	value = func(depth int) string {
		switch n := rng.IntN(10); {
		case n < 4 || depth > 3:
			return fmt.Sprintf(`"v%d\\%d"`, rng.IntN(100), rng.IntN(100))
		case n < 6:
			return fmt.Sprint(rng.IntN(1000))
		case n < 8:
			var b strings.Builder
			b.WriteString("{")
			for i := range rng.IntN(20) {
				if i > 0 {
					b.WriteString(",")
				}
				fmt.Fprintf(&b, "%q:%s", key(), value(depth+1))
			}
			b.WriteString("}")
			return b.String()
		}
		return "[" + value(depth+1) + "," + value(depth+1) + "]"
	}
	object := func(n int) string {
		var b strings.Builder
		b.WriteString("{")
		for i := range n {
			if i > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, "%q:%s", key(), value(0))
		}
		b.WriteString("}")
		return strings.ReplaceAll(b.String(), `\\u`, `\u`)
	}
	var variants []string
	for i := range 1 << 13 {
		k := []byte("abcdefghijklm")
		for j := range k {
			if i>>j&1 == 1 {
				k[j] -= 'a' - 'A'
			}
		}
		variants = append(variants, fmt.Sprintf("%q:%d", k, i))
	}
	list := make([]string, 100000)
	for i := range list {
		list[i] = fmt.Sprint(i)
		if i%1000 == 0 {
			list[i] = "[1,[2,{\"#text\":3}],{}]"
		}
	}
	events := map[string]string{
		"15 members":               object(15),
		"200 members":              object(200),
		"5,000 members":            object(5000),
		"evtx, 3,000 members":      `{"Event":{"System":` + object(50) + `,"EventData":` + object(3000) + `,"UserData":{"U":` + object(100) + `}}}`,
		"winlogbeat":               `{"winlog":{"channel":"c","event_data":` + object(300) + `},"event_data":` + object(300) + `}`,
		"names equal but for case": "{" + strings.Join(variants, ",") + "}",
		"long escaped string":      `{"s":"` + strings.Repeat(`C:\\Windows\\\u00e9\ud83d\ude00`, 50000) + `"}`,
		"long list":                `{"l":[` + strings.Join(list, ",") + `]}`,
	}
	var r engine.RawJSON
	for _, name := range slices.Sorted(maps.Keys(events)) {
		for range 2 {
			if d := rawDiff(&r, []byte(events[name]), 8); d != "" {
				t.Errorf("%s: %s", name, d)
			}
		}
	}
	if err := r.Reset([]byte(events["names equal but for case"])); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"ABCDEFGHIJKLm": "4095", "abcdefghij\u212alm": "8191"} {
		if v, ok := r.Field(name); !ok || v.S != want {
			t.Errorf("%s = %v, %v; want %s", name, v, ok, want)
		}
	}
}

// TestRawJSONReuse reads events of different shapes one after the other
// with one RawJSON: nothing of an event may show through in the next.
func TestRawJSONReuse(t *testing.T) { bothScans(t, testRawJSONReuse) }

func testRawJSONReuse(t *testing.T) {
	events := []string{rawSysmon, rawNxlog, `{"a":[1,[2,"x\ty"]]}`, `{"a":`, `{}`, `[]`,
		`{"Event":{"System":{"EventID":{"#text":4624}},"EventData":{"Data":[{"#attributes":{"Name":"LogonType"},"#text":"3"}]}}}`}
	rawDiffRounds(t, events)
}

// rawDiffRounds reads the events with one RawJSON three times over, each
// checked against ParseJSON.
func rawDiffRounds(t *testing.T, events []string) {
	t.Helper()
	var r engine.RawJSON
	for round := range 3 {
		for i, ev := range events {
			if d := rawDiff(&r, []byte(ev), -1); d != "" {
				t.Fatalf("round %d, event %d: %s", round, i, d)
			}
		}
	}
}

// TestRawJSONLazyStrings reads strings with escapes, which RawJSON decodes
// when a field is read, at every place against the 8-byte words it scans,
// in the middle and at the end of the input, cut short, and read in
// different orders.
func TestRawJSONLazyStrings(t *testing.T) { bothScans(t, testRawJSONLazyStrings) }

func testRawJSONLazyStrings(t *testing.T) {
	bodies := []string{
		`\\`, `a\\b`, `C:\\Windows\\System32\\cmd.exe`, `\\\\\\\\\\\\\\\\\\`, `x\"y\"z`, `\"`, `\\\"`,
		`\r\n\t\b\f`, `a\/b`, `\u0041`, `\u00e9\u20ac`, `\u017f`, `\u212A`, `\ud83d\ude00`, `\ud800`, `\ud800\u0041`,
		`\udc00\ud800`, `\ud800\ud800\udc00`, `\u0000\u001f`, `é\\ſ`, "\u212a\\K", `Ω\n`, "\xff\\n", `\\` + "\xc3",
		`abcdefgh\\ijklmnop\"qrstuvw\\`, strings.Repeat(`\\a`, 40), strings.Repeat(`ab\r\n`, 30),
		// Not valid: the same errors as ParseJSON.
		`\x`, `\u12`, `\u12g4`, "a\\\x01", `\`, `\u`, `\ud800\u12`,
	}
	// The scan goes eight bytes at a time from the first escape: put the
	// next at every distance from it.
	// From 48 on, next lands across the 64-byte words of RawJSON's marks.
	ds := []int{48, 50, 52, 53, 54, 55, 56, 57, 58, 59, 60, 62, 64}
	for d := range 18 {
		ds = append(ds, d)
	}
	for _, d := range ds {
		for _, next := range []string{`\"`, `\\`, `\\\"`, `\u0041`, `\ud83d\ude00`, `é`, "\xff", "\x01", `\q`} {
			bodies = append(bodies, `\n`+strings.Repeat("a", d)+next+"bc", "é"+strings.Repeat("a", d)+next)
		}
	}
	var r engine.RawJSON
	check := func(ev string) {
		t.Helper()
		if d := rawDiff(&r, []byte(ev), -1); d != "" {
			t.Fatalf("%q: %s", ev, d)
		}
	}
	for _, body := range bodies {
		for pad := range 17 {
			k := strings.Repeat("k", pad)
			check(`{"` + k + `":"` + body + `","n":"` + body + `x"}`)
			check(`{"` + k + `":["` + body + `"],"` + k + `x":{"` + body + `":"` + body + `"}}`)
			ev := `{"` + k + `":"` + body + `"}`
			for end := len(ev) - 4; end <= len(ev); end++ {
				check(ev[:end])
			}
		}
	}

	// Decoded once, whatever reads it first.
	ev := []byte(`{"a":"x\\y","b":"\u00e9\n","c":"plain","a2":"x\\y"}`)
	want := map[string]string{"a": `x\y`, "b": "é\n", "c": "plain", "a2": `x\y`}
	for _, first := range []string{"a", "b", "c", "range"} {
		if err := r.Reset(ev); err != nil {
			t.Fatal(err)
		}
		if first == "range" {
			r.Range(func(string, engine.Value) bool { return true })
		} else {
			r.Field(first)
		}
		for range 2 {
			r.Range(func(name string, v engine.Value) bool {
				if v.S != want[name] {
					t.Errorf("after %s: Range %s = %q, want %q", first, name, v.S, want[name])
				}
				if f, _ := r.Field(name); f.S != v.S {
					t.Errorf("after %s: Field %s = %q, Range %q", first, name, f.S, v.S)
				}
				return true
			})
		}
	}
}

// TestRawJSONSchemas reuses one RawJSON over objects whose names share
// their first eight bytes and lengths, in the same order, so that an order
// kept for one would be wrong for the next: each must be sorted anew.
func TestRawJSONSchemas(t *testing.T) { bothScans(t, testRawJSONSchemas) }

func testRawJSONSchemas(t *testing.T) {
	events := []string{
		`{"abcdefghA":1,"abcdefghB":2,"abcdefghC":3}`,
		`{"abcdefghC":1,"abcdefghB":2,"abcdefghA":3}`,
		`{"abcdefghC":1,"abcdefghC":2,"abcdefghA":3}`,
		`{"abcdefgh1234ijklmnop":1,"abcdefgh5678ijklmnop":2,"abcdefghijklmnop":3,"abcdefghijklmnopqrstuvwxyz":4}`,
		`{"abcdefgh5678ijklmnop":1,"abcdefgh1234ijklmnop":2,"abcdefghijklmnop":3,"abcdefghijklmnopqrstuvwxyz":4}`,
		`{"abcdefgh5678ijklmnop":1,"abcdefgh1234ijklmnop":2,"abcdefghijklmnoq":3,"abcdefghijklmnopqrstuvwxyz":4}`,
		`{"abcdefgh5678ijklmnop":1,"abcdefgh1234ijklmnop":2,"abcdefghijklmnoq":3,"abcdefghijklmnopqrstUvwxyz":4}`,
		`{"abcdefghB":1,"abcdefghA":2,"abcdefghC":3,"x":{"abcdefghC":1,"abcdefghB":2,"abcdefghA":3}}`,
		`{"Event":{"System":{"EventID":1,"Channel":"c","Computer":"x"},"EventData":{"B":1,"A":2,"C":3}}}`,
		`{"Event":{"System":{"EventID":1,"Channel":"c","Computer":"x"},"EventData":{"B":1,"a":2,"C":3}}}`,
		`{"Event":{"System":{"EventID":1,"Channel":"c","Computer":"x"},"EventData":{"B":1,"B":2,"C":3}}}`,
		`{"winlog":{"channel":"c","event_id":1,"event_data":{"B":1,"A":2,"C":3}}}`,
		// The same names with more nodes, so larger tables, with an object,
		// and with names equal but for case.
		`{"b":1,"A":[1,2],"c":"x\\y","a":4}`,
		`{"b":1,"A":[` + strings.Repeat(`1,`, 40) + `2],"c":"x\\y","a":4}`,
		`{"b":1,"A":{"x":1},"c":"x\\y","a":4}`,
		`{"b":1,"A":[3],"c":"z","a":5}`,
		`{"B":1,"A":[3],"c":"z","a":5,"C":6,"b":7}`,
	}
	rawDiffRounds(t, events)
}

// TestRawJSONConcurrentReads reads one event's fields from several
// goroutines at once (run with -race).
func TestRawJSONConcurrentReads(t *testing.T) {
	var r engine.RawJSON
	if err := r.Reset([]byte(rawSysmon)); err != nil {
		t.Fatal(err)
	}
	want, _ := r.Field("Image")
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 100 {
				if v, ok := r.Field("image"); !ok || v.S != want.S {
					t.Errorf("Field(image) = %v, %v", v, ok)
				}
				r.Range(func(string, engine.Value) bool { return true })
			}
		})
	}
	wg.Wait()
}

// TestRawJSONConcurrentDecoding reads strings that are decoded when first
// read from several goroutines at once (run with -race).
func TestRawJSONConcurrentDecoding(t *testing.T) {
	var r engine.RawJSON
	names := []string{"Image", "CommandLine", "ParentImage", "User", "commandline", "CurrentDirectory"}
	want := map[string]string{}
	ev, _ := engine.ParseJSON([]byte(rawSysmon))
	for _, n := range names {
		v, _ := ev.Field(n)
		want[n] = v.S
	}
	for round := range 20 {
		if err := r.Reset([]byte(rawSysmon)); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for g := range 4 {
			wg.Go(func() {
				for i := range names {
					n := names[(i+g+round)%len(names)]
					if v, ok := r.Field(n); !ok || v.S != want[n] {
						t.Errorf("Field(%s) = %q, %v", n, v.S, ok)
					}
				}
				r.Range(func(string, engine.Value) bool { return true })
			})
		}
		wg.Wait()
	}
}

// TestRawJSONAllocs checks that reading events and looking up fields
// allocates nothing once the buffers have grown.
func TestRawJSONAllocs(t *testing.T) {
	events := [][]byte{[]byte(rawSysmon), []byte(rawNxlog),
		[]byte(`{"winlog":{"channel":"Security","event_id":4688,"event_data":{"NewProcessName":"C:\\cmd.exe","Tags":["a","b",{"#text":"c"}]}}}`)}
	names := []string{"EventID", "Channel", "Provider_Name", "Image", "CommandLine", "ParentImage", "User",
		"commandline", "PARENTIMAGE", "TargetFilename", "QueryName", "DestinationPort", "Hashes", "tags", "Message"}
	var r engine.RawJSON
	for _, ev := range events {
		if err := r.Reset(ev); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	allocs := testing.AllocsPerRun(200, func() {
		for _, ev := range events {
			if err := r.Reset(ev); err != nil {
				panic(err)
			}
			for _, name := range names {
				if _, ok := r.Field(name); ok {
					n++
				}
			}
			r.Range(func(string, engine.Value) bool { n++; return true })
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per run, want 0", allocs)
	}
	if n == 0 {
		t.Error("no field found")
	}
}

// rawInputs calls fn with every event of file: for *.json the whole file
// and then, when it holds several JSON values one after the other, each of
// them; each line of *.jsonl; and up to limit lines of *.jsonl.gz (0: all).
func rawInputs(file string, limit int, fn func(line int, raw []byte)) error {
	if strings.HasSuffix(file, ".json") {
		data, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		fn(1, data)
		dec := json.NewDecoder(bytes.NewReader(data))
		var vals []json.RawMessage
		for {
			var v json.RawMessage
			if dec.Decode(&v) != nil {
				break
			}
			vals = append(vals, v)
		}
		if len(vals) > 1 {
			for _, v := range vals {
				fn(1+bytes.Count(data[:bytes.Index(data, v)], []byte("\n")), v)
			}
		}
		return nil
	}
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	var src io.Reader = f
	if strings.HasSuffix(file, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return err
		}
		src = zr
	}
	sc := bufio.NewScanner(src)
	sc.Buffer(nil, 64<<20)
	for n := 1; (limit == 0 || n <= limit) && sc.Scan(); n++ {
		if len(bytes.TrimSpace(sc.Bytes())) > 0 {
			fn(n, sc.Bytes())
		}
	}
	return sc.Err()
}

// TestRawJSONCorpora compares RawJSON with ParseJSON on every event of the
// shared corpora and of SigmaHQ's regression data (the first 500 lines of
// each OTRF file, 100 with -short).
func TestRawJSONCorpora(t *testing.T) { bothScans(t, testRawJSONCorpora) }

func testRawJSONCorpora(t *testing.T) {
	sets := []string{"corpora/evtx-attack-samples", "corpora/evtx-rs-parser-samples", "corpora/evtx-to-mitre-attack",
		"corpora/linux-samples", "corpora/otrf-security-datasets", "sigma/regression_data"}
	otrfLimit := 500
	if testing.Short() {
		otrfLimit = 100
	}
	var r engine.RawJSON
	total, totalBad := 0, 0
	for _, set := range sets {
		root := sharedtest.Path(t, strings.Split(set, "/")...)
		var files []string
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(root, p)
			event := strings.HasSuffix(p, ".json") || strings.HasSuffix(p, ".jsonl") || strings.HasSuffix(p, ".jsonl.gz")
			if event && (set == "sigma/regression_data" || strings.HasPrefix(rel, "events"+string(filepath.Separator))) {
				files = append(files, p)
			}
			return nil
		})
		slices.Sort(files)
		events, rejected, bad := 0, 0, 0
		for _, file := range files {
			limit := 0
			if strings.HasSuffix(file, ".gz") {
				limit = otrfLimit
			}
			err := rawInputs(file, limit, func(line int, raw []byte) {
				events++
				d := rawDiff(&r, raw, 8)
				if r.Reset(raw) != nil {
					rejected++
				}
				if d != "" {
					if bad++; bad <= 5 {
						t.Errorf("%s:%d: %s", file, line, d)
					}
				}
			})
			if err != nil {
				t.Errorf("%s: %v", file, err)
			}
		}
		t.Logf("%s: %d events in %d files (%d rejected by both), %d mismatches", set, events, len(files), rejected, bad)
		if events == 0 {
			t.Errorf("%s: no events found", set)
		}
		total += events
		totalBad += bad
	}
	t.Logf("total: %d events, %d mismatches", total, totalBad)
}

// bothScans runs f with Reset's string scans as they run here, from the
// marks of a vector kernel, and as they run where there is none.
func bothScans(t *testing.T, f func(t *testing.T)) {
	t.Run("marks", f)
	t.Run("bytes", func(t *testing.T) { engine.WithoutRawMarks(func() { f(t) }) })
}

func FuzzRawJSON(f *testing.F) {
	for _, s := range []string{rawSysmon, rawNxlog, `{}`, `[]`, `{"a":1} ]x`, `{"a":"\ud800\udc00\ud800"}`,
		`{"Event":{"System":{"Provider":{"#attributes":{"Name":"p"}},"EventID":{"#text":1}},"EventData":{"Data":[{"#attributes":{"Name":"n"},"#text":"v"}]},"UserData":{"X":{"Y":"z"}}}}`,
		`{"winlog":{"channel":"c","event_data":{"A":{"#text":"a"}}},"a":{"#text":[1,{"#text":2}]},"A.#TEXT":3}`,
		"{\"\xff\":\"\xc3\",\"\":{\"\":1}}", `{"a":1,"a":{"b":2},"a.b":3,"A":4}`, `{"n":-0.5e+7,"t":true,"f":false,"z":null}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var r engine.RawJSON
		r.Reset([]byte(rawSysmon)) // a used RawJSON
		// The second time with the sorted orders kept from the first, the
		// third without marks.
		check := func() {
			if d := rawDiff(&r, data, 8); d != "" {
				t.Fatalf("%q: %s", data, d)
			}
		}
		check()
		check()
		engine.WithoutRawMarks(check)
	})
}

func BenchmarkRawJSON(b *testing.B) {
	for _, ev := range rawBenchEvents(b) {
		b.Run(ev.name, func(b *testing.B) {
			var r engine.RawJSON
			b.SetBytes(int64(len(ev.raw)))
			b.ReportAllocs()
			for b.Loop() {
				if err := r.Reset(ev.raw); err != nil {
					b.Fatal(err)
				}
				r.Field("Image")
			}
		})
	}
}

func BenchmarkParseJSON(b *testing.B) {
	for _, ev := range rawBenchEvents(b) {
		b.Run(ev.name, func(b *testing.B) {
			b.SetBytes(int64(len(ev.raw)))
			b.ReportAllocs()
			for b.Loop() {
				e, err := engine.ParseJSON(ev.raw)
				if err != nil {
					b.Fatal(err)
				}
				e.Field("Image")
			}
		})
	}
}

// BenchmarkRawJSONFields is the per-event lookup load of a rule set: 20
// lookups, a third of them for fields the event lacks.
func BenchmarkRawJSONFields(b *testing.B) {
	names := []string{"EventID", "Channel", "Provider_Name", "Image", "CommandLine", "ParentImage", "User",
		"OriginalFileName", "Hashes", "IntegrityLevel", "ParentCommandLine", "CurrentDirectory", "Product",
		"TargetFilename", "QueryName", "DestinationPort", "TargetObject", "ImageLoaded", "PipeName", "ServiceName"}
	for _, ev := range rawBenchEvents(b) {
		b.Run(ev.name, func(b *testing.B) {
			var r engine.RawJSON
			if err := r.Reset(ev.raw); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				for _, n := range names {
					r.Field(n)
				}
			}
		})
	}
}

type rawBenchEvent struct {
	name string
	raw  []byte
}

// rawBenchEvents are the fixtures above and, when ../shared is there, the
// first Sysmon process creation of the evtx-attack-samples corpus and of
// an nxlog-flat OTRF file.
func rawBenchEvents(b *testing.B) []rawBenchEvent {
	b.Helper()
	evs := []rawBenchEvent{{"sysmon-evtx", []byte(rawSysmon)}, {"sysmon-nxlog", []byte(rawNxlog)}}
	dir := os.Getenv("TANCHI_SHARED")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared")
	}
	first := func(name, file string, limit int, want ...string) {
		var found []byte
		rawInputs(file, limit, func(_ int, raw []byte) {
			for _, w := range want {
				if !bytes.Contains(raw, []byte(w)) {
					return
				}
			}
			if found == nil {
				found = bytes.Clone(raw)
			}
		})
		if found != nil {
			evs = append(evs, rawBenchEvent{name, found})
		}
	}
	if _, err := os.Stat(dir); err == nil {
		first("corpus-sysmon-evtx", filepath.Join(dir, "corpora/evtx-attack-samples/events/Execution/Sysmon_Exec_CompiledHTML.jsonl"), 5000, `"EventID":1,`)
		first("corpus-sysmon-nxlog", filepath.Join(dir, "corpora/otrf-security-datasets/events/atomic/windows/collection/host/msf_record_mic.jsonl.gz"), 5000, `"EventID": 1,`, `Sysmon`)
	}
	return evs
}

// BenchmarkRawJSONLane reads the first 20,000 events of the JSONL file
// named by TANCHI_RAWJSON_LANE, one Reset per op; it skips when unset.
func BenchmarkRawJSONLane(b *testing.B) {
	file := os.Getenv("TANCHI_RAWJSON_LANE")
	if file == "" {
		b.Skip("TANCHI_RAWJSON_LANE not set")
	}
	var evs [][]byte
	size := 0
	if err := rawInputs(file, 20000, func(_ int, raw []byte) {
		evs = append(evs, bytes.Clone(raw))
		size += len(raw)
	}); err != nil {
		b.Fatal(err)
	}
	if len(evs) == 0 {
		b.Skip("no events")
	}
	var r engine.RawJSON
	b.SetBytes(int64(size / len(evs)))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if err := r.Reset(evs[i]); err != nil {
			b.Fatal(err)
		}
		r.Field("Image")
		if i++; i == len(evs) {
			i = 0
		}
	}
}
