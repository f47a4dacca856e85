package layering

import (
	"encoding/json"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/tanchi-dev/tanchi/"

// allowed lists, for each package, the project packages it may import
// directly. A package missing from the table may import nothing of ours.
var allowed = map[string][]string{
	"rule":                    {},
	"rule/sigma":              {"rule"},
	"dsl":                     {"rule", "dsl/internal/grammar"},
	"rule/load":               {"rule", "rule/sigma", "dsl"},
	"engine":                  {"rule", "engine/internal/pattern", "engine/internal/aho"},
	"engine/internal/aho":     {},
	"corpus":                  {"rule", "rule/load", "engine"},
	"learn":                   {"rule", "rule/load", "rule/sigma", "dsl", "engine", "corpus"},
	"cmd/tanchi":              {"rule", "rule/load", "rule/sigma", "dsl", "engine", "corpus", "learn"},
	"bench":                   {"corpus"},
	"bench/lanegen":           {"bench"},
	"bench/agentmem":          {"rule/load", "engine"},
	"examples":                {},
	"internal/layering":       {},
	"internal/sharedtest":     {},
	"dsl/internal/grammar":    {},
	"engine/internal/pattern": {},
}

func TestImportsPointOneWay(t *testing.T) {
	out, err := exec.Command("go", "list", "-json=ImportPath,Imports", module+"...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	seen := 0
	for dec.More() {
		var p struct {
			ImportPath string
			Imports    []string
		}
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		seen++
		name := strings.TrimPrefix(withoutVariant(p.ImportPath), module)
		ok, known := allowed[name]
		if !known {
			t.Errorf("package %s is not in the layering table: add it with the packages it may import", name)
			continue
		}
		for _, imp := range p.Imports {
			if !strings.HasPrefix(imp, module) {
				continue
			}
			dep := strings.TrimPrefix(withoutVariant(imp), module)
			if !slices.Contains(ok, dep) {
				t.Errorf("%s imports %s, which the layering does not allow", name, dep)
			}
		}
	}
	if seen < 10 {
		t.Fatalf("go list saw only %d packages", seen)
	}
}

// withoutVariant returns a package path without the program go list names
// after a variant built for it ("pkg [program]": the packages a program's
// PGO profile compiles anew).
func withoutVariant(path string) string {
	p, _, _ := strings.Cut(path, " [")
	return p
}
