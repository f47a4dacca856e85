package aho

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// Pieces of Windows command lines, for sets of literals and texts that look
// like Sigma's CommandLine fragments and the process-creation events they
// are searched in.
var (
	cmdTools = []string{"certutil", "powershell", "pwsh", "rundll32", "regsvr32", "mshta", "wmic", "bitsadmin",
		"schtasks", "reg", "net", "net1", "cmd", "cscript", "wscript", "msiexec", "vssadmin", "bcdedit", "wevtutil",
		"nltest", "dsquery", "whoami", "tasklist", "taskkill", "sc", "at", "curl", "wget", "procdump", "sqlcmd",
		"installutil", "msbuild", "odbcconf", "forfiles", "pcalua", "esentutl", "expand", "extrac32", "findstr"}
	cmdFlags = []string{" -enc ", " -encodedcommand ", " /c ", " /k ", " -urlcache ", " -split ", " -f ", " -nop ",
		" -noprofile ", " -w hidden", " -windowstyle hidden ", " -ep bypass ", " -executionpolicy bypass", " /create ",
		" /sc minute ", " /tn ", " /tr ", " /ru system", " -decode ", " /transfer ", " delete shadows ", " /all /quiet",
		" add ", " query ", " /v ", " /t reg_sz ", " /d ", " /f", " -ma ", " /i:", " /s ", " /u ", " -accepteula ",
		" process call create ", " shadowcopy delete", " /node:", " -n ", " ping -n ", " localgroup administrators ",
		" user /add", " /domain", " domain_trusts", " --headless ", " -o ", " --output "}
	cmdWords = []string{"invoke-expression", "iex(", "downloadstring(", "downloadfile(", "frombase64string(",
		"new-object net.webclient", "net.webclient", "invoke-webrequest", "start-process", "set-mppreference",
		"add-mppreference", "-exclusionpath", "disablerealtimemonitoring", "invoke-mimikatz", "sekurlsa::logonpasswords",
		"lsass", "comsvcs.dll", "minidump", "javascript:", "vbscript:", "http://", "https://", "\\\\127.0.0.1\\",
		"ntds.dit", "\\system32\\config\\sam", "hklm\\sam", "hklm\\system", "currentversion\\run", "image file execution options",
		"debugger", "-sta", "bypass", "hidden", "getobject(", "scrobj.dll", "dllregisterserver", "shell32.dll,control_rundll",
		"advpack.dll", "zipfldr.dll", "url.dll,fileprotocolhandler", "pcwutl.dll", "setupapi.dll", "ieadvpack.dll"}
	cmdPaths = []string{"\\appdata\\local\\temp\\", "\\appdata\\roaming\\", "\\windows\\system32\\", "\\windows\\syswow64\\",
		"\\users\\public\\", "c:\\programdata\\", "\\windows\\temp\\", "\\perflogs\\", "\\$recycle.bin\\", "\\desktop\\",
		"\\downloads\\", "\\microsoft\\windows\\start menu\\programs\\startup\\", "c:\\windows\\", "\\program files\\",
		"\\program files (x86)\\", "\\windows\\tasks\\", "\\spool\\drivers\\color\\", "\\windows\\debug\\", "%temp%\\", "%appdata%\\"}
	cmdExts  = []string{".exe", ".dll", ".ps1", ".bat", ".vbs", ".js", ".hta", ".lnk", ".zip", ".7z", ".dmp", ".txt", ".dat", ".tmp", ".cpl", ".scr"}
	cmdAlpha = "abcdefghijklmnopqrstuvwxyz0123456789"
)

func cmdPick(r *rand.Rand, s []string) string { return s[r.IntN(len(s))] }

func cmdRand(r *rand.Rand, alpha string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alpha[r.IntN(len(alpha))]
	}
	return string(b)
}

func cmdGUID(r *rand.Rand) string {
	const hex = "0123456789abcdef"
	return "{" + cmdRand(r, hex, 8) + "-" + cmdRand(r, hex, 4) + "-" + cmdRand(r, hex, 4) + "-" + cmdRand(r, hex, 4) + "-" + cmdRand(r, hex, 12) + "}"
}

// cmdLits returns n distinct lower-case literals like Sigma's CommandLine
// fragments: tool names, flags, paths, script calls, GUIDs and hashes, file
// names; most of 4 to 40 bytes, some longer, a few shorter.
func cmdLits(n int, seed uint64) []string {
	r := rand.New(rand.NewPCG(seed, 1))
	seen := map[string]bool{}
	var lits []string
	for len(lits) < n {
		var l string
		switch r.IntN(12) {
		case 0:
			l = cmdPick(r, cmdTools) + cmdPick(r, []string{".exe", " ", ".exe ", "\""})
		case 1:
			l = cmdPick(r, cmdFlags)
			if r.IntN(2) == 0 {
				l = cmdPick(r, cmdTools) + l
			}
		case 2:
			l = cmdPick(r, cmdWords)
			if r.IntN(2) == 0 {
				l += cmdPick(r, []string{"'", "\"", " ", "('http", " -"})
			}
		case 3:
			l = cmdPick(r, cmdPaths)
			if r.IntN(3) > 0 {
				l += cmdRand(r, cmdAlpha, 2+r.IntN(10)) + cmdPick(r, cmdExts)
			}
		case 4:
			l = "\\" + cmdRand(r, cmdAlpha, 3+r.IntN(12)) + cmdPick(r, cmdExts)
		case 5:
			l = cmdRand(r, cmdAlpha, 3+r.IntN(12)) + cmdPick(r, cmdExts)
		case 6:
			l = cmdGUID(r)
			if r.IntN(2) == 0 {
				l = l[1 : len(l)-1]
			}
		case 7:
			l = cmdRand(r, "0123456789abcdef", []int{32, 40, 64}[r.IntN(3)])
		case 8:
			l = cmdPick(r, cmdTools) + cmdPick(r, cmdFlags) + cmdPick(r, cmdWords)
		case 9:
			l = cmdRand(r, cmdAlpha+"-_", 4+r.IntN(4))
		case 10:
			l = cmdPick(r, cmdFlags) + cmdRand(r, cmdAlpha, 1+r.IntN(6))
		case 11:
			l = cmdPick(r, cmdPaths) + cmdPick(r, cmdTools) + ".exe" + cmdPick(r, cmdFlags)
		}
		if r.IntN(60) == 0 && len(l) > 3 {
			l = l[len(l)-3:]
		}
		if len(l) > 100 {
			l = l[:100]
		}
		if l == "" || seen[l] {
			continue
		}
		seen[l] = true
		lits = append(lits, l)
	}
	return lits
}

// cmdTexts returns n command lines of 100 bytes to 4 KB in mixed case:
// an executable's path, flags, paths, GUIDs, numbers and base64 blobs, now
// and then one of lits.
func cmdTexts(n int, lits []string, seed uint64) []string {
	r := rand.New(rand.NewPCG(seed, 2))
	const b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	texts := make([]string, n)
	for i := range texts {
		size := 100 + int(float64(4000)*r.Float64()*r.Float64()*r.Float64())
		var b strings.Builder
		b.WriteString(cmdPick(r, []string{"\"C:\\Windows\\System32\\", "C:\\Windows\\SysWOW64\\", "\"C:\\Program Files\\" + cmdRand(r, cmdAlpha, 6) + "\\", ""}))
		b.WriteString(cmdPick(r, cmdTools) + ".exe\"")
		for b.Len() < size {
			switch r.IntN(9) {
			case 0, 1:
				b.WriteString(cmdPick(r, cmdFlags))
			case 2:
				b.WriteString(" \"C:\\Users\\" + cmdRand(r, cmdAlpha, 5) + cmdPick(r, cmdPaths) + cmdRand(r, cmdAlpha, 8) + cmdPick(r, cmdExts) + "\"")
			case 3:
				b.WriteString(" " + strings.ToUpper(cmdGUID(r)))
			case 4:
				b.WriteString(" " + cmdRand(r, b64, 20+r.IntN(400)) + "==")
			case 5:
				fmt.Fprintf(&b, " %d 0x%x", r.IntN(100000), r.Uint32())
			case 6:
				b.WriteString(" " + cmdRand(r, cmdAlpha, 2+r.IntN(10)) + "=" + cmdRand(r, cmdAlpha, 2+r.IntN(20)))
			case 7:
				b.WriteString(" " + cmdPick(r, cmdWords))
			case 8:
				if r.IntN(4) == 0 {
					b.WriteString(" " + lits[r.IntN(len(lits))])
				} else {
					b.WriteString(" " + cmdPick(r, cmdTools))
				}
			}
		}
		t := []byte(b.String())
		// Mixed case: whole words in upper case, or title case.
		for j := range t {
			if r.IntN(7) == 0 && 'a' <= t[j] && t[j] <= 'z' {
				t[j] -= 'a' - 'A'
			}
		}
		texts[i] = string(t)
	}
	return texts
}

// cmdLitsN is the size of the CommandLine-like set: about as many literals
// as SigmaHQ's rules search the CommandLine field for.
const cmdLitsN = 4000

// BenchmarkScanCmdLine scans command lines of 100 B to 4 KB for a set of
// CommandLine-like literals, with ScanLower, as the engine does.
func BenchmarkScanCmdLine(b *testing.B) {
	lits := cmdLits(cmdLitsN, 1)
	texts := cmdTexts(256, lits, 2)
	total := 0
	for _, t := range texts {
		total += len(t)
	}
	s, err := newSetNoTeddy(lits, 256<<10)
	if err != nil {
		b.Fatal(err)
	}
	var hits []int32
	b.SetBytes(int64(total) / int64(len(texts)))
	i := 0
	for b.Loop() {
		hits = s.ScanLower(texts[i%len(texts)], hits[:0])
		i++
	}
	b.ReportMetric(float64(s.Bytes())/1e3, "KB")
}

// BenchmarkNewSetCmdLine builds the CommandLine-like set.
func BenchmarkNewSetCmdLine(b *testing.B) {
	lits := cmdLits(cmdLitsN, 1)
	for b.Loop() {
		if _, err := newSetNoTeddy(lits, 256<<10); err != nil {
			b.Fatal(err)
		}
	}
}
