package engine_test

import (
	"testing"
	"time"

	"github.com/tanchi-dev/tanchi/engine"
	"github.com/tanchi-dev/tanchi/rule"
	"github.com/tanchi-dev/tanchi/rule/sigma"
)

const exclusionRules = `title: Shell from Office
id: 7d0c8c3e-5b1e-4a50-9f39-4f4b8e1f2a01
tags: [attack.execution]
logsource: {product: windows, category: process_creation}
detection:
  sel:
    ParentImage|endswith: '\winword.exe'
    Image|endswith: '\cmd.exe'
  condition: sel
---
title: Addin installer runs cmd
filter:
  rules: [7d0c8c3e-5b1e-4a50-9f39-4f4b8e1f2a01]
  selection:
    CommandLine|contains: 'AddinSetup'
  condition: not selection
`

func TestExclusions(t *testing.T) {
	set, err := sigma.Parse("x.yml", []byte(exclusionRules))
	if err != nil {
		t.Fatal(err)
	}
	benign, _ := engine.ParseJSON([]byte(`{"ParentImage":"C:\\Office\\WINWORD.EXE","Image":"C:\\Windows\\System32\\cmd.exe","CommandLine":"cmd /c AddinSetup.bat"}`))
	evil, _ := engine.ParseJSON([]byte(`{"ParentImage":"C:\\Office\\WINWORD.EXE","Image":"C:\\Windows\\System32\\cmd.exe","CommandLine":"cmd /c whoami"}`))
	day := func(s string) func() time.Time {
		return func() time.Time { t, _ := time.Parse(time.DateOnly, s); return t.Add(13 * time.Hour) }
	}
	for _, tc := range []struct {
		name       string
		edit       func(x *rule.Exclusion)
		now        string
		suppressed bool
	}{
		{"sigma filter by rule id", func(*rule.Exclusion) {}, "2026-11-27", true},
		{"by tag", func(x *rule.Exclusion) { x.Rules, x.Tags = nil, []string{"ATTACK.Execution"} }, "2026-11-27", true},
		{"all rules", func(x *rule.Exclusion) { x.Rules, x.AllRules = nil, true }, "2026-11-27", true},
		{"other rule", func(x *rule.Exclusion) { x.Rules = []string{"some-other-id"} }, "2026-11-27", false},
		{"expires later", func(x *rule.Exclusion) { x.Expires = "2026-12-31" }, "2026-11-27", true},
		{"expires today", func(x *rule.Exclusion) { x.Expires = "2026-11-27" }, "2026-11-27", true},
		{"expired", func(x *rule.Exclusion) { x.Expires = "2026-11-26" }, "2026-11-27", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x := *set.Exclusions[0]
			tc.edit(&x)
			eng, err := engine.Compile(set.Rules, engine.WithExclusions([]*rule.Exclusion{&x}), engine.WithClock(day(tc.now)))
			if err != nil {
				t.Fatal(err)
			}
			all := eng.MatchAll(benign)
			if len(all) != 1 {
				t.Fatalf("MatchAll: %d matches, want 1 (suppressed matches are kept)", len(all))
			}
			if got := all[0].SuppressedBy != nil; got != tc.suppressed {
				t.Errorf("suppressed = %v, want %v", got, tc.suppressed)
			}
			if n := len(eng.Match(benign)); (n == 0) != tc.suppressed {
				t.Errorf("Match returned %d matches; suppressed=%v", n, tc.suppressed)
			}
			if ms := eng.MatchAll(evil); len(ms) != 1 || ms[0].SuppressedBy != nil {
				t.Errorf("the exclusion must not touch the attack: %+v", ms)
			}
		})
	}
	bad := *set.Exclusions[0]
	bad.Expires = "next week"
	if _, err := engine.Compile(set.Rules, engine.WithExclusions([]*rule.Exclusion{&bad})); err == nil {
		t.Error("a bad expiry date compiled")
	}
}
