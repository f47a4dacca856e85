package examples

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tanchi-dev/tanchi/dsl"
	"github.com/tanchi-dev/tanchi/engine"
	"github.com/tanchi-dev/tanchi/rule"
	"github.com/tanchi-dev/tanchi/rule/load"
)

// The example rules written in tanchi's rule language (rules-dsl) must
// raise exactly the detections of the Sigma originals (rules).

const lsassRule = "341d35c6-ccbd-4864-be5e-dd39e1e04f4e"

// today is a fixed day before the example exclusion expires.
func today() time.Time { return time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC) }

func loadDSL(t *testing.T) *rule.Set {
	t.Helper()
	set, err := load.Paths("rules-dsl")
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Rules) != 8 || len(set.Exclusions) != 1 {
		t.Fatalf("loaded %d rules and %d exclusions from rules-dsl, want 8 and 1", len(set.Rules), len(set.Exclusions))
	}
	return set
}

func dslDetections(t *testing.T, file string, opts ...engine.Option) []string {
	t.Helper()
	return detectionsOf(t, loadDSL(t), file, append(opts, engine.WithClock(today))...)
}

func TestDSLRulesMatchSigmaRules(t *testing.T) {
	for _, file := range []string{"events/host-story.jsonl", "events/benign.jsonl"} {
		for _, mode := range []struct {
			name string
			opts []engine.Option
		}{{"indexed", nil}, {"brute-force", []engine.Option{engine.WithoutIndex()}}} {
			t.Run(filepath.Base(file)+"/"+mode.name, func(t *testing.T) {
				sigmaGot := detections(t, file, mode.opts...)
				dslGot := dslDetections(t, file, mode.opts...)
				if d := cmp.Diff(sigmaGot, dslGot); d != "" {
					t.Errorf("DSL rules differ from the Sigma rules (-sigma +dsl):\n%s", d)
				}
				if file == "events/host-story.jsonl" {
					if d := cmp.Diff(want, dslGot); d != "" {
						t.Errorf("detections differ from README (-want +got):\n%s", d)
					}
				}
			})
		}
	}
}

// TestDSLExclusion shows the exclude block at work: the LSASS read of the
// story, done by the inventory agent instead, is suppressed (and reported
// as such by MatchAll) while the exclusion has not expired.
func TestDSLExclusion(t *testing.T) {
	set := loadDSL(t)
	story, err := os.ReadFile("events/host-story.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	line := bytes.Split(story, []byte("\n"))[44] // line 45: the LSASS read
	agent := bytes.Replace(line, []byte(`C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe`),
		[]byte(`C:\\Program Files\\CorpIT\\InvAgent\\invagent.exe`), 1)
	if bytes.Equal(agent, line) {
		t.Fatal("line 45 of the story no longer has the SourceImage this test replaces")
	}
	ev, err := engine.ParseJSON(agent)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name       string
		day        time.Time
		suppressed bool
	}{
		{"before expiry", today(), true},
		{"after expiry", time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			eng, err := engine.Compile(set.Rules, engine.WithExclusions(set.Exclusions), engine.WithClock(func() time.Time { return tc.day }))
			if err != nil {
				t.Fatal(err)
			}
			all := eng.MatchAll(ev)
			if len(all) != 1 || all[0].Rule.ID != lsassRule {
				t.Fatalf("MatchAll = %v, want the LSASS rule", all)
			}
			suppressed := all[0].SuppressedBy != nil
			if suppressed != tc.suppressed {
				t.Errorf("suppressed = %v, want %v", suppressed, tc.suppressed)
			}
			if n := len(eng.Match(ev)); n != map[bool]int{true: 0, false: 1}[tc.suppressed] {
				t.Errorf("Match returned %d detections", n)
			}
		})
	}
}

// TestDSLRulesFormatted keeps the example files in the canonical layout
// (tanchi fmt -w examples/rules-dsl/*.tdl).
func TestDSLRulesFormatted(t *testing.T) {
	files, _ := filepath.Glob("rules-dsl/*.tdl")
	if len(files) < 10 {
		t.Fatalf("found %d .tdl files", len(files))
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out, err := dsl.Format(f, src)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(string(src), string(out)); d != "" {
			t.Errorf("%s is not formatted (-file +formatted):\n%s", f, d)
		}
	}
}
