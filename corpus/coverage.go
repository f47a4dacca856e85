package corpus

import (
	"slices"
	"strings"
	"sync"

	"github.com/tanchi-dev/tanchi/engine"
	"github.com/tanchi-dev/tanchi/rule"
)

// Coverage gathers the shape of the events a test run reads, to say
// afterwards which rules were never tested and which fields each rule reads
// that no event reaching it carries: a sign that a field mapping is missing
// or that the test events were written for another log source.
//
// Events are grouped by what decides logsource routing (Channel, EventID,
// EventType); per group, Coverage keeps the union of the field names seen
// with one value each. That is all a field lookup and routing depend on, so
// the report is exact, and memory stays bounded by the number of distinct
// fields, not events. Coverage is safe for concurrent use.
type Coverage struct {
	mu     sync.Mutex
	groups map[string]map[string]engine.Value
	order  []string
	events int
}

// NewCoverage returns an empty Coverage.
func NewCoverage() *Coverage { return &Coverage{groups: map[string]map[string]engine.Value{}} }

// routingFields are the event fields logsource routing reads.
var routingFields = []string{"Channel", "EventID", "EventType"}

// Add records one event.
func (c *Coverage) Add(ev engine.Event) {
	var key strings.Builder
	for _, f := range routingFields {
		if v, ok := ev.Field(f); ok {
			key.WriteString(strings.ToLower(v.String()))
		}
		key.WriteByte(0)
	}
	k := key.String()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.events++
	g := c.groups[k]
	if g == nil {
		g = map[string]engine.Value{}
		c.groups[k] = g
		c.order = append(c.order, k)
	}
	ev.Range(func(name string, v engine.Value) bool {
		if _, ok := g[name]; !ok {
			g[name] = v
		}
		return true
	})
}

// CoverageReport is what Coverage found for a set of rules.
type CoverageReport struct {
	Rules  int // rules looked at
	Events int // events seen
	// Untested are the rules no case tested.
	Untested []*rule.Rule
	// Unreached are the rules no event reached (logsource routing).
	Unreached []*rule.Rule
	// Fields lists, per rule some event reached, the fields its condition
	// reads that none of those events carries (after field mapping).
	Fields []RuleFields
}

// RuleFields is a rule and some of the fields it reads.
type RuleFields struct {
	Rule   *rule.Rule
	Fields []string
}

// Report looks at every rule of eng. tested holds the keys (rule.Key) of
// the rules some case tested.
func (c *Coverage) Report(eng *engine.Engine, tested map[string]bool) *CoverageReport {
	c.mu.Lock()
	events := make([]engine.Event, 0, len(c.order))
	for _, k := range c.order {
		events = append(events, engine.NewEvent(c.groups[k]))
	}
	rep := &CoverageReport{Events: c.events}
	c.mu.Unlock()
	for _, r := range eng.Rules() {
		rep.Rules++
		if !tested[r.Key()] {
			rep.Untested = append(rep.Untested, r)
		}
		id := ruleRef(r)
		if id == "" {
			continue
		}
		var fields []string
		seen := map[string]bool{}
		reached := false
		for _, ev := range events {
			x, err := eng.Explain(id, ev)
			if err != nil {
				break
			}
			if fields == nil {
				fields = readFields(x.Condition, nil)
			}
			if !x.Routed {
				continue
			}
			reached = true
			presentFields(x.Condition, seen)
			if len(seen) == len(fields) {
				break
			}
		}
		if !reached {
			rep.Unreached = append(rep.Unreached, r)
			continue
		}
		var missing []string
		for _, f := range fields {
			if !seen[f] {
				missing = append(missing, f)
			}
		}
		if len(missing) > 0 {
			rep.Fields = append(rep.Fields, RuleFields{Rule: r, Fields: missing})
		}
	}
	return rep
}

// readFields lists the fields a condition compares, in order, once each.
func readFields(n *engine.ExplainNode, out []string) []string {
	if n.Kind == "match" && n.Field != "" && !slices.Contains(out, n.Field) {
		out = append(out, n.Field)
	}
	for _, ch := range n.Children {
		out = readFields(ch, out)
	}
	if out == nil {
		out = []string{}
	}
	return out
}

func presentFields(n *engine.ExplainNode, seen map[string]bool) {
	if n.Kind == "match" && n.Field != "" && n.Present {
		seen[n.Field] = true
	}
	for _, ch := range n.Children {
		presentFields(ch, seen)
	}
}
