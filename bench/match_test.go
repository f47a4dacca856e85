package bench

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/tanchi-dev/tanchi/engine"
	"github.com/tanchi-dev/tanchi/internal/sharedtest"
	"github.com/tanchi-dev/tanchi/rule"
	"github.com/tanchi-dev/tanchi/rule/load"
)

// laneEvents is how many events each lane benchmark cycles through: enough
// that the stream is not a handful of events hot in the cache.
const laneEvents = 50_000

// ruleDirs are the rule sets the targets name: SigmaHQ's Windows,
// emerging-threat and threat-hunting rules.
func ruleDirs(tb testing.TB) []string {
	dir := sharedtest.Path(tb, "sigma")
	return []string{filepath.Join(dir, "rules", "windows"), filepath.Join(dir, "rules-emerging-threats"), filepath.Join(dir, "rules-threat-hunting")}
}

var (
	rulesOnce sync.Once
	allRules  []*rule.Rule
)

// windowsRules loads the rules once per process.
func windowsRules(tb testing.TB) []*rule.Rule {
	tb.Helper()
	dirs := ruleDirs(tb)
	rulesOnce.Do(func() {
		set, _ := load.Paths(dirs...)
		allRules = set.Rules
	})
	if len(allRules) < 3000 {
		tb.Fatalf("only %d rules loaded", len(allRules))
	}
	return allRules
}

// ruleShare returns pct% of the rules, spread evenly over the load order
// (which follows the directory tree, so every category keeps its share).
func ruleShare(rules []*rule.Rule, pct int) []*rule.Rule {
	if pct >= 100 {
		return rules
	}
	var out []*rule.Rule
	for i, r := range rules {
		// Bresenham-style: take rule i when the running share crosses an
		// integer.
		if (i+1)*pct/100 != i*pct/100 {
			out = append(out, r)
		}
	}
	return out
}

func compile(tb testing.TB, rules []*rule.Rule, opts ...engine.Option) *engine.Engine {
	tb.Helper()
	eng, _ := engine.Compile(rules, opts...)
	if len(eng.Rules()) < len(rules)-5 {
		tb.Fatalf("only %d of %d rules compiled", len(eng.Rules()), len(rules))
	}
	return eng
}

var (
	laneMu    sync.Mutex
	laneCache = map[string][][]byte{}
)

// lane returns laneEvents events of a lane (seed 1), generated once.
func lane(tb testing.TB, name string) [][]byte {
	tb.Helper()
	laneMu.Lock()
	defer laneMu.Unlock()
	if evs, ok := laneCache[name]; ok {
		return evs
	}
	evs, err := Lane(sharedtest.Dir(tb), name, laneEvents, 1)
	if err != nil {
		tb.Fatalf("lane %s: %v", name, err)
	}
	laneCache[name] = evs
	return evs
}

// typedEvent is an event an agent holds in memory: fields at fixed
// positions of its type's schema, read without JSON and without allocating
// (engine.IndexedEvent). It is laid out as an agent's decoded struct would
// be: a text per field, its kind, and its texts in one block of memory;
// the field names belong to the type, so the events with the same names
// share them and one schema. The rare list value is kept apart.
type typedEvent struct {
	schema *engine.Schema
	names  []string // sorted; the schema's names, shared
	kinds  []engine.Kind
	texts  []string
	lists  []typedList // by position
	block  []byte      // the memory of texts and lists
}

type typedList struct {
	at    int
	items []engine.Value
}

func (t *typedEvent) Schema() *engine.Schema { return t.schema }

func (t *typedEvent) FieldAt(i int) (engine.Value, bool) {
	if t.kinds[i] == engine.KindList {
		return t.list(i), true
	}
	return engine.Value{Kind: t.kinds[i], S: t.texts[i]}, true
}

func (t *typedEvent) list(i int) engine.Value {
	for _, l := range t.lists {
		if l.at == i {
			return engine.Value{Kind: engine.KindList, Items: l.items}
		}
	}
	panic("typedEvent: no list at a list's position")
}

// Field finds names exactly, without the case-insensitive step
// Schema.Index takes after that: the rules and the lanes' events agree on
// case, and TestLaneDifferential checks that typed events read either way
// give the brute-force answers.
func (t *typedEvent) Field(name string) (engine.Value, bool) {
	if i, ok := slices.BinarySearch(t.names, name); ok {
		return t.FieldAt(i)
	}
	return engine.Value{}, false
}

func (t *typedEvent) Range(fn func(string, engine.Value) bool) {
	for i, n := range t.names {
		v := engine.Value{Kind: t.kinds[i], S: t.texts[i]}
		if v.Kind == engine.KindList {
			v = t.list(i)
		}
		if !fn(n, v) {
			return
		}
	}
}

// AppendTexts hands keyword searches the texts at once (engine.TextEvent):
// a list's position holds no text, its items are added after.
func (t *typedEvent) AppendTexts(dst []string) []string {
	dst = append(dst, t.texts...)
	for _, l := range t.lists {
		dst = engine.AppendValueTexts(dst, engine.Value{Kind: engine.KindList, Items: l.items})
	}
	return dst
}

// decodeInto copies t into dst, whose texts are then in dst's own block:
// what an agent does when it fills its one event struct from a new record.
// The block is copied at once, as a record is. List items stay shared with
// t (they are rare).
func (t *typedEvent) decodeInto(dst *typedEvent) {
	dst.schema, dst.names, dst.lists = t.schema, t.names, t.lists
	dst.kinds = append(dst.kinds[:0], t.kinds...)
	dst.block = append(dst.block[:0], t.block...)
	dst.texts = dst.texts[:0]
	for _, s := range t.texts {
		if s == "" {
			dst.texts = append(dst.texts, "")
			continue
		}
		at := uintptr(unsafe.Pointer(unsafe.StringData(s))) - uintptr(unsafe.Pointer(unsafe.SliceData(t.block)))
		dst.texts = append(dst.texts, unsafe.String(&dst.block[at], len(s)))
	}
}

// namedEvent is a typed event read by name only (no schema): each field
// a binary search over the sorted names.
type namedEvent struct{ t *typedEvent }

func (n namedEvent) Field(name string) (engine.Value, bool)   { return n.t.Field(name) }
func (n namedEvent) Range(fn func(string, engine.Value) bool) { n.t.Range(fn) }

// TextBlock hands keyword searches the block that holds every text
// (engine.TextBlockEvent).
func (t *typedEvent) TextBlock() string {
	return unsafe.String(unsafe.SliceData(t.block), len(t.block))
}

// typed converts raw events to typed events, outside any timing.
func typed(tb testing.TB, raws [][]byte) []*typedEvent {
	tb.Helper()
	var r engine.RawJSON
	type layout struct {
		schema *engine.Schema
		names  []string
	}
	layouts := map[string]layout{}
	out := make([]*typedEvent, 0, len(raws))
	for _, raw := range raws {
		if err := r.Reset(raw); err != nil {
			tb.Fatal(err)
		}
		type kv struct {
			n string
			v engine.Value
		}
		var kvs []kv
		size := 0
		r.Range(func(n string, v engine.Value) bool {
			kvs = append(kvs, kv{n, v})
			size += textSize(v)
			return true
		})
		slices.SortStableFunc(kvs, func(a, b kv) int { return strings.Compare(a.n, b.n) })
		kvs = slices.CompactFunc(kvs, func(a, b kv) bool { return a.n == b.n })
		names := make([]string, len(kvs))
		for i, x := range kvs {
			names[i] = x.n
		}
		key := strings.Join(names, "\x00")
		l, ok := layouts[key]
		if !ok {
			for i, n := range names {
				names[i] = strings.Clone(n)
			}
			s, err := engine.NewSchema(names...)
			if err != nil {
				tb.Fatal(err)
			}
			l = layout{s, names}
			layouts[key] = l
		}
		t := &typedEvent{schema: l.schema, names: l.names, kinds: make([]engine.Kind, len(kvs)), texts: make([]string, len(kvs))}
		block := make([]byte, 0, size)
		for i, x := range kvs {
			t.kinds[i] = x.v.Kind
			if x.v.Kind == engine.KindList {
				var c engine.Value
				c, block = copyValue(block, x.v)
				t.lists = append(t.lists, typedList{i, c.Items})
				continue
			}
			t.texts[i], block = copyText(block, x.v.S)
		}
		t.block = block
		out = append(out, t)
	}
	return out
}

func textSize(v engine.Value) int {
	n := len(v.S)
	for _, it := range v.Items {
		n += textSize(it)
	}
	return n
}

// copyText appends s to block, which has room for it, and returns the copy.
func copyText(block []byte, s string) (string, []byte) {
	if s == "" {
		return "", block
	}
	start := len(block)
	block = append(block, s...)
	return unsafe.String(unsafe.SliceData(block[start:]), len(s)), block
}

func copyValue(block []byte, v engine.Value) (engine.Value, []byte) {
	out := engine.Value{Kind: v.Kind}
	out.S, block = copyText(block, v.S)
	for _, it := range v.Items {
		var c engine.Value
		c, block = copyValue(block, it)
		out.Items = append(out.Items, c)
	}
	return out, block
}

// candidatesPerEvent is the mean number of rules the index leaves to
// evaluate per event.
func candidatesPerEvent(tb testing.TB, eng *engine.Engine, raws [][]byte) float64 {
	var r engine.RawJSON
	n, total := 0, 0
	for _, raw := range raws[:min(len(raws), 10_000)] {
		if r.Reset(raw) != nil {
			continue
		}
		total += eng.Candidates(&r)
		n++
	}
	return float64(total) / float64(n)
}

var shares = []int{10, 50, 100}

// eachShare runs fn as the sub-benchmark LANE/rules=P%SUFFIX for each share
// P of the rules, with an engine of that share.
func eachShare(b *testing.B, all []*rule.Rule, lane, suffix string, fn func(*testing.B, *engine.Engine)) {
	for _, pct := range shares {
		eng := compile(b, ruleShare(all, pct))
		b.Run(fmt.Sprintf("%s/rules=%d%%%s", lane, pct, suffix), func(b *testing.B) { fn(b, eng) })
	}
}

// BenchmarkScan is the end-to-end cost on one core: raw JSON lines in,
// detections out (engine.RawJSON reads each line, Match evaluates it), for
// each lane and share of the rules. The brute-force sub-benchmark (no
// index: every routed rule evaluated) runs on all rules for the ratio.
func BenchmarkScan(b *testing.B) {
	all := windowsRules(b)
	for _, name := range LaneNames() {
		raws := lane(b, name)
		eachShare(b, all, name, "/indexed", func(b *testing.B, eng *engine.Engine) {
			scanLoop(b, eng, raws)
		})
		b.Run(name+"/rules=100%/no-index", func(b *testing.B) {
			scanLoop(b, compile(b, all, engine.WithoutIndex()), raws)
		})
	}
}

func scanLoop(b *testing.B, eng *engine.Engine, raws [][]byte) {
	cands := candidatesPerEvent(b, eng, raws)
	var r engine.RawJSON
	matches, events := 0, 0
	b.ReportAllocs()
	for b.Loop() {
		raw := raws[events%len(raws)]
		events++
		if r.Reset(raw) != nil {
			continue
		}
		matches += len(eng.Match(&r))
	}
	if events >= len(raws) && matches == 0 {
		b.Fatal("no event matched: the benchmark measures nothing")
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(cands, "candidates/op")
	b.ReportMetric(float64(matches)/float64(events), "matches/op")
}

// BenchmarkPreRead is Match alone, on events already in memory as typed
// fields (the agent embedding): no JSON at all. The events are
// engine.IndexedEvents; the by-name sub-benchmark runs the same events
// read by name (Field: a binary search per field) for comparison.
func BenchmarkPreRead(b *testing.B) {
	all := windowsRules(b)
	for _, name := range LaneNames() {
		evs := typed(b, lane(b, name))
		eachShare(b, all, name, "", func(b *testing.B, eng *engine.Engine) {
			preReadLoop(b, eng, evs, func(t *typedEvent) engine.Event { return t })
		})
		b.Run(name+"/rules=100%/by-name", func(b *testing.B) {
			preReadLoop(b, compile(b, all), evs, func(t *typedEvent) engine.Event { return namedEvent{t} })
		})
	}
}

func preReadLoop(b *testing.B, eng *engine.Engine, evs []*typedEvent, as func(*typedEvent) engine.Event) {
	wrapped := make([]engine.Event, len(evs))
	for i, t := range evs {
		wrapped[i] = as(t)
	}
	matches, events := 0, 0
	b.ReportAllocs()
	for b.Loop() {
		matches += len(eng.Match(wrapped[events%len(wrapped)]))
		events++
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(matches)/float64(events), "matches/op")
}

// BenchmarkAgent is Match on events an agent has just decoded, so in
// cache: batches of agentBatch events are copied, texts and all, into
// reused typedEvents with the timer stopped (as an agent fills its event
// struct from the kernel's record), then matched with the timer running.
// BenchmarkPreRead matches the stored events in place, cold (the lanes are
// far larger than the caches): the two bracket an agent. The engine's own
// memos and tables are as warm as the stream leaves them in both.
func BenchmarkAgent(b *testing.B) {
	all := windowsRules(b)
	for _, name := range LaneNames() {
		evs := typed(b, lane(b, name))
		eachShare(b, all, name, "", func(b *testing.B, eng *engine.Engine) {
			agentLoop(b, eng, evs)
		})
	}
}

// agentLoop matches evs in turn, agentBatch at a time, each batch copied
// into reused structs with the timer stopped.
func agentLoop(b *testing.B, eng *engine.Engine, evs []*typedEvent) {
	var batch [agentBatch]typedEvent
	matches, next := 0, 0
	b.ReportAllocs()
	b.ResetTimer()
	for done := 0; done < b.N; {
		b.StopTimer()
		n := min(agentBatch, b.N-done)
		for i := range n {
			evs[next%len(evs)].decodeInto(&batch[i])
			next++
		}
		b.StartTimer()
		for i := range n {
			matches += len(eng.Match(&batch[i]))
		}
		done += n
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(matches)/float64(b.N), "matches/op")
}

// agentBatch is how many events BenchmarkAgent decodes before matching
// them: about 32 KB of events, a level-one data cache, so that stopping
// the timer (which reads the runtime's memory statistics) costs little
// per event and the events are still in cache when matched.
const agentBatch = 16

// BenchmarkTouch reads one byte of every 64 of each typed event's texts,
// in the order BenchmarkPreRead matches the events, and nothing else: the
// floor that bringing a cold event's memory in puts under any pre-read
// figure (the lanes are too large to stay in cache).
func BenchmarkTouch(b *testing.B) {
	for _, name := range LaneNames() {
		evs := typed(b, lane(b, name))
		b.Run(name, func(b *testing.B) {
			var texts []string
			sum, events := 0, 0
			for b.Loop() {
				texts = evs[events%len(evs)].AppendTexts(texts[:0])
				for _, s := range texts {
					for i := 0; i < len(s); i += 64 {
						sum += int(s[i])
					}
				}
				events++
			}
			touched = sum
			b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// touched keeps BenchmarkTouch's reads from being optimized away.
var touched int

// BenchmarkWorkers runs Match from 1 and 2 goroutines on one engine (all
// rules, the mixed Sysmon lane, pre-read events) and reports the total
// events/s.
func BenchmarkWorkers(b *testing.B) {
	eng := compile(b, windowsRules(b))
	evs := typed(b, lane(b, LaneSysmonMixed))
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			n := b.N
			var wg sync.WaitGroup
			b.ResetTimer()
			start := time.Now()
			for w := range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := w; i < n; i += workers {
						eng.Match(evs[i%len(evs)])
					}
				}()
			}
			wg.Wait()
			b.ReportMetric(float64(n)/time.Since(start).Seconds(), "events/s")
		})
	}
}

// BenchmarkLoad is parse + compile + index of all the rules: what an agent
// or server pays at start.
func BenchmarkLoad(b *testing.B) {
	dirs := ruleDirs(b)
	for b.Loop() {
		set, _ := load.Paths(dirs...)
		eng, _ := engine.Compile(set.Rules)
		if len(eng.Rules()) < 3000 {
			b.Fatalf("only %d rules compiled", len(eng.Rules()))
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "load-s")
}
