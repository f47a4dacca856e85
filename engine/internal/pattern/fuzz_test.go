package pattern

import (
	"slices"
	"testing"
	"unicode/utf8"
)

// FuzzMatch is the differential check of the matcher: for any pattern, mode,
// case sensitivity and value, Match, MatchFolded and MatchPair agree with
// each other and, for valid UTF-8, with refRegexp. It also checks the round
// trip of the pattern's spelling and that Fold of the value is stable.
func FuzzMatch(f *testing.F) {
	seeds := []struct {
		pattern, in string
	}{
		{"", ""},
		{"*", "abc"},
		{"a?c", "aäc"},
		{`C:\Windows\\*\cmd.exe`, `c:\windows\system32\CMD.EXE`},
		{"*a*a*a*b", "aaaaaaaaab"},
		{"-enc", "powershell -ENC abc"},
		{"ab*ba", "aba"},
		{"*??x*", "äöx"},
		{"*x??", "yxäö"},
		{"ⱥ*", "ȺȺ"},
		{"k", "\u212a"},
		{"i", "İı"},
		{`\\\*?`, `\*x`},
		{"a\xffb", "A\xffB"},
		{"?", "\xc3"},
	}
	for _, s := range seeds {
		for mode := range 4 {
			f.Add(s.pattern, s.in, uint8(mode), false)
			f.Add(s.pattern, s.in, uint8(mode), true)
		}
	}
	f.Fuzz(func(t *testing.T, pattern, in string, mode uint8, cased bool) {
		if len(pattern) > 64 || len(in) > 512 {
			t.Skip()
		}
		p := Parse(pattern)
		if q := Parse(p.String()); q != p {
			t.Fatalf("Parse(%q).String() = %q parses to %q", pattern, p, q)
		}
		if fi := Fold(in); Fold(fi) != fi {
			t.Fatalf("Fold(%q) = %q is not stable", in, fi)
		}
		if !utf8.ValidString(pattern) {
			// Rule text is valid UTF-8 (YAML requires it); for other patterns
			// only ask that nothing panics.
			m := Compile(p, Mode(mode%4), cased)
			m.Match(in)
			m.MatchFolded(Fold(in))
			return
		}
		checkMatch(t, p, Mode(mode%4), cased, in)
	})
}

// FuzzParse checks that every string parses, that the canonical spelling
// round-trips, and that Literal keeps its text.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"", "*", `\`, `\\`, `\\\`, `\\*`, `\\\*`, `C:\Windows\`, `a\?b?`, "é\\é"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p := Parse(s)
		if q := Parse(p.String()); q != p {
			t.Fatalf("Parse(%q).String() = %q parses to %q", s, p, q)
		}
		if got := Parse(p.String()).tokens(); !slices.Equal(got, p.tokens()) {
			t.Fatalf("tokens differ after round trip: %v, %v", got, p.tokens())
		}
		l := Literal(s)
		if got, ok := l.IsPlain(); !ok || got != s {
			t.Fatalf("Literal(%q).IsPlain() = %q, %v", s, got, ok)
		}
		if Parse(l.String()) != l {
			t.Fatalf("Literal(%q) = %q does not round-trip", s, l)
		}
		if s != "" && !Compile(l, Exact, true).Match(s) {
			t.Fatalf("Literal(%q) does not match itself", s)
		}
	})
}
