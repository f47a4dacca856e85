package engine

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/cel-go/cel"

	"github.com/tanchi-dev/tanchi/internal/sharedtest"
	"github.com/tanchi-dev/tanchi/rule/load"
)

// TestCELFormAgreesWithTree checks that the CEL form of every SigmaHQ rule
// (Engine.CEL, what the condition means) compiles and, run in cel-go,
// gives the same value as the rule's compiled condition on every event of
// SigmaHQ's regression data, for every rule the event routes to.
func TestCELFormAgreesWithTree(t *testing.T) {
	dir := sharedtest.Path(t, "sigma")
	var paths []string
	for _, d := range []string{"rules", "rules-emerging-threats", "rules-threat-hunting"} {
		paths = append(paths, filepath.Join(dir, d))
	}
	set, _ := load.Paths(paths...)
	e, _ := Compile(set.Rules)
	if len(e.rules) < 3000 {
		t.Fatalf("only %d rules compiled", len(e.rules))
	}
	env, err := celEnv()
	if err != nil {
		t.Fatal(err)
	}
	prgs := make([]cel.Program, len(e.rules))
	for i, cr := range e.rules {
		src, err := celExpr(cr.rule.Condition, cr.rule)
		if err != nil {
			t.Fatalf("%s: %v", cr.rule.ID, err)
		}
		ast, iss := env.Compile(src)
		if iss.Err() != nil {
			t.Fatalf("%s: the CEL form does not compile: %v\n%s", cr.rule.ID, iss.Err(), src)
		}
		if prgs[i], err = env.Program(ast, cel.CustomDecorator(e.celAtoms.decorator())); err != nil {
			t.Fatalf("%s: %v", cr.rule.ID, err)
		}
	}
	var events []Event
	filepath.WalkDir(filepath.Join(dir, "regression_data"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".json") {
			return nil
		}
		raw, err := os.ReadFile(p)
		if err != nil {
			return nil
		}
		if ev, err := ParseJSON(raw); err == nil {
			events = append(events, ev)
		}
		return nil
	})
	if len(events) < 100 {
		t.Fatalf("only %d regression events", len(events))
	}
	evals, held := 0, 0
	for _, ev := range events {
		c := e.bareCtx(ev)
		act := &activation{ev: eventVal{c}}
		for i, cr := range e.rules {
			if !routes(cr.rule.Logsource, c.src) {
				continue
			}
			v, _, err := prgs[i].Eval(act)
			if err != nil {
				t.Fatalf("%s: CEL evaluation: %v", cr.rule.ID, err)
			}
			got, want := v.Value() == true, cr.tree.eval(c)
			if got != want {
				t.Errorf("%s: CEL form says %v, the compiled condition %v", cr.rule.ID, got, want)
			}
			evals++
			if want {
				held++
			}
		}
	}
	t.Logf("%d events, %d rule evaluations, %d true", len(events), evals, held)
	if held == 0 {
		t.Error("no condition held: the comparison proves nothing")
	}
}
