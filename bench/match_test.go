package bench

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/tanchi-dev/tanchi/corpus"
	"github.com/tanchi-dev/tanchi/engine"
	"github.com/tanchi-dev/tanchi/internal/sharedtest"
	"github.com/tanchi-dev/tanchi/rule/load"
)

// loadWindowsRules compiles SigmaHQ's Windows, emerging-threat and
// threat-hunting rules.
func loadWindowsRules(b *testing.B, opts ...engine.Option) (*engine.Engine, time.Duration) {
	b.Helper()
	dir := sharedtest.Path(b, "sigma")
	start := time.Now()
	set, _ := load.Paths(filepath.Join(dir, "rules", "windows"), filepath.Join(dir, "rules-emerging-threats"), filepath.Join(dir, "rules-threat-hunting"))
	eng, _ := engine.Compile(set.Rules, opts...)
	if len(eng.Rules()) < 3000 {
		b.Fatalf("only %d rules compiled", len(eng.Rules()))
	}
	return eng, time.Since(start)
}

// attackEvents reads the evtx-attack-samples corpus (8,000 events of
// attacks and their background noise) into memory.
func attackEvents(b *testing.B) [][]byte {
	b.Helper()
	var raws [][]byte
	err := corpus.Walk([]string{sharedtest.Path(b, "corpora", "evtx-attack-samples", "events")}, func(r corpus.Record) error {
		raws = append(raws, append([]byte(nil), r.Raw...))
		return nil
	}, func(error) {})
	if err != nil || len(raws) < 1000 {
		b.Fatalf("read %d events: %v", len(raws), err)
	}
	return raws
}

// BenchmarkMatch is the end-to-end cost per event: JSON parse, routing and
// rule evaluation, on one core. It reports events/s and load time.
func BenchmarkMatch(b *testing.B) {
	raws := attackEvents(b)
	for _, mode := range []struct {
		name string
		opts []engine.Option
	}{{"indexed", nil}, {"brute-force", []engine.Option{engine.WithoutIndex()}}} {
		b.Run(mode.name, func(b *testing.B) {
			eng, load := loadWindowsRules(b, mode.opts...)
			b.ReportAllocs()
			matches, events := 0, 0
			for b.Loop() {
				raw := raws[events%len(raws)]
				events++
				ev, err := engine.ParseJSON(raw)
				if err != nil {
					continue
				}
				matches += len(eng.Match(ev))
			}
			if events > len(raws) && matches == 0 {
				b.Fatal("no event matched: the benchmark measures nothing")
			}
			b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
			b.ReportMetric(load.Seconds(), "load-s")
		})
	}
}
