package engine

import (
	"fmt"
	"net/netip"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/tanchi-dev/tanchi/engine/internal/pattern"
	"github.com/tanchi-dev/tanchi/rule"
)

// An atom is one compiled field comparison (a rule.Match): the field to read
// and, per original value, the alternatives that value expanded to. Values
// are joined by OR (by AND with the all modifier); the alternatives of one
// value (windash variants, base64 offsets, placeholder values) always by OR.
type atom struct {
	m      *rule.Match
	id     int32 // index in Engine.atoms; -1 for atoms built on the fly
	slot   int32 // the field's slot; -1 for keyword search and on the fly
	field  string
	plain  *litSet     // plain literals of the values, tested together
	groups [][]matcher // the other values' matchers
	all    bool
	neq    bool
	exists *bool // OpExists: whether the field must be present
	// byValue: the result depends on the field's value alone (no field
	// reference) and costs enough (see costly) to be worth remembering
	// across events with the same value (see memo.go). byLong: the result
	// depends on the value alone, and is remembered for values of at least
	// longValue bytes, which cost enough to search whatever the matchers.
	byValue, byLong bool

	text atomic.Pointer[string] // m.String(), made at the first match (see matchText)
}

// matchText is m.String(), the comparison as a detection reports it: made
// once per atom, at its first match, since a rule's value lists can be
// long and most atoms never match.
func (a *atom) matchText() string {
	if p := a.text.Load(); p != nil {
		return *p
	}
	s := a.m.String()
	a.text.Store(&s)
	return s
}

// matcher tests one scalar event value. fv is Fold(v.S), for matchers
// that compare without regard to case.
type matcher interface {
	match(v Value, fv string, c *evalCtx) bool
}

// maxAlternatives bounds how many alternatives one Match may expand into
// (windash permutations times placeholder values times base64 offsets).
const maxAlternatives = 100_000

// compileAtom builds the matcher for m. placeholders resolves |expand.
// sets lets long lists of plain values be tested as a litSet; the
// brute-force path (WithoutIndex) tests each value on its own, so that
// comparing the two paths checks litSets too.
func compileAtom(m *rule.Match, placeholders map[string][]string, sets bool) (*atom, error) {
	a := &atom{m: m, id: -1, slot: -1, field: m.Field, all: m.All, neq: m.Neq}
	if errs := m.Check(); len(errs) > 0 {
		return nil, errs[0]
	}
	if m.Op == rule.OpExists {
		want := m.Values[0].S == "true"
		a.exists = &want
		return a, nil
	}
	total := 0
	for _, v := range m.Values {
		alts, err := compileValue(m, v, placeholders)
		if err != nil {
			return nil, err
		}
		total += len(alts)
		if total > maxAlternatives {
			return nil, rule.Errorf(rule.ErrLimit, m.Pos, "field %q expands to more than %d alternatives", m.Field, maxAlternatives)
		}
		a.groups = append(a.groups, alts)
	}
	if sets && !a.all {
		a.plain, a.groups = splitPlain(a.groups)
	}
	a.byLong = a.field != "" && !hasMatcher[fieldRefMatcher](a.groups)
	a.byValue = a.byLong && a.costly()
	return a, nil
}

// costly reports whether evaluating the atom costs more than looking its
// result up: a regular expression runs, a set of substrings is searched, or
// several patterns are tried one by one.
func (a *atom) costly() bool {
	if hasMatcher[regexMatcher](a.groups) || a.plain != nil && a.plain.contains != nil {
		return true
	}
	n := 0
	for _, g := range a.groups {
		n += len(g)
	}
	return n >= costlyMatchers
}

// costlyMatchers is the number of matchers from which an atom is costly.
const costlyMatchers = 4

// longValue is the length from which any atom's result on a value is
// remembered with the value's memo entry (byLong): searching a parent
// command line of 800 bytes for "cmd.exe /c echo" costs several hundred
// instructions, looking the result up a few dozen.
const longValue = 128

// hasMatcher reports whether some matcher in groups is an M.
func hasMatcher[M matcher](groups [][]matcher) bool {
	for _, g := range groups {
		for _, m := range g {
			if _, ok := m.(M); ok {
				return true
			}
		}
	}
	return false
}

func valueErr(code rule.Code, v rule.Value, m *rule.Match, format string, args ...any) error {
	pos := v.Pos
	if !pos.IsValid() {
		pos = m.Pos
	}
	return rule.Errorf(code, pos, format, args...)
}

func compileValue(m *rule.Match, v rule.Value, placeholders map[string][]string) ([]matcher, error) {
	if v.Kind == rule.Null {
		return []matcher{nullMatcher{}}, nil
	}
	switch {
	case m.TimePart != "":
		x, _ := rule.ParseNumber(v.S)
		return []matcher{timeMatcher{part: m.TimePart, op: m.Op, x: x}}, nil
	case m.FieldRef:
		return []matcher{fieldRefMatcher{other: v.S, slot: -1, mode: modeOf(m.Op), cased: m.Cased}}, nil
	}
	switch m.Op {
	case rule.OpRegex:
		re, err := rule.CompileRegex(v.S, m.RegexFlags)
		if err != nil {
			e := err.(*rule.Error)
			return nil, valueErr(e.Code, v, m, "%s", e.Msg)
		}
		return []matcher{newRegexMatcher(re)}, nil
	case rule.OpCIDR:
		p, err := netip.ParsePrefix(strings.TrimSpace(v.S))
		if err != nil {
			return nil, valueErr(rule.ErrValue, v, m, "invalid CIDR prefix %q", v.S)
		}
		return []matcher{cidrMatcher{p.Masked()}}, nil
	case rule.OpLT, rule.OpLTE, rule.OpGT, rule.OpGTE:
		x, _ := rule.ParseNumber(v.S)
		return []matcher{numMatcher{op: m.Op, x: x}}, nil
	}
	// String comparisons.
	mode := modeOf(m.Op)
	if m.Field == "" {
		// Keyword search finds the value anywhere in a field's text: Sigma
		// applies keywords to the full log message.
		mode = pattern.Contains
	}
	if v.Kind != rule.String {
		// Numbers and booleans compare by their text, and numbers also by
		// value so that 0x17 equals 23.
		sm := &strMatcher{m: pattern.Compile(pattern.Literal(v.S), mode, m.Cased)}
		if v.Kind == rule.Number && mode == pattern.Exact {
			sm.num, sm.isNum = rule.ParseNumber(v.S)
		}
		return []matcher{sm}, nil
	}
	pats, err := transform(m, v, placeholders)
	if err != nil {
		return nil, err
	}
	out := make([]matcher, len(pats))
	for i, p := range pats {
		out[i] = &strMatcher{m: pattern.Compile(p, mode, m.Cased)}
	}
	return out, nil
}

func modeOf(op rule.Op) pattern.Mode {
	switch op {
	case rule.OpContains:
		return pattern.Contains
	case rule.OpStartsWith:
		return pattern.StartsWith
	case rule.OpEndsWith:
		return pattern.EndsWith
	}
	return pattern.Exact
}

// transform applies the value modifiers in the order written. expand runs
// first whatever its place in the chain: placeholders are part of the
// written value.
func transform(m *rule.Match, v rule.Value, placeholders map[string][]string) ([]pattern.Pattern, error) {
	raws := []string{v.S}
	if slices.Contains(m.Transforms, "expand") {
		var err error
		raws, err = expand(v.S, placeholders)
		if err != nil {
			return nil, valueErr(rule.ErrPlaceholder, v, m, "%v", err)
		}
	}
	pats := make([]pattern.Pattern, len(raws))
	for i, r := range raws {
		pats[i] = pattern.Parse(r)
	}
	var bytesVals [][]byte // set while an encoding to UTF-16 is pending
	plain := func(p pattern.Pattern, mod string) (string, error) {
		s, ok := p.IsPlain()
		if !ok {
			return "", valueErr(rule.ErrValue, v, m, "%s cannot encode a value with wildcards (%q); escape * and ? with a backslash", mod, v.S)
		}
		return s, nil
	}
	for _, t := range m.Transforms {
		switch t {
		case "expand":
		case "windash":
			var out []pattern.Pattern
			for _, p := range pats {
				vs, err := pattern.Windash(p)
				if err != nil {
					return nil, valueErr(rule.ErrLimit, v, m, "windash: %v", err)
				}
				out = append(out, vs...)
			}
			pats = out
		case "utf16le", "wide", "utf16be", "utf16":
			bytesVals = bytesVals[:0]
			for _, p := range pats {
				s, err := plain(p, t)
				if err != nil {
					return nil, err
				}
				switch t {
				case "utf16be":
					bytesVals = append(bytesVals, pattern.UTF16BE(s))
				case "utf16":
					bytesVals = append(bytesVals, pattern.UTF16(s))
				default:
					bytesVals = append(bytesVals, pattern.UTF16LE(s))
				}
			}
			pats = nil
		case "base64", "base64offset":
			if bytesVals == nil {
				for _, p := range pats {
					s, err := plain(p, t)
					if err != nil {
						return nil, err
					}
					bytesVals = append(bytesVals, []byte(s))
				}
			}
			pats = nil
			for _, b := range bytesVals {
				if t == "base64" {
					pats = append(pats, pattern.Literal(pattern.Base64(b)))
					continue
				}
				for _, s := range pattern.Base64Offset(b) {
					// A value too short to leave a stable part at some
					// offset would match everything there.
					if s == "" {
						return nil, valueErr(rule.ErrValue, v, m, "base64offset: value %q is too short to be found at every offset of a base64 text (it needs at least 2 bytes)", v.S)
					}
					pats = append(pats, pattern.Literal(s))
				}
			}
			bytesVals = nil
		default:
			return nil, valueErr(rule.ErrModifier, v, m, "modifier %q is not implemented", t)
		}
		if len(pats) > maxAlternatives {
			return nil, valueErr(rule.ErrLimit, v, m, "value expands to more than %d alternatives", maxAlternatives)
		}
	}
	return pats, nil
}

// expand replaces %name% placeholders with each of their values. A
// backslash before % keeps it literal.
func expand(s string, placeholders map[string][]string) ([]string, error) {
	out := []string{""}
	for i := 0; i < len(s); {
		switch {
		case s[i] == '\\' && i+1 < len(s) && s[i+1] == '%':
			out = appendAll(out, "%")
			i += 2
		case s[i] == '%':
			end := strings.IndexByte(s[i+1:], '%')
			if end < 0 {
				out = appendAll(out, s[i:])
				i = len(s)
				continue
			}
			name := s[i+1 : i+1+end]
			vals, ok := placeholders[name]
			if !ok || len(vals) == 0 {
				return nil, fmt.Errorf("placeholder %%%s%% has no value: give it one in the placeholder map (tanchi scan --placeholders FILE)", name)
			}
			var next []string
			for _, o := range out {
				for _, v := range vals {
					next = append(next, o+v)
				}
			}
			if len(next) > maxAlternatives {
				return nil, fmt.Errorf("placeholders expand to more than %d values", maxAlternatives)
			}
			out = next
			i += end + 2
		default:
			j := i + 1
			for j < len(s) && s[j] != '%' && s[j] != '\\' {
				j++
			}
			out = appendAll(out, s[i:j])
			i = j
		}
	}
	return out, nil
}

func appendAll(list []string, s string) []string {
	for i := range list {
		list[i] += s
	}
	return list
}

// eval tests the atom against an event.
func (a *atom) eval(c *evalCtx) bool {
	if a.field == "" {
		return a.evalKeywords(c)
	}
	v, present := c.field(a.slot, a.field)
	if a.exists != nil {
		return present == *a.exists
	}
	fv := ""
	if present && v.Kind != KindNull && v.Kind != KindList {
		fv = c.folded(a.slot, v.S)
	}
	hit := a.evalGroups(v, fv, present, c)
	if a.neq {
		return present && v.Kind != KindNull && !hit
	}
	return hit
}

func (a *atom) evalGroups(v Value, fv string, present bool, c *evalCtx) bool {
	if a.plain != nil && present && a.plainMatch(v, fv, c) {
		return true
	}
	for _, g := range a.groups {
		ok := groupMatch(g, v, fv, present, c)
		if ok && !a.all {
			return true
		}
		if !ok && a.all {
			return false
		}
	}
	return a.all
}

// plainMatch reports whether v (whose fold is fv) matches one of the
// atom's plain values (see splitPlain).
func (a *atom) plainMatch(v Value, fv string, c *evalCtx) bool {
	switch v.Kind {
	case KindNull:
		return false
	case KindList:
		for _, it := range v.Items {
			if it.Kind != KindNull && it.Kind != KindList && a.plain.match(c.fold(it.S)) {
				return true
			}
		}
		return false
	default:
		return a.plain.match(fv)
	}
}

// matchesOne reports whether v (whose fold is fv) matches one of the
// atom's values.
func (a *atom) matchesOne(v Value, fv string, c *evalCtx) bool {
	if a.plain != nil && a.plainMatch(v, fv, c) {
		return true
	}
	for _, g := range a.groups {
		if groupMatch(g, v, fv, true, c) {
			return true
		}
	}
	return false
}

func groupMatch(g []matcher, v Value, fv string, present bool, c *evalCtx) bool {
	for _, m := range g {
		if _, isNull := m.(nullMatcher); isNull {
			if !present || v.Kind == KindNull {
				return true
			}
			continue
		}
		if !present {
			continue
		}
		if v.Kind == KindList {
			for _, it := range v.Items {
				if it.Kind != KindNull && it.Kind != KindList && m.match(it, c.fold(it.S), c) {
					return true
				}
			}
			continue
		}
		if v.Kind != KindNull && m.match(v, fv, c) {
			return true
		}
	}
	return false
}

// evalKeywords searches every value of the event.
func (a *atom) evalKeywords(c *evalCtx) bool {
	vals := c.values()
	folds := c.valueFolds(vals)
	if !a.all {
		// One of the values in some field: each field is tried on all of
		// them at once (the plain ones in one litSet search).
		for i, f := range vals {
			if a.matchesOne(f.v, folds[i], c) {
				return true
			}
		}
		return false
	}
	for _, g := range a.groups {
		found := false
		for i, f := range vals {
			if found = groupMatch(g, f.v, folds[i], true, c); found {
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// keywordHit returns the first field whose value matches one of a keyword
// atom's values.
func (a *atom) keywordHit(c *evalCtx) (field, value string) {
	for _, f := range c.values() {
		if a.matchesOne(f.v, c.foldScalar(f.v), c) {
			return f.name, f.v.String()
		}
	}
	return "", ""
}

type nullMatcher struct{}

func (nullMatcher) match(Value, string, *evalCtx) bool { return false }

type strMatcher struct {
	m     *pattern.Matcher
	num   float64
	isNum bool
}

func (s *strMatcher) match(v Value, fv string, _ *evalCtx) bool {
	if s.m.MatchPair(v.S, fv) {
		return true
	}
	if s.isNum && v.Kind != KindBool {
		if x, ok := rule.ParseNumber(v.S); ok {
			return x == s.num
		}
	}
	return false
}

// regexMatcher runs a regular expression, after two cheap tests that
// rule most values out: the value must be as long as the shortest match,
// and its fold must contain one of the literals every match contains.
type regexMatcher struct {
	re     *regexp.Regexp
	minLen int       // bytes of the shortest possible match
	req    []string  // folded, one in every match (the index's witness); nil for none
	pre    []string  // req, or fewer such literals for the prefilter when req is long
	run    *runRegex // the expression asks only for a run of characters
	need   *runRegex // a run of characters every match holds; nil for none
}

// maxPrefilter is the most literals a regular expression's prefilter
// looks for before it settles for fewer, shorter ones.
const maxPrefilter = 8

func newRegexMatcher(re *regexp.Regexp) regexMatcher {
	m := regexMatcher{re: re}
	if p, err := syntax.Parse(re.String(), syntax.Perl); err == nil {
		m.run = newRunRegex(p)
		if m.run == nil {
			m.need = neededRun(p)
		}
		p = p.Simplify()
		m.minLen = minMatchLen(p, 0)
		if req, ok := regexWitness(p, true, 0); ok {
			m.req, m.pre = req, req
			// The prefilter looks for each literal in the value: when
			// crossing parts gave many, take the parts' own literals.
			if len(req) > maxPrefilter {
				if own, ok := regexWitness(p, false, 0); ok && len(own) < len(req) {
					m.pre = own
				}
			}
		}
	}
	return m
}

func (r regexMatcher) match(v Value, fv string, _ *evalCtx) bool {
	if len(v.S) < r.minLen {
		return false
	}
	if r.pre != nil && !slices.ContainsFunc(r.pre, func(l string) bool { return strings.Contains(fv, l) }) {
		return false
	}
	if r.run != nil {
		return r.run.match(v.S)
	}
	if r.need != nil && !r.need.match(v.S) {
		return false
	}
	return r.re.MatchString(v.S)
}

// minMatchLen returns a lower bound on the length in bytes of any match of
// re (0 when unsure).
func minMatchLen(re *syntax.Regexp, depth int) int {
	if depth > 100 {
		return 0
	}
	switch re.Op {
	case syntax.OpLiteral:
		n := 0
		for _, r := range re.Rune {
			if re.Flags&syntax.FoldCase != 0 {
				n++ // a folded rune may match a shorter encoding ('K' for the Kelvin sign)
			} else {
				n += utf8.RuneLen(r)
			}
		}
		return n
	case syntax.OpCharClass, syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return 1
	case syntax.OpCapture, syntax.OpPlus:
		return minMatchLen(re.Sub[0], depth+1)
	case syntax.OpRepeat:
		return re.Min * minMatchLen(re.Sub[0], depth+1)
	case syntax.OpConcat:
		n := 0
		for _, s := range re.Sub {
			n += minMatchLen(s, depth+1)
		}
		return n
	case syntax.OpAlternate:
		n := -1
		for _, s := range re.Sub {
			if k := minMatchLen(s, depth+1); n < 0 || k < n {
				n = k
			}
		}
		return max(n, 0)
	}
	return 0
}

type cidrMatcher struct{ p netip.Prefix }

func (m cidrMatcher) match(v Value, _ string, _ *evalCtx) bool {
	s := strings.TrimSpace(v.S)
	// Zone suffixes (fe80::1%eth0) and brackets are not part of the address.
	s = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
	addr, err := netip.ParseAddr(s)
	if err != nil {
		return false
	}
	addr = addr.WithZone("")
	if m.p.Addr().Is4() {
		addr = addr.Unmap()
	}
	return m.p.Contains(addr)
}

type numMatcher struct {
	op rule.Op
	x  float64
}

func (n numMatcher) match(v Value, _ string, _ *evalCtx) bool {
	if v.Kind == KindBool {
		return false
	}
	y, ok := rule.ParseNumber(v.S)
	return ok && compare(n.op, y, n.x)
}

func compare(op rule.Op, y, x float64) bool {
	switch op {
	case rule.OpLT:
		return y < x
	case rule.OpLTE:
		return y <= x
	case rule.OpGT:
		return y > x
	case rule.OpGTE:
		return y >= x
	}
	return y == x
}

// timeMatcher compares one part of a date (hour, day...) with a number.
type timeMatcher struct {
	part string
	op   rule.Op
	x    float64
}

var timeLayouts = []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999", "2006-01-02"}

func (t timeMatcher) match(v Value, _ string, _ *evalCtx) bool {
	var ts time.Time
	var err error
	for _, l := range timeLayouts {
		if ts, err = time.Parse(l, strings.TrimSpace(v.S)); err == nil {
			break
		}
	}
	if err != nil {
		return false
	}
	var n int
	switch t.part {
	case "minute":
		n = ts.Minute()
	case "hour":
		n = ts.Hour()
	case "day":
		n = ts.Day()
	case "week":
		_, n = ts.ISOWeek()
	case "month":
		n = int(ts.Month())
	case "year":
		n = ts.Year()
	}
	return compare(t.op, float64(n), t.x)
}

// fieldRefMatcher compares a field with another field of the same event.
type fieldRefMatcher struct {
	other string
	slot  int32 // the other field's slot; -1 in atoms built on the fly
	mode  pattern.Mode
	cased bool
}

func (f fieldRefMatcher) match(v Value, fv string, c *evalCtx) bool {
	o, ok := c.field(f.slot, f.other)
	if !ok || o.Kind == KindNull || o.Kind == KindList {
		return false
	}
	// The other field's value is a literal: no wildcards, so comparing the
	// folds (or the values, cased) is all there is to it.
	s, lit := v.S, o.S
	if !f.cased {
		s, lit = fv, c.folded(f.slot, o.S)
	}
	switch f.mode {
	case pattern.Contains:
		return strings.Contains(s, lit)
	case pattern.StartsWith:
		return strings.HasPrefix(s, lit)
	case pattern.EndsWith:
		return strings.HasSuffix(s, lit)
	}
	return s == lit
}
