package engine

import (
	"bufio"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The amd64 kernels (marks, join, Teddy) use 256-bit registers, and one
// of Teddy's 512-bit ones. On the machines tanchi is measured on, a
// legacy SSE instruction (one without the VEX prefix, such as MOVD) run
// while the upper halves of the Y (or Z) registers hold data costs about
// 130 ns: a one-instruction slip of that kind in Teddy's setup cost more
// than the search itself on every short value. TestAVXKernelsStayVEX
// reads the kernels' source and fails on an SSE instruction after a Y or
// Z register is used, or a return without VZEROUPPER after one (the Go
// code the kernel returns to uses SSE).
func TestAVXKernelsStayVEX(t *testing.T) {
	var files []string
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(path, "_amd64.s") {
			files = append(files, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no amd64 kernels found")
	}
	for _, path := range files {
		for _, p := range sseAfterAVX(t, path) {
			t.Error(p)
		}
	}
}

var (
	wideReg = regexp.MustCompile(`\b[YZ]\d+\b`) // a Y or Z register
	xReg    = regexp.MustCompile(`\bX\d+\b`)
)

// sseAfterAVX returns the problems found in the assembly file at path:
// each as "file:line: what".
func sseAfterAVX(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var problems []string
	dirty := false            // a Y register was used since the last VZEROUPPER
	wide := map[string]bool{} // macros that use Y registers
	macro := ""               // the macro being defined
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		text := sc.Text()
		if i := strings.Index(text, "//"); i >= 0 {
			text = text[:i]
		}
		text = strings.TrimSpace(text)
		more := strings.HasSuffix(text, `\`)
		text = strings.TrimSpace(strings.TrimSuffix(text, `\`))
		if name, ok := strings.CutPrefix(text, "#define "); ok {
			macro, text, _ = strings.Cut(strings.TrimSpace(name), " ")
		}
		if macro != "" {
			wide[macro] = wide[macro] || wideReg.MatchString(text)
			if !more {
				macro = ""
			}
			continue
		}
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		op, _, _ := strings.Cut(text, " ")
		op, _, _ = strings.Cut(op, "\t")
		switch {
		case op == "TEXT", op == "VZEROUPPER":
			dirty = false
		case op == "RET" && dirty:
			problems = append(problems, path+":"+strconv.Itoa(line)+": RET with Y or Z registers in use (no VZEROUPPER)")
		case wideReg.MatchString(text), wide[op]:
			dirty = true
		case dirty && xReg.MatchString(text) && !strings.HasPrefix(op, "V"):
			problems = append(problems, path+":"+strconv.Itoa(line)+": SSE instruction "+op+" after a Y or Z register was used (use its VEX form)")
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return problems
}
