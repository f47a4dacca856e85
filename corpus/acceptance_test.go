package corpus_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tanchi-dev/tanchi/corpus"
	"github.com/tanchi-dev/tanchi/engine"
	"github.com/tanchi-dev/tanchi/internal/sharedtest"
	"github.com/tanchi-dev/tanchi/rule"
)

// TestSigmaHQRegressionData runs SigmaHQ's regression_data through the
// case runner, the same way a rule repository runs its own cases: every
// case must pass, and the one folder whose test is a raw log (commented out
// in its info.yml, so it lists no JSON events) is a counted skip.
func TestSigmaHQRegressionData(t *testing.T) {
	dir := sharedtest.Path(t, "sigma")
	eng, err := corpus.LoadEngine([]string{
		filepath.Join(dir, "rules"), filepath.Join(dir, "rules-emerging-threats"), filepath.Join(dir, "rules-threat-hunting"),
	})
	for _, e := range asErrors(err) {
		if !e.Code.Unsupported() {
			t.Errorf("%v", e)
		}
	}
	data := filepath.Join(dir, "regression_data")
	cases, err := corpus.LoadCases(data)
	if err != nil {
		t.Fatal(err)
	}
	var skipped []string
	for _, c := range cases {
		if c.Kind != corpus.KindRegression {
			t.Errorf("%s: a %s case in regression_data", c.Name, c.Kind)
		}
		if c.Skip != "" {
			skipped = append(skipped, c.Name)
		}
	}
	if len(cases) != 137 || !slices.Equal(skipped, []string{"rules/cisco/aaa/cisco_cli_dot1x_disabled"}) {
		t.Errorf("%d cases, skipped %v; want 137 with only the cisco raw-log case skipped", len(cases), skipped)
	}
	corpus.Run(t, eng, data)
	t.Logf("%d passed, 0 failed, %d skipped (unless a subtest above failed)", len(cases)-len(skipped), len(skipped))
}

func asErrors(err error) rule.ErrorList {
	if err == nil {
		return nil
	}
	el, ok := err.(rule.ErrorList)
	if !ok {
		return rule.ErrorList{{Code: rule.ErrIO, Msg: err.Error()}}
	}
	return el
}

// TestGoodlogSigmaHQ runs every SigmaHQ Windows rule over the benign events
// of ../shared/corpora (evtx-rs-parser-samples: real machines' logs, no
// attack) with SigmaHQ's known-FPs.csv, as SigmaHQ's goodlog CI does, and
// lists every unexpected match with the comparisons that made it match.
// The run must complete over every event; the matches themselves are
// findings about the rules, reported and counted, not failures of tanchi.
func TestGoodlogSigmaHQ(t *testing.T) {
	sigma := sharedtest.Path(t, "sigma")
	benign := sharedtest.Path(t, "corpora", "evtx-rs-parser-samples")
	eng, err := corpus.LoadEngine([]string{filepath.Join(sigma, "rules", "windows")})
	for _, e := range asErrors(err) {
		if !e.Code.Unsupported() {
			t.Errorf("%v", e)
		}
	}
	known, err := corpus.LoadKnownFPs(filepath.Join(sigma, "known-FPs.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if len(known) != 78 {
		t.Errorf("%d known false positives read, want the 78 entries of known-FPs.csv", len(known))
	}
	g := &corpus.Goodlog{Engine: eng, Known: known}
	rep, err := g.Run(filepath.Join(benign, "events"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range rep.Errors {
		t.Errorf("unreadable: %v", e)
	}
	var stats struct{ Events int }
	if src, err := os.ReadFile(filepath.Join(benign, "stats.json")); err != nil || json.Unmarshal(src, &stats) != nil {
		t.Fatalf("stats.json: %v", err)
	}
	if rep.Events != stats.Events {
		t.Errorf("read %d events, the corpus has %d", rep.Events, stats.Events)
	}

	// Every unexpected match is listed with its rule, file:line and the
	// comparisons that held.
	type perRule struct {
		r                 *rule.Rule
		unexpected, known int
	}
	byRule := map[string]*perRule{}
	var order []string
	for _, f := range rep.Findings {
		p := byRule[f.Rule.ID]
		if p == nil {
			p = &perRule{r: f.Rule}
			byRule[f.Rule.ID] = p
			order = append(order, f.Rule.ID)
		}
		if f.Unexpected() {
			p.unexpected++
		} else {
			p.known++
		}
		if len(f.Fields) == 0 {
			t.Errorf("%s:%d: %s matched without a reason", f.File, f.Line, f.Rule.ID)
		}
	}
	var b strings.Builder
	results := rep.Results()
	failed := 0
	for _, r := range results {
		if r.Status == corpus.Failed {
			failed++
			b.WriteString(strings.ReplaceAll(r.String(), benign+string(filepath.Separator), ""))
			b.WriteString("\n")
		}
	}
	t.Logf("unexpected matches, with the fields that made them match:\n%s", b.String())
	slices.SortFunc(order, func(a, b string) int {
		return byRule[b].unexpected + byRule[b].known - byRule[a].unexpected - byRule[a].known
	})
	var sum strings.Builder
	unexpected, knownN, medium := 0, 0, 0
	for _, id := range order {
		p := byRule[id]
		fmt.Fprintf(&sum, "%5d unexpected %3d known  %-13s %s %s\n", p.unexpected, p.known, p.r.Level, id, p.r.Title)
		unexpected += p.unexpected
		knownN += p.known
		if p.r.Level.Rank() >= rule.LevelMedium.Rank() {
			medium += p.unexpected
		}
	}
	t.Logf("%d rules over %d events from %d files: %d matches, %d unexpected by %d rules (%d of them by rules at medium or above), %d covered by known-FPs.csv\n%s",
		len(rep.Rules), rep.Events, rep.Files, len(rep.Findings), unexpected, failed, medium, knownN, sum.String())
	if len(rep.Findings) == 0 {
		t.Error("no rule matched any benign event: the run proves nothing about the listing")
	}
	if unexpected != len(rep.Unexpected()) {
		t.Errorf("per-rule counts %d, Unexpected() %d", unexpected, len(rep.Unexpected()))
	}
	// The listing is complete: each unexpected match is one line of its
	// rule's failure.
	lines := 0
	for _, r := range results {
		for _, f := range r.Failures {
			lines += strings.Count(f.Detail, "\n")
		}
	}
	if lines != unexpected {
		t.Errorf("%d listed, %d unexpected", lines, unexpected)
	}
}

// Sanity of the runner against a plain scan: the goodlog findings are
// exactly the engine's matches.
func TestGoodlogEqualsScan(t *testing.T) {
	eng := loadEngine(t, "testdata/cases/rules")
	files := []string{"testdata/cases/macro/events.jsonl", "testdata/cases/benign/events.jsonl"}
	rep, err := (&corpus.Goodlog{Engine: eng}).Run(files...)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	corpus.Walk(files, func(r corpus.Record) error {
		ev, _ := engine.ParseJSON(r.Raw)
		for _, m := range eng.Match(ev) {
			want = append(want, fmt.Sprintf("%s:%d %s", r.File, r.Line, m.Rule.ID))
		}
		return nil
	}, nil)
	var got []string
	for _, f := range rep.Findings {
		got = append(got, fmt.Sprintf("%s:%d %s", f.File, f.Line, f.Rule.ID))
	}
	if !slices.Equal(got, want) || len(got) != 2 || rep.Events != 5 {
		t.Errorf("findings %v, scan %v, %d events", got, want, rep.Events)
	}
}
