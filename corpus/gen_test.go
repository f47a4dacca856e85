package corpus

import (
	"encoding/json"
	"fmt"
	"strings"
)

// genEvent returns an evtx-like event of about 1 KB, varied by i.
func genEvent(i int) map[string]any {
	return map[string]any{"Event": map[string]any{
		"System": map[string]any{
			"Provider":      map[string]any{"Name": "Microsoft-Windows-Sysmon", "Guid": "5770385F-C22A-43E0-BF4C-06F5698FFBD9"},
			"EventID":       1,
			"Version":       5,
			"Level":         4,
			"Task":          1,
			"Keywords":      "0x8000000000000000",
			"TimeCreated":   map[string]any{"SystemTime": fmt.Sprintf("2024-03-01T10:%02d:%02d.%07dZ", i/60%60, i%60, i)},
			"EventRecordID": 100000 + i,
			"Execution":     map[string]any{"ProcessID": 3544, "ThreadID": 4272},
			"Channel":       "Microsoft-Windows-Sysmon/Operational",
			"Computer":      "WKS-0042.corp.example.com",
			"Security":      map[string]any{"UserID": "S-1-5-18"},
		},
		"EventData": map[string]any{
			"RuleName":          "-",
			"UtcTime":           "2024-03-01 10:00:00.123",
			"ProcessGuid":       "{6AD52B32-1A2B-65E1-3C04-000000000A00}",
			"ProcessId":         7000 + i%1000,
			"Image":             `C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`,
			"FileVersion":       "10.0.19041.546 (WinBuild.160101.0800)",
			"Description":       "Windows PowerShell",
			"Product":           "Microsoft® Windows® Operating System",
			"Company":           "Microsoft Corporation",
			"OriginalFileName":  "PowerShell.EXE",
			"CommandLine":       fmt.Sprintf(`powershell.exe -NoProfile -ExecutionPolicy Bypass -Command "Get-Process | Where-Object {$_.Id -eq %d}" `, i),
			"CurrentDirectory":  `C:\Users\alice\`,
			"User":              `CORP\alice`,
			"LogonGuid":         "{6AD52B32-1A2B-65E1-0000-0020E7030000}",
			"LogonId":           "0x3e7",
			"IntegrityLevel":    "High",
			"Hashes":            "SHA256=DE96A6E69944335375DC1AC238336066889D9FFC7D73628EF4FE1B1B160AB32C",
			"ParentProcessGuid": "{6AD52B32-1A2B-65E1-2A04-000000000A00}",
			"ParentProcessId":   6000,
			"ParentImage":       `C:\Windows\System32\cmd.exe`,
			"ParentCommandLine": `"C:\Windows\system32\cmd.exe" /c run.bat`,
		},
	}}
}

// genJSONL returns n events, one per line.
func genJSONL(n int) []byte {
	var b []byte
	for i := range n {
		line, _ := json.Marshal(genEvent(i))
		b = append(append(b, line...), '\n')
	}
	return b
}

// genPretty returns n events pretty-printed one after another, as in SigmaHQ's
// regression data.
func genPretty(n int) []byte {
	var b strings.Builder
	for i := range n {
		out, _ := json.MarshalIndent(genEvent(i), "", "  ")
		b.Write(out)
		b.WriteByte('\n')
	}
	return []byte(b.String())
}
