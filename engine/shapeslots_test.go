package engine

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tanchi-dev/tanchi/rule/sigma"
)

// shapeSlotRules read fields that some shapes of shapeSlotEvent have and
// others lack, by their own names, by the names Security process creations
// give them, and by a name a user mapping gives.
const shapeSlotRules = `
title: image
id: r-image
logsource: {category: process_creation, product: windows}
detection:
  sel: {Image|endswith: '\cmd.exe'}
  condition: sel
---
title: parent and no comment
id: r-parent
logsource: {product: windows}
detection:
  sel: {ParentImage|contains: explorer}
  none: {Comment: null}
  condition: sel and none
---
title: user
id: r-user
logsource: {product: windows}
detection:
  sel: {User|startswith: 'corp\'}
  img: {Image|contains: '\'}
  condition: sel and not img
---
title: renamed
id: r-renamed
logsource: {product: windows}
detection:
  sel: {Renamed: yes}
  condition: sel
`

// shapeSlotEvent is event v of shape j: which fields it has, their order,
// the case of their names and a field of its own (K<j>) depend on j; the
// values depend on v.
func shapeSlotEvent(j, v int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `{"K%d": %d`, j, v)
	image := []string{`C:\\Windows\\cmd.exe`, `C:\\Tools\\notepad.exe`, `cmd.exe`}[v%3]
	switch j % 4 {
	case 0:
		fmt.Fprintf(&b, `, "Channel": "Microsoft-Windows-Sysmon/Operational", "EventID": 1, "Image": "%s"`, image)
	case 1:
		fmt.Fprintf(&b, `, "EventID": 1, "Channel": "Microsoft-Windows-Sysmon/Operational", "image": "%s"`, image)
	case 2:
		fmt.Fprintf(&b, `, "Channel": "Security", "EventID": 4688, "NewProcessName": "%s"`, image)
	case 3:
		b.WriteString(`, "Channel": "Security", "EventID": 4624`)
	}
	if j%3 != 0 {
		fmt.Fprintf(&b, `, "ParentImage": "%s"`, []string{`C:\\Windows\\explorer.exe`, `C:\\x\\svchost.exe`}[v%2])
	}
	if j%5 == 1 {
		fmt.Fprintf(&b, `, "Comment": %s`, []string{`null`, `"hi"`}[v%2])
	}
	if j%2 == 1 {
		fmt.Fprintf(&b, `, "User": "%s"`, []string{`CORP\\bob`, `other\\eve`}[v%2])
	}
	if j%7 < 3 {
		fmt.Fprintf(&b, `, "Alt": "%s"`, []string{"yes", "no"}[v%2])
	}
	b.WriteString("}")
	return b.String()
}

// TestShapeSlots: a context reads the fields of an event answered from
// its RawJSON shape by where the shape has them (evalCtx.rawPos). Events
// of more shapes than it keeps positions for, in turns, must each match
// as the same event parsed matches on the brute-force path, with the
// same values in the matches.
func TestShapeSlots(t *testing.T) {
	set, err := sigma.Parse("rules.yml", []byte(shapeSlotRules))
	if err != nil {
		t.Fatal(err)
	}
	mapping := WithMapping(&Mapping{Name: "test", Fields: map[string][]string{"Renamed": {"Alt"}}})
	indexed, err := Compile(set.Rules, mapping)
	if err != nil {
		t.Fatal(err)
	}
	brute, err := Compile(set.Rules, mapping, WithoutIndex())
	if err != nil {
		t.Fatal(err)
	}
	describe := func(ms []Match) string {
		var b strings.Builder
		for _, m := range ms {
			fmt.Fprintf(&b, "%s %v; ", m.Rule.ID, m.Fields)
		}
		return b.String()
	}
	const shapes = shapeSlotWays + shapeSlotWays/2
	c := indexed.newCtx()
	var r RawJSON
	viewed, matched := 0, 0
	for round := range 6 {
		for k := range shapes {
			j := k
			if round%2 == 1 {
				j = shapes - 1 - k
			}
			raw := shapeSlotEvent(j, round+k)
			if err := r.Reset([]byte(raw)); err != nil {
				t.Fatal(err)
			}
			ev, err := ParseJSON([]byte(raw))
			if err != nil {
				t.Fatal(err)
			}
			got, want := describe(indexed.matchWith(c, &r)), describe(brute.MatchAll(ev))
			if got != want {
				t.Fatalf("round %d, %s:\nread by shape: %s\nparsed:        %s", round, raw, got, want)
			}
			if c.rawPos != nil {
				viewed++
			}
			if want != "" {
				matched++
			}
		}
	}
	// Shapes are kept from their second event on: the later rounds must
	// have been read by position, and must have matched now and then.
	if viewed < 3*shapes {
		t.Errorf("%d events read by their shape's positions, want at least %d", viewed, 3*shapes)
	}
	if matched < shapes {
		t.Errorf("%d events matched, want at least %d", matched, shapes)
	}
}
