package dsl_test

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tanchi-dev/tanchi/corpus"
	"github.com/tanchi-dev/tanchi/dsl"
	"github.com/tanchi-dev/tanchi/engine"
	"github.com/tanchi-dev/tanchi/internal/sharedtest"
	"github.com/tanchi-dev/tanchi/rule"
	"github.com/tanchi-dev/tanchi/rule/sigma"
)

// modelOpts compares models read from different syntaxes: positions differ,
// and the DSL writes modifiers in one canonical order (what they mean, the
// other Match fields, must be equal).
var modelOpts = []cmp.Option{
	cmpopts.IgnoreTypes(rule.Pos{}),
	cmpopts.EquateEmpty(),
	cmpopts.IgnoreFields(rule.Match{}, "Modifiers"),
	cmpopts.IgnoreFields(rule.Set{}, "Files"),
}

// converted is SigmaHQ read from YAML and read again after conversion to
// the DSL, once for all tests of this file.
var converted struct {
	once       sync.Once
	orig, conv []*rule.Rule
	files      int
	problems   []string
}

func convertSigmaHQ(t *testing.T) ([]*rule.Rule, []*rule.Rule) {
	t.Helper()
	dir := sharedtest.Path(t, "sigma")
	converted.once.Do(func() {
		var files []string
		for _, d := range []string{"rules", "rules-emerging-threats", "rules-threat-hunting"} {
			filepath.WalkDir(filepath.Join(dir, d), func(p string, de fs.DirEntry, err error) error {
				if err == nil && !de.IsDir() && sigma.IsRuleFile(p) {
					files = append(files, p)
				}
				return nil
			})
		}
		slices.Sort(files)
		converted.files = len(files)
		type result struct {
			orig, conv []*rule.Rule
			problem    string
		}
		results := make([]result, len(files))
		var wg sync.WaitGroup
		next := make(chan int)
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range next {
					o, c, p := convertFile(files[i])
					results[i] = result{o, c, p}
				}
			}()
		}
		for i := range files {
			next <- i
		}
		close(next)
		wg.Wait()
		for _, r := range results {
			converted.orig = append(converted.orig, r.orig...)
			converted.conv = append(converted.conv, r.conv...)
			if r.problem != "" {
				converted.problems = append(converted.problems, r.problem)
			}
		}
	})
	for _, p := range converted.problems {
		t.Error(p)
	}
	if converted.files < 3000 {
		t.Fatalf("found only %d SigmaHQ rule files", converted.files)
	}
	return converted.orig, converted.conv
}

// convertFile converts one Sigma file to the DSL and back and checks the
// round trip: the DSL parses, formatting is idempotent, the model is the
// same.
func convertFile(path string) (orig, conv []*rule.Rule, problem string) {
	set, err := sigma.ParseFile(path)
	if err != nil {
		return nil, nil, fmt.Sprintf("%s: Sigma reader: %v", path, err)
	}
	src, err := dsl.FromSet(set)
	if err != nil {
		return nil, nil, fmt.Sprintf("%s: FromSet: %v", path, err)
	}
	name := path + ".tdl"
	back, err := dsl.Parse(name, src)
	if err != nil {
		return nil, nil, fmt.Sprintf("%s: converted DSL does not parse: %s\n%s", path, detail(err), src)
	}
	again, err := dsl.Format(name, src)
	if err != nil {
		return nil, nil, fmt.Sprintf("%s: Format: %v", path, err)
	}
	if d := cmp.Diff(string(src), string(again)); d != "" {
		return nil, nil, fmt.Sprintf("%s: Format(FromSet(x)) != FromSet(x) (-converted +formatted):\n%s", path, d)
	}
	if d := cmp.Diff(set, back, modelOpts...); d != "" {
		return nil, nil, fmt.Sprintf("%s: model after Sigma -> DSL -> model differs (-sigma +dsl):\n%s", path, d)
	}
	// Modifier chains must mean the same thing: SetModifiers of the DSL's
	// chain derives the same match.
	for i, r := range back.Rules {
		if p := sameModifiers(set.Rules[i], r); p != "" {
			return nil, nil, fmt.Sprintf("%s: %s", path, p)
		}
	}
	return set.Rules, back.Rules, ""
}

func sameModifiers(a, b *rule.Rule) string {
	var am, bm []*rule.Match
	collect := func(out *[]*rule.Match) func(rule.Expr) bool {
		return func(e rule.Expr) bool {
			if m, ok := e.(*rule.Match); ok {
				*out = append(*out, m)
			}
			return true
		}
	}
	for _, s := range a.Selections {
		rule.Walk(s.Expr, collect(&am))
	}
	for _, s := range b.Selections {
		rule.Walk(s.Expr, collect(&bm))
	}
	for i := range min(len(am), len(bm)) {
		x := &rule.Match{Field: bm[i].Field}
		if err := x.SetModifiers(bm[i].Modifiers); err != nil {
			return fmt.Sprintf("DSL modifiers %v do not validate: %v", bm[i].Modifiers, err)
		}
		y := &rule.Match{Field: am[i].Field}
		y.SetModifiers(am[i].Modifiers)
		if d := cmp.Diff(y, x, cmpopts.IgnoreFields(rule.Match{}, "Modifiers"), cmpopts.EquateEmpty()); d != "" {
			return fmt.Sprintf("modifiers %v (Sigma) and %v (DSL) differ:\n%s", am[i].Modifiers, bm[i].Modifiers, d)
		}
	}
	return ""
}

func detail(err error) string {
	var el rule.ErrorList
	if !errors.As(err, &el) {
		return err.Error()
	}
	s := ""
	for _, e := range el {
		s += e.Detail() + "\n"
	}
	return s
}

// TestSigmaHQConversion is the acceptance test of the DSL: every SigmaHQ
// rule converts to the DSL and back to the same model, and the converted
// rules raise exactly the detections of the originals on every regression
// event and a sample of every corpus file.
func TestSigmaHQConversion(t *testing.T) {
	start := time.Now()
	orig, conv := convertSigmaHQ(t)
	t.Logf("converted in %v", time.Since(start).Round(time.Millisecond))
	if len(orig) != len(conv) {
		t.Fatalf("%d rules read, %d converted", len(orig), len(conv))
	}
	a, errA := engine.Compile(orig)
	b, errB := engine.Compile(conv)
	if d := cmp.Diff(problemIDs(errA), problemIDs(errB)); d != "" {
		t.Errorf("compile problems differ (-sigma +dsl):\n%s", d)
	}
	if len(a.Rules()) != len(b.Rules()) || len(a.Rules()) < 3000 {
		t.Fatalf("compiled %d Sigma rules and %d converted rules", len(a.Rules()), len(b.Rules()))
	}
	t.Logf("compiled in %v", time.Since(start).Round(time.Millisecond))
	shared := sharedtest.Dir(t)
	perFile := 40
	if testing.Short() {
		perFile = 10
	}
	var files []string
	regression := filepath.Join(shared, "sigma", "regression_data")
	for _, root := range []string{regression, filepath.Join(shared, "corpora")} {
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && corpus.IsEventFile(p) {
				files = append(files, p)
			}
			return nil
		})
	}
	// Files are compared on two goroutines; engines are safe for
	// concurrent use.
	var mu sync.Mutex
	events, detections, diffs := 0, 0, 0
	work := make(chan string)
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range work {
				e, d, x := compareFile(t, a, b, f, regression, perFile)
				mu.Lock()
				events, detections, diffs = events+e, detections+d, diffs+x
				mu.Unlock()
			}
		}()
	}
	for _, f := range files {
		work <- f
	}
	close(work)
	wg.Wait()
	t.Logf("%d rule files converted (%d rules); %d events from %d files; %d detections compared; %d differences",
		converted.files, len(conv), events, len(files), detections, diffs)
	if detections == 0 {
		t.Error("no detections: the comparison proves nothing")
	}
}

// compareFile matches the events of one file (every one under regression,
// the first perFile elsewhere) with both engines and reports differences.
func compareFile(t *testing.T, a, b *engine.Engine, f, regression string, perFile int) (events, detections, diffs int) {
	limit := perFile
	if rel, _ := filepath.Rel(regression, f); !filepath.IsAbs(rel) && rel[0] != '.' {
		limit = -1 // every regression event
	}
	n := 0
	err := corpus.Walk([]string{f}, func(r corpus.Record) error {
		if limit >= 0 && n >= limit {
			return errStop
		}
		n++
		ev, err := engine.ParseJSON(r.Raw)
		if err != nil {
			return nil
		}
		events++
		x, y := matchIDs(a, ev), matchIDs(b, ev)
		detections += len(x)
		if d := cmp.Diff(x, y); d != "" {
			diffs++
			t.Errorf("%s:%d: detections differ (-sigma +dsl):\n%s", r.File, r.Line, d)
		}
		return nil
	}, func(error) {})
	if err != nil && !errors.Is(err, errStop) {
		t.Errorf("%s: %v", f, err)
	}
	return events, detections, diffs
}

var errStop = errors.New("stop")

func matchIDs(eng *engine.Engine, ev engine.Event) []string {
	var ids []string
	for _, m := range eng.MatchAll(ev) {
		ids = append(ids, m.Rule.ID)
	}
	slices.Sort(ids)
	return ids
}

func problemIDs(err error) []string {
	var el rule.ErrorList
	errors.As(err, &el)
	var out []string
	for _, e := range el {
		out = append(out, fmt.Sprintf("%s %s", e.RuleID, e.Code))
	}
	slices.Sort(out)
	return out
}
