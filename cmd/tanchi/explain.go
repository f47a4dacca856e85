package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/tanchi-dev/tanchi/corpus"
	"github.com/tanchi-dev/tanchi/engine"
)

const explainUsage = "explain -r RULES... --rule ID [--line N] [--json] EVENTFILE"

// runExplain prints, for one rule and each event of a file (or the event on
// --line), the evaluated condition tree and what decided the outcome.
func runExplain(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("explain", explainUsage)
	var o loadOptions
	var rules multi
	fs.Var(&rules, "r", "rule file or directory (repeatable)")
	fs.StringVar(&o.mapping, "mapping", "", "field mapping YAML")
	fs.StringVar(&o.placeholders, "placeholders", "", "YAML map of |expand placeholder names to value lists")
	id := fs.String("rule", "", "id (or name) of the rule to explain")
	line := fs.Int("line", 0, "explain only the event that starts on this line")
	asJSON := fs.Bool("json", false, "print explanations as JSON, one per line")
	files, ok := parse(fs, args, stderr)
	if !ok {
		return exitUsage
	}
	o.rules = rules
	if *id == "" || len(files) != 1 {
		fmt.Fprintf(stderr, "usage: tanchi %s\n", explainUsage)
		return exitUsage
	}
	l, err := load(o)
	if err != nil {
		fmt.Fprintf(stderr, "tanchi explain: %v\n", err)
		return exitUsage
	}
	if !l.eng.HasRule(*id) {
		fmt.Fprintf(stderr, "tanchi explain: no rule with id %q was loaded\n", *id)
		printProblems(stderr, l.problems)
		return exitUsage
	}
	code, seen := exitOK, 0
	err = corpus.Walk(files, func(r corpus.Record) error {
		if *line > 0 && r.Line != *line {
			return nil
		}
		seen++
		ev, err := engine.ParseJSON(r.Raw)
		if err != nil {
			fmt.Fprintf(stderr, "%s:%d: %v\n", r.File, r.Line, err)
			code = exitUsage
			return nil
		}
		x, err := l.eng.Explain(*id, ev)
		if err != nil {
			return err
		}
		if *asJSON {
			return json.NewEncoder(stdout).Encode(struct {
				Source  detectionSource     `json:"source"`
				Matched bool                `json:"matched"`
				Routed  bool                `json:"routed"`
				Holds   bool                `json:"holds"`
				Tree    *engine.ExplainNode `json:"condition"`
			}{detectionSource{r.File, r.Line}, x.Matched(), x.Routed, x.Holds, x.Condition})
		}
		fmt.Fprintf(stdout, "%s:%d: %s\n", r.File, r.Line, x)
		return nil
	}, func(err error) {
		fmt.Fprintln(stderr, err)
		code = exitUsage
	})
	if err != nil {
		fmt.Fprintf(stderr, "tanchi explain: %v\n", err)
		return exitUsage
	}
	if seen == 0 {
		fmt.Fprintf(stderr, "tanchi explain: no event found in %s", files[0])
		if *line > 0 {
			fmt.Fprintf(stderr, " starting on line %d", *line)
		}
		fmt.Fprintln(stderr)
		return exitUsage
	}
	return code
}
