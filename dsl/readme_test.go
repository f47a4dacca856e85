package dsl_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tanchi-dev/tanchi/dsl"
)

// TestReadmeExamples keeps README.md true: after each marker
// <!-- ExampleName --> comes a tdl code block that must be the source the
// example of that name parses (so go test checks its output), every
// example that parses a source has its marker, and every block is in the
// canonical layout. go test ./dsl -run TestReadmeExamples -update rewrites
// the blocks from the examples.
func TestReadmeExamples(t *testing.T) {
	srcs := exampleSources(t)
	if len(srcs) < 20 {
		t.Fatalf("found %d examples with a source, want at least 20", len(srcs))
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	block := regexp.MustCompile("(?s)<!-- (Example\\w*) -->\n```tdl\n(.*?)```\n")
	seen := map[string]bool{}
	out := block.ReplaceAllStringFunc(string(readme), func(m string) string {
		sub := block.FindStringSubmatch(m)
		name, got := sub[1], sub[2]
		seen[name] = true
		want, ok := srcs[name]
		if !ok {
			t.Errorf("README.md shows %s, which has no source in example_test.go", name)
			return m
		}
		if got != want && !*update {
			t.Errorf("README.md block of %s differs from the example (-example +readme):\n%s", name, cmp.Diff(want, got))
		}
		return "<!-- " + name + " -->\n```tdl\n" + want + "```\n"
	})
	for name, src := range srcs {
		if !seen[name] {
			t.Errorf("README.md has no <!-- %s --> block", name)
		}
		if name == "ExampleFormat" || name == "ExampleParse_errors" {
			continue // not formatted on purpose
		}
		if f, err := dsl.Format(name, []byte(src)); err != nil || string(f) != src {
			t.Errorf("%s: source is not in the canonical layout (%v):\n%s", name, err, cmp.Diff(src, string(f)))
		}
	}
	if *update {
		if err := os.WriteFile("README.md", []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// exampleSources returns, per Example function of example_test.go, the
// rule-language source it parses: the first argument of show, dsl.Parse
// ([]byte(...)) or dsl.Format.
func exampleSources(t *testing.T) map[string]string {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "example_test.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || !strings.HasPrefix(fn.Name.Name, "Example") {
			continue
		}
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			var arg ast.Expr
			switch fun := call.Fun.(type) {
			case *ast.Ident:
				if fun.Name == "show" {
					arg = call.Args[0]
				}
			case *ast.SelectorExpr:
				if x, ok := fun.X.(*ast.Ident); ok && x.Name == "dsl" && (fun.Sel.Name == "Parse" || fun.Sel.Name == "Format") && len(call.Args) == 2 {
					if conv, ok := call.Args[1].(*ast.CallExpr); ok && len(conv.Args) == 1 {
						arg = conv.Args[0]
					}
				}
			}
			if arg == nil {
				return true
			}
			if s, ok := stringValue(arg); ok {
				if _, dup := out[fn.Name.Name]; !dup {
					out[fn.Name.Name] = s
				}
			}
			return true
		})
	}
	return out
}

// stringValue evaluates string literals joined by + and the constant bt.
func stringValue(e ast.Expr) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(e.Value)
		return s, err == nil
	case *ast.Ident:
		if e.Name == "bt" {
			return bt, true
		}
	case *ast.BinaryExpr:
		if e.Op == token.ADD {
			a, ok1 := stringValue(e.X)
			b, ok2 := stringValue(e.Y)
			return a + b, ok1 && ok2
		}
	}
	return "", false
}
