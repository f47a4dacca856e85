package pattern

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// toks is shorthand for building expected token lists: "*" and "?" are
// wildcards, anything else is a literal run.
func toks(elems ...string) []token {
	var out []token
	for _, e := range elems {
		switch e {
		case "*":
			out = append(out, token{kind: tokStar})
		case "?":
			out = append(out, token{kind: tokOne})
		default:
			out = append(out, token{kind: tokLit, lit: e})
		}
	}
	return out
}

// lit builds a literal token, for literal runs that are exactly "*" or "?".
func lit(s string) token { return token{kind: tokLit, lit: s} }

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want []token
		str  string // canonical spelling; "" means the same as in
	}{
		{name: "empty", in: "", want: nil},
		{name: "plain", in: "abc", want: toks("abc")},
		{name: "star", in: "*", want: toks("*")},
		{name: "question", in: "?", want: toks("?")},
		{name: "stars kept", in: "**", want: toks("*", "*")},
		{name: "mixed", in: "a*b?c", want: toks("a", "*", "b", "?", "c")},
		{name: "escaped star", in: `\*`, want: []token{lit("*")}},
		{name: "escaped question", in: `\?`, want: []token{lit("?")}},
		{name: "escaped backslash", in: `\\`, want: toks(`\`), str: `\`},
		{name: "escaped backslash then wildcard", in: `\\*`, want: toks(`\`, "*")},
		{name: "escaped backslash then question", in: `\\?`, want: toks(`\`, "?")},
		{name: "escaped backslash then escaped star", in: `\\\*`, want: toks(`\*`)},
		{name: "escaped backslash then escaped question", in: `\\\?`, want: toks(`\?`)},
		{name: "lone trailing backslash", in: `\`, want: toks(`\`)},
		{name: "three backslashes", in: `\\\`, want: toks(`\\`), str: `\\\\`},
		{name: "four backslashes", in: `\\\\`, want: toks(`\\`)},
		{name: "four backslashes then wildcard", in: `\\\\*`, want: toks(`\\`, "*")},
		{name: "backslash before letter", in: `\a`, want: toks(`\a`)},
		{name: "backslash before rune", in: `\é?`, want: toks(`\é`, "?")},
		{name: "windows path", in: `C:\Windows\`, want: toks(`C:\Windows\`)},
		{name: "windows path with escaped star", in: `C:\Windows\*`, want: toks(`C:\Windows*`)},
		{name: "windows path then wildcard", in: `C:\Windows\\*`, want: toks(`C:\Windows\`, "*")},
		{name: "unc path", in: `\\\\server\share`, want: toks(`\\server\share`)},
		{name: "unc path written loosely", in: `\\\server\share`, want: toks(`\\server\share`), str: `\\\\server\share`},
		{name: "escaped star inside literal", in: `a\*b*`, want: toks(`a*b`, "*")},
		{name: "unicode", in: "ä?ö*", want: toks("ä", "?", "ö", "*")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := Parse(tt.in)
			if got := p.tokens(); !slices.Equal(got, tt.want) {
				t.Errorf("Parse(%q) tokens = %v, want %v", tt.in, got, tt.want)
			}
			want := tt.str
			if want == "" {
				want = tt.in
			}
			if got := p.String(); got != want {
				t.Errorf("Parse(%q).String() = %q, want %q", tt.in, got, want)
			}
			if q := Parse(p.String()); q != p {
				t.Errorf("Parse(%q) = %q, round trip gives %q", tt.in, p, q)
			}
		})
	}
}

func TestLiteral(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
	}{
		{"", ""},
		{"abc", "abc"},
		{"a*b?c", `a\*b\?c`},
		{`C:\Windows\`, `C:\Windows\`},
		{`C:\Windows\System32`, `C:\Windows\System32`},
		{`\`, `\`},
		{`\\`, `\\\\`},
		{`\*`, `\\\*`},
		{`\?`, `\\\?`},
		{`\\server\share`, `\\\\server\share`},
		{"*", `\*`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			p := Literal(tt.in)
			if got := p.String(); got != tt.want {
				t.Errorf("Literal(%q).String() = %q, want %q", tt.in, got, tt.want)
			}
			if p.HasWildcards() {
				t.Errorf("Literal(%q).HasWildcards() = true", tt.in)
			}
			if got, ok := p.IsPlain(); !ok || got != tt.in {
				t.Errorf("Literal(%q).IsPlain() = %q, %v", tt.in, got, ok)
			}
			if q := Parse(p.String()); q != p {
				t.Errorf("Parse(Literal(%q).String()) = %q, want %q", tt.in, q, p)
			}
		})
	}
}

// TestStringWildcardAfterBackslash covers the spellings that depend on what
// follows a literal backslash: a wildcard or an escaped special character.
func TestStringWildcardAfterBackslash(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		toks []token
		want string
	}{
		{"backslash star", toks(`\`, "*"), `\\*`},
		{"backslash question", toks(`\`, "?"), `\\?`},
		{"backslash literal star", []token{lit(`\*`)}, `\\\*`},
		{"path star", toks(`C:\Windows\`, "*", `\cmd.exe`), `C:\Windows\\*\cmd.exe`},
		{"two backslashes star", toks(`\\`, "*"), `\\\\*`},
		{"empty literal dropped", []token{lit(""), {kind: tokStar}, lit("")}, `*`},
		{"adjacent literals joined", []token{lit(`a\`), lit("b")}, `a\b`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := fromTokens(tt.toks)
			if got := p.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
			if q := Parse(p.String()); q != p {
				t.Errorf("round trip: %q != %q", q, p)
			}
		})
	}
}

// TestRoundTripRandom builds random token sequences over an alphabet full of
// backslashes and special characters and checks that spelling them and
// parsing the spelling gives the same tokens back.
func TestRoundTripRandom(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{`\`, "*", "?", "a", "é", " "}
	for range 20000 {
		var ts []token
		for range rng.IntN(6) {
			switch rng.IntN(4) {
			case 0:
				ts = append(ts, token{kind: tokStar})
			case 1:
				ts = append(ts, token{kind: tokOne})
			default:
				var b strings.Builder
				for range 1 + rng.IntN(4) {
					b.WriteString(alphabet[rng.IntN(len(alphabet))])
				}
				if len(ts) > 0 && ts[len(ts)-1].kind == tokLit {
					ts[len(ts)-1].lit += b.String()
				} else {
					ts = append(ts, lit(b.String()))
				}
			}
		}
		p := fromTokens(ts)
		if got := Parse(p.String()).tokens(); !slices.Equal(got, ts) {
			t.Fatalf("tokens %v spelled %q parse back as %v", ts, p, got)
		}
	}
}

func TestInspect(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in       string
		wild     bool
		plain    string
		isPlain  bool
		literals []string
	}{
		{"", false, "", true, nil},
		{"abc", false, "abc", true, []string{"abc"}},
		{`a\*b`, false, "a*b", true, []string{"a*b"}},
		{`C:\Windows\`, false, `C:\Windows\`, true, []string{`C:\Windows\`}},
		{"*", true, "", false, nil},
		{"?", true, "", false, nil},
		{"*a?b*", true, "", false, []string{"a", "b"}},
		{`\\*\cmd.exe`, true, "", false, []string{`\`, `\cmd.exe`}},
		{`*\\?x`, true, "", false, []string{`\`, "x"}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			p := Parse(tt.in)
			if got := p.HasWildcards(); got != tt.wild {
				t.Errorf("HasWildcards() = %v, want %v", got, tt.wild)
			}
			if got, ok := p.IsPlain(); got != tt.plain || ok != tt.isPlain {
				t.Errorf("IsPlain() = %q, %v, want %q, %v", got, ok, tt.plain, tt.isPlain)
			}
			if got := p.Literals(); !slices.Equal(got, tt.literals) {
				t.Errorf("Literals() = %q, want %q", got, tt.literals)
			}
		})
	}
}

func TestPatternComparable(t *testing.T) {
	t.Parallel()
	// Different spellings of the same tokens are the same pattern.
	pairs := [][2]string{
		{`\\`, `\`},
		{`\\\`, `\\\\`},
		{`a\b`, `a\\b`},
	}
	for _, pr := range pairs {
		if Parse(pr[0]) != Parse(pr[1]) {
			t.Errorf("Parse(%q) != Parse(%q)", pr[0], pr[1])
		}
	}
	if Parse("*") == Literal("*") {
		t.Error(`Parse("*") == Literal("*")`)
	}
	if (Pattern{}) != Parse("") || Parse("") != Literal("") {
		t.Error("the zero Pattern is not the empty pattern")
	}
	m := map[Pattern]int{Parse(`a\\*`): 1}
	if m[Parse(`a\*`)] != 0 || m[fromTokens(toks(`a\`, "*"))] != 1 {
		t.Error("Pattern map keys do not follow token equality")
	}
}
