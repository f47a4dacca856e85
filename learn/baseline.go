package learn

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math/bits"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tanchi-dev/tanchi/corpus"
	"github.com/tanchi-dev/tanchi/engine"
)

// run is the state of one Learner.Run.
type run struct {
	l *Learner

	days     map[string]int // day (YYYY-MM-DD, "" for events without a time) -> index in dayNames
	dayNames []string
	hosts    map[string]int
	host     []string

	groups  []*group
	byKey   map[string]*group
	perRule []ruleCounts // by rule index

	events     []int // baseline events per day index
	input      InputStats
	protectEvs []protectEvent

	spill  *os.File
	spillW *bufio.Writer
	hdr    []byte

	// set by finishDays
	order   []int // day indexes in date order
	holdout []bool
	learnN  int // learning days (with a date)
	spread  bool

	eval *evaluation
}

// ruleCounts are the per-rule totals of the baseline pass.
type ruleCounts struct {
	matches    int      // unsuppressed matches
	suppressed int      // matches suppressed by exclusions given to New
	groups     int      // patterns made
	live       []*group // patterns kept (at most maxPatterns)
	overflow   *group
}

// protectEvent is a detection on a protected event.
type protectEvent struct {
	rule int
	file string
	line int
}

// group is one pattern: the matches of one rule whose identity fields
// generalise to the same templates.
type group struct {
	idx      int
	rule     int
	key      string
	fields   []groupField
	overflow bool   // the catch-all of a rule with too many patterns
	redirect *group // set when evicted into the catch-all
	days     map[int]*groupDay
}

// groupField is an identity field of a pattern; lits is the least spelling
// of its literal text seen (events may differ in case).
type groupField struct {
	name string
	tmpl template
}

// groupDay is what a pattern did on one day.
type groupDay struct {
	count       int
	hosts       bitset
	first, last time.Time
	slots       [][]slotState // per identity field, per slot
	ctx         map[string]*ctxState
	sample      sample
}

// ctxState follows a context field over a pattern's events.
type ctxState struct {
	key      string // template key; unstable when events differ
	tmpl     template
	slots    []slotState
	count    int
	unstable bool
}

// sample is the earliest event of a pattern (by time, then source).
type sample struct {
	t    time.Time
	file string
	line int
	raw  []byte
}

func (s *sample) offer(t time.Time, file string, line int, raw []byte) {
	if s.raw != nil {
		c := t.Compare(s.t)
		if c == 0 {
			c = strings.Compare(file, s.file)
		}
		if c == 0 {
			c = line - s.line
		}
		if c >= 0 {
			return
		}
	}
	s.t, s.file, s.line, s.raw = t, file, line, slices.Clone(raw)
}

// bitset is a set of small integers (host indexes).
type bitset []uint64

func (b *bitset) add(i int) {
	for len(*b) <= i/64 {
		*b = append(*b, 0)
	}
	(*b)[i/64] |= 1 << (i % 64)
}

func (b *bitset) or(o bitset) {
	for len(*b) < len(o) {
		*b = append(*b, 0)
	}
	for i, w := range o {
		(*b)[i] |= w
	}
}

func (b bitset) count() int {
	n := 0
	for _, w := range b {
		n += bits.OnesCount64(w)
	}
	return n
}

func newRun(l *Learner) *run {
	return &run{
		l:       l,
		days:    map[string]int{},
		hosts:   map[string]int{},
		byKey:   map[string]*group{},
		perRule: make([]ruleCounts, len(l.rules)),
	}
}

func (r *run) close() {
	if r.spill != nil {
		r.spill.Close()
		os.Remove(r.spill.Name())
	}
}

func (r *run) openSpill() error {
	f, err := os.CreateTemp(r.l.cfg.tempDir, "tanchi-learn-*.spill")
	if err != nil {
		return fmt.Errorf("learn: temporary file: %w", err)
	}
	r.spill = f
	r.spillW = bufio.NewWriterSize(f, 1<<20)
	return nil
}

func (r *run) dayIndex(d string) int {
	if i, ok := r.days[d]; ok {
		return i
	}
	i := len(r.dayNames)
	r.days[d] = i
	r.dayNames = append(r.dayNames, d)
	r.events = append(r.events, 0)
	return i
}

func (r *run) hostIndex(h string) int {
	if i, ok := r.hosts[h]; ok {
		return i
	}
	i := len(r.host)
	r.hosts[h] = i
	r.host = append(r.host, h)
	return i
}

// observed is what a worker learned about one event.
type observed struct {
	file    string
	line    int
	raw     []byte // kept only when something matched
	t       time.Time
	host    string
	matches []obsMatch
	bad     error
}

type obsMatch struct {
	rule int
	ids  []observedField
	ctx  []observedField
}

type record struct {
	file string
	line int
	raw  []byte
}

const batchSize = 128

// scan runs the rules over the events of paths and feeds the aggregator:
// a reader goroutine, workers that parse and match, and the aggregation on
// this goroutine (so it needs no locks and its result cannot depend on the
// number of workers).
func (r *run) scan(ctx context.Context, paths []string, protect bool) error {
	files, err := corpus.Files(paths...)
	if err != nil {
		return fmt.Errorf("learn: %w", err)
	}
	if protect {
		r.input.ProtectFiles += len(files)
	} else {
		r.input.BaselineFiles += len(files)
	}
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan []record, 2*r.l.cfg.workers)
	results := make(chan []observed, 2*r.l.cfg.workers)
	// The reader's results, read after readerDone is closed.
	var readErr error
	var inputErrs []string
	var inputErrN int
	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		defer close(jobs)
		batch := make([]record, 0, batchSize)
		send := func() bool {
			if len(batch) == 0 {
				return true
			}
			select {
			case jobs <- batch:
				batch = make([]record, 0, batchSize)
				return true
			case <-ctx.Done():
				return false
			}
		}
		readErr = corpus.Walk(files, func(rec corpus.Record) error {
			batch = append(batch, record{rec.File, rec.Line, slices.Clone(rec.Raw)})
			if len(batch) == batchSize && !send() {
				return ctx.Err()
			}
			return nil
		}, func(err error) {
			inputErrN++
			if len(inputErrs) < maxInputErrors {
				inputErrs = append(inputErrs, err.Error())
			}
		})
		if readErr == nil {
			send()
		}
	}()
	var wg sync.WaitGroup
	for w := 0; w < r.l.cfg.workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for batch := range jobs {
				out := make([]observed, len(batch))
				for i, rec := range batch {
					out[i] = r.l.observe(rec)
				}
				select {
				case results <- out:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() { wg.Wait(); close(results) }()

	phase := "baseline"
	if protect {
		phase = "protect"
	}
	var events, matches int
	var aggErr error
	last := time.Now()
	for batch := range results {
		if aggErr != nil {
			continue // drain
		}
		for i := range batch {
			o := &batch[i]
			events++
			matches += len(o.matches)
			if err := r.aggregate(o, protect); err != nil {
				aggErr = err
				cancel()
				break
			}
		}
		if r.l.cfg.progress != nil && time.Since(last) > 250*time.Millisecond {
			last = time.Now()
			r.l.cfg.progress(Progress{Phase: phase, Events: events, Matches: matches})
		}
	}
	<-readerDone
	if r.l.cfg.progress != nil {
		r.l.cfg.progress(Progress{Phase: phase, Events: events, Matches: matches})
	}
	switch {
	case aggErr != nil:
		return aggErr
	case parent.Err() != nil:
		return parent.Err()
	case readErr != nil:
		return fmt.Errorf("learn: %w", readErr)
	}
	r.input.InputErrors += inputErrN
	for _, e := range inputErrs {
		if len(r.input.Errors) < maxInputErrors {
			r.input.Errors = append(r.input.Errors, e)
		}
	}
	return nil
}

const maxInputErrors = 20

// observe parses and matches one record (on a worker goroutine).
func (l *Learner) observe(rec record) observed {
	o := observed{file: rec.file, line: rec.line}
	ev, err := engine.ParseJSON(rec.raw)
	if err != nil {
		o.bad = fmt.Errorf("%s:%d: %v", rec.file, rec.line, err)
		return o
	}
	o.t = eventTime(ev)
	o.host = eventHost(ev)
	for _, m := range l.eng.MatchAll(ev) {
		i := l.index[m.Rule]
		if m.SuppressedBy != nil {
			o.matches = append(o.matches, obsMatch{rule: -1 - i})
			continue
		}
		ids, ctx := observe(ev, m.Fields)
		o.matches = append(o.matches, obsMatch{rule: i, ids: ids, ctx: ctx})
	}
	if len(o.matches) > 0 {
		o.raw = rec.raw
	}
	return o
}

func dayOf(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

// aggregate adds one observed event to the patterns and the spill file.
func (r *run) aggregate(o *observed, protect bool) error {
	if o.bad != nil {
		r.input.InputErrors++
		if len(r.input.Errors) < maxInputErrors {
			r.input.Errors = append(r.input.Errors, o.bad.Error())
		}
		return nil
	}
	var refs []spillRef
	if protect {
		r.input.ProtectEvents++
		for _, m := range o.matches {
			if m.rule < 0 {
				continue
			}
			r.protectEvs = append(r.protectEvs, protectEvent{rule: m.rule, file: o.file, line: o.line})
			refs = append(refs, spillRef{m.rule, len(r.protectEvs) - 1})
		}
		if len(refs) == 0 {
			return nil
		}
		return r.writeSpill(spillProtect, 0, 0, 0, refs, o.raw)
	}
	r.input.BaselineEvents++
	day := r.dayIndex(dayOf(o.t))
	r.events[day]++
	if o.t.IsZero() {
		r.input.NoTime++
	}
	if len(o.matches) == 0 {
		return nil
	}
	host := r.hostIndex(o.host)
	for _, m := range o.matches {
		if m.rule < 0 {
			r.perRule[-1-m.rule].suppressed++
			continue
		}
		g := r.groupFor(m)
		g.observe(day, host, o, &m)
		r.perRule[m.rule].matches++
		refs = append(refs, spillRef{m.rule, g.idx})
	}
	if len(refs) == 0 {
		return nil
	}
	var t int64
	if !o.t.IsZero() {
		t = o.t.UnixNano()
	}
	return r.writeSpill(spillBaseline, day, host, t, refs, o.raw)
}

// groupFor finds or makes the pattern of a match.
func (r *run) groupFor(m obsMatch) *group {
	var b strings.Builder
	b.WriteString(strconv.Itoa(m.rule))
	for _, f := range m.ids {
		b.WriteByte(1)
		b.WriteString(f.name)
		b.WriteByte('=')
		b.WriteString(f.tmpl.key())
	}
	key := b.String()
	if g, ok := r.byKey[key]; ok {
		g.canonical(m.ids)
		return g
	}
	rc := &r.perRule[m.rule]
	if len(rc.live) >= r.l.cfg.maxPatterns {
		// Keep the patterns with the least keys, so that which ones are
		// kept does not depend on the order events arrive in: a key
		// greater than every kept one goes to the catch-all, and one less
		// than the greatest takes its place. An evicted key is greater
		// than the whole kept set, which only ever gets less, so it never
		// comes back.
		if rc.overflow == nil {
			rc.overflow = &group{idx: len(r.groups), rule: m.rule, key: strconv.Itoa(m.rule) + "\x02overflow", overflow: true, days: map[int]*groupDay{}}
			r.groups = append(r.groups, rc.overflow)
		}
		maxI := 0
		for i, g := range rc.live {
			if g.key > rc.live[maxI].key {
				maxI = i
			}
		}
		top := rc.live[maxI]
		if key > top.key {
			return rc.overflow
		}
		rc.overflow.absorb(top)
		delete(r.byKey, top.key)
		rc.live = slices.Delete(rc.live, maxI, maxI+1)
	}
	rc.groups++
	g := &group{idx: len(r.groups), rule: m.rule, key: key, days: map[int]*groupDay{}}
	for _, f := range m.ids {
		g.fields = append(g.fields, groupField{name: f.name, tmpl: cloneTemplate(f.tmpl)})
	}
	r.groups = append(r.groups, g)
	r.byKey[key] = g
	rc.live = append(rc.live, g)
	return g
}

// absorb moves an evicted pattern's figures into the catch-all; matches
// spilled for it are counted there too (see resolve).
func (g *group) absorb(o *group) {
	o.redirect = g
	for d, od := range o.days {
		gd := g.days[d]
		if gd == nil {
			gd = &groupDay{first: od.first, last: od.last}
			g.days[d] = gd
		}
		gd.count += od.count
		gd.hosts.or(od.hosts)
		if od.first.Before(gd.first) {
			gd.first = od.first
		}
		if od.last.After(gd.last) {
			gd.last = od.last
		}
		gd.sample.offer(od.sample.t, od.sample.file, od.sample.line, od.sample.raw)
	}
	o.days = nil
}

// resolve follows evictions to the group that now counts a pattern.
func (g *group) resolve() *group {
	for g.redirect != nil {
		g = g.redirect
	}
	return g
}

func cloneTemplate(t template) template {
	return template{lits: slices.Clone(t.lits), kinds: slices.Clone(t.kinds), trunc: t.trunc}
}

// canonical keeps the least spelling of each literal, so that the output
// does not depend on which event came first.
func (g *group) canonical(ids []observedField) {
	for i, f := range ids {
		mergeTemplate(&g.fields[i].tmpl, &f.tmpl)
	}
}

// mergeTemplate folds another occurrence of the same template (equal keys)
// into t: the least spelling of each literal, and for each slot the least
// kind, so that neither depends on the order events arrive in (a token
// seen as a number in one event and as hex in another is hex whichever
// came first).
func mergeTemplate(t, o *template) {
	for j, l := range o.lits {
		if l < t.lits[j] {
			t.lits[j] = l
		}
	}
	for j, k := range o.kinds {
		t.kinds[j] = min(t.kinds[j], k)
	}
}

func (g *group) observe(day, host int, o *observed, m *obsMatch) {
	d := g.days[day]
	if d == nil {
		d = &groupDay{first: o.t, last: o.t}
		if !g.overflow {
			d.slots = make([][]slotState, len(g.fields))
			for i, f := range g.fields {
				d.slots[i] = make([]slotState, len(f.tmpl.kinds))
			}
			d.ctx = map[string]*ctxState{}
		}
		g.days[day] = d
	}
	d.count++
	d.hosts.add(host)
	if o.t.Before(d.first) {
		d.first = o.t
	}
	if o.t.After(d.last) {
		d.last = o.t
	}
	d.sample.offer(o.t, o.file, o.line, o.raw)
	if g.overflow {
		return
	}
	for i, f := range m.ids {
		for j, s := range f.slots {
			d.slots[i][j].add(s, f.tmpl.kinds[j].volatile(s))
		}
	}
	for _, f := range m.ctx {
		c := d.ctx[f.name]
		k := f.tmpl.key()
		if c == nil {
			c = &ctxState{key: k, tmpl: cloneTemplate(f.tmpl), slots: make([]slotState, len(f.slots))}
			d.ctx[f.name] = c
		}
		c.count++
		if c.unstable {
			continue
		}
		if c.key != k {
			c.unstable = true
			continue
		}
		mergeTemplate(&c.tmpl, &f.tmpl)
		for j, s := range f.slots {
			c.slots[j].add(s, f.tmpl.kinds[j].volatile(s))
		}
	}
}

// The spill file holds every matched baseline event and every protected
// event with a detection, once each, for the second pass: kind, day, host,
// time, the matches (rule and pattern, or rule and protected detection),
// and the event.
const (
	spillBaseline = 0
	spillProtect  = 1
)

// spillRef is one match of a spilled event: the rule, and the pattern (or,
// for a protected event, the index of the detection).
type spillRef struct{ rule, ref int }

func (r *run) writeSpill(kind, day, host int, t int64, refs []spillRef, raw []byte) error {
	hdr := r.hdr[:0]
	hdr = binary.AppendUvarint(hdr, uint64(kind))
	hdr = binary.AppendUvarint(hdr, uint64(day))
	hdr = binary.AppendUvarint(hdr, uint64(host))
	hdr = binary.AppendVarint(hdr, t)
	hdr = binary.AppendUvarint(hdr, uint64(len(refs)))
	for _, x := range refs {
		hdr = binary.AppendUvarint(hdr, uint64(x.rule))
		hdr = binary.AppendUvarint(hdr, uint64(x.ref))
	}
	hdr = binary.AppendUvarint(hdr, uint64(len(raw)))
	r.hdr = hdr
	if _, err := r.spillW.Write(hdr); err != nil {
		return fmt.Errorf("learn: temporary file: %w", err)
	}
	if _, err := r.spillW.Write(raw); err != nil {
		return fmt.Errorf("learn: temporary file: %w", err)
	}
	return nil
}

// spillRecord is one spilled event read back.
type spillRecord struct {
	kind, day, host int
	t               int64 // Unix nanoseconds, 0 without a time
	refs            []spillRef
	raw             []byte
}

// readSpill calls fn with every spilled event, in the order written. The
// record is reused from call to call.
func (r *run) readSpill(fn func(*spillRecord) error) error {
	if err := r.spillW.Flush(); err != nil {
		return fmt.Errorf("learn: temporary file: %w", err)
	}
	if _, err := r.spill.Seek(0, io.SeekStart); err != nil {
		return err
	}
	br := bufio.NewReaderSize(r.spill, 1<<20)
	var rec spillRecord
	var err error
	u := func() int {
		if err != nil {
			return 0
		}
		var v uint64
		v, err = binary.ReadUvarint(br)
		return int(v)
	}
	for {
		kind, e := binary.ReadUvarint(br)
		if e == io.EOF {
			return nil
		}
		if e != nil {
			return fmt.Errorf("learn: temporary file: %w", e)
		}
		rec.kind = int(kind)
		rec.day, rec.host = u(), u()
		if err == nil {
			rec.t, err = binary.ReadVarint(br)
		}
		n := u()
		rec.refs = rec.refs[:0]
		for i := 0; i < n && err == nil; i++ {
			rec.refs = append(rec.refs, spillRef{u(), u()})
		}
		size := u()
		if err != nil {
			return fmt.Errorf("learn: temporary file: %w", err)
		}
		if cap(rec.raw) < size {
			rec.raw = make([]byte, size)
		}
		rec.raw = rec.raw[:size]
		if _, err := io.ReadFull(br, rec.raw); err != nil {
			return fmt.Errorf("learn: temporary file: %w", err)
		}
		if err := fn(&rec); err != nil {
			return err
		}
	}
}

// finishDays orders the days and marks the held-out ones.
func (r *run) finishDays() error {
	r.order = make([]int, len(r.dayNames))
	for i := range r.order {
		r.order[i] = i
	}
	slices.SortFunc(r.order, func(a, b int) int { return strings.Compare(r.dayNames[a], r.dayNames[b]) })
	r.holdout = make([]bool, len(r.dayNames))
	dated := 0
	for _, d := range r.dayNames {
		if d != "" {
			dated++
		}
	}
	h := r.l.cfg.holdout
	if h > 0 && h >= dated {
		return fmt.Errorf("learn: --holdout-days %d leaves no day to learn from: the baseline spans %d days", h, dated)
	}
	for i := len(r.order) - 1; i >= 0 && h > 0; i-- {
		if r.dayNames[r.order[i]] != "" {
			r.holdout[r.order[i]] = true
			h--
		}
	}
	r.learnN = dated - r.l.cfg.holdout
	learnHosts := bitset{}
	for _, g := range r.groups {
		for d, gd := range g.days {
			if !r.holdout[d] {
				learnHosts.or(gd.hosts)
			}
		}
	}
	r.spread = r.learnN >= 2 || learnHosts.count() >= 2
	return nil
}
