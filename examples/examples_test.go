// Package examples holds tanchi's runnable example: rules written for this
// project and a morning of one Windows workstation's telemetry (see
// README.md). The test asserts the detections the README promises.
package examples

import (
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tanchi-dev/tanchi/corpus"
	"github.com/tanchi-dev/tanchi/engine"
	"github.com/tanchi-dev/tanchi/rule"
	"github.com/tanchi-dev/tanchi/rule/load"
)

// want is the README's table of expected detections: line in
// host-story.jsonl -> rule id. No other line/rule pair may match.
var want = []string{
	"29 25e8b061-62f1-4314-8c77-e454f1d2eb62", // Word spawns cmd
	"30 05a2e9a8-f643-40a3-a6c9-2d7d43f0d4f7", // powershell /enc
	"31 752f911d-7b69-4f4f-bf5b-5fbc6e5b0aac", // certutil download
	"34 136c3bb2-16ce-434d-b429-5d51a03c28a3", // rundll32 from Temp
	"38 37d97502-7f09-4a99-99d5-61a3b38b2c7b", // schtasks /create from Temp
	"43 05a2e9a8-f643-40a3-a6c9-2d7d43f0d4f7", // base64 download cradle
	"44 abbec105-2379-43c7-94cf-7042d814d14c", // powershell to a public IP
	"45 341d35c6-ccbd-4864-be5e-dd39e1e04f4e", // lsass read access
	"47 06a70310-0edd-4832-86f8-061f5c35a639", // Security log cleared
}

// detections loads the Sigma example rules and returns what they detect in
// file, as "line rule-id", sorted.
func detections(t *testing.T, file string, opts ...engine.Option) []string {
	t.Helper()
	set, err := load.Paths("rules")
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Rules) != 8 {
		t.Fatalf("loaded %d example rules, want 8", len(set.Rules))
	}
	return detectionsOf(t, set, file, opts...)
}

// detectionsOf compiles a rule set (with its exclusions) and returns what it
// detects in file, as "line rule-id", sorted.
func detectionsOf(t *testing.T, set *rule.Set, file string, opts ...engine.Option) []string {
	t.Helper()
	opts = append(opts, engine.WithExclusions(set.Exclusions))
	eng, err := engine.Compile(set.Rules, opts...)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	err = corpus.Walk([]string{file}, func(r corpus.Record) error {
		ev, err := engine.ParseJSON(r.Raw)
		if err != nil {
			return fmt.Errorf("%s:%d: %v", r.File, r.Line, err)
		}
		for _, m := range eng.Match(ev) {
			got = append(got, fmt.Sprintf("%d %s", r.Line, m.Rule.ID))
		}
		return nil
	}, func(err error) { t.Error(err) })
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	return got
}

func TestHostStory(t *testing.T) {
	for _, mode := range []struct {
		name string
		opts []engine.Option
	}{{"indexed", nil}, {"brute-force", []engine.Option{engine.WithoutIndex()}}} {
		t.Run(mode.name, func(t *testing.T) {
			got := detections(t, "events/host-story.jsonl", mode.opts...)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("detections differ from README (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBenignDay(t *testing.T) {
	if got := detections(t, "events/benign.jsonl"); len(got) != 0 {
		t.Errorf("benign events raised detections: %v", got)
	}
}
