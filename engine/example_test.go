package engine_test

import (
	"errors"
	"fmt"

	"github.com/tanchi-dev/tanchi/engine"
	"github.com/tanchi-dev/tanchi/rule"
	"github.com/tanchi-dev/tanchi/rule/sigma"
)

const whoamiRule = `
title: Whoami run through cmd.exe
id: 2f8e5b8c-3a0d-4b57-9d7a-6a1f0c4e9b21
logsource:
    category: process_creation
    product: windows
detection:
    selection:
        Image|endswith: '\cmd.exe'
        CommandLine|contains: 'whoami'
    filter_system:
        User|startswith: 'NT AUTHORITY\'
    condition: selection and not filter_system
level: medium
`

func ExampleCompile() {
	set, err := sigma.Parse("whoami.yml", []byte(whoamiRule))
	if err != nil {
		fmt.Println(err)
		return
	}
	eng, err := engine.Compile(set.Rules)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range eng.Rules() {
		fmt.Printf("%s (%s): %s\n", r.Title, r.Level, r.Condition)
	}

	ev, _ := engine.ParseJSON([]byte(`{"Image":"C:\\Windows\\System32\\cmd.exe","CommandLine":"cmd.exe /c WHOAMI /all","User":"CORP\\alice"}`))
	fmt.Println("matches:", len(eng.Match(ev)))
	// Output:
	// Whoami run through cmd.exe (medium): selection and not filter_system
	// matches: 1
}

func ExampleEngine_Match() {
	set, _ := sigma.Parse("whoami.yml", []byte(whoamiRule))
	eng, _ := engine.Compile(set.Rules)

	// A Sysmon process creation as evtx JSON: it routes to process_creation
	// rules, and EventData fields are read by name.
	raw := `{"Event":{
		"System":{"Provider":{"#attributes":{"Name":"Microsoft-Windows-Sysmon"}},"EventID":1,
		          "Channel":"Microsoft-Windows-Sysmon/Operational","Computer":"ws1"},
		"EventData":{"Image":"C:\\Windows\\System32\\cmd.exe","CommandLine":"cmd.exe /c whoami","User":"CORP\\alice"}}}`
	ev, err := engine.ParseJSON([]byte(raw))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, m := range eng.Match(ev) {
		fmt.Println(m.Rule.Title)
		for _, h := range m.Fields {
			fmt.Printf("  %s = %q\n", h.Match, h.Value)
		}
	}
	// Output:
	// Whoami run through cmd.exe
	//   Image|endswith: "\\cmd.exe" = "C:\\Windows\\System32\\cmd.exe"
	//   CommandLine|contains: "whoami" = "cmd.exe /c whoami"
}

func ExampleWithPlaceholders() {
	src := `
title: Logon by an administrator account
id: 6d0b9a44-51f3-4c0e-8f3e-2b7c9e1a5d10
logsource:
    product: windows
    service: security
detection:
    selection:
        EventID: 4624
        TargetUserName|expand: '%Administrators%'
    condition: selection
`
	set, _ := sigma.Parse("admins.yml", []byte(src))
	ev, _ := engine.ParseJSON([]byte(`{"EventID":4624,"TargetUserName":"adm-jdoe"}`))

	// The placeholder expands to each value; values may use wildcards.
	eng, err := engine.Compile(set.Rules, engine.WithPlaceholders(map[string][]string{
		"Administrators": {"Administrator", "adm-*"},
	}))
	fmt.Println("with values:", err, len(eng.Match(ev)))

	// Without a value for the placeholder the rule does not compile: it is
	// reported, and never matched against the literal text %Administrators%.
	eng, err = engine.Compile(set.Rules)
	var el rule.ErrorList
	if errors.As(err, &el) {
		fmt.Println("without values:", el[0].Code, el[0].Code.Unsupported(), len(eng.Rules()))
	}
	// Output:
	// with values: <nil> 1
	// without values: unsupported-placeholder true 0
}

// A stream of JSON lines, as tanchi scan reads one: a single RawJSON is
// reused for every line, and values are only valid until the next Reset.
func ExampleRawJSON() {
	set, _ := sigma.Parse("whoami.yml", []byte(whoamiRule))
	eng, _ := engine.Compile(set.Rules)
	lines := []string{
		`{"Channel":"Microsoft-Windows-Sysmon/Operational","EventID":1,"Image":"C:\\Windows\\System32\\cmd.exe","CommandLine":"cmd /c whoami","User":"CORP\\bob"}`,
		`{"Channel":"Microsoft-Windows-Sysmon/Operational","EventID":1,"Image":"C:\\Windows\\notepad.exe","CommandLine":"notepad","User":"CORP\\bob"}`,
		`{"Channel": oops}`,
	}
	var ev engine.RawJSON
	for i, line := range lines {
		if err := ev.Reset([]byte(line)); err != nil {
			fmt.Printf("line %d: %v\n", i+1, err)
			continue
		}
		for _, m := range eng.Match(&ev) {
			fmt.Printf("line %d: %s (%d candidate rules)\n", i+1, m.Rule.Title, eng.Candidates(&ev))
		}
	}
	// Output:
	// line 1: Whoami run through cmd.exe (1 candidate rules)
	// line 3: invalid JSON: invalid character "o" at offset 12
}

// processSchema is the layout of an agent's process-creation events.
var processSchema, _ = engine.NewSchema("Channel", "EventID", "Image", "CommandLine", "User")

// processEvent is an agent's process-creation event: a struct, read by
// position.
type processEvent struct {
	image, commandLine, user string
}

func (p *processEvent) Schema() *engine.Schema { return processSchema }

func (p *processEvent) FieldAt(i int) (engine.Value, bool) {
	switch i {
	case 0:
		return engine.Str("Microsoft-Windows-Sysmon/Operational"), true
	case 1:
		return engine.Num("1"), true
	case 2:
		return engine.Str(p.image), true
	case 3:
		return engine.Str(p.commandLine), true
	case 4:
		return engine.Str(p.user), p.user != ""
	}
	return engine.Value{}, false
}

func (p *processEvent) Field(name string) (engine.Value, bool) {
	if i, ok := processSchema.Index(name); ok {
		return p.FieldAt(i)
	}
	return engine.Value{}, false
}

func (p *processEvent) Range(fn func(string, engine.Value) bool) {
	for i := range processSchema.Len() {
		if v, ok := p.FieldAt(i); ok && !fn(processSchema.Name(i), v) {
			return
		}
	}
}

// AppendTexts hands keyword searches every text at once: the event's
// values, the user only when it has one (as FieldAt reports it).
func (p *processEvent) AppendTexts(dst []string) []string {
	dst = append(dst, "Microsoft-Windows-Sysmon/Operational", "1", p.image, p.commandLine)
	if p.user != "" {
		dst = append(dst, p.user)
	}
	return dst
}

func ExampleTextEvent() {
	set, _ := sigma.Parse("keywords.yml", []byte(`
title: Credential dumping words
logsource: {product: windows}
detection:
    keywords: ['sekurlsa::', 'lsadump::']
    condition: keywords
`))
	eng, _ := engine.Compile(set.Rules)
	for _, ev := range []*processEvent{
		{image: `C:\Temp\m.exe`, commandLine: `m.exe "SEKURLSA::logonpasswords" exit`},
		{image: `C:\Windows\notepad.exe`, commandLine: "notepad"},
	} {
		fmt.Println(ev.commandLine, len(eng.Match(ev)))
	}
	// Output:
	// m.exe "SEKURLSA::logonpasswords" exit 1
	// notepad 0
}

func ExampleIndexedEvent() {
	set, _ := sigma.Parse("whoami.yml", []byte(whoamiRule))
	eng, _ := engine.Compile(set.Rules)
	for _, ev := range []*processEvent{
		{image: `C:\Windows\System32\cmd.exe`, commandLine: "cmd.exe /c whoami", user: `CORP\alice`},
		{image: `C:\Windows\System32\cmd.exe`, commandLine: "cmd.exe /c whoami", user: `NT AUTHORITY\SYSTEM`},
		{image: `C:\Windows\System32\cmd.exe`, commandLine: "cmd.exe /c dir"},
	} {
		fmt.Println(ev.commandLine, ev.user, len(eng.Match(ev)))
	}
	// Output:
	// cmd.exe /c whoami CORP\alice 1
	// cmd.exe /c whoami NT AUTHORITY\SYSTEM 0
	// cmd.exe /c dir  0
}
