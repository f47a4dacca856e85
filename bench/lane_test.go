package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/tanchi-dev/tanchi/internal/sharedtest"
)

// laneShared returns the shared folder, skipping the test without the
// corpora the lanes read.
func laneShared(t *testing.T) string {
	t.Helper()
	for _, c := range laneCorpora {
		sharedtest.Path(t, "corpora", c.name, "events")
	}
	return sharedtest.Dir(t)
}

// windowsSource decodes the channel and event id of an event in any of
// the lanes' shapes with encoding/json, independently of eventFields.
func windowsSource(raw []byte) (channel string, id int, err error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var top map[string]any
	if err := dec.Decode(&top); err != nil {
		return "", 0, err
	}
	if dec.More() {
		return "", 0, fmt.Errorf("data after the object")
	}
	src := top
	chKey, idKey := "Channel", "EventID"
	if ev, ok := top["Event"].(map[string]any); ok {
		src, _ = ev["System"].(map[string]any)
	} else if _, ok := top["log_name"]; ok {
		chKey, idKey = "log_name", "event_id"
	}
	channel, _ = src[chKey].(string)
	var n json.Number
	switch v := src[idKey].(type) {
	case json.Number:
		n = v
	case string:
		n = json.Number(v)
	}
	i, err := n.Int64()
	if err != nil {
		return "", 0, fmt.Errorf("event id %v: %v", src[idKey], err)
	}
	return channel, int(i), nil
}

func TestLaneDeterministic(t *testing.T) {
	dir := laneShared(t)
	for _, name := range LaneNames() {
		t.Run(name, func(t *testing.T) {
			a, err := Lane(dir, name, 5000, 42)
			if err != nil {
				t.Fatal(err)
			}
			b, err := Lane(dir, name, 5000, 42)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.EqualFunc(a, b, bytes.Equal) {
				t.Error("the same seed gave different streams")
			}
			c, err := Lane(dir, name, 5000, 43)
			if err != nil {
				t.Fatal(err)
			}
			if slices.EqualFunc(a, c, bytes.Equal) {
				t.Error("seeds 42 and 43 gave the same stream")
			}
		})
	}
}

func TestLaneComposition(t *testing.T) {
	dir := laneShared(t)
	const n = 20000
	for _, tc := range []struct {
		name        string
		minIDs      int // distinct event ids in the stream
		minDistinct int // distinct benign events in the stream
		minAttack   int // distinct attack events in the pool
	}{
		{LaneSysmonProcess, 1, 400, 1000},
		{LaneSysmonMixed, 8, 5000, 2000},
		{LaneSecurity, 20, 3000, 5000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spec, _ := LaneByName(tc.name)
			s, err := GenerateLane(dir, tc.name, n, 1)
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Events) != n || len(s.Attack) != n {
				t.Fatalf("got %d events, %d flags; want %d", len(s.Events), len(s.Attack), n)
			}
			attack := 0
			ids := map[int]int{}
			benign := map[string]bool{}
			for i, raw := range s.Events {
				ch, id, err := windowsSource(raw)
				if err != nil {
					t.Fatalf("event %d is not a valid event: %v\n%.300s", i, err, raw)
				}
				if !strings.EqualFold(ch, spec.Channel) {
					t.Fatalf("event %d: channel %q, want %s", i, ch, spec.Channel)
				}
				if spec.EventIDs != nil && !slices.Contains(spec.EventIDs, id) {
					t.Fatalf("event %d: event id %d, want one of %v", i, id, spec.EventIDs)
				}
				ids[id]++
				if s.Attack[i] {
					attack++
				} else {
					benign[string(raw)] = true
				}
			}
			if want := int(math.Round(n * spec.AttackFraction)); attack != want {
				t.Errorf("%d attack events, want %d", attack, want)
			}
			if frac := float64(attack) / n; frac < 0.005 || frac > 0.05 {
				t.Errorf("attack fraction %.3f, want a small minority", frac)
			}
			if len(ids) < tc.minIDs {
				t.Errorf("%d distinct event ids, want at least %d: %v", len(ids), tc.minIDs, ids)
			}
			if len(benign) < tc.minDistinct {
				t.Errorf("%d distinct benign events in %d, want at least %d", len(benign), n-attack, tc.minDistinct)
			}
			// The attack events are spread over the stream, not bunched.
			if i := slices.Index(s.Attack, true); i > n/10 {
				t.Errorf("first attack event at %d of %d: not shuffled", i, n)
			}
			st, err := LanePools(dir, tc.name)
			if err != nil {
				t.Fatal(err)
			}
			if st.Attack < tc.minAttack {
				t.Errorf("attack pool %d, want at least %d", st.Attack, tc.minAttack)
			}
			if st.BenignByCorpus["evtx-rs-parser-samples"] == 0 || st.BenignByCorpus["otrf-security-datasets"] == 0 {
				t.Errorf("benign pool lacks a corpus: %v", st.BenignByCorpus)
			}
			t.Logf("pools: benign %d kept for %d %v, attack %d %v, read in %v", st.Benign, st.BenignSource, st.BenignByCorpus, st.Attack, st.AttackByCorpus, st.Load)
		})
	}
}

func TestLaneErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		n    int
		want string
	}{
		{"nope", 1, `unknown lane "nope"`},
		{LaneSecurity, -1, "negative event count"},
		{LaneSecurity, 1, "lane corpora"},
	} {
		_, err := Lane(dir, tc.name, tc.n, 1)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Lane(%q, %d): %v, want an error containing %q", tc.name, tc.n, err, tc.want)
		}
	}
}

// The three JSON shapes of one event have the same fingerprint.
func TestFingerprintShapes(t *testing.T) {
	shapes := []string{
		`{"Event":{"System":{"Channel":"Microsoft-Windows-Sysmon/Operational","EventID":1,"Computer":"a"},"EventData":{"Image":"C:\\Windows\\System32\\cmd.exe","CommandLine":"cmd /c echo {\"x\"} 1234","ProcessId":88}}}`,
		`{"Message":"Process Create:\r\nImage: C:\\Windows\\System32\\cmd.exe","Image": "C:\\Windows\\SysWOW64\\cmd.exe", "tags": ["a", {"b": "}"}], "EventID": 1, "Channel": "Microsoft-Windows-Sysmon/Operational", "CommandLine": "cmd /c echo {\"x\"} 99", "ProcessId": "4"}`,
		`{"log_name":"microsoft-windows-sysmon/operational","event_id":1,"event_data":{"CommandLine":"CMD /c echo {\"x\"} 5","Image":"c:\\windows\\system32\\CMD.EXE"}}`,
	}
	var fps []string
	for _, s := range shapes {
		var f eventFields
		f.read([]byte(s))
		if !strings.EqualFold(string(f.channel), sysmonChannel) || string(f.eid) != "1" {
			t.Fatalf("read channel %q, event id %q from %s", f.channel, f.eid, s)
		}
		fps = append(fps, string(f.fingerprint(nil, sysmonChannel, 1)))
	}
	for i := range fps {
		if fps[i] != fps[0] {
			t.Errorf("shape %d fingerprint\n%q\nwant\n%q", i, fps[i], fps[0])
		}
	}
	var f eventFields
	f.read([]byte(`{"Event":{"System":{"Channel":"Microsoft-Windows-Sysmon/Operational","EventID":1},"EventData":{"Image":"C:\\Windows\\System32\\cmd.exe","CommandLine":"cmd /c whoami"}}}`))
	if other := string(f.fingerprint(nil, sysmonChannel, 1)); other == fps[0] {
		t.Errorf("a different command line has the same fingerprint %q", other)
	}
}
