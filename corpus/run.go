package corpus

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tanchi-dev/tanchi/engine"
	"github.com/tanchi-dev/tanchi/rule"
)

// Suite runs cases. The zero Suite runs cases that bring their own rules;
// set Engine for cases that name rules of a loaded set, and for inline
// tests. A Suite may run cases from several goroutines at once when its
// Compile function (the default one is) and Coverage are safe for that.
type Suite struct {
	// Engine holds the rules under test. Cases that bring no rule files
	// run on it.
	Engine *engine.Engine
	// Compile builds the engine for a case that brings rule files. nil
	// means LoadEngine(files) with no options; give one that adds the
	// mapping and placeholders Engine was compiled with.
	Compile func(ruleFiles []string) (*engine.Engine, error)
	// Update rewrites golden files (want.jsonl) instead of comparing them.
	Update bool
	// Explain is how many events a failed must-match expectation explains
	// with engine.Explain (default 3; negative for none).
	Explain int
	// Coverage, when not nil, sees every event the suite reads.
	Coverage *Coverage
}

// Status is the outcome of a case.
type Status uint8

// Outcomes.
const (
	Passed Status = iota
	Failed
	Skipped
)

func (s Status) String() string {
	switch s {
	case Passed:
		return "pass"
	case Failed:
		return "fail"
	}
	return "skip"
}

// Result is the outcome of one case.
type Result struct {
	Case   *Case
	Status Status
	// Events is the number of events read.
	Events int
	// Checks are the case's expectations with what was found.
	Checks []Check
	// Failures say what went wrong, each on its own; empty unless Failed.
	Failures []Failure
	// Skip says why the case did not run.
	Skip string
	// Note is a short remark on a passing case ("want.jsonl rewritten").
	Note string
	// Rules are the keys of the rules the case tested (for coverage).
	Rules   []string
	Elapsed time.Duration
}

// Check is one expectation and the number of events that matched.
type Check struct {
	Expect  Expect
	Matched int
	Test    string // the name of the inline test it checks, if it is one
}

// Failure is one thing that went wrong in a case.
type Failure struct {
	// Pos is where the failed expectation or test is written, when it is
	// written somewhere.
	Pos rule.Pos
	// Msg says what failed, in one line.
	Msg string
	// Detail explains it: the evaluated condition of events that did not
	// match, the fields of events that matched, a diff. It may be "".
	Detail string
	input  bool // the case could not be run as written (unreadable events, unknown rule)
}

// String renders the failure as "file:line:col: message", followed by the
// detail indented by two spaces.
func (f Failure) String() string {
	s := f.Msg
	if f.Pos.File != "" || f.Pos.IsValid() {
		s = f.Pos.String() + ": " + s
	}
	if f.Detail != "" {
		s += "\n" + indent(strings.TrimRight(f.Detail, "\n"), "  ")
	}
	return s
}

func indent(s, by string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = by + l
		}
	}
	return strings.Join(lines, "\n")
}

// Title is the case's name, with its rule in parentheses when it is about
// one rule: "cleared (06a70310-0edd-4832-86f8-061f5c35a639)".
func (r *Result) Title() string {
	c := r.Case
	if c.Kind != KindDir && len(c.Rules) == 1 {
		return fmt.Sprintf("%s (%s)", c.Name, c.Rules[0])
	}
	return c.Name
}

// Summary says in a few words what a passing or skipped case found.
func (r *Result) Summary() string {
	switch r.Status {
	case Skipped:
		return r.Skip
	case Failed:
		return fmt.Sprintf("%d failures", len(r.Failures))
	}
	var parts []string
	for _, ch := range r.Checks {
		parts = append(parts, ch.describe(r.Events))
	}
	if len(parts) > 2 {
		parts = []string{fmt.Sprintf("%d expectations hold over %d events", len(parts), r.Events)}
	}
	if r.Note != "" {
		parts = append(parts, r.Note)
	}
	if len(parts) == 0 {
		return fmt.Sprintf("%d events", r.Events)
	}
	return strings.Join(parts, "; ")
}

func (ch Check) describe(events int) string {
	if ch.Test != "" {
		verb := map[bool]string{true: "matched", false: "did not match"}[ch.Matched > 0]
		return fmt.Sprintf("test %q %s, as it must", ch.Test, verb)
	}
	return fmt.Sprintf("%d of %d events matched, want %s", ch.Matched, events, ch.Expect)
}

// String renders the result as the CLI prints it: "ok   NAME: summary",
// "SKIP NAME: reason", or "FAIL NAME: failure" followed by the failure's
// detail, or by each failure on its own lines when there are several.
func (r *Result) String() string {
	switch r.Status {
	case Passed:
		return "ok   " + r.Title() + ": " + r.Summary()
	case Skipped:
		return "SKIP " + r.Title() + ": " + r.Skip
	}
	head := "FAIL " + r.Title()
	if len(r.Failures) == 1 {
		return head + ": " + r.Failures[0].String()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d failures", head, len(r.Failures))
	for _, f := range r.Failures {
		b.WriteString("\n")
		b.WriteString(indent(f.String(), "    "))
	}
	return b.String()
}

// Run runs one case. It never panics on bad input: a case that cannot run
// fails with a Failure saying why.
func (s *Suite) Run(c *Case) *Result {
	start := time.Now()
	r := &Result{Case: c}
	s.run(c, r)
	r.Elapsed = time.Since(start)
	switch {
	case len(r.Failures) > 0:
		r.Status = Failed
	case r.Skip != "":
		r.Status = Skipped
	}
	return r
}

func (r *Result) fail(f Failure) { r.Failures = append(r.Failures, f) }

func (r *Result) failInput(pos rule.Pos, format string, args ...any) {
	r.fail(Failure{Pos: pos, Msg: fmt.Sprintf(format, args...), input: true})
}

func (s *Suite) run(c *Case, r *Result) {
	if c.Err != nil {
		r.fail(Failure{Msg: c.Err.Error(), Detail: errorDetail(c.Err), input: true})
		return
	}
	if c.Skip != "" {
		r.Skip = c.Skip
		return
	}
	eng := s.Engine
	if len(c.RuleFiles) > 0 {
		var ok bool
		if eng, ok = s.caseEngine(c, r); !ok {
			return
		}
	}
	if eng == nil {
		r.failInput(rule.Pos{}, "the case names no rule files and the suite has no engine")
		return
	}
	if c.Kind == KindInline {
		s.runInline(eng, c.Rule, c.Test, r)
		return
	}
	sel, missing := selectRules(eng, c.Rules)
	for _, m := range missing {
		r.failInput(rule.Pos{}, "rule %s is not loaded%s", m, suggestRule(eng, m))
	}
	for _, e := range c.Expect {
		if e.Rule == "" {
			continue
		}
		if _, miss := selectRules(eng, []string{e.Rule}); len(miss) > 0 {
			if !slices.Contains(missing, e.Rule) {
				r.failInput(e.Pos, "rule %s is not loaded%s", e.Rule, suggestRule(eng, e.Rule))
			}
			continue
		}
		if sel != nil && !slices.ContainsFunc(eng.Rules(), func(x *rule.Rule) bool { return sel[x] && (x.ID == e.Rule || x.Name == e.Rule) }) {
			r.failInput(e.Pos, "rule %s is not among the case's rules", e.Rule)
		}
	}
	if len(r.Failures) > 0 {
		return
	}
	if len(c.Events) == 0 {
		r.failInput(rule.Pos{File: c.File}, "the case has no events")
		return
	}
	run := s.scan(eng, c, sel, r)
	s.check(eng, c, sel, run, r)
	if c.Golden != "" {
		s.golden(c, run.golden, r)
	}
	if len(c.RuleFiles) > 0 {
		// The case's own rules carry their inline tests along.
		for _, rl := range eng.Rules() {
			for i := range rl.Tests {
				s.runInline(eng, rl, &rl.Tests[i], r)
			}
		}
	}
	r.Rules = testedRules(eng, c, sel, run)
}

func errorDetail(err error) string {
	var el rule.ErrorList
	if errors.As(err, &el) && len(el) > 1 {
		return "" // the message already lists each
	}
	var re *rule.Error
	if errors.As(err, &re) && re.Source != "" {
		d := re.Detail()
		if i := strings.IndexByte(d, '\n'); i >= 0 {
			return d[i+1:]
		}
	}
	return ""
}

// caseEngine compiles the rules a case brings.
func (s *Suite) caseEngine(c *Case, r *Result) (*engine.Engine, bool) {
	compile := s.Compile
	if compile == nil {
		compile = func(files []string) (*engine.Engine, error) { return LoadEngine(files) }
	}
	eng, err := compile(c.RuleFiles)
	if err != nil {
		el := asErrorList(err)
		unsupported := len(el) > 0
		for _, e := range el {
			unsupported = unsupported && e.Code.Unsupported()
		}
		if unsupported {
			r.Skip = "rules cannot be evaluated: " + el[0].Error()
			return nil, false
		}
		for _, e := range el {
			if !e.Code.Unsupported() {
				r.fail(Failure{Msg: e.Error(), Detail: errorDetail(e), input: true})
			}
		}
		return nil, false
	}
	return eng, eng != nil
}

// suggestRule offers the closest loaded rule id or name.
func suggestRule(eng *engine.Engine, ref string) string {
	var names []string
	for _, r := range eng.Rules() {
		names = append(names, r.ID)
		if r.Name != "" {
			names = append(names, r.Name)
		}
	}
	if s := rule.Suggest(ref, names); s != "" {
		return s
	}
	return fmt.Sprintf(" (%d rules are loaded)", len(names))
}

// hit is one event a rule matched.
type hit struct {
	src    string // file:line, relative to the case
	rule   *rule.Rule
	fields []engine.FieldHit
}

// scanResult is what one pass over a case's events found.
type scanResult struct {
	matched map[*rule.Rule]int   // events each rule matched (not suppressed)
	hits    map[*rule.Rule][]hit // the first few of them
	any     int                  // events any selected rule matched
	anyHits []hit
	golden  []goldenLine
}

// maxHits bounds the matched events kept per rule for failure messages.
const maxHits = 10

func (s *Suite) scan(eng *engine.Engine, c *Case, sel map[*rule.Rule]bool, r *Result) *scanResult {
	res := &scanResult{matched: map[*rule.Rule]int{}, hits: map[*rule.Rule][]hit{}}
	s.walk(c, r, func(src string, ev *engine.JSONEvent) {
		anyHit := false
		for _, m := range eng.MatchAll(ev) {
			if sel != nil && !sel[m.Rule] {
				continue
			}
			g := goldenLine{Event: src, Rule: m.Rule.Key(), Title: m.Rule.Title, Matched: m.Fields}
			if m.SuppressedBy != nil {
				g.SuppressedBy = exclusionKey(m.SuppressedBy)
				res.golden = append(res.golden, g)
				continue
			}
			res.golden = append(res.golden, g)
			res.matched[m.Rule]++
			if len(res.hits[m.Rule]) < maxHits {
				res.hits[m.Rule] = append(res.hits[m.Rule], hit{src, nil, m.Fields})
			}
			if !anyHit {
				anyHit = true
				res.any++
				if len(res.anyHits) < maxHits {
					res.anyHits = append(res.anyHits, hit{src, m.Rule, m.Fields})
				}
			}
		}
	})
	return res
}

func exclusionKey(x *rule.Exclusion) string {
	if x.ID != "" {
		return x.ID
	}
	return x.Title
}

// walk reads the case's events, reports unreadable ones as failures, and
// calls fn with each event and its place ("events.jsonl:3", relative to
// the case directory).
func (s *Suite) walk(c *Case, r *Result, fn func(src string, ev *engine.JSONEvent)) {
	count := r != nil
	for _, es := range c.Events {
		err := Walk([]string{es.Path}, func(rec Record) error {
			if !es.takes(rec.Line) {
				return nil
			}
			src := c.relPath(rec.File) + ":" + strconv.Itoa(rec.Line)
			ev, err := engine.ParseJSON(rec.Raw)
			if err != nil {
				if count {
					r.failInput(rule.Pos{}, "%s: %v", src, err)
				}
				return nil
			}
			if count {
				r.Events++
				if s.Coverage != nil {
					s.Coverage.Add(ev)
				}
			}
			fn(src, ev)
			return nil
		}, func(err error) {
			if count {
				r.failInput(rule.Pos{}, "%v", c.relErr(err))
			}
		})
		if err != nil && count {
			r.failInput(rule.Pos{}, "%v", c.relErr(err))
		}
	}
}

// relPath names a file relative to the case directory, so that messages
// and golden files do not depend on where the tests run from.
func (c *Case) relPath(file string) string {
	if c.Dir == "" {
		return file
	}
	rel, err := filepath.Rel(c.Dir, file)
	if err != nil {
		return file
	}
	return filepath.ToSlash(rel)
}

func (c *Case) relErr(err error) error {
	var ce *Error
	if errors.As(err, &ce) {
		return &Error{File: c.relPath(ce.File), Line: ce.Line, Err: ce.Err}
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		return &os.PathError{Op: pe.Op, Path: c.relPath(pe.Path), Err: pe.Err}
	}
	return err
}

// check evaluates the case's expectations.
func (s *Suite) check(eng *engine.Engine, c *Case, sel map[*rule.Rule]bool, run *scanResult, r *Result) {
	for _, e := range c.Expect {
		ch := Check{Expect: e}
		var target *rule.Rule
		var hits []hit
		if e.Rule == "" {
			ch.Matched, hits = run.any, run.anyHits
		} else {
			for _, rl := range eng.Rules() {
				if rl.ID == e.Rule || (rl.Name != "" && rl.Name == e.Rule) {
					target = rl
					break
				}
			}
			ch.Matched, hits = run.matched[target], run.hits[target]
		}
		r.Checks = append(r.Checks, ch)
		if e.holds(ch.Matched) {
			continue
		}
		f := Failure{Pos: e.Pos}
		what := "rules of the case"
		if target != nil {
			what = ruleLabel(target)
		}
		if c.Kind == KindRegression {
			f.Msg = ch.describe(r.Events)
		} else {
			f.Msg = fmt.Sprintf("%s: %s", what, ch.describe(r.Events))
		}
		if ch.Matched > e.Count {
			f.Detail = listHits(hits, ch.Matched)
		} else if target != nil {
			f.Detail = s.explainMisses(eng, c, target)
		} else {
			f.Detail = "no rule of the case matched enough events; name a rule in the expectation to see why it did not match"
		}
		r.fail(f)
	}
}

// ruleLabel is `rule ID "Title"`.
func ruleLabel(r *rule.Rule) string {
	return fmt.Sprintf("rule %s %q", r.Key(), r.Title)
}

// listHits renders the events that matched with the comparisons that made
// them match.
func listHits(hits []hit, total int) string {
	var b strings.Builder
	for _, h := range hits {
		if h.rule != nil {
			fmt.Fprintf(&b, "%s: %s matched %s\n", h.src, ruleLabel(h.rule), fieldList(h.fields))
			continue
		}
		fmt.Fprintf(&b, "%s: matched %s\n", h.src, fieldList(h.fields))
	}
	if total > len(hits) {
		fmt.Fprintf(&b, "... and %d more events\n", total-len(hits))
	}
	return b.String()
}

// fieldList renders what made a rule match: each comparison as written with
// the event's value.
func fieldList(fs []engine.FieldHit) string {
	if len(fs) == 0 {
		return "(no field comparison: the condition holds without one)"
	}
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = fmt.Sprintf("%s (event: %q)", f.Match, f.Value)
	}
	return strings.Join(parts, "; ")
}

// explainMisses explains up to s.Explain events the rule did not match,
// preferring events that logsource routing lets reach the rule.
func (s *Suite) explainMisses(eng *engine.Engine, c *Case, target *rule.Rule) string {
	limit := s.Explain
	if limit == 0 {
		limit = 3
	}
	if limit < 0 {
		return ""
	}
	id := ruleRef(target)
	if id == "" {
		return ""
	}
	var routed []string
	var unrouted string
	missed, unroutedN := 0, 0
	s.walk(c, nil, func(src string, ev *engine.JSONEvent) {
		x, err := eng.Explain(id, ev)
		if err != nil || x.Matched() {
			return
		}
		missed++
		if !x.Routed {
			unroutedN++
			if unrouted == "" {
				unrouted = src + ": " + x.String()
			}
			return
		}
		if len(routed) < limit {
			routed = append(routed, src+": "+x.String())
		}
	})
	var b strings.Builder
	for _, x := range routed {
		b.WriteString(x)
	}
	switch {
	case len(routed) == 0 && unrouted != "":
		fmt.Fprintf(&b, "no event of the case reaches the rule (logsource); the first one:\n%s", unrouted)
	case missed == 0:
		b.WriteString("the rule matched every event of the case; there are fewer events than the expectation wants\n")
	case missed > len(routed) && len(routed) > 0:
		more := missed - len(routed)
		fmt.Fprintf(&b, "... and %s not matched", plural(more, "more event"))
		switch {
		case unroutedN == more && more == 1:
			b.WriteString(" (it does not reach the rule)")
		case unroutedN == more:
			b.WriteString(" (they do not reach the rule)")
		case unroutedN > 0:
			fmt.Fprintf(&b, " (%d of them do not reach the rule)", unroutedN)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// runInline checks one test attached to a rule.
func (s *Suite) runInline(eng *engine.Engine, rl *rule.Rule, t *rule.Test, r *Result) {
	r.Rules = appendUnique(r.Rules, rl.Key())
	ev, err := engine.ParseJSON([]byte(t.Event))
	if err != nil {
		r.failInput(t.Pos, "test %q: %v", t.Name, err)
		return
	}
	r.Events++
	if s.Coverage != nil {
		s.Coverage.Add(ev)
	}
	id := ruleRef(rl)
	var m *engine.Match
	for _, x := range eng.MatchAll(ev) {
		if x.Rule == rl || (id != "" && (x.Rule.ID == id || x.Rule.Name == id)) {
			m = &x
			break
		}
	}
	matched := m != nil && m.SuppressedBy == nil
	want := Expect{Rule: id, Count: 1}
	if !t.Match {
		want = Expect{Rule: id, Exact: true}
	}
	r.Checks = append(r.Checks, Check{Expect: want, Matched: map[bool]int{true: 1}[matched], Test: t.Name})
	switch {
	case t.Match && !matched:
		f := Failure{Pos: t.Pos, Msg: fmt.Sprintf("test %q: the rule must match this event, and does not", t.Name)}
		if x, err := eng.Explain(id, ev); err == nil && s.Explain >= 0 {
			f.Detail = x.String()
		}
		r.fail(f)
	case !t.Match && matched:
		r.fail(Failure{Pos: t.Pos, Msg: fmt.Sprintf("test %q: the rule must not match this event, and does", t.Name),
			Detail: "matched " + fieldList(m.Fields)})
	}
}

func appendUnique(xs []string, x string) []string {
	if slices.Contains(xs, x) {
		return xs
	}
	return append(xs, x)
}

// testedRules are the rules a case tests: the ones it selects, or names in
// expectations, or whose detections its golden file fixes.
func testedRules(eng *engine.Engine, c *Case, sel map[*rule.Rule]bool, run *scanResult) []string {
	var out []string
	for _, rl := range eng.Rules() {
		switch {
		case sel[rl]:
		case len(c.RuleFiles) > 0 && sel == nil:
		case slices.ContainsFunc(c.Expect, func(e Expect) bool { return e.Rule != "" && (e.Rule == rl.ID || e.Rule == rl.Name) }):
		case c.Golden != "" && run.matched[rl] > 0:
		default:
			continue
		}
		out = appendUnique(out, rl.Key())
	}
	return out
}

// plural renders "1 event", "2 events".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
