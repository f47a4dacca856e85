package learn

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"time"

	"github.com/tanchi-dev/tanchi/engine"
	"github.com/tanchi-dev/tanchi/rule"
)

// Option configures New. Options validate their argument and may be given
// in any order.
type Option func(*config) error

type config struct {
	exclusions  []*rule.Exclusion
	engineOpts  []engine.Option
	holdout     int
	minEvents   int
	minSpread   int
	author      string
	date        string
	expiryDays  int
	workers     int
	tempDir     string
	progress    func(Progress)
	maxPatterns int
}

// Default settings.
const (
	DefaultMinEvents   = 2
	DefaultMinSpread   = 2
	DefaultAuthor      = "tanchi learn"
	DefaultMaxPatterns = 5000
)

// WithExclusions gives the exclusions already in force: baseline matches
// they suppress are not alerts and are not learned from.
func WithExclusions(xs []*rule.Exclusion) Option {
	return func(c *config) error {
		for _, x := range xs {
			if x == nil {
				return errors.New("learn.WithExclusions: nil exclusion")
			}
		}
		c.exclusions = append(c.exclusions, xs...)
		return nil
	}
}

// WithEngineOptions passes options to the engine that runs the rules
// (a field mapping, placeholders). Exclusions go through WithExclusions.
func WithEngineOptions(opts ...engine.Option) Option {
	return func(c *config) error {
		for _, o := range opts {
			if o == nil {
				return errors.New("learn.WithEngineOptions: nil option")
			}
		}
		c.engineOpts = append(c.engineOpts, opts...)
		return nil
	}
}

// WithHoldoutDays keeps the last n days of the baseline out of learning and
// reports how the proposals do on them (default 0: learn from every day).
func WithHoldoutDays(n int) Option {
	return func(c *config) error {
		if n < 0 {
			return fmt.Errorf("learn.WithHoldoutDays: %d is negative", n)
		}
		c.holdout = n
		return nil
	}
}

// WithThresholds sets the support a pattern needs to be learned: at least
// minEvents matches (default 2, at least 2), on at least minSpread days or
// minSpread hosts (default 2, at least 1) when the baseline spans more than
// one day or host.
func WithThresholds(minEvents, minSpread int) Option {
	return func(c *config) error {
		if minEvents < 2 {
			return fmt.Errorf("learn.WithThresholds: minEvents %d is below 2; a one-off is never learned", minEvents)
		}
		if minSpread < 1 {
			return fmt.Errorf("learn.WithThresholds: minSpread %d is below 1", minSpread)
		}
		c.minEvents, c.minSpread = minEvents, minSpread
		return nil
	}
}

// WithAuthor sets the author of the proposals (default "tanchi learn").
func WithAuthor(a string) Option {
	return func(c *config) error {
		if a == "" {
			return errors.New("learn.WithAuthor: empty author")
		}
		c.author = a
		return nil
	}
}

// WithDate sets the creation date of the proposals, YYYY-MM-DD. The default
// is the last day of the baseline, so that learning from the same data
// always writes the same file.
func WithDate(d string) Option {
	return func(c *config) error {
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			return fmt.Errorf("learn.WithDate: %q is not a date (YYYY-MM-DD)", d)
		}
		c.date = d
		return nil
	}
}

// WithExpiry makes the proposals expire days after their creation date
// (default: they do not expire).
func WithExpiry(days int) Option {
	return func(c *config) error {
		if days <= 0 {
			return fmt.Errorf("learn.WithExpiry: %d days is not positive", days)
		}
		c.expiryDays = days
		return nil
	}
}

// WithWorkers sets how many goroutines match baseline events (default
// GOMAXPROCS). The result does not depend on it.
func WithWorkers(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return fmt.Errorf("learn.WithWorkers: %d is below 1", n)
		}
		c.workers = n
		return nil
	}
}

// WithTempDir sets where Run keeps the matched events between its passes
// (default os.TempDir). The file is removed when Run returns.
func WithTempDir(dir string) Option {
	return func(c *config) error {
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			return fmt.Errorf("learn.WithTempDir: %s is not a directory", dir)
		}
		c.tempDir = dir
		return nil
	}
}

// WithProgress calls fn now and then from Run's goroutine while events
// are read.
func WithProgress(fn func(Progress)) Option {
	return func(c *config) error {
		if fn == nil {
			return errors.New("learn.WithProgress: nil function")
		}
		c.progress = fn
		return nil
	}
}

// WithMaxPatterns bounds the distinct patterns kept per rule (default
// 5000); matches beyond it are counted, not learned. Memory grows with
// patterns, never with events.
func WithMaxPatterns(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return fmt.Errorf("learn.WithMaxPatterns: %d is below 1", n)
		}
		c.maxPatterns = n
		return nil
	}
}

// Progress reports how far Run has got.
type Progress struct {
	Phase   string // "baseline", "protect" or "evaluate"
	Events  int    // events read in this phase
	Matches int    // rule matches in this phase
}

// Learner turns baseline telemetry into exclusion proposals. Build it once
// with New; Run may be called many times, also concurrently.
type Learner struct {
	cfg   config
	eng   *engine.Engine
	rules []*rule.Rule
	index map[*rule.Rule]int
}

// New compiles the rules for learning. Like engine.Compile, rules that do
// not compile are left out and reported in the returned error (a
// rule.ErrorList); the Learner is then still usable. It is nil only when an
// option is invalid.
func New(rules []*rule.Rule, opts ...Option) (*Learner, error) {
	l := &Learner{cfg: config{
		minEvents: DefaultMinEvents, minSpread: DefaultMinSpread, author: DefaultAuthor,
		workers: runtime.GOMAXPROCS(0), maxPatterns: DefaultMaxPatterns,
	}}
	for _, o := range opts {
		if err := o(&l.cfg); err != nil {
			return nil, err
		}
	}
	eopts := append([]engine.Option{engine.WithExclusions(l.cfg.exclusions)}, l.cfg.engineOpts...)
	eng, err := engine.Compile(rules, eopts...)
	if eng == nil {
		return nil, err
	}
	l.eng = eng
	l.rules = eng.Rules()
	l.index = make(map[*rule.Rule]int, len(l.rules))
	for i, r := range l.rules {
		l.index[r] = i
	}
	return l, err
}

// Rules returns the rules the learner runs.
func (l *Learner) Rules() []*rule.Rule { return l.rules }

// Run learns from the baseline event files and checks the proposals
// against the protected ones (files or directories, read as corpus.Files
// reads them; "-" is standard input, for one of the two lists at most).
// Events are streamed: memory grows with the number of distinct patterns,
// not with events; the matched events wait in a temporary file for the
// second pass.
//
// Bad records are counted in Result.Input and skipped. The error is for
// what stops the run: a missing file, a cancelled context, a holdout as
// long as the baseline, a temporary file that cannot be written.
func (l *Learner) Run(ctx context.Context, baseline, protect []string) (*Result, error) {
	if len(baseline) == 0 {
		return nil, errors.New("learn: no baseline files")
	}
	r := newRun(l)
	defer r.close()
	if err := r.openSpill(); err != nil {
		return nil, err
	}
	if err := r.scan(ctx, baseline, false); err != nil {
		return nil, err
	}
	if len(protect) > 0 {
		if err := r.scan(ctx, protect, true); err != nil {
			return nil, err
		}
	}
	if err := r.finishDays(); err != nil {
		return nil, err
	}
	if err := r.evaluate(ctx); err != nil {
		return nil, err
	}
	return r.result(), nil
}
