// Command agentmem measures tanchi embedded the way an endpoint agent
// embeds it: rules compiled once, events handed over as typed fields (no
// JSON on the matching path), one goroutine. It reports the resident
// memory after loading and after matching, and the allocations per event.
//
//	go run ./bench/agentmem -r ../shared/sigma/rules/windows -r ... EVENTS.jsonl
//
// The events file only feeds the simulation: each line is read into a
// reused typed event (the agent's own struct) before Match sees it. Events
// with the same field names share one engine.Schema, as an agent's events
// of one type do, and the engine reads them by position
// (engine.IndexedEvent).
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/tanchi-dev/tanchi/engine"
	"github.com/tanchi-dev/tanchi/rule/load"
)

// typedEvent is an agent's event: fields at the positions of its type's
// schema, in a reused slice, read without allocating.
type typedEvent struct {
	schema *engine.Schema
	names  []string
	vals   []engine.Value
}

func (t *typedEvent) Schema() *engine.Schema { return t.schema }

func (t *typedEvent) FieldAt(i int) (engine.Value, bool) { return t.vals[i], true }

// Field reads by name the way the engine reads by position, as
// IndexedEvent requires.
func (t *typedEvent) Field(name string) (engine.Value, bool) {
	i, ok := t.schema.Index(name)
	if !ok {
		return engine.Value{}, false
	}
	return t.vals[i], true
}

func (t *typedEvent) Range(fn func(string, engine.Value) bool) {
	for i, n := range t.names {
		if !fn(n, t.vals[i]) {
			return
		}
	}
}

// AppendTexts hands the engine's keyword search every text at once
// (engine.TextEvent).
func (t *typedEvent) AppendTexts(dst []string) []string {
	for _, v := range t.vals {
		dst = engine.AppendValueTexts(dst, v)
	}
	return dst
}

type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(s string) error { *m = append(*m, s); return nil }

func main() {
	var dirs multi
	flag.Var(&dirs, "r", "rule file or directory (repeatable)")
	flag.Parse()
	if len(dirs) == 0 || flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: agentmem -r RULES... EVENTS.jsonl")
		os.Exit(2)
	}
	start := time.Now()
	set, _ := load.Paths(dirs...)
	eng, _ := engine.Compile(set.Rules)
	set = nil
	loadTime := time.Since(start)
	runtime.GC()
	debug.FreeOSMemory()
	rssLoaded := status("VmRSS")
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	heapLoaded := ms.HeapInuse

	// Events stream from the file, one reused line buffer, as an agent's
	// would from its sensor.
	each := func(fn func(i int, line []byte)) {
		f, err := os.Open(flag.Arg(0))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 64<<10), 16<<20)
		for i := 0; sc.Scan(); i++ {
			fn(i, sc.Bytes())
		}
	}

	var raw engine.RawJSON
	ev := &typedEvent{}
	schemas := map[string]*engine.Schema{} // by the names, joined
	fill := func(line []byte) bool {
		if raw.Reset(line) != nil {
			return false
		}
		ev.names, ev.vals = ev.names[:0], ev.vals[:0]
		raw.Range(ev.add)
		key := strings.Join(ev.names, "\x00")
		s, ok := schemas[key]
		if !ok {
			// The names point into the reader's buffers: the schema
			// keeps copies.
			names := make([]string, len(ev.names))
			for i, n := range ev.names {
				names[i] = strings.Clone(n)
			}
			var err error
			if s, err = engine.NewSchema(names...); err != nil {
				fmt.Fprintln(os.Stderr, "schema:", err)
				os.Exit(1)
			}
			schemas[key] = s
		}
		ev.schema = s
		return true
	}
	// Pass 1: match everything, and note the events without a detection.
	events, matches := 0, 0
	var quiet []bool
	each(func(i int, l []byte) {
		quiet = append(quiet, false)
		if !fill(l) {
			return
		}
		n := len(eng.Match(ev))
		events++
		matches += n
		quiet[i] = n == 0
	})
	// An agent has no JSON reader: drop this one's buffers before
	// measuring what stays.
	raw = engine.RawJSON{}
	runtime.GC()
	debug.FreeOSMemory()
	rssMatched := status("VmRSS")

	// Allocations in Match alone, in steady state (the first pass warmed
	// every pool and route): typed copies of up to 2,000 events without a
	// detection, made after the RSS figure, matched once to warm up and
	// then five times over.
	var typed []*typedEvent
	each(func(i int, l []byte) {
		if len(typed) < 2000 && quiet[i] && fill(l) {
			typed = append(typed, ev.clone())
		}
	})
	// Collect the garbage of making the copies first, so that no
	// collection (which empties the engine's pool of contexts) falls in the
	// measurement; then warm the buffers of the keyword path over values,
	// which typed events take.
	runtime.GC()
	for _, t := range typed {
		eng.Match(t)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range 5 {
		for _, t := range typed {
			eng.Match(t)
		}
	}
	runtime.ReadMemStats(&after)
	quietN := 5 * len(typed)
	fmt.Printf("rules %d, load %.2fs, events %d, detections %d\n", len(eng.Rules()), loadTime.Seconds(), events, matches)
	fmt.Printf("RSS after load %s (Go heap in use %.1f MB), after matching %s (peak %s)\n", rssLoaded, float64(heapLoaded)/(1<<20), rssMatched, status("VmHWM"))
	fmt.Printf("allocations per Match of an event without a detection: %.4f (%d calls)\n",
		float64(after.Mallocs-before.Mallocs)/float64(max(quietN, 1)), quietN)
	runtime.KeepAlive(eng)
}

// clone copies the event, strings included (they point into the reader's
// buffers).
func (t *typedEvent) clone() *typedEvent {
	c := &typedEvent{schema: t.schema}
	for i, n := range t.names {
		c.names = append(c.names, strings.Clone(n))
		c.vals = append(c.vals, cloneValue(t.vals[i]))
	}
	return c
}

func cloneValue(v engine.Value) engine.Value {
	c := engine.Value{Kind: v.Kind, S: strings.Clone(v.S)}
	for _, it := range v.Items {
		c.Items = append(c.Items, cloneValue(it))
	}
	return c
}

func (t *typedEvent) add(name string, v engine.Value) bool {
	t.names = append(t.names, name)
	t.vals = append(t.vals, v)
	return true
}

// status reads one line of /proc/self/status ("VmRSS: 52340 kB").
func status(key string) string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "?"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, key+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "?"
}
