package engine

import (
	"math/rand/v2"
	"regexp"
	"regexp/syntax"
	"strings"
	"testing"

	"github.com/tanchi-dev/tanchi/engine/internal/pattern"
)

// agreesWithRegexp checks m, the matcher of re, against regexp on n texts
// from text, and returns how many of them match.
func agreesWithRegexp(t *testing.T, re *regexp.Regexp, m regexMatcher, n int, text func(k int) string) int {
	t.Helper()
	c := &evalCtx{}
	hits := 0
	for k := range n {
		s := text(k)
		want := re.MatchString(s)
		if got := m.match(Str(s), pattern.Fold(s), c); got != want {
			t.Fatalf("%s on %q: matcher %v, regexp %v (minLen %d, req %q, run %v, need %v)", re, s, got, want, m.minLen, m.req, m.run != nil, m.need != nil)
		}
		if want {
			hits++
		}
	}
	return hits
}

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
	for _, src := range exprs {
		re := regexp.MustCompile(src)
		agreesWithRegexp(t, re, newRegexMatcher(re), 2000, func(int) string {
			s := ""
			for range r.IntN(6) {
				s += words[r.IntN(len(words))]
			}
			if r.IntN(20) == 0 {
				s = " " + string(make([]byte, 64)) + " "
			}
			return s
		})
	}
}

// TestRunRegexAgrees checks the run form of the expressions that have one
// against regexp, on texts built from runes in and out of their classes,
// invalid UTF-8 included.
func TestRunRegexAgrees(t *testing.T) {
	exprs := []string{
		`.{10,}`, `(.){5,}`, `[^/]{4,}$`, `^[A-Za-z0-9]{6}$`, `^[a-f0-9]{3,5}`, `(?i)[a-c]{3,}`,
		`(?s).{4,}`, `x{2,4}`, `^x*$`, `x+$`, `^é{2,}`, `[\x{FFFD}a]{3,}`, `^\d{0}$`, `^.{0,3}$`,
		`(?:[^\n]){5,}`, `((a)){2,}`, `^(?i)k{2,}$`, `(?i)é{2,}`,
	}
	// Expressions of other shapes keep regexp.
	for _, src := range []string{`ab{2,}`, `^a|b{2,}$`, `(?m)^.{3,}$`, `(ab){2,}`, `[ab]{2,}c`} {
		p, err := syntax.Parse(src, syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		if newRunRegex(p) != nil {
			t.Errorf("%s: has a run form, want none", src)
		}
	}
	pieces := []string{"a", "b", "c", "x", "X", "A", "k", "K", "\u212a", "é", "É", "/", "\n", " ", "0", "f", "g", "\xff", "\xe2\x84", "\xc3", "\ufffd", "aaaa", "xxxxx", "ééé"}
	r := rand.New(rand.NewPCG(13, 14))
	for _, src := range exprs {
		re := regexp.MustCompile(src)
		m := newRegexMatcher(re)
		if m.run == nil {
			t.Fatalf("%s: no run form", src)
		}
		hits := agreesWithRegexp(t, re, m, 5000, func(int) string {
			s := ""
			for range r.IntN(14) {
				s += pieces[r.IntN(len(pieces))]
			}
			return s
		})
		if hits == 0 || hits == 5000 {
			t.Errorf("%s: %d of 5000 texts match: the texts do not test it", src, hits)
		}
	}
}

func FuzzRunRegex(f *testing.F) {
	f.Add(`.{3,}`, "abcd")
	f.Add(`^[a-z]{2}$`, "ab")
	f.Add(`[^/]{2,}$`, "a/bc")
	f.Fuzz(func(t *testing.T, src, s string) {
		if len(src) > 64 {
			return
		}
		re, err := regexp.Compile(src)
		if err != nil {
			return
		}
		p, err := syntax.Parse(src, syntax.Perl)
		if err != nil {
			return
		}
		run := newRunRegex(p)
		if run == nil {
			return
		}
		if got, want := run.match(s), re.MatchString(s); got != want {
			t.Fatalf("%s on %q: run form %v, regexp %v", src, s, got, want)
		}
	})
}

// BenchmarkRunRegex compares regexp with the run form on an 8 KB value.
func BenchmarkRunRegex(b *testing.B) {
	s := strings.Repeat("powershell -enc AAAA\n", 400)
	for _, src := range []string{`.{1000,}`, `(.){200,}`, `[^/]{100,}$`} {
		re := regexp.MustCompile(src)
		p, _ := syntax.Parse(src, syntax.Perl)
		run := newRunRegex(p)
		b.Run(src+"/regexp", func(b *testing.B) {
			for b.Loop() {
				re.MatchString(s)
			}
		})
		b.Run(src+"/run", func(b *testing.B) {
			for b.Loop() {
				run.match(s)
			}
		})
	}
}

// TestNeededRunAgrees checks the run test put in front of expressions
// with a long repeated class against regexp: it must never reject a text
// the expression matches.
func TestNeededRunAgrees(t *testing.T) {
	exprs := []string{
		`\s[a-fA-F0-9]{64}\s[a-fA-F0-9]{16}`,
		`(?i)-enc(odedcommand)?\s+[a-z0-9+/=]{20,}`,
		`\{[a-fA-F0-9]{8}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{12}\}`,
		`^C:\\Users\\[^\\]+\\AppData\\Local\\Temp\\[a-z]{10,}\.exe$`,
		`x(é){8,}y`,
	}
	pieces := []string{"a", "F", "0", "9", "g", " ", "\t", "-", "{", "}", "é", "x", "y", "\xff", "-enc ", "-EncodedCommand ", "0123456789abcdef", "DEADBEEF", "C:\\Users\\bob\\AppData\\Local\\Temp\\", "abcdefghij", ".exe", "\\"}
	hex := strings.Repeat("0123456789abcdef", 4)
	matching := []string{
		"jpsetup.exe " + hex + " " + hex[:16],
		"x" + strings.Repeat("é", 8) + "y",
		"{" + hex[:8] + "-" + hex[:4] + "-" + hex[4:8] + "-" + hex[8:12] + "-" + hex[:12] + "}",
		`powershell -EncodedCommand SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBj`,
		`C:\Users\bob\AppData\Local\Temp\abcdefghijk.exe`,
	}
	r := rand.New(rand.NewPCG(15, 16))
	for _, src := range exprs {
		re := regexp.MustCompile(src)
		m := newRegexMatcher(re)
		if m.need == nil {
			t.Fatalf("%s: no run test", src)
		}
		hits := agreesWithRegexp(t, re, m, 20000, func(k int) string {
			s := ""
			if k < len(matching) {
				s = matching[k] // and cut short, or with a byte changed, below
			} else if k < 40*len(matching) {
				b := []byte(matching[k%len(matching)])
				b[r.IntN(len(b))] = pieces[r.IntN(len(pieces))][0]
				s = string(b[:r.IntN(len(b)+1)]) + string(b[len(b)-r.IntN(2):])
			}
			for range r.IntN(24) {
				s += pieces[r.IntN(len(pieces))]
			}
			return s
		})
		if hits == 0 {
			t.Errorf("%s: no text matched: the texts do not test it", src)
		}
	}
	// Short runs are not worth a test.
	for _, src := range []string{`[a-f]{7}x`, `a|b{20}`, `ab{2,}c`} {
		p, _ := syntax.Parse(src, syntax.Perl)
		if neededRun(p) != nil {
			t.Errorf("%s: has a run test, want none", src)
		}
	}
}
