package main

import (
	"fmt"
	"io"

	"github.com/tanchi-dev/tanchi/corpus"
)

func runTest(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("test", testUsage)
	var o loadOptions
	var rules multi
	fs.Var(&rules, "r", "rule file or directory (repeatable)")
	fs.StringVar(&o.mapping, "mapping", "", "field mapping YAML")
	fs.StringVar(&o.placeholders, "placeholders", "", "YAML map of |expand placeholder names to value lists")
	regression := fs.String("regression", "", "directory in SigmaHQ's regression_data layout")
	verbose := fs.Bool("v", false, "print every case, not only failures")
	rest, ok := parse(fs, args, stderr)
	if !ok {
		return exitUsage
	}
	o.rules = rules
	if *regression == "" {
		fmt.Fprintln(stderr, "tanchi test: give --regression DIR (rule case directories come with a later release)")
		return exitUsage
	}
	if len(rest) > 0 {
		fmt.Fprintf(stderr, "tanchi test: unexpected arguments %v\n", rest)
		return exitUsage
	}
	l, err := load(o)
	if err != nil {
		fmt.Fprintf(stderr, "tanchi test: %v\n", err)
		return exitUsage
	}
	printProblems(stderr, l.errors())
	cases, err := corpus.LoadRegression(*regression)
	if err != nil {
		fmt.Fprintf(stderr, "tanchi test: %v\n", err)
		if len(cases) == 0 {
			return exitUsage
		}
	}
	var pass, fail, skip int
	for _, tc := range cases {
		res := tc.Run(l.eng)
		switch {
		case res.Skipped:
			skip++
		case res.Pass:
			pass++
		default:
			fail++
		}
		if *verbose || !res.Pass {
			fmt.Fprintln(stdout, res)
		}
	}
	line := fmt.Sprintf("%d passed, %d failed", pass, fail)
	if skip > 0 {
		line += fmt.Sprintf(", %d skipped", skip)
	}
	fmt.Fprintln(stdout, line)
	if fail > 0 || err != nil {
		return exitFindings
	}
	return exitOK
}
