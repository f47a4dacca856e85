package learn

import (
	"strings"
	"testing"

	"github.com/tanchi-dev/tanchi/engine"
	"github.com/tanchi-dev/tanchi/rule"
)

// generalizeAll runs the values of one field through the pattern machinery
// the way a group does and returns the rendered value and description.
func generalizeAll(t *testing.T, field string, values ...string) (string, string) {
	t.Helper()
	var tmpl template
	var slots []slotState
	for i, v := range values {
		user := ""
		if strings.Contains(v, "j.doe") {
			user = "J.Doe"
		}
		tp, s := generalize(field, v, user)
		if i == 0 {
			tmpl = cloneTemplate(tp)
			slots = make([]slotState, len(s))
		} else if tp.key() != tmpl.key() {
			t.Fatalf("%q and %q generalise differently:\n%q\n%q", values[0], v, tmpl.key(), tp.key())
		}
		for j, l := range tp.lits {
			tmpl.lits[j] = min(tmpl.lits[j], l) // as group.canonical does
		}
		for j, x := range s {
			slots[j].add(x, tp.kinds[j].volatile(x))
		}
	}
	value, desc, _, _ := render(&tmpl, tmpl.lits, slots, false)
	return value, desc
}

func TestGeneralize(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, field string
		values      []string
		want, desc  string
	}{
		{
			name:   "user profile folders",
			field:  "Image",
			values: []string{`C:\Users\anna.k\AppData\Local\Northwind\NwUpdater\NwUpdater.exe`, `C:\Users\ben.x\AppData\Local\Northwind\NwUpdater\NwUpdater.exe`},
			want:   `C:\Users\\*\AppData\Local\Northwind\NwUpdater\NwUpdater.exe`, // a backslash before a wildcard is doubled
			desc:   `C:\Users\<user>\AppData\Local\Northwind\NwUpdater\NwUpdater.exe`,
		},
		{
			name:   "a stable profile stays",
			field:  "Image",
			values: []string{`C:\Users\anna.k\tool.exe`, `C:\USERS\anna.k\tool.exe`},
			want:   `C:\USERS\anna.k\tool.exe`,
		},
		{
			name:   "public profile is not a user",
			field:  "Image",
			values: []string{`C:\Users\Public\x.exe`},
			want:   `C:\Users\Public\x.exe`,
		},
		{
			name:   "GUIDs",
			field:  "CommandLine",
			values: []string{`schtasks /TN "Cleanup {83C27942-815A-4815-9B27-5641F1A6E248}"`, `schtasks /TN "Cleanup {01234567-89AB-4CDE-8F01-23456789ABCD}"`},
			want:   `schtasks /TN "Cleanup {*}"`,
			desc:   `schtasks /TN "Cleanup {<guid>}"`,
		},
		{
			name:   "temporary names with digits",
			field:  "TargetFilename",
			values: []string{`C:\Windows\Temp\nwupd_1a2b3c4d\setup.exe`, `C:\Windows\Temp\nwupd_99f0e1aa\setup.exe`},
			want:   `C:\Windows\Temp\nwupd_*\setup.exe`,
			desc:   `C:\Windows\Temp\nwupd_<hex>\setup.exe`,
		},
		{
			name:   "temporary names without digits",
			field:  "Image",
			values: []string{`C:\Windows\Temp\is-KQPRT.tmp\setup.tmp`, `C:\Windows\Temp\is-ABCDE.tmp\setup.tmp`},
			want:   `C:\Windows\Temp\\*.tmp\setup.tmp`,
		},
		{
			name:   "version numbers in paths",
			field:  "Image",
			values: []string{`C:\ProgramData\Microsoft\Windows Defender\Platform\4.18.24010.12-0\MpCmdRun.exe`, `C:\ProgramData\Microsoft\Windows Defender\Platform\4.18.24030.9-0\MpCmdRun.exe`},
			want:   `C:\ProgramData\Microsoft\Windows Defender\Platform\\*-0\MpCmdRun.exe`,
			desc:   `C:\ProgramData\Microsoft\Windows Defender\Platform\<ver>-0\MpCmdRun.exe`,
		},
		{
			name:   "a version is a wildcard even when constant",
			field:  "CommandLine",
			values: []string{`msiexec /i NwCollab-3.4.1-x64.msi /qn`, `msiexec /i NwCollab-3.4.1-x64.msi /qn`},
			want:   `msiexec /i NwCollab-*-x64.msi /qn`,
		},
		{
			name:   "a constant address stays",
			field:  "CommandLine",
			values: []string{`net use \\10.20.0.5\share`, `net use \\10.20.0.5\share`},
			want:   `net use \\\10.20.0.5\share`,
		},
		{
			name:   "a constant short token stays",
			field:  "GrantedAccess",
			values: []string{`0x1fffff`, `0x1fffff`},
			want:   `0x1fffff`,
		},
		{
			name:   "hex tokens without digits",
			field:  "CommandLine",
			values: []string{`export_20260305_bfabac.csv`, `export_20260306_3c9e1a.csv`},
			want:   `export_*_*.csv`,
		},
		{
			name:   "hex tokens",
			field:  "CommandLine",
			values: []string{`MsiExec.exe -Embedding 4F1C2B9A0D3E5F6071829AB3C4D5E6F7 E Global\MSI0000`, `MsiExec.exe -Embedding 0A1B2C3D4E5F60718293A4B5C6D7E8F9 E Global\MSI0000`},
			want:   `MsiExec.exe -Embedding * E Global\MSI0000`,
		},
		{
			name:   "random tokens and base64",
			field:  "CommandLine",
			values: []string{`powershell.exe -NoProfile -EncodedCommand SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAA=`, `powershell.exe -NoProfile -EncodedCommand JABqAD0AJwA5AGYAYgAzADAAZgAxAGMAJwA7AA==`},
			want:   `powershell.exe -NoProfile -EncodedCommand *`,
			desc:   `powershell.exe -NoProfile -EncodedCommand <b64>`,
		},
		{
			name:   "process ids",
			field:  "CommandLine",
			values: []string{`C:\Windows\system32\WerFault.exe -u -p 4312 -s 1208`, `C:\Windows\system32\WerFault.exe -u -p 10044 -s 932`},
			want:   `C:\Windows\system32\WerFault.exe -u -p * -s *`,
			desc:   `C:\Windows\system32\WerFault.exe -u -p <n> -s <n>`,
		},
		{
			name:   "times of day",
			field:  "CommandLine",
			values: []string{`schtasks /Create /SC DAILY /ST 03:31 /TN x`, `schtasks /Create /SC DAILY /ST 03:42 /TN x`},
			want:   `schtasks /Create /SC DAILY /ST * /TN x`,
		},
		{
			name:   "user fields",
			field:  "User",
			values: []string{`CORP\a.adams`, `CORP\b.brandt`},
			want:   `CORP\\*`,
			desc:   `CORP\<user>`,
		},
		{
			name:   "a stable user stays",
			field:  "User",
			values: []string{`NT AUTHORITY\SYSTEM`, `NT AUTHORITY\SYSTEM`},
			want:   `NT AUTHORITY\SYSTEM`,
		},
		{
			name:   "the event's own user name",
			field:  "CommandLine",
			values: []string{`net use H: \\SRV-FS01\home$\j.doe /persistent:no`, `net use H: \\SRV-FS01\home$\j.doe /persistent:no`},
			want:   `net use H: \\\SRV-FS01\home$\j.doe /persistent:no`,
			desc:   `net use H: \\SRV-FS01\home$\j.doe /persistent:no`,
		},
		{
			name:   "words are not tokens",
			field:  "CommandLine",
			values: []string{`cmd /c "gpupdate /force"`},
			want:   `cmd /c "gpupdate /force"`,
		},
		{
			name:   "literal wildcards and backslashes are escaped",
			field:  "CommandLine",
			values: []string{`/l*v "C:\Windows\Temp\x?.log" \\SRV-FS01\deploy$`},
			want:   `/l\*v "C:\Windows\Temp\x\?.log" \\\SRV-FS01\deploy$`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, desc := generalizeAll(t, tc.field, tc.values...)
			if got != tc.want {
				t.Errorf("value = %s\n want   %s", got, tc.want)
			}
			if tc.desc != "" && desc != tc.desc {
				t.Errorf("description = %s\n want         %s", desc, tc.desc)
			}
			// The value must match every input in the engine, which reads
			// it as Sigma does.
			for _, v := range tc.values {
				if !engineMatches(t, tc.field, got, v) {
					t.Errorf("the engine does not match %q against the value %s", v, got)
				}
			}
		})
	}
}

// engineMatches compiles field: value as a one-field rule and matches it
// against an event with field set to eventValue.
func engineMatches(t *testing.T, field, value, eventValue string) bool {
	t.Helper()
	m := &rule.Match{Field: field, Op: rule.OpEq, Values: []rule.Value{{Kind: rule.String, S: value}}}
	r := &rule.Rule{ID: "x", Title: "x", Selections: []*rule.Selection{{Name: "sel", Expr: m}}, Condition: &rule.Ref{Name: "sel"}}
	eng, err := engine.Compile([]*rule.Rule{r})
	if err != nil {
		t.Fatal(err)
	}
	ev := engine.NewEvent(map[string]engine.Value{field: engine.Str(eventValue)})
	return len(eng.Match(ev)) == 1
}

// TestEscapeSigma checks the escaping of literal text against the engine:
// every string must match exactly itself.
func TestEscapeSigma(t *testing.T) {
	t.Parallel()
	for _, s := range []string{
		`C:\Windows\System32\cmd.exe`, `\\server\share`, `a*b?c`, `ends with \`, `\*`, `\\*`, `x\\\y`, `?`, `*`,
		`C:\Users\*\AppData`, `\?\`, `"quoted \" text"`,
	} {
		v := escapeSigma(s)
		if !engineMatches(t, "F", v, s) {
			t.Errorf("escapeSigma(%q) = %q does not match its input", s, v)
		}
		if strings.ContainsAny(s, "*?") && engineMatches(t, "F", v, strings.NewReplacer("*", "XX", "?", "Y").Replace(s)) {
			t.Errorf("escapeSigma(%q) = %q still has wildcards", s, v)
		}
	}
}

// TestGeneralizeOwnUser: the event's own user name is a slot wherever it
// stands as a word, so everyone's home drive mapping is one pattern.
func TestGeneralizeOwnUser(t *testing.T) {
	t.Parallel()
	a, sa := generalize("CommandLine", `net use H: \\SRV-FS01\home$\a.adams /persistent:no`, "a.adams")
	b, sb := generalize("CommandLine", `net use H: \\SRV-FS01\home$\b.brandt /persistent:no`, "B.Brandt")
	if a.key() != b.key() || len(sa) != 1 || sa[0] != "a.adams" || sb[0] != "b.brandt" {
		t.Errorf("templates %q / %q, slots %q / %q", a.key(), b.key(), sa, sb)
	}
	// Not inside another word.
	if _, s := generalize("CommandLine", `net localgroup administrators`, "admin"); len(s) != 0 {
		t.Errorf("slots %q in a word that merely contains the user name", s)
	}
}
