package learn

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tanchi-dev/tanchi/engine"
	"github.com/tanchi-dev/tanchi/rule"
)

// The second pass. Each learnable pattern gets one or two variants of a
// proposal: its identity fields, and the same narrowed with the context
// fields that were stable. Every variant is compiled into a pseudo rule
// (its condition, the rule's logsource) in an engine of its own rule's
// variants; every spilled match and protected detection of that rule is
// run through that engine, which says exactly which variants would
// suppress it. The matches are then counted by (pattern, day, variants
// that hold), which is all the choice of proposals, the cross-checks and
// the report need.

// Codes of NotLearned.
const (
	CodeOneOff    = "one-off"
	CodeRare      = "rare"
	CodeNarrow    = "narrow-spread"
	CodeVariable  = "variable"
	CodeProtected = "protected"
	CodeOverlap   = "overlap"
	CodeTooMany   = "too-many"
	CodeNoID      = "no-id"
)

type status uint8

const (
	stNone      status = iota // not a candidate (see code)
	stActive                  // a candidate still in the running
	stDropped                 // a candidate no variant of which is safe
	stRedundant               // covered by other proposals
)

// candidate is a pattern with what was learned about it.
type candidate struct {
	g        *group
	st       learnStats
	variants []*variant
	status   status
	chosen   *variant
	code     string
	reason   string
	narrowed string
	spared   bool       // narrowed to spare a protected detection
	by       *candidate // for stRedundant: a proposal that covers it
}

// learnStats are a pattern's figures over the learning days.
type learnStats struct {
	events      int
	days        int
	hosts       bitset
	first, last time.Time
	slots       [][]slotState
	ctx         map[string]*ctxState
	sample      sample
	holdout     int // events on held-out days
}

type variant struct {
	c      *candidate
	narrow bool
	conds  []Condition
	added  []string // context fields added
	local  int      // index among its rule's variants
	id     int      // index among all variants
}

type aggKey struct {
	group, day int
	sig        string
}

type aggVal struct {
	count       int
	hosts       bitset
	first, last time.Time
}

type evaluation struct {
	cands        []*candidate // by group index (nil: no learn-day events)
	active       []*candidate // candidates, in key order
	variants     []*variant
	ruleVariants map[int][]*variant
	aggs         map[aggKey]*aggVal
	sigs         map[string][]*variant
	protectSigs  []string // by protected detection
	suppressing  map[*variant]bool
	byGroup      map[int][]aggKey      // the aggregates of each pattern
	byVariant    map[*variant][]aggKey // the aggregates each variant holds for
}

// A signature is the rule's index and the local indexes of the variants
// that hold for a match, as uvarints; sigVariants interns its variants.
func (e *evaluation) sigVariants(sig string) []*variant {
	if vs, ok := e.sigs[sig]; ok {
		return vs
	}
	b := []byte(sig)
	ri, n := binary.Uvarint(b)
	b = b[n:]
	var vs []*variant
	for len(b) > 0 {
		v, n := binary.Uvarint(b)
		b = b[n:]
		vs = append(vs, e.ruleVariants[int(ri)][v])
	}
	e.sigs[sig] = vs
	return vs
}

func (r *run) evaluate(ctx context.Context) error {
	e := &evaluation{
		cands:        make([]*candidate, len(r.groups)),
		ruleVariants: map[int][]*variant{},
		aggs:         map[aggKey]*aggVal{},
		sigs:         map[string][]*variant{},
		protectSigs:  make([]string, len(r.protectEvs)),
		suppressing:  map[*variant]bool{},
	}
	r.eval = e
	groups := slices.Clone(r.groups)
	slices.SortFunc(groups, func(a, b *group) int { return strings.Compare(a.key, b.key) })
	for _, g := range groups {
		c := r.learnable(g)
		if c == nil {
			continue
		}
		e.cands[g.idx] = c
		if c.status == stActive {
			e.active = append(e.active, c)
			for _, v := range c.variants {
				v.id = len(e.variants)
				v.local = len(e.ruleVariants[g.rule])
				e.variants = append(e.variants, v)
				e.ruleVariants[g.rule] = append(e.ruleVariants[g.rule], v)
			}
		}
	}
	engines := map[int]*engine.Engine{}
	for ri, vs := range e.ruleVariants {
		var pseudo []*rule.Rule
		for _, v := range vs {
			pseudo = append(pseudo, v.pseudoRule(r.l.rules[ri]))
		}
		eng, err := engine.Compile(pseudo, r.l.cfg.engineOpts...)
		if err != nil {
			return fmt.Errorf("learn: internal error: a proposal does not compile: %v", err)
		}
		engines[ri] = eng
	}
	n := 0
	last := time.Now()
	var sig []byte
	var hit []int
	err := r.readSpill(func(rec *spillRecord) error {
		n++
		if r.l.cfg.progress != nil && time.Since(last) > 250*time.Millisecond {
			last = time.Now()
			r.l.cfg.progress(Progress{Phase: "evaluate", Events: n})
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		var ev *engine.JSONEvent
		for _, x := range rec.refs {
			sig = binary.AppendUvarint(sig[:0], uint64(x.rule))
			if eng := engines[x.rule]; eng != nil {
				if ev == nil {
					var err error
					if ev, err = engine.ParseJSON(rec.raw); err != nil {
						return fmt.Errorf("learn: internal error: a spilled event does not parse: %v", err)
					}
				}
				hit = hit[:0]
				for _, m := range eng.MatchAll(ev) {
					i, _ := strconv.Atoi(strings.TrimPrefix(m.Rule.ID, pseudoPrefix))
					hit = append(hit, i)
				}
				slices.Sort(hit)
				for _, i := range hit {
					sig = binary.AppendUvarint(sig, uint64(i))
				}
			}
			if rec.kind == spillProtect {
				e.protectSigs[x.ref] = string(sig)
				e.sigVariants(string(sig))
				continue
			}
			k := aggKey{r.groups[x.ref].resolve().idx, rec.day, string(sig)}
			a := e.aggs[k]
			if a == nil {
				a = &aggVal{}
				e.aggs[k] = a
				e.sigVariants(k.sig)
			}
			a.count++
			a.hosts.add(rec.host)
			var t time.Time
			if rec.t != 0 {
				t = time.Unix(0, rec.t).UTC()
			}
			if !t.IsZero() && (a.first.IsZero() || t.Before(a.first)) {
				a.first = t
			}
			if t.After(a.last) {
				a.last = t
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	r.choose()
	return nil
}

const pseudoPrefix = "learn-variant-"

func (v *variant) pseudoRule(r *rule.Rule) *rule.Rule {
	p := &Proposal{Logsource: r.Logsource, Conditions: v.conds, Rules: []RuleRef{{ID: r.ID}}}
	x := p.Exclusion()
	return &rule.Rule{
		ID: pseudoPrefix + strconv.Itoa(v.local), Title: "variant", Logsource: r.Logsource,
		Selections: x.Selections, Condition: x.When,
	}
}

// learnable merges a pattern's learning days and decides whether it can
// become a proposal, building its variants if so. It returns nil for a
// pattern seen on held-out days only.
func (r *run) learnable(g *group) *candidate {
	c := &candidate{g: g}
	st := &c.st
	for d, gd := range g.days {
		if r.holdout[d] {
			st.holdout += gd.count
			continue
		}
		st.events += gd.count
		if r.dayNames[d] != "" {
			st.days++
		}
		st.hosts.or(gd.hosts)
		if st.first.IsZero() || (!gd.first.IsZero() && gd.first.Before(st.first)) {
			st.first = gd.first
		}
		if gd.last.After(st.last) {
			st.last = gd.last
		}
		st.sample.offer(gd.sample.t, gd.sample.file, gd.sample.line, gd.sample.raw)
	}
	if st.events == 0 {
		return nil
	}
	if g.overflow {
		c.code = CodeTooMany
		c.reason = fmt.Sprintf("more than %d distinct patterns for this rule: the rest are counted, not learned", r.l.cfg.maxPatterns)
		return c
	}
	// Merge the slots and the context fields over the learning days, in
	// day order so that nothing depends on map order.
	st.slots = make([][]slotState, len(g.fields))
	for i, f := range g.fields {
		st.slots[i] = make([]slotState, len(f.tmpl.kinds))
	}
	st.ctx = map[string]*ctxState{}
	for _, d := range r.order {
		gd := g.days[d]
		if gd == nil || r.holdout[d] {
			continue
		}
		for i := range gd.slots {
			for j := range gd.slots[i] {
				st.slots[i][j].merge(gd.slots[i][j])
			}
		}
		for _, name := range contextFields {
			dc := gd.ctx[name]
			mc, seen := st.ctx[name]
			switch {
			case seen && mc == nil:
			case dc == nil || dc.unstable || dc.count != gd.count:
				st.ctx[name] = nil // not on every event, or not one shape
			case !seen:
				cp := *dc
				cp.tmpl = cloneTemplate(dc.tmpl)
				cp.slots = slices.Clone(dc.slots)
				st.ctx[name] = &cp
			case mc.key != dc.key:
				st.ctx[name] = nil
			default:
				for j, l := range dc.tmpl.lits {
					if l < mc.tmpl.lits[j] {
						mc.tmpl.lits[j] = l
					}
				}
				for j := range dc.slots {
					mc.slots[j].merge(dc.slots[j])
				}
			}
		}
	}
	ru := r.l.rules[g.rule]
	hosts := st.hosts.count()
	switch {
	case ru.ID == "" && ru.Name == "":
		c.code, c.reason = CodeNoID, "the rule has no id or name to scope an exclusion to"
		return c
	case st.events == 1:
		c.code, c.reason = CodeOneOff, "seen once: a one-off alert is for a person to judge"
		return c
	case st.events < r.l.cfg.minEvents:
		c.code, c.reason = CodeRare, fmt.Sprintf("seen %d times; learning needs %d", st.events, r.l.cfg.minEvents)
		return c
	case r.spread && st.days < r.l.cfg.minSpread && hosts < r.l.cfg.minSpread:
		c.code, c.reason = CodeNarrow, fmt.Sprintf("%d events on %s and %s: learning needs %d days or %d hosts",
			st.events, plural(hosts, "host"), plural(st.days, "day"), r.l.cfg.minSpread, r.l.cfg.minSpread)
		return c
	}
	base, why := r.conditions(g, st)
	if why != "" {
		c.code, c.reason = CodeVariable, why
		return c
	}
	c.status = stActive
	c.variants = append(c.variants, &variant{c: c, conds: base})
	narrow := slices.Clone(base)
	var added []string
	for _, name := range contextFields {
		cs := st.ctx[name]
		if cs == nil {
			continue
		}
		cond, ok := conditionOf(name, &cs.tmpl, cs.tmpl.lits, cs.slots, true)
		if !ok {
			continue
		}
		narrow = append(narrow, cond)
		added = append(added, name)
	}
	if len(added) > 0 {
		c.variants = append(c.variants, &variant{c: c, conds: narrow, narrow: true, added: added})
	}
	return c
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}

// conditions renders a pattern's identity fields. It returns the reason
// when fewer than two meaningful fields remain, or only free text.
func (r *run) conditions(g *group, st *learnStats) ([]Condition, string) {
	var conds []Condition
	var dropped []string
	structured := false
	for i, f := range g.fields {
		cond, ok := conditionOf(f.name, &f.tmpl, f.tmpl.lits, st.slots[i], false)
		if !ok {
			dropped = append(dropped, f.name)
			continue
		}
		conds = append(conds, cond)
		if !freeTextFields[f.name] {
			structured = true
		}
	}
	switch {
	case len(conds) < 2:
		var kept []string
		for _, c := range conds {
			kept = append(kept, c.Field)
		}
		what := "no field"
		if len(kept) > 0 {
			what = "only " + strings.Join(kept, ", ")
		}
		why := fmt.Sprintf("too variable: %s stays the same, and a proposal needs at least 2 fields", what)
		if len(dropped) > 0 {
			why += " (" + strings.Join(dropped, ", ") + " vary)"
		}
		return nil, why
	case !structured:
		return nil, "only free text (" + fieldNames(conds) + ") stays the same: a command line or script alone is never excluded"
	}
	return conds, ""
}

func fieldNames(cs []Condition) string {
	var names []string
	for _, c := range cs {
		names = append(names, c.Field)
	}
	return strings.Join(names, ", ")
}

// minLiteral is how many letters and digits a value must keep to say
// something: "C:\*" or "CORP\*" does not.
const minLiteral = 3

// conditionOf renders one field; ok is false when what remains says too
// little to be part of a proposal.
func conditionOf(name string, t *template, lits []string, slots []slotState, pin bool) (Condition, bool) {
	value, desc, literal, wildcard := render(t, lits, slots, pin)
	// A value without wildcards says what it says, however short (a
	// LogonType of 2); one with wildcards must keep some text.
	if value == "" || wildcard && (literal < minLiteral || strings.Trim(value, "*") == "") {
		return Condition{}, false
	}
	if userFields[name] && len(slots) > 0 && (slots[len(slots)-1].varies || !slots[len(slots)-1].set) {
		return Condition{}, false // "some user of CORP"
	}
	return Condition{Field: name, Value: value, Pattern: desc}, true
}

// choose picks, for each candidate, the broadest variant that suppresses
// no protected detection and no learning-day alert of a pattern that is
// not learned; a candidate without one is dropped, which can make others
// unsafe, so this runs until nothing changes. Then proposals that other
// proposals make redundant are folded into them.
func (r *run) choose() {
	e := r.eval
	// For each variant: protected detections and learning-day alerts per
	// pattern that it would suppress.
	protectHits := map[*variant][]int{}
	for i, sig := range e.protectSigs {
		for _, v := range e.sigs[sig] {
			protectHits[v] = append(protectHits[v], i)
		}
	}
	e.byGroup = map[int][]aggKey{}
	e.byVariant = map[*variant][]aggKey{}
	for k := range e.aggs {
		e.byGroup[k.group] = append(e.byGroup[k.group], k)
		for _, v := range e.sigs[k.sig] {
			e.byVariant[v] = append(e.byVariant[v], k)
		}
	}
	groupHits := map[*variant]map[int]int{}
	for k, a := range e.aggs {
		if r.holdout[k.day] {
			continue
		}
		for _, v := range e.sigs[k.sig] {
			m := groupHits[v]
			if m == nil {
				m = map[int]int{}
				groupHits[v] = m
			}
			m[k.group] += a.count
		}
	}
	active := func(gi int) bool { c := e.cands[gi]; return c != nil && c.status == stActive }
	for changed := true; changed; {
		changed = false
		for _, c := range e.active {
			if c.status != stActive {
				continue
			}
			c.chosen, c.narrowed, c.spared = nil, "", false
			var firstProtect []int
			firstOther := 0
			for i, v := range c.variants {
				ph := protectHits[v]
				other := 0
				for gi, n := range groupHits[v] {
					if !active(gi) {
						other += n
					}
				}
				if len(ph) == 0 && other == 0 {
					c.chosen = v
					if i > 0 {
						c.narrowed = "narrowed with " + strings.Join(v.added, ", ") + ": without them it would also have suppressed " + r.unsafeWhat(firstProtect, firstOther)
						c.spared = len(firstProtect) > 0
					}
					break
				}
				if i == 0 {
					firstProtect, firstOther = ph, other
				}
			}
			if c.chosen == nil {
				c.status = stDropped
				if len(firstProtect) > 0 {
					c.code = CodeProtected
				} else {
					c.code = CodeOverlap
				}
				c.reason = "any exclusion of this pattern would also suppress " + r.unsafeWhat(firstProtect, firstOther)
				if len(c.variants) > 1 {
					c.reason += ", even narrowed with " + strings.Join(c.variants[1].added, ", ")
				}
				changed = true
			}
		}
	}
	// Redundancy: the widest proposals first.
	coverage := func(c *candidate) int {
		n := 0
		for _, x := range groupHits[c.chosen] {
			n += x
		}
		return n
	}
	kept := slices.Clone(e.active)
	kept = slices.DeleteFunc(kept, func(c *candidate) bool { return c.status != stActive })
	slices.SortStableFunc(kept, func(a, b *candidate) int { return cmp.Compare(coverage(b), coverage(a)) })
	for _, c := range kept {
		covered := true
		var by *candidate
		for _, k := range e.byGroup[c.g.idx] {
			if r.holdout[k.day] {
				continue
			}
			hit := false
			for _, v := range e.sigs[k.sig] {
				if v.c != c && e.suppressing[v] {
					hit, by = true, v.c
					break
				}
			}
			if !hit {
				covered = false
				break
			}
		}
		if covered && by != nil {
			c.status, c.by = stRedundant, by
			continue
		}
		e.suppressing[c.chosen] = true
	}
}

// unsafeWhat describes what an unsafe variant would have suppressed.
func (r *run) unsafeWhat(protect []int, other int) string {
	var parts []string
	if len(protect) > 0 {
		var at []string
		for i, p := range protect {
			if i == 3 {
				at = append(at, "…")
				break
			}
			pe := r.protectEvs[p]
			at = append(at, fmt.Sprintf("%s:%d", pe.file, pe.line))
		}
		parts = append(parts, plural(len(protect), "protected event")+" ("+strings.Join(at, ", ")+")")
	}
	if other > 0 {
		parts = append(parts, plural(other, "alert")+" of patterns left for a person")
	}
	return strings.Join(parts, " and ")
}

// proposalID derives a stable id (UUID-shaped) from the rules and the
// conditions.
func proposalID(rules []RuleRef, conds []Condition) string {
	h := sha256.New()
	h.Write([]byte("tanchi-learn"))
	for _, r := range rules {
		h.Write([]byte("\x00" + r.ID))
	}
	for _, c := range conds {
		h.Write([]byte("\x00" + c.Field + "\x01" + c.Value))
	}
	s := h.Sum(nil)
	s[6] = s[6]&0x0f | 0x80 // version 8: custom
	s[8] = s[8]&0x3f | 0x80 // RFC 4122 variant
	return fmt.Sprintf("%x-%x-%x-%x-%x", s[0:4], s[4:6], s[6:8], s[8:10], s[10:16])
}

// proposalTitle names what a proposal lets through, for people.
func proposalTitle(rules []RuleRef, conds []Condition) string {
	get := func(names ...string) string {
		for _, n := range names {
			for _, c := range conds {
				if c.Field == n {
					return c.Pattern
				}
			}
		}
		return ""
	}
	base := func(s string) string {
		s = strings.ReplaceAll(s, `\`, "/")
		return path.Base(strings.Trim(s, `"`))
	}
	var what string
	img := get("Image", "NewProcessName", "SourceImage", "ProcessName")
	parent := get("ParentImage", "ParentProcessName")
	switch {
	case img != "" && parent != "":
		what = base(img) + " from " + base(parent)
	case img != "":
		what = base(img)
		if t := get("TargetImage", "ImageLoaded", "TargetFilename", "QueryName", "PipeName", "TargetObject"); t != "" {
			what += " → " + base(t)
		}
	case get("ServiceName") != "":
		what = "service " + get("ServiceName")
	case get("TaskName") != "":
		what = "task " + get("TaskName")
	default:
		c := conds[0]
		what = c.Field + " " + c.Pattern
	}
	if len(what) > 90 {
		what = what[:87] + "..."
	}
	title := rules[0].Title
	if title == "" {
		title = rules[0].ID
	}
	if len(rules) > 1 {
		title += fmt.Sprintf(" and %d more rules", len(rules)-1)
	}
	return what + " (" + title + ")"
}
