package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tanchi-dev/tanchi/corpus"
	"github.com/tanchi-dev/tanchi/engine"
	"github.com/tanchi-dev/tanchi/rule"
)

// detection is one line of scan's JSONL output.
type detection struct {
	Rule         detectionRule     `json:"rule"`
	Source       detectionSource   `json:"source"`
	Event        json.RawMessage   `json:"event"`
	Actions      []string          `json:"actions"`
	Matched      []engine.FieldHit `json:"matched,omitempty"`
	SuppressedBy *suppression      `json:"suppressed_by,omitempty"`
}

type detectionRule struct {
	ID    string   `json:"id"`
	Title string   `json:"title"`
	Level string   `json:"level"`
	Tags  []string `json:"tags"`
}

type detectionSource struct {
	File string `json:"file"`
	Line int    `json:"line"`
}

type suppression struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	Reason string `json:"reason"`
}

func runScan(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("scan", scanUsage)
	var o loadOptions
	var rules multi
	fs.Var(&rules, "r", "rule file or directory (repeatable)")
	fs.StringVar(&o.mapping, "mapping", "", "field mapping YAML")
	fs.StringVar(&o.placeholders, "placeholders", "", "YAML map of |expand placeholder names to value lists")
	format := fs.String("format", "jsonl", "output format: jsonl or table")
	minLevel := fs.String("min-level", "", "report only detections of this level or above (informational, low, medium, high, critical)")
	fs.BoolVar(&o.noIndex, "no-index", false, "evaluate every routed rule on every event (slower, same output)")
	showSuppressed := fs.Bool("show-suppressed", false, "also print detections suppressed by an exclusion")
	failOnDetect := fs.Bool("fail-on-detect", false, "exit 1 when anything was detected")
	files, ok := parse(fs, args, stderr)
	if !ok {
		return exitUsage
	}
	o.rules = rules
	if *format != "jsonl" && *format != "table" {
		fmt.Fprintf(stderr, "tanchi scan: unknown --format %q (jsonl or table)\n", *format)
		return exitUsage
	}
	min := rule.Level(strings.ToLower(*minLevel))
	if *minLevel != "" && min.Rank() == 0 {
		fmt.Fprintf(stderr, "tanchi scan: unknown --min-level %q\n", *minLevel)
		return exitUsage
	}
	if len(files) == 0 {
		fmt.Fprintln(stderr, "tanchi scan: no event files given (use - for standard input)")
		return exitUsage
	}
	l, err := load(o)
	if err != nil {
		fmt.Fprintf(stderr, "tanchi scan: %v\n", err)
		return exitUsage
	}
	bad := l.errors()
	printProblems(stderr, bad)
	paths, err := corpus.Files(files...)
	if err != nil {
		fmt.Fprintf(stderr, "tanchi scan: %v\n", err)
		return exitUsage
	}

	out := bufio.NewWriterSize(stdout, 64<<10)
	defer out.Flush()
	var tw *tabwriter.Writer
	if *format == "table" {
		tw = tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "LEVEL\tRULE\tTITLE\tSOURCE")
	}
	dw := newDetectionWriter(out)

	st := scanStats{start: time.Now(), byLevel: map[rule.Level]int{}}
	prog := newProgress(stderr)
	inputErrors := 0
	var ev engine.RawJSON // reused: values live until the next line
	// RawJSON checks each record as it reads it, so the reader need not.
	err = corpus.WalkUnchecked(paths, func(r corpus.Record) error {
		st.events++
		prog.tick(st.events)
		if err := ev.Reset(r.Raw); err != nil {
			inputErrors++
			prog.clear()
			fmt.Fprintf(stderr, "%s:%d: %v\n", r.File, r.Line, err)
			return nil
		}
		for _, m := range l.eng.MatchAll(&ev) {
			if min != "" && m.Rule.Level.Rank() < min.Rank() {
				continue
			}
			if m.SuppressedBy != nil {
				st.suppressed++
				if !*showSuppressed {
					continue
				}
			} else {
				st.detections++
				st.byLevel[m.Rule.Level]++
			}
			if tw != nil {
				title := m.Rule.Title
				if m.SuppressedBy != nil {
					title += " (suppressed)"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s:%d\n", m.Rule.Level, m.Rule.Key(), title, r.File, r.Line)
				continue
			}
			d := toDetection(m, r)
			if err := dw.write(&d); err != nil {
				return err
			}
		}
		return nil
	}, func(err error) {
		inputErrors++
		prog.clear()
		fmt.Fprintln(stderr, err)
	})
	prog.clear()
	if tw != nil {
		tw.Flush()
	}
	if err != nil {
		var ce *corpus.Error
		if !errors.As(err, &ce) {
			fmt.Fprintf(stderr, "tanchi scan: %v\n", err)
			return exitUsage
		}
		inputErrors++
		fmt.Fprintln(stderr, err)
	}
	st.files = len(paths)
	st.print(stderr, l, inputErrors)
	switch {
	case inputErrors > 0 || len(bad) > 0:
		return exitUsage
	case *failOnDetect && st.detections > 0:
		return exitFindings
	}
	return exitOK
}

func toDetection(m engine.Match, r corpus.Record) detection {
	d := detection{
		Rule:    detectionRule{ID: m.Rule.ID, Title: m.Rule.Title, Level: string(m.Rule.Level), Tags: m.Rule.Tags},
		Source:  detectionSource{File: r.File, Line: r.Line},
		Event:   json.RawMessage(r.Raw), // copied by detectionWriter.write
		Actions: m.Rule.Actions,
		Matched: m.Fields,
	}
	if d.Rule.Tags == nil {
		d.Rule.Tags = []string{}
	}
	if d.Actions == nil {
		d.Actions = []string{}
	}
	if x := m.SuppressedBy; x != nil {
		d.SuppressedBy = &suppression{ID: x.ID, Title: x.Title, Reason: x.Reason}
	}
	return d
}

type scanStats struct {
	start                  time.Time
	files, events          int
	detections, suppressed int
	byLevel                map[rule.Level]int
}

func (s *scanStats) print(w io.Writer, l *loaded, inputErrors int) {
	el := time.Since(s.start)
	rate := float64(s.events) / el.Seconds()
	fmt.Fprintf(w, "tanchi: %d rules loaded", len(l.eng.Rules()))
	if n := len(l.unsupported()); n > 0 {
		fmt.Fprintf(w, ", %d not evaluated (tanchi check lists why)", n)
	}
	if n := len(l.errors()); n > 0 {
		fmt.Fprintf(w, ", %d with errors", n)
	}
	fmt.Fprintf(w, "; %d events from %d files in %s (%.0f events/s)\n", s.events, s.files, el.Round(time.Millisecond), rate)
	fmt.Fprintf(w, "tanchi: %d detections", s.detections)
	var parts []string
	for _, lv := range []rule.Level{rule.LevelCritical, rule.LevelHigh, rule.LevelMedium, rule.LevelLow, rule.LevelInformational, ""} {
		if n := s.byLevel[lv]; n > 0 {
			name := string(lv)
			if name == "" {
				name = "no level"
			}
			parts = append(parts, fmt.Sprintf("%d %s", n, name))
		}
	}
	if len(parts) > 0 {
		fmt.Fprintf(w, " (%s)", strings.Join(parts, ", "))
	}
	fmt.Fprintf(w, ", %d suppressed by exclusions", s.suppressed)
	if inputErrors > 0 {
		fmt.Fprintf(w, ", %d malformed records skipped", inputErrors)
	}
	fmt.Fprintln(w)
}

// progress shows a running count on a terminal, and nothing otherwise.
type progress struct {
	w     io.Writer
	on    bool
	last  time.Time
	shown bool
}

func newProgress(w io.Writer) *progress {
	p := &progress{w: w, last: time.Now()}
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			p.on = true
		}
	}
	return p
}

func (p *progress) tick(events int) {
	if !p.on || events%4096 != 0 || time.Since(p.last) < 500*time.Millisecond {
		return
	}
	p.last = time.Now()
	p.shown = true
	fmt.Fprintf(p.w, "\r%d events...", events)
}

func (p *progress) clear() {
	if p.shown {
		fmt.Fprint(p.w, "\r\033[K")
		p.shown = false
	}
}
