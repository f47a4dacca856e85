package learn

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tanchi-dev/tanchi/rule"
)

// result turns the evaluation into the Result.
func (r *run) result() *Result {
	e := r.eval
	cfg := r.l.cfg
	res := &Result{Input: r.input}
	res.Input.Hosts = len(r.host)
	date := cfg.date
	if date == "" {
		for _, d := range r.order {
			if r.dayNames[d] != "" {
				date = r.dayNames[d]
			}
		}
		if date == "" {
			date = "1970-01-01"
		}
	}
	expires := ""
	if cfg.expiryDays > 0 {
		t, _ := time.Parse(time.DateOnly, date)
		expires = t.AddDate(0, 0, cfg.expiryDays).Format(time.DateOnly)
	}
	res.Settings = Settings{MinEvents: cfg.minEvents, MinSpread: cfg.minSpread, HoldoutDays: cfg.holdout,
		Author: cfg.author, Date: date, Expires: expires, Rules: len(r.l.rules)}

	suppressed := func(sig string) bool {
		for _, v := range e.sigs[sig] {
			if e.suppressing[v] {
				return true
			}
		}
		return false
	}
	ruleOf := func(gi int) int { return r.groups[gi].rule }

	// Days and rules, before and after.
	dayAlerts := make([]int, len(r.dayNames))
	dayRemain := make([]int, len(r.dayNames))
	ruleAlerts := make([]int, len(r.l.rules))
	ruleRemain := make([]int, len(r.l.rules))
	for k, a := range e.aggs {
		dayAlerts[k.day] += a.count
		ruleAlerts[ruleOf(k.group)] += a.count
		if !suppressed(k.sig) {
			dayRemain[k.day] += a.count
			ruleRemain[ruleOf(k.group)] += a.count
		}
	}
	dated := 0
	for _, d := range r.order {
		if r.dayNames[d] != "" {
			dated++
		}
	}
	addDay := func(d int) {
		ds := DayStats{Day: r.dayNames[d], Holdout: r.holdout[d], Events: r.events[d], Alerts: dayAlerts[d], Remain: dayRemain[d]}
		res.Days = append(res.Days, ds)
		res.Totals.Alerts += ds.Alerts
		res.Totals.Remaining += ds.Remain
		if !ds.Holdout {
			res.Totals.LearnAlerts += ds.Alerts
			res.Totals.LearnRemaining += ds.Remain
		}
	}
	for _, d := range r.order {
		if r.dayNames[d] != "" {
			addDay(d)
		}
	}
	for _, d := range r.order {
		if r.dayNames[d] == "" && r.events[d] > 0 {
			addDay(d) // events without a time, last
		}
	}
	res.Totals.Days = dated
	res.Totals.LearnDays = r.learnN
	perDay := func(n int) float64 {
		if dated == 0 {
			return float64(n)
		}
		return float64(n) / float64(dated)
	}
	res.Totals.PerDay = perDay(res.Totals.Alerts)
	res.Totals.PerDayAfter = perDay(res.Totals.Remaining)

	// Proposals: one per learned pattern and rule, then merged where the
	// same conditions were learned for several rules.
	learnDays := func(k aggKey) bool { return !r.holdout[k.day] }
	type built struct {
		rule    int
		ev      Evidence
		holdout int
		c       *candidate
	}
	merged := map[string][]*built{}
	var keys []string
	perRuleProps := make([]int, len(r.l.rules))
	perRuleNot := make([]int, len(r.l.rules))
	for _, c := range e.active {
		if c.status != stActive {
			continue
		}
		v := c.chosen
		b := &built{rule: c.g.rule, c: c}
		var hosts bitset
		days := map[int]bool{}
		groups := map[int]bool{}
		var first, last time.Time
		for _, k := range e.byVariant[v] {
			a := e.aggs[k]
			if !learnDays(k) {
				b.holdout += a.count
				continue
			}
			b.ev.Events += a.count
			hosts.or(a.hosts)
			if r.dayNames[k.day] != "" {
				days[k.day] = true
			}
			groups[k.group] = true
			if !a.first.IsZero() && (first.IsZero() || a.first.Before(first)) {
				first = a.first
			}
			if a.last.After(last) {
				last = a.last
			}
		}
		b.ev.Hosts = hosts.count()
		b.ev.Days = len(days)
		b.ev.PeriodDays = r.learnN
		b.ev.Patterns = len(groups)
		b.ev.FirstSeen, b.ev.LastSeen = stamp(first), stamp(last)
		b.ev.Sample = sampleJSON(c.st.sample.raw)
		b.ev.SampleFrom = fmt.Sprintf("%s:%d", c.st.sample.file, c.st.sample.line)
		ls := r.l.rules[c.g.rule].Logsource
		key := ls.Product + "\x00" + ls.Category + "\x00" + ls.Service + "\x00" + patternKey(v.conds)
		if merged[key] == nil {
			keys = append(keys, key)
		}
		merged[key] = append(merged[key], b)
		perRuleProps[c.g.rule]++
		if c.spared {
			res.Protect.Narrowed++
		}
	}
	var props []*Proposal
	for _, key := range keys {
		bs := merged[key]
		slices.SortFunc(bs, func(a, b *built) int {
			ra, rb := refOf(r.l.rules[a.rule]), refOf(r.l.rules[b.rule])
			return cmp.Or(strings.Compare(ra.Title, rb.Title), strings.Compare(ra.ID, rb.ID))
		})
		// The evidence of the rule that saw the pattern most: the others
		// fire on some of the same events.
		best := bs[0]
		for _, b := range bs[1:] {
			if b.ev.Events > best.ev.Events {
				best = b
			}
		}
		p := &Proposal{
			Logsource:  r.l.rules[best.rule].Logsource,
			Conditions: best.c.chosen.conds,
			Evidence:   best.ev,
			Author:     cfg.author,
			Date:       date,
			Expires:    expires,
		}
		holdout := 0
		var narrowed []string
		for _, b := range bs {
			p.Rules = append(p.Rules, refOf(r.l.rules[b.rule]))
			holdout += b.holdout
			if b.c.narrowed != "" && !slices.Contains(narrowed, b.c.narrowed) {
				narrowed = append(narrowed, b.c.narrowed)
			}
			if len(bs) > 1 {
				p.PerRule = append(p.PerRule, RuleEvents{Rule: refOf(r.l.rules[b.rule]).ID, Events: b.ev.Events})
			}
			p.Evidence.Days = max(p.Evidence.Days, b.ev.Days)
			p.Evidence.Hosts = max(p.Evidence.Hosts, b.ev.Hosts)
			p.Evidence.Patterns = max(p.Evidence.Patterns, b.ev.Patterns)
			if b.ev.FirstSeen != "" && b.ev.FirstSeen < p.Evidence.FirstSeen {
				p.Evidence.FirstSeen = b.ev.FirstSeen
			}
			if b.ev.LastSeen > p.Evidence.LastSeen {
				p.Evidence.LastSeen = b.ev.LastSeen
			}
		}
		p.Narrowed = strings.Join(narrowed, "; ")
		p.ID = proposalID(p.Rules, p.Conditions)
		p.Title = proposalTitle(p.Rules, p.Conditions)
		p.Reason = reasonLine(p.Evidence)
		if cfg.holdout > 0 {
			p.Holdout = &ProposalHoldout{Suppressed: holdout}
		}
		props = append(props, p)
	}
	slices.SortFunc(props, func(a, b *Proposal) int {
		return cmp.Or(
			strings.Compare(a.Rules[0].Title, b.Rules[0].Title),
			strings.Compare(a.Rules[0].ID, b.Rules[0].ID),
			cmp.Compare(b.Evidence.Events, a.Evidence.Events),
			strings.Compare(a.ID, b.ID),
		)
	})
	res.Proposals = props

	// Not learned, and what the report counts about patterns.
	for gi, c := range e.cands {
		if c == nil {
			continue
		}
		res.Totals.Patterns++
		switch c.status {
		case stRedundant:
			res.Totals.Redundant++
			continue
		case stActive:
			continue
		}
		if c.code == CodeProtected {
			res.Protect.Dropped++
		}
		g := r.groups[gi]
		nl := &NotLearned{
			Rule: refOf(r.l.rules[g.rule]), Code: c.code, Reason: c.reason,
			Events: c.st.events, Hosts: c.st.hosts.count(), Days: c.st.days,
			FirstSeen: stamp(c.st.first), LastSeen: stamp(c.st.last),
			Sample:     sampleJSON(c.st.sample.raw),
			SampleFrom: fmt.Sprintf("%s:%d", c.st.sample.file, c.st.sample.line),
			Pattern:    []Condition{},
		}
		for i, f := range g.fields {
			value, desc, _, _ := render(&f.tmpl, f.tmpl.lits, c.st.slots[i], false)
			nl.Pattern = append(nl.Pattern, Condition{Field: f.name, Value: value, Pattern: desc})
		}
		res.NotLearned = append(res.NotLearned, nl)
		perRuleNot[g.rule]++
	}
	slices.SortFunc(res.NotLearned, func(a, b *NotLearned) int {
		return cmp.Or(
			strings.Compare(a.Rule.Title, b.Rule.Title),
			strings.Compare(a.Rule.ID, b.Rule.ID),
			cmp.Compare(b.Events, a.Events),
			strings.Compare(patternKey(a.Pattern), patternKey(b.Pattern)),
		)
	})

	// Rules.
	for i, ru := range r.l.rules {
		pc := r.perRule[i]
		if ruleAlerts[i] == 0 && pc.suppressed == 0 {
			continue
		}
		res.Rules = append(res.Rules, RuleStats{
			Rule: refOf(ru), Alerts: ruleAlerts[i], Remain: ruleRemain[i],
			PerDay: perDay(ruleAlerts[i]), PerDayLeft: perDay(ruleRemain[i]),
			Suppressed: pc.suppressed, Proposals: perRuleProps[i], NotLearned: perRuleNot[i],
			Patterns: len(pc.live),
		})
	}
	slices.SortFunc(res.Rules, func(a, b RuleStats) int {
		return cmp.Or(cmp.Compare(b.Alerts, a.Alerts), strings.Compare(a.Rule.Title, b.Rule.Title), strings.Compare(a.Rule.ID, b.Rule.ID))
	})

	// Validation.
	if cfg.holdout > 0 {
		val := &Validation{}
		for _, d := range r.order {
			if r.holdout[d] {
				val.Days = append(val.Days, r.dayNames[d])
				val.Alerts += dayAlerts[d]
				val.Remaining += dayRemain[d]
			}
		}
		val.Suppressed = val.Alerts - val.Remaining
		if val.Alerts > 0 {
			val.Rate = float64(val.Suppressed) / float64(val.Alerts)
		}
		for gi, g := range r.groups {
			if e.cands[gi] == nil && len(g.days) > 0 {
				val.NewPatterns++
			}
		}
		res.Validation = val
	}

	// Protected events.
	res.Protect.Events = r.input.ProtectEvents
	res.Protect.Detections = len(r.protectEvs)
	rules := map[int]bool{}
	for i, sig := range e.protectSigs {
		rules[r.protectEvs[i].rule] = true
		if suppressed(sig) {
			res.Protect.Suppressed++
			if len(res.Protect.Examples) < 5 {
				pe := r.protectEvs[i]
				res.Protect.Examples = append(res.Protect.Examples, fmt.Sprintf("%s:%d", pe.file, pe.line))
			}
		}
	}
	res.Protect.Rules = len(rules)
	return res
}

func refOf(r *rule.Rule) RuleRef {
	id := r.ID
	if id == "" {
		id = r.Name
	}
	return RuleRef{ID: id, Title: r.Title, Level: r.Level}
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// reasonLine is the proposal's reason: "learned: 412 events, 37 hosts, 7
// of 7 days".
func reasonLine(ev Evidence) string {
	return fmt.Sprintf("learned: %s, %s, %d of %d days", plural(ev.Events, "event"), plural(ev.Hosts, "host"), ev.Days, ev.PeriodDays)
}

func patternKey(cs []Condition) string {
	var b strings.Builder
	for _, c := range cs {
		b.WriteString(c.Field + "=" + c.Value + "\x00")
	}
	return b.String()
}

// sampleJSON returns a sample event as JSON, compacted.
func sampleJSON(raw []byte) json.RawMessage {
	if raw == nil {
		return nil
	}
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return nil
	}
	return json.RawMessage(b.Bytes())
}
