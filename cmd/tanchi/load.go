package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/tanchi-dev/tanchi/engine"
	"github.com/tanchi-dev/tanchi/rule"
	ruleload "github.com/tanchi-dev/tanchi/rule/load"
)

// loaded is the outcome of loading and compiling rules.
type loaded struct {
	set      *rule.Set
	eng      *engine.Engine
	problems rule.ErrorList // load and compile problems, sorted
}

func (l *loaded) errors() rule.ErrorList {
	var out rule.ErrorList
	for _, e := range l.problems {
		if !e.Code.Unsupported() {
			out = append(out, e)
		}
	}
	return out
}

func (l *loaded) unsupported() rule.ErrorList {
	var out rule.ErrorList
	for _, e := range l.problems {
		if e.Code.Unsupported() {
			out = append(out, e)
		}
	}
	return out
}

type loadOptions struct {
	rules        []string
	mapping      string
	placeholders string
	noIndex      bool
}

// load reads the rules and compiles them. Problems are collected, never
// fatal: the engine runs whatever loaded. The error is for unusable options.
func load(o loadOptions) (*loaded, error) {
	if len(o.rules) == 0 {
		return nil, errors.New("no rules: give at least one -r FILE_OR_DIR")
	}
	var opts []engine.Option
	if o.mapping != "" {
		m, err := engine.LoadMapping(o.mapping)
		if err != nil {
			return nil, err
		}
		opts = append(opts, engine.WithMapping(m))
	}
	if o.placeholders != "" {
		src, err := os.ReadFile(o.placeholders)
		if err != nil {
			return nil, err
		}
		var ph map[string][]string
		if err := yaml.Unmarshal(src, &ph); err != nil {
			return nil, fmt.Errorf("%s: placeholders must map names to lists of values: %v", o.placeholders, err)
		}
		opts = append(opts, engine.WithPlaceholders(ph))
	}
	if o.noIndex {
		opts = append(opts, engine.WithoutIndex())
	}
	l := &loaded{}
	set, err := ruleload.Paths(o.rules...)
	l.set = set
	l.problems = append(l.problems, asList(err)...)
	opts = append(opts, engine.WithExclusions(set.Exclusions))
	eng, err := engine.Compile(set.Rules, opts...)
	if eng == nil {
		return nil, err
	}
	l.eng = eng
	l.problems = append(l.problems, asList(err)...)
	for _, c := range set.Correlations {
		l.problems = append(l.problems, &rule.Error{Code: rule.ErrUnsupported, Pos: c.Pos, RuleID: c.ID,
			Msg: fmt.Sprintf("correlation rule (%s) loaded but not evaluated yet", c.Type)})
	}
	addSources(l.problems)
	l.problems.Sort()
	return l, nil
}

func asList(err error) rule.ErrorList {
	if err == nil {
		return nil
	}
	var el rule.ErrorList
	if errors.As(err, &el) {
		return el
	}
	var e *rule.Error
	if errors.As(err, &e) {
		return rule.ErrorList{e}
	}
	return rule.ErrorList{{Code: rule.ErrIO, Msg: err.Error()}}
}

// addSources fills in the source line of errors that lack it, so they can
// be shown with a caret.
func addSources(errs rule.ErrorList) {
	cache := map[string][]string{}
	for _, e := range errs {
		if e.Source != "" || e.Pos.File == "" || e.Pos.Line <= 0 {
			continue
		}
		lines, ok := cache[e.Pos.File]
		if !ok {
			if src, err := os.ReadFile(e.Pos.File); err == nil {
				lines = strings.Split(string(src), "\n")
			}
			cache[e.Pos.File] = lines
		}
		if e.Pos.Line <= len(lines) {
			e.Source = lines[e.Pos.Line-1]
		}
	}
}

func printProblems(w io.Writer, errs rule.ErrorList) {
	for _, e := range errs {
		fmt.Fprintln(w, e.Detail())
	}
}
