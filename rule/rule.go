package rule

// Level is a rule's severity, from Sigma's five levels.
type Level string

// The Sigma levels, least to most severe.
const (
	LevelInformational Level = "informational"
	LevelLow           Level = "low"
	LevelMedium        Level = "medium"
	LevelHigh          Level = "high"
	LevelCritical      Level = "critical"
)

// Rank orders levels: informational is 1, critical 5, anything else 0.
func (l Level) Rank() int {
	switch l {
	case LevelInformational:
		return 1
	case LevelLow:
		return 2
	case LevelMedium:
		return 3
	case LevelHigh:
		return 4
	case LevelCritical:
		return 5
	}
	return 0
}

// Logsource says which telemetry a rule applies to. Empty fields are
// wildcards.
type Logsource struct {
	Product    string
	Category   string
	Service    string
	Definition string
	Pos        Pos
}

// IsZero reports whether the logsource names nothing (applies to everything).
func (l Logsource) IsZero() bool { return l.Product == "" && l.Category == "" && l.Service == "" }

// Selection is a named part of a detection ("selection", "filter_main"),
// referenced from the condition.
type Selection struct {
	Name string
	Expr Expr // a tree of *Match joined by *And / *Or
	Pos  Pos
}

// Rule is a detection rule.
type Rule struct {
	ID             string
	Name           string // Sigma v2 "name", a stable identifier besides ID
	Title          string
	Status         string
	Description    string
	References     []string
	Author         string
	Date           string
	Modified       string
	Tags           []string
	Logsource      Logsource
	FalsePositives []string
	Level          Level
	Fields         []string
	Actions        []string       // response actions reported with a match (kill_process, ...)
	Custom         map[string]any // attributes the model has no field for, kept as read

	Selections []*Selection
	Condition  Expr

	// Tests are example events the author attached to the rule.
	Tests []Test

	Pos Pos // where the rule starts
}

// Test is an example event attached to a rule: the rule must match it (or,
// with Match false, must not).
type Test struct {
	Name  string
	Event string // one JSON object
	Match bool
	Pos   Pos
}

// Selection returns the named selection, or nil.
func (r *Rule) Selection(name string) *Selection {
	for _, s := range r.Selections {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// Key is the rule's identity for scoping and reporting: the ID, or the
// name, or the title when a rule has neither.
func (r *Rule) Key() string {
	switch {
	case r.ID != "":
		return r.ID
	case r.Name != "":
		return r.Name
	}
	return r.Title
}

// Exclusion suppresses matches of the rules it is scoped to when its
// condition holds. Sigma filters and tanchi exclude blocks both load as
// exclusions.
type Exclusion struct {
	ID          string
	Title       string
	Description string
	Rules       []string // rule ids or names this exclusion applies to
	Tags        []string // or: rules carrying any of these tags
	AllRules    bool     // or: every rule
	Logsource   Logsource
	Reason      string
	Author      string
	Date        string // created
	Expires     string // YYYY-MM-DD, empty for never
	Selections  []*Selection
	When        Expr // the match is suppressed when this holds
	Pos         Pos
}

// Correlation is a Sigma correlation rule: a condition over matches of other
// rules across time. The engine does not evaluate correlations yet; they are
// loaded so that tools can report them instead of dropping them.
type Correlation struct {
	ID        string
	Name      string
	Title     string
	Level     Level
	Type      string // event_count, value_count, temporal, temporal_ordered, ...
	Rules     []string
	GroupBy   []string
	Timespan  string
	Condition map[string]any
	Generate  bool
	Pos       Pos
}

// Set is what a reader produces from one or more sources.
type Set struct {
	Rules        []*Rule
	Exclusions   []*Exclusion
	Correlations []*Correlation
	Files        int // sources read
}

// Add appends everything in o to s.
func (s *Set) Add(o *Set) {
	if o == nil {
		return
	}
	s.Rules = append(s.Rules, o.Rules...)
	s.Exclusions = append(s.Exclusions, o.Exclusions...)
	s.Correlations = append(s.Correlations, o.Correlations...)
	s.Files += o.Files
}
