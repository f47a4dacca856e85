package learn

import (
	"encoding/json"

	"github.com/tanchi-dev/tanchi/rule"
)

// Result is what Run learned: the proposals, what was not learned and why,
// and the figures of the tuning report. It marshals to the JSON report.
type Result struct {
	Settings   Settings      `json:"settings"`
	Input      InputStats    `json:"input"`
	Days       []DayStats    `json:"days"`
	Rules      []RuleStats   `json:"rules"` // rules with baseline alerts, most alerts first
	Proposals  []*Proposal   `json:"proposals"`
	NotLearned []*NotLearned `json:"not_learned"`
	Validation *Validation   `json:"validation,omitempty"` // with holdout days only
	Protect    ProtectStats  `json:"protect"`
	Totals     Totals        `json:"totals"`
}

// Settings are the parameters the run used.
type Settings struct {
	MinEvents   int    `json:"min_events"`
	MinSpread   int    `json:"min_spread"`
	HoldoutDays int    `json:"holdout_days"`
	Author      string `json:"author"`
	Date        string `json:"date"`
	Expires     string `json:"expires,omitempty"`
	Rules       int    `json:"rules"` // rules run
}

// InputStats counts what was read.
type InputStats struct {
	BaselineFiles  int      `json:"baseline_files"`
	BaselineEvents int      `json:"baseline_events"`
	ProtectFiles   int      `json:"protect_files"`
	ProtectEvents  int      `json:"protect_events"`
	NoTime         int      `json:"events_without_time"` // counted on no day
	Hosts          int      `json:"hosts"`               // hosts with alerts
	InputErrors    int      `json:"input_errors"`        // malformed records skipped
	Errors         []string `json:"errors,omitempty"`    // the first few of them
}

// DayStats are one day's alerts before and after the proposals.
type DayStats struct {
	Day     string `json:"day"` // YYYY-MM-DD; "" for events without a time
	Holdout bool   `json:"holdout"`
	Events  int    `json:"events"`
	Alerts  int    `json:"alerts"`    // before tuning
	Remain  int    `json:"remaining"` // after
}

// RuleRef names a rule.
type RuleRef struct {
	ID    string     `json:"id"`
	Title string     `json:"title"`
	Level rule.Level `json:"level"`
}

// RuleStats are one rule's alerts before and after the proposals.
type RuleStats struct {
	Rule       RuleRef `json:"rule"`
	Alerts     int     `json:"alerts"`    // over all days
	Remain     int     `json:"remaining"` // after
	PerDay     float64 `json:"per_day"`   // alerts per day, before
	PerDayLeft float64 `json:"per_day_after"`
	Suppressed int     `json:"already_suppressed"` // by exclusions given to New
	Proposals  int     `json:"proposals"`
	NotLearned int     `json:"not_learned"`
	Patterns   int     `json:"patterns"`
}

// Condition is one field comparison of a proposal. Value is a Sigma value:
// '*' is a wildcard and a backslash escapes '*', '?' and itself. Pattern
// describes it for people, with <kind> for what varies ("<user>", "<guid>",
// "<n>").
type Condition struct {
	Field   string `json:"field"`
	Value   string `json:"value"`
	Pattern string `json:"pattern"`
}

// Evidence is what a proposal was learned from: the learning days'
// alerts it suppresses.
type Evidence struct {
	Events     int             `json:"events"`
	Hosts      int             `json:"hosts"`
	Days       int             `json:"days"`
	PeriodDays int             `json:"period_days"`
	FirstSeen  string          `json:"first_seen"`
	LastSeen   string          `json:"last_seen"`
	Patterns   int             `json:"patterns"` // learned patterns it covers (its own and ones it made redundant)
	Sample     json.RawMessage `json:"sample"`
	SampleFrom string          `json:"sample_from"` // file:line
}

// Proposal is a proposed exclusion. When the same pattern is learned for
// several rules (one event often sets off several), it is one proposal
// scoped to all of them; each rule was checked on its own.
type Proposal struct {
	ID         string           `json:"id"`
	Title      string           `json:"title"`
	Rules      []RuleRef        `json:"rules"`              // by title
	PerRule    []RuleEvents     `json:"per_rule,omitempty"` // with several rules: each one's learning-day alerts
	Logsource  rule.Logsource   `json:"-"`
	Conditions []Condition      `json:"conditions"`
	Reason     string           `json:"reason"` // learned: 412 events, 37 hosts, 7 of 7 days
	Evidence   Evidence         `json:"evidence"`
	Narrowed   string           `json:"narrowed,omitempty"` // why context fields were added
	Holdout    *ProposalHoldout `json:"holdout,omitempty"`  // alerts of all its rules
	Author     string           `json:"author"`
	Date       string           `json:"date"`
	Expires    string           `json:"expires,omitempty"`
}

// RuleEvents is how many alerts of one rule a proposal covers.
type RuleEvents struct {
	Rule   string `json:"rule"` // id
	Events int    `json:"events"`
}

// ProposalHoldout is how a proposal did on the held-out days.
type ProposalHoldout struct {
	Suppressed int `json:"suppressed"`
}

// NotLearned is a pattern of baseline alerts that no proposal covers,
// left for a person.
type NotLearned struct {
	Rule       RuleRef         `json:"rule"`
	Pattern    []Condition     `json:"pattern"` // as far as it generalised
	Code       string          `json:"code"`    // one-off, rare, narrow-spread, variable, protected, overlap, too-many, no-id
	Reason     string          `json:"reason"`
	Events     int             `json:"events"`
	Hosts      int             `json:"hosts"`
	Days       int             `json:"days"`
	FirstSeen  string          `json:"first_seen"`
	LastSeen   string          `json:"last_seen"`
	Sample     json.RawMessage `json:"sample"`
	SampleFrom string          `json:"sample_from"`
}

// Validation is how the proposals did on the held-out days.
type Validation struct {
	Days        []string `json:"days"`
	Alerts      int      `json:"alerts"`
	Suppressed  int      `json:"suppressed"`
	Remaining   int      `json:"remaining"`
	Rate        float64  `json:"suppressed_rate"` // Suppressed / Alerts, 0 when there are none
	NewPatterns int      `json:"new_patterns"`    // patterns first seen on a held-out day
}

// ProtectStats are the checks against the protected events.
type ProtectStats struct {
	Events     int      `json:"events"`
	Detections int      `json:"detections"`
	Suppressed int      `json:"suppressed"` // by the proposals: always 0
	Narrowed   int      `json:"narrowed"`   // proposals narrowed to spare one
	Dropped    int      `json:"dropped"`    // patterns not learned because of one
	Rules      int      `json:"rules"`      // rules with protected detections
	Examples   []string `json:"examples,omitempty"`
}

// Totals sum up the run.
type Totals struct {
	Days           int     `json:"days"`
	LearnDays      int     `json:"learn_days"`
	Alerts         int     `json:"alerts"`
	Remaining      int     `json:"remaining"`
	LearnAlerts    int     `json:"learn_alerts"`
	LearnRemaining int     `json:"learn_remaining"`
	PerDay         float64 `json:"alerts_per_day"`
	PerDayAfter    float64 `json:"alerts_per_day_after"`
	Patterns       int     `json:"patterns"`
	Redundant      int     `json:"redundant"` // learned patterns another proposal already covers
}

// Exclusion returns the proposal as an exclusion of the rule model, ready
// for engine.WithExclusions.
func (p *Proposal) Exclusion() *rule.Exclusion {
	x := &rule.Exclusion{
		ID: p.ID, Title: p.Title, Description: p.Reason,
		Logsource: p.Logsource, Reason: p.Reason, Author: p.Author, Date: p.Date, Expires: p.Expires,
	}
	for _, r := range p.Rules {
		x.Rules = append(x.Rules, r.ID)
	}
	var args []rule.Expr
	for _, c := range p.Conditions {
		args = append(args, &rule.Match{Field: c.Field, Op: rule.OpEq, Values: []rule.Value{{Kind: rule.String, S: c.Value}}})
	}
	var e rule.Expr = &rule.And{Args: args}
	if len(args) == 1 {
		e = args[0]
	}
	x.Selections = []*rule.Selection{{Name: "selection", Expr: e}}
	x.When = &rule.Ref{Name: "selection"}
	return x
}

// Exclusions returns every proposal as an exclusion, in order.
func (r *Result) Exclusions() []*rule.Exclusion {
	out := make([]*rule.Exclusion, len(r.Proposals))
	for i, p := range r.Proposals {
		out[i] = p.Exclusion()
	}
	return out
}
