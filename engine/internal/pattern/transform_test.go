package pattern

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func TestWindash(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want []string // the variants in order; nil means just the input
	}{
		{name: "leading dash", in: "-enc", want: []string{"-enc", "/enc", "–enc", "—enc", "―enc"}},
		{name: "dash after space", in: " -enc ", want: []string{" -enc ", " /enc ", " –enc ", " —enc ", " ―enc "}},
		{name: "leading slash, original first", in: "/c", want: []string{"/c", "-c", "–c", "—c", "―c"}},
		{name: "dash between words", in: "a-b"},
		{name: "slash between words", in: `dir/sub/x`},
		{name: "slash after colon is a flag dash, as in pySigma", in: `C:/Windows/x`, want: []string{
			`C:/Windows/x`, `C:-Windows/x`, `C:–Windows/x`, `C:—Windows/x`, `C:―Windows/x`}},
		{name: "dash before space", in: "a - b"},
		{name: "trailing dash", in: "x -"},
		{name: "double dash varies the second", in: "--x", want: []string{"--x", "-/x", "-–x", "-—x", "-―x"}},
		{name: "dash after star", in: "*-e", want: []string{"*-e", "*/e", "*–e", "*—e", "*―e"}},
		{name: "dash after word then star", in: "a*-e", want: []string{"a*-e", "a*/e", "a*–e", "a*—e", "a*―e"}},
		{name: "dash before star", in: " -*"},
		{name: "dash before question", in: " -?"},
		{name: "dash after letter with accent", in: "é-x"},
		{name: "dash after underscore", in: "_-x"},
		{name: "dash before accented letter", in: " -é", want: []string{" -é", " /é", " –é", " —é", " ―é"}},
		{name: "dash before digit", in: " -1", want: []string{" -1", " /1", " –1", " —1", " ―1"}},
		{name: "dash before underscore", in: " -_", want: []string{" -_", " /_", " –_", " —_", " ―_"}},
		{name: "dash before superscript two is a number", in: " -²", want: []string{" -²", " /²", " –²", " —²", " ―²"}},
		{name: "after literal backslash", in: `\-x`, want: []string{`\-x`, `\/x`, `\–x`, `\—x`, `\―x`}},
		{name: "en dash is not a flag dash", in: " –x"},
		{name: "empty", in: ""},
		{name: "two flag dashes", in: "-a /b", want: []string{
			"-a /b", "-a -b", "-a –b", "-a —b", "-a ―b",
			"/a /b", "/a -b", "/a –b", "/a —b", "/a ―b",
			"–a /b", "–a -b", "–a –b", "–a —b", "–a ―b",
			"—a /b", "—a -b", "—a –b", "—a —b", "—a ―b",
			"―a /b", "―a -b", "―a –b", "―a —b", "―a ―b",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := Parse(tt.in)
			got, err := Windash(p)
			if err != nil {
				t.Fatal(err)
			}
			want := tt.want
			if want == nil {
				want = []string{tt.in}
			}
			var gotS []string
			for _, v := range got {
				gotS = append(gotS, v.String())
			}
			if !slices.Equal(gotS, want) {
				t.Errorf("Windash(%q) = %q, want %q", tt.in, gotS, want)
			}
			if got[0] != p {
				t.Errorf("Windash(%q)[0] = %q, want the input", tt.in, got[0])
			}
		})
	}
}

func TestWindashKeepsWildcards(t *testing.T) {
	t.Parallel()
	p := Parse(`*\\powershell* -e?c *`)
	vs, err := Windash(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 5 {
		t.Fatalf("got %d variants, want 5", len(vs))
	}
	for i, v := range vs {
		want := strings.Replace(p.String(), "-", []string{"-", "/", "–", "—", "―"}[i], 1)
		if v.String() != want {
			t.Errorf("variant %d = %q, want %q", i, v, want)
		}
		m := Compile(v, Exact, false)
		if in := `C:\x\PowerShell.exe ` + []string{"-", "/", "–", "—", "―"}[i] + "ENC abc"; !m.Match(in) {
			t.Errorf("variant %q does not match %q", v, in)
		}
	}
}

func TestWindashCounts(t *testing.T) {
	t.Parallel()
	for n := 0; n <= 6; n++ {
		in := strings.Repeat(" -x", n)
		vs, err := Windash(Parse(in))
		if n > 5 {
			if !errors.Is(err, ErrTooManyVariants) || vs != nil {
				t.Errorf("%d flag dashes: got %d variants and error %v, want ErrTooManyVariants", n, len(vs), err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%d flag dashes: %v", n, err)
		}
		want := 1
		for range n {
			want *= 5
		}
		if len(vs) != want {
			t.Errorf("%d flag dashes: %d variants, want %d", n, len(vs), want)
		}
		seen := make(map[Pattern]bool, len(vs))
		for _, v := range vs {
			if seen[v] {
				t.Errorf("%d flag dashes: duplicate variant %q", n, v)
			}
			seen[v] = true
		}
		if n == 5 && len(vs) != MaxWindashVariants {
			t.Errorf("5 flag dashes give %d variants, MaxWindashVariants is %d", len(vs), MaxWindashVariants)
		}
	}
}

func TestBase64(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"", ""},
		{"a", "YQ=="},
		{"ab", "YWI="},
		{"cmd", "Y21k"},
		{"http://", "aHR0cDovLw=="},
	}
	for _, tt := range tests {
		if got := Base64([]byte(tt.in)); got != tt.want {
			t.Errorf("Base64(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestBase64OffsetVectors checks vectors worked out by hand. For "cmd"
// (63 6d 64):
//
//   - offset 0: base64("cmd") = "Y21k"; 3 bytes fill whole groups, keep all.
//   - offset 1: base64(00 63 6d 64) = "AGNtZA=="; the first 2 characters
//     hold filler bits (6 + 2), so drop them; 4 bytes = 32 bits fill 5 whole
//     characters (30 bits), the 6th shares bits with the next byte: keep
//     characters 2..4, "NtZ".
//   - offset 2: base64(00 00 63 6d 64) = "AABjbWQ="; 16 filler bits touch 3
//     characters; 40 bits fill 6 characters: keep 3..5, "jbW".
//
// For "a" (61) alone, offset 1 has no character made only of its bits, so
// that variant is empty.
func TestBase64OffsetVectors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want [3]string
	}{
		{"cmd", [3]string{"Y21k", "NtZ", "jbW"}},
		{"a", [3]string{"Y", "", "h"}},
		{"ab", [3]string{"YW", "Fi", "hY"}},
		{"http", [3]string{"aHR0c", "h0dH", "odHRw"}},
		{"", [3]string{"", "", ""}},
	}
	for _, tt := range tests {
		got := Base64Offset([]byte(tt.in))
		if !slices.Equal(got, tt.want[:]) {
			t.Errorf("Base64Offset(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestBase64OffsetProperty checks the defining property on random data: the
// encoding of prefix+b+suffix contains the variant for len(prefix)%3, for
// any bytes around b, including none.
func TestBase64OffsetProperty(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 8))
	randBytes := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.UintN(256))
		}
		return b
	}
	for range 20000 {
		b := randBytes(rng.IntN(24))
		vs := Base64Offset(b)
		for range 4 {
			prefix, suffix := randBytes(rng.IntN(10)), randBytes(rng.IntN(10))
			enc := Base64(slices.Concat(prefix, b, suffix))
			if v := vs[len(prefix)%3]; !strings.Contains(enc, v) {
				t.Fatalf("base64(%x|%x|%x) = %q does not contain variant %d %q of %q",
					prefix, b, suffix, enc, len(prefix)%3, v, vs)
			}
		}
	}
}

func TestUTF16(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		in     string
		le, be []byte
	}{
		{"empty", "", []byte{}, []byte{}},
		{"ascii", "cmd", []byte{0x63, 0, 0x6d, 0, 0x64, 0}, []byte{0, 0x63, 0, 0x6d, 0, 0x64}},
		{"latin-1", "é", []byte{0xe9, 0}, []byte{0, 0xe9}},
		{"bmp", "€", []byte{0xac, 0x20}, []byte{0x20, 0xac}},
		{"non-bmp surrogate pair", "😀", []byte{0x3d, 0xd8, 0x00, 0xde}, []byte{0xd8, 0x3d, 0xde, 0x00}},
		{"invalid utf8 becomes U+FFFD", "a\xff", []byte{'a', 0, 0xfd, 0xff}, []byte{0, 'a', 0xff, 0xfd}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := UTF16LE(tt.in); !bytes.Equal(got, tt.le) {
				t.Errorf("UTF16LE(%q) = % x, want % x", tt.in, got, tt.le)
			}
			if got := UTF16BE(tt.in); !bytes.Equal(got, tt.be) {
				t.Errorf("UTF16BE(%q) = % x, want % x", tt.in, got, tt.be)
			}
			if got, want := UTF16(tt.in), append([]byte{0xff, 0xfe}, tt.le...); !bytes.Equal(got, want) {
				t.Errorf("UTF16(%q) = % x, want % x", tt.in, got, want)
			}
		})
	}
}
