package learn_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/tanchi-dev/tanchi/corpus"
	"github.com/tanchi-dev/tanchi/dsl"
	"github.com/tanchi-dev/tanchi/engine"
	"github.com/tanchi-dev/tanchi/learn"
	"github.com/tanchi-dev/tanchi/rule"
	"github.com/tanchi-dev/tanchi/rule/load"
	"github.com/tanchi-dev/tanchi/rule/sigma"
)

// The tests learn from small simulated fleets (corpus.Simulate) with the
// project's example rules, which the fleet's management software sets off
// as it would in a real first week: encoded PowerShell from the RMM agent,
// an Excel add-in calling a batch file, bitsadmin downloads, a scheduled
// task created from a temporary folder, PowerShell talking to the RMM
// cloud. The tests that need ../shared add SigmaHQ rules.

var (
	fleetOnce sync.Once
	fleetDir  string
	fleetErr  error
)

// builtinFleet is a 5-host, 3-day fleet of built-in behaviour only, made
// once per test binary.
func builtinFleet(t *testing.T) string {
	t.Helper()
	fleetOnce.Do(func() {
		dir, err := os.MkdirTemp("", "tanchi-learn-fleet-")
		if err != nil {
			fleetErr = err
			return
		}
		fleetDir = dir
		_, fleetErr = corpus.Simulate(corpus.SimConfig{Hosts: 5, Days: 3, Seed: 1}, dir)
	})
	if fleetErr != nil {
		t.Fatal(fleetErr)
	}
	return filepath.Join(fleetDir, corpus.SimEventsDir)
}

func TestMain(m *testing.M) {
	code := m.Run()
	if fleetDir != "" {
		os.RemoveAll(fleetDir)
	}
	os.Exit(code)
}

func exampleRules(t *testing.T) *rule.Set {
	t.Helper()
	set, err := load.Paths("../examples/rules")
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func learnFleet(t *testing.T, rules []*rule.Rule, baseline, protect []string, opts ...learn.Option) *learn.Result {
	t.Helper()
	l, err := learn.New(rules, opts...)
	if err != nil {
		t.Fatal(err)
	}
	res, err := l.Run(context.Background(), baseline, protect)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

var reasonRe = regexp.MustCompile(`^learned: (\d+) events?, (\d+) hosts?, (\d+) of (\d+) days$`)

// checkProposals asserts what every proposal must be.
func checkProposals(t *testing.T, res *learn.Result) {
	t.Helper()
	if len(res.Proposals) == 0 {
		t.Fatal("no proposals")
	}
	freeText := map[string]bool{"CommandLine": true, "ParentCommandLine": true, "ScriptBlockText": true, "TargetFilename": true, "TargetObject": true, "Details": true, "QueryName": true}
	ids := map[string]bool{}
	for _, p := range res.Proposals {
		if ids[p.ID] {
			t.Errorf("%s: duplicate id", p.ID)
		}
		ids[p.ID] = true
		if len(p.Conditions) < 2 {
			t.Errorf("%s (%s): %d fields, want at least 2", p.ID, p.Title, len(p.Conditions))
		}
		structured := false
		for _, c := range p.Conditions {
			if strings.Trim(c.Value, "*") == "" {
				t.Errorf("%s: %s is a bare wildcard %q", p.ID, c.Field, c.Value)
			}
			if !freeText[c.Field] {
				structured = true
			}
		}
		if !structured {
			t.Errorf("%s: only free-text fields %v", p.ID, p.Conditions)
		}
		if p.Evidence.Events < 2 {
			t.Errorf("%s: %d supporting events, want at least 2", p.ID, p.Evidence.Events)
		}
		m := reasonRe.FindStringSubmatch(p.Reason)
		if m == nil {
			t.Errorf("%s: reason %q is not a learned: line", p.ID, p.Reason)
		} else if m[1] != fmt.Sprint(p.Evidence.Events) || m[2] != fmt.Sprint(p.Evidence.Hosts) || m[3] != fmt.Sprint(p.Evidence.Days) {
			t.Errorf("%s: reason %q disagrees with the evidence %+v", p.ID, p.Reason, p.Evidence)
		}
		if p.Evidence.Days < 2 && p.Evidence.Hosts < 2 {
			t.Errorf("%s: seen on %d days and %d hosts; the fleet allows 2 of either", p.ID, p.Evidence.Days, p.Evidence.Hosts)
		}
		if len(p.Evidence.Sample) == 0 || p.Evidence.FirstSeen == "" || p.Evidence.LastSeen < p.Evidence.FirstSeen {
			t.Errorf("%s: incomplete evidence %+v", p.ID, p.Evidence)
		}
	}
}

// TestLearnProperties learns from the built-in fleet with a held-out day and
// checks the proposals, the reasons, the not-learned list, and that the
// written Sigma filters do in the engine what the result says.
func TestLearnProperties(t *testing.T) {
	t.Parallel()
	events := builtinFleet(t)
	set := exampleRules(t)
	res := learnFleet(t, set.Rules, []string{events}, nil, learn.WithHoldoutDays(1))
	checkProposals(t, res)
	if res.Validation == nil || len(res.Validation.Days) != 1 {
		t.Fatalf("validation = %+v, want one held-out day", res.Validation)
	}
	if res.Validation.Alerts == 0 || res.Validation.Rate < 0.9 {
		t.Errorf("held-out day: %d of %d alerts suppressed; want at least 90%%", res.Validation.Suppressed, res.Validation.Alerts)
	}
	for _, n := range res.NotLearned {
		if n.Reason == "" || n.Code == "" {
			t.Errorf("not learned without a reason: %+v", n)
		}
		if n.Code == learn.CodeOneOff && n.Events != 1 {
			t.Errorf("one-off with %d events", n.Events)
		}
	}
	// Round trip: the Sigma and DSL outputs read back and applied by the
	// engine suppress what the result says, day by day.
	for _, out := range []struct {
		name  string
		write func(io.Writer, *learn.Result) error
		parse func(string, []byte) (*rule.Set, error)
	}{
		{"learned.yml", learn.WriteSigma, sigma.Parse},
		{"learned.tdl", learn.WriteDSL, dsl.Parse},
	} {
		var buf bytes.Buffer
		if err := out.write(&buf, res); err != nil {
			t.Fatal(err)
		}
		if out.name == "learned.tdl" {
			if f, err := dsl.Format(out.name, buf.Bytes()); err != nil || !bytes.Equal(f, buf.Bytes()) {
				t.Errorf("the DSL output is not in the canonical layout (%v):\n%s", err, f)
			}
		}
		xs, err := out.parse(out.name, buf.Bytes())
		if err != nil {
			t.Fatalf("%s does not parse: %v\n%s", out.name, err, buf.String())
		}
		if len(xs.Exclusions) != len(res.Proposals) || len(xs.Rules) != 0 {
			t.Fatalf("%s: read back %d exclusions and %d rules, want %d exclusions", out.name, len(xs.Exclusions), len(xs.Rules), len(res.Proposals))
		}
		for i, x := range xs.Exclusions {
			if p := res.Proposals[i]; x.ID != p.ID || x.Reason != p.Reason || len(x.Rules) != len(p.Rules) {
				t.Errorf("%s: exclusion %d reads back as %s %q %v", out.name, i, x.ID, x.Reason, x.Rules)
			}
		}
		perDay := alertsByDay(t, set.Rules, xs.Exclusions, events)
		for _, d := range res.Days {
			if got := perDay[d.Day]; got[0] != d.Alerts || got[1] != d.Remain {
				t.Errorf("%s, %s: the engine with the written exclusions gives %d alerts, %d remaining; the result says %d, %d",
					out.name, d.Day, got[0], got[1], d.Alerts, d.Remain)
			}
		}
	}
}

// alertsByDay runs rules with exclusions over events and counts, per day,
// the matches and the matches not suppressed.
func alertsByDay(t *testing.T, rules []*rule.Rule, xs []*rule.Exclusion, events string) map[string][2]int {
	t.Helper()
	eng, err := engine.Compile(rules, engine.WithExclusions(xs))
	if err != nil {
		t.Fatal(err)
	}
	perDay := map[string][2]int{}
	err = corpus.Walk([]string{events}, func(r corpus.Record) error {
		ev, err := engine.ParseJSON(r.Raw)
		if err != nil {
			return err
		}
		v, _ := ev.Field("TimeCreated_SystemTime")
		day := v.S[:10]
		c := perDay[day]
		for _, m := range eng.MatchAll(ev) {
			c[0]++
			if m.SuppressedBy == nil {
				c[1]++
			}
		}
		perDay[day] = c
		return nil
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return perDay
}

// TestLearnDeterministic: the same data gives the same bytes, whatever the
// number of workers (many workers deliver events to the aggregator in a
// different order each run).
func TestLearnDeterministic(t *testing.T) {
	t.Parallel()
	events := builtinFleet(t)
	set := exampleRules(t)
	var first [2]string
	for run, workers := range []int{1, 16, 3, 16} {
		res := learnFleet(t, set.Rules, []string{events}, nil, learn.WithHoldoutDays(1), learn.WithWorkers(workers))
		var sb, jb bytes.Buffer
		if err := learn.WriteSigma(&sb, res); err != nil {
			t.Fatal(err)
		}
		if err := learn.WriteJSON(&jb, res); err != nil {
			t.Fatal(err)
		}
		if run == 0 {
			first = [2]string{sb.String(), jb.String()}
			continue
		}
		for i, got := range []string{sb.String(), jb.String()} {
			if d := firstDifference(first[i], got); d != "" {
				t.Errorf("%d workers: the %s output differs from 1 worker's: %s", workers, [2]string{"Sigma", "JSON"}[i], d)
			}
		}
	}
}

// firstDifference shows the first line where two texts differ, with
// context, or "" when they are equal.
func firstDifference(a, b string) string {
	if a == b {
		return ""
	}
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for k := range max(len(la), len(lb)) {
		if k >= len(la) || k >= len(lb) || la[k] != lb[k] {
			lo := max(0, k-6)
			return fmt.Sprintf("line %d:\n%s\n---\n%s", k+1, strings.Join(la[lo:min(len(la), k+2)], "\n"), strings.Join(lb[lo:min(len(lb), k+2)], "\n"))
		}
	}
	return ""
}

// protectFrom writes protected events made from baseline events: for each
// of the first n matches of ruleID, one copy as it is (no proposal may
// suppress it, so the pattern must be dropped) or with a different hash
// (the broad proposal would suppress it; one narrowed by the hash must
// not).
func protectFrom(t *testing.T, events string, set *rule.Set, ruleID string, exact bool, n int) string {
	t.Helper()
	eng, err := engine.Compile(set.Rules)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	err = corpus.Walk([]string{events}, func(r corpus.Record) error {
		if n == 0 {
			return nil
		}
		ev, err := engine.ParseJSON(r.Raw)
		if err != nil {
			return err
		}
		for _, m := range eng.MatchAll(ev) {
			if m.Rule.ID != ruleID {
				continue
			}
			raw := string(r.Raw)
			if !exact {
				raw = regexp.MustCompile(`SHA256=[0-9A-F]+`).ReplaceAllString(raw, "SHA256=0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF")
			}
			out.WriteString(raw + "\n")
			n--
		}
		return nil
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "protect.jsonl")
	if err := os.WriteFile(p, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const encodedPSRule = "05a2e9a8-f643-40a3-a6c9-2d7d43f0d4f7" // examples: encoded PowerShell

// TestLearnProtect: no proposal suppresses a protected event of its rule;
// a proposal is narrowed where that is enough and dropped where it is not,
// and the result says so.
func TestLearnProtect(t *testing.T) {
	t.Parallel()
	events := builtinFleet(t)
	set := exampleRules(t)
	for _, tc := range []struct {
		name   string
		exact  bool
		narrow bool
	}{
		{"a different binary is spared by narrowing", false, true},
		{"the very same event drops the pattern", true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			protect := protectFrom(t, events, set, encodedPSRule, tc.exact, 2)
			res := learnFleet(t, set.Rules, []string{events}, []string{protect})
			checkProposals(t, res)
			if res.Protect.Detections < 2 {
				t.Fatalf("protected detections = %d, want at least 2", res.Protect.Detections)
			}
			if res.Protect.Suppressed != 0 {
				t.Errorf("%d protected detections suppressed", res.Protect.Suppressed)
			}
			// The engine agrees.
			eng, err := engine.Compile(set.Rules, engine.WithExclusions(res.Exclusions()))
			if err != nil {
				t.Fatal(err)
			}
			corpus.Walk([]string{protect}, func(r corpus.Record) error {
				ev, _ := engine.ParseJSON(r.Raw)
				for _, m := range eng.MatchAll(ev) {
					if m.SuppressedBy != nil {
						t.Errorf("%s:%d: protected detection of %s suppressed by %s", r.File, r.Line, m.Rule.Title, m.SuppressedBy.Title)
					}
				}
				return nil
			}, nil)
			var narrowed []*learn.Proposal
			for _, p := range res.Proposals {
				if slices.ContainsFunc(p.Rules, func(r learn.RuleRef) bool { return r.ID == encodedPSRule }) && p.Narrowed != "" {
					narrowed = append(narrowed, p)
				}
			}
			var dropped []*learn.NotLearned
			for _, n := range res.NotLearned {
				if n.Rule.ID == encodedPSRule && n.Code == learn.CodeProtected {
					dropped = append(dropped, n)
				}
			}
			if tc.narrow {
				if len(narrowed) == 0 || res.Protect.Narrowed == 0 {
					t.Fatalf("no proposal of the rule was narrowed (protect stats %+v)", res.Protect)
				}
				p := narrowed[0]
				if !slices.ContainsFunc(p.Conditions, func(c learn.Condition) bool { return c.Field == "Hashes" }) {
					t.Errorf("the narrowed proposal does not pin the hash: %+v", p.Conditions)
				}
				if !strings.Contains(p.Narrowed, "protected event") {
					t.Errorf("narrowed = %q, want it to name the protected events", p.Narrowed)
				}
			} else {
				if len(dropped) == 0 || res.Protect.Dropped == 0 {
					t.Fatalf("the pattern was not dropped (protect stats %+v)", res.Protect)
				}
				if !strings.Contains(dropped[0].Reason, "protected event") {
					t.Errorf("reason = %q, want it to name the protected events", dropped[0].Reason)
				}
			}
		})
	}
}

// certutilBaseline writes five certutil downloads: one from cmd.exe on one
// host, two from an updater on one host and day, two from an agent on two
// hosts and days.
func certutilBaseline(t *testing.T) string {
	t.Helper()
	base := `{"Event":{"System":{"Provider":{"Name":"Microsoft-Windows-Sysmon"},"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","Computer":"%s.corp.example","TimeCreated":{"SystemTime":"%sT10:00:00.0000000Z"}},"EventData":{"Image":"C:\\Windows\\System32\\certutil.exe","OriginalFileName":"CertUtil.exe","ParentImage":"%s","CommandLine":"certutil.exe -urlcache -split -f http://%s/a.bin","User":"CORP\\x.y"}}}`
	lines := []string{
		fmt.Sprintf(base, "WS-1", "2026-03-04", `C:\\Windows\\System32\\cmd.exe`, "203.0.113.5"),
		fmt.Sprintf(base, "WS-2", "2026-03-04", `C:\\Tools\\updater.exe`, "10.0.0.1"),
		fmt.Sprintf(base, "WS-2", "2026-03-04", `C:\\Tools\\updater.exe`, "10.0.0.1"),
		fmt.Sprintf(base, "WS-3", "2026-03-05", `C:\\Program Files\\Agent\\agent.exe`, "10.0.0.2"),
		fmt.Sprintf(base, "WS-4", "2026-03-06", `C:\\Program Files\\Agent\\agent.exe`, "10.0.0.2"),
	}
	p := filepath.Join(t.TempDir(), "b.jsonl")
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestLearnOneOff: an alert seen once is not learned, and says why; nor is
// one seen twice on one host on one day.
func TestLearnOneOff(t *testing.T) {
	t.Parallel()
	res := learnFleet(t, exampleRules(t).Rules, []string{certutilBaseline(t)}, nil)
	codes := map[string]int{}
	for _, n := range res.NotLearned {
		codes[n.Code] += n.Events
	}
	if codes[learn.CodeOneOff] != 1 || codes[learn.CodeNarrow] != 2 {
		t.Errorf("not learned by code = %v, want one-off: 1, narrow-spread: 2", codes)
	}
	if len(res.Proposals) != 1 || res.Proposals[0].Evidence.Hosts != 2 {
		t.Fatalf("proposals = %d, want the agent's on 2 hosts", len(res.Proposals))
	}
	if got := res.Proposals[0].Reason; got != "learned: 2 events, 2 hosts, 2 of 3 days" {
		t.Errorf("reason = %q", got)
	}
}

func TestLearnErrors(t *testing.T) {
	t.Parallel()
	events := builtinFleet(t)
	set := exampleRules(t)
	l, err := learn.New(set.Rules, learn.WithHoldoutDays(3))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Run(context.Background(), []string{events}, nil); err == nil || !strings.Contains(err.Error(), "leaves no day") {
		t.Errorf("holdout as long as the baseline: err = %v", err)
	}
	if _, err := l.Run(context.Background(), []string{filepath.Join(t.TempDir(), "missing.jsonl")}, nil); err == nil {
		t.Error("a missing baseline file is not an error")
	}
	for _, o := range []learn.Option{
		learn.WithHoldoutDays(-1), learn.WithThresholds(1, 2), learn.WithThresholds(2, 0), learn.WithDate("March"),
		learn.WithWorkers(0), learn.WithExpiry(0), learn.WithMaxPatterns(0), learn.WithAuthor(""), learn.WithTempDir("/no/such/dir"),
	} {
		if l, err := learn.New(set.Rules, o); err == nil || l != nil {
			t.Errorf("an invalid option was accepted")
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := l.Run(ctx, []string{events}, nil); err == nil {
		t.Error("a cancelled context does not stop the run")
	}
}

// TestLearnTooManyPatterns: memory is bounded by patterns; beyond the bound
// matches are counted and reported, not learned.
func TestLearnTooManyPatterns(t *testing.T) {
	t.Parallel()
	res := learnFleet(t, exampleRules(t).Rules, []string{certutilBaseline(t)}, nil, learn.WithMaxPatterns(1))
	codes := map[string]int{}
	for _, n := range res.NotLearned {
		codes[n.Code] += n.Events
	}
	// The pattern with the least key (the agent's) is kept, whatever the
	// order of events; the other two are counted together.
	if codes[learn.CodeTooMany] != 3 || len(codes) != 1 {
		t.Errorf("not learned by code = %v, want too-many: 3", codes)
	}
	if len(res.Proposals) != 1 || !strings.Contains(res.Proposals[0].Title, "agent.exe") {
		t.Errorf("proposals = %v, want the agent's", res.Proposals)
	}
}

func TestReportJSON(t *testing.T) {
	t.Parallel()
	events := builtinFleet(t)
	res := learnFleet(t, exampleRules(t).Rules, []string{events}, nil, learn.WithHoldoutDays(1))
	var b bytes.Buffer
	if err := learn.WriteReport(&b, ".json", res); err != nil {
		t.Fatal(err)
	}
	var back learn.Result
	if err := json.Unmarshal(b.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if len(back.Proposals) != len(res.Proposals) || back.Validation.Alerts != res.Validation.Alerts {
		t.Error("the JSON report does not round-trip")
	}
	if err := learn.WriteReport(&b, ".txt", res); err == nil {
		t.Error("an unknown report format was accepted")
	}
}

// TestLearnExpiry: proposals can expire; the DSL carries the date, the
// engine honours it.
func TestLearnExpiry(t *testing.T) {
	t.Parallel()
	set := exampleRules(t)
	res := learnFleet(t, set.Rules, []string{certutilBaseline(t)}, nil, learn.WithExpiry(30), learn.WithDate("2026-03-06"))
	if len(res.Proposals) != 1 || res.Proposals[0].Expires != "2026-04-05" || res.Proposals[0].Date != "2026-03-06" {
		t.Fatalf("proposals %+v", res.Proposals)
	}
	var buf bytes.Buffer
	if err := learn.WriteDSL(&buf, res); err != nil {
		t.Fatal(err)
	}
	xs, err := dsl.Parse("x.tdl", buf.Bytes())
	if err != nil || len(xs.Exclusions) != 1 || xs.Exclusions[0].Expires != "2026-04-05" {
		t.Fatalf("read back: %v %+v", err, xs)
	}
}
