package engine

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

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
			t.Fatalf("%s on %q: matcher %v, regexp %v (minLen %d, req %q, run %v, need %v)", re, s, got, want, m.minLen, m.pre, m.run != nil, m.need != nil)
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
		`(a\d+b)[xy]`, `x(?:a|b[cd]+e)f`,
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

// regexWitnessExprs are expressions whose witnesses are checked: SigmaHQ
// shapes, and classes, folds, anchors and U+FFFD at part boundaries.
var regexWitnessExprs = []string{
	`(?i)net\s+user\s+`, `\\[a-zA-Z0-9]{1,32}\.[a-zA-Z0-9]{1,6}\.[ "']{1}`, `(?i)[kK]ey[sS]`,
	`a[^b]c`, `x\b y`, `(ab|cd)(ef|gh)`, `(?i)(?:cmd|powershell)\.exe\s+/c`, `é[éÉ]`,
	`[\x{FFFD}a]b`, `a\x{FFFD}b`, `(?i)straße`, `[ſs]t`, `^a$`, `a(b|)c`, `a(?:b|c*)d`,
	`q[0-9]{2}z`, `\d\d\.\d`, `(?i)[a-c]{2}x`, `(?i)k[a-c]`, `x(?:y|z+)w`, `(?m)a$\n^b`,
	`(a\d+b)[xy]`, `x(?:a|b[cd]+e)f`, `(?:ab|cd)(?:ef|gh)(?:ij|kl)(?:mn|op)`, `[abc][def][ghi]`, `exe[0-9][0-9]`,
	`\s[a-fA-F0-9]{64}\s[a-fA-F0-9]{16}`, `(?i)\\(?:[a-z]:)?temp\\[^\\]+\.(?:exe|dll)$`,
}

// TestRegexWitnessSound checks that every text an expression matches
// holds, folded, one of its witness literals: texts are generated to match
// (with case variants of (?i) parts and noise around them), and checked
// with regexp.
func TestRegexWitnessSound(t *testing.T) {
	for i, src := range regexWitnessExprs {
		// Noise around a text can break its anchors: most still match.
		if n := checkRegexWitness(t, src, uint64(i), 500); n < 5 {
			t.Errorf("%s: only %d of 500 generated texts match", src, n)
		}
	}
	// Crossings are taken where they are cheaper than the parts.
	for src, want := range map[string][]string{
		`(?i)net\s+user`:       {"\tuser", "\nuser", "\fuser", "\ruser", " user"},
		`\\[a-z]{1,32}\.[ "']`: {". ", ".\"", ".'"},
		`(?i)a[cd]{2}`:         {"acc", "acd", "adc", "add"},
		`(?i)ab[cd]*`:          {"ab"},
		`x[ab]\by`:             {"xay", "xby"},
	} {
		p, err := syntax.Parse(src, syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		w, _ := regexWitness(p.Simplify(), true, 0)
		if slices.Sort(w); !slices.Equal(w, want) {
			t.Errorf("%s: witness %q, want %q", src, w, want)
		}
	}
	// A long crossing set is the index's witness; the prefilter, which
	// looks for each of its literals in the value, takes fewer.
	m := newRegexMatcher(regexp.MustCompile(`exe[0-9][0-9]`))
	if len(m.req) != 10 || !slices.Equal(m.pre, []string{"exe"}) {
		t.Errorf("witness %q, prefilter %q", m.req, m.pre)
	}
}

// TestRegexWitnessNested: witnesses of deeply nested expressions take
// time in proportion to their size (each part's shape is worked out once
// per level); walking a part twice per level would take 2^60 steps here.
func TestRegexWitnessNested(t *testing.T) {
	src := "a"
	for i := range 60 {
		src = "(" + src + ")" + string(rune('b'+i%20))
	}
	p, err := syntax.Parse(src, syntax.Perl)
	if err != nil {
		t.Fatal(err)
	}
	if w, ok := regexWitness(p.Simplify(), true, 0); !ok || len(w) == 0 {
		t.Errorf("no witness for %s", src)
	}
}

// TestRegexWitnessLongSequence: a sequence of thousands of small parts
// (a(b)c(d)...) builds no string longer than maxShapeLen, so its
// witness takes time in proportion to its length.
func TestRegexWitnessLongSequence(t *testing.T) {
	var b strings.Builder
	for i := range 5000 {
		fmt.Fprintf(&b, "%c(%c)", 'a'+rune(i%26), 'a'+rune((i+7)%26))
	}
	p, err := syntax.Parse(b.String(), syntax.Perl)
	if err != nil {
		t.Fatal(err)
	}
	w, ok := regexWitness(p.Simplify(), true, 0)
	if !ok || len(w) == 0 || len(w[0]) > maxShapeLen {
		t.Errorf("witness %q", w)
	}
}

// FuzzRegexWitness is TestRegexWitnessSound on any expression.
func FuzzRegexWitness(f *testing.F) {
	for i, src := range regexWitnessExprs {
		f.Add(src, uint64(i))
	}
	f.Fuzz(func(t *testing.T, src string, seed uint64) {
		if len(src) > 200 {
			return
		}
		checkRegexWitness(t, src, seed, 50)
	})
}

// checkRegexWitness generates n texts meant to match src, checks the
// witness on those that do, and returns how many did.
func checkRegexWitness(t *testing.T, src string, seed uint64, n int) int {
	t.Helper()
	re, err := regexp.Compile(src)
	if err != nil {
		return 0
	}
	p, err := syntax.Parse(src, syntax.Perl)
	if err != nil {
		return 0
	}
	w, ok := regexWitness(p.Simplify(), true, 0)
	own, ownOK := regexWitness(p.Simplify(), false, 0)
	r := rand.New(rand.NewPCG(seed, 99))
	noise := []string{"", " ", "x", "\xff", "K", "\u212a", "ſ", "é", "\n", "a.b"}
	matched := 0
	for range n {
		var b strings.Builder
		b.WriteString(noise[r.IntN(len(noise))])
		genRegexText(r, p, &b, 0)
		b.WriteString(noise[r.IntN(len(noise))])
		s := b.String()
		if !re.MatchString(s) {
			continue
		}
		matched++
		fs := pattern.Fold(s)
		if ok && !slices.ContainsFunc(w, func(l string) bool { return strings.Contains(fs, l) }) {
			t.Fatalf("%s matches %q, whose fold %q holds none of the witness %q", src, s, fs, w)
		}
		if ownOK && !slices.ContainsFunc(own, func(l string) bool { return strings.Contains(fs, l) }) {
			t.Fatalf("%s matches %q, whose fold %q holds none of its parts' witness %q", src, s, fs, own)
		}
	}
	return matched
}

// genRegexText appends to b a text re matches, but for anchors and word
// boundaries, which it ignores.
func genRegexText(r *rand.Rand, re *syntax.Regexp, b *strings.Builder, depth int) {
	if depth > 50 || b.Len() > 4000 {
		return
	}
	switch re.Op {
	case syntax.OpLiteral:
		for _, c := range re.Rune {
			if re.Flags&syntax.FoldCase != 0 {
				for k := r.IntN(3); k > 0; k-- {
					c = unicode.SimpleFold(c)
				}
			}
			b.WriteRune(c)
		}
	case syntax.OpCharClass:
		if len(re.Rune) == 0 {
			return
		}
		k := r.IntN(len(re.Rune)/2) * 2
		lo, hi := re.Rune[k], re.Rune[k+1]
		c := lo + rune(r.Int64N(int64(hi-lo)+1))
		if c == utf8.RuneError && r.IntN(2) == 0 {
			b.WriteByte(0xff) // U+FFFD matches an invalid byte
			return
		}
		b.WriteRune(c)
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		b.WriteString([]string{"a", "Z", ".", " ", "é", "\u212a"}[r.IntN(6)])
	case syntax.OpCapture:
		genRegexText(r, re.Sub[0], b, depth+1)
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
		lo, hi := 0, 3
		switch re.Op {
		case syntax.OpPlus:
			lo = 1
		case syntax.OpQuest:
			hi = 1
		case syntax.OpRepeat:
			lo, hi = re.Min, re.Max
			if hi < 0 {
				hi = lo + 3
			}
		}
		for range lo + r.IntN(hi-lo+1) {
			genRegexText(r, re.Sub[0], b, depth+1)
		}
	case syntax.OpConcat:
		for _, s := range re.Sub {
			genRegexText(r, s, b, depth+1)
		}
	case syntax.OpAlternate:
		genRegexText(r, re.Sub[r.IntN(len(re.Sub))], b, depth+1)
	}
}
