package engine

import (
	"math/rand/v2"
	"regexp"
	"testing"

	"github.com/tanchi-dev/tanchi/engine/internal/pattern"
)

// TestRegexPrefilterAgrees checks that the length and literal tests in
// front of a regular expression never reject a value it matches.
func TestRegexPrefilterAgrees(t *testing.T) {
	exprs := []string{
		`\s[a-fA-F0-9]{64}\s[a-fA-F0-9]{16}`, `(?i)kelvin`, `(?i)K+`, `ſ|s{2}`, `(?i)straße`,
		`(abc|de)x{2,3}`, `a*`, `^$`, `(?i)(?:cmd|powershell)\.exe\s+/c`, `\x41\pL+`, `é{2}`,
		`(?i)İ`, `ı`, `[kK]ey`, `(?s).{3}`, `(?i)ab(?-i)CD`,
	}
	words := []string{"", "a", "A", "k", "K", "\u212a", "s", "ſ", "S", "ß", "ẞ", "straSSe", "É", "é", "İ", "i", "ı", "cmd.exe", "PowerShell.EXE", " /c", " ", "abc", "de", "x", "CD", "cd", "elvin", "ey", "0123456789abcdef"}
	r := rand.New(rand.NewPCG(11, 12))
	c := &evalCtx{}
	for _, src := range exprs {
		re := regexp.MustCompile(src)
		m := newRegexMatcher(re)
		for range 2000 {
			s := ""
			for range r.IntN(6) {
				s += words[r.IntN(len(words))]
			}
			if r.IntN(20) == 0 {
				s = " " + string(make([]byte, 64)) + " "
			}
			want := re.MatchString(s)
			if got := m.match(Str(s), pattern.Fold(s), c); got != want {
				t.Fatalf("%s on %q: prefiltered %v, regexp %v (minLen %d, req %q)", src, s, got, want, m.minLen, m.req)
			}
		}
	}
}
