package corpus

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/tanchi-dev/tanchi/engine"
	"github.com/tanchi-dev/tanchi/rule"
)

// KnownFP is one accepted false positive: matches of a rule on benign logs
// that are known and not a failure.
type KnownFP struct {
	RuleID string
	// Reason is the second column: SigmaHQ puts the rule's title there; a
	// list of one's own may say why the match is accepted.
	Reason string
	// Match, when not nil, limits the entry to matches whose event text it
	// finds (see KnownFPs.Find); nil accepts every match of the rule.
	Match *regexp.Regexp
	Pos   rule.Pos // the entry's line in the list
}

// KnownFPs is a list of known false positives.
type KnownFPs []KnownFP

// ParseKnownFPs reads a known-false-positives list in the format of
// SigmaHQ's goodlog CI (.github/workflows/known-FPs.csv):
//
//	RuleId;RuleName;MatchString
//	8ac03a65-6c84-4116-acad-dc1558ff7a77;Sysmon Configuration Change;Computer: (evtx-PC|Agamemnon)
//
// one entry per line, fields separated by ";": the rule id, its title (or
// a reason), and a regular expression the match must contain; everything
// after the second ";" is the expression, as SigmaHQ's matchgrep.sh reads
// it. The expression may be left out ("id;reason"), which accepts every
// match of the rule. The header line, blank lines and lines starting with
// "#" are passed over. Rule ids compare without regard to case. Errors are
// a rule.ErrorList with the line of each bad entry.
func ParseKnownFPs(name string, src []byte) (KnownFPs, error) {
	var out KnownFPs
	var errs rule.ErrorList
	sc := bufio.NewScanner(bytes.NewReader(src))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSuffix(sc.Text(), "\r")
		if line == 1 {
			text = strings.TrimPrefix(text, "\ufeff")
		}
		trimmed := strings.TrimSpace(text)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") || (line == 1 && strings.HasPrefix(strings.ToLower(trimmed), "ruleid;")) {
			continue
		}
		pos := rule.Pos{File: name, Line: line, Col: 1, Offset: -1}
		parts := strings.SplitN(text, ";", 3)
		e := KnownFP{RuleID: strings.TrimSpace(parts[0]), Pos: pos}
		if e.RuleID == "" {
			errs = append(errs, &rule.Error{Code: rule.ErrSchema, Pos: pos, Msg: "entry has no rule id (want RuleId;RuleName;MatchString)", Source: text})
			continue
		}
		if len(parts) > 1 {
			e.Reason = strings.TrimSpace(parts[1])
		}
		if len(parts) > 2 && parts[2] != "" {
			re, err := regexp.Compile(parts[2])
			if err != nil {
				pos.Col = len(parts[0]) + len(parts[1]) + 3
				errs = append(errs, &rule.Error{Code: rule.ErrValue, Pos: pos, Msg: fmt.Sprintf("bad MatchString: %v", err), Source: text})
				continue
			}
			e.Match = re
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		errs = append(errs, rule.Errorf(rule.ErrIO, rule.Pos{File: name, Line: line + 1}, "%v", err))
	}
	return out, errs.Err()
}

// LoadKnownFPs reads a known-false-positives file (see ParseKnownFPs).
func LoadKnownFPs(path string) (KnownFPs, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseKnownFPs(path, src)
}

// Find returns the first entry that accepts a match of r on the event raw,
// or nil. An entry with an expression accepts the match when the
// expression is found in the event's JSON text or in its "Name: value"
// rendering (every field in document order, separated by two spaces, as in
// "Computer: evtx-PC  EventID: 16"); SigmaHQ's expressions are written
// against the finding lines of its checker, which hold both forms.
func (k KnownFPs) Find(r *rule.Rule, raw []byte) *KnownFP {
	var text string
	rendered := false
	for i := range k {
		e := &k[i]
		if !strings.EqualFold(e.RuleID, r.ID) {
			continue
		}
		if e.Match == nil || e.Match.Match(raw) {
			return e
		}
		if !rendered {
			text, rendered = fieldText(raw), true
		}
		if e.Match.MatchString(text) {
			return e
		}
	}
	return nil
}

// fieldText renders a JSON object's leaves as "Name: value" in document
// order, separated by two spaces. Names are the innermost keys; evtx_dump's
// XML-shaped values ({"#text": v, "#attributes": {...}}) are named after
// the key that holds them.
func fieldText(raw []byte) string {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var parts []string
	var walk func(name string, depth int) error
	walk = func(name string, depth int) error {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch v := tok.(type) {
		case json.Delim:
			if depth > engine.MaxJSONDepth {
				return errors.New("too deep")
			}
			for dec.More() {
				n := name
				if v == '{' {
					kt, err := dec.Token()
					if err != nil {
						return err
					}
					if k, _ := kt.(string); k != "#text" && k != "#attributes" {
						n = k
					}
				}
				if err := walk(n, depth+1); err != nil {
					return err
				}
			}
			_, err := dec.Token() // the closing delimiter
			return err
		case nil:
			parts = append(parts, name+": null")
		default:
			parts = append(parts, fmt.Sprintf("%s: %v", name, v))
		}
		return nil
	}
	walk("", 0)
	return strings.Join(parts, "  ")
}

// Goodlog runs every rule of an engine over benign events. Each match is a
// finding; a finding not accepted by the known false positives (or by an
// exclusion compiled into the engine) is unexpected, and fails its rule.
type Goodlog struct {
	Engine *engine.Engine
	Known  KnownFPs
	// MinLevel leaves out rules below this level ("" for all). SigmaHQ's
	// goodlog CI leaves out low.
	MinLevel rule.Level
	Coverage *Coverage
}

// Finding is one match on a benign event.
type Finding struct {
	Rule   *rule.Rule
	File   string
	Line   int
	Fields []engine.FieldHit
	// Known is the known-false-positive entry that accepts the match, or
	// nil; SuppressedBy the exclusion that suppressed it, or nil.
	Known        *KnownFP
	SuppressedBy *rule.Exclusion
}

// Unexpected reports whether the finding fails the goodlog run.
func (f *Finding) Unexpected() bool { return f.Known == nil && f.SuppressedBy == nil }

// GoodlogReport is the outcome of a goodlog run.
type GoodlogReport struct {
	Rules    []*rule.Rule // the rules that ran
	Files    int
	Events   int
	Findings []Finding // every match, in event order
	// Errors are records that could not be read; they fail the run.
	Errors  []error
	Elapsed time.Duration
}

// Run reads the event files in paths (files or directories, see Files)
// and matches every event against every rule. The error is for paths that
// do not exist; unreadable records are collected in the report.
func (g *Goodlog) Run(paths ...string) (*GoodlogReport, error) {
	start := time.Now()
	files, err := Files(paths...)
	if err != nil {
		return nil, err
	}
	rep := &GoodlogReport{Files: len(files)}
	for _, r := range g.Engine.Rules() {
		if g.runs(r) {
			rep.Rules = append(rep.Rules, r)
		}
	}
	err = Walk(files, func(rec Record) error {
		ev, err := engine.ParseJSON(rec.Raw)
		if err != nil {
			rep.Errors = append(rep.Errors, &Error{File: rec.File, Line: rec.Line, Err: err})
			return nil
		}
		rep.Events++
		if g.Coverage != nil {
			g.Coverage.Add(ev)
		}
		for _, m := range g.Engine.MatchAll(ev) {
			if !g.runs(m.Rule) {
				continue
			}
			f := Finding{Rule: m.Rule, File: rec.File, Line: rec.Line, Fields: m.Fields, SuppressedBy: m.SuppressedBy}
			if f.SuppressedBy == nil {
				f.Known = g.Known.Find(m.Rule, rec.Raw)
			}
			rep.Findings = append(rep.Findings, f)
		}
		return nil
	}, func(err error) { rep.Errors = append(rep.Errors, err) })
	rep.Elapsed = time.Since(start)
	return rep, err
}

func (g *Goodlog) runs(r *rule.Rule) bool {
	return g.MinLevel == "" || r.Level.Rank() >= g.MinLevel.Rank()
}

// Unexpected returns the findings that fail the run.
func (rep *GoodlogReport) Unexpected() []Finding {
	var out []Finding
	for _, f := range rep.Findings {
		if f.Unexpected() {
			out = append(out, f)
		}
	}
	return out
}

// String renders a finding as "file:line: matched comparisons".
func (f *Finding) String() string {
	s := fmt.Sprintf("%s:%d: matched %s", f.File, f.Line, fieldList(f.Fields))
	switch {
	case f.Known != nil:
		s += fmt.Sprintf(" [known false positive, %s]", f.Known.Pos)
	case f.SuppressedBy != nil:
		s += fmt.Sprintf(" [suppressed by exclusion %s]", exclusionKey(f.SuppressedBy))
	}
	return s
}

// Results turns the report into one result per rule that ran: a rule
// passes when it has no unexpected finding. Unreadable records add one
// failing result. Rules are in engine order.
func (rep *GoodlogReport) Results() []*Result {
	byRule := map[*rule.Rule][]Finding{}
	for _, f := range rep.Findings {
		byRule[f.Rule] = append(byRule[f.Rule], f)
	}
	var out []*Result
	for _, r := range rep.Rules {
		name := r.Title
		if name == "" {
			name = r.Key()
		}
		c := &Case{Name: name, Kind: KindGoodlog, File: r.Pos.File, Rules: []string{r.Key()}, Rule: r}
		res := &Result{Case: c, Events: rep.Events, Checks: []Check{{Expect: Expect{Rule: r.Key(), Exact: true}}}}
		var unexpected, known []Finding
		for _, f := range byRule[r] {
			if f.Unexpected() {
				unexpected = append(unexpected, f)
			} else {
				known = append(known, f)
			}
		}
		res.Checks[0].Matched = len(unexpected)
		if len(unexpected) > 0 {
			res.Status = Failed
			var b strings.Builder
			for _, f := range unexpected {
				b.WriteString(f.String())
				b.WriteByte('\n')
			}
			msg := fmt.Sprintf("matched %d benign events (level %s)", len(unexpected), levelName(r.Level))
			if len(known) > 0 {
				msg += fmt.Sprintf(", besides %d known false positives", len(known))
			}
			res.Failures = []Failure{{Pos: r.Pos, Msg: msg, Detail: b.String()}}
		} else if len(known) > 0 {
			res.Note = fmt.Sprintf("%d known false positives", len(known))
		}
		out = append(out, res)
	}
	if len(rep.Errors) > 0 {
		c := &Case{Name: "unreadable events", Kind: KindGoodlog}
		var b strings.Builder
		for _, e := range rep.Errors {
			b.WriteString(e.Error())
			b.WriteByte('\n')
		}
		out = append(out, &Result{Case: c, Status: Failed, Failures: []Failure{{
			Msg: fmt.Sprintf("%d records could not be read", len(rep.Errors)), Detail: b.String(), input: true,
		}}})
	}
	return out
}

func levelName(l rule.Level) string {
	if l == "" {
		return "none"
	}
	return string(l)
}
