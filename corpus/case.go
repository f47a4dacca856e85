package corpus

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/tanchi-dev/tanchi/engine"
	"github.com/tanchi-dev/tanchi/rule"
)

// File names with a meaning in a case directory.
const (
	caseFile   = "case.yml"   // the case's rules, events and expectations
	goldenFile = "want.jsonl" // the golden detections
)

// Kind says where a case comes from.
type Kind uint8

// Case kinds.
const (
	// KindDir is a tanchi case directory: case.yml with expectations, or
	// rules + events + want.jsonl.
	KindDir Kind = iota
	// KindRegression is a folder in SigmaHQ's regression_data layout:
	// info.yml naming a rule, and its events.
	KindRegression
	// KindInline is an example event attached to a rule (a DSL test block,
	// or sigma-test's testcases in a Sigma rule).
	KindInline
	// KindGoodlog is one rule run over benign events: any match not listed
	// as a known false positive fails it.
	KindGoodlog
)

func (k Kind) String() string {
	switch k {
	case KindDir:
		return "case"
	case KindRegression:
		return "regression"
	case KindInline:
		return "inline"
	case KindGoodlog:
		return "goodlog"
	}
	return "unknown"
}

// Case is one test: rules (its own, or rule ids from the suite's engine),
// events and expectations.
type Case struct {
	// Name identifies the case below the directory it was found in
	// ("office_macro", "rules/windows/process_creation/x/Positive", or for
	// an inline test "rules/office_macro/match 1"). It is the subtest name.
	Name string
	Kind Kind
	// Dir is the case directory; File the file that defines the case
	// (case.yml, info.yml, or the rule file of an inline test), "" for a
	// case directory made of rules, events and want.jsonl only.
	Dir, File   string
	Description string
	// Rules are the ids (or names) of the rules the case looks at; empty
	// means every rule of its engine.
	Rules []string
	// RuleFiles are rule files the case brings. When there are any, the
	// case runs on an engine of its own compiled from them, not on the
	// suite's engine.
	RuleFiles []string
	Events    []EventSource
	Expect    []Expect
	// Golden is the path of want.jsonl when the case compares detections
	// with golden ones.
	Golden string
	// Skip says why the case cannot run here; it is counted as skipped.
	Skip string
	// Err is why the case could not be read; the case fails with it.
	Err error
	// For inline cases: the rule and its test.
	Rule *rule.Rule
	Test *rule.Test
}

// EventSource is an event file, or some lines of one: a case can point into
// a large corpus file for the few events it is about.
type EventSource struct {
	Path     string
	From, To int // 1-based line range of the records taken; 0, 0 for all
}

func (s EventSource) String() string {
	switch {
	case s.From == 0:
		return s.Path
	case s.From == s.To:
		return fmt.Sprintf("%s:%d", s.Path, s.From)
	}
	return fmt.Sprintf("%s:%d-%d", s.Path, s.From, s.To)
}

// takes reports whether the record starting on line belongs to the source.
func (s EventSource) takes(line int) bool {
	return s.From == 0 || (line >= s.From && line <= s.To)
}

// Expect is one expectation: how many events a rule (or any rule of the
// case) must match.
type Expect struct {
	Rule  string // rule id or name; "" for any rule the case looks at
	Count int
	Exact bool // exactly Count events; otherwise at least Count
	Pos   rule.Pos
}

// String renders the bound: "at least 1", "exactly 0".
func (e Expect) String() string {
	if e.Exact {
		return fmt.Sprintf("exactly %d", e.Count)
	}
	return fmt.Sprintf("at least %d", e.Count)
}

func (e Expect) holds(n int) bool {
	if e.Exact {
		return n == e.Count
	}
	return n >= e.Count
}

// LoadCases walks dir and returns the cases found in it, in path order:
//
//   - a directory with info.yml is a SigmaHQ regression folder (one case
//     per test it lists): the rule must match at least match_count events
//     (default 1) of the .json file beside info.yml;
//   - a directory with case.yml is a tanchi case;
//   - a directory with want.jsonl, or with rule files and event files, is a
//     golden case: its rules run over its events and the detections must
//     equal want.jsonl.
//
// case.yml says which rules the case looks at, which events it reads and
// what must hold; every key is optional but one of expect and golden:
//
//	description: Word macro starts an encoded PowerShell
//	rules: [25e8b061-62f1-4314-8c77-e454f1d2eb62]   # ids or names; default: all
//	events:                                         # default: the event files beside case.yml
//	  - events.jsonl
//	  - ../../corpus/story.jsonl:29-31              # some lines of a corpus file
//	expect:
//	  - rule: 25e8b061-62f1-4314-8c77-e454f1d2eb62
//	    at_least: 1                                 # or exactly: N
//	  - exactly: 0                                  # no rule: no rule may match (goodlog form)
//	golden: true                                    # also compare with want.jsonl
//	skip: reason                                    # count the case as skipped
//
// Counts are of events: an event counts once for a rule however it
// matched. Rule files (*.yml, *.yaml, *.tdl) beside case.yml or want.jsonl
// are the case's own rules, compiled for it alone, and their inline tests
// run with it; without rule files the case runs on the suite's engine.
// Event files are JSONL, JSON arrays or concatenated (pretty-printed)
// objects, flat or Windows evtx JSON, optionally gzipped (see Files).
//
// The walk does not descend into a case directory, and passes over names
// starting with ".". A case that cannot be read is returned with Err set,
// so that it fails on its own instead of hiding the others; the error is
// for a directory that cannot be walked. Inline tests are not found here:
// they come with rules (see Suite.Cases and InlineCases).
func LoadCases(dir string) ([]*Case, error) {
	cases, _, err := walkCases(dir)
	return cases, err
}

// walkCases is LoadCases, also returning the rule files found outside case
// directories (their inline tests belong to the walk).
func walkCases(root string) (cases []*Case, ruleFiles []string, err error) {
	fi, err := os.Stat(root)
	if err != nil {
		return nil, nil, err
	}
	if !fi.IsDir() {
		return nil, nil, fmt.Errorf("%s: not a directory of cases", root)
	}
	var errs []error
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != root && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.IsDir() {
			if isRuleFile(p) {
				ruleFiles = append(ruleFiles, p)
			}
			return nil
		}
		cs, isCase, err := casesIn(root, p)
		if err != nil {
			errs = append(errs, err)
		}
		cases = append(cases, cs...)
		if isCase {
			return filepath.SkipDir
		}
		return nil
	})
	if err != nil {
		errs = append(errs, err)
	}
	slices.SortStableFunc(cases, func(a, b *Case) int { return strings.Compare(a.Name, b.Name) })
	return cases, ruleFiles, errors.Join(errs...)
}

// casesIn returns the cases of directory dir, and whether dir is a case
// directory at all.
func casesIn(root, dir string) ([]*Case, bool, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, false, err
	}
	has := map[string]bool{}
	var ruleFiles []string
	events := false
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		if e.IsDir() {
			continue
		}
		has[e.Name()] = true
		switch {
		case isRuleFile(e.Name()):
			ruleFiles = append(ruleFiles, filepath.Join(dir, e.Name()))
		case IsEventFile(e.Name()) && e.Name() != goldenFile:
			events = true
		}
	}
	name := caseName(root, dir)
	switch {
	case has["info.yml"]:
		cs, err := regressionCases(root, filepath.Join(dir, "info.yml"))
		if err != nil {
			// Still a case: it fails with the reason.
			return []*Case{{Name: name, Kind: KindRegression, Dir: dir, File: filepath.Join(dir, "info.yml"), Err: err}}, true, nil
		}
		return cs, true, nil
	case has[caseFile]:
		return []*Case{readCaseFile(name, dir, ruleFiles)}, true, nil
	case has[goldenFile] || (events && len(ruleFiles) > 0):
		c := &Case{Name: name, Kind: KindDir, Dir: dir, RuleFiles: ruleFiles, Golden: filepath.Join(dir, goldenFile)}
		c.Events, c.Err = defaultEvents(dir)
		if c.Err == nil && len(ruleFiles) == 0 {
			c.Err = fmt.Errorf("%s: a golden case needs rule files beside want.jsonl (or a %s naming rules)", dir, caseFile)
		}
		return []*Case{c}, true, nil
	}
	return nil, false, nil
}

// caseName is dir below root with forward slashes; the root itself is
// named by its base name.
func caseName(root, dir string) string {
	rel, err := filepath.Rel(root, dir)
	if err != nil || rel == "." {
		return filepath.Base(dir)
	}
	return filepath.ToSlash(rel)
}

// defaultEvents is every event file below dir except want.jsonl.
func defaultEvents(dir string) ([]EventSource, error) {
	files, err := Files(dir)
	if err != nil {
		return nil, err
	}
	var out []EventSource
	for _, f := range files {
		if filepath.Base(f) == goldenFile && filepath.Dir(f) == filepath.Clean(dir) {
			continue
		}
		out = append(out, EventSource{Path: f})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no event files (*.json, *.jsonl, *.ndjson)", dir)
	}
	return out, nil
}

// caseKeys are the keys of case.yml.
var caseKeys = []string{"description", "rules", "events", "expect", "golden", "skip"}

// readCaseFile reads dir/case.yml (see LoadCases for its keys).
func readCaseFile(name, dir string, ruleFiles []string) *Case {
	path := filepath.Join(dir, caseFile)
	c := &Case{Name: name, Kind: KindDir, Dir: dir, File: path, RuleFiles: ruleFiles}
	src, err := os.ReadFile(path)
	if err != nil {
		c.Err = err
		return c
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		c.Err = rule.Errorf(rule.ErrSyntax, rule.Pos{File: path, Line: 1, Col: 1}, "invalid YAML: %v", strings.TrimPrefix(err.Error(), "yaml: "))
		return c
	}
	cr := &caseReader{path: path, lines: strings.Split(string(src), "\n")}
	cr.read(c, &doc)
	if c.Err == nil && len(c.Events) == 0 {
		c.Events, c.Err = defaultEvents(dir)
	}
	if c.Err == nil && len(c.Expect) == 0 && c.Golden == "" && c.Skip == "" {
		c.Err = cr.errorf(&doc, "%s states nothing to check: add expect: (at_least / exactly per rule) or golden: true", caseFile)
	}
	if c.Golden == "" {
		if _, err := os.Stat(filepath.Join(dir, goldenFile)); err == nil {
			c.Golden = filepath.Join(dir, goldenFile)
		}
	}
	return c
}

type caseReader struct {
	path  string
	lines []string
	errs  rule.ErrorList
}

func (cr *caseReader) errorf(n *yaml.Node, format string, args ...any) error {
	pos := rule.Pos{File: cr.path, Line: n.Line, Col: n.Column, Offset: -1}
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		pos.Line, pos.Col = n.Content[0].Line, n.Content[0].Column
	}
	e := rule.Errorf(rule.ErrSchema, pos, format, args...)
	if pos.Line > 0 && pos.Line <= len(cr.lines) {
		e.Source = cr.lines[pos.Line-1]
	}
	cr.errs = append(cr.errs, e)
	return cr.errs
}

func (cr *caseReader) read(c *Case, doc *yaml.Node) {
	defer func() {
		if len(cr.errs) > 0 {
			c.Err = caseError(cr.errs)
		}
	}()
	n := doc
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	if n.Kind != yaml.MappingNode {
		cr.errorf(n, "%s must be a mapping (description, rules, events, expect, golden)", caseFile)
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch k.Value {
		case "description":
			c.Description = v.Value
		case "skip":
			c.Skip = v.Value
		case "rules":
			c.Rules = cr.strings(k, v)
		case "events":
			for j, s := range cr.strings(k, v) {
				at := v
				if v.Kind == yaml.SequenceNode {
					at = v.Content[j]
				}
				if src, ok := cr.eventSource(c.Dir, at, s); ok {
					c.Events = append(c.Events, src)
				}
			}
		case "expect":
			cr.expect(c, v)
		case "golden":
			var b bool
			if v.Decode(&b) != nil {
				cr.errorf(v, "golden must be true or false")
			} else if b {
				c.Golden = filepath.Join(c.Dir, goldenFile)
			}
		default:
			cr.errorf(k, "unknown key %q in %s: use %s%s", k.Value, caseFile, strings.Join(caseKeys, ", "), rule.Suggest(k.Value, caseKeys))
		}
	}
}

// caseError is one error as itself, several as a list.
func caseError(errs rule.ErrorList) error {
	if len(errs) == 1 {
		return errs[0]
	}
	return errs
}

func (cr *caseReader) strings(k, v *yaml.Node) []string {
	switch v.Kind {
	case yaml.ScalarNode:
		return []string{v.Value}
	case yaml.SequenceNode:
		out := make([]string, 0, len(v.Content))
		for _, it := range v.Content {
			if it.Kind != yaml.ScalarNode {
				cr.errorf(it, "%s must be a list of strings", k.Value)
				return nil
			}
			out = append(out, it.Value)
		}
		return out
	}
	cr.errorf(v, "%s must be a string or a list of strings", k.Value)
	return nil
}

var lineRange = regexp.MustCompile(`^(.*):(\d+)(?:-(\d+))?$`)

// eventSource reads "path", "path:LINE" or "path:FROM-TO", relative to the
// case directory.
func (cr *caseReader) eventSource(dir string, n *yaml.Node, s string) (EventSource, bool) {
	src := EventSource{Path: s}
	if m := lineRange.FindStringSubmatch(s); m != nil {
		src.Path = m[1]
		src.From, _ = strconv.Atoi(m[2])
		src.To = src.From
		if m[3] != "" {
			src.To, _ = strconv.Atoi(m[3])
		}
		if src.From < 1 || src.To < src.From {
			cr.errorf(n, "bad line range in %q: want FILE:LINE or FILE:FROM-TO with FROM <= TO", s)
			return src, false
		}
	}
	if !filepath.IsAbs(src.Path) {
		src.Path = filepath.Join(dir, filepath.FromSlash(src.Path))
	}
	if _, err := os.Stat(src.Path); err != nil {
		cr.errorf(n, "events %q: %v", s, errors.Unwrap(err))
		return src, false
	}
	return src, true
}

func (cr *caseReader) expect(c *Case, v *yaml.Node) {
	if v.Kind != yaml.SequenceNode {
		cr.errorf(v, "expect must be a list of {rule: ID, at_least: N} or {rule: ID, exactly: N}")
		return
	}
	for _, it := range v.Content {
		if it.Kind != yaml.MappingNode {
			cr.errorf(it, "each expectation must be a mapping: {rule: ID, at_least: N} or {rule: ID, exactly: N}")
			continue
		}
		e := Expect{Pos: rule.Pos{File: cr.path, Line: it.Line, Col: it.Column, Offset: -1}}
		bounds := 0
		for i := 0; i+1 < len(it.Content); i += 2 {
			k, val := it.Content[i], it.Content[i+1]
			switch k.Value {
			case "rule":
				e.Rule = val.Value
			case "at_least", "exactly":
				bounds++
				if val.Decode(&e.Count) != nil || e.Count < 0 {
					cr.errorf(val, "%s must be a count of events (0 or more)", k.Value)
				}
				e.Exact = k.Value == "exactly"
			default:
				cr.errorf(k, "unknown key %q in an expectation: use rule, at_least or exactly%s", k.Value,
					rule.Suggest(k.Value, []string{"rule", "at_least", "exactly"}))
			}
		}
		switch {
		case bounds != 1:
			cr.errorf(it, "an expectation needs exactly one of at_least: N and exactly: N")
		case !e.Exact && e.Count == 0:
			cr.errorf(it, "at_least: 0 always holds; write exactly: 0 for events the rule must not match")
		}
		c.Expect = append(c.Expect, e)
	}
}

// InlineCases returns one case per test attached to rules (DSL test blocks,
// sigma-test testcases), in rule order. Each is named after its rule file
// (relative to root when root is not "", without the extension) and the
// test's name.
func InlineCases(rules []*rule.Rule, root string) []*Case {
	var out []*Case
	for _, r := range rules {
		for i := range r.Tests {
			t := &r.Tests[i]
			name := t.Name
			if name == "" {
				name = fmt.Sprintf("test %d", i+1)
			}
			file := t.Pos.File
			if file == "" {
				file = r.Pos.File
			}
			base := file
			if root != "" {
				if rel, err := filepath.Rel(root, file); err == nil && !strings.HasPrefix(rel, "..") {
					base = rel
				}
			}
			base = strings.TrimSuffix(filepath.ToSlash(base), filepath.Ext(base))
			if base == "" {
				base = r.Key()
			}
			out = append(out, &Case{
				Name:  base + "/" + name,
				Kind:  KindInline,
				File:  file,
				Rules: []string{ruleRef(r)},
				Rule:  r,
				Test:  t,
			})
		}
	}
	return out
}

// ruleRef is what names a rule to the engine: its id, or its name.
func ruleRef(r *rule.Rule) string {
	if r.ID != "" {
		return r.ID
	}
	return r.Name
}

// Cases returns the cases under dir: the case directories LoadCases finds,
// and the inline tests of the suite engine's rules whose files lie under
// dir outside any case directory (rule files inside a case directory are
// that case's own rules; their tests run as part of the case).
func (s *Suite) Cases(dir string) ([]*Case, error) {
	cases, ruleFiles, err := walkCases(dir)
	if s.Engine != nil && len(ruleFiles) > 0 {
		files := map[string]bool{}
		for _, f := range ruleFiles {
			if abs, e := filepath.Abs(f); e == nil {
				files[abs] = true
			}
		}
		var inDir []*rule.Rule
		for _, r := range s.Engine.Rules() {
			if abs, e := filepath.Abs(r.Pos.File); e == nil && files[abs] && len(r.Tests) > 0 {
				inDir = append(inDir, r)
			}
		}
		cases = append(cases, InlineCases(inDir, dir)...)
	}
	return cases, err
}

// selectRules resolves a case's rule references in eng: the rules it looks
// at (nil for all), and the references that name no loaded rule.
func selectRules(eng *engine.Engine, refs []string) (map[*rule.Rule]bool, []string) {
	if len(refs) == 0 {
		return nil, nil
	}
	sel := map[*rule.Rule]bool{}
	var missing []string
	for _, ref := range refs {
		found := false
		for _, r := range eng.Rules() {
			if r.ID == ref || (r.Name != "" && r.Name == ref) {
				sel[r] = true
				found = true
			}
		}
		if !found {
			missing = append(missing, ref)
		}
	}
	return sel, missing
}
