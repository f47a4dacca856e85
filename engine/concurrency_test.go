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
		answer := func(ev engine.Event) string {
			var b strings.Builder
			for _, m := range eng.Match(ev) {
				fmt.Fprintf(&b, "%s %v;", m.Rule.ID, m.Fields)
			}
			return b.String()
		}
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
