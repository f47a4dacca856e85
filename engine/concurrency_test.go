package engine_test

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/tanchi-dev/tanchi/engine"
	"github.com/tanchi-dev/tanchi/rule/load"
)

// Match is documented as safe for concurrent use: goroutines matching the
// same events on one engine see the same answers as a sequential run (run
// with -race to check for data races too).
func TestMatchConcurrent(t *testing.T) {
	set, err := load.Paths("../examples/rules")
	if err != nil {
		t.Fatal(err)
	}
	for _, opts := range [][]engine.Option{nil, {engine.WithoutIndex()}} {
		eng, err := engine.Compile(set.Rules, opts...)
		if err != nil {
			t.Fatal(err)
		}
		src, err := os.ReadFile("../examples/events/host-story.jsonl")
		if err != nil {
			t.Fatal(err)
		}
		var events []*engine.JSONEvent
		for _, line := range strings.Split(strings.TrimSpace(string(src)), "\n") {
			ev, err := engine.ParseJSON([]byte(line))
			if err != nil {
				t.Fatal(err)
			}
			events = append(events, ev)
		}
		answer := func(ev engine.Event) string { return matchAnswer(eng, ev) }
		want := make([]string, len(events))
		for i, ev := range events {
			want[i] = answer(ev)
		}
		var wg sync.WaitGroup
		for g := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for round := range 20 {
					for i := range events {
						j := (i + g + round) % len(events)
						if got := answer(events[j]); got != want[j] {
							t.Errorf("goroutine %d: event %d: %q, want %q", g, j, got, want[j])
							return
						}
					}
				}
			}()
		}
		wg.Wait()
	}
}

// TestMatchConcurrentRawJSON: goroutines matching RawJSON events, each
// with its own reader (events read by their shape from the second round
// on, and their fields by their place in the shape), and all of them
// matching one shared reader's event at once (Field and Range may be
// called concurrently), see what a sequential run sees.
func TestMatchConcurrentRawJSON(t *testing.T) {
	set, err := load.Paths("../examples/rules")
	if err != nil {
		t.Fatal(err)
	}
	eng, err := engine.Compile(set.Rules)
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("../examples/events/host-story.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(src)), "\n")
	answer := func(ev engine.Event) string { return matchAnswer(eng, ev) }
	want := make([]string, len(lines))
	matched := 0
	for i, line := range lines {
		ev, err := engine.ParseJSON([]byte(line))
		if err != nil {
			t.Fatal(err)
		}
		if want[i] = answer(ev); want[i] != "" {
			matched++
		}
	}
	if matched == 0 {
		t.Fatal("no example event matched: the test compares nothing")
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			var r engine.RawJSON
			for round := range 20 {
				for i := range lines {
					j := (i + g + round) % len(lines)
					if err := r.Reset([]byte(lines[j])); err != nil {
						t.Error(err)
						return
					}
					if got := answer(&r); got != want[j] {
						t.Errorf("goroutine %d, round %d: event %d: %q, want %q", g, round, j, got, want[j])
						return
					}
				}
			}
		})
	}
	wg.Wait()
	var shared engine.RawJSON
	for round := range 3 {
		for j, line := range lines {
			if err := shared.Reset([]byte(line)); err != nil {
				t.Fatal(err)
			}
			for g := range 4 {
				wg.Go(func() {
					if got := answer(&shared); got != want[j] {
						t.Errorf("round %d, goroutine %d: shared event %d: %q, want %q", round, g, j, got, want[j])
					}
				})
			}
			wg.Wait()
		}
	}
}

// matchAnswer is what eng matches in ev: each rule's ID with the fields
// that made it fire.
func matchAnswer(eng *engine.Engine, ev engine.Event) string {
	var b strings.Builder
	for _, m := range eng.Match(ev) {
		fmt.Fprintf(&b, "%s %v;", m.Rule.ID, m.Fields)
	}
	return b.String()
}
