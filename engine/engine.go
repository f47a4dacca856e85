package engine

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/cel-go/cel"

	"github.com/tanchi-dev/tanchi/rule"
)

// Option configures Compile. Options validate their argument and may be
// given in any order.
type Option func(*config) error

type config struct {
	mapping      *Mapping
	placeholders map[string][]string
	exclusions   []*rule.Exclusion
	noIndex      bool
	now          func() time.Time
}

// WithMapping sets the field mapping (default: none; the built-in Windows
// aliases always apply). A nil mapping is an error.
func WithMapping(m *Mapping) Option {
	return func(c *config) error {
		if m == nil {
			return errors.New("engine.WithMapping: nil mapping")
		}
		c.mapping = m
		return nil
	}
}

// WithPlaceholders gives the values of |expand placeholders: %Admins% is
// replaced by each value of placeholders["Admins"] (values may use Sigma
// wildcards). A rule that uses a placeholder not in the map does not compile
// (code rule.ErrPlaceholder); it is never matched against the literal text.
func WithPlaceholders(placeholders map[string][]string) Option {
	return func(c *config) error {
		for k, v := range placeholders {
			if k == "" || strings.Contains(k, "%") {
				return fmt.Errorf("engine.WithPlaceholders: bad placeholder name %q", k)
			}
			if len(v) == 0 {
				return fmt.Errorf("engine.WithPlaceholders: placeholder %q has no values", k)
			}
		}
		c.placeholders = placeholders
		return nil
	}
}

// WithExclusions adds exclusions: a match of a rule an exclusion is scoped
// to is suppressed when the exclusion's condition holds for the event.
// Suppressed matches are still returned, marked, by MatchAll.
func WithExclusions(xs []*rule.Exclusion) Option {
	return func(c *config) error {
		for _, x := range xs {
			if x == nil {
				return errors.New("engine.WithExclusions: nil exclusion")
			}
		}
		c.exclusions = append(c.exclusions, xs...)
		return nil
	}
}

// WithClock sets the clock that decides whether an exclusion has expired
// (default time.Now). An exclusion whose Expires date (YYYY-MM-DD) is
// before the clock's date no longer suppresses anything.
func WithClock(now func() time.Time) Option {
	return func(c *config) error {
		if now == nil {
			return errors.New("engine.WithClock: nil clock")
		}
		c.now = now
		return nil
	}
}

// WithoutIndex makes Match evaluate every rule on every event, checking
// each rule's logsource one by one instead of through the routing table and
// the literal witness index, with no per-event caching of field values or
// comparison results, and testing each value of a long list on its own
// rather than as a set. It is slow and gives the same answers; tests
// compare the two.
func WithoutIndex() Option {
	return func(c *config) error {
		c.noIndex = true
		return nil
	}
}

// Engine matches events against compiled rules. It is safe for concurrent
// use by multiple goroutines.
type Engine struct {
	cfg        config
	rules      []*compiled
	exclusions []*compiledExclusion

	atoms    []*atom          // every distinct comparison, by id
	atomKeys map[string]*atom // comparison (as its sigma.match call) -> atom
	slots    []string         // field names rules read, by slot
	slotOf   map[string]int32
	keys     []*slotKeys // by slot
	// fieldKeys holds every name keys reads; schemas, the positions of
	// those names and of the slots in the schemas of the IndexedEvents
	// seen (schema.go).
	fieldKeys *keyTable
	schemas   atomic.Pointer[map[*Schema]*schemaLayout]
	celAtoms  *atomCache // comparisons inside raw CEL

	index   *index // nil WithoutIndex
	routes  atomic.Pointer[map[routeKey]*route]
	routeMu sync.Mutex // serializes additions to routes and schemas
	ctxs    sync.Pool
}

// compiled is one rule ready to run.
type compiled struct {
	rule  *rule.Rule
	tree  node // the condition, over the engine's shared atoms
	atoms map[*rule.Match]*atom
	cels  map[*rule.CEL]celNode // raw CEL parts, for explanations
}

// compiledExclusion is an exclusion ready to run.
type compiledExclusion struct {
	x       *rule.Exclusion
	expires time.Time // zero: never
	tree    node
	rules   map[string]bool
	tags    map[string]bool
}

// Compile builds an engine for rules. Rules that cannot be compiled are left
// out and reported: the returned error is then a rule.ErrorList with one
// entry per problem, and the engine (never nil unless an option is invalid)
// runs the rest.
func Compile(rules []*rule.Rule, opts ...Option) (*Engine, error) {
	e := &Engine{atomKeys: map[string]*atom{}, slotOf: map[string]int32{}}
	e.cfg.now = time.Now
	for _, o := range opts {
		if err := o(&e.cfg); err != nil {
			return nil, err
		}
	}
	e.celAtoms = &atomCache{atoms: map[string]*atom{}, placeholders: e.cfg.placeholders, sets: !e.cfg.noIndex}
	env, err := celEnv()
	if err != nil {
		return nil, err
	}
	var errs rule.ErrorList
	for _, r := range rules {
		c, err := e.compileRule(env, r)
		if err != nil {
			errs = append(errs, asRuleError(err, r.ID, r.Pos))
			continue
		}
		e.rules = append(e.rules, c)
	}
	for _, x := range e.cfg.exclusions {
		cx, err := e.compileExclusion(env, x)
		if err != nil {
			errs = append(errs, asRuleError(err, x.ID, x.Pos))
			continue
		}
		e.exclusions = append(e.exclusions, cx)
	}
	e.keys = make([]*slotKeys, len(e.slots))
	e.fieldKeys = newKeyTable()
	for i, name := range e.slots {
		e.keys[i] = newSlotKeys(e.fieldKeys, e.cfg.mapping, name)
	}
	if !e.cfg.noIndex {
		e.buildIndex()
	}
	e.atomKeys = nil // only needed while compiling
	e.ctxs.New = func() any { return e.newCtx() }
	errs.Sort()
	return e, errs.Err()
}

// atom returns the shared compiled form of a comparison: identical
// comparisons in different rules are one atom, evaluated once per event.
func (e *Engine) atom(m *rule.Match) (*atom, error) {
	key := celMatch(m)
	if a, ok := e.atomKeys[key]; ok {
		return a, nil
	}
	a, err := compileAtom(m, e.cfg.placeholders, !e.cfg.noIndex)
	if err != nil {
		return nil, err
	}
	a.id = int32(len(e.atoms))
	if a.field != "" {
		a.slot = e.slot(a.field)
	}
	// A field reference reads the other field through its slot too, so
	// that the value and its fold are read once per event.
	for _, g := range a.groups {
		for k, m := range g {
			if fr, ok := m.(fieldRefMatcher); ok {
				fr.slot = e.slot(fr.other)
				g[k] = fr
			}
		}
	}
	e.atoms = append(e.atoms, a)
	e.atomKeys[key] = a
	return a, nil
}

// slot returns the slot of a field, adding one for a field not seen before.
func (e *Engine) slot(field string) int32 {
	slot, ok := e.slotOf[field]
	if !ok {
		slot = int32(len(e.slots))
		e.slots = append(e.slots, field)
		e.slotOf[field] = slot
	}
	return slot
}

func asRuleError(err error, id string, pos rule.Pos) *rule.Error {
	var re *rule.Error
	if errors.As(err, &re) {
		if re.RuleID == "" {
			re.RuleID = id
		}
		return re
	}
	var el rule.ErrorList
	if errors.As(err, &el) && len(el) > 0 {
		el[0].RuleID = id
		return el[0]
	}
	return &rule.Error{Code: rule.ErrUnsupported, Pos: pos, Msg: err.Error(), RuleID: id}
}

func (e *Engine) compileRule(env *cel.Env, r *rule.Rule) (*compiled, error) {
	if r.Condition == nil {
		return nil, rule.Errorf(rule.ErrSchema, r.Pos, "rule %q has no condition", r.Title)
	}
	c := &compiled{rule: r, atoms: map[*rule.Match]*atom{}, cels: map[*rule.CEL]celNode{}}
	b := &builder{r: r, e: e, env: env, atoms: c.atoms, cels: c.cels}
	tree, err := b.build(r.Condition, 0)
	if err != nil {
		return nil, err
	}
	c.tree = tree
	return c, nil
}

func (e *Engine) compileExclusion(env *cel.Env, x *rule.Exclusion) (*compiledExclusion, error) {
	if x.When == nil {
		return nil, rule.Errorf(rule.ErrSchema, x.Pos, "exclusion %q has no condition", x.Title)
	}
	pseudo := &rule.Rule{ID: x.ID, Title: x.Title, Selections: x.Selections, Pos: x.Pos}
	b := &builder{r: pseudo, e: e, env: env, atoms: map[*rule.Match]*atom{}, cels: map[*rule.CEL]celNode{}}
	tree, err := b.build(x.When, 0)
	if err != nil {
		return nil, err
	}
	cx := &compiledExclusion{x: x, tree: tree, rules: map[string]bool{}, tags: map[string]bool{}}
	if x.Expires != "" {
		t, err := time.Parse(time.DateOnly, x.Expires)
		if err != nil {
			return nil, rule.Errorf(rule.ErrValue, x.Pos, "exclusion %q: expires %q is not a date (YYYY-MM-DD)", x.Title, x.Expires)
		}
		// The exclusion holds through its expiry day.
		cx.expires = t.AddDate(0, 0, 1)
	}
	if len(x.Rules) == 0 && len(x.Tags) == 0 && !x.AllRules {
		return nil, rule.Errorf(rule.ErrSchema, x.Pos, "exclusion %q applies to no rule: give rule ids, tags or all", x.Title)
	}
	for _, id := range x.Rules {
		cx.rules[id] = true
	}
	for _, t := range x.Tags {
		cx.tags[strings.ToLower(t)] = true
	}
	return cx, nil
}

// Rules returns the rules the engine runs, in the order given to Compile.
func (e *Engine) Rules() []*rule.Rule {
	out := make([]*rule.Rule, len(e.rules))
	for i, c := range e.rules {
		out[i] = c.rule
	}
	return out
}

// CEL returns the CEL source of a rule's condition, by rule id (or name),
// and whether the engine has that rule.
func (e *Engine) CEL(id string) (string, bool) {
	c := e.lookup(id)
	if c == nil {
		return "", false
	}
	src, err := celExpr(c.rule.Condition, c.rule)
	if err != nil {
		return "", false // cannot happen: the rule compiled
	}
	return src, true
}

// lookup finds a compiled rule by id, or by name; nil when there is none.
func (e *Engine) lookup(id string) *compiled {
	for _, c := range e.rules {
		if c.rule.ID == id || (c.rule.Name != "" && c.rule.Name == id) {
			return c
		}
	}
	return nil
}

// Match is one rule that matched an event.
type Match struct {
	Rule *rule.Rule
	// Fields lists the field comparisons that held (outside any negation),
	// with the event's value: what made the rule fire.
	Fields []FieldHit
	// SuppressedBy is the exclusion that suppressed this match, or nil.
	SuppressedBy *rule.Exclusion
}

// FieldHit is one comparison that held.
type FieldHit struct {
	Field string `json:"field"` // as the rule names it ("" for keyword search)
	Value string `json:"value"` // the event's value
	Match string `json:"match"` // the comparison as written: Image|endswith: "\\cmd.exe"
}

// Match returns the rules that match ev, in rule order, leaving out matches
// suppressed by an exclusion. It never returns an error: a rule whose
// evaluation fails (it cannot, for rules Compile accepted) does not match.
func (e *Engine) Match(ev Event) []Match {
	all := e.MatchAll(ev)
	out := all[:0]
	for _, m := range all {
		if m.SuppressedBy == nil {
			out = append(out, m)
		}
	}
	return out
}

// MatchAll is Match including suppressed matches, each marked with the
// exclusion that suppressed it.
func (e *Engine) MatchAll(ev Event) []Match {
	if e.cfg.noIndex {
		c := e.bareCtx(ev)
		var out []Match
		for _, cr := range e.rules {
			if routes(cr.rule.Logsource, c.src) && cr.tree.eval(c) {
				out = append(out, e.match(cr, c))
			}
		}
		return out
	}
	c := e.ctxs.Get().(*evalCtx)
	out := e.matchWith(c, ev)
	e.ctxs.Put(c)
	return out
}

// matchWith is MatchAll on the indexed path with a given context.
func (e *Engine) matchWith(c *evalCtx, ev Event) []Match {
	c.begin(ev)
	e.candidates(c)
	var out []Match
	for _, i := range c.cands {
		cr := e.rules[i]
		if cr.tree.eval(c) {
			out = append(out, e.match(cr, c))
		}
	}
	c.end()
	return out
}

// Candidates returns how many rules the index selects for ev: the rules
// Match evaluates. Without the index it is every rule the event routes to.
func (e *Engine) Candidates(ev Event) int {
	if e.cfg.noIndex {
		c, n := e.bareCtx(ev), 0
		for _, cr := range e.rules {
			if routes(cr.rule.Logsource, c.src) {
				n++
			}
		}
		return n
	}
	c := e.ctxs.Get().(*evalCtx)
	c.begin(ev)
	e.candidates(c)
	n := len(c.cands)
	c.end()
	e.ctxs.Put(c)
	return n
}

func (e *Engine) match(cr *compiled, c *evalCtx) Match {
	m := Match{Rule: cr.rule}
	c.fieldHits = c.fieldHits[:0]
	cr.tree.hits(c, &c.fieldHits, false)
	m.Fields = ownHits(c.fieldHits)
	clear(c.fieldHits)
	var now time.Time
	for _, x := range e.exclusions {
		if !x.expires.IsZero() {
			if now.IsZero() {
				now = e.cfg.now()
			}
			if !now.Before(x.expires) {
				continue
			}
		}
		if x.appliesTo(cr.rule) && routes(x.x.Logsource, c.src) && x.tree.eval(c) {
			m.SuppressedBy = x.x
			break
		}
	}
	return m
}

// ownHits returns a copy of hits whose texts are the match's own: a match
// outlives its event, whose values (and, for keyword hits, field names)
// hits borrows. The texts are copied into one allocation, the hits into
// another.
func ownHits(hits []FieldHit) []FieldHit {
	if len(hits) == 0 {
		return nil
	}
	n := 0
	for _, h := range hits {
		n += len(h.Field) + len(h.Value)
	}
	buf := make([]byte, 0, n)
	for _, h := range hits {
		buf = append(append(buf, h.Field...), h.Value...)
	}
	texts := bytesString(buf)
	out := make([]FieldHit, len(hits))
	for i, h := range hits {
		f := len(h.Field)
		out[i] = FieldHit{Field: texts[:f], Value: texts[f : f+len(h.Value)], Match: h.Match}
		texts = texts[f+len(h.Value):]
	}
	return out
}

func (x *compiledExclusion) appliesTo(r *rule.Rule) bool {
	if x.x.AllRules || x.rules[r.ID] || (r.Name != "" && x.rules[r.Name]) {
		return true
	}
	for _, t := range r.Tags {
		if x.tags[strings.ToLower(t)] {
			return true
		}
	}
	return false
}

// HasRule reports whether a rule with this id (or name) was compiled.
func (e *Engine) HasRule(id string) bool { return e.lookup(id) != nil }

// celEnv is the CEL environment every program is compiled in.
func celEnv() (*cel.Env, error) {
	env, err := cel.NewEnv(Library())
	if err != nil {
		return nil, fmt.Errorf("engine: CEL environment: %w", err)
	}
	return env, nil
}
