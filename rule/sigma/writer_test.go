package sigma_test

import (
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tanchi-dev/tanchi/dsl"
	"github.com/tanchi-dev/tanchi/internal/sharedtest"
	"github.com/tanchi-dev/tanchi/rule"
	"github.com/tanchi-dev/tanchi/rule/sigma"
)

var writerOpts = []cmp.Option{
	cmpopts.IgnoreTypes(rule.Pos{}),
	cmpopts.EquateEmpty(),
	cmpopts.IgnoreFields(rule.Set{}, "Files"),
}

// TestMarshalRoundTrip writes every SigmaHQ rule back as YAML: reading the
// output gives the same model.
func TestMarshalRoundTrip(t *testing.T) {
	dir := sharedtest.Path(t, "sigma")
	n := 0
	for _, d := range []string{"rules", "rules-emerging-threats", "rules-threat-hunting"} {
		filepath.WalkDir(filepath.Join(dir, d), func(p string, de fs.DirEntry, err error) error {
			if err != nil || de.IsDir() || !sigma.IsRuleFile(p) {
				return nil
			}
			n++
			set, err := sigma.ParseFile(p)
			if err != nil {
				t.Errorf("%s: %v", p, err)
				return nil
			}
			out, err := sigma.Marshal(set)
			if err != nil {
				t.Errorf("%s: Marshal: %v", p, err)
				return nil
			}
			back, err := sigma.Parse(p, out)
			if err != nil {
				t.Errorf("%s: output does not read back: %v\n%s", p, err, out)
				return nil
			}
			if d := cmp.Diff(set, back, writerOpts...); d != "" {
				t.Errorf("%s: model differs after writing (-read +written):\n%s", p, d)
			}
			return nil
		})
	}
	if n < 3000 {
		t.Fatalf("found only %d rule files", n)
	}
}

func TestMarshal(t *testing.T) {
	tests := []struct {
		name, dsl, want string
	}{
		{
			name: "rule",
			dsl: "rule \"Encoded PowerShell\" {\n" +
				"  id \"8b1a5c1e-1d52-4f0e-9a53-0c9f1b7b2f11\"\n" +
				"  level high\n" +
				"  tags attack.execution\n" +
				"  logsource product=windows category=process_creation\n" +
				"  action kill_process\n" +
				"  ps = Image endswith (`\\powershell.exe`, `\\pwsh.exe`) or OriginalFileName == \"PowerShell.EXE\"\n" +
				"  enc = CommandLine contains windash(\"-enc \")\n" +
				"  condition ps and enc\n" +
				"}\n",
			want: `title: Encoded PowerShell
id: 8b1a5c1e-1d52-4f0e-9a53-0c9f1b7b2f11
tags:
    - attack.execution
logsource:
    product: windows
    category: process_creation
detection:
    ps:
        - Image|endswith:
            - '\powershell.exe'
            - '\pwsh.exe'
        - OriginalFileName: 'PowerShell.EXE'
    enc:
        CommandLine|windash|contains: '-enc '
    condition: ps and enc
level: high
actions:
    - kill_process
`,
		},
		{
			name: "inline comparisons and macros become selections",
			dsl: "macro office = ParentImage endswith (`\\winword.exe`, `\\excel.exe`)\n" +
				"rule \"Office shell\" {\n" +
				"  id \"r1\"\n" +
				"  logsource category=process_creation\n" +
				"  filter_a = User == \"SYSTEM\"\n" +
				"  condition office and Image endswith `\\cmd.exe` and not 1 of filter_*\n" +
				"}\n",
			want: `title: Office shell
id: r1
logsource:
    category: process_creation
detection:
    filter_a:
        User: 'SYSTEM'
    inline_1:
        ParentImage|endswith:
            - '\winword.exe'
            - '\excel.exe'
    inline_2:
        Image|endswith: '\cmd.exe'
    condition: inline_1 and inline_2 and not 1 of filter_*
`,
		},
		{
			name: "selection with nested or becomes a list of maps",
			dsl: "rule \"x\" {\n  logsource product=linux\n" +
				"  sel = Image endswith \"/sh\" and (CommandLine contains \"-c\" or CommandLine contains \"-i\")\n" +
				"  condition sel\n}\n",
			want: `title: x
logsource:
    product: linux
detection:
    sel:
        - Image|endswith: '/sh'
          CommandLine|contains: '-c'
        - Image|endswith: '/sh'
          CommandLine|contains: '-i'
    condition: sel
`,
		},
		{
			name: "exclude becomes a filter",
			dsl: "exclude \"SCCM\" {\n  id \"x1\"\n  rules \"r1\", \"r2\"\n  reason \"config management\"\n  author \"soc\"\n" +
				"  when ParentImage endswith `\\CcmExec.exe`\n}\n",
			want: `title: SCCM
id: x1
description: config management
author: soc
filter:
    rules:
        - r1
        - r2
    selection:
        ParentImage|endswith: '\CcmExec.exe'
    condition: not selection
`,
		},
		{
			name: "keywords, numbers, null, exists",
			dsl: "rule \"k\" {\n  logsource product=windows\n" +
				"  k = keywords (\"mimikatz\", \"sekurlsa\")\n" +
				"  e = EventID in (4688, 1) and Hashes == null and Foo not exists\n" +
				"  condition k or e\n}\n",
			want: `title: k
logsource:
    product: windows
detection:
    k:
        - 'mimikatz'
        - 'sekurlsa'
    e:
        EventID:
            - 4688
            - 1
        Hashes: null
        Foo|exists: false
    condition: k or e
`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			set, err := dsl.Parse("t.tdl", []byte(tc.dsl))
			if err != nil {
				t.Fatal(err)
			}
			got, err := sigma.Marshal(set)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, string(got)); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
			back, err := sigma.Parse("back.yml", got)
			if err != nil {
				t.Fatalf("output does not read back: %v", err)
			}
			if len(back.Rules)+len(back.Exclusions) != len(set.Rules)+len(set.Exclusions) {
				t.Errorf("read back %d rules and %d exclusions", len(back.Rules), len(back.Exclusions))
			}
		})
	}
}

func TestMarshalErrors(t *testing.T) {
	tests := []struct {
		name, dsl, want string
	}{
		{"raw CEL", "rule \"c\" {\n  logsource product=x\n  condition cel `ev == ev`\n}\n",
			"t.tdl:3:18: raw CEL (cel \"ev == ev\") cannot be written in Sigma"},
		{"exclude by tag", "exclude \"t\" {\n  tags attack.execution\n  when User == \"x\"\n}\n",
			"t.tdl:1:1: exclusion \"t\" is scoped by tags (attack.execution), which a Sigma filter cannot say: name the rules"},
		{"exclude every rule", "exclude \"a\" {\n  rules *\n  when User == \"x\"\n}\n",
			"t.tdl:1:1: exclusion \"a\" applies to every rule (rules *), which a Sigma filter cannot say: name the rules"},
		{"same key twice", "rule \"d\" {\n  logsource product=x\n  s = CommandLine contains \"a\" and CommandLine contains \"b\"\n  condition s\n}\n",
			"t.tdl:3:36: selection s compares CommandLine|contains twice under one and, which one Sigma field map cannot say: split it into two selections"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			set, err := dsl.Parse("t.tdl", []byte(tc.dsl))
			if err != nil {
				t.Fatal(err)
			}
			_, err = sigma.Marshal(set)
			var el rule.ErrorList
			if !errors.As(err, &el) {
				t.Fatalf("got %v, want a rule.ErrorList", err)
			}
			var msgs []string
			for _, e := range el {
				if e.Code != rule.ErrUnsupported {
					t.Errorf("code %s, want %s", e.Code, rule.ErrUnsupported)
				}
				msgs = append(msgs, e.Error())
			}
			if got := strings.Join(msgs, "\n"); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

// An exclusion's expiry survives the trip through Sigma (as the filter
// attribute expires, which tanchi's reader reads back).
func TestMarshalExpiry(t *testing.T) {
	set, err := dsl.Parse("t.tdl", []byte("exclude \"e\" {\n  rules \"r\"\n  reason \"updater\"\n  expires 2030-01-01\n  when User == \"x\"\n}\n"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := sigma.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	back, err := sigma.Parse("back.yml", out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(back.Exclusions) != 1 || back.Exclusions[0].Expires != "2030-01-01" {
		t.Errorf("expiry lost:\n%s", out)
	}
}
