package bench

import (
	"slices"
	"testing"

	"github.com/tanchi-dev/tanchi/engine"
)

// TestLaneDifferential runs the first events of every lane through the
// indexed engine (events read by RawJSON, as tanchi scan reads them) and
// the brute-force engine (events read by ParseJSON), with all the rules,
// and requires the same detections, suppressed or not, in the same order;
// and the same from the indexed engine on the typed events of the pre-read
// benchmarks, read by position and by name, and on their copies in one
// reused struct, as BenchmarkAgent matches them.
func TestLaneDifferential(t *testing.T) {
	n := 2000
	if testing.Short() {
		n = 200
	}
	all := windowsRules(t)
	indexed, brute := compile(t, all), compile(t, all, engine.WithoutIndex())
	var raw engine.RawJSON
	var decoded typedEvent
	for _, name := range LaneNames() {
		matched := 0
		typedEvs := typed(t, lane(t, name)[:n])
		for i, line := range lane(t, name)[:n] {
			ev, err := engine.ParseJSON(line)
			if err != nil {
				t.Fatalf("%s event %d: %v", name, i, err)
			}
			if err := raw.Reset(line); err != nil {
				t.Fatalf("%s event %d: RawJSON: %v", name, i, err)
			}
			got, want := ids(indexed.MatchAll(&raw)), ids(brute.MatchAll(ev))
			if !slices.Equal(got, want) {
				t.Errorf("%s event %d: indexed %q, brute force %q\n%s", name, i, got, want, line)
			}
			// The same event as the pre-read benchmarks hand it over:
			// typed, read by position and by name.
			te := typedEvs[i]
			if got := ids(indexed.MatchAll(te)); !slices.Equal(got, want) {
				t.Errorf("%s event %d: indexed on the typed event %q, brute force %q\n%s", name, i, got, want, line)
			}
			if got := ids(indexed.MatchAll(namedEvent{te})); !slices.Equal(got, want) {
				t.Errorf("%s event %d: indexed on the typed event by name %q, brute force %q\n%s", name, i, got, want, line)
			}
			te.decodeInto(&decoded)
			if got := ids(indexed.MatchAll(&decoded)); !slices.Equal(got, want) {
				t.Errorf("%s event %d: indexed on the decoded copy %q, brute force %q\n%s", name, i, got, want, line)
			}
			if len(want) > 0 {
				matched++
			}
		}
		t.Logf("%s: %d events, %d with detections", name, n, matched)
		if matched == 0 {
			t.Errorf("%s: no event matched: the comparison proves nothing", name)
		}
	}
}

func ids(ms []engine.Match) []string {
	var out []string
	for _, m := range ms {
		s := m.Rule.ID
		if m.SuppressedBy != nil {
			s += " suppressed"
		}
		out = append(out, s)
	}
	return out
}
