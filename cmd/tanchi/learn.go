package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/tanchi-dev/tanchi/engine"
	"github.com/tanchi-dev/tanchi/learn"
	"github.com/tanchi-dev/tanchi/rule"
	rload "github.com/tanchi-dev/tanchi/rule/load"
)

const learnUsage = "learn -r RULES... --baseline FILE... [--protect FILE...] -o EXCL [--format dsl|sigma] [--holdout-days N] [--report R.html|R.md|R.json]... [--mapping M] [--placeholders P] [--min-events N] [--min-spread N] [--date YYYY-MM-DD] [--author A] [--expires-days N] [--workers N]"

func runLearn(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("learn", learnUsage)
	var rules, baseline, protect, reports multi
	fs.Var(&rules, "r", "rule file or directory, *.yml, *.yaml or *.tdl (repeatable); exclusions given here are applied to the baseline")
	fs.Var(&baseline, "baseline", "baseline event file or directory (repeatable)")
	fs.Var(&protect, "protect", "known true-positive events no proposal may suppress (repeatable)")
	fs.Var(&reports, "report", "write the tuning report: .html, .md or .json by extension (repeatable)")
	out := fs.String("o", "", "write the proposed exclusions here (- for standard output)")
	format := fs.String("format", "", "output format: dsl or sigma (default: sigma for -o *.yml or *.yaml, else dsl)")
	holdout := fs.Int("holdout-days", 0, "learn on the earlier days and validate on the last N")
	mapping := fs.String("mapping", "", "field mapping YAML")
	placeholders := fs.String("placeholders", "", "YAML map of |expand placeholder names to value lists")
	minEvents := fs.Int("min-events", learn.DefaultMinEvents, "matches a pattern needs to be learned (at least 2)")
	minSpread := fs.Int("min-spread", learn.DefaultMinSpread, "days or hosts a pattern needs to be learned, when the baseline has that many")
	date := fs.String("date", "", "creation date of the proposals, YYYY-MM-DD (default: the last baseline day)")
	author := fs.String("author", learn.DefaultAuthor, "author of the proposals")
	expires := fs.Int("expires-days", 0, "make the proposals expire this many days after their date")
	workers := fs.Int("workers", 0, "goroutines matching events (default: one per CPU)")
	rest, ok := parse(fs, args, stderr)
	if !ok {
		return exitUsage
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "tanchi learn: "+format+"\n", a...)
		return exitUsage
	}
	switch {
	case len(rest) > 0:
		return fail("unexpected argument %q (baseline files go after --baseline)", rest[0])
	case len(rules) == 0:
		return fail("no rules: give at least one -r FILE_OR_DIR")
	case len(baseline) == 0:
		return fail("no baseline: give at least one --baseline FILE_OR_DIR")
	case *out == "":
		return fail("give the output file with -o EXCL (- for standard output)")
	}
	stdinUses := 0
	for _, p := range append(append([]string{}, baseline...), protect...) {
		if p == "-" {
			stdinUses++
		}
	}
	if stdinUses > 1 {
		return fail("standard input (-) can be read once only")
	}
	fmtName := strings.ToLower(*format)
	if fmtName == "" {
		fmtName = "dsl"
		if ext := strings.ToLower(filepath.Ext(*out)); ext == ".yml" || ext == ".yaml" {
			fmtName = "sigma"
		}
	}
	switch fmtName {
	case "sigma":
	case "dsl":
	default:
		return fail("unknown --format %q (sigma or dsl)", *format)
	}
	for _, r := range reports {
		switch strings.ToLower(filepath.Ext(r)) {
		case ".html", ".htm", ".md", ".json":
		default:
			return fail("--report %s: the extension says the format, and must be .html, .md or .json", r)
		}
	}

	opts := []learn.Option{learn.WithHoldoutDays(*holdout), learn.WithAuthor(*author)}
	if *minEvents != learn.DefaultMinEvents || *minSpread != learn.DefaultMinSpread {
		opts = append(opts, learn.WithThresholds(*minEvents, *minSpread))
	}
	if *date != "" {
		opts = append(opts, learn.WithDate(*date))
	}
	if *expires != 0 {
		opts = append(opts, learn.WithExpiry(*expires))
	}
	if *workers != 0 {
		opts = append(opts, learn.WithWorkers(*workers))
	}
	var eopts []engine.Option
	if *mapping != "" {
		m, err := engine.LoadMapping(*mapping)
		if err != nil {
			return fail("%v", err)
		}
		eopts = append(eopts, engine.WithMapping(m))
	}
	if *placeholders != "" {
		src, err := os.ReadFile(*placeholders)
		if err != nil {
			return fail("%v", err)
		}
		var ph map[string][]string
		if err := yaml.Unmarshal(src, &ph); err != nil {
			return fail("%s: placeholders must map names to lists of values: %v", *placeholders, err)
		}
		eopts = append(eopts, engine.WithPlaceholders(ph))
	}
	if len(eopts) > 0 {
		opts = append(opts, learn.WithEngineOptions(eopts...))
	}

	began := time.Now()
	set, err := rload.Paths(rules...)
	problems := asList(err)
	opts = append(opts, learn.WithExclusions(set.Exclusions))
	prog := newProgress(stderr)
	opts = append(opts, learn.WithProgress(func(p learn.Progress) {
		if prog.on && time.Since(prog.last) > 500*time.Millisecond {
			prog.last = time.Now()
			prog.shown = true
			fmt.Fprintf(prog.w, "\r%s: %d events, %d matches...", p.Phase, p.Events, p.Matches)
		}
	}))
	l, err := learn.New(set.Rules, opts...)
	if l == nil {
		return fail("%v", err)
	}
	problems = append(problems, asList(err)...)
	addSources(problems)
	problems.Sort()
	var bad rule.ErrorList
	unsupported := 0
	for _, e := range problems {
		if e.Code.Unsupported() {
			unsupported++
		} else {
			bad = append(bad, e)
		}
	}
	printProblems(stderr, bad)

	res, err := l.Run(context.Background(), baseline, protect)
	prog.clear()
	if err != nil {
		return fail("%v", err)
	}
	for _, e := range res.Input.Errors {
		fmt.Fprintln(stderr, e)
	}

	write := learn.WriteDSL
	if fmtName == "sigma" {
		write = learn.WriteSigma
	}
	if err := writeOutput(*out, stdout, func(w io.Writer) error { return write(w, res) }); err != nil {
		return fail("%v", err)
	}
	for _, r := range reports {
		if err := writeOutput(r, stdout, func(w io.Writer) error { return learn.WriteReport(w, filepath.Ext(r), res) }); err != nil {
			return fail("%v", err)
		}
	}

	fmt.Fprintf(stderr, "tanchi: %d rules", len(l.Rules()))
	if unsupported > 0 {
		fmt.Fprintf(stderr, ", %d not evaluated (tanchi check lists why)", unsupported)
	}
	fmt.Fprintf(stderr, "; %d baseline events from %d files, %d days (%d learning, %d held out), in %s\n",
		res.Input.BaselineEvents, res.Input.BaselineFiles, res.Totals.Days, res.Totals.LearnDays, res.Totals.Days-res.Totals.LearnDays,
		time.Since(began).Round(time.Millisecond))
	fmt.Fprintf(stderr, "tanchi: %d alerts (%.1f a day) -> %d after the proposals (%.1f a day); %d proposals, %d patterns not learned\n",
		res.Totals.Alerts, res.Totals.PerDay, res.Totals.Remaining, res.Totals.PerDayAfter, len(res.Proposals), len(res.NotLearned))
	if v := res.Validation; v != nil {
		fmt.Fprintf(stderr, "tanchi: held-out days %s: %d of %d alerts suppressed (%.1f%%), %d remain\n",
			strings.Join(v.Days, ", "), v.Suppressed, v.Alerts, 100*v.Rate, v.Remaining)
	}
	if len(protect) > 0 {
		p := res.Protect
		fmt.Fprintf(stderr, "tanchi: protected: %d events, %d detections, %d suppressed; %d proposals narrowed and %d patterns dropped to spare them\n",
			p.Events, p.Detections, p.Suppressed, p.Narrowed, p.Dropped)
	}
	if res.Input.InputErrors > 0 {
		fmt.Fprintf(stderr, "tanchi: %d malformed records skipped\n", res.Input.InputErrors)
	}
	if res.Input.InputErrors > 0 || len(bad) > 0 {
		return exitUsage
	}
	return exitOK
}

// writeOutput writes to a file, or to stdout for "-".
func writeOutput(path string, stdout io.Writer, write func(io.Writer) error) error {
	if path == "-" {
		bw := bufio.NewWriter(stdout)
		if err := write(bw); err != nil {
			return err
		}
		return bw.Flush()
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
