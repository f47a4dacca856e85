package pattern

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// refRegexp translates p under mode into a regular expression, the
// reference the matcher is checked against: literal runs are quoted, `*` is
// .* and `?` is ., with (?s) so both cross newlines, and (?i) when matching
// case-insensitively. The value is not folded: Go's (?i) compares runes by
// simple case folding, the equivalence Fold is meant to implement, so this
// also checks Fold. p must be valid UTF-8.
func refRegexp(p Pattern, mode Mode, cased bool) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^(?s")
	if !cased {
		b.WriteString("i")
	}
	b.WriteString(")")
	if mode == Contains || mode == EndsWith {
		b.WriteString(".*")
	}
	for _, t := range p.tokens() {
		switch t.kind {
		case tokLit:
			b.WriteString(regexp.QuoteMeta(t.lit))
		case tokStar:
			b.WriteString(".*")
		case tokOne:
			b.WriteString(".")
		}
	}
	if mode == Contains || mode == StartsWith {
		b.WriteString(".*")
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

// refUnits is a second, independent reference that also covers invalid
// UTF-8: a textbook dynamic-programming glob over characters, where a
// character of the value is a valid rune or a single invalid byte and a
// literal character matches only the same bytes. For a case-insensitive
// match both sides are folded first. p must be valid UTF-8.
func refUnits(p Pattern, mode Mode, cased bool, s string) bool {
	type elem struct {
		kind tokKind
		ch   string
	}
	var pe []elem
	if mode == Contains || mode == EndsWith {
		pe = append(pe, elem{kind: tokStar})
	}
	for _, t := range p.tokens() {
		if t.kind != tokLit {
			pe = append(pe, elem{kind: t.kind})
			continue
		}
		l := t.lit
		if !cased {
			l = Fold(l)
		}
		for _, r := range l {
			pe = append(pe, elem{kind: tokLit, ch: string(r)})
		}
	}
	if mode == Contains || mode == StartsWith {
		pe = append(pe, elem{kind: tokStar})
	}
	if !cased {
		s = Fold(s)
	}
	var units []string
	for i := 0; i < len(s); {
		_, n := utf8.DecodeRuneInString(s[i:])
		units = append(units, s[i:i+n])
		i += n
	}
	// ok[j] says whether pe[:k] matches units[:j], for the current k.
	ok := make([]bool, len(units)+1)
	ok[0] = true
	for _, e := range pe {
		nok := make([]bool, len(units)+1)
		for j := range nok {
			switch e.kind {
			case tokStar:
				nok[j] = ok[j] || j > 0 && nok[j-1]
			case tokOne:
				nok[j] = j > 0 && ok[j-1]
			case tokLit:
				nok[j] = j > 0 && ok[j-1] && units[j-1] == e.ch
			}
		}
		ok = nok
	}
	return ok[len(units)]
}

// checkMatch runs every entry point of a matcher on s and reports
// disagreements between them and, when p is valid UTF-8, with refUnits and
// (when s is valid UTF-8 too) with refRegexp.
func checkMatch(t testing.TB, p Pattern, mode Mode, cased bool, s string) bool {
	t.Helper()
	m := Compile(p, mode, cased)
	got := m.Match(s)
	desc := fmt.Sprintf("%v cased=%v pattern %q value %q", mode, cased, p.String(), s)
	folded := s
	if !cased {
		folded = Fold(s)
	}
	if f := m.MatchFolded(folded); f != got {
		t.Fatalf("%s: Match = %v but MatchFolded = %v", desc, got, f)
	}
	if f := m.MatchPair(s, folded); f != got {
		t.Fatalf("%s: Match = %v but MatchPair = %v", desc, got, f)
	}
	if m.Cased() != cased {
		t.Fatalf("%s: Cased() = %v", desc, m.Cased())
	}
	if !utf8.ValidString(p.String()) {
		return got
	}
	if want := refUnits(p, mode, cased, s); got != want {
		t.Fatalf("%s: Match = %v, reference glob says %v (matcher kind %d)", desc, got, want, m.kind)
	}
	if utf8.ValidString(s) {
		if want := refRegexp(p, mode, cased).MatchString(s); got != want {
			t.Fatalf("%s: Match = %v, reference regexp says %v (matcher kind %d)", desc, got, want, m.kind)
		}
	}
	return got
}

func TestMatch(t *testing.T) {
	t.Parallel()
	const (
		cased   = true
		uncased = false
	)
	tests := []struct {
		name    string
		pattern string
		mode    Mode
		cased   bool
		in      string
		want    bool
	}{
		// Empty pattern and empty value.
		{"exact empty matches empty", "", Exact, uncased, "", true},
		{"exact empty rejects text", "", Exact, uncased, "a", false},
		{"contains empty matches everything", "", Contains, uncased, "abc", true},
		{"contains empty matches empty", "", Contains, cased, "", true},
		{"startswith empty", "", StartsWith, uncased, "abc", true},
		{"endswith empty", "", EndsWith, cased, "abc", true},
		{"exact star matches empty", "*", Exact, uncased, "", true},
		{"exact question rejects empty", "?", Exact, uncased, "", false},
		{"exact text rejects empty", "a", Exact, uncased, "", false},
		{"contains text rejects empty", "a", Contains, uncased, "", false},

		// Plain values, each mode.
		{"exact uncased", `C:\Windows\System32\cmd.exe`, Exact, uncased, `c:\windows\system32\CMD.EXE`, true},
		{"exact cased differs", `C:\Windows\System32\cmd.exe`, Exact, cased, `c:\windows\system32\CMD.EXE`, false},
		{"exact cased same", `C:\Windows\System32\cmd.exe`, Exact, cased, `C:\Windows\System32\cmd.exe`, true},
		{"exact longer value", "cmd", Exact, uncased, "cmd.exe", false},
		{"contains uncased", " -EncodedCommand ", Contains, uncased, "powershell.exe -encodedcommand JAB", true},
		{"contains cased", " -EncodedCommand ", Contains, cased, "powershell.exe -encodedcommand JAB", false},
		{"contains miss", "mimikatz", Contains, uncased, "powershell.exe -nop", false},
		{"startswith uncased", `C:\Users\`, StartsWith, uncased, `c:\users\bob\a.exe`, true},
		{"startswith miss", `C:\Users\`, StartsWith, uncased, `D:\users\bob\a.exe`, false},
		{"startswith cased", `C:\Users\`, StartsWith, cased, `c:\users\bob\a.exe`, false},
		{"endswith uncased", `\rundll32.exe`, EndsWith, uncased, `C:\Windows\System32\RUNDLL32.EXE`, true},
		{"endswith cased", `\rundll32.exe`, EndsWith, cased, `C:\Windows\System32\RUNDLL32.EXE`, false},
		{"endswith miss", `\rundll32.exe`, EndsWith, uncased, `C:\rundll32.exe.bak`, false},
		{"plain letterless uncased", `://`, Contains, uncased, "HTTP://X", true},

		// Wildcards inside values, with the modes adding stars around them.
		{"star in the middle", `C:\Windows\\*\cmd.exe`, Exact, uncased, `C:\WINDOWS\System32\cmd.exe`, true},
		{"star in the middle, nothing between", `C:\Windows\\*\cmd.exe`, Exact, uncased, `C:\Windows\\cmd.exe`, true},
		{"star in the middle, overlap", "ab*ba", Exact, cased, "aba", false},
		{"star at both ends exact", "*-enc*", Exact, uncased, "powershell -ENC abc", true},
		{"contains wildcard", "-exec*bypass", Contains, uncased, "ps.exe -ExecutionPolicy Bypass -nop", true},
		{"contains wildcard order", "bypass*-exec", Contains, uncased, "ps.exe -ExecutionPolicy Bypass -nop", false},
		{"startswith wildcard", `C:\\*\temp\`, StartsWith, uncased, `c:\users\bob\appdata\local\Temp\x.exe`, true},
		{"startswith wildcard miss", `C:\\*\temp\`, StartsWith, uncased, `D:\users\Temp\x.exe`, false},
		{"endswith wildcard", `\temp\\*.exe`, EndsWith, uncased, `C:\Temp\sub\x.EXE`, true},
		{"endswith escaped star is no wildcard", `\temp\*.exe`, EndsWith, uncased, `C:\Temp\sub\x.EXE`, false},
		{"endswith escaped star literal", `\temp\*.exe`, EndsWith, uncased, `C:\Temp*.EXE`, true},
		{"endswith wildcard miss", `\temp\\*.exe`, EndsWith, uncased, `C:\Temp\sub\x.EXE.txt`, false},
		{"many stars", "*a*b*c*", Exact, cased, "xxaxxbxxcxx", true},
		{"many stars wrong order", "*a*b*c*", Exact, cased, "xxcxxbxxaxx", false},
		{"repeated segment needs two", "*ab*ab*", Exact, cased, "xxabxx", false},
		{"repeated segment twice", "*ab*ab*", Exact, cased, "xxabab", true},
		{"greedy star must backtrack", "a*bc", Exact, cased, "abcbc", true},
		{"tail must not overlap head", "abc*cde", Exact, cased, "abcde", false},
		{"tail right after head", "abc*cde", Exact, cased, "abccde", true},
		{"adjacent stars", "a**b", Exact, cased, "axxb", true},
		{"escaped star is literal", `a\*b`, Exact, cased, "a*b", true},
		{"escaped star rejects others", `a\*b`, Exact, cased, "axb", false},
		{"escaped question is literal", `what\?`, Contains, uncased, "So WHAT?", true},
		{"backslash before wildcard", `C:\\*`, Exact, uncased, `c:\anything`, true},
		{"newline crossed by star", "a*b", Exact, cased, "a\nb", true},

		// `?` is exactly one rune.
		{"question one ascii", "a?c", Exact, cased, "abc", true},
		{"question not zero", "a?c", Exact, cased, "ac", false},
		{"question not two", "a?c", Exact, cased, "abbc", false},
		{"question two-byte rune", "a?c", Exact, cased, "aäc", true},
		{"question three-byte rune", "a?c", Exact, cased, "a€c", true},
		{"question four-byte rune", "a?c", Exact, cased, "a😀c", true},
		{"two questions, one four-byte rune", "a??c", Exact, cased, "a😀c", false},
		{"question at end uncased", "CMD?", Exact, uncased, "cmdä", true},
		{"question newline", "a?b", Exact, cased, "a\nb", true},
		{"question leading in middle segment", "*??x*", Exact, cased, "äöx", true},
		{"question leading in middle segment too few", "*??x*", Exact, cased, "äx", false},
		{"only questions in middle", "a*??*b", Exact, cased, "a€€b", true},
		{"only questions in middle too few", "a*??*b", Exact, cased, "a€b", false},
		{"questions in tail", "*x??", Exact, cased, "yxäö", true},
		{"questions in tail too few", "*x??", Exact, cased, "yxä", false},
		{"question between parts", "*a?b?c*", Exact, cased, "aXbYaäbüc", true},
		{"question with contains", "p?wer", Contains, uncased, "POWERSHELL", true},
		{"question with endswith", ".ex?", EndsWith, uncased, "A.EXE", true},
		{"question with startswith", "?:\\", StartsWith, uncased, `Z:\x`, true},

		// Unicode case folding.
		{"umlaut", "ÄRGER", Exact, uncased, "ärger", true},
		{"umlaut cased", "ÄRGER", Exact, cased, "ärger", false},
		{"umlaut contains", "ä", Contains, uncased, "XÄX", true},
		{"cyrillic contains", "привет", Contains, uncased, "ПРИВЕТ мир", true},
		{"final sigma", "ΟΔΟΣ", Exact, uncased, "οδος", true},
		{"long s matches s", "s", Exact, uncased, "ſ", true},
		{"kelvin matches k", "k", Exact, uncased, "\u212a", true},
		{"kelvin in value, endswith", "k.exe", EndsWith, uncased, "\u212a.exe", true},
		{"kelvin in pattern", "\u212a", Contains, uncased, "xKx", true},
		{"sharp s capital", "ß", Exact, uncased, "ẞ", true},
		{"turkish dotted I is not i", "i", Exact, uncased, "İ", false},
		{"turkish dotless i is not I", "I", Exact, uncased, "ı", false},
		{"turkish dotted I matches itself", "İ", Exact, uncased, "İ", true},
		{"growing fold in value", "ⱥ", Exact, uncased, "Ⱥ", true},
		{"growing fold with wildcard", "*ⱥ?", Exact, uncased, "xȺy", true},
		{"growing fold prefix", "ⱥx", StartsWith, uncased, "ȺXyz", true},

		// Invalid UTF-8 matches only itself, byte for byte.
		{"invalid byte exact", "a\xffb", Exact, uncased, "A\xffB", true},
		{"invalid byte is one rune", "a?b", Exact, uncased, "a\xffb", true},
		{"invalid byte is not replacement char", "a\ufffdb", Exact, uncased, "a\xffb", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := Parse(tt.pattern)
			if got := checkMatch(t, p, tt.mode, tt.cased, tt.in); got != tt.want {
				t.Errorf("Compile(%q, %v, cased=%v).Match(%q) = %v, want %v",
					tt.pattern, tt.mode, tt.cased, tt.in, got, tt.want)
			}
		})
	}
}

// TestCompileKinds checks that values land on the intended fast paths.
func TestCompileKinds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern string
		mode    Mode
		want    kind
	}{
		{"", Exact, kExact},
		{"abc", Exact, kExact},
		{"", Contains, kAlways},
		{"*", Exact, kAlways},
		{"**", StartsWith, kAlways},
		{"abc", Contains, kContains},
		{"*abc*", Exact, kContains},
		{"abc", StartsWith, kPrefix},
		{"abc*", Exact, kPrefix},
		{"abc", EndsWith, kSuffix},
		{"*abc", Exact, kSuffix},
		{"a*c", Exact, kPreSuf},
		{"a*b*c", Exact, kGlob},
		{"a?c", Exact, kGlob},
		{"a*b", Contains, kGlob},
	}
	for _, tt := range tests {
		t.Run(tt.mode.String()+"/"+tt.pattern, func(t *testing.T) {
			t.Parallel()
			if got := Compile(Parse(tt.pattern), tt.mode, false).kind; got != tt.want {
				t.Errorf("kind = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestMatcherString(t *testing.T) {
	t.Parallel()
	if got, want := Compile(Parse(`C:\Windows\\*`), Contains, true).String(), `contains "C:\\Windows\\\\*" cased`; got != want {
		t.Errorf("String() = %s, want %s", got, want)
	}
	if got, want := Compile(Parse("a"), Exact, false).String(), `exact "a"`; got != want {
		t.Errorf("String() = %s, want %s", got, want)
	}
	if got, want := Mode(9).String(), "Mode(9)"; got != want {
		t.Errorf("String() = %s, want %s", got, want)
	}
}

func TestCompileInvalidMode(t *testing.T) {
	t.Parallel()
	defer func() {
		if recover() == nil {
			t.Error("Compile with an invalid mode did not panic")
		}
	}()
	Compile(Parse("a"), Mode(4), false)
}

// TestMatchPathological checks that patterns that make naive backtracking
// matchers exponential stay fast: each case must finish in well under a
// second even though the value is long.
func TestMatchPathological(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", 100000)
	tests := []struct {
		name    string
		pattern string
		mode    Mode
		in      string
		want    bool
	}{
		{"stars then missing tail", "*a*a*a*a*a*b", Exact, long, false},
		{"stars then missing middle", "*a*a*a*a*a*b*", Exact, long, false},
		{"contains with missing end", "a*a*a*a*a*b", Contains, long, false},
		{"questions and stars", "*a?a?a?a?b*", Exact, long, false},
		{"long segment almost everywhere", "*" + strings.Repeat("a", 50) + "b*", Exact, long, false},
		{"matches at the very end", "*a*a*a*a*a*b", Exact, long + "b", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := Compile(Parse(tt.pattern), tt.mode, false)
			if got := m.Match(tt.in); got != tt.want {
				t.Errorf("Match = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestMatchNoAlloc checks that matching does not allocate, for every kind of
// matcher and for values short and long, upper and lower case.
func TestMatchNoAlloc(t *testing.T) {
	values := []string{
		`powershell.exe -nop -w hidden -enc abc`,
		`POWERSHELL.EXE -NOP -W HIDDEN -ENC ABC`,
		strings.Repeat(`C:\Windows\System32\WindowsPowerShell\v1.0\PowerShell.exe -EncodedCommand `, 20),
		"ÄÖÜ ⱥȺ",
	}
	patterns := []struct {
		p    string
		mode Mode
	}{
		{"-enc", Contains}, {"x", Exact}, {"powershell", StartsWith}, {"abc", EndsWith},
		{"p*abc", Exact}, {"*-nop*-enc*", Exact}, {"-w ?idden", Contains}, {"*", Exact},
	}
	for _, v := range values {
		for _, pt := range patterns {
			for _, cased := range []bool{false, true} {
				m := Compile(Parse(pt.p), pt.mode, cased)
				folded := Fold(v)
				a := testing.AllocsPerRun(50, func() {
					m.Match(v)
					m.MatchFolded(folded)
					m.MatchPair(v, folded)
				})
				if a != 0 {
					t.Errorf("%v on %.20q: %v allocs per run, want 0", m, v, a)
				}
			}
		}
	}
}

// TestMatchRandom runs the differential check of checkMatch on random
// patterns and values over a small alphabet with wildcards, escapes, runes of
// several lengths, case pairs and (in values) invalid UTF-8, so that plain
// `go test` covers what FuzzMatch explores.
func TestMatchRandom(t *testing.T) {
	t.Parallel()
	patPieces := []string{"a", "b", "A", "ä", "Ä", "k", "\u212a", "€", "😀", "*", "*", "?", `\*`, `\\`, `\`, "ab"}
	valPieces := []string{"a", "b", "A", "B", "ä", "Ä", "k", "K", "\u212a", "€", "😀", "*", `\`, "\xff", "\xc3", "ab", "ba"}
	rng := rand.New(rand.NewPCG(9, 10))
	gen := func(pieces []string, n int) string {
		var b strings.Builder
		for range rng.IntN(n) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		return b.String()
	}
	for range 4000 {
		p := Parse(gen(patPieces, 7))
		for range 3 {
			v := gen(valPieces, 10)
			for mode := range Mode(4) {
				checkMatch(t, p, mode, false, v)
				checkMatch(t, p, mode, true, v)
			}
		}
	}
}
