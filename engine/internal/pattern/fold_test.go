package pattern

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestFold(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"lower ascii", "powershell.exe", "powershell.exe"},
		{"upper ascii", "POWERSHELL.EXE", "powershell.exe"},
		{"long mixed ascii", `C:\Windows\System32\WindowsPowerShell\v1.0\PowerShell.EXE -NoP`, `c:\windows\system32\windowspowershell\v1.0\powershell.exe -nop`},
		{"ascii boundaries", "@AZ[`az{", "@az[`az{"},
		{"umlauts", "ÄÖÜäöü", "äöüäöü"},
		{"german sharp s", "STRAẞE", "straße"},
		{"long s", "ſ", "s"},
		{"final sigma", "ΣΑΣ ς", "σασ σ"},
		{"kelvin sign", "\u212a", "k"},
		{"angstrom sign", "\u212b", "å"},
		{"cyrillic", "ПРИВЕТ", "привет"},
		{"turkish dotted capital I stays", "İ", "İ"},
		{"turkish dotless small i stays", "ı", "ı"},
		{"capital I folds to i", "I", "i"},
		{"cherokee folds to small letters", "\u13a0\uab70", "\uab70\uab70"},
		{"grows: capital A with stroke", "Ⱥ", "ⱥ"},
		{"invalid utf8 kept", "A\xffB\xc3", "a\xffb\xc3"},
		{"real replacement char kept", "\ufffdA", "\ufffda"},
		{"non-BMP", "𐐀𐐨", "𐐨𐐨"}, // Deseret
		{"after non-ascii, ascii chunks", "ÄAAAAAAAAAAAAAAAAB", "äaaaaaaaaaaaaaaaab"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Fold(tt.in); got != tt.want {
				t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if got := string(AppendFold([]byte("x"), tt.in)); got != "x"+tt.want {
				t.Errorf("AppendFold(x, %q) = %q, want %q", tt.in, got, "x"+tt.want)
			}
			if utf8.ValidString(tt.in) && !strings.EqualFold(tt.in, tt.want) {
				t.Errorf("EqualFold(%q, %q) = false", tt.in, tt.want)
			}
		})
	}
}

func TestFoldNoAlloc(t *testing.T) {
	folded := strings.Repeat(`c:\windows\system32\cmd.exe /c ä `, 8)
	if a := testing.AllocsPerRun(100, func() { _ = Fold(folded) }); a != 0 {
		t.Errorf("Fold of an already folded string: %v allocs, want 0", a)
	}
	upper := strings.ToUpper(folded)
	buf := make([]byte, 0, 2*len(upper))
	if a := testing.AllocsPerRun(100, func() { buf = AppendFold(buf[:0], upper) }); a != 0 {
		t.Errorf("AppendFold into a large enough buffer: %v allocs, want 0", a)
	}
}

// orbit returns the simple case-folding class of r, as used by
// strings.EqualFold and regexp's (?i).
func orbit(r rune) []rune {
	o := []rune{r}
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		o = append(o, f)
	}
	return o
}

// TestFoldRuneAllRunes checks, over every rune, that foldRune picks one
// member of each simple case-folding class: the fold of r is in r's class
// and is the same for every member. Together this gives
// foldRune(a) == foldRune(b) exactly when a and b are EqualFold.
func TestFoldRuneAllRunes(t *testing.T) {
	t.Parallel()
	for r := rune(0); r <= unicode.MaxRune; r++ {
		f := foldRune(r)
		if r < rune(len(foldTable)) && f != foldRuneSlow(r) {
			t.Fatalf("foldTable[%U] = %U, want %U", r, f, foldRuneSlow(r))
		}
		if utf8.ValidRune(r) && 2*utf8.RuneLen(f) > 3*utf8.RuneLen(r) {
			// Matcher.matchFolding's stack buffer relies on this bound.
			t.Fatalf("foldRune(%U) = %U grows by more than half", r, f)
		}
		if unicode.SimpleFold(r) == r {
			if f != r {
				t.Fatalf("foldRune(%U) = %U, but %U has no case", r, f, r)
			}
			continue
		}
		o := orbit(r)
		found := false
		for _, x := range o {
			found = found || x == f
			if g := foldRune(x); g != f {
				t.Fatalf("foldRune(%U) = %U but foldRune(%U) = %U, same class %U", r, f, x, g, o)
			}
		}
		if !found {
			t.Fatalf("foldRune(%U) = %U, outside its class %U", r, f, o)
		}
	}
}

// TestNoFoldTargets checks the premise of Matcher.noFold: no rune other than
// an ASCII non-letter itself folds to that ASCII non-letter.
func TestNoFoldTargets(t *testing.T) {
	t.Parallel()
	for r := rune(0); r <= unicode.MaxRune; r++ {
		f := foldRune(r)
		if f != r && f < utf8.RuneSelf && letterlessASCII(string(f)) {
			t.Fatalf("foldRune(%U) = %q, an ASCII non-letter", r, f)
		}
	}
}

// TestFoldEqualFold checks Fold(a) == Fold(b) ⇔ strings.EqualFold(a, b) on
// random strings over an alphabet of runes with tricky case rules.
func TestFoldEqualFold(t *testing.T) {
	t.Parallel()
	alphabet := []rune("aAkKsSiIİıßẞσςΣäÄ\u212a\u212bſ\u0345ιΙ")
	rng := rand.New(rand.NewPCG(3, 4))
	gen := func() string {
		rs := make([]rune, rng.IntN(4))
		for i := range rs {
			rs[i] = alphabet[rng.IntN(len(alphabet))]
		}
		return string(rs)
	}
	for range 50000 {
		a, b := gen(), gen()
		if got, want := Fold(a) == Fold(b), strings.EqualFold(a, b); got != want {
			t.Fatalf("Fold(%q) == Fold(%q) is %v, EqualFold is %v", a, b, got, want)
		}
	}
}

// TestFoldPrefixSuffix checks the compare-while-folding helpers against
// folding first, on random values that include invalid UTF-8. The literals
// are valid UTF-8, as pattern text from a rule is.
func TestFoldPrefixSuffix(t *testing.T) {
	t.Parallel()
	pieces := []string{"a", "A", "k", "\u212a", "ä", "Ä", "\xff", "\xc3", "\xa4", "\ufffd", "Ⱥ", "ⱥ", "İ", "i"}
	rng := rand.New(rand.NewPCG(5, 6))
	gen := func(n int, valid bool) string {
		var b strings.Builder
		for range rng.IntN(n) {
			p := pieces[rng.IntN(len(pieces))]
			if valid && !utf8.ValidString(p) {
				continue
			}
			b.WriteString(p)
		}
		return b.String()
	}
	for range 100000 {
		s, l := gen(6, false), Fold(gen(3, true))
		fs := Fold(s)
		n, ok := foldPrefix(s, l)
		if want := strings.HasPrefix(fs, l); ok != want {
			t.Fatalf("foldPrefix(%q, %q) = %v, want %v", s, l, ok, want)
		}
		if ok && Fold(s[:n]) != l {
			t.Fatalf("foldPrefix(%q, %q) = %d: Fold(%q) != %q", s, l, n, s[:n], l)
		}
		i, ok := foldSuffix(s, l)
		if want := strings.HasSuffix(fs, l); ok != want {
			t.Fatalf("foldSuffix(%q, %q) = %v, want %v", s, l, ok, want)
		}
		if ok && Fold(s[i:]) != l {
			t.Fatalf("foldSuffix(%q, %q) = %d: Fold(%q) != %q", s, l, i, s[i:], l)
		}
	}
}
