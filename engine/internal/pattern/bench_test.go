package pattern

import (
	"strings"
	"testing"
)

// benchCmdLine is a typical ~200-byte process command line.
const benchCmdLine = `"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe" -NoProfile -ExecutionPolicy Bypass -WindowStyle Hidden -EncodedCommand SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBi`

// benchPatterns are, per mode, a plain and a wildcard pattern that match
// benchCmdLine case-insensitively, plus a plain one that does not.
var benchPatterns = []struct {
	mode          Mode
	plain, wild   string
	miss          string
	plainCasedHit bool
}{
	{Exact, strings.ToLower(benchCmdLine), `"C:\Windows\System32\\*\powershell.exe" -NoProfile * -EncodedCommand *`, `"C:\Windows\System32\cmd.exe"`, false},
	{Contains, " -EncodedCommand ", "-Execution*Bypass", "mimikatz", true},
	{StartsWith, `"C:\Windows\System32\`, `"C:\Windows\\*\powershell.exe"`, `C:\Users\`, true},
	{EndsWith, "ZQBjAHQAIABOAGUAdAAuAFcAZQBi", " -EncodedCommand *AdAAuAFcAZQBi", `\cmd.exe`, true},
}

// BenchmarkMatch times Matcher.Match and MatchFolded on a ~200-byte command
// line for every mode, with and without wildcards, cased and not, on a hit
// and (for plain values) a miss.
func BenchmarkMatch(b *testing.B) {
	folded := Fold(benchCmdLine)
	for _, bp := range benchPatterns {
		for _, wild := range []string{"no", "yes", "miss"} {
			src := map[string]string{"no": bp.plain, "yes": bp.wild, "miss": bp.miss}[wild]
			for _, cased := range []bool{false, true} {
				m := Compile(Parse(src), bp.mode, cased)
				want := wild != "miss" && (!cased || wild == "yes" || bp.plainCasedHit)
				name := "mode=" + bp.mode.String() + "/wild=" + wild + "/case="
				if cased {
					name += "cased"
				} else {
					name += "uncased"
				}
				b.Run(name+"/api=Match", func(b *testing.B) {
					if m.Match(benchCmdLine) != want {
						b.Fatalf("%v: Match = %v, want %v", m, !want, want)
					}
					b.ReportAllocs()
					var got bool
					for b.Loop() {
						got = m.Match(benchCmdLine)
					}
					if got != want {
						b.Fatal("wrong result")
					}
				})
				if cased {
					continue
				}
				b.Run(name+"/api=MatchFolded", func(b *testing.B) {
					if m.MatchFolded(folded) != want {
						b.Fatalf("%v: MatchFolded = %v, want %v", m, !want, want)
					}
					b.ReportAllocs()
					var got bool
					for b.Loop() {
						got = m.MatchFolded(folded)
					}
					if got != want {
						b.Fatal("wrong result")
					}
				})
			}
		}
	}
}

// BenchmarkFold times folding the command line into a reused buffer.
func BenchmarkFold(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(benchCmdLine)))
	buf := make([]byte, 0, 2*len(benchCmdLine))
	for b.Loop() {
		buf = AppendFold(buf[:0], benchCmdLine)
	}
	if string(buf) != strings.ToLower(benchCmdLine) {
		b.Fatal("wrong fold")
	}
}
