package corpus

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/tanchi-dev/tanchi/engine"
)

// SigmaHQ's regression_data layout is one of the case layouts the runner
// reads (KindRegression): a folder with info.yml naming a rule id and, per
// test, an event file the rule must match at least match_count times
// (default 1). LoadCases finds these folders among the others; the types
// below keep the regression-only view for callers that want just that.

// RegressionCase is one test in SigmaHQ's regression_data layout.
type RegressionCase struct {
	Name       string // folder below the root, and the test's name when it has several
	Info       string // path of info.yml
	RuleID     string
	Title      string
	EventFile  string // the events, JSON (evtx JSON objects)
	MatchCount int    // minimum number of matching events (default 1)
	Skip       string // why the case cannot run, when it cannot
}

type regressionInfo struct {
	RuleMetadata []struct {
		ID    string `yaml:"id"`
		Title string `yaml:"title"`
	} `yaml:"rule_metadata"`
	Tests []struct {
		Name       string `yaml:"name"`
		Type       string `yaml:"type"`
		MatchCount int    `yaml:"match_count"`
		Path       string `yaml:"path"`
	} `yaml:"regression_tests_info"`
}

// LoadRegression finds every info.yml below root and returns its cases in
// path order. A folder whose tests cannot be run here (no test listed, or a
// raw-log test without JSON events) yields one case with Skip set, so that it
// is counted rather than silently passed over.
func LoadRegression(root string) ([]RegressionCase, error) {
	cases, err := LoadCases(root)
	var errs []error
	if err != nil {
		errs = append(errs, err)
	}
	var out []RegressionCase
	for _, c := range cases {
		if c.Kind != KindRegression {
			continue
		}
		if c.Err != nil {
			errs = append(errs, c.Err)
			continue
		}
		out = append(out, c.regression())
	}
	if len(out) == 0 && len(errs) == 0 {
		errs = append(errs, fmt.Errorf("%s: no regression cases found (no info.yml)", root))
	}
	return out, errors.Join(errs...)
}

// regression is the regression view of a KindRegression case.
func (c *Case) regression() RegressionCase {
	rc := RegressionCase{Name: c.Name, Info: c.File, Title: c.Description, Skip: c.Skip}
	if len(c.Rules) > 0 {
		rc.RuleID = c.Rules[0]
	}
	if len(c.Events) > 0 {
		rc.EventFile = c.Events[0].Path
	}
	if len(c.Expect) > 0 {
		rc.MatchCount = c.Expect[0].Count
	}
	return rc
}

// regressionCases reads one info.yml.
func regressionCases(root, info string) ([]*Case, error) {
	src, err := os.ReadFile(info)
	if err != nil {
		return nil, err
	}
	var ri regressionInfo
	if err := yaml.Unmarshal(src, &ri); err != nil {
		return nil, fmt.Errorf("%s: %v", info, err)
	}
	dir := filepath.Dir(info)
	name := caseName(root, dir)
	if len(ri.RuleMetadata) == 0 || ri.RuleMetadata[0].ID == "" {
		return nil, fmt.Errorf("%s: no rule_metadata id", info)
	}
	id := ri.RuleMetadata[0].ID
	base := Case{Name: name, Kind: KindRegression, Dir: dir, File: info, Description: ri.RuleMetadata[0].Title, Rules: []string{id}}
	if len(ri.Tests) == 0 {
		c := base
		c.Skip = "info.yml lists no regression test"
		return []*Case{&c}, nil
	}
	var out []*Case
	for _, t := range ri.Tests {
		c := base
		if len(ri.Tests) > 1 {
			c.Name += "/" + t.Name
		}
		count := max(t.MatchCount, 1)
		c.Expect = []Expect{{Rule: id, Count: count}}
		if t.Type != "" && t.Type != "evtx" && t.Type != "json" {
			c.Skip = fmt.Sprintf("test type %q has no JSON events", t.Type)
			out = append(out, &c)
			continue
		}
		// The path names the original .evtx relative to the repository;
		// the JSON events sit beside info.yml under the same name.
		file := filepath.Join(dir, strings.TrimSuffix(filepath.Base(t.Path), filepath.Ext(t.Path))+".json")
		if t.Path == "" {
			file = filepath.Join(dir, id+".json")
		}
		c.Events = []EventSource{{Path: file}}
		out = append(out, &c)
	}
	return out, nil
}

// RegressionResult is the outcome of one case.
type RegressionResult struct {
	Case    RegressionCase
	Events  int   // events read
	Matched int   // events the rule matched
	Err     error // events that could not be read, or the rule is not loaded
	Pass    bool
	Skipped bool
	res     *Result
}

// Run matches the case's events against eng with the runner every case
// layout shares, and counts the events the case's rule matches. Malformed
// records are reported in Err without stopping the count.
func (c RegressionCase) Run(eng *engine.Engine) RegressionResult {
	cs := &Case{
		Name: c.Name, Kind: KindRegression, Dir: filepath.Dir(c.Info), File: c.Info, Description: c.Title,
		Rules: []string{c.RuleID}, Skip: c.Skip,
		Expect: []Expect{{Rule: c.RuleID, Count: max(c.MatchCount, 1)}},
	}
	if c.EventFile != "" {
		cs.Events = []EventSource{{Path: c.EventFile}}
	}
	r := (&Suite{Engine: eng}).Run(cs)
	res := RegressionResult{Case: c, Events: r.Events, Pass: r.Status == Passed, Skipped: r.Status == Skipped, res: r}
	if len(r.Checks) > 0 {
		res.Matched = r.Checks[0].Matched
	}
	var errs []error
	for _, f := range r.Failures {
		if f.input {
			errs = append(errs, errors.New(f.String()))
		}
	}
	res.Err = errors.Join(errs...)
	return res
}

// String describes the result: one line, followed for a failure by what
// explains it.
func (r RegressionResult) String() string {
	if r.res != nil {
		return r.res.String()
	}
	return fmt.Sprintf("%s %s (%s)", map[bool]string{true: "ok  ", false: "FAIL"}[r.Pass], r.Case.Name, r.Case.RuleID)
}
