// Command tanchi loads detection rules and matches security telemetry
// against them.
//
// Usage:
//
//	tanchi scan   -r RULES... [--mapping M] [--format jsonl|table] [--min-level L] [--no-index] FILE...
//	tanchi check  -r RULES... [--json]
//	tanchi test   -r RULES... [--regression DIR] [--goodlog FILE]... [CASEDIR...]
//	tanchi convert --to dsl|sigma [-o DIR] FILE...
//	tanchi fmt    [-w] FILE...
//	tanchi learn  -r RULES... --baseline FILE... [--protect FILE...] -o EXCL [--holdout-days N] [--report R.html]
//	tanchi simulate --hosts N --days D --seed S -o DIR [--attacks N]
//
// Run "tanchi help" for the details of each command.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// Exit codes.
const (
	exitOK       = 0
	exitFindings = 1 // detections with --fail-on-detect, failed tests, rule errors in check
	exitUsage    = 2 // bad usage or bad input
)

type command struct {
	name, usage, summary string
	run                  func(args []string, stdout, stderr io.Writer) int
}

const (
	scanUsage  = "scan -r RULES... [--mapping M] [--placeholders P] [--format jsonl|table] [--min-level L] [--no-index] [--show-suppressed] [--fail-on-detect] FILE..."
	checkUsage = "check -r RULES... [--json]"
	testUsage  = "test -r RULES... [--regression DIR]... [--goodlog FILE]... [--known-fps CSV] [--min-level L] [--coverage] [--json] [--junit FILE] [--update] [-v] [CASEDIR...]"
)

var commands []command

func init() {
	commands = []command{
		{"scan", scanUsage, "match events against rules and print detections", runScan},
		{"check", checkUsage, "load rules and report what cannot be evaluated, and why", runCheck},
		{"test", testUsage, "run rule tests: case directories, SigmaHQ regression data, inline tests, goodlog", runTest},
		{"explain", explainUsage, "show why a rule did or did not match each event", runExplain},
		{"learn", learnUsage, "learn exclusion proposals and a tuning report from a baseline", runLearn},
		{"simulate", simulateUsage, "write a simulated fleet's telemetry (for learn and tests)", runSimulate},
		{"convert", convertUsage, "convert rules between Sigma YAML and tanchi's rule language", runConvert},
		{"fmt", fmtUsage, "print .tdl rule files in the canonical layout", runFmt},
	}
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stderr)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	for _, c := range commands {
		if c.name == args[0] {
			return c.run(args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "tanchi: unknown command %q\n\n", args[0])
	usage(stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "tanchi (探知) matches security telemetry against detection rules.")
	fmt.Fprintln(w, "\nCommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nUsage:")
	for _, c := range commands {
		fmt.Fprintf(w, "  tanchi %s\n", c.usage)
	}
	fmt.Fprintln(w, "\n-r takes files or directories (*.yml, *.yaml, *.tdl) and may be repeated. FILE - reads standard input.")
}

// multi is a repeatable string flag.
type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(v string) error { *m = append(*m, v); return nil }

// parse parses flags that may be interleaved with positional arguments
// (tanchi scan events.jsonl -r rules works as well as the other way round).
func parse(fs *flag.FlagSet, args []string, stderr io.Writer) ([]string, bool) {
	fs.SetOutput(stderr)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, false
			}
			return nil, false
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, true
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), true
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func newFlags(name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: tanchi %s\n", usage)
		fs.PrintDefaults()
	}
	return fs
}
