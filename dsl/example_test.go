package dsl_test

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/tanchi-dev/tanchi/dsl"
	"github.com/tanchi-dev/tanchi/engine"
	"github.com/tanchi-dev/tanchi/rule"
)

// Every example here is also in README.md, which a test keeps in step
// (TestReadmeExamples). bt is a backtick, for the raw strings of the
// language inside Go strings.
const bt = "`"

// show parses src, prints the model of each rule (selections and condition
// in the model's compact form, modifiers as Sigma spells them), then
// whether each event matches.
func show(src string, events ...string) {
	set, err := dsl.Parse("example.tdl", []byte(src))
	if err != nil {
		printErrors(err)
		return
	}
	for _, r := range set.Rules {
		for _, s := range r.Selections {
			fmt.Printf("%s: %s\n", s.Name, s.Expr)
		}
		fmt.Printf("condition: %s\n", r.Condition)
	}
	eng, err := engine.Compile(set.Rules, engine.WithExclusions(set.Exclusions))
	if err != nil {
		printErrors(err)
		return
	}
	for _, ev := range events {
		e, err := engine.ParseJSON([]byte(ev))
		if err != nil {
			fmt.Println(err)
			continue
		}
		var hits []string
		for _, m := range eng.MatchAll(e) {
			h := m.Rule.Title
			if m.SuppressedBy != nil {
				h += " (suppressed by " + m.SuppressedBy.Title + ")"
			}
			hits = append(hits, h)
		}
		if len(hits) == 0 {
			hits = []string{"no match"}
		}
		fmt.Printf("%s -> %s\n", ev, strings.Join(hits, ", "))
	}
}

func printErrors(err error) {
	var el rule.ErrorList
	if errors.As(err, &el) {
		for _, e := range el {
			fmt.Println(e.Detail())
		}
		return
	}
	fmt.Println(err)
}

// A rule: metadata, a logsource, named selections and a condition.
func ExampleParse() {
	show(`rule "Encoded PowerShell command line" {
  id        "8b1a5c1e-1d52-4f0e-9a53-0c9f1b7b2f11"
  status    experimental
  level     high
  author    "tanchi examples"
  date      2026-11-27
  tags      attack.execution, attack.t1059.001
  logsource product=windows category=process_creation

  ps  = Image endswith ("\\powershell.exe", "\\pwsh.exe")
      or OriginalFileName in ("PowerShell.EXE", "pwsh.dll")
  enc = CommandLine contains windash("-enc ", "-EncodedCommand ")

  condition ps and enc
}
`,
		`{"Image": "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe", "CommandLine": "powershell /enc SQBFAFgA"}`,
		`{"Image": "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe", "CommandLine": "powershell -File a.ps1"}`)
	// Output:
	// ps: Image|endswith: ["\\powershell.exe", "\\pwsh.exe"] or OriginalFileName: ["PowerShell.EXE", "pwsh.dll"]
	// enc: CommandLine|windash|contains: ["-enc ", "-EncodedCommand "]
	// condition: ps and enc
	// {"Image": "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe", "CommandLine": "powershell /enc SQBFAFgA"} -> Encoded PowerShell command line
	// {"Image": "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe", "CommandLine": "powershell -File a.ps1"} -> no match
}

// Three kinds of strings, and comments. "..." strings take escapes; raw
// strings between backticks take every character as it is (Windows paths,
// regular expressions); text blocks hold several lines.
func Example_strings() {
	show(`# A comment runs to the end of the line.
rule "Strings" {
  description """
    A text block: the indentation of the closing quotes
    is removed from every line.
    """
  quoted = Image == "C:\\Windows\\System32\\cmd.exe" # escapes: \\ \" \n \t
  raw    = Image == `+bt+`C:\Windows\System32\cmd.exe`+bt+` # no escapes
  condition quoted and raw
}
`, `{"Image": "C:\\Windows\\System32\\cmd.exe"}`)
	// Output:
	// quoted: Image: "C:\\Windows\\System32\\cmd.exe"
	// raw: Image: "C:\\Windows\\System32\\cmd.exe"
	// condition: quoted and raw
	// {"Image": "C:\\Windows\\System32\\cmd.exe"} -> Strings
}

// Conditions combine selections with and, or, not and parentheses; not
// binds tightest, then and, then or.
func Example_condition() {
	show(`rule "Condition" {
  a     = User == "alice"
  b     = User == "bob"
  admin = Group == "admins"
  condition (a or b) and not admin
}
`, `{"User": "alice", "Group": "staff"}`, `{"User": "bob", "Group": "admins"}`)
	// Output:
	// a: User: "alice"
	// b: User: "bob"
	// admin: Group: "admins"
	// condition: (a or b) and not admin
	// {"User": "alice", "Group": "staff"} -> Condition
	// {"User": "bob", "Group": "admins"} -> no match
}

// == compares the whole value, without regard to case. * matches any run
// of characters and ? one character; \* and \? are literal.
func Example_equals() {
	show(`rule "Equals" {
  s = CommandLine == "*whoami*" and User == "adm?n"
  condition s
}
`, `{"CommandLine": "cmd /c WHOAMI /all", "User": "ADMIN"}`)
	// Output:
	// s: CommandLine: "*whoami*" and User: "adm?n"
	// condition: s
	// {"CommandLine": "cmd /c WHOAMI /all", "User": "ADMIN"} -> Equals
}

// in compares with each value of a list: it holds when any matches.
func Example_in() {
	show(`rule "In" {
  s = OriginalFileName in ("PowerShell.EXE", "pwsh.dll")
  condition s
}
`, `{"OriginalFileName": "pwsh.dll"}`, `{"OriginalFileName": "cmd.exe"}`)
	// Output:
	// s: OriginalFileName: ["PowerShell.EXE", "pwsh.dll"]
	// condition: s
	// {"OriginalFileName": "pwsh.dll"} -> In
	// {"OriginalFileName": "cmd.exe"} -> no match
}

// != and not before an operator (Sigma's neq) need the field to be there:
// a missing field is not "different".
func Example_notEqual() {
	show(`rule "Not equal" {
  s = User != "SYSTEM" and ParentImage not endswith ("\\services.exe", "\\svchost.exe")
  condition s
}
`, `{"User": "alice", "ParentImage": "C:\\Windows\\explorer.exe"}`, `{"ParentImage": "C:\\Windows\\explorer.exe"}`)
	// Output:
	// s: User|neq: "SYSTEM" and ParentImage|endswith|neq: ["\\services.exe", "\\svchost.exe"]
	// condition: s
	// {"User": "alice", "ParentImage": "C:\\Windows\\explorer.exe"} -> Not equal
	// {"ParentImage": "C:\\Windows\\explorer.exe"} -> no match
}

// contains, startswith and endswith look for the value inside the field,
// at its start and at its end.
func Example_contains() {
	show(`rule "Contains" {
  s = CommandLine contains "-nop" and Image startswith "C:\\Users\\" and Image endswith ".exe"
  condition s
}
`, `{"CommandLine": "powershell -NoP -w hidden", "Image": "C:\\Users\\bob\\evil.exe"}`)
	// Output:
	// s: CommandLine|contains: "-nop" and Image|startswith: "C:\\Users\\" and Image|endswith: ".exe"
	// condition: s
	// {"CommandLine": "powershell -NoP -w hidden", "Image": "C:\\Users\\bob\\evil.exe"} -> Contains
}

// all after an operator requires every value to match instead of any.
func Example_all() {
	show(`rule "All" {
  s = CommandLine contains all ("urlcache", "http")
  condition s
}
`, `{"CommandLine": "certutil -urlcache -f http://x/a.exe"}`, `{"CommandLine": "certutil -urlcache"}`)
	// Output:
	// s: CommandLine|contains|all: ["urlcache", "http"]
	// condition: s
	// {"CommandLine": "certutil -urlcache -f http://x/a.exe"} -> All
	// {"CommandLine": "certutil -urlcache"} -> no match
}

// matches takes a regular expression (RE2 syntax), case-sensitive unless
// the i flag is given: matches/i. The flags are i, m and s.
func Example_matches() {
	show(`rule "Regex" {
  s = CommandLine matches/i `+bt+`\\appdata\\[^\\]+\.(exe|dll)$`+bt+`
  condition s
}
`, `{"CommandLine": "C:\\Users\\bob\\AppData\\evil.DLL"}`)
	// Output:
	// s: CommandLine|re|i: "\\\\appdata\\\\[^\\\\]+\\.(exe|dll)$"
	// condition: s
	// {"CommandLine": "C:\\Users\\bob\\AppData\\evil.DLL"} -> Regex
}

// cidr tests addresses against IPv4 and IPv6 networks.
func Example_cidr() {
	show(`rule "CIDR" {
  s = DestinationIp cidr ("10.0.0.0/8", "fc00::/7")
  condition not s
}
`, `{"DestinationIp": "10.1.2.3"}`, `{"DestinationIp": "203.0.113.9"}`)
	// Output:
	// s: DestinationIp|cidr: ["10.0.0.0/8", "fc00::/7"]
	// condition: not s
	// {"DestinationIp": "10.1.2.3"} -> no match
	// {"DestinationIp": "203.0.113.9"} -> CIDR
}

// <, <=, > and >= compare numbers; 0x numbers are hexadecimal.
func Example_numbers() {
	show(`rule "Numbers" {
  s = DestinationPort < 1024 and EventID == 3 and GrantedAccess >= 0x1000
  condition s
}
`, `{"DestinationPort": 445, "EventID": 3, "GrantedAccess": "0x1410"}`)
	// Output:
	// s: DestinationPort|lt: 1024 and EventID: 3 and GrantedAccess|gte: 0x1000
	// condition: s
	// {"DestinationPort": 445, "EventID": 3, "GrantedAccess": "0x1410"} -> Numbers
}

// exists tests whether the event has the field at all.
func Example_exists() {
	show(`rule "Exists" {
  s = CommandLine exists and ParentImage not exists
  condition s
}
`, `{"CommandLine": "x"}`, `{"CommandLine": "x", "ParentImage": "y"}`)
	// Output:
	// s: CommandLine|exists: true and ParentImage|exists: false
	// condition: s
	// {"CommandLine": "x"} -> Exists
	// {"CommandLine": "x", "ParentImage": "y"} -> no match
}

// null matches a field that is missing or null.
func Example_null() {
	show(`rule "Null" {
  s = Signature == null
  condition s
}
`, `{"Signature": null}`, `{"Image": "x"}`, `{"Signature": "Microsoft"}`)
	// Output:
	// s: Signature: null
	// condition: s
	// {"Signature": null} -> Null
	// {"Image": "x"} -> Null
	// {"Signature": "Microsoft"} -> no match
}

// field(...) compares with another field of the same event.
func Example_fieldRef() {
	show(`rule "Field reference" {
  s = ParentImage == field(Image)
  condition s
}
`, `{"Image": "C:\\a.exe", "ParentImage": "c:\\A.EXE"}`)
	// Output:
	// s: ParentImage|fieldref: "Image"
	// condition: s
	// {"Image": "C:\\a.exe", "ParentImage": "c:\\A.EXE"} -> Field reference
}

// cased makes a comparison case-sensitive.
func Example_cased() {
	show(`rule "Cased" {
  s = CommandLine cased contains "SeDebugPrivilege"
  condition s
}
`, `{"CommandLine": "SeDebugPrivilege"}`, `{"CommandLine": "sedebugprivilege"}`)
	// Output:
	// s: CommandLine|contains|cased: "SeDebugPrivilege"
	// condition: s
	// {"CommandLine": "SeDebugPrivilege"} -> Cased
	// {"CommandLine": "sedebugprivilege"} -> no match
}

// windash(...) also tries /, en dash, em dash and horizontal bar where the
// values have a -.
func Example_windash() {
	show(`rule "Windash" {
  s = CommandLine contains windash(" -enc ")
  condition s
}
`, `{"CommandLine": "powershell /enc AAAA"}`, `{"CommandLine": "powershell –enc AAAA"}`)
	// Output:
	// s: CommandLine|windash|contains: " -enc "
	// condition: s
	// {"CommandLine": "powershell /enc AAAA"} -> Windash
	// {"CommandLine": "powershell –enc AAAA"} -> Windash
}

// base64(...), base64offset(...) and the UTF-16 encodings utf16le, utf16be,
// utf16 and wide find text that was encoded before it was logged. They
// nest: base64offset(utf16le("x")) encodes to UTF-16 first.
func Example_base64() {
	show(`rule "Base64" {
  plain = CommandLine contains base64offset("http://")
  wide  = CommandLine contains base64offset(utf16le("Invoke-"))
  condition plain or wide
}
`, `{"CommandLine": "powershell -e aHR0cDovL2V2aWw="}`, `{"CommandLine": "-e SQBuAHYAbwBrAGUALQBFAHgAcAByAGUAcwBzAGkAbwBuAA=="}`)
	// Output:
	// plain: CommandLine|base64offset|contains: "http://"
	// wide: CommandLine|utf16le|base64offset|contains: "Invoke-"
	// condition: plain or wide
	// {"CommandLine": "powershell -e aHR0cDovL2V2aWw="} -> Base64
	// {"CommandLine": "-e SQBuAHYAbwBrAGUALQBFAHgAcAByAGUAcwBzAGkAbwBuAA=="} -> Base64
}

// minute, hour, day, week, month and year compare one part of a time.
func Example_timePart() {
	show(`rule "Night logon" {
  s = hour(UtcTime) >= 22 or hour(UtcTime) < 5
  condition s
}
`, `{"UtcTime": "2026-11-23 23:15:02.123"}`, `{"UtcTime": "2026-11-23 12:00:00"}`)
	// Output:
	// s: UtcTime|hour|gte: 22 or UtcTime|hour|lt: 5
	// condition: s
	// {"UtcTime": "2026-11-23 23:15:02.123"} -> Night logon
	// {"UtcTime": "2026-11-23 12:00:00"} -> no match
}

// keywords searches every field of the event for the values.
func Example_keywords() {
	show(`rule "Keywords" {
  k = keywords ("mimikatz", "sekurlsa::")
  condition k
}
`, `{"Message": "ran sekurlsa::logonpasswords"}`, `{"Message": "ok"}`)
	// Output:
	// k: keywords: ["mimikatz", "sekurlsa::"]
	// condition: k
	// {"Message": "ran sekurlsa::logonpasswords"} -> Keywords
	// {"Message": "ok"} -> no match
}

// 1 of and all of take a pattern of selection names (* is a wildcard) or
// them: every selection whose name does not start with _.
func Example_of() {
	show(`rule "Of" {
  sel_img  = Image endswith "\\rundll32.exe"
  sel_cli  = CommandLine contains "javascript:"
  filter_a = User == "svc"
  filter_b = User == "backup"
  condition all of sel_* and not 1 of filter_*
}
`, `{"Image": "C:\\Windows\\rundll32.exe", "CommandLine": "rundll32 javascript:x", "User": "bob"}`)
	// Output:
	// sel_img: Image|endswith: "\\rundll32.exe"
	// sel_cli: CommandLine|contains: "javascript:"
	// filter_a: User: "svc"
	// filter_b: User: "backup"
	// condition: all of sel_* and not 1 of filter_*
	// {"Image": "C:\\Windows\\rundll32.exe", "CommandLine": "rundll32 javascript:x", "User": "bob"} -> Of
}

// A macro is a named condition; rules use it like a selection. Macros
// can use other macros. In a selection, a macro may only hold comparisons
// joined by and and or.
func Example_macro() {
	show(`macro office = ParentImage endswith ("\\winword.exe", "\\excel.exe")
macro shell = Image endswith ("\\cmd.exe", "\\powershell.exe")

rule "Office starts a shell" {
  condition office and shell
}
`, `{"ParentImage": "C:\\Office\\WINWORD.EXE", "Image": "C:\\Windows\\System32\\cmd.exe"}`)
	// Output:
	// condition: ParentImage|endswith: ["\\winword.exe", "\\excel.exe"] and Image|endswith: ["\\cmd.exe", "\\powershell.exe"]
	// {"ParentImage": "C:\\Office\\WINWORD.EXE", "Image": "C:\\Windows\\System32\\cmd.exe"} -> Office starts a shell
}

// A list is a named list of values; a list can include other lists.
func Example_list() {
	show(`list lolbins = ("\\certutil.exe", "\\bitsadmin.exe")
list more_lolbins = (lolbins, "\\mshta.exe")

rule "LOLBin" {
  s = Image endswith more_lolbins
  condition s
}
`, `{"Image": "C:\\Windows\\System32\\mshta.exe"}`)
	// Output:
	// s: Image|endswith: ["\\certutil.exe", "\\bitsadmin.exe", "\\mshta.exe"]
	// condition: s
	// {"Image": "C:\\Windows\\System32\\mshta.exe"} -> LOLBin
}

// ParseSources reads several files together: macros and lists are shared.
func ExampleParseSources() {
	set, err := dsl.ParseSources(
		dsl.Source{Name: "shared.tdl", Src: []byte("list shells = (\"\\\\cmd.exe\", \"\\\\powershell.exe\")\n")},
		dsl.Source{Name: "rule.tdl", Src: []byte("rule \"Shell\" {\n  s = Image endswith shells\n  condition s\n}\n")},
	)
	if err != nil {
		printErrors(err)
		return
	}
	fmt.Println(set.Rules[0].Selections[0].Expr)
	// Output:
	// Image|endswith: ["\\cmd.exe", "\\powershell.exe"]
}

// cel "..." is a raw CEL condition over the event ev, type-checked when the
// rule is compiled; sigma.match(ev, field, modifiers, values) is one Sigma
// comparison.
func Example_cel() {
	show(`rule "Raw CEL" {
  condition cel `+bt+`sigma.match(ev, "User", "", ["alice", "bob"]) && !sigma.match(ev, "Host", "startswith", ["dc"])`+bt+`
}
`, `{"User": "alice", "Host": "ws-1"}`, `{"User": "alice", "Host": "dc-1"}`)
	// Output:
	// condition: cel("sigma.match(ev, \"User\", \"\", [\"alice\", \"bob\"]) && !sigma.match(ev, \"Host\", \"startswith\", [\"dc\"])")
	// {"User": "alice", "Host": "ws-1"} -> Raw CEL
	// {"User": "alice", "Host": "dc-1"} -> no match
}

// action names response actions that are reported with every match.
func Example_action() {
	set, err := dsl.Parse("example.tdl", []byte(`rule "Ransomware note" {
  action kill_process, isolate_host, open_ticket
  s = TargetFilename endswith "\\README_DECRYPT.txt"
  condition s
}
`))
	if err != nil {
		printErrors(err)
		return
	}
	fmt.Println(set.Rules[0].Actions)
	// Output:
	// [kill_process isolate_host open_ticket]
}

// test attaches example events: the rule must match (test match) or must
// not match (test nomatch) each; tanchi test runs them.
func Example_test() {
	set, err := dsl.Parse("example.tdl", []byte(`rule "Whoami" {
  s = Image endswith "\\whoami.exe"
  condition s
  test match {Image: `+bt+`C:\Windows\System32\whoami.exe`+bt+`, User: "bob"}
  test nomatch {Image: `+bt+`C:\Windows\System32\cmd.exe`+bt+`}
}
`))
	if err != nil {
		printErrors(err)
		return
	}
	for _, t := range set.Rules[0].Tests {
		fmt.Printf("%s: %s\n", t.Name, t.Event)
	}
	// Output:
	// match 1: {"Image":"C:\\Windows\\System32\\whoami.exe","User":"bob"}
	// dont-match 1: {"Image":"C:\\Windows\\System32\\cmd.exe"}
}

// An exclude block suppresses matches of some rules (by id, by tag, or
// rules * for all) when its condition holds, with a reason and an
// optional expiry date. Suppressed matches are still reported as such.
func Example_exclude() {
	show(`rule "Whoami" {
  id   "r-whoami"
  tags attack.discovery
  s = Image endswith "\\whoami.exe"
  condition s
}

exclude "Inventory script runs whoami" {
  rules   "r-whoami"
  reason  "CorpIT inventory, confirmed"
  author  "soc"
  expires 2099-12-31
  when ParentImage endswith "\\invagent.exe"
}
`, `{"Image": "C:\\Windows\\System32\\whoami.exe", "ParentImage": "C:\\CorpIT\\invagent.exe"}`)
	// Output:
	// s: Image|endswith: "\\whoami.exe"
	// condition: s
	// {"Image": "C:\\Windows\\System32\\whoami.exe", "ParentImage": "C:\\CorpIT\\invagent.exe"} -> Whoami (suppressed by Inventory script runs whoami)
}

// custom keeps attributes the model has no field for, as data.
func Example_custom() {
	set, err := dsl.Parse("example.tdl", []byte(`rule "Custom" {
  custom related = [{id: "0f06a3a5-6a09-413f-8743-e6cf35561297", type: "derived"}]
  custom license = "DRL-1.1"
  s = Image endswith "\\x.exe"
  condition s
}
`))
	if err != nil {
		printErrors(err)
		return
	}
	fmt.Println(set.Rules[0].Custom)
	// Output:
	// map[license:DRL-1.1 related:[map[id:0f06a3a5-6a09-413f-8743-e6cf35561297 type:derived]]]
}

// Format prints the canonical layout.
func ExampleFormat() {
	out, err := dsl.Format("messy.tdl", []byte(`rule "Messy"{
logsource product=windows    category=process_creation
  level high
    id "x-1"
sel=Image   endswith "\\cmd.exe" # shells
condition sel}
`))
	if err != nil {
		printErrors(err)
		return
	}
	os.Stdout.Write(out)
	// Output:
	// rule "Messy" {
	//   logsource product=windows category=process_creation
	//   level     high
	//   id        "x-1"
	//   sel = Image endswith "\\cmd.exe" # shells
	//   condition sel
	// }
}

// FromSet writes a model, here read from the language itself, back in the
// language; Sigma rules convert the same way (tanchi convert --to dsl).
func ExampleFromSet() {
	set, _ := dsl.Parse("in.tdl", []byte("rule \"T\" {\n  s = CommandLine contains windash(\"-enc\")\n  condition s\n}\n"))
	out, err := dsl.FromSet(set)
	if err != nil {
		printErrors(err)
		return
	}
	os.Stdout.Write(out)
	// Output:
	// rule "T" {
	//   s = CommandLine contains windash("-enc")
	//
	//   condition s
	// }
}

// Errors name the file, line and column, show the line and point at the
// problem. Every problem is reported, not only the first.
func ExampleParse_errors() {
	_, err := dsl.Parse("bad.tdl", []byte(`rule "Typos" {
  levle high
  s = Image endwith "\\cmd.exe"
  condition s and filtr
}
`))
	printErrors(err)
	// Output:
	// bad.tdl:2:3: unknown attribute "levle" in a rule; did you mean level?
	//  |   levle high
	//  |   ^
	// bad.tdl:3:13: unknown operator "endwith" after field Image: use ==, !=, in, contains, startswith, endswith, matches, cidr, <, <=, >, >= or exists
	//  |   s = Image endwith "\\cmd.exe"
	//  |             ^
	// bad.tdl:4:19: condition refers to filtr, which is neither a selection of this rule nor a macro
	//  |   condition s and filtr
	//  |                   ^
}
