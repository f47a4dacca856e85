package engine_test

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tanchi-dev/tanchi/corpus"
	"github.com/tanchi-dev/tanchi/engine"
	"github.com/tanchi-dev/tanchi/internal/sharedtest"
	"github.com/tanchi-dev/tanchi/rule"
	"github.com/tanchi-dev/tanchi/rule/load"
)

var sigmaHQ struct {
	once    sync.Once
	set     *rule.Set
	indexed *engine.Engine
	brute   *engine.Engine
	err     error
}

// loadSigmaHQ compiles every SigmaHQ rule once for the tests in this file.
func loadSigmaHQ(t *testing.T) (*rule.Set, *engine.Engine, *engine.Engine) {
	t.Helper()
	dir := sharedtest.Path(t, "sigma")
	sigmaHQ.once.Do(func() {
		var paths []string
		for _, d := range []string{"rules", "rules-emerging-threats", "rules-threat-hunting"} {
			paths = append(paths, filepath.Join(dir, d))
		}
		set, err := load.Paths(paths...)
		if err != nil {
			sigmaHQ.err = err
			return
		}
		sigmaHQ.set = set
		// Rules needing placeholder values are reported, not compiled;
		// everything else must compile.
		sigmaHQ.indexed, err = engine.Compile(set.Rules)
		sigmaHQ.err = onlyUnsupported(err)
		if sigmaHQ.err == nil {
			sigmaHQ.brute, err = engine.Compile(set.Rules, engine.WithoutIndex())
			sigmaHQ.err = onlyUnsupported(err)
		}
	})
	if sigmaHQ.err != nil {
		t.Fatal(sigmaHQ.err)
	}
	return sigmaHQ.set, sigmaHQ.indexed, sigmaHQ.brute
}

func onlyUnsupported(err error) error {
	var el rule.ErrorList
	if !errors.As(err, &el) {
		return err
	}
	var bad rule.ErrorList
	for _, e := range el {
		if !e.Code.Unsupported() {
			bad = append(bad, e)
		}
	}
	return bad.Err()
}

func TestSigmaHQRulesCompile(t *testing.T) {
	set, eng, _ := loadSigmaHQ(t)
	got := len(eng.Rules())
	t.Logf("%d of %d SigmaHQ rules compiled", got, len(set.Rules))
	// The only rules left out are the ones whose |expand placeholders
	// have no values; at the pinned SigmaHQ commit there are two.
	if missing := len(set.Rules) - got; missing > 2 {
		t.Errorf("%d rules did not compile, want at most 2 (placeholder rules)", missing)
	}
}

// matchIDs runs eng over ev and returns the matching rule ids, sorted.
func matchIDs(eng *engine.Engine, ev engine.Event) []string {
	var ids []string
	for _, m := range eng.MatchAll(ev) {
		ids = append(ids, m.Rule.ID)
	}
	slices.Sort(ids)
	return ids
}

// TestDifferentialSigmaHQ checks that the indexed engine (routing table and
// CEL programs) and the brute-force engine (per-rule routing and a direct
// tree walk) agree on every regression event and on a sample of every
// corpus file.
func TestDifferentialSigmaHQ(t *testing.T) {
	_, indexed, brute := loadSigmaHQ(t)
	shared := sharedtest.Dir(t)
	var files []string
	for _, root := range []string{"sigma/regression_data", "corpora"} {
		filepath.WalkDir(filepath.Join(shared, root), func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && corpus.IsEventFile(p) {
				files = append(files, p)
			}
			return nil
		})
	}
	if len(files) < 100 {
		t.Fatalf("found only %d event files under %s", len(files), shared)
	}
	perFile := 40
	if testing.Short() {
		perFile = 10
	}
	events, matched, matches := 0, 0, 0
	var raw engine.RawJSON
	for _, f := range files {
		n := 0
		err := corpus.Walk([]string{f}, func(r corpus.Record) error {
			if n >= perFile {
				return errStop
			}
			n++
			ev, err := engine.ParseJSON(r.Raw)
			if err != nil {
				return nil
			}
			events++
			a, b := matchIDs(indexed, ev), matchIDs(brute, ev)
			if diff := cmp.Diff(b, a); diff != "" {
				t.Errorf("%s:%d: indexed and brute-force engines disagree (-brute +indexed):\n%s", r.File, r.Line, diff)
			}
			// The indexed engine on the same event read by RawJSON, as
			// tanchi scan reads it.
			if err := raw.Reset(r.Raw); err != nil {
				t.Errorf("%s:%d: RawJSON: %v", r.File, r.Line, err)
				return nil
			}
			if diff := cmp.Diff(b, matchIDs(indexed, &raw)); diff != "" {
				t.Errorf("%s:%d: indexed engine on RawJSON and brute force disagree (-brute +indexed):\n%s", r.File, r.Line, diff)
			}
			if len(a) > 0 {
				matched++
				matches += len(a)
			}
			return nil
		}, func(error) {})
		if err != nil && !errors.Is(err, errStop) {
			t.Errorf("%s: %v", f, err)
		}
	}
	t.Logf("%d events from %d files, %d matched (%d matches)", events, len(files), matched, matches)
	if matched == 0 {
		t.Error("no event matched any rule: the comparison proves nothing")
	}
}

var errStop = fmt.Errorf("stop")

// TestRegressionDataSigmaHQ runs SigmaHQ's regression tests through the
// corpus runner: every case must pass (or be a documented skip).
func TestRegressionDataSigmaHQ(t *testing.T) {
	_, eng, _ := loadSigmaHQ(t)
	cases, err := corpus.LoadRegression(sharedtest.Path(t, "sigma", "regression_data"))
	if err != nil {
		t.Fatal(err)
	}
	pass, skip := 0, 0
	for _, c := range cases {
		res := c.Run(eng)
		switch {
		case res.Skipped:
			skip++
			t.Logf("%s", res)
		case res.Pass:
			pass++
		default:
			t.Errorf("%s", res)
		}
	}
	t.Logf("%d passed, %d skipped of %d cases", pass, skip, len(cases))
	if skip > 1 {
		t.Errorf("%d cases skipped; only the raw-log cisco case has no events", skip)
	}
}
