package dsl_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tanchi-dev/tanchi/dsl"
)

// TestHostileInputs runs inputs built to be slow or deep (nesting,
// macros and lists that double, comments everywhere): each must parse and
// format in bounded time, which the test's timeout enforces.
func TestHostileInputs(t *testing.T) {
	cases := map[string]string{}
	cases["deep parens"] = "rule \"r\" {\n  condition " + strings.Repeat("(", 15000) + "a" + strings.Repeat(")", 15000) + "\n  a = X == 1\n}\n"
	cases["deep not"] = "rule \"r\" {\n  condition " + strings.Repeat("not ", 15000) + "a\n  a = X == 1\n}\n"
	var b strings.Builder
	for i := 0; i < 3000; i++ {
		fmt.Fprintf(&b, "macro m%d = m%d and m%d\n", i, i+1, i+1)
	}
	b.WriteString("macro m3000 = X == 1\n")
	cases["macro doubling"] = b.String()
	b.Reset()
	for i := 0; i < 3000; i++ {
		fmt.Fprintf(&b, "list l%d = (l%d, l%d)\n", i, i+1, i+1)
	}
	b.WriteString("list l3000 = \"x\"\n")
	cases["list doubling"] = b.String()
	b.Reset()
	b.WriteString("rule \"r\" {\n")
	for i := 0; i < 5000; i++ {
		fmt.Fprintf(&b, "  # c%d\n  s%d = X == %d # t\n", i, i, i)
	}
	b.WriteString("  condition s1\n}\n")
	cases["many comments"] = b.String()
	cases["long or"] = "rule \"r\" {\n  condition a" + strings.Repeat(" or a", 10000) + "\n  a = X == 1\n}\n"
	b.Reset()
	for i := 0; i < 16; i++ {
		fmt.Fprintf(&b, "macro m%d = m%d or m%d\n", i, i+1, i+1)
	}
	b.WriteString("macro m16 = X == 1\n")
	for i := 0; i < 2000; i++ {
		fmt.Fprintf(&b, "rule \"r%d\" {condition m0}\n", i)
	}
	cases["many rules big macro"] = b.String()
	cases["raw strings"] = strings.Repeat("`a` ", 15000)
	cases["unclosed raw"] = strings.Repeat("`", 1) + strings.Repeat("a\n", 30000)
	cases["deep literal"] = "rule \"r\" {\n custom x = " + strings.Repeat("[", 20000) + "\n}\n"
	cases["deep map"] = "rule \"r\" {\n custom x = " + strings.Repeat("{a: ", 10000) + "\n}\n"
	cases["many bad stmts"] = "rule \"r\" {\n" + strings.Repeat("  a = = =\n", 5000) + "}\n"
	cases["many broken decls"] = strings.Repeat("rule \"r\" {\n a b c\n}\n", 3000)
	cases["quotes"] = strings.Repeat("'a' ", 15000)
	cases["deep call"] = "rule \"r\" {\n s = A == " + strings.Repeat("windash(", 10000) + "\n}\n"
	cases["deep paren unclosed"] = "rule \"r\" {\n condition " + strings.Repeat("(", 20000) + "\n}\n"
	cases["deep not paren"] = "rule \"r\" {\n condition " + strings.Repeat("not (", 10000) + "\n}\n"
	for name, src := range cases {
		start := time.Now()
		dsl.Parse("x", []byte(src))
		dsl.Format("x", []byte(src))
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("%s (%d bytes): %v", name, len(src), d)
		}
	}
}
