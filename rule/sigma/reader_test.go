package sigma_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tanchi-dev/tanchi/rule"
	"github.com/tanchi-dev/tanchi/rule/sigma"
)

// parseOne parses src, which must hold exactly one detection rule and no
// error.
func parseOne(t *testing.T, src string) *rule.Rule {
	t.Helper()
	set, err := sigma.Parse("test.yml", []byte(src))
	if err != nil {
		t.Fatalf("Parse: %v\n%s", err, src)
	}
	if len(set.Rules) != 1 || len(set.Exclusions) != 0 || len(set.Correlations) != 0 {
		t.Fatalf("got %d rules, %d exclusions, %d correlations; want one rule", len(set.Rules), len(set.Exclusions), len(set.Correlations))
	}
	return set.Rules[0]
}

// withDetection wraps the body of a detection (indented by four spaces) in a
// minimal rule.
func withDetection(body string) string {
	return "title: t\nlogsource:\n    product: windows\ndetection:\n" + body
}

// conditionSelections defines the selections every condition case may use.
const conditionSelections = `    a:
        F: 1
    b:
        F: 2
    c:
        F: 3
    selection_x:
        F: 4
    selection_y:
        F: 5
    _helper:
        F: 6
`

func TestConditionTree(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		cond  string   // the YAML after "condition:"
		want  string   // the tree rendered with String()
		names []string // for a single *Of: the selections it resolved to
	}{
		{name: "ref", cond: "a", want: "a"},
		{name: "and binds tighter than or", cond: "a and b or c", want: "(a and b) or c"},
		{name: "and binds tighter than or on the right", cond: "a or b and c", want: "a or (b and c)"},
		{name: "not binds tighter than and", cond: "not a and b", want: "not a and b"},
		{name: "not binds tighter than or", cond: "not a or b", want: "not a or b"},
		{name: "not of a group", cond: "not (a or b)", want: "not (a or b)"},
		{name: "double not", cond: "not not a", want: "not not a"},
		{name: "parentheses override precedence", cond: "a and (b or c)", want: "a and (b or c)"},
		{name: "redundant parentheses", cond: "((a)) and ((b))", want: "a and b"},
		{name: "flat or", cond: "a or b or c", want: "a or b or c"},
		{name: "flat and", cond: "a and b and c", want: "a and b and c"},
		{name: "and of nots", cond: "a and not b and not c", want: "a and not b and not c"},
		{name: "keywords are case-insensitive", cond: "a AND NOT b Or c", want: "(a and not b) or c"},
		{name: "1 of pattern", cond: "1 of selection_*", want: "1 of selection_*", names: []string{"selection_x", "selection_y"}},
		{name: "any of is 1 of", cond: "any of selection_*", want: "1 of selection_*", names: []string{"selection_x", "selection_y"}},
		{name: "all of pattern", cond: "all of selection_*", want: "all of selection_*", names: []string{"selection_x", "selection_y"}},
		{name: "pattern matching one name", cond: "1 of selection_x", want: "1 of selection_x", names: []string{"selection_x"}},
		{name: "all of them skips underscore names", cond: "all of them", want: "all of them", names: []string{"a", "b", "c", "selection_x", "selection_y"}},
		{name: "1 of them", cond: "1 of them", want: "1 of them", names: []string{"a", "b", "c", "selection_x", "selection_y"}},
		{name: "underscore names can be referenced", cond: "a and not _helper", want: "a and not _helper"},
		{name: "pattern can match underscore names", cond: "1 of _*", want: "1 of _*", names: []string{"_helper"}},
		{name: "of inside a tree", cond: "a and not 1 of selection_* or all of them", want: "(a and not 1 of selection_*) or all of them"},
		{name: "quoted condition", cond: "'a and not b'", want: "a and not b"},
		{name: "list of conditions is an or", cond: "\n        - a\n        - b and c", want: "a or (b and c)"},
		{name: "list of one condition", cond: "\n        - a and b", want: "a and b"},
		{name: "folded condition", cond: ">\n        a and\n        not b", want: "a and not b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := parseOne(t, withDetection(conditionSelections+"    condition: "+tt.cond+"\n"))
			if r.Condition == nil {
				t.Fatal("no condition")
			}
			if got := r.Condition.String(); got != tt.want {
				t.Errorf("condition %q = %q, want %q", tt.cond, got, tt.want)
			}
			if tt.names != nil {
				of, ok := r.Condition.(*rule.Of)
				if !ok {
					t.Fatalf("condition is a %T, want *rule.Of", r.Condition)
				}
				if diff := cmp.Diff(tt.names, of.Names); diff != "" {
					t.Errorf("Of.Names (-want +got):\n%s", diff)
				}
			}
			// The rendering is itself a condition that reads back to the
			// same tree.
			again := parseOne(t, withDetection(conditionSelections+"    condition: "+r.Condition.String()+"\n"))
			if got := again.Condition.String(); got != tt.want {
				t.Errorf("round trip of %q = %q", tt.want, got)
			}
		})
	}
}

// TestConditionPositions checks that condition nodes point at what was
// written, inside the condition string.
func TestConditionPositions(t *testing.T) {
	t.Parallel()
	r := parseOne(t, withDetection(conditionSelections+"    condition: a and not 1 of selection_*\n"))
	//                                                   col 16 ^    ^22 ^26
	and, ok := r.Condition.(*rule.And)
	if !ok {
		t.Fatalf("condition is a %T", r.Condition)
	}
	ref := and.Args[0].(*rule.Ref)
	not := and.Args[1].(*rule.Not)
	of := not.X.(*rule.Of)
	line := 17 // 4 lines of header, 12 of selections, then the condition
	for _, c := range []struct {
		what string
		pos  rule.Pos
		col  int
	}{{"and", and.Pos, 16}, {"ref", ref.Pos, 16}, {"not", not.Pos, 22}, {"of", of.Pos, 26}} {
		if c.pos.File != "test.yml" || c.pos.Line != line || c.pos.Col != c.col {
			t.Errorf("%s at %v, want test.yml:%d:%d", c.what, c.pos, line, c.col)
		}
	}
}

func TestSelections(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string // the selection named "sel", indented by eight spaces
		want string // its expression rendered with String()
	}{
		{
			name: "field map is an and",
			body: "        Image|endswith: '\\cmd.exe'\n        CommandLine|contains: whoami\n",
			want: `Image|endswith: "\\cmd.exe" and CommandLine|contains: "whoami"`,
		},
		{
			name: "value list",
			body: "        EventID:\n            - 4688\n            - 1\n",
			want: `EventID: [4688, 1]`,
		},
		{
			name: "keywords",
			body: "        - 'mimikatz'\n        - 'sekurlsa::logonpasswords'\n",
			want: `keywords: ["mimikatz", "sekurlsa::logonpasswords"]`,
		},
		{
			name: "single keyword",
			body: "        'mimikatz'\n",
			want: `keywords: "mimikatz"`,
		},
		{
			name: "all keywords",
			body: "        '|all':\n            - 'Invoke-'\n            - '-Command'\n",
			want: `keywords|all: ["Invoke-", "-Command"]`,
		},
		{
			name: "list of maps is an or",
			body: "        - Image|endswith: '\\a.exe'\n        - Image|endswith: '\\b.exe'\n          CommandLine|contains: '-x'\n",
			want: `Image|endswith: "\\a.exe" or (Image|endswith: "\\b.exe" and CommandLine|contains: "-x")`,
		},
		{
			name: "keywords come before maps in a mixed list",
			body: "        - Image: a.exe\n        - 'keyword'\n",
			want: `keywords: "keyword" or Image: "a.exe"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := parseOne(t, withDetection("    sel:\n"+tt.body+"    condition: sel\n"))
			s := r.Selection("sel")
			if s == nil || s.Expr == nil {
				t.Fatalf("no selection sel in %+v", r.Selections)
			}
			if got := s.Expr.String(); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
			if s.Pos.Line != 5 || s.Pos.Col != 5 {
				t.Errorf("selection at %v, want test.yml:5:5", s.Pos)
			}
		})
	}
}

// onlyMatch parses a one-field selection and returns its Match.
func onlyMatch(t *testing.T, field string) *rule.Match {
	t.Helper()
	r := parseOne(t, withDetection("    sel:\n        "+field+"\n    condition: sel\n"))
	m, ok := r.Selection("sel").Expr.(*rule.Match)
	if !ok {
		t.Fatalf("selection is a %T, want *rule.Match", r.Selection("sel").Expr)
	}
	return m
}

func TestModifiers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		field string
		want  rule.Match // only the fields set by SetModifiers are compared
	}{
		{"F: x", rule.Match{Field: "F", Op: rule.OpEq}},
		{"F|contains: x", rule.Match{Field: "F", Op: rule.OpContains, Modifiers: []string{"contains"}}},
		{"F|startswith: x", rule.Match{Field: "F", Op: rule.OpStartsWith, Modifiers: []string{"startswith"}}},
		{"F|endswith: x", rule.Match{Field: "F", Op: rule.OpEndsWith, Modifiers: []string{"endswith"}}},
		{"F|contains|all: [x, y]", rule.Match{Field: "F", Op: rule.OpContains, All: true, Modifiers: []string{"contains", "all"}}},
		{"F|all|contains: [x, y]", rule.Match{Field: "F", Op: rule.OpContains, All: true, Modifiers: []string{"all", "contains"}}},
		{"F|contains|cased: x", rule.Match{Field: "F", Op: rule.OpContains, Cased: true, Modifiers: []string{"contains", "cased"}}},
		{"F|cased: x", rule.Match{Field: "F", Op: rule.OpEq, Cased: true, Modifiers: []string{"cased"}}},
		{"F|utf16le|base64offset|contains: x", rule.Match{Field: "F", Op: rule.OpContains, Transforms: []string{"utf16le", "base64offset"}, Modifiers: []string{"utf16le", "base64offset", "contains"}}},
		{"F|wide|base64offset|contains: x", rule.Match{Field: "F", Op: rule.OpContains, Transforms: []string{"wide", "base64offset"}, Modifiers: []string{"wide", "base64offset", "contains"}}},
		{"F|base64|contains: x", rule.Match{Field: "F", Op: rule.OpContains, Transforms: []string{"base64"}, Modifiers: []string{"base64", "contains"}}},
		{"F|windash|contains: ' -x'", rule.Match{Field: "F", Op: rule.OpContains, Transforms: []string{"windash"}, Modifiers: []string{"windash", "contains"}}},
		{"F|re: 'a.*b'", rule.Match{Field: "F", Op: rule.OpRegex, Modifiers: []string{"re"}}},
		{"F|re|i|m: 'a.*b'", rule.Match{Field: "F", Op: rule.OpRegex, RegexFlags: "im", Modifiers: []string{"re", "i", "m"}}},
		{"F|re|s: 'a.*b'", rule.Match{Field: "F", Op: rule.OpRegex, RegexFlags: "s", Modifiers: []string{"re", "s"}}},
		{"F|cidr: 10.0.0.0/8", rule.Match{Field: "F", Op: rule.OpCIDR, Modifiers: []string{"cidr"}}},
		{"F|lt: 5", rule.Match{Field: "F", Op: rule.OpLT, Modifiers: []string{"lt"}}},
		{"F|lte: 5", rule.Match{Field: "F", Op: rule.OpLTE, Modifiers: []string{"lte"}}},
		{"F|gt: 5", rule.Match{Field: "F", Op: rule.OpGT, Modifiers: []string{"gt"}}},
		{"F|gte: 5", rule.Match{Field: "F", Op: rule.OpGTE, Modifiers: []string{"gte"}}},
		{"F|exists: true", rule.Match{Field: "F", Op: rule.OpExists, Modifiers: []string{"exists"}}},
		{"F|fieldref: G", rule.Match{Field: "F", Op: rule.OpEq, FieldRef: true, Modifiers: []string{"fieldref"}}},
		{"F|fieldref|startswith: G", rule.Match{Field: "F", Op: rule.OpStartsWith, FieldRef: true, Modifiers: []string{"fieldref", "startswith"}}},
		{"F|neq: x", rule.Match{Field: "F", Op: rule.OpEq, Neq: true, Modifiers: []string{"neq"}}},
		{"F|hour|gte: 22", rule.Match{Field: "F", Op: rule.OpGTE, TimePart: "hour", Modifiers: []string{"hour", "gte"}}},
		{"F|expand: '%admins%'", rule.Match{Field: "F", Op: rule.OpEq, Transforms: []string{"expand"}, Modifiers: []string{"expand"}}},
		{"'|all': [x, y]", rule.Match{Field: "", Op: rule.OpEq, All: true, Modifiers: []string{"all"}}},
	}
	for _, tt := range tests {
		t.Run(tt.field, func(t *testing.T) {
			t.Parallel()
			m := onlyMatch(t, tt.field)
			got := rule.Match{
				Field: m.Field, Op: m.Op, All: m.All, Cased: m.Cased, Neq: m.Neq, FieldRef: m.FieldRef,
				RegexFlags: m.RegexFlags, TimePart: m.TimePart, Transforms: m.Transforms, Modifiers: m.Modifiers,
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestModifierPosition checks that a Match points at its key and each value
// at itself.
func TestModifierPosition(t *testing.T) {
	t.Parallel()
	m := onlyMatch(t, "CommandLine|contains|all:\n            - 'a'\n            - b")
	if m.Pos.Line != 6 || m.Pos.Col != 9 {
		t.Errorf("match at %v, want test.yml:6:9", m.Pos)
	}
	for i, want := range []rule.Pos{{File: "test.yml", Line: 7, Col: 15, Offset: -1}, {File: "test.yml", Line: 8, Col: 15, Offset: -1}} {
		if m.Values[i].Pos != want {
			t.Errorf("value %d at %+v, want %+v", i, m.Values[i].Pos, want)
		}
	}
}

func TestValueKinds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		yaml string
		want rule.Value // Pos is not compared
	}{
		{"'text'", rule.Value{Kind: rule.String, S: "text"}},
		{"text with spaces", rule.Value{Kind: rule.String, S: "text with spaces"}},
		{`"C:\\Windows\\*"`, rule.Value{Kind: rule.String, S: `C:\Windows\*`}},
		{`'C:\Windows\*'`, rule.Value{Kind: rule.String, S: `C:\Windows\*`}},
		{"''", rule.Value{Kind: rule.String, S: ""}},
		{"'4688'", rule.Value{Kind: rule.String, S: "4688"}},
		{"4688", rule.Value{Kind: rule.Number, S: "4688"}},
		{"-1", rule.Value{Kind: rule.Number, S: "-1"}},
		{"0x17", rule.Value{Kind: rule.Number, S: "0x17"}},
		{"1.5", rule.Value{Kind: rule.Number, S: "1.5"}},
		{"true", rule.Value{Kind: rule.Bool, S: "true"}},
		{"False", rule.Value{Kind: rule.Bool, S: "false"}},
		{"'true'", rule.Value{Kind: rule.String, S: "true"}},
		{"null", rule.Value{Kind: rule.Null, S: ""}},
		{"~", rule.Value{Kind: rule.Null, S: ""}},
		{"", rule.Value{Kind: rule.Null, S: ""}},
	}
	for _, tt := range tests {
		t.Run(tt.yaml, func(t *testing.T) {
			t.Parallel()
			m := onlyMatch(t, "F: "+tt.yaml)
			if len(m.Values) != 1 {
				t.Fatalf("got %d values, want 1", len(m.Values))
			}
			got := m.Values[0]
			got.Pos = rule.Pos{}
			if got != tt.want {
				t.Errorf("value %s = %+v, want %+v", tt.yaml, got, tt.want)
			}
		})
	}
	// A list keeps the kind of every value.
	m := onlyMatch(t, "F: [1, 'a', null, true, '']")
	if got, want := m.String(), `F: [1, "a", null, true, ""]`; got != want {
		t.Errorf("list = %s, want %s", got, want)
	}
}

const fullRule = `title: Whoami Execution
id: 1c4cf6b2-63d4-4d1c-a0e1-5a0a2c4a8f10
name: whoami_execution
status: test
description: Detects whoami.
references:
    - https://example.org/a
    - https://example.org/b
author: A. Author, B. Author
date: 2024-01-02
modified: 2024-03-04
tags:
    - attack.discovery
    - attack.t1033
logsource:
    category: process_creation
    product: windows
    service: sysmon
    definition: 'Requirements: process creation logging'
detection:
    selection:
        Image|endswith: '\whoami.exe'
    condition: selection
fields:
    - CommandLine
falsepositives:
    - Admin activity
level: medium
related:
    - id: 0b2c8f5e-7c1e-4a3b-9e4d-2f6a1b3c5d7e
      type: derived
x_team: blue
`

func TestMetadata(t *testing.T) {
	t.Parallel()
	r := parseOne(t, fullRule)
	got := *r
	got.Selections, got.Condition = nil, nil
	want := rule.Rule{
		ID:             "1c4cf6b2-63d4-4d1c-a0e1-5a0a2c4a8f10",
		Name:           "whoami_execution",
		Title:          "Whoami Execution",
		Status:         "test",
		Description:    "Detects whoami.",
		References:     []string{"https://example.org/a", "https://example.org/b"},
		Author:         "A. Author, B. Author",
		Date:           "2024-01-02",
		Modified:       "2024-03-04",
		Tags:           []string{"attack.discovery", "attack.t1033"},
		Logsource:      rule.Logsource{Category: "process_creation", Product: "windows", Service: "sysmon", Definition: "Requirements: process creation logging", Pos: rule.Pos{File: "test.yml", Line: 15, Col: 1, Offset: -1}},
		FalsePositives: []string{"Admin activity"},
		Level:          rule.LevelMedium,
		Fields:         []string{"CommandLine"},
		Custom: map[string]any{
			"related": []any{map[string]any{"id": "0b2c8f5e-7c1e-4a3b-9e4d-2f6a1b3c5d7e", "type": "derived"}},
			"x_team":  "blue",
		},
		Pos: rule.Pos{File: "test.yml", Line: 1, Col: 1, Offset: -1},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if r.Key() != want.ID {
		t.Errorf("Key() = %q, want the id", r.Key())
	}
}

func TestMultipleDocuments(t *testing.T) {
	t.Parallel()
	src := `title: First
id: 00000000-0000-0000-0000-000000000001
logsource:
    product: windows
detection:
    selection:
        EventID: 1
    condition: selection
---
title: Second
id: 00000000-0000-0000-0000-000000000002
logsource:
    product: linux
detection:
    keywords:
        - 'sudo'
    condition: keywords
`
	set, err := sigma.Parse("multi.yml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Rules) != 2 || set.Files != 1 {
		t.Fatalf("got %d rules from %d files, want 2 from 1", len(set.Rules), set.Files)
	}
	for i, want := range []struct {
		id, product, cond string
		line              int
	}{
		{"00000000-0000-0000-0000-000000000001", "windows", "selection", 1},
		{"00000000-0000-0000-0000-000000000002", "linux", "keywords", 10},
	} {
		r := set.Rules[i]
		if r.ID != want.id || r.Logsource.Product != want.product || r.Condition.String() != want.cond || r.Pos.Line != want.line {
			t.Errorf("rule %d: id %s, product %s, condition %s, line %d; want %+v", i, r.ID, r.Logsource.Product, r.Condition, r.Pos.Line, want)
		}
	}
}

func TestFilter(t *testing.T) {
	t.Parallel()
	const head = `title: Exclude domain controllers
id: 7a1b2c3d-0000-4000-8000-000000000001
description: DCs run whoami in scripts
logsource:
    product: windows
filter:
    rules:
        - 1c4cf6b2-63d4-4d1c-a0e1-5a0a2c4a8f10
        - whoami_execution
    selection:
        ComputerName|startswith: 'DC'
    other:
        User: SYSTEM
`
	tests := []struct {
		cond string
		when string
	}{
		{"not selection", "selection"},
		{"selection", "not selection"},
		{"not selection and not other", "not (not selection and not other)"},
		{"not (selection or other)", "selection or other"},
	}
	for _, tt := range tests {
		t.Run(tt.cond, func(t *testing.T) {
			t.Parallel()
			set, err := sigma.Parse("filter.yml", []byte(head+"    condition: "+tt.cond+"\n"))
			if err != nil {
				t.Fatal(err)
			}
			if len(set.Rules) != 0 || len(set.Exclusions) != 1 {
				t.Fatalf("got %d rules and %d exclusions, want one exclusion", len(set.Rules), len(set.Exclusions))
			}
			x := set.Exclusions[0]
			if diff := cmp.Diff([]string{"1c4cf6b2-63d4-4d1c-a0e1-5a0a2c4a8f10", "whoami_execution"}, x.Rules); diff != "" {
				t.Errorf("Rules (-want +got):\n%s", diff)
			}
			if x.When == nil || x.When.String() != tt.when {
				t.Errorf("When = %v, want %s", x.When, tt.when)
			}
			if x.ID != "7a1b2c3d-0000-4000-8000-000000000001" || x.Title != "Exclude domain controllers" ||
				x.Reason != "DCs run whoami in scripts" || x.Logsource.Product != "windows" {
				t.Errorf("metadata: %+v", x)
			}
			var names []string
			for _, s := range x.Selections {
				names = append(names, s.Name)
			}
			if diff := cmp.Diff([]string{"selection", "other"}, names); diff != "" {
				t.Errorf("selections (-want +got):\n%s", diff)
			}
		})
	}
	// When the condition is "not selection", When is the selection reference
	// itself, not a double negation.
	set, _ := sigma.Parse("filter.yml", []byte(head+"    condition: not selection\n"))
	if ref, ok := set.Exclusions[0].When.(*rule.Ref); !ok || ref.Name != "selection" {
		t.Errorf("When = %#v, want the *rule.Ref to selection", set.Exclusions[0].When)
	}
}

func TestCorrelation(t *testing.T) {
	t.Parallel()
	src := `title: Many failed logons
id: 5e2d1c0b-0000-4000-8000-000000000002
name: many_failed_logons
level: high
correlation:
    type: event_count
    rules:
        - failed_logon
    group-by:
        - TargetUserName
        - IpAddress
    timespan: 5m
    condition:
        gte: 10
`
	set, err := sigma.Parse("corr.yml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Rules) != 0 || len(set.Correlations) != 1 {
		t.Fatalf("got %d rules and %d correlations, want one correlation", len(set.Rules), len(set.Correlations))
	}
	want := &rule.Correlation{
		ID:        "5e2d1c0b-0000-4000-8000-000000000002",
		Name:      "many_failed_logons",
		Title:     "Many failed logons",
		Level:     rule.LevelHigh,
		Type:      "event_count",
		Rules:     []string{"failed_logon"},
		GroupBy:   []string{"TargetUserName", "IpAddress"},
		Timespan:  "5m",
		Condition: map[string]any{"gte": 10},
		Pos:       rule.Pos{File: "corr.yml", Line: 1, Col: 1, Offset: -1},
	}
	if diff := cmp.Diff(want, set.Correlations[0]); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestRulesFilterCorrelationTogether reads the three kinds of documents from
// one file.
func TestRulesFilterCorrelationTogether(t *testing.T) {
	t.Parallel()
	src := fullRule + "---\n" + `title: f
logsource:
    product: windows
filter:
    rules: [whoami_execution]
    selection:
        User: SYSTEM
    condition: not selection
---
title: c
correlation:
    type: value_count
    rules: whoami_execution
    group-by: [ComputerName]
    timespan: 1h
    condition:
        field: User
        gte: 3
`
	set, err := sigma.Parse("all.yml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Rules) != 1 || len(set.Exclusions) != 1 || len(set.Correlations) != 1 {
		t.Fatalf("got %d/%d/%d rules/exclusions/correlations, want 1/1/1", len(set.Rules), len(set.Exclusions), len(set.Correlations))
	}
	if got := set.Correlations[0].Rules; len(got) != 1 || got[0] != "whoami_execution" {
		t.Errorf("a single rule name is a one-element list, got %q", got)
	}
}

// TestErrorRuleID checks that errors name the rule they belong to.
func TestErrorRuleID(t *testing.T) {
	t.Parallel()
	src := withDetection("    sel:\n        F|nope: x\n    condition: sel\n")
	src = strings.Replace(src, "title: t\n", "title: t\nid: 9f9f9f9f-0000-4000-8000-000000000003\n", 1)
	_, err := sigma.Parse("id.yml", []byte(src))
	var e *rule.Error
	if !errors.As(err, &e) {
		t.Fatalf("got %v, want a *rule.Error", err)
	}
	if e.RuleID != "9f9f9f9f-0000-4000-8000-000000000003" || e.Code != rule.ErrModifier {
		t.Errorf("got %s error for rule %q", e.Code, e.RuleID)
	}
	if got, want := e.Error(), `id.yml:7:11: unknown modifier "nope"`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func ExampleParse() {
	src := `title: Whoami
logsource:
    product: windows
detection:
    selection:
        Image|endswith: '\whoami.exe'
    filter:
        User: SYSTEM
    condition: selection and not filter
`
	set, err := sigma.Parse("whoami.yml", []byte(src))
	if err != nil {
		fmt.Println(err)
		return
	}
	r := set.Rules[0]
	fmt.Println(r.Condition)
	for _, s := range r.Selections {
		fmt.Printf("%s at %v: %v\n", s.Name, s.Pos, s.Expr)
	}
	// Output:
	// selection and not filter
	// selection at whoami.yml:5:5: Image|endswith: "\\whoami.exe"
	// filter at whoami.yml:7:5: User: "SYSTEM"
}

func ExampleParse_error() {
	src := `title: Whoami
logsource:
    product: windows
detection:
    selection:
        Image|endwith: '\whoami.exe'
    condition: selection
`
	_, err := sigma.Parse("whoami.yml", []byte(src))
	var errs rule.ErrorList
	if errors.As(err, &errs) {
		for _, e := range errs {
			fmt.Println(e.Code)
			fmt.Println(e.Detail())
		}
	}
	// Output:
	// modifier
	// whoami.yml:6:15: unknown modifier "endwith"; did you mean "endswith"?
	//  |         Image|endwith: '\whoami.exe'
	//  |               ^
}

func TestFilterExpires(t *testing.T) {
	src := "title: Updater\nexpires: 2027-01-31\nlogsource: {product: windows}\nfilter:\n  rules: [abc]\n  selection:\n    Image|endswith: '\\updater.exe'\n  condition: not selection\n"
	set, err := sigma.Parse("f.yml", []byte(src))
	if err != nil || len(set.Exclusions) != 1 || set.Exclusions[0].Expires != "2027-01-31" {
		t.Fatalf("expires not read: %v %+v", err, set)
	}
	_, err = sigma.Parse("f.yml", []byte(strings.Replace(src, "2027-01-31", "soon", 1)))
	var el rule.ErrorList
	if !errors.As(err, &el) || len(el) != 1 || el[0].Code != rule.ErrValue || el[0].Pos.Line != 2 {
		t.Errorf("bad expires: %v, want a value error on line 2", err)
	}
}
