package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/tanchi-dev/tanchi/rule"
)

type checkReport struct {
	Files       int                `json:"files"`
	Rules       int                `json:"rules"`
	Loaded      int                `json:"loaded"`
	Unsupported []checkUnsupported `json:"unsupported"`
	Errors      []checkError       `json:"errors"`
}

type checkUnsupported struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	ID     string `json:"id"`
	Reason string `json:"reason"`
}

type checkError struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Col     int    `json:"col"`
	Message string `json:"message"`
}

func runCheck(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("check", checkUsage)
	var o loadOptions
	var rules multi
	fs.Var(&rules, "r", "rule file or directory (repeatable)")
	fs.StringVar(&o.mapping, "mapping", "", "field mapping YAML")
	fs.StringVar(&o.placeholders, "placeholders", "", "YAML map of |expand placeholder names to value lists")
	asJSON := fs.Bool("json", false, "print the report as one JSON object")
	rest, ok := parse(fs, args, stderr)
	if !ok {
		return exitUsage
	}
	o.rules = append(rules, rest...)
	l, err := load(o)
	if err != nil {
		fmt.Fprintf(stderr, "tanchi check: %v\n", err)
		return exitUsage
	}
	rep := checkReport{Files: l.set.Files, Loaded: len(l.eng.Rules()) + len(l.set.Exclusions),
		Unsupported: []checkUnsupported{}, Errors: []checkError{}}
	// Rules counts every rule document read: the ones that loaded, the
	// ones the engine could not compile, and the correlations. Documents
	// too broken to parse appear under errors only.
	rep.Rules = len(l.set.Rules) + len(l.set.Exclusions) + len(l.set.Correlations)
	for _, e := range l.problems {
		if e.Code.Unsupported() {
			rep.Unsupported = append(rep.Unsupported, checkUnsupported{File: e.Pos.File, Line: e.Pos.Line, ID: e.RuleID, Reason: e.Msg})
		} else {
			rep.Errors = append(rep.Errors, checkError{File: e.Pos.File, Line: e.Pos.Line, Col: e.Pos.Col, Message: e.Msg})
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		enc.Encode(rep)
	} else {
		printProblems(stdout, l.problems)
		fmt.Fprintf(stdout, "%d files, %d rules: %d loaded, %d not evaluated, %d errors\n",
			rep.Files, rep.Rules, rep.Loaded, len(rep.Unsupported), len(rep.Errors))
	}
	if len(rep.Errors) > 0 {
		return exitFindings
	}
	return exitOK
}

var _ = rule.ErrSyntax
