package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tanchi-dev/tanchi/corpus"
	"github.com/tanchi-dev/tanchi/engine"
	"github.com/tanchi-dev/tanchi/rule"
)

// runTest runs rule tests: the case directories given (tanchi cases,
// SigmaHQ regression folders, golden cases), the tests attached to the
// loaded rules, and with --goodlog every rule over benign events. It ends
// with "N passed, N failed[, N skipped]" and exits 1 when anything failed.
func runTest(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("test", testUsage)
	var o loadOptions
	var rules, regressions, goodlogs, knownFiles multi
	fs.Var(&rules, "r", "rule file or directory (repeatable)")
	fs.StringVar(&o.mapping, "mapping", "", "field mapping YAML")
	fs.StringVar(&o.placeholders, "placeholders", "", "YAML map of |expand placeholder names to value lists")
	fs.Var(&regressions, "regression", "directory in SigmaHQ's regression_data layout (repeatable; the same as giving it as a CASEDIR)")
	fs.Var(&goodlogs, "goodlog", "benign event file or directory: any match not listed with --known-fps fails (repeatable)")
	fs.Var(&knownFiles, "known-fps", "known false positives for --goodlog, SigmaHQ's known-FPs.csv format: RuleId;RuleName;MatchString (repeatable)")
	minLevel := fs.String("min-level", "", "with --goodlog, run only rules of this level or above (SigmaHQ's goodlog CI uses medium)")
	coverage := fs.Bool("coverage", false, "list rules without a test case, and fields rules read that no event reaching them carries")
	asJSON := fs.Bool("json", false, "print the results as one JSON object (the closing line goes to standard error)")
	junit := fs.String("junit", "", "also write the results as JUnit XML to this file")
	update := fs.Bool("update", false, "rewrite the golden want.jsonl files instead of comparing them")
	verbose := fs.Bool("v", false, "print every case, not only failures and skips")
	dirs, ok := parse(fs, args, stderr)
	if !ok {
		return exitUsage
	}
	o.rules = rules
	dirs = append(regressions, dirs...)
	min := rule.Level(strings.ToLower(*minLevel))
	if *minLevel != "" && min.Rank() == 0 {
		fmt.Fprintf(stderr, "tanchi test: unknown --min-level %q\n", *minLevel)
		return exitUsage
	}
	if len(knownFiles) > 0 && len(goodlogs) == 0 {
		fmt.Fprintln(stderr, "tanchi test: --known-fps needs --goodlog FILE")
		return exitUsage
	}
	for _, d := range dirs {
		if fi, err := os.Stat(d); err != nil || !fi.IsDir() {
			fmt.Fprintf(stderr, "tanchi test: %s is not a directory of cases\n", d)
			return exitUsage
		}
	}
	var known corpus.KnownFPs
	for _, f := range knownFiles {
		k, err := corpus.LoadKnownFPs(f)
		if err != nil {
			fmt.Fprintf(stderr, "tanchi test: %v\n", err)
			return exitUsage
		}
		known = append(known, k...)
	}
	l, err := load(o)
	if err != nil {
		fmt.Fprintf(stderr, "tanchi test: %v\n", err)
		return exitUsage
	}
	var cov *corpus.Coverage
	if *coverage {
		cov = corpus.NewCoverage()
	}
	s := &corpus.Suite{
		Engine: l.eng,
		Update: *update,
		Compile: func(files []string) (*engine.Engine, error) {
			cl, err := load(loadOptions{rules: files, mapping: o.mapping, placeholders: o.placeholders})
			if err != nil {
				return nil, err
			}
			return cl.eng, cl.problems.Err()
		},
		Coverage: cov,
	}

	var suites []corpus.SuiteResult
	if bad := l.errors(); len(bad) > 0 {
		suites = append(suites, loadSuite(bad))
	}
	for _, d := range dirs {
		suites = append(suites, runSuite(s, d))
	}
	if in := inlineSuite(s, l, dirs, len(goodlogs) > 0); len(in.Results) > 0 {
		suites = append(suites, in)
	}
	var gl *corpus.GoodlogReport
	if len(goodlogs) > 0 {
		g := &corpus.Goodlog{Engine: l.eng, Known: known, MinLevel: min, Coverage: cov}
		gl, err = g.Run(goodlogs...)
		if err != nil {
			fmt.Fprintf(stderr, "tanchi test: --goodlog: %v\n", err)
			return exitUsage
		}
		suites = append(suites, corpus.SuiteResult{Name: "goodlog", Results: gl.Results(), Elapsed: gl.Elapsed})
	}

	var all []*corpus.Result
	for _, su := range suites {
		all = append(all, su.Results...)
	}
	pass, fail, skip := corpus.Counts(all)
	closing := fmt.Sprintf("%d passed, %d failed", pass, fail)
	if skip > 0 {
		closing += fmt.Sprintf(", %d skipped", skip)
	}
	var covRep *corpus.CoverageReport
	if cov != nil {
		covRep = cov.Report(l.eng, testedRules(suites))
	}

	out := bufio.NewWriter(stdout)
	if *asJSON {
		writeTestJSON(out, suites, gl, covRep, pass, fail, skip)
	} else {
		for _, su := range suites {
			for _, r := range su.Results {
				if *verbose || r.Status != corpus.Passed {
					fmt.Fprintln(out, r)
				}
			}
		}
		if gl != nil {
			writeGoodlogSummary(out, gl)
		}
		if covRep != nil {
			writeCoverage(out, covRep)
		}
		fmt.Fprintln(out, closing)
	}
	out.Flush()
	if *asJSON {
		fmt.Fprintln(stderr, closing)
	}
	if *junit != "" {
		if err := writeJUnitFile(*junit, suites); err != nil {
			fmt.Fprintf(stderr, "tanchi test: --junit: %v\n", err)
			return exitUsage
		}
	}
	if fail > 0 {
		return exitFindings
	}
	return exitOK
}

// loadSuite turns rule errors into failed cases: a rule that does not load
// is a failing test, in CI as on the terminal.
func loadSuite(errs rule.ErrorList) corpus.SuiteResult {
	su := corpus.SuiteResult{Name: "load"}
	for _, e := range errs {
		// The case is named by the position; the failure repeats only
		// the message and the source line with a caret.
		c := &corpus.Case{Name: e.Pos.String(), File: e.Pos.File}
		f := corpus.Failure{Msg: e.Msg}
		if d := e.Detail(); strings.Contains(d, "\n") {
			f.Detail = d[strings.IndexByte(d, '\n')+1:]
		}
		su.Results = append(su.Results, &corpus.Result{Case: c, Status: corpus.Failed, Failures: []corpus.Failure{f}})
	}
	return su
}

// runSuite runs the cases of one directory.
func runSuite(s *corpus.Suite, dir string) corpus.SuiteResult {
	start := time.Now()
	su := corpus.SuiteResult{Name: dir}
	cases, err := s.Cases(dir)
	if err != nil {
		su.Results = append(su.Results, &corpus.Result{Case: &corpus.Case{Name: dir}, Status: corpus.Failed,
			Failures: []corpus.Failure{{Msg: err.Error()}}})
	}
	if len(cases) == 0 && err == nil {
		su.Results = append(su.Results, &corpus.Result{Case: &corpus.Case{Name: dir, Dir: dir}, Status: corpus.Failed,
			Failures: []corpus.Failure{{Msg: "no cases found (no case.yml, info.yml, want.jsonl, or rules with events)"}}})
	}
	for _, c := range cases {
		su.Results = append(su.Results, s.Run(c))
	}
	su.Elapsed = time.Since(start)
	return su
}

// inlineSuite runs the tests attached to loaded rules that live outside the
// case directories (those inside run with their directory). Rules that did
// not compile have their tests skipped, with the reason.
func inlineSuite(s *corpus.Suite, l *loaded, dirs []string, goodlog bool) corpus.SuiteResult {
	start := time.Now()
	su := corpus.SuiteResult{Name: "inline"}
	outside := func(r *rule.Rule) bool {
		file, err := filepath.Abs(r.Pos.File)
		if err != nil {
			return true
		}
		for _, d := range dirs {
			ad, err := filepath.Abs(d)
			if err != nil {
				continue
			}
			if rel, err := filepath.Rel(ad, file); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
				return false
			}
		}
		return true
	}
	compiled := map[*rule.Rule]bool{}
	for _, r := range l.eng.Rules() {
		compiled[r] = true
	}
	reasons := map[string]string{}
	for _, e := range l.problems {
		if e.RuleID != "" && reasons[e.RuleID] == "" {
			reasons[e.RuleID] = e.Error()
		}
	}
	for _, r := range l.set.Rules {
		if len(r.Tests) == 0 || !outside(r) {
			continue
		}
		for _, c := range corpus.InlineCases([]*rule.Rule{r}, "") {
			if !compiled[r] {
				c.Skip = "the rule is not evaluated"
				if why := reasons[r.ID]; why != "" {
					c.Skip += ": " + why
				}
			}
			su.Results = append(su.Results, s.Run(c))
		}
	}
	if len(su.Results) == 0 && len(dirs) == 0 && !goodlog {
		su.Results = append(su.Results, &corpus.Result{Case: &corpus.Case{Name: "inline", Kind: corpus.KindInline}, Status: corpus.Failed,
			Failures: []corpus.Failure{{Msg: fmt.Sprintf("no cases found: none of the %d rules has a test attached; give a CASEDIR, --regression DIR or --goodlog FILE", len(l.set.Rules))}}})
	}
	su.Elapsed = time.Since(start)
	return su
}

// testedRules are the rules some case tested (goodlog runs do not count:
// they test every rule a little and none in particular).
func testedRules(suites []corpus.SuiteResult) map[string]bool {
	out := map[string]bool{}
	for _, su := range suites {
		for _, r := range su.Results {
			if r.Case.Kind == corpus.KindGoodlog || r.Status == corpus.Skipped {
				continue
			}
			for _, k := range r.Rules {
				out[k] = true
			}
		}
	}
	return out
}

func writeGoodlogSummary(w io.Writer, gl *corpus.GoodlogReport) {
	unexpected, known, suppressed := 0, 0, 0
	rules := map[*rule.Rule]bool{}
	for _, f := range gl.Findings {
		switch {
		case f.Known != nil:
			known++
		case f.SuppressedBy != nil:
			suppressed++
		default:
			unexpected++
			rules[f.Rule] = true
		}
	}
	fmt.Fprintf(w, "goodlog: %d rules over %d events from %d files: %d unexpected matches by %d rules, %d known false positives, %d suppressed by exclusions\n",
		len(gl.Rules), gl.Events, gl.Files, unexpected, len(rules), known, suppressed)
}

func writeCoverage(w io.Writer, c *corpus.CoverageReport) {
	fmt.Fprintf(w, "coverage: %d of %d rules tested; %d events seen\n", c.Rules-len(c.Untested), c.Rules, c.Events)
	ruleLine := func(r *rule.Rule) string {
		return fmt.Sprintf("%s: %s %q", r.Pos, r.Key(), r.Title)
	}
	if len(c.Untested) > 0 {
		fmt.Fprintf(w, "  rules without a test case (%d):\n", len(c.Untested))
		for _, r := range c.Untested {
			fmt.Fprintf(w, "    %s\n", ruleLine(r))
		}
	}
	if len(c.Unreached) > 0 {
		fmt.Fprintf(w, "  rules no event reached, by logsource (%d):\n", len(c.Unreached))
		for _, r := range c.Unreached {
			fmt.Fprintf(w, "    %s\n", ruleLine(r))
		}
	}
	if len(c.Fields) > 0 {
		fmt.Fprintf(w, "  fields rules read that no event reaching them carries (%d rules):\n", len(c.Fields))
		for _, rf := range c.Fields {
			fmt.Fprintf(w, "    %s: %s\n", ruleLine(rf.Rule), strings.Join(rf.Fields, ", "))
		}
	}
}

func writeJUnitFile(path string, suites []corpus.SuiteResult) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := corpus.WriteJUnit(f, suites, time.Now()); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// The --json output.
type testReport struct {
	Passed   int             `json:"passed"`
	Failed   int             `json:"failed"`
	Skipped  int             `json:"skipped"`
	Suites   []testSuiteJSON `json:"suites"`
	Goodlog  *goodlogJSON    `json:"goodlog,omitempty"`
	Coverage *coverageJSON   `json:"coverage,omitempty"`
}

type testSuiteJSON struct {
	Name    string         `json:"name"`
	Passed  int            `json:"passed"`
	Failed  int            `json:"failed"`
	Skipped int            `json:"skipped"`
	Cases   []testCaseJSON `json:"cases"`
}

type testCaseJSON struct {
	Name      string        `json:"name"`
	Kind      string        `json:"kind"`
	File      string        `json:"file,omitempty"`
	Rules     []string      `json:"rules,omitempty"`
	Status    string        `json:"status"`
	Summary   string        `json:"summary,omitempty"`
	Failures  []failureJSON `json:"failures,omitempty"`
	Events    int           `json:"events"`
	ElapsedMS float64       `json:"elapsed_ms"`
}

type failureJSON struct {
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Col     int    `json:"col,omitempty"`
	Message string `json:"message"`
	Detail  string `json:"detail,omitempty"`
}

type goodlogJSON struct {
	Files      int           `json:"files"`
	Events     int           `json:"events"`
	Rules      int           `json:"rules"`
	Known      int           `json:"known"`
	Suppressed int           `json:"suppressed"`
	Unexpected []findingJSON `json:"unexpected"`
}

type findingJSON struct {
	Rule    detectionRule     `json:"rule"`
	Source  detectionSource   `json:"source"`
	Matched []engine.FieldHit `json:"matched"`
}

type ruleRefJSON struct {
	ID     string   `json:"id"`
	Title  string   `json:"title"`
	File   string   `json:"file"`
	Line   int      `json:"line"`
	Fields []string `json:"fields,omitempty"`
}

type coverageJSON struct {
	Rules     int           `json:"rules"`
	Events    int           `json:"events"`
	Untested  []ruleRefJSON `json:"untested"`
	Unreached []ruleRefJSON `json:"unreached"`
	Fields    []ruleRefJSON `json:"fields"`
}

func writeTestJSON(w io.Writer, suites []corpus.SuiteResult, gl *corpus.GoodlogReport, cov *corpus.CoverageReport, pass, fail, skip int) {
	rep := testReport{Passed: pass, Failed: fail, Skipped: skip, Suites: []testSuiteJSON{}}
	for _, su := range suites {
		sj := testSuiteJSON{Name: su.Name, Cases: []testCaseJSON{}}
		sj.Passed, sj.Failed, sj.Skipped = corpus.Counts(su.Results)
		for _, r := range su.Results {
			cj := testCaseJSON{Name: r.Case.Name, Kind: r.Case.Kind.String(), File: r.Case.File, Rules: r.Case.Rules,
				Status: r.Status.String(), Events: r.Events, ElapsedMS: float64(r.Elapsed.Microseconds()) / 1000}
			if r.Status != corpus.Failed {
				cj.Summary = r.Summary()
			}
			for _, f := range r.Failures {
				cj.Failures = append(cj.Failures, failureJSON{File: f.Pos.File, Line: f.Pos.Line, Col: f.Pos.Col, Message: f.Msg, Detail: f.Detail})
			}
			sj.Cases = append(sj.Cases, cj)
		}
		rep.Suites = append(rep.Suites, sj)
	}
	if gl != nil {
		g := &goodlogJSON{Files: gl.Files, Events: gl.Events, Rules: len(gl.Rules), Unexpected: []findingJSON{}}
		for _, f := range gl.Findings {
			switch {
			case f.Known != nil:
				g.Known++
			case f.SuppressedBy != nil:
				g.Suppressed++
			default:
				tags := f.Rule.Tags
				if tags == nil {
					tags = []string{}
				}
				g.Unexpected = append(g.Unexpected, findingJSON{
					Rule:    detectionRule{ID: f.Rule.ID, Title: f.Rule.Title, Level: string(f.Rule.Level), Tags: tags},
					Source:  detectionSource{File: f.File, Line: f.Line},
					Matched: f.Fields,
				})
			}
		}
		rep.Goodlog = g
	}
	if cov != nil {
		ref := func(r *rule.Rule, fields []string) ruleRefJSON {
			return ruleRefJSON{ID: r.Key(), Title: r.Title, File: r.Pos.File, Line: r.Pos.Line, Fields: fields}
		}
		c := &coverageJSON{Rules: cov.Rules, Events: cov.Events, Untested: []ruleRefJSON{}, Unreached: []ruleRefJSON{}, Fields: []ruleRefJSON{}}
		for _, r := range cov.Untested {
			c.Untested = append(c.Untested, ref(r, nil))
		}
		for _, r := range cov.Unreached {
			c.Unreached = append(c.Unreached, ref(r, nil))
		}
		for _, rf := range cov.Fields {
			c.Fields = append(c.Fields, ref(rf.Rule, rf.Fields))
		}
		rep.Coverage = c
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	enc.Encode(rep)
}
