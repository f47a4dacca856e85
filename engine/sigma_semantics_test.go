package engine_test

// End-to-end tests of Sigma semantics: each case is a Sigma rule as YAML
// text, read with sigma.Parse, compiled with engine.Compile twice (the CEL
// programs behind the routing index, and the brute-force tree walk of
// WithoutIndex) and matched against JSON events read with engine.ParseJSON.
// Both engines must give the expected answer for every event.
//
// The expectations follow the Sigma specification v2.1
// (SigmaHQ/sigma-specification: sigma-rules-specification.md and
// sigma-appendix-modifiers.md); where the specification is silent the case
// says which reading it tests.

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/tanchi-dev/tanchi/engine"
	"github.com/tanchi-dev/tanchi/rule"
	"github.com/tanchi-dev/tanchi/rule/sigma"
)

// semEvent is one event of a case and whether the case's rule must match it.
type semEvent struct {
	json string
	want bool
}

// semCase is one rule and the events it is tested on.
type semCase struct {
	name   string
	rule   string // the complete Sigma rule (see sigmaRule and det)
	opts   []engine.Option
	events []semEvent
	skip   string // "BUG: ..." when the engine is known to disagree
}

// T and F keep the event tables short.
func T(json string) semEvent { return semEvent{json, true} }
func F(json string) semEvent { return semEvent{json, false} }

// dedent removes the indentation common to all non-blank lines of s (and a
// leading newline), so rules can be written indented inside the Go source.
// YAML indentation inside the rule must use spaces.
func dedent(s string) string {
	s = strings.TrimPrefix(s, "\n")
	lines := strings.Split(s, "\n")
	prefix, first := "", true
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		ws := l[:len(l)-len(strings.TrimLeft(l, " \t"))]
		if first {
			prefix, first = ws, false
			continue
		}
		for !strings.HasPrefix(ws, prefix) {
			prefix = prefix[:len(prefix)-1]
		}
	}
	for i, l := range lines {
		lines[i] = strings.TrimPrefix(l, prefix)
	}
	return strings.Join(lines, "\n")
}

// indent4 indents every non-blank line of s by four spaces.
func indent4(s string) string {
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimRight(s, "\n \t"), "\n") {
		if strings.TrimSpace(l) != "" {
			b.WriteString("    ")
			b.WriteString(l)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// sigmaRule builds a complete rule from its logsource and detection bodies.
func sigmaRule(logsource, detection string) string {
	return "title: semantics case\n" +
		"id: 5e0c4b1e-9f3a-4c1d-8e2b-000000000001\n" +
		"status: test\n" +
		"logsource:\n" + indent4(dedent(logsource)) +
		"detection:\n" + indent4(dedent(detection)) +
		"level: high\n"
}

// det builds a rule with a neutral logsource. Flat JSON events name no
// channel, so every rule sees them whatever its logsource.
func det(detection string) string { return sigmaRule("product: test", detection) }

// obj renders a flat JSON object from alternating keys and values.
func obj(kv ...any) string {
	m := map[string]any{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	b, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// evtx renders a Windows event as evtx_dump writes it. provider is the JSON
// of System.Provider, eventID the JSON of System.EventID, data the JSON
// object of EventData.
func evtx(provider, channel, eventID, data string) string {
	return fmt.Sprintf(`{"Event":{"System":{"Provider":%s,"EventID":%s,"Version":5,"Channel":%q,"Computer":"host1.corp.example","TimeCreated":{"#attributes":{"SystemTime":"2024-03-01T10:00:00.000Z"}}},"EventData":%s}}`,
		provider, eventID, channel, data)
}

const (
	sysmonChannel   = "Microsoft-Windows-Sysmon/Operational"
	sysmonProvider  = `{"#attributes":{"Name":"Microsoft-Windows-Sysmon","Guid":"{5770385f-c22a-43e0-bf4c-06f5698ffbd9}"}}`
	securityChannel = "Security"
	securityProv    = `{"#attributes":{"Name":"Microsoft-Windows-Security-Auditing","Guid":"{54849625-5478-4994-a5ba-3e3b0328c30d}"}}`
)

func sysmon(id int, data string) string {
	return evtx(sysmonProvider, sysmonChannel, fmt.Sprint(id), data)
}

func security(id int, data string) string {
	return evtx(securityProv, securityChannel, fmt.Sprint(id), data)
}

// Encoders for the base64offset cases, written independently of the engine.
func utf16LE(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = binary.LittleEndian.AppendUint16(b, u)
	}
	return b
}

func utf16BE(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = binary.BigEndian.AppendUint16(b, u)
	}
	return b
}

func utf16BOM(s string) []byte { return append([]byte{0xFF, 0xFE}, utf16LE(s)...) }

func utf8Bytes(s string) []byte { return []byte(s) }

// encodedEvents returns command lines holding the base64 of
// prefix+value+suffix, for prefixes and suffixes of zero, one and two
// characters, so that the value falls at every byte offset modulo 3
// (characters are one byte in UTF-8 and two in UTF-16: offsets 0, 1, 2 and
// 0, 2, 1). enc encodes the value as the rule's modifiers do, chars the
// surrounding text. All of them must match. Then come events that must not:
// another value encoded the same way, the value encoded differently
// (wrongEnc), and the value in plain text.
func encodedEvents(value, other string, enc, chars, wrongEnc func(string) []byte) []semEvent {
	var out []semEvent
	b64 := base64.StdEncoding.EncodeToString
	for _, pre := range []string{"", "I", "IE"} {
		for _, suf := range []string{"", ";", "; exit"} {
			raw := append(append(chars(pre), enc(value)...), chars(suf)...)
			out = append(out, T(obj("CommandLine", "powershell.exe -NoP -e "+b64(raw))))
			raw = append(append(chars(pre), enc(other)...), chars(suf)...)
			out = append(out, F(obj("CommandLine", "powershell.exe -NoP -e "+b64(raw))))
		}
		raw := append(append(chars(pre), wrongEnc(value)...), chars(" ")...)
		out = append(out, F(obj("CommandLine", "powershell.exe -NoP -e "+b64(raw))))
	}
	out = append(out, F(obj("CommandLine", "powershell.exe -NoP -c "+value)))
	return out
}

// compileBoth parses src and compiles its single rule with and without the
// routing index.
func compileBoth(t *testing.T, src string, opts ...engine.Option) (indexed, walked *engine.Engine) {
	t.Helper()
	set, err := sigma.Parse("case.yml", []byte(src))
	if err != nil {
		t.Fatalf("sigma.Parse: %v\nrule:\n%s", err, src)
	}
	if len(set.Rules) != 1 {
		t.Fatalf("sigma.Parse: got %d rules, want 1\nrule:\n%s", len(set.Rules), src)
	}
	indexed, err = engine.Compile(set.Rules, opts...)
	if err != nil {
		t.Fatalf("Compile: %v\nrule:\n%s", err, src)
	}
	walked, err = engine.Compile(set.Rules, append(append([]engine.Option(nil), opts...), engine.WithoutIndex())...)
	if err != nil {
		t.Fatalf("Compile(WithoutIndex): %v\nrule:\n%s", err, src)
	}
	if len(indexed.Rules()) != 1 || len(walked.Rules()) != 1 {
		t.Fatalf("Compile kept %d and %d rules, want 1", len(indexed.Rules()), len(walked.Rules()))
	}
	return indexed, walked
}

// matches reports whether eng's single rule matches ev.
func matches(t *testing.T, eng *engine.Engine, ev engine.Event) bool {
	t.Helper()
	ms := eng.Match(ev)
	switch len(ms) {
	case 0:
		return false
	case 1:
		if ms[0].Rule != eng.Rules()[0] {
			t.Errorf("Match returned rule %q, not the compiled one", ms[0].Rule.Title)
		}
		return true
	}
	t.Errorf("Match returned %d matches for one rule", len(ms))
	return true
}

func runSemCases(t *testing.T, cases []semCase) {
	t.Helper()
	seen := map[string]bool{}
	for _, tc := range cases {
		if seen[tc.name] {
			t.Fatalf("duplicate case name %q", tc.name)
		}
		seen[tc.name] = true
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if tc.skip != "" {
				t.Skip(tc.skip)
			}
			// A case must be able to fail against an engine that always or
			// never matches.
			var nTrue, nFalse int
			for _, e := range tc.events {
				if e.want {
					nTrue++
				} else {
					nFalse++
				}
			}
			if nTrue == 0 || nFalse == 0 {
				t.Fatalf("case has %d matching and %d non-matching events; it needs both", nTrue, nFalse)
			}
			indexed, walked := compileBoth(t, tc.rule, tc.opts...)
			for i, e := range tc.events {
				ev, err := engine.ParseJSON([]byte(e.json))
				if err != nil {
					t.Fatalf("event %d: ParseJSON: %v\n%s", i, err, e.json)
				}
				if got := matches(t, indexed, ev); got != e.want {
					t.Errorf("event %d: Compile: match = %v, want %v\nevent: %s", i, got, e.want, e.json)
				}
				if got := matches(t, walked, ev); got != e.want {
					t.Errorf("event %d: Compile(WithoutIndex): match = %v, want %v\nevent: %s", i, got, e.want, e.json)
				}
			}
		})
	}
}

func TestSigmaSemantics(t *testing.T) {
	t.Parallel()
	runSemCases(t, stringCases())
	runSemCases(t, wildcardCases())
	runSemCases(t, nullCases())
	runSemCases(t, numberCases())
	runSemCases(t, regexCases())
	runSemCases(t, windashCases())
	runSemCases(t, encodingCases())
	runSemCases(t, cidrCases())
	runSemCases(t, fieldrefCases())
	runSemCases(t, expandCases())
	runSemCases(t, keywordCases())
	runSemCases(t, conditionCases())
	runSemCases(t, windowsCases(t))
}

// Default case-insensitivity, cased, the string operators, lists, maps, all.
func stringCases() []semCase {
	return []semCase{
		{
			name: "equality is case-insensitive by default",
			rule: det(`
				sel:
				  Image: 'C:\Windows\System32\cmd.exe'
				condition: sel`),
			events: []semEvent{
				T(`{"Image":"C:\\Windows\\System32\\cmd.exe"}`),
				T(`{"Image":"c:\\windows\\system32\\CMD.EXE"}`),
				F(`{"Image":"C:\\Windows\\System32\\cmd.exe.bak"}`),
				F(`{"Image":"D:\\C:\\Windows\\System32\\cmd.exe"}`),
				F(`{"Image":"C:\\Windows\\System32\\cmd"}`),
				F(`{"ParentImage":"C:\\Windows\\System32\\cmd.exe"}`),
			},
		},
		{
			name: "case folding covers non-ASCII letters",
			rule: det(`
				sel:
				  User: 'ÄRGER\ÖMER'
				condition: sel`),
			events: []semEvent{
				T(`{"User":"ärger\\ömer"}`),
				F(`{"User":"arger\\omer"}`),
			},
		},
		{
			name: "cased equality",
			rule: det(`
				sel:
				  Image|cased: 'C:\Windows\System32\cmd.exe'
				condition: sel`),
			events: []semEvent{
				T(`{"Image":"C:\\Windows\\System32\\cmd.exe"}`),
				F(`{"Image":"c:\\windows\\system32\\cmd.exe"}`),
				F(`{"Image":"C:\\Windows\\System32\\CMD.exe"}`),
			},
		},
		{
			name: "cased endswith",
			rule: det(`
				sel:
				  Image|endswith|cased: '\cmd.exe'
				condition: sel`),
			events: []semEvent{
				T(`{"Image":"C:\\Windows\\System32\\cmd.exe"}`),
				F(`{"Image":"C:\\Windows\\System32\\CMD.EXE"}`),
			},
		},
		{
			name: "cased contains",
			rule: det(`
				sel:
				  CommandLine|contains|cased: 'Invoke-Expression'
				condition: sel`),
			events: []semEvent{
				T(`{"CommandLine":"powershell Invoke-Expression $x"}`),
				F(`{"CommandLine":"powershell invoke-expression $x"}`),
			},
		},
		{
			name: "equality needs the whole value",
			rule: det(`
				sel:
				  CommandLine: 'whoami'
				condition: sel`),
			events: []semEvent{
				T(`{"CommandLine":"WhoAmI"}`),
				F(`{"CommandLine":"cmd /c whoami"}`),
				F(`{"CommandLine":"whoami /all"}`),
			},
		},
		{
			name: "contains",
			rule: det(`
				sel:
				  CommandLine|contains: 'whoami'
				condition: sel`),
			events: []semEvent{
				T(`{"CommandLine":"cmd /c WHOAMI /all"}`),
				T(`{"CommandLine":"whoami"}`),
				F(`{"CommandLine":"who ami"}`),
				F(`{"Other":"whoami"}`),
			},
		},
		{
			name: "startswith",
			rule: det(`
				sel:
				  Image|startswith: 'C:\Users\'
				condition: sel`),
			events: []semEvent{
				T(`{"Image":"c:\\users\\bob\\evil.exe"}`),
				T(`{"Image":"C:\\Users\\"}`),
				F(`{"Image":"D:\\C:\\Users\\bob\\evil.exe"}`),
				F(`{"Image":"C:\\UsersX\\evil.exe"}`),
			},
		},
		{
			name: "endswith",
			rule: det(`
				sel:
				  Image|endswith: '\powershell.exe'
				condition: sel`),
			events: []semEvent{
				T(`{"Image":"C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\PowerShell.exe"}`),
				F(`{"Image":"C:\\Tools\\notpowershell.exe"}`),
				F(`{"Image":"C:\\Tools\\powershell.exe.bak"}`),
			},
		},
		{
			name: "a list of values is OR",
			rule: det(`
				sel:
				  Image|endswith:
				    - '\cmd.exe'
				    - '\powershell.exe'
				condition: sel`),
			events: []semEvent{
				T(`{"Image":"C:\\Windows\\System32\\cmd.exe"}`),
				T(`{"Image":"C:\\Windows\\System32\\powershell.exe"}`),
				F(`{"Image":"C:\\Windows\\System32\\wscript.exe"}`),
			},
		},
		{
			name: "a map is AND",
			rule: det(`
				sel:
				  Image|endswith: '\cmd.exe'
				  CommandLine|contains: 'whoami'
				condition: sel`),
			events: []semEvent{
				T(`{"Image":"C:\\Windows\\cmd.exe","CommandLine":"cmd /c whoami"}`),
				F(`{"Image":"C:\\Windows\\cmd.exe","CommandLine":"cmd /c dir"}`),
				F(`{"Image":"C:\\Windows\\pwsh.exe","CommandLine":"whoami"}`),
				F(`{"Image":"C:\\Windows\\cmd.exe"}`),
			},
		},
		{
			name: "a list of maps is OR of ANDs",
			rule: det(`
				sel:
				  - Image|endswith: '\cmd.exe'
				    User: alice
				  - CommandLine|contains: mimikatz
				condition: sel`),
			events: []semEvent{
				T(`{"Image":"C:\\Windows\\cmd.exe","User":"ALICE"}`),
				T(`{"CommandLine":"mimikatz.exe privilege::debug"}`),
				F(`{"Image":"C:\\Windows\\cmd.exe","User":"bob"}`),
				F(`{"User":"alice"}`),
			},
		},
		{
			name: "all makes the values AND",
			rule: det(`
				sel:
				  CommandLine|contains|all:
				    - ' -nop'
				    - ' -enc '
				condition: sel`),
			events: []semEvent{
				T(`{"CommandLine":"powershell -nop -w hidden -enc AAAA"}`),
				T(`{"CommandLine":"powershell -enc AAAA -NOP"}`),
				F(`{"CommandLine":"powershell -nop -w hidden"}`),
				F(`{"CommandLine":"powershell -enc AAAA"}`),
			},
		},
		{
			name: "all with endswith and startswith in one selection",
			rule: det(`
				sel:
				  CommandLine|startswith|all:
				    - 'cmd'
				    - 'CMD.EXE'
				  Image|endswith: '.exe'
				condition: sel`),
			events: []semEvent{
				T(`{"CommandLine":"cmd.exe /c dir","Image":"C:\\cmd.exe"}`),
				F(`{"CommandLine":"cmd /c dir","Image":"C:\\cmd.exe"}`),
			},
		},
	}
}

// The * and ? wildcards and the backslash escapes of the specification's
// "Escaping" section.
func wildcardCases() []semCase {
	return []semCase{
		{
			name: "star matches any run of characters",
			rule: det(`
				sel:
				  Image: '*\cmd.exe'
				condition: sel`),
			events: []semEvent{
				T(`{"Image":"C:\\Windows\\System32\\cmd.exe"}`),
				T(`{"Image":"\\cmd.exe"}`),
				F(`{"Image":"C:\\Windows\\System32\\cmd.exe\\x"}`),
				F(`{"Image":"cmd.exe"}`),
			},
		},
		{
			name: "star in the middle",
			rule: det(`
				sel:
				  CommandLine: 'net* user * /add'
				condition: sel`),
			events: []semEvent{
				T(`{"CommandLine":"net user eve P@ss /add"}`),
				T(`{"CommandLine":"NET1.exe user eve P@ss /ADD"}`),
				F(`{"CommandLine":"net user eve P@ss /add /y"}`),
				F(`{"CommandLine":"net group eve /add"}`),
			},
		},
		{
			name: "wildcards still work under contains",
			rule: det(`
				sel:
				  CommandLine|contains: 'reg* add *\Run'
				condition: sel`),
			events: []semEvent{
				T(`{"CommandLine":"cmd /c reg.exe add HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run /v x"}`),
				F(`{"CommandLine":"cmd /c reg.exe query HKCU\\Run"}`),
			},
		},
		{
			name: "question mark is exactly one character, also a multi-byte rune",
			rule: det(`
				sel:
				  Image|endswith: '\prog?.exe'
				condition: sel`),
			events: []semEvent{
				T(`{"Image":"C:\\progA.exe"}`),
				T(`{"Image":"C:\\progä.exe"}`),
				T(`{"Image":"C:\\prog日.exe"}`),
				T(`{"Image":"C:\\prog😀.exe"}`),
				F(`{"Image":"C:\\prog.exe"}`),
				F(`{"Image":"C:\\progAB.exe"}`),
				F(`{"Image":"C:\\progää.exe"}`),
			},
		},
		{
			name: "escaped star is a literal star",
			rule: det(`
				sel:
				  CommandLine: 'dir C:\*.txt'
				condition: sel`),
			events: []semEvent{
				T(`{"CommandLine":"dir C:*.txt"}`),
				F(`{"CommandLine":"dir C:\\*.txt"}`),
				F(`{"CommandLine":"dir C:secret.txt"}`),
			},
		},
		{
			name: "escaped question mark is a literal question mark",
			rule: det(`
				sel:
				  Query: 'what\?'
				condition: sel`),
			events: []semEvent{
				T(`{"Query":"what?"}`),
				F(`{"Query":"whatx"}`),
				F(`{"Query":"what\\?"}`),
			},
		},
		{
			name: "double backslash before star is a backslash then a wildcard",
			rule: det(`
				sel:
				  Image: 'C:\Temp\\*'
				condition: sel`),
			events: []semEvent{
				T(`{"Image":"C:\\Temp\\evil.exe"}`),
				T(`{"Image":"C:\\Temp\\"}`),
				F(`{"Image":"C:\\Tempevil.exe"}`),
				F(`{"Image":"C:\\Temp*"}`),
			},
		},
		{
			name: "three backslashes before star are a backslash and a literal star",
			rule: det(`
				sel:
				  Image: 'C:\Temp\\\*'
				condition: sel`),
			events: []semEvent{
				T(`{"Image":"C:\\Temp\\*"}`),
				F(`{"Image":"C:\\Temp\\evil.exe"}`),
			},
		},
		{
			name: "four backslashes are two literal backslashes",
			rule: det(`
				sel:
				  Path|startswith: '\\\\fileserver\share'
				condition: sel`),
			events: []semEvent{
				T(`{"Path":"\\\\fileserver\\share\\x.exe"}`),
				F(`{"Path":"\\fileserver\\share\\x.exe"}`),
			},
		},
		{
			name: "double backslash not before a wildcard is one backslash",
			rule: det(`
				sel:
				  Path: '\\fileserver\share'
				condition: sel`),
			events: []semEvent{
				T(`{"Path":"\\fileserver\\share"}`),
				F(`{"Path":"\\\\fileserver\\share"}`),
			},
		},
		{
			name: "single backslash before letters stays literal",
			rule: det(`
				sel:
				  Image: 'C:\Windows\System32\net.exe'
				  ParentImage: "C:\\Windows\\explorer.exe"
				condition: sel`),
			events: []semEvent{
				T(`{"Image":"C:\\Windows\\System32\\net.exe","ParentImage":"C:\\Windows\\explorer.exe"}`),
				F(`{"Image":"C:WindowsSystem32net.exe","ParentImage":"C:\\Windows\\explorer.exe"}`),
			},
		},
		{
			name: "trailing backslash is literal",
			rule: det(`
				sel:
				  CurrentDirectory: 'C:\Windows\System32\'
				condition: sel`),
			events: []semEvent{
				T(`{"CurrentDirectory":"C:\\Windows\\System32\\"}`),
				F(`{"CurrentDirectory":"C:\\Windows\\System32"}`),
				F(`{"CurrentDirectory":"C:\\Windows\\System32\\x"}`),
			},
		},
		{
			name: "trailing backslash with startswith",
			rule: det(`
				sel:
				  Image|startswith: 'C:\Windows\'
				condition: sel`),
			events: []semEvent{
				T(`{"Image":"C:\\Windows\\explorer.exe"}`),
				F(`{"Image":"C:\\WindowsApps\\x.exe"}`),
			},
		},
	}
}

// null, the empty string, not over absent fields, exists.
func nullCases() []semCase {
	return []semCase{
		{
			name: "null matches an absent field and JSON null, not the empty string",
			rule: det(`
				sel:
				  CommandLine: null
				condition: sel`),
			events: []semEvent{
				T(`{"Image":"x"}`),
				T(`{"Image":"x","CommandLine":null}`),
				F(`{"Image":"x","CommandLine":""}`),
				F(`{"Image":"x","CommandLine":"null"}`),
				F(`{"Image":"x","CommandLine":"cmd"}`),
			},
		},
		{
			name: "empty string matches only the empty string",
			rule: det(`
				sel:
				  CommandLine: ''
				condition: sel`),
			events: []semEvent{
				T(`{"CommandLine":""}`),
				F(`{"Image":"x"}`),
				F(`{"CommandLine":null}`),
				F(`{"CommandLine":" "}`),
				F(`{"CommandLine":"cmd"}`),
			},
		},
		{
			name: "not selection is true when the field is absent",
			rule: det(`
				sel:
				  Image|endswith: '\cmd.exe'
				condition: not sel`),
			events: []semEvent{
				T(`{"User":"alice"}`),
				T(`{"Image":null}`),
				T(`{"Image":"C:\\Windows\\pwsh.exe"}`),
				F(`{"Image":"C:\\Windows\\cmd.exe"}`),
			},
		},
		{
			name: "selection and not null-filter (the specification's example)",
			rule: det(`
				selection:
				  EventID: 4738
				filter:
				  PasswordLastSet: null
				condition: selection and not filter`),
			events: []semEvent{
				T(`{"EventID":4738,"PasswordLastSet":"2024-01-01"}`),
				T(`{"EventID":4738,"PasswordLastSet":""}`),
				F(`{"EventID":4738,"PasswordLastSet":null}`),
				F(`{"EventID":4738}`),
				F(`{"EventID":4737,"PasswordLastSet":"2024-01-01"}`),
			},
		},
		{
			name: "exists true: present, even empty or null",
			rule: det(`
				selection:
				  EventID: 4738
				  PasswordLastSet|exists: true
				condition: selection`),
			events: []semEvent{
				T(`{"EventID":4738,"PasswordLastSet":"2024-01-01"}`),
				T(`{"EventID":4738,"PasswordLastSet":""}`),
				T(`{"EventID":4738,"PasswordLastSet":null}`),
				F(`{"EventID":4738}`),
			},
		},
		{
			name: "exists false: absent only",
			rule: det(`
				selection:
				  PasswordLastSet|exists: false
				condition: selection`),
			events: []semEvent{
				T(`{"EventID":4738}`),
				F(`{"EventID":4738,"PasswordLastSet":""}`),
				F(`{"EventID":4738,"PasswordLastSet":null}`),
				F(`{"EventID":4738,"PasswordLastSet":"2024-01-01"}`),
			},
		},
		{
			name: "null in a list of values is OR",
			rule: det(`
				sel:
				  ParentImage:
				    - null
				    - ''
				condition: sel`),
			events: []semEvent{
				T(`{"Image":"x"}`),
				T(`{"ParentImage":null}`),
				T(`{"ParentImage":""}`),
				F(`{"ParentImage":"C:\\x.exe"}`),
			},
		},
	}
}

// Numbers, booleans, numeric comparisons, neq.
func numberCases() []semCase {
	return []semCase{
		{
			name: "number value matches JSON number and numeric string",
			rule: det(`
				sel:
				  EventID: 1
				condition: sel`),
			events: []semEvent{
				T(`{"EventID":1}`),
				T(`{"EventID":"1"}`),
				F(`{"EventID":11}`),
				F(`{"EventID":10}`),
				F(`{"EventID":"21"}`),
				F(`{"EventID":2}`),
				F(`{"EventID":true}`),
			},
		},
		{
			name: "quoted number matches JSON number",
			rule: det(`
				sel:
				  EventID: '1'
				condition: sel`),
			events: []semEvent{
				T(`{"EventID":1}`),
				T(`{"EventID":"1"}`),
				F(`{"EventID":11}`),
			},
		},
		{
			name: "list of numbers",
			rule: det(`
				sel:
				  EventID:
				    - 4624
				    - 4625
				condition: sel`),
			events: []semEvent{
				T(`{"EventID":4625}`),
				T(`{"EventID":"4624"}`),
				F(`{"EventID":4626}`),
			},
		},
		{
			name: "the specification's map example with hex strings",
			rule: det(`
				selection:
				  EventLog: Security
				  EventID: 4769
				  TicketOptions: '0x40810000'
				  TicketEncryption: '0x17'
				condition: selection`),
			events: []semEvent{
				T(`{"EventLog":"Security","EventID":4769,"TicketOptions":"0x40810000","TicketEncryption":"0x17"}`),
				F(`{"EventLog":"Security","EventID":4769,"TicketOptions":"0x40810000","TicketEncryption":"0x12"}`),
				F(`{"EventLog":"Security","EventID":4768,"TicketOptions":"0x40810000","TicketEncryption":"0x17"}`),
			},
		},
		{
			name: "boolean value",
			rule: det(`
				sel:
				  Initiated: true
				condition: sel`),
			events: []semEvent{
				T(`{"Initiated":true}`),
				T(`{"Initiated":"true"}`),
				T(`{"Initiated":"True"}`),
				F(`{"Initiated":false}`),
				F(`{"Initiated":"false"}`),
				F(`{"Initiated":1}`),
				F(`{"Other":true}`),
			},
		},
		{
			name: "quoted boolean matches JSON boolean",
			rule: det(`
				sel:
				  Initiated: 'false'
				condition: sel`),
			events: []semEvent{
				T(`{"Initiated":false}`),
				F(`{"Initiated":true}`),
			},
		},
		{
			name: "gt",
			rule: det(`
				sel:
				  Size|gt: 100
				condition: sel`),
			events: []semEvent{
				T(`{"Size":101}`),
				T(`{"Size":"150"}`),
				T(`{"Size":100.5}`),
				F(`{"Size":100}`),
				F(`{"Size":"99"}`),
				F(`{"Size":-200}`),
				F(`{"Size":"abc"}`),
				F(`{"Size":""}`),
				F(`{"Size":null}`),
				F(`{"Size":true}`),
				F(`{"Other":500}`),
			},
		},
		{
			name: "gte",
			rule: det(`
				sel:
				  Size|gte: 100
				condition: sel`),
			events: []semEvent{
				T(`{"Size":100}`),
				T(`{"Size":"100"}`),
				T(`{"Size":1e3}`),
				F(`{"Size":99}`),
				F(`{"Size":"ten"}`),
			},
		},
		{
			name: "lt with a float",
			rule: det(`
				sel:
				  Score|lt: 0.5
				condition: sel`),
			events: []semEvent{
				T(`{"Score":0.25}`),
				T(`{"Score":"-1"}`),
				F(`{"Score":0.5}`),
				F(`{"Score":"0.75"}`),
				F(`{"Score":"low"}`),
			},
		},
		{
			name: "lte",
			rule: det(`
				sel:
				  LogonType|lte: 3
				condition: sel`),
			events: []semEvent{
				T(`{"LogonType":3}`),
				T(`{"LogonType":"2"}`),
				F(`{"LogonType":10}`),
				F(`{"LogonType":"3a"}`),
			},
		},
		{
			name: "numeric comparison with a numeric string value in the rule",
			rule: det(`
				sel:
				  Size|gt: '1000'
				condition: sel`),
			events: []semEvent{
				T(`{"Size":1001}`),
				F(`{"Size":999}`),
				F(`{"Size":"10000a"}`),
			},
		},
		{
			name: "neq with a string",
			rule: det(`
				sel:
				  User|neq: admin
				condition: sel`),
			events: []semEvent{
				T(`{"User":"bob"}`),
				T(`{"User":"administrator"}`),
				F(`{"User":"admin"}`),
				F(`{"User":"ADMIN"}`),
			},
		},
		{
			name: "neq with a number",
			rule: det(`
				sel:
				  EventID|neq: 4624
				condition: sel`),
			events: []semEvent{
				T(`{"EventID":4625}`),
				T(`{"EventID":"46240"}`),
				F(`{"EventID":4624}`),
				F(`{"EventID":"4624"}`),
			},
		},
		{
			name: "neq with a list: different from every value",
			rule: det(`
				sel:
				  User|neq:
				    - admin
				    - root
				condition: sel`),
			events: []semEvent{
				T(`{"User":"bob"}`),
				F(`{"User":"root"}`),
				F(`{"User":"Admin"}`),
			},
		},
		{
			name: "neq on an absent or null field does not hold",
			rule: det(`
				sel:
				  User|neq: admin
				condition: sel`),
			events: []semEvent{
				F(`{"Other":"bob"}`),
				F(`{"User":null}`),
				T(`{"User":"bob"}`),
			},
		},
	}
}

// re with its i, m and s flags.
func regexCases() []semCase {
	return []semCase{
		{
			name: "re is unanchored and case-sensitive by default",
			rule: det(`
				sel:
				  CommandLine|re: 'who.mi'
				condition: sel`),
			events: []semEvent{
				T(`{"CommandLine":"cmd /c whoami /all"}`),
				F(`{"CommandLine":"cmd /c WHOAMI /all"}`),
				F(`{"CommandLine":"who\nmi"}`),
			},
		},
		{
			name: "re anchors",
			rule: det(`
				sel:
				  CommandLine|re: '^cmd\.exe /c [a-z]+$'
				condition: sel`),
			events: []semEvent{
				T(`{"CommandLine":"cmd.exe /c whoami"}`),
				F(`{"CommandLine":"xcmd.exe /c whoami"}`),
				F(`{"CommandLine":"cmd.exe /c whoami /all"}`),
				F(`{"CommandLine":"cmdXexe /c whoami"}`),
			},
		},
		{
			name: "re with i is case-insensitive",
			rule: det(`
				sel:
				  CommandLine|re|i: 'who.mi'
				condition: sel`),
			events: []semEvent{
				T(`{"CommandLine":"cmd /c WHOAMI /all"}`),
				F(`{"CommandLine":"cmd /c WHO"}`),
			},
		},
		{
			name: "re without m: caret is the start of the text",
			rule: det(`
				sel:
				  ScriptBlockText|re: '^Invoke-Mimikatz$'
				condition: sel`),
			events: []semEvent{
				F(`{"ScriptBlockText":"$x = 1\nInvoke-Mimikatz\nexit"}`),
				T(`{"ScriptBlockText":"Invoke-Mimikatz"}`),
			},
		},
		{
			name: "re with m: caret and dollar at line boundaries",
			rule: det(`
				sel:
				  ScriptBlockText|re|m: '^Invoke-Mimikatz$'
				condition: sel`),
			events: []semEvent{
				T(`{"ScriptBlockText":"$x = 1\nInvoke-Mimikatz\nexit"}`),
				F(`{"ScriptBlockText":"$x = 1; Invoke-Mimikatz; exit"}`),
			},
		},
		{
			name: "re without s: dot does not match newline",
			rule: det(`
				sel:
				  ScriptBlockText|re: 'begin.+end'
				condition: sel`),
			events: []semEvent{
				F(`{"ScriptBlockText":"begin\nend"}`),
				T(`{"ScriptBlockText":"begin middle end"}`),
			},
		},
		{
			name: "re with s: dot matches newline",
			rule: det(`
				sel:
				  ScriptBlockText|re|s: 'begin.+end'
				condition: sel`),
			events: []semEvent{
				T(`{"ScriptBlockText":"begin\nend"}`),
				F(`{"ScriptBlockText":"begin"}`),
			},
		},
		{
			name: "re with i, m and s together",
			rule: det(`
				sel:
				  ScriptBlockText|re|i|m|s: '^begin.+END$'
				condition: sel`),
			events: []semEvent{
				T(`{"ScriptBlockText":"x\nBEGIN\nmiddle\nend\ny"}`),
				F(`{"ScriptBlockText":"x BEGIN middle end y"}`),
			},
		},
		{
			name: "re on a number",
			rule: det(`
				sel:
				  EventID|re: '^46(24|25)$'
				condition: sel`),
			events: []semEvent{
				T(`{"EventID":4625}`),
				F(`{"EventID":4626}`),
			},
		},
	}
}

// windash with the five dash characters of the modifiers appendix.
func windashCases() []semCase {
	return []semCase{
		{
			name: "windash on equality",
			rule: det(`
				sel:
				  Flag|windash: '-enc'
				condition: sel`),
			events: []semEvent{
				T(`{"Flag":"-enc"}`),
				T(`{"Flag":"/enc"}`),
				T(`{"Flag":"\u2013enc"}`),
				T(`{"Flag":"\u2014enc"}`),
				T(`{"Flag":"\u2015enc"}`),
				T(`{"Flag":"/ENC"}`),
				F(`{"Flag":"enc"}`),
				F(`{"Flag":"+enc"}`),
				F(`{"Flag":"\u2012enc"}`),
				F(`{"Flag":"--enc"}`),
			},
		},
		{
			name: "contains windash",
			rule: det(`
				sel:
				  CommandLine|contains|windash: ' -nop '
				condition: sel`),
			events: []semEvent{
				T(`{"CommandLine":"powershell.exe -nop -w hidden"}`),
				T(`{"CommandLine":"powershell.exe /nop /w hidden"}`),
				T(`{"CommandLine":"powershell.exe –nop /w hidden"}`),
				T(`{"CommandLine":"powershell.exe —nop /w hidden"}`),
				T(`{"CommandLine":"powershell.exe ―nop /w hidden"}`),
				F(`{"CommandLine":"powershell.exe nop"}`),
				F(`{"CommandLine":"powershell.exe ~nop -w hidden"}`),
			},
		},
		{
			name: "windash contains (modifier order) with a slash in the rule",
			rule: det(`
				sel:
				  CommandLine|windash|contains: ' /c '
				condition: sel`),
			events: []semEvent{
				T(`{"CommandLine":"cmd.exe /c whoami"}`),
				T(`{"CommandLine":"cmd.exe -c whoami"}`),
				T(`{"CommandLine":"cmd.exe ―c whoami"}`),
				F(`{"CommandLine":"cmd.exe c whoami"}`),
			},
		},
		{
			name: "contains all windash",
			rule: det(`
				sel:
				  CommandLine|contains|all|windash:
				    - ' -nop '
				    - ' -w hidden'
				condition: sel`),
			events: []semEvent{
				T(`{"CommandLine":"powershell -nop -w hidden -c x"}`),
				T(`{"CommandLine":"powershell /w hidden /nop -c x"}`),
				T(`{"CommandLine":"powershell –nop —w hidden"}`),
				T(`{"CommandLine":"powershell ―nop -W HIDDEN"}`),
				F(`{"CommandLine":"powershell -nop -c x"}`),
				F(`{"CommandLine":"powershell /w hidden"}`),
			},
		},
	}
}

// base64, base64offset and the UTF-16 encodings.
func encodingCases() []semCase {
	const value, other = "Invoke-Mimikatz", "Invoke-Expression"
	b64 := base64.StdEncoding.EncodeToString
	return []semCase{
		{
			name: "base64 equality",
			rule: det(`
				sel:
				  Payload|base64: 'http://'
				condition: sel`),
			events: []semEvent{
				T(obj("Payload", b64([]byte("http://")))),
				F(obj("Payload", b64([]byte("https://")))),
				F(obj("Payload", "http://")),
				F(obj("Payload", "x"+b64([]byte("http://")))),
			},
		},
		{
			name: "base64 contains",
			rule: det(`
				sel:
				  CommandLine|base64|contains: 'http://'
				condition: sel`),
			events: []semEvent{
				T(obj("CommandLine", "echo "+b64([]byte("http://"))+" | base64 -d | sh")),
				F(obj("CommandLine", "echo "+b64([]byte("https://"))+" | base64 -d | sh")),
			},
		},
		{
			name: "base64offset contains at every shift",
			rule: det(`
				sel:
				  CommandLine|base64offset|contains: '` + value + `'
				condition: sel`),
			events: encodedEvents(value, other, utf8Bytes, utf8Bytes, utf16LE),
		},
		{
			name: "base64offset contains with a list of values",
			rule: det(`
				sel:
				  CommandLine|base64offset|contains:
				    - 'Invoke-Nothing'
				    - '` + value + `'
				condition: sel`),
			events: encodedEvents(value, other, utf8Bytes, utf8Bytes, utf16LE),
		},
		{
			name: "utf16le base64offset contains",
			rule: det(`
				sel:
				  CommandLine|utf16le|base64offset|contains: '` + value + `'
				condition: sel`),
			events: encodedEvents(value, other, utf16LE, utf16LE, utf8Bytes),
		},
		{
			name: "wide base64offset contains",
			rule: det(`
				sel:
				  CommandLine|wide|base64offset|contains: '` + value + `'
				condition: sel`),
			events: encodedEvents(value, other, utf16LE, utf16LE, utf16BE),
		},
		{
			name: "utf16be base64offset contains",
			rule: det(`
				sel:
				  CommandLine|utf16be|base64offset|contains: '` + value + `'
				condition: sel`),
			events: encodedEvents(value, other, utf16BE, utf16BE, utf16LE),
		},
		{
			name: "utf16 (with byte order mark) base64offset contains",
			rule: det(`
				sel:
				  CommandLine|utf16|base64offset|contains: '` + value + `'
				condition: sel`),
			events: encodedEvents(value, other, utf16BOM, utf16LE, utf16LE),
		},
		{
			name: "wide base64 contains (no offsets)",
			rule: det(`
				sel:
				  CommandLine|wide|base64|contains: 'IEX'
				condition: sel`),
			events: []semEvent{
				T(obj("CommandLine", "powershell -e "+b64(utf16LE("IEX")))),
				F(obj("CommandLine", "powershell -e "+b64([]byte("IEX")))),
			},
		},
	}
}

// cidr with IPv4 and IPv6.
func cidrCases() []semCase {
	return []semCase{
		{
			name: "cidr v4",
			rule: det(`
				sel:
				  DestinationIp|cidr: '10.0.0.0/8'
				condition: sel`),
			events: []semEvent{
				T(`{"DestinationIp":"10.1.2.3"}`),
				T(`{"DestinationIp":"10.255.255.255"}`),
				T(`{"DestinationIp":"::ffff:10.1.2.3"}`),
				F(`{"DestinationIp":"11.0.0.1"}`),
				F(`{"DestinationIp":"9.255.255.255"}`),
				F(`{"DestinationIp":"not-an-ip"}`),
				F(`{"DestinationIp":"10.1.2"}`),
				F(`{"DestinationIp":"10.1.2.300"}`),
				F(`{"DestinationIp":""}`),
				F(`{"DestinationIp":null}`),
				F(`{"SourceIp":"10.1.2.3"}`),
			},
		},
		{
			name: "cidr list is OR",
			rule: det(`
				sel:
				  DestinationIp|cidr:
				    - '192.168.0.0/16'
				    - '172.16.0.0/12'
				condition: sel`),
			events: []semEvent{
				T(`{"DestinationIp":"172.31.255.255"}`),
				T(`{"DestinationIp":"192.168.10.1"}`),
				F(`{"DestinationIp":"172.32.0.0"}`),
			},
		},
		{
			name: "cidr single host",
			rule: det(`
				sel:
				  DestinationIp|cidr: '10.0.0.5/32'
				condition: sel`),
			events: []semEvent{
				T(`{"DestinationIp":"10.0.0.5"}`),
				F(`{"DestinationIp":"10.0.0.6"}`),
			},
		},
		{
			name: "cidr v6",
			rule: det(`
				sel:
				  DestinationIp|cidr: '2001:db8::/32'
				condition: sel`),
			events: []semEvent{
				T(`{"DestinationIp":"2001:db8::1"}`),
				T(`{"DestinationIp":"2001:DB8:0:1::5"}`),
				T(`{"DestinationIp":"2001:0db8:ffff:ffff:ffff:ffff:ffff:ffff"}`),
				F(`{"DestinationIp":"2001:db9::1"}`),
				F(`{"DestinationIp":"10.0.0.1"}`),
				F(`{"DestinationIp":"2001:db8::zz"}`),
			},
		},
		{
			name: "cidr v6 link-local",
			rule: det(`
				sel:
				  SourceIp|cidr: 'fe80::/10'
				condition: sel`),
			events: []semEvent{
				T(`{"SourceIp":"fe80::1"}`),
				T(`{"SourceIp":"febf::1"}`),
				F(`{"SourceIp":"fec0::1"}`),
				F(`{"SourceIp":"::1"}`),
			},
		},
	}
}

// fieldref: comparisons of two fields of the same event.
func fieldrefCases() []semCase {
	return []semCase{
		{
			name: "fieldref equal",
			rule: det(`
				sel:
				  TargetUserName|fieldref: SubjectUserName
				condition: sel`),
			events: []semEvent{
				T(`{"TargetUserName":"bob","SubjectUserName":"bob"}`),
				T(`{"TargetUserName":"bob","SubjectUserName":"BOB"}`),
				F(`{"TargetUserName":"bob","SubjectUserName":"alice"}`),
				F(`{"TargetUserName":"bob","SubjectUserName":"bobby"}`),
				F(`{"TargetUserName":"bob"}`),
				F(`{"SubjectUserName":"bob"}`),
				F(`{"TargetUserName":"SubjectUserName"}`),
			},
		},
		{
			// Long paths, letters beyond ASCII, and folds of different
			// byte lengths (the Kelvin sign is three bytes and folds to
			// "k"): equal values are equal folds, not equal lengths.
			name: "fieldref equal ignores case beyond ASCII",
			rule: det(`
				sel:
				  Image|fieldref: ParentImage
				condition: sel`),
			events: []semEvent{
				T(`{"Image":"C:\\WINDOWS\\system32\\cmd.exe","ParentImage":"c:\\windows\\System32\\CMD.EXE"}`),
				F(`{"Image":"C:\\WINDOWS\\system32\\cmd.exe","ParentImage":"c:\\windows\\System32\\CMD.EXE "}`),
				F(`{"Image":"C:\\WINDOWS\\system32\\cmd.exe","ParentImage":"c:\\windows\\SysWOW64\\CMD.EXE"}`),
				T(`{"Image":"C:\\Users\\jürgen\\a.exe","ParentImage":"c:\\users\\JÜRGEN\\A.EXE"}`),
				F(`{"Image":"C:\\Users\\jürgen\\a.exe","ParentImage":"c:\\users\\JÜRGENS\\A.EXE"}`),
				T(`{"Image":"\u212aarl.exe","ParentImage":"karl.EXE"}`),
				F(`{"Image":"\u212aarl.exe","ParentImage":"karl.EXE2"}`),
				T(`{"Image":"","ParentImage":""}`),
			},
		},
		{
			name: "fieldref takes the other value literally",
			rule: det(`
				sel:
				  TargetUserName|fieldref: SubjectUserName
				condition: sel`),
			events: []semEvent{
				T(`{"TargetUserName":"b*","SubjectUserName":"b*"}`),
				F(`{"TargetUserName":"bob","SubjectUserName":"b*"}`),
				F(`{"TargetUserName":"bob","SubjectUserName":"b?b"}`),
			},
		},
		{
			name: "fieldref cased",
			rule: det(`
				sel:
				  TargetUserName|fieldref|cased: SubjectUserName
				condition: sel`),
			events: []semEvent{
				T(`{"TargetUserName":"bob","SubjectUserName":"bob"}`),
				F(`{"TargetUserName":"bob","SubjectUserName":"BOB"}`),
			},
		},
		{
			name: "fieldref neq",
			rule: det(`
				sel:
				  TargetUserName|fieldref|neq: SubjectUserName
				condition: sel`),
			events: []semEvent{
				T(`{"TargetUserName":"bob","SubjectUserName":"alice"}`),
				F(`{"TargetUserName":"bob","SubjectUserName":"bob"}`),
				F(`{"SubjectUserName":"bob"}`),
			},
		},
		{
			name: "fieldref contains",
			rule: det(`
				sel:
				  CommandLine|contains|fieldref: TargetFilename
				condition: sel`),
			events: []semEvent{
				T(`{"CommandLine":"copy x.bin C:\\Temp\\a.txt /y","TargetFilename":"c:\\temp\\A.TXT"}`),
				F(`{"CommandLine":"copy x.bin C:\\Temp\\b.txt /y","TargetFilename":"C:\\Temp\\a.txt"}`),
			},
		},
		{
			name: "fieldref startswith",
			rule: det(`
				sel:
				  Image|fieldref|startswith: CurrentDirectory
				condition: sel`),
			events: []semEvent{
				T(`{"Image":"C:\\Work\\a.exe","CurrentDirectory":"C:\\Work\\"}`),
				F(`{"Image":"C:\\Work\\a.exe","CurrentDirectory":"C:\\Other\\"}`),
				F(`{"Image":"D:\\C:\\Work\\a.exe","CurrentDirectory":"C:\\Work\\"}`),
			},
		},
		{
			name: "fieldref endswith",
			rule: det(`
				sel:
				  Image|fieldref|endswith: OriginalFileName
				condition: sel`),
			events: []semEvent{
				T(`{"Image":"C:\\Windows\\System32\\cmd.exe","OriginalFileName":"Cmd.Exe"}`),
				F(`{"Image":"C:\\Temp\\svchost.exe","OriginalFileName":"cmd.exe"}`),
			},
		},
	}
}

// expand with the placeholder map.
func expandCases() []semCase {
	ph := engine.WithPlaceholders(map[string][]string{
		"Admins":  {"root", "admin*"},
		"Servers": {"dc?", "srv-*"},
		"Srv":     {"a"},
	})
	return []semCase{
		{
			name: "expand to a value list with a wildcard",
			rule: det(`
				sel:
				  User|expand: '%Admins%'
				condition: sel`),
			opts: []engine.Option{ph},
			events: []semEvent{
				T(`{"User":"root"}`),
				T(`{"User":"ADMINISTRATOR"}`),
				T(`{"User":"admin"}`),
				F(`{"User":"bob"}`),
				F(`{"User":"%Admins%"}`),
				F(`{"User":"xroot"}`),
			},
		},
		{
			name: "expand inside a longer value",
			rule: det(`
				sel:
				  Computer|expand: '%Servers%.corp.local'
				condition: sel`),
			opts: []engine.Option{ph},
			events: []semEvent{
				T(`{"Computer":"dc1.corp.local"}`),
				T(`{"Computer":"SRV-web.corp.local"}`),
				F(`{"Computer":"dc12.corp.local"}`),
				F(`{"Computer":"ws1.corp.local"}`),
			},
		},
		{
			name: "expand with an escaped percent sign",
			rule: det(`
				sel:
				  Value|expand: '\%x%Srv%'
				condition: sel`),
			opts: []engine.Option{ph},
			events: []semEvent{
				T(`{"Value":"%xa"}`),
				F(`{"Value":"%x%Srv%"}`),
				F(`{"Value":"\\%xa"}`),
			},
		},
		{
			name: "percent signs without expand are literal",
			rule: det(`
				sel:
				  User: '%Admins%'
				condition: sel`),
			opts: []engine.Option{ph},
			events: []semEvent{
				T(`{"User":"%Admins%"}`),
				F(`{"User":"root"}`),
			},
		},
	}
}

// Keyword (field-less) searches.
func keywordCases() []semCase {
	return []semCase{
		{
			name: "keywords are OR and search every value",
			rule: det(`
				keywords:
				  - 'event::clear'
				  - 'event::drop'
				condition: keywords`),
			events: []semEvent{
				T(`{"A":"x","CommandLine":"event::clear"}`),
				T(`{"Deep":{"Nested":"EVENT::DROP"}}`),
				T(`{"List":["a","event::drop"]}`),
				F(`{"A":"event::list"}`),
				F(`{"event::clear":"x"}`),
			},
		},
		{
			name: "keywords match inside a value",
			rule: det(`
				keywords:
				  - 'event::clear'
				condition: keywords`),
			events: []semEvent{
				T(`{"CommandLine":"mimikatz.exe \"event::clear\" exit"}`),
				F(`{"CommandLine":"mimikatz.exe \"event::list\" exit"}`),
			},
		},
		{
			name: "all keywords (the specification's example)",
			rule: det(`
				keywords_cmdlet:
				  '|all':
				    - 'OabVirtualDirectory'
				    - ' -ExternalUrl '
				condition: keywords_cmdlet`),
			events: []semEvent{
				T(`{"Payload":"Set-OabVirtualDirectory -Identity x -ExternalUrl 'http://evil/'"}`),
				T(`{"A":"OabVirtualDirectory","B":" -ExternalUrl "}`),
				F(`{"Payload":"Set-OabVirtualDirectory -Identity x"}`),
				F(`{"Payload":"Set-WebServicesVirtualDirectory -ExternalUrl 'http://evil/'"}`),
			},
		},
		{
			name: "keywords are case-insensitive",
			rule: det(`
				keywords:
				  - 'mimikatz'
				condition: keywords`),
			events: []semEvent{
				T(`{"Tool":"mimikatz"}`),
				T(`{"Tool":"MIMIKATZ"}`),
				F(`{"Tool":"mimi"}`),
			},
		},
		{
			name: "keywords combined with a field selection",
			rule: det(`
				sel:
				  EventID: 4104
				keywords:
				  - 'AmsiUtils'
				condition: sel and keywords`),
			events: []semEvent{
				T(`{"EventID":4104,"ScriptBlockText":"AmsiUtils"}`),
				F(`{"EventID":4103,"ScriptBlockText":"AmsiUtils"}`),
			},
		},
	}
}

// Conditions: precedence, parentheses, x of, them, condition lists.
func conditionCases() []semCase {
	const abc = "a:\n  A: 1\nb:\n  B: 1\nc:\n  C: 1\n"
	return []semCase{
		{
			name: "or binds looser than and, and looser than not",
			rule: det(abc + "condition: a or b and not c"),
			events: []semEvent{
				T(`{"A":1,"C":1}`), // (a or b) and not c would be false
				T(`{"A":1}`),
				T(`{"B":1}`),
				F(`{"B":1,"C":1}`),
				F(`{"C":1}`),
				F(`{}`),
			},
		},
		{
			name: "parentheses override precedence",
			rule: det(abc + "condition: (a or b) and not c"),
			events: []semEvent{
				F(`{"A":1,"C":1}`),
				T(`{"A":1}`),
				T(`{"B":1}`),
				F(`{"B":1,"C":1}`),
			},
		},
		{
			name: "not binds tighter than and",
			rule: det(abc + "condition: not a and b"),
			events: []semEvent{
				T(`{"B":1}`),
				F(`{"A":1,"B":1}`),
				F(`{}`), // not (a and b) would be true
			},
		},
		{
			name: "not over a parenthesized or",
			rule: det(abc + "condition: not (a or b)"),
			events: []semEvent{
				T(`{"C":1}`),
				F(`{"A":1}`),
				F(`{"B":1}`),
			},
		},
		{
			name: "nested parentheses",
			rule: det(abc + "condition: ((a and (b or c)) or (not a and c and b))"),
			events: []semEvent{
				T(`{"A":1,"B":1}`),
				T(`{"A":1,"C":1}`),
				T(`{"B":1,"C":1}`),
				F(`{"A":1}`),
				F(`{"C":1}`),
			},
		},
		{
			name: "1 of selection_*",
			rule: det(`
				selection_img:
				  Image|endswith: '\cmd.exe'
				selection_cli:
				  CommandLine|contains: 'whoami'
				selectionother:
				  User: nobody
				condition: 1 of selection_*`),
			events: []semEvent{
				T(`{"Image":"C:\\cmd.exe"}`),
				T(`{"CommandLine":"whoami"}`),
				F(`{"User":"nobody"}`),
			},
		},
		{
			name: "all of selection_*",
			rule: det(`
				selection_img:
				  Image|endswith: '\cmd.exe'
				selection_cli:
				  CommandLine|contains: 'whoami'
				selectionother:
				  User: nobody
				condition: all of selection_*`),
			events: []semEvent{
				T(`{"Image":"C:\\cmd.exe","CommandLine":"whoami"}`),
				F(`{"Image":"C:\\cmd.exe"}`),
				F(`{"CommandLine":"whoami","User":"nobody"}`),
			},
		},
		{
			name: "1 of selection* and not 1 of filter*",
			rule: det(`
				selection1:
				  A: 1
				selection2:
				  B: 1
				filter_main:
				  C: 1
				filter_optional:
				  D: 1
				condition: 1 of selection* and not 1 of filter*`),
			events: []semEvent{
				T(`{"A":1}`),
				T(`{"B":1}`),
				F(`{"A":1,"C":1}`),
				F(`{"B":1,"D":1}`),
				F(`{"C":1}`),
			},
		},
		{
			name: "1 of them ignores underscore selections",
			rule: det(`
				sel_a:
				  A: 1
				_helper:
				  Z: 1
				condition: 1 of them`),
			events: []semEvent{
				T(`{"A":1}`),
				F(`{"Z":1}`),
			},
		},
		{
			name: "all of them ignores underscore selections",
			rule: det(`
				sel_a:
				  A: 1
				sel_b:
				  B: 1
				_helper:
				  Z: 1
				condition: all of them`),
			events: []semEvent{
				T(`{"A":1,"B":1}`),
				F(`{"A":1}`),
				F(`{"A":1,"Z":1}`),
			},
		},
		{
			name: "a list of conditions is OR",
			rule: det(`
				sel_a:
				  A: 1
				sel_b:
				  B: 1
				condition:
				  - sel_a
				  - sel_b`),
			events: []semEvent{
				T(`{"A":1}`),
				T(`{"B":1}`),
				F(`{"C":1}`),
			},
		},
		{
			name: "a list of conditions with and",
			rule: det(abc + "condition:\n  - a and b\n  - c\n"),
			events: []semEvent{
				T(`{"A":1,"B":1}`),
				T(`{"C":1}`),
				F(`{"A":1}`),
			},
		},
	}
}

// Windows evtx shapes, logsource routing and field mapping.
func windowsCases(t *testing.T) []semCase {
	mapping, err := engine.ParseMapping("edr.yml", []byte(dedent(`
		name: my-edr
		fields:
		  Image: process.executable
		  CommandLine: [process.command_line, process.args]
		`)))
	if err != nil {
		t.Fatalf("ParseMapping: %v", err)
	}
	cmd := `{"Image":"C:\\Windows\\System32\\cmd.exe","CommandLine":"cmd.exe /c whoami"}`
	procCreation := sigmaRule(`
		category: process_creation
		product: windows`, `
		sel:
		  Image|endswith: '\cmd.exe'
		condition: sel`)
	return []semCase{
		{
			name: "evtx fields: EventID, Channel, Provider_Name, Computer, EventData",
			rule: sigmaRule(`
				product: windows
				service: sysmon`, `
				sel:
				  EventID: 1
				  Channel: 'Microsoft-Windows-Sysmon/Operational'
				  Provider_Name: 'Microsoft-Windows-Sysmon'
				  Computer: 'host1.corp.example'
				  Image|endswith: '\cmd.exe'
				  CommandLine|contains: whoami
				condition: sel`),
			events: []semEvent{
				T(sysmon(1, cmd)),
				// The flatter shape without #attributes.
				T(evtx(`{"Name":"Microsoft-Windows-Sysmon"}`, sysmonChannel, "1", cmd)),
				// EventData as a list of named Data elements.
				T(evtx(sysmonProvider, sysmonChannel, "1",
					`{"Data":[{"#attributes":{"Name":"Image"},"#text":"C:\\Windows\\System32\\cmd.exe"},{"#attributes":{"Name":"CommandLine"},"#text":"cmd.exe /c whoami"}]}`)),
				F(evtx(`{"#attributes":{"Name":"Other-Provider"}}`, sysmonChannel, "1", cmd)),
				F(sysmon(1, `{"Image":"C:\\Windows\\System32\\cmd.exe","CommandLine":"cmd.exe /c dir"}`)),
			},
		},
		{
			name: "evtx EventID with #text and #attributes",
			rule: sigmaRule(`
				product: windows
				service: security`, `
				sel:
				  EventID: 4624
				  LogonType: 10
				condition: sel`),
			events: []semEvent{
				T(evtx(securityProv, securityChannel, `{"#text":4624,"#attributes":{"Qualifiers":""}}`, `{"LogonType":10}`)),
				T(evtx(securityProv, securityChannel, `{"#text":"4624","#attributes":{"Qualifiers":"0"}}`, `{"LogonType":"10"}`)),
				F(evtx(securityProv, securityChannel, `{"#text":4625,"#attributes":{"Qualifiers":""}}`, `{"LogonType":10}`)),
			},
		},
		{
			name: "process_creation routes Sysmon 1 and Security 4688 only",
			rule: procCreation,
			events: []semEvent{
				T(sysmon(1, cmd)),
				T(security(4688, `{"NewProcessName":"C:\\Windows\\System32\\cmd.exe","CommandLine":"cmd.exe /c whoami"}`)),
				F(security(4688, `{"NewProcessName":"C:\\Windows\\System32\\pwsh.exe"}`)),
				F(sysmon(11, `{"Image":"C:\\Windows\\System32\\cmd.exe","TargetFilename":"C:\\x.txt"}`)),
				F(sysmon(3, cmd)),
				F(security(4624, `{"NewProcessName":"C:\\Windows\\System32\\cmd.exe","Image":"C:\\Windows\\System32\\cmd.exe"}`)),
				// A flat event names no channel: every rule sees it.
				T(cmd),
			},
		},
		{
			name: "service security does not see Sysmon events",
			rule: sigmaRule(`
				product: windows
				service: security`, `
				sel:
				  Image|endswith: '\cmd.exe'
				condition: sel`),
			events: []semEvent{
				F(sysmon(1, cmd)),
				T(security(4688, `{"NewProcessName":"C:\\Windows\\System32\\cmd.exe"}`)),
				T(security(4656, `{"Image":"C:\\Windows\\System32\\cmd.exe"}`)),
				T(cmd),
			},
		},
		{
			name: "registry_set routes Sysmon 13",
			rule: sigmaRule(`
				category: registry_set
				product: windows`, `
				sel:
				  TargetObject|contains: '\CurrentVersion\Run\'
				condition: sel`),
			events: []semEvent{
				T(sysmon(13, `{"EventType":"SetValue","TargetObject":"HKU\\S-1-5-21\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\evil","Details":"C:\\evil.exe"}`)),
				F(sysmon(12, `{"EventType":"CreateKey","TargetObject":"HKU\\S-1-5-21\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\evil"}`)),
				F(sysmon(14, `{"EventType":"RenameKey","TargetObject":"HKU\\S-1-5-21\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\evil"}`)),
			},
		},
		{
			name: "registry_add routes Sysmon 12 CreateKey",
			rule: sigmaRule(`
				category: registry_add
				product: windows`, `
				sel:
				  TargetObject|contains: '\CurrentVersion\Run\'
				condition: sel`),
			events: []semEvent{
				T(sysmon(12, `{"EventType":"CreateKey","TargetObject":"HKU\\S-1-5-21\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\evil"}`)),
				F(sysmon(12, `{"EventType":"DeleteKey","TargetObject":"HKU\\S-1-5-21\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\evil"}`)),
				F(sysmon(13, `{"EventType":"SetValue","TargetObject":"HKU\\S-1-5-21\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\evil"}`)),
			},
		},
		{
			name: "registry_event routes Sysmon 12, 13 and 14",
			rule: sigmaRule(`
				category: registry_event
				product: windows`, `
				sel:
				  TargetObject|contains: '\CurrentVersion\Run\'
				condition: sel`),
			events: []semEvent{
				T(sysmon(12, `{"EventType":"DeleteValue","TargetObject":"HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\x"}`)),
				T(sysmon(13, `{"EventType":"SetValue","TargetObject":"HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\x"}`)),
				T(sysmon(14, `{"EventType":"RenameKey","TargetObject":"HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\x"}`)),
				F(sysmon(1, `{"TargetObject":"HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\x"}`)),
			},
		},
		{
			name: "field mapping renames Image to process.executable",
			rule: sigmaRule(`
				category: process_creation
				product: windows`, `
				sel:
				  Image|endswith: '\cmd.exe'
				  CommandLine|contains: whoami
				condition: sel`),
			opts: []engine.Option{engine.WithMapping(mapping)},
			events: []semEvent{
				T(`{"process":{"executable":"C:\\Windows\\System32\\cmd.exe","command_line":"cmd.exe /c whoami"}}`),
				T(`{"process":{"executable":"C:\\Windows\\System32\\cmd.exe","args":["cmd.exe","/c","whoami"]}}`),
				F(`{"process":{"executable":"C:\\Windows\\System32\\pwsh.exe","command_line":"whoami"}}`),
				// A mapped field is read under its mapped names only.
				F(`{"Image":"C:\\Windows\\System32\\cmd.exe","CommandLine":"cmd.exe /c whoami"}`),
			},
		},
	}
}

// codes collects the codes of a rule.ErrorList (or single *rule.Error).
func codes(err error) []rule.Code {
	var out []rule.Code
	var el rule.ErrorList
	if errors.As(err, &el) {
		for _, e := range el {
			out = append(out, e.Code)
		}
		return out
	}
	var re *rule.Error
	if errors.As(err, &re) {
		out = append(out, re.Code)
	}
	return out
}

// parseAndCompile reads src and compiles it, returning the errors of both
// steps (either may be nil) and the engine (nil if parsing failed).
func parseAndCompile(t *testing.T, src string, opts ...engine.Option) (parseErr, compileErr error, eng *engine.Engine) {
	t.Helper()
	set, parseErr := sigma.Parse("case.yml", []byte(src))
	if set == nil {
		t.Fatal("sigma.Parse returned a nil set")
	}
	eng, compileErr = engine.Compile(set.Rules, opts...)
	if eng == nil {
		t.Fatalf("Compile returned a nil engine (error %v)", compileErr)
	}
	return parseErr, compileErr, eng
}

func TestRegexLookaroundUnsupported(t *testing.T) {
	t.Parallel()
	for _, re := range []string{`foo(?=bar)`, `foo(?!bar)`, `(?<=foo)bar`, `(?<!foo)bar`, `(a)\1`} {
		t.Run(re, func(t *testing.T) {
			t.Parallel()
			src := det(`
				sel:
				  CommandLine|re: '` + re + `'
				condition: sel`)
			parseErr, compileErr, eng := parseAndCompile(t, src)
			err := errors.Join(parseErr, compileErr)
			if err == nil {
				t.Fatal("no error for an unsupported regular expression")
			}
			var el rule.ErrorList
			if !errors.As(err, &el) {
				t.Fatalf("error %v (%T) is not a rule.ErrorList", err, err)
			}
			var rerr *rule.Error
			if !errors.As(err, &rerr) {
				t.Fatalf("error %v has no *rule.Error", err)
			}
			found := false
			for _, e := range el {
				if e.Code.Unsupported() {
					found = true
				}
			}
			if !found {
				t.Errorf("error codes %v: none is unsupported; error: %v", codes(err), err)
			}
			if len(eng.Rules()) != 0 {
				t.Errorf("the engine kept the rule")
			}
		})
	}
}

func TestExpandWithoutPlaceholders(t *testing.T) {
	t.Parallel()
	src := det(`
		sel:
		  User|expand: '%Admins%'
		condition: sel`)
	for _, tc := range []struct {
		name string
		opts []engine.Option
	}{
		{"no map", nil},
		{"map without the name", []engine.Option{engine.WithPlaceholders(map[string][]string{"Other": {"x"}})}},
		{"no map, without index", []engine.Option{engine.WithoutIndex()}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			parseErr, compileErr, eng := parseAndCompile(t, src, tc.opts...)
			if parseErr != nil {
				t.Fatalf("sigma.Parse: %v", parseErr)
			}
			if compileErr == nil {
				t.Fatal("Compile accepted a placeholder without a value")
			}
			var el rule.ErrorList
			if !errors.As(compileErr, &el) || len(el) != 1 {
				t.Fatalf("Compile error %v: want a rule.ErrorList with one entry", compileErr)
			}
			if el[0].Code != rule.ErrPlaceholder {
				t.Errorf("code = %q, want %q", el[0].Code, rule.ErrPlaceholder)
			}
			if !el[0].Code.Unsupported() {
				t.Errorf("code %q does not report Unsupported", el[0].Code)
			}
			if el[0].RuleID == "" {
				t.Errorf("error names no rule")
			}
			if len(eng.Rules()) != 0 {
				t.Fatalf("engine kept %d rules", len(eng.Rules()))
			}
			for _, raw := range []string{`{"User":"%Admins%"}`, `{"User":"x"}`, `{}`} {
				ev, err := engine.ParseJSON([]byte(raw))
				if err != nil {
					t.Fatal(err)
				}
				if ms := eng.Match(ev); len(ms) != 0 {
					t.Errorf("%s: matched %d rules", raw, len(ms))
				}
			}
		})
	}
}

func TestMatchFields(t *testing.T) {
	t.Parallel()
	src := sigmaRule(`
		category: process_creation
		product: windows`, `
		sel:
		  Image|endswith: '\cmd.exe'
		  CommandLine|contains: whoami
		  EventID: 1
		alt:
		  User: nobody
		filter:
		  User|startswith: 'NT AUTHORITY\'
		condition: (sel or alt) and not filter`)
	indexed, walked := compileBoth(t, src)
	ev, err := engine.ParseJSON([]byte(sysmon(1,
		`{"Image":"C:\\Windows\\System32\\cmd.exe","CommandLine":"cmd.exe /c whoami","User":"CORP\\alice"}`)))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"Image":       `C:\Windows\System32\cmd.exe`,
		"CommandLine": `cmd.exe /c whoami`,
		"EventID":     `1`,
	}
	for name, eng := range map[string]*engine.Engine{"Compile": indexed, "Compile(WithoutIndex)": walked} {
		ms := eng.Match(ev)
		if len(ms) != 1 {
			t.Fatalf("%s: %d matches, want 1", name, len(ms))
		}
		got := map[string]string{}
		for _, h := range ms[0].Fields {
			if _, dup := got[h.Field]; dup {
				t.Errorf("%s: field %q listed twice", name, h.Field)
			}
			got[h.Field] = h.Value
			if !strings.HasPrefix(h.Match, h.Field+"|") && !strings.HasPrefix(h.Match, h.Field+":") {
				t.Errorf("%s: hit %+v: Match does not name the field", name, h)
			}
		}
		if len(got) != len(want) {
			t.Errorf("%s: Fields = %+v, want exactly %v", name, ms[0].Fields, want)
		}
		for f, v := range want {
			if got[f] != v {
				t.Errorf("%s: Fields[%q] = %q, want %q (all: %+v)", name, f, got[f], v, ms[0].Fields)
			}
		}
		for _, h := range ms[0].Fields {
			if h.Field == "Image" && h.Match != `Image|endswith: "\\cmd.exe"` {
				t.Errorf("%s: Image hit Match = %q", name, h.Match)
			}
		}
		if ms[0].SuppressedBy != nil {
			t.Errorf("%s: match suppressed", name)
		}
	}

	// Filtered out: no match at all.
	ev2, err := engine.ParseJSON([]byte(sysmon(1,
		`{"Image":"C:\\Windows\\System32\\cmd.exe","CommandLine":"cmd.exe /c whoami","User":"NT AUTHORITY\\SYSTEM"}`)))
	if err != nil {
		t.Fatal(err)
	}
	if n, m := len(indexed.Match(ev2)), len(walked.Match(ev2)); n != 0 || m != 0 {
		t.Errorf("filtered event matched: %d and %d", n, m)
	}
}

func TestMatchFieldsKeyword(t *testing.T) {
	t.Parallel()
	indexed, walked := compileBoth(t, det(`
		keywords:
		  - 'event::clear'
		condition: keywords`))
	ev, err := engine.ParseJSON([]byte(`{"CommandLine":"event::clear"}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, eng := range []*engine.Engine{indexed, walked} {
		ms := eng.Match(ev)
		if len(ms) != 1 {
			t.Fatalf("%d matches, want 1", len(ms))
		}
		// A keyword hit names the field whose value held the keyword.
		if len(ms[0].Fields) != 1 || ms[0].Fields[0].Field != "CommandLine" || ms[0].Fields[0].Value != "event::clear" {
			t.Errorf("Fields = %+v, want one keyword hit naming CommandLine", ms[0].Fields)
		}
	}
}

// nestedCondition returns a condition of n nested parenthesized groups,
// alternately "(s0 and ..." and "(s1 or ...", around the selection big: when
// s0 holds and s1 does not, the condition is exactly big.
func nestedCondition(n int) string {
	var b strings.Builder
	for i := range n {
		if i%2 == 0 {
			b.WriteString("(s0 and ")
		} else {
			b.WriteString("(s1 or ")
		}
	}
	b.WriteString("big")
	b.WriteString(strings.Repeat(")", n))
	return b.String()
}

func TestHostileRuleBounded(t *testing.T) {
	t.Parallel()
	const nValues, depth = 10_000, 200
	var b strings.Builder
	b.WriteString("big:\n  CommandLine|contains:\n")
	for i := range nValues {
		fmt.Fprintf(&b, "    - 'needle-%05d'\n", i)
	}
	b.WriteString("s0:\n  A: 1\ns1:\n  B: 1\ns2:\n  C: 1\n")
	b.WriteString("condition: " + nestedCondition(depth) + "\n")
	src := det(b.String())

	start := time.Now()
	indexed, walked := compileBoth(t, src)
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("compiling took %v", d)
	}
	// With s0 true and s1 false the condition is big: only a needle matches.
	yes, err := engine.ParseJSON([]byte(`{"A":1,"B":0,"C":1,"CommandLine":"x needle-09999 y"}`))
	if err != nil {
		t.Fatal(err)
	}
	no, err := engine.ParseJSON([]byte(`{"A":1,"B":0,"C":1,"CommandLine":"x needle-10000 y"}`))
	if err != nil {
		t.Fatal(err)
	}
	for name, eng := range map[string]*engine.Engine{"Compile": indexed, "Compile(WithoutIndex)": walked} {
		start := time.Now()
		if len(eng.Match(yes)) != 1 {
			t.Errorf("%s: no match for the last needle", name)
		}
		if len(eng.Match(no)) != 0 {
			t.Errorf("%s: match without a needle", name)
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("%s: matching took %v", name, d)
		}
	}
}

func TestHostileRuleTooDeep(t *testing.T) {
	t.Parallel()
	const depth = 10_000
	t.Run("parentheses", func(t *testing.T) {
		t.Parallel()
		src := det("s0:\n  A: 1\ns1:\n  B: 1\ns2:\n  C: 1\nbig:\n  D: 1\ncondition: " + nestedCondition(depth) + "\n")
		parseErr, compileErr, eng := parseAndCompile(t, src)
		err := errors.Join(parseErr, compileErr)
		if err == nil {
			t.Fatal("a condition nested 10,000 deep was accepted")
		}
		if !hasCode(err, rule.ErrLimit) {
			t.Errorf("codes %v, want %q; error: %.300v", codes(err), rule.ErrLimit, err)
		}
		if len(eng.Rules()) != 0 {
			t.Errorf("the engine kept the rule")
		}
	})
	t.Run("not", func(t *testing.T) {
		t.Parallel()
		src := det("s0:\n  A: 1\ncondition: " + strings.Repeat("not ", depth) + "s0\n")
		parseErr, compileErr, _ := parseAndCompile(t, src)
		if err := errors.Join(parseErr, compileErr); !hasCode(err, rule.ErrLimit) {
			t.Errorf("codes %v, want %q; error: %.300v", codes(err), rule.ErrLimit, err)
		}
	})
	t.Run("model built directly", func(t *testing.T) {
		t.Parallel()
		// Bypass the Sigma reader: Compile must bound the depth itself.
		var e rule.Expr = &rule.Ref{Name: "s0"}
		for i := range depth {
			if i%2 == 0 {
				e = &rule.Not{X: e}
			} else {
				e = &rule.And{Args: []rule.Expr{&rule.Ref{Name: "s0"}, e}}
			}
		}
		r := &rule.Rule{
			ID: "deep", Title: "deep",
			Selections: []*rule.Selection{{Name: "s0", Expr: &rule.Match{Field: "A", Values: []rule.Value{{Kind: rule.Number, S: "1"}}}}},
			Condition:  e,
		}
		for _, opts := range [][]engine.Option{nil, {engine.WithoutIndex()}} {
			eng, err := engine.Compile([]*rule.Rule{r}, opts...)
			if err == nil {
				t.Fatal("Compile accepted a condition nested 10,000 deep")
			}
			if !hasCode(err, rule.ErrLimit) {
				t.Errorf("codes %v, want %q", codes(err), rule.ErrLimit)
			}
			if len(eng.Rules()) != 0 {
				t.Errorf("the engine kept the rule")
			}
		}
	})
}

func hasCode(err error, c rule.Code) bool {
	for _, x := range codes(err) {
		if x == c {
			return true
		}
	}
	return false
}

func TestBase64OffsetTooShort(t *testing.T) {
	for _, v := range []string{"a"} {
		src := "title: t\nlogsource: {product: windows}\ndetection:\n  sel:\n    CommandLine|base64offset|contains: '" + v + "'\n  condition: sel\n"
		set, err := sigma.Parse("short.yml", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		eng, err := engine.Compile(set.Rules)
		var el rule.ErrorList
		if !errors.As(err, &el) || len(el) != 1 || el[0].Code != rule.ErrValue || el[0].Pos.Line != 5 {
			t.Errorf("%q: err = %v, want one value error on line 5", v, err)
		}
		if len(eng.Rules()) != 0 {
			t.Errorf("%q: rule compiled; an empty base64 fragment would match every event", v)
		}
	}
	// Two bytes already leave a stable fragment at every offset.
	set, _ := sigma.Parse("ok.yml", []byte("title: t\nlogsource: {product: windows}\ndetection:\n  sel:\n    CommandLine|base64offset|contains: 'ab'\n  condition: sel\n"))
	if _, err := engine.Compile(set.Rules); err != nil {
		t.Errorf("2-byte value: %v", err)
	}
}

func TestKeywordHitNamesField(t *testing.T) {
	set, err := sigma.Parse("kw.yml", []byte("title: t\nlogsource: {product: windows}\ndetection:\n  keywords:\n    - 'event::clear'\n  condition: keywords\n"))
	if err != nil {
		t.Fatal(err)
	}
	eng, err := engine.Compile(set.Rules)
	if err != nil {
		t.Fatal(err)
	}
	ev, _ := engine.ParseJSON([]byte(`{"User":"x","CommandLine":"mimikatz \"event::clear\" exit"}`))
	ms := eng.Match(ev)
	if len(ms) != 1 || len(ms[0].Fields) != 1 {
		t.Fatalf("matches %+v", ms)
	}
	if h := ms[0].Fields[0]; h.Field != "CommandLine" || h.Value != `mimikatz "event::clear" exit` {
		t.Errorf("keyword hit %+v, want the CommandLine field and its value", h)
	}
}

// TestMatchFieldsOutliveEvent: a match's field hits hold their own texts.
// The event's bytes are overwritten and the RawJSON reused for another
// event after matching (as a scanner reuses its line buffer); the hits,
// field names of keyword hits included, must read as they did.
func TestMatchFieldsOutliveEvent(t *testing.T) {
	t.Parallel()
	indexed, walked := compileBoth(t, det(`
		sel:
		  Image|endswith: '\cmd.exe'
		keywords:
		  - 'whoami'
		condition: sel and keywords`))
	for _, eng := range []*engine.Engine{indexed, walked} {
		line := []byte(`{"Image":"C:\\Windows\\cmd.exe","Cmd":"cmd.exe /c whoami"}`)
		var raw engine.RawJSON
		if err := raw.Reset(line); err != nil {
			t.Fatal(err)
		}
		ms := eng.Match(&raw)
		if len(ms) != 1 {
			t.Fatalf("%d matches, want 1", len(ms))
		}
		want := fmt.Sprintf("%+v", ms[0].Fields)
		for i := range line {
			line[i] = 'x'
		}
		if err := raw.Reset([]byte(`{"Image":"D:\\other.exe","Cmd":"other"}`)); err != nil {
			t.Fatal(err)
		}
		eng.Match(&raw)
		if got := fmt.Sprintf("%+v", ms[0].Fields); got != want || !strings.Contains(got, "Cmd") {
			t.Errorf("fields after the event's bytes changed: %s, were %s", got, want)
		}
	}
}
