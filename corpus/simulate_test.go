package corpus_test

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tanchi-dev/tanchi/corpus"
	"github.com/tanchi-dev/tanchi/engine"
	"github.com/tanchi-dev/tanchi/internal/sharedtest"
)

// readTree returns every file under dir by its slash-separated relative path.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSimulateDeterministic(t *testing.T) {
	t.Parallel()
	cfg := corpus.SimConfig{Hosts: 4, Days: 2, Seed: 7}
	a, b, c := t.TempDir(), t.TempDir(), t.TempDir()
	for _, dir := range []string{a, b} {
		if _, err := corpus.Simulate(cfg, dir); err != nil {
			t.Fatal(err)
		}
	}
	ta, tb := readTree(t, a), readTree(t, b)
	if len(ta) != len(tb) {
		t.Fatalf("%d files, then %d", len(ta), len(tb))
	}
	for name, data := range ta {
		if !bytes.Equal(data, tb[name]) {
			t.Errorf("%s differs between two runs with the same seed", name)
		}
	}
	cfg.Seed = 8
	if _, err := corpus.Simulate(cfg, c); err != nil {
		t.Fatal(err)
	}
	tc := readTree(t, c)
	same := 0
	for name, data := range ta {
		if strings.HasPrefix(name, corpus.SimEventsDir+"/") && bytes.Equal(data, tc[name]) {
			same++
		}
	}
	if same > 0 {
		t.Errorf("%d event files are the same with another seed", same)
	}
}

// fleetEvents reads every event of a simulated fleet, by file.
func fleetEvents(t *testing.T, dir string, sum *corpus.SimSummary) map[string][]*engine.JSONEvent {
	t.Helper()
	out := map[string][]*engine.JSONEvent{}
	for _, f := range sum.Files {
		err := corpus.Walk([]string{filepath.Join(dir, filepath.FromSlash(f))}, func(r corpus.Record) error {
			ev, err := engine.ParseJSON(r.Raw)
			if err != nil {
				t.Errorf("%s:%d: %v", f, r.Line, err)
				return nil
			}
			out[f] = append(out[f], ev)
			return nil
		}, func(err error) { t.Error(err) })
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func field(ev *engine.JSONEvent, name string) string {
	v, _ := ev.Field(name)
	return v.S
}

// TestSimulateFleet checks the layout and the shape of a built-in fleet:
// files per day and host, events in time order on their day and host,
// record ids per channel, and the company's software with the volatile
// values real logs have.
func TestSimulateFleet(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	sum, err := corpus.Simulate(corpus.SimConfig{Hosts: 5, Days: 3, Seed: 1}, dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Hosts) != 5 || len(sum.Days) != 3 || sum.Days[0] != "2026-03-04" || len(sum.Attacks) != 0 || sum.Labels != 0 {
		t.Fatalf("summary %+v", sum)
	}
	var manifest corpus.SimSummary
	if b, err := os.ReadFile(filepath.Join(dir, corpus.SimManifestFile)); err != nil || json.Unmarshal(b, &manifest) != nil || manifest.Events != sum.Events {
		t.Fatalf("manifest.json does not hold the summary: %v", err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, corpus.SimLabelsFile)); err != nil || len(b) != 0 {
		t.Errorf("labels.jsonl: %v, %d bytes; want an empty file", err, len(b))
	}
	files, err := corpus.Files(filepath.Join(dir, corpus.SimEventsDir))
	if err != nil || len(files) != len(sum.Files) {
		t.Fatalf("corpus.Files finds %d files, the summary lists %d (%v)", len(files), len(sum.Files), err)
	}
	evs := fleetEvents(t, dir, sum)
	total := 0
	guids := map[string]int{}
	cmdlines := map[string]map[string]bool{}
	users := map[string]bool{}
	for f, list := range evs {
		total += len(list)
		parts := strings.Split(f, "/") // events/<day>/<host>.jsonl
		day, host := parts[1], strings.TrimSuffix(parts[2], ".jsonl")
		var last time.Time
		ids := map[string]int{}
		for i, ev := range list {
			ts, err := time.Parse(time.RFC3339Nano, field(ev, "TimeCreated_SystemTime"))
			if err != nil {
				t.Fatalf("%s:%d: time: %v", f, i+1, err)
			}
			if ts.Format(time.DateOnly) != day || ts.Before(last) {
				t.Fatalf("%s:%d: %s out of order or not on %s", f, i+1, ts, day)
			}
			last = ts
			if c := field(ev, "Computer"); c != host+".corp.example" {
				t.Fatalf("%s:%d: Computer %q", f, i+1, c)
			}
			ch := field(ev, "Channel")
			v, _ := ev.Field("EventRecordID")
			var id int
			json.Unmarshal([]byte(v.S), &id)
			if id <= ids[ch] {
				t.Fatalf("%s:%d: EventRecordID %d after %d on %s", f, i+1, id, ids[ch], ch)
			}
			ids[ch] = id
			if g := field(ev, "ProcessGuid"); g != "" && field(ev, "EventID") == "1" {
				guids[g]++
			}
			if u := field(ev, "User"); strings.HasPrefix(u, `CORP\`) {
				users[u] = true
			}
			if cl := field(ev, "CommandLine"); cl != "" {
				key := field(ev, "ParentImage") + "|" + strings.Fields(cl)[0]
				if cmdlines[key] == nil {
					cmdlines[key] = map[string]bool{}
				}
				cmdlines[key][cl] = true
			}
		}
	}
	if total != sum.Events {
		t.Errorf("read %d events, the summary says %d", total, sum.Events)
	}
	for g, n := range guids {
		if n > 1 {
			t.Errorf("process GUID %s used by %d process creations", g, n)
		}
	}
	if len(users) < 4 {
		t.Errorf("only %d distinct users: %v", len(users), users)
	}
	// The management software, with what varies between runs.
	for _, want := range []struct {
		parent, prog string
		minDistinct  int
	}{
		{`C:\Program Files (x86)\Northwind\RMM Agent\NwAgentSvc.exe`, `"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe"`, 20}, // encoded jobs
		{`C:\Program Files (x86)\Northwind\RMM Agent\NwAgentSvc.exe`, `"C:\Windows\System32\msiexec.exe"`, 1},                            // rollout from the share
		{`C:\Windows\PSEXESVC.exe`, `cmd`, 1},                                  // IT's PsExec
		{`C:\Windows\System32\userinit.exe`, `C:\Windows\system32\cmd.exe`, 1}, // logon script
	} {
		got := cmdlines[want.parent+"|"+want.prog]
		if len(got) < want.minDistinct {
			t.Errorf("%s started by %s: %d distinct command lines, want at least %d", want.prog, want.parent, len(got), want.minDistinct)
		}
	}
	found := false
	for key, cls := range cmdlines {
		if strings.HasSuffix(key, `|"C:\Windows\System32\schtasks.exe"`) && strings.Contains(key, `\AppData\Local\Temp\nwupd_`) {
			for cl := range cls {
				found = found || strings.Contains(cl, `/Create`)
			}
		}
	}
	if !found {
		t.Error("no scheduled task created by the updater from its temporary folder")
	}
	// Weekends are quiet.
	if sum.PerDay[2] >= sum.PerDay[0] {
		t.Logf("events per day %v", sum.PerDay)
	}
}

func TestSimulateWeekendAndDensity(t *testing.T) {
	t.Parallel()
	// 2026-03-06 is a Friday: then Saturday and Sunday.
	sum, err := corpus.Simulate(corpus.SimConfig{Hosts: 6, Days: 3, Seed: 3, Start: time.Date(2026, 3, 6, 0, 0, 0, 0, time.UTC)}, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if sum.PerDay[1] > sum.PerDay[0]/2 || sum.PerDay[2] > sum.PerDay[0]/2 {
		t.Errorf("events per day %v: the weekend is not quieter than Friday", sum.PerDay)
	}
	dense, err := corpus.Simulate(corpus.SimConfig{Hosts: 6, Days: 3, Seed: 3, Start: time.Date(2026, 3, 6, 0, 0, 0, 0, time.UTC), Density: 3}, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if dense.Events < sum.Events*3/2 {
		t.Errorf("density 3 gives %d events, density 1 %d", dense.Events, sum.Events)
	}
}

func TestSimulateConfigErrors(t *testing.T) {
	t.Parallel()
	for _, cfg := range []corpus.SimConfig{
		{Hosts: 0, Days: 1},
		{Hosts: 1, Days: 0},
		{Hosts: 1, Days: 1, Density: -1},
		{Hosts: 1, Days: 1, Attacks: 2},
		{Hosts: 1, Days: 1, Attacks: -1},
		{Hosts: 1, Days: 1, Corpora: "/no/such/folder"},
	} {
		if _, err := corpus.Simulate(cfg, t.TempDir()); err == nil {
			t.Errorf("%+v: no error", cfg)
		}
	}
}

// TestSimulateCorpora replays real benign events and injects real attack
// scenarios; the labels name exactly the injected events.
func TestSimulateCorpora(t *testing.T) {
	t.Parallel()
	corpora := sharedtest.Path(t, "corpora")
	dir := t.TempDir()
	sum, err := corpus.Simulate(corpus.SimConfig{Hosts: 5, Days: 3, Seed: 2, Corpora: corpora, Attacks: 4}, dir)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Replay == 0 || len(sum.Sources) == 0 {
		t.Errorf("no real events replayed (%d from %v)", sum.Replay, sum.Sources)
	}
	if len(sum.Attacks) != 4 || sum.Labels == 0 {
		t.Fatalf("attacks %d, labels %d", len(sum.Attacks), sum.Labels)
	}
	labels, err := corpus.ReadSimLabels(filepath.Join(dir, corpus.SimLabelsFile))
	if err != nil || len(labels) != sum.Labels {
		t.Fatalf("labels: %d, %v", len(labels), err)
	}
	evs := fleetEvents(t, dir, sum)
	perScenario := map[string]int{}
	sources := map[string]map[int]*engine.JSONEvent{}
	for _, l := range labels {
		list := evs[l.File]
		if l.Line < 1 || l.Line > len(list) {
			t.Fatalf("label %+v points outside its file", l)
		}
		ev := list[l.Line-1]
		if c := field(ev, "Computer"); c != l.Host+".corp.example" {
			t.Errorf("label %+v: the event is on %q", l, c)
		}
		if !slices.ContainsFunc(sum.Attacks, func(a corpus.SimAttack) bool { return a.Scenario == l.Scenario && a.Host == l.Host }) {
			t.Errorf("label %+v names no injected scenario", l)
		}
		// The event is the source event: same id, same data.
		if sources[l.Source] == nil {
			sources[l.Source] = map[int]*engine.JSONEvent{}
			corpus.Walk([]string{filepath.Join(corpora, filepath.FromSlash(l.Source))}, func(r corpus.Record) error {
				sources[l.Source][r.Line], _ = engine.ParseJSON(r.Raw)
				return nil
			}, nil)
		}
		src := sources[l.Source][l.SourceLine]
		if src == nil {
			t.Fatalf("label %+v: no source event", l)
		}
		for _, f := range []string{"EventID", "Channel", "Image", "CommandLine", "ScriptBlockText", "TargetUserName"} {
			if a, b := field(src, f), field(ev, f); a != b && !strings.Contains(strings.ToUpper(a), strings.ToUpper(strings.Split(field(src, "Computer"), ".")[0])) {
				t.Errorf("label %+v: %s %q in the source, %q injected", l, f, a, b)
			}
		}
		perScenario[l.Scenario]++
	}
	for _, a := range sum.Attacks {
		if perScenario[a.Scenario] != a.Events {
			t.Errorf("scenario %s: %d labels, %d events", a.Scenario, perScenario[a.Scenario], a.Events)
		}
	}
}
