package corpus

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/tanchi-dev/tanchi/engine"
)

// RegressionCase is one test in SigmaHQ's regression_data layout: a folder
// with info.yml naming a rule id and, per test, an event file the rule must
// match at least MatchCount times.
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
	var cases []RegressionCase
	var errs []error
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || d.Name() != "info.yml" {
			return nil
		}
		cs, err := regressionCases(root, p)
		if err != nil {
			errs = append(errs, err)
		}
		cases = append(cases, cs...)
		return nil
	})
	if err != nil {
		errs = append(errs, err)
	}
	slices.SortStableFunc(cases, func(a, b RegressionCase) int { return strings.Compare(a.Name, b.Name) })
	if len(cases) == 0 && len(errs) == 0 {
		errs = append(errs, fmt.Errorf("%s: no regression cases found (no info.yml)", root))
	}
	return cases, errors.Join(errs...)
}

func regressionCases(root, info string) ([]RegressionCase, error) {
	src, err := os.ReadFile(info)
	if err != nil {
		return nil, err
	}
	var ri regressionInfo
	if err := yaml.Unmarshal(src, &ri); err != nil {
		return nil, fmt.Errorf("%s: %v", info, err)
	}
	dir := filepath.Dir(info)
	name, _ := filepath.Rel(root, dir)
	base := RegressionCase{Name: filepath.ToSlash(name), Info: info}
	if len(ri.RuleMetadata) == 0 || ri.RuleMetadata[0].ID == "" {
		return nil, fmt.Errorf("%s: no rule_metadata id", info)
	}
	base.RuleID, base.Title = ri.RuleMetadata[0].ID, ri.RuleMetadata[0].Title
	if len(ri.Tests) == 0 {
		base.Skip = "info.yml lists no regression test"
		return []RegressionCase{base}, nil
	}
	var out []RegressionCase
	for _, t := range ri.Tests {
		c := base
		if len(ri.Tests) > 1 {
			c.Name += "/" + t.Name
		}
		c.MatchCount = t.MatchCount
		if c.MatchCount <= 0 {
			c.MatchCount = 1
		}
		if t.Type != "" && t.Type != "evtx" && t.Type != "json" {
			c.Skip = fmt.Sprintf("test type %q has no JSON events", t.Type)
			out = append(out, c)
			continue
		}
		// The path names the original .evtx relative to the repository;
		// the JSON events sit beside info.yml under the same name.
		c.EventFile = filepath.Join(dir, strings.TrimSuffix(filepath.Base(t.Path), filepath.Ext(t.Path))+".json")
		if t.Path == "" {
			c.EventFile = filepath.Join(dir, c.RuleID+".json")
		}
		out = append(out, c)
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
}

// Run matches the case's events against eng and counts the events the
// case's rule matches. Events are read with Walk, so malformed records are
// reported in Err without stopping the count.
func (c RegressionCase) Run(eng *engine.Engine) RegressionResult {
	res := RegressionResult{Case: c}
	if c.Skip != "" {
		res.Skipped = true
		return res
	}
	if !eng.HasRule(c.RuleID) {
		res.Err = fmt.Errorf("rule %s is not loaded", c.RuleID)
		return res
	}
	var errs []error
	err := Walk([]string{c.EventFile}, func(r Record) error {
		res.Events++
		ev, err := engine.ParseJSON(r.Raw)
		if err != nil {
			errs = append(errs, &Error{File: r.File, Line: r.Line, Err: err})
			return nil
		}
		for _, m := range eng.Match(ev) {
			if m.Rule.ID == c.RuleID {
				res.Matched++
				break
			}
		}
		return nil
	}, func(err error) { errs = append(errs, err) })
	if err != nil && !errors.Is(err, io.EOF) {
		errs = append(errs, err)
	}
	res.Err = errors.Join(errs...)
	res.Pass = res.Err == nil && res.Matched >= c.MatchCount
	return res
}

// String describes the result in one line.
func (r RegressionResult) String() string {
	switch {
	case r.Skipped:
		return fmt.Sprintf("SKIP %s (%s): %s", r.Case.Name, r.Case.RuleID, r.Case.Skip)
	case r.Pass:
		return fmt.Sprintf("ok   %s (%s): %d of %d events matched, want at least %d", r.Case.Name, r.Case.RuleID, r.Matched, r.Events, r.Case.MatchCount)
	case r.Err != nil:
		return fmt.Sprintf("FAIL %s (%s): %v", r.Case.Name, r.Case.RuleID, r.Err)
	}
	return fmt.Sprintf("FAIL %s (%s): %d of %d events matched, want at least %d", r.Case.Name, r.Case.RuleID, r.Matched, r.Events, r.Case.MatchCount)
}
