package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/tanchi-dev/tanchi/corpus"
)

const simulateUsage = "simulate --hosts N --days D --seed S -o DIR [--start YYYY-MM-DD] [--density X] [--attacks N] [--corpora DIR | --no-corpora]"

func runSimulate(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("simulate", simulateUsage)
	var cfg corpus.SimConfig
	fs.IntVar(&cfg.Hosts, "hosts", 50, "number of hosts")
	fs.IntVar(&cfg.Days, "days", 7, "number of days")
	fs.Int64Var(&cfg.Seed, "seed", 1, "random seed: the same seed writes the same files")
	out := fs.String("o", "", "output folder (events/<day>/<host>.jsonl, labels.jsonl, manifest.json)")
	start := fs.String("start", "", "first day, YYYY-MM-DD (default 2026-03-04, a Wednesday)")
	fs.Float64Var(&cfg.Density, "density", 1, "scale of everyday user activity (events per host and day)")
	fs.IntVar(&cfg.Attacks, "attacks", 0, "attack scenarios to inject from the shared attack corpora")
	corpora := fs.String("corpora", "", "shared corpora folder (default ../shared/corpora when it exists)")
	noCorpora := fs.Bool("no-corpora", false, "use only built-in behaviour: no replayed real events, no attacks")
	rest, ok := parse(fs, args, stderr)
	if !ok {
		return exitUsage
	}
	if len(rest) > 0 {
		fmt.Fprintf(stderr, "tanchi simulate: unexpected argument %q\n", rest[0])
		return exitUsage
	}
	if *out == "" {
		fmt.Fprintln(stderr, "tanchi simulate: give the output folder with -o DIR")
		return exitUsage
	}
	if *start != "" {
		t, err := time.Parse(time.DateOnly, *start)
		if err != nil {
			fmt.Fprintf(stderr, "tanchi simulate: --start %q is not a date (YYYY-MM-DD)\n", *start)
			return exitUsage
		}
		cfg.Start = t
	}
	switch {
	case *noCorpora && (*corpora != "" || cfg.Attacks > 0):
		fmt.Fprintln(stderr, "tanchi simulate: --no-corpora cannot be combined with --corpora or --attacks")
		return exitUsage
	case *noCorpora:
	case *corpora != "":
		cfg.Corpora = *corpora
	default:
		if d := defaultCorpora(); d != "" {
			cfg.Corpora = d
		} else if cfg.Attacks > 0 {
			fmt.Fprintln(stderr, "tanchi simulate: --attacks needs the shared corpora; give --corpora DIR")
			return exitUsage
		}
	}
	began := time.Now()
	sum, err := corpus.Simulate(cfg, *out)
	if err != nil {
		fmt.Fprintf(stderr, "tanchi simulate: %v\n", err)
		return exitUsage
	}
	src := "built-in behaviour only"
	if cfg.Corpora != "" {
		src = fmt.Sprintf("%d real benign events replayed from %s", sum.Replay, cfg.Corpora)
	}
	fmt.Fprintf(stderr, "tanchi: %d hosts, %d days, %d events in %d files (%s) in %s\n",
		len(sum.Hosts), len(sum.Days), sum.Events, len(sum.Files), src, time.Since(began).Round(time.Millisecond))
	if len(sum.Attacks) > 0 {
		fmt.Fprintf(stderr, "tanchi: %d attack scenarios injected (%d events), listed in %s\n",
			len(sum.Attacks), sum.Labels, filepath.Join(*out, corpus.SimLabelsFile))
	}
	fmt.Fprintf(stdout, "%s\n", filepath.Join(*out, corpus.SimEventsDir))
	return exitOK
}

// defaultCorpora returns ../shared/corpora (beside the working directory or
// one of its parents, as the project's checkout has it) when it exists.
func defaultCorpora() string {
	wd, err := os.Getwd()
	if err != nil {
		return ""
	}
	for d := wd; ; d = filepath.Dir(d) {
		c := filepath.Join(filepath.Dir(d), "shared", "corpora")
		if fi, err := os.Stat(c); err == nil && fi.IsDir() {
			return c
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}
