package engine_test

import (
	"slices"
	"testing"

	"github.com/tanchi-dev/tanchi/engine"
	"github.com/tanchi-dev/tanchi/rule/sigma"
)

// Rules that need certain EventIDs are routed only to events with one of
// them; the routing must read an event's EventID as the comparisons do.
const eventIDRules = `
title: logon
id: 00000000-0000-0000-0000-000000000001
logsource: {product: windows, service: security}
detection:
    sel: {EventID: 4624, LogonType: 3}
    condition: sel
---
title: logon or failure
id: 00000000-0000-0000-0000-000000000002
logsource: {product: windows, service: security}
detection:
    ok: {EventID: [4624, 4625]}
    user: {TargetUserName|endswith: '$'}
    condition: ok and user
---
title: two selections
id: 00000000-0000-0000-0000-000000000003
logsource: {product: windows, service: security}
detection:
    a: {EventID: 4688, NewProcessName|endswith: '\whoami.exe'}
    b: {EventID: 4624, LogonType: 10}
    condition: 1 of them
---
title: not an id
id: 00000000-0000-0000-0000-000000000004
logsource: {product: windows, service: security}
detection:
    sel: {EventID: 4624}
    filter: {LogonType: 3}
    condition: not sel and not filter
---
title: needs two ids
id: 00000000-0000-0000-0000-000000000005
logsource: {product: windows, service: security}
detection:
    a: {EventID: 4624}
    b: {EventID: 4625}
    condition: a and b
---
title: wildcard id
id: 00000000-0000-0000-0000-000000000006
logsource: {product: windows, service: security}
detection:
    sel: {EventID|startswith: '46', LogonType: 3}
    condition: sel
`

// indexedAndBrute compiles Sigma rules twice: with the index and without.
func indexedAndBrute(t *testing.T, src string, opts ...engine.Option) (indexed, brute *engine.Engine) {
	t.Helper()
	set, err := sigma.Parse("rules.yml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if indexed, err = engine.Compile(set.Rules, opts...); err != nil {
		t.Fatal(err)
	}
	if brute, err = engine.Compile(set.Rules, append(opts, engine.WithoutIndex())...); err != nil {
		t.Fatal(err)
	}
	return indexed, brute
}

func TestEventIDRouting(t *testing.T) {
	indexed, brute := indexedAndBrute(t, eventIDRules)
	events := []string{
		`{"Channel": "Security", "EventID": 4624, "LogonType": 3, "TargetUserName": "HOST$"}`,
		`{"Channel": "Security", "EventID": "4624", "LogonType": "10"}`,
		`{"Channel": "Security", "EventID": "0x1210", "LogonType": 3}`,
		`{"Channel": "Security", "EventID": 4624.0, "LogonType": 3}`,
		`{"Channel": "Security", "EventID": 4625, "TargetUserName": "WS01$"}`,
		`{"Channel": "Security", "EventID": [4624, 4625], "LogonType": 3, "TargetUserName": "x$"}`,
		`{"Channel": "Security", "EventID": 4688, "NewProcessName": "C:\\Windows\\System32\\whoami.exe"}`,
		`{"Channel": "Security", "EventID": 4634, "LogonType": 3}`,
		`{"Channel": "Security", "EventID": "logon", "LogonType": 3}`,
		`{"Channel": "Security", "EventID": true, "LogonType": 3}`,
		`{"Channel": "Security", "EventID": null, "LogonType": 3}`,
		`{"Channel": "Security", "LogonType": 3}`,
		`{"Channel": "Security", "eventid": 4624, "LogonType": 3}`,
		`{"Channel": "Security", "EventID": 4648, "LogonType": 3}`,
		`{"LogonType": 3, "EventID": 4624}`,
	}
	if matched := agreeInTurns(t, indexed, brute, events); matched < 10 {
		t.Errorf("only %d matches: the events do not exercise the rules", matched)
	}
}

// agreeInTurns runs agree on the events in turns from every start, so that
// each event follows each other one (an engine keeps the route of a channel
// and EventID from one event to the next), and returns the matches of one
// turn.
func agreeInTurns(t *testing.T, indexed, brute *engine.Engine, events []string) int {
	t.Helper()
	matched := 0
	for start := range events {
		for k := range events {
			matched += agree(t, indexed, brute, events[(start+k)%len(events)])
		}
	}
	return matched / len(events)
}

// agree checks that the indexed engine matches the event src (read by
// ParseJSON and by RawJSON) as the brute-force one does, and returns the
// number of matches.
func agree(t *testing.T, indexed, brute *engine.Engine, src string) int {
	t.Helper()
	ev, err := engine.ParseJSON([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := ids(brute.Match(ev))
	if got := ids(indexed.Match(ev)); !slices.Equal(got, want) {
		t.Errorf("%s: indexed %v, brute force %v", src, got, want)
	}
	var r engine.RawJSON
	if err := r.Reset([]byte(src)); err != nil {
		t.Fatal(err)
	}
	if got := ids(indexed.Match(&r)); !slices.Equal(got, want) {
		t.Errorf("%s (RawJSON): indexed %v, brute force %v", src, got, want)
	}
	return len(want)
}

func ids(ms []engine.Match) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Rule.Title)
	}
	return out
}

// TestPairedWitnesses: a rule whose cheapest witness is common text gets
// more witness groups from the other parts of its AND (here all three:
// the image names, "system" and "authori"), and is a candidate only where
// every group has a literal; matches do not change.
func TestPairedWitnesses(t *testing.T) {
	indexed, brute := indexedAndBrute(t, `
title: system shell
id: 00000000-0000-0000-0000-000000000007
logsource: {product: windows, category: process_creation}
detection:
    sel: {IntegrityLevel: System, User|contains: AUTHORI}
    img: {Image|endswith: ['\mshta.exe', '\pwsh.exe']}
    condition: sel and img
`)
	for _, tc := range []struct {
		event string
		cands int
	}{
		{`{"IntegrityLevel": "System", "User": "NT AUTHORITY\\SYSTEM", "Image": "C:\\Windows\\System32\\mshta.exe"}`, 1},
		{`{"IntegrityLevel": "System", "User": "NT AUTHORITY\\SYSTEM", "Image": "C:\\Windows\\System32\\svchost.exe"}`, 0},
		{`{"IntegrityLevel": "Medium", "User": "CORP\\alice", "Image": "C:\\Windows\\System32\\mshta.exe"}`, 0},
		{`{"IntegrityLevel": "High", "User": "CORP\\alice", "Image": "C:\\Tools\\pwsh.exe"}`, 0},
		{`{"IntegrityLevel": "SYSTEM", "User": "NT AUTHORITY\\SYSTEM", "Image": "C:\\Tools\\PWSH.EXE"}`, 1},
		// Two groups of three: the user's.
		{`{"IntegrityLevel": "System", "User": "CORP\\alice", "Image": "C:\\Windows\\System32\\mshta.exe"}`, 0},
		{`{"IntegrityLevel": "Low", "User": "NT AUTHORITY\\SYSTEM", "Image": "C:\\Windows\\System32\\mshta.exe"}`, 0},
	} {
		agree(t, indexed, brute, tc.event)
		wantCandidates(t, indexed, tc.event, tc.cands)
	}
}

// wantCandidates checks that the index leaves n candidates for the event
// src (read by ParseJSON).
func wantCandidates(t *testing.T, indexed *engine.Engine, src string, n int) {
	t.Helper()
	ev, err := engine.ParseJSON([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if got := indexed.Candidates(ev); got != n {
		t.Errorf("%s: %d candidates, want %d", src, got, n)
	}
}

// TestEventIDRoutingMapped: with a mapping, the EventID routing reads the
// mapped field, as the comparisons do.
func TestEventIDRoutingMapped(t *testing.T) {
	m, err := engine.ParseMapping("m.yml", []byte("name: edr\nfields:\n  EventID: [event.code, winlog.event_id]\n"))
	if err != nil {
		t.Fatal(err)
	}
	indexed, brute := indexedAndBrute(t, eventIDRules, engine.WithMapping(m))
	events := []string{
		`{"event": {"code": "4624"}, "LogonType": 3}`,
		`{"winlog": {"event_id": 4624}, "LogonType": 10}`,
		`{"winlog": {"event_id": 4625}, "TargetUserName": "HOST$"}`,
		`{"EventID": 4624, "LogonType": 3}`,
		`{"event": {"code": "x"}, "winlog": {"event_id": 4624}, "LogonType": 3}`,
		`{"Channel": "Security", "EventID": 4624, "event": {"code": "4625"}, "LogonType": 3}`,
		`{"Channel": "Security", "EventID": 4624, "event": {"code": "4624"}, "LogonType": 3}`,
	}
	if matched := agreeInTurns(t, indexed, brute, events); matched < 4 {
		t.Errorf("only %d matches: the events do not exercise the mapping", matched)
	}
}

// listIDEvent is an event whose EventID is a list that also carries text,
// as an embedding's own Value may.
type listIDEvent struct{ id engine.Value }

func (e listIDEvent) Field(name string) (engine.Value, bool) {
	switch name {
	case "Channel":
		return engine.Str("Security"), true
	case "EventID":
		return e.id, true
	case "LogonType":
		return engine.Str("3"), true
	}
	return engine.Value{}, false
}

func (e listIDEvent) Range(fn func(string, engine.Value) bool) {
	for _, n := range []string{"Channel", "EventID", "LogonType"} {
		v, _ := e.Field(n)
		if !fn(n, v) {
			return
		}
	}
}

// TestEventIDListText: an EventID list is routed as a list whatever text
// its Value carries, even after an event whose EventID is that text.
func TestEventIDListText(t *testing.T) {
	indexed, brute := indexedAndBrute(t, eventIDRules)
	list := engine.Value{Kind: engine.KindList, S: "x", Items: []engine.Value{engine.Str("4624")}}
	for _, ev := range []listIDEvent{{engine.Str("x")}, {list}, {engine.Str("x")}, {list}} {
		want := ids(brute.Match(ev))
		if got := ids(indexed.Match(ev)); !slices.Equal(got, want) {
			t.Errorf("EventID %+v: indexed %v, brute force %v", ev.id, got, want)
		}
	}
}
