package engine_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/tanchi-dev/tanchi/engine"
)

func TestNewSchema(t *testing.T) {
	for _, names := range [][]string{{"Image", "Image"}, {"Image", ""}} {
		if _, err := engine.NewSchema(names...); err == nil {
			t.Errorf("NewSchema(%q) accepted", names)
		}
	}
	s, err := engine.NewSchema("CommandLine", "IMAGE", "image", "User")
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]int{"CommandLine": 0, "commandline": 0, "IMAGE": 1, "image": 2, "Image": 1, "USER": 3, "Hashes": -1} {
		i, ok := s.Index(name)
		if !ok {
			i = -1
		}
		if i != want {
			t.Errorf("Index(%q) = %d, want %d", name, i, want)
		}
	}
	if s.Len() != 4 || s.Name(2) != "image" {
		t.Errorf("Len %d, Name(2) %q", s.Len(), s.Name(2))
	}
}

// agentEvent is an IndexedEvent as an agent writes one: values by position,
// Field through the schema.
type agentEvent struct {
	schema *engine.Schema
	vals   []engine.Value
	has    []bool
}

func (a *agentEvent) Schema() *engine.Schema { return a.schema }

func (a *agentEvent) FieldAt(i int) (engine.Value, bool) { return a.vals[i], a.has[i] }

func (a *agentEvent) Field(name string) (engine.Value, bool) {
	i, ok := a.schema.Index(name)
	if !ok {
		return engine.Value{}, false
	}
	return a.FieldAt(i)
}

func (a *agentEvent) Range(fn func(string, engine.Value) bool) {
	for i, v := range a.vals {
		if a.has[i] && !fn(a.schema.Name(i), v) {
			return
		}
	}
}

// newAgentEvent returns an event of schema s with the given fields set.
func newAgentEvent(s *engine.Schema, fields map[string]engine.Value) *agentEvent {
	a := &agentEvent{schema: s, vals: make([]engine.Value, s.Len()), has: make([]bool, s.Len())}
	for n, v := range fields {
		i, ok := s.Index(n)
		if !ok {
			panic("no field " + n)
		}
		a.vals[i], a.has[i] = v, true
	}
	return a
}

const indexedEventRules = `
title: whoami
logsource: {category: process_creation, product: windows}
detection:
    sel: {Image|endswith: '\whoami.exe'}
    condition: sel
---
title: run key set
logsource: {category: registry_set, product: windows}
detection:
    sel: {TargetObject|contains: '\CurrentVersion\Run'}
    condition: sel
---
title: run key added
logsource: {category: registry_add, product: windows}
detection:
    sel: {TargetObject|contains: '\CurrentVersion\Run'}
    condition: sel
---
title: no parent
logsource: {category: process_creation, product: windows}
detection:
    sel: {CommandLine|contains: 'x'}
    filter: {ParentImage|exists: true}
    condition: sel and not filter
---
title: network logon
logsource: {product: windows, service: security}
detection:
    sel: {EventID: 4624, LogonType: 3}
    condition: sel
---
title: keyword
logsource: {product: windows}
detection:
    keywords: [mimikatz]
    condition: keywords
`

// TestIndexedEvent: events read by position give the brute-force answers,
// through routing (Channel, EventID, Sysmon's EventType), the Security
// alias of Image, case-insensitive names, absent fields and keywords;
// past the engine's bound on schemas too, where events are read by name.
func TestIndexedEvent(t *testing.T) {
	indexed, brute := indexedAndBrute(t, indexedEventRules)
	sysmon, err := engine.NewSchema("channel", "EventID", "EventType", "Image", "CommandLine", "ParentImage", "TargetObject")
	if err != nil {
		t.Fatal(err)
	}
	security, err := engine.NewSchema("Channel", "EventID", "NewProcessName", "LogonType", "CommandLine")
	if err != nil {
		t.Fatal(err)
	}
	s, v := engine.Str, engine.Num
	const sm = "Microsoft-Windows-Sysmon/Operational"
	events := []engine.IndexedEvent{
		newAgentEvent(sysmon, map[string]engine.Value{"channel": s(sm), "EventID": v("1"), "Image": s(`C:\Windows\System32\WHOAMI.exe`), "CommandLine": s("x"), "ParentImage": s("p")}),
		newAgentEvent(sysmon, map[string]engine.Value{"channel": s(sm), "EventID": v("1"), "CommandLine": s("xx")}),
		newAgentEvent(sysmon, map[string]engine.Value{"channel": s(sm), "EventID": v("13"), "TargetObject": s(`HKLM\Software\Microsoft\Windows\CurrentVersion\Run\x`)}),
		newAgentEvent(sysmon, map[string]engine.Value{"channel": s(sm), "EventID": v("12"), "EventType": s("SetValue"), "TargetObject": s(`HKLM\Software\Microsoft\Windows\CurrentVersion\Run\x`)}),
		newAgentEvent(sysmon, map[string]engine.Value{"channel": s(sm), "EventID": v("12"), "EventType": s("CreateKey"), "TargetObject": s(`HKLM\Software\Microsoft\Windows\CurrentVersion\Run\x`)}),
		newAgentEvent(security, map[string]engine.Value{"Channel": s("Security"), "EventID": v("4688"), "NewProcessName": s(`C:\Windows\System32\whoami.exe`), "CommandLine": s("whoami mimikatz")}),
		newAgentEvent(security, map[string]engine.Value{"Channel": s("Security"), "EventID": v("4624"), "LogonType": v("3")}),
		newAgentEvent(security, map[string]engine.Value{"Channel": s("Security"), "EventID": v("4625"), "LogonType": v("3")}),
		newAgentEvent(security, map[string]engine.Value{"EventID": v("4624"), "LogonType": v("3")}),
	}
	check := func(evs []engine.IndexedEvent) int {
		t.Helper()
		matched := 0
		for turn := range 2 {
			for k := range evs {
				ev := evs[k]
				if turn == 1 {
					ev = evs[len(evs)-1-k]
				}
				want := ids(brute.Match(ev))
				if got := ids(indexed.Match(ev)); !slices.Equal(got, want) {
					t.Errorf("event %d: indexed %v, brute force %v", k, got, want)
				}
				matched += len(want)
			}
		}
		return matched / 2
	}
	if matched := check(events); matched != 8 {
		t.Errorf("%d matches, want 8", matched)
	}
	// More schemas than the engine resolves: each a rotation of the Sysmon
	// fields, its events matched as before.
	var many []engine.IndexedEvent
	names := []string{"channel", "EventID", "EventType", "Image", "CommandLine", "ParentImage", "TargetObject"}
	for i := range 300 {
		rot := append(slices.Clone(names[i%len(names):]), names[:i%len(names)]...)
		rot = append(rot, fmt.Sprintf("Extra%d", i))
		s, err := engine.NewSchema(rot...)
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range events[:5] {
			fields := map[string]engine.Value{}
			ev.Range(func(n string, v engine.Value) bool {
				fields[n] = v
				return true
			})
			many = append(many, newAgentEvent(s, fields))
		}
	}
	if matched := check(many); matched != 300*4 {
		t.Errorf("%d matches over many schemas, want %d", matched, 300*4)
	}
	// Schemas resolved from several goroutines at once (run with -race).
	indexed, _ = indexedAndBrute(t, indexedEventRules)
	var wg sync.WaitGroup
	counts := make([]int, 4)
	for w := range counts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range many {
				counts[w] += len(indexed.Match(many[(k+w*97)%len(many)]))
			}
		}()
	}
	wg.Wait()
	for w, n := range counts {
		if n != 300*4 {
			t.Errorf("goroutine %d: %d matches, want %d", w, n, 300*4)
		}
	}
}
