package pattern_test

import (
	"fmt"

	"github.com/tanchi-dev/tanchi/engine/internal/pattern"
)

func ExampleParse() {
	for _, s := range []string{`C:\Windows\`, `C:\Windows\*`, `C:\Windows\\*`, `\\\*`} {
		p := pattern.Parse(s)
		fmt.Printf("%-16s wildcards=%-5v literals=%q\n", s, p.HasWildcards(), p.Literals())
	}
	// Output:
	// C:\Windows\      wildcards=false literals=["C:\\Windows\\"]
	// C:\Windows\*     wildcards=false literals=["C:\\Windows*"]
	// C:\Windows\\*    wildcards=true  literals=["C:\\Windows\\"]
	// \\\*             wildcards=false literals=["\\*"]
}

func ExampleLiteral() {
	fmt.Println(pattern.Literal(`what?*`))
	fmt.Println(pattern.Literal(`\\server\share`))
	// Output:
	// what\?\*
	// \\\\server\share
}

func ExampleCompile() {
	m := pattern.Compile(pattern.Parse(`\powershell*.exe`), pattern.EndsWith, false)
	fmt.Println(m.Match(`C:\Windows\System32\WindowsPowerShell\v1.0\PowerShell.EXE`))
	fmt.Println(m.Match(`C:\Windows\System32\cmd.exe`))
	// Output:
	// true
	// false
}

// Folding a value once and testing many case-insensitive matchers against
// it: MatchPair takes both forms and uses the one each matcher needs.
func ExampleMatcher_MatchPair() {
	matchers := []*pattern.Matcher{
		pattern.Compile(pattern.Parse(" -enc"), pattern.Contains, false),
		pattern.Compile(pattern.Parse(" -EncodedCommand"), pattern.Contains, true),
	}
	raw := `powershell.exe -NoP -ENC SQBFAFgA`
	folded := pattern.Fold(raw)
	for _, m := range matchers {
		fmt.Println(m, m.MatchPair(raw, folded))
	}
	// Output:
	// contains " -enc" true
	// contains " -EncodedCommand" cased false
}

func ExampleFold() {
	fmt.Println(pattern.Fold("C:\\WINDOWS\\Ärger-ΣΟΦΙΑ"))
	fmt.Println(pattern.Fold("İı") == "İı")
	// Output:
	// c:\windows\ärger-σοφια
	// true
}

func ExampleWindash() {
	vs, err := pattern.Windash(pattern.Parse(" -enc "))
	if err != nil {
		panic(err)
	}
	for _, v := range vs {
		fmt.Printf("%q\n", v.String())
	}
	// Output:
	// " -enc "
	// " /enc "
	// " –enc "
	// " —enc "
	// " ―enc "
}

func ExampleBase64Offset() {
	fmt.Println(pattern.Base64Offset([]byte("http")))
	// Output:
	// [aHR0c h0dH odHRw]
}

func ExampleUTF16() {
	fmt.Printf("% x\n", pattern.UTF16LE("cmd"))
	fmt.Printf("% x\n", pattern.UTF16("cmd"))
	// Output:
	// 63 00 6d 00 64 00
	// ff fe 63 00 6d 00 64 00
}
