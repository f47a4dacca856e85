package corpus

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
)

// This file brings real events from the shared corpora into a simulated
// fleet: benign events replayed on the simulated hosts as background, and
// attack scenarios injected whole.

// replaySources are the benign real-machine logs of evtx-rs-parser-samples
// used as background. The damaged sample files of that set are left out.
var replaySources = []string{
	"evtx-rs-parser-samples/events/samples/sysmon.jsonl",
	"evtx-rs-parser-samples/events/samples/security.jsonl",
	"evtx-rs-parser-samples/events/samples/system.jsonl",
	"evtx-rs-parser-samples/events/samples/Security_with_size_t.jsonl",
	"evtx-rs-parser-samples/events/samples/sample-with-irregular-bool-values.jsonl",
}

// attackCorpora are the corpora whose files are attack scenarios.
var attackCorpora = []string{"evtx-attack-samples", "evtx-to-mitre-attack"}

// maxReplayPool bounds the background events kept from each source.
const maxReplayPool = 1500

// replayPool holds real benign events to replay.
type replayPool struct {
	sources []string
	events  []*replayEvent
}

// replayEvent is a real event with what must be rewritten to move it to
// another host.
type replayEvent struct {
	ev       jobj
	channel  string
	computer string   // the source machine's name, as written
	users    []string // user names of the source machine
}

// loadReplayPool reads the benign sources that exist under dir. Missing
// sources are skipped; an unreadable one is an error.
func loadReplayPool(dir string) (*replayPool, error) {
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("simulate: corpora folder %s not found", dir)
	}
	p := &replayPool{}
	for _, rel := range replaySources {
		path := filepath.Join(dir, filepath.FromSlash(rel))
		if _, err := os.Stat(path); err != nil {
			continue
		}
		n := 0
		err := Walk([]string{path}, func(r Record) error {
			if n >= maxReplayPool {
				return nil
			}
			ev, err := decodeOrdered(r.Raw)
			if err != nil {
				return nil
			}
			re := newReplayEvent(ev)
			if re == nil {
				return nil
			}
			p.events = append(p.events, re)
			n++
			return nil
		}, func(error) {})
		if err != nil {
			return nil, err
		}
		if n > 0 {
			p.sources = append(p.sources, rel)
		}
	}
	if len(p.events) == 0 {
		return nil, fmt.Errorf("simulate: no benign events found under %s (looked for %s)", dir, strings.Join(replaySources, ", "))
	}
	return p, nil
}

var profileRe = regexp.MustCompile(`(?i)\\Users\\([^\\"]+)\\`)

// wellKnownUsers are accounts that are the same on every machine.
var wellKnownUsers = map[string]bool{
	"system": true, "local service": true, "network service": true, "anonymous logon": true,
	"public": true, "default": true, "all users": true, "administrator": true, "-": true, "": true,
	"defaultapppool": true,
}

func newReplayEvent(ev jobj) *replayEvent {
	e := ev.obj("Event")
	sys := e.obj("System")
	if sys == nil {
		return nil
	}
	computer, _ := sys.get("Computer")
	channel, _ := sys.get("Channel")
	c, _ := computer.(string)
	ch, _ := channel.(string)
	if c == "" || ch == "" {
		return nil
	}
	if _, ok := sys.obj("TimeCreated").get("SystemTime"); !ok {
		return nil
	}
	re := &replayEvent{ev: ev, channel: ch, computer: c}
	seen := map[string]bool{}
	addUser := func(u string) {
		l := strings.ToLower(u)
		if wellKnownUsers[l] || strings.HasSuffix(l, "$") || strings.HasPrefix(l, "dwm-") || strings.HasPrefix(l, "umfd-") || seen[l] {
			return
		}
		seen[l] = true
		re.users = append(re.users, u)
	}
	walkStrings(ev, func(k, s string) string {
		for _, m := range profileRe.FindAllStringSubmatch(s, -1) {
			addUser(m[1])
		}
		switch k {
		case "User", "SubjectUserName", "TargetUserName":
			if _, name, ok := strings.Cut(s, `\`); ok {
				addUser(name)
			} else {
				addUser(s)
			}
		}
		return s
	})
	return re
}

// walkStrings calls fn with every string value of v and its key, and
// stores what fn returns.
func walkStrings(v any, fn func(key, s string) string) any {
	switch x := v.(type) {
	case jobj:
		for i := range x {
			if s, ok := x[i].V.(string); ok {
				x[i].V = fn(x[i].K, s)
				continue
			}
			x[i].V = walkStrings(x[i].V, fn)
		}
		return x
	case []any:
		for i := range x {
			if s, ok := x[i].(string); ok {
				x[i] = fn("", s)
				continue
			}
			x[i] = walkStrings(x[i], fn)
		}
		return x
	}
	return v
}

// replaceFold replaces every occurrence of old in s, compared without
// regard to ASCII case, with new.
func replaceFold(s, old, new string) string {
	if old == "" || len(old) > len(s) {
		return s
	}
	ls, lo := strings.ToLower(s), strings.ToLower(old)
	if len(ls) != len(s) || !strings.Contains(ls, lo) {
		return s
	}
	var b strings.Builder
	i := 0
	for {
		j := strings.Index(ls[i:], lo)
		if j < 0 {
			break
		}
		b.WriteString(s[i : i+j])
		b.WriteString(new)
		i += j + len(old)
	}
	b.WriteString(s[i:])
	return b.String()
}

var guidRe = regexp.MustCompile(`[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}`)

// replayBackground replays real benign events on the host: a few an hour
// while it is on, more while someone works at it.
func (g *gen) replayBackground(on0, on1, s0, s1 float64) {
	pool := g.f.replay.events
	for t0 := on0; t0 < on1; t0 += hour {
		n := 1
		if s1 > 0 && t0 >= s0 && t0 < s1 {
			n = 3
		}
		n = int(float64(n)*g.f.cfg.Density + 0.5)
		for i := 0; i < n; i++ {
			src := pool[g.intn(len(pool))]
			t := g.at(t0 + float64(g.intn(3600)))
			if !t.Before(g.date.Add(time.Duration(on1 * float64(time.Second)))) {
				continue
			}
			g.events = append(g.events, simEvent{t: t, seq: len(g.events), channel: src.channel, ev: g.rehost(src, t), replayed: true})
		}
	}
}

// rehost copies a real event onto this host at time t: the machine name,
// the user names, GUIDs and process ids change; everything else stays.
func (g *gen) rehost(src *replayEvent, t time.Time) jobj {
	ev := cloneJSON(src.ev).(jobj)
	short, _, _ := strings.Cut(src.computer, ".")
	user := "svc-app"
	if g.h.user != nil {
		user = g.h.user.name
	}
	guids := map[string]string{}
	walkStrings(ev, func(k, s string) string {
		s = replaceFold(s, src.computer, g.h.fqdn)
		if short != src.computer {
			s = replaceFold(s, short, g.h.name)
		}
		for _, u := range src.users {
			s = replaceFold(s, `\Users\`+u+`\`, `\Users\`+user+`\`)
			if k == "User" || k == "SubjectUserName" || k == "TargetUserName" {
				if strings.EqualFold(s, u) {
					s = user
				} else if d, name, ok := strings.Cut(s, `\`); ok && strings.EqualFold(name, u) {
					_ = d
					s = `CORP\` + user
				}
			}
		}
		if k == "ProcessGuid" || k == "ParentProcessGuid" || k == "LogonGuid" || k == "SourceProcessGUID" || k == "TargetProcessGUID" {
			s = guidRe.ReplaceAllStringFunc(s, func(old string) string {
				if n, ok := guids[old]; ok {
					return n
				}
				n := g.procGUID(t)
				if strings.HasPrefix(old, "{") {
					n = "{" + n + "}"
				}
				guids[old] = n
				return n
			})
		}
		return s
	})
	e := ev.obj("Event")
	sys := e.obj("System")
	sys.obj("TimeCreated").set("SystemTime", sysTime(t))
	sys.set("Computer", g.h.fqdn)
	if data := e.obj("EventData"); data != nil {
		for i := range data {
			switch data[i].K {
			case "UtcTime":
				data[i].V = utcTime(t)
			case "ProcessId", "ParentProcessId":
				if _, ok := data[i].V.(jraw); ok {
					data[i].V = g.pid()
				}
			}
		}
	}
	return ev
}

func cloneJSON(v any) any {
	switch x := v.(type) {
	case jobj:
		out := make(jobj, len(x))
		for i, kv := range x {
			out[i] = jkv{kv.K, cloneJSON(kv.V)}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, it := range x {
			out[i] = cloneJSON(it)
		}
		return out
	}
	return v
}

// decodeOrdered reads one JSON value keeping the order of object keys.
// Numbers stay as written.
func decodeOrdered(raw []byte) (jobj, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	v, err := decodeValue(dec, 0)
	if err != nil {
		return nil, err
	}
	o, ok := v.(jobj)
	if !ok {
		return nil, errors.New("not an object")
	}
	return o, nil
}

func decodeValue(dec *json.Decoder, depth int) (any, error) {
	if depth > MaxRecordDepth {
		return nil, errors.New("too deeply nested")
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch x := tok.(type) {
	case json.Delim:
		switch x {
		case '{':
			var o jobj
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, _ := kt.(string)
				v, err := decodeValue(dec, depth+1)
				if err != nil {
					return nil, err
				}
				o = append(o, jkv{k, v})
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			if o == nil {
				o = jobj{}
			}
			return o, nil
		case '[':
			a := []any{}
			for dec.More() {
				v, err := decodeValue(dec, depth+1)
				if err != nil {
					return nil, err
				}
				a = append(a, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return a, nil
		}
		return nil, fmt.Errorf("unexpected %v", x)
	case json.Number:
		return jraw(x.String()), nil
	case string, bool, nil:
		return x, nil
	}
	return nil, io.ErrUnexpectedEOF
}

// MaxRecordDepth bounds the nesting of events the simulator reads from the
// corpora.
const MaxRecordDepth = 64

// attackScenario is one file of real attack events.
type attackScenario struct {
	name   string // path inside its corpus without extension
	source string // relative to the corpora folder
	events []attackEvent
}

type attackEvent struct {
	ev   jobj
	line int
	t    time.Time // zero when the event has no time
}

// attackPlan places a scenario on a host and day.
type attackPlan struct {
	sc    *attackScenario
	host  *simHost
	day   int
	start time.Time
}

type manifestLine struct {
	File   string `json:"file"`
	Events *int   `json:"events"`
}

// maxScenarioEvents keeps scenarios to the size of one intrusion step.
const maxScenarioEvents = 300

// planAttacks picks the scenarios to inject and where and when each runs:
// on a workstation, during working hours, spread over the days in turn.
func (f *fleet) planAttacks(rng *rand.Rand) error {
	var cands []string
	for _, c := range attackCorpora {
		src, err := os.ReadFile(filepath.Join(f.cfg.Corpora, c, "manifest.jsonl"))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(src), "\n") {
			var m manifestLine
			if json.Unmarshal([]byte(line), &m) != nil || m.Events == nil || *m.Events == 0 || *m.Events > maxScenarioEvents {
				continue
			}
			cands = append(cands, c+"/"+m.File)
		}
	}
	if len(cands) == 0 {
		return fmt.Errorf("simulate: no attack scenarios found under %s (looked for %s)", f.cfg.Corpora, strings.Join(attackCorpora, ", "))
	}
	slices.Sort(cands)
	rng.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
	var targets []*simHost
	for _, h := range f.hosts {
		if h.role != roleServer {
			targets = append(targets, h)
		}
	}
	if len(targets) == 0 {
		targets = f.hosts
	}
	for _, rel := range cands {
		if len(f.attackPlan) == f.cfg.Attacks {
			break
		}
		sc, err := loadScenario(f.cfg.Corpora, rel)
		if err != nil {
			return err
		}
		if sc == nil {
			continue
		}
		i := len(f.attackPlan)
		d := i % f.cfg.Days
		h := targets[rng.IntN(len(targets))]
		start := f.cfg.Start.AddDate(0, 0, d).Add(time.Duration(9*3600+rng.IntN(7*3600)) * time.Second)
		f.attackPlan = append(f.attackPlan, &attackPlan{sc: sc, host: h, day: d, start: start})
	}
	return nil
}

// loadScenario reads one attack file; it returns nil for a file without
// Windows evtx events.
func loadScenario(dir, rel string) (*attackScenario, error) {
	sc := &attackScenario{source: rel}
	corpus, file, _ := strings.Cut(rel, "/")
	_ = corpus
	sc.name = strings.TrimSuffix(strings.TrimPrefix(file, "events/"), ".jsonl")
	err := Walk([]string{filepath.Join(dir, filepath.FromSlash(rel))}, func(r Record) error {
		ev, err := decodeOrdered(r.Raw)
		if err != nil {
			return nil
		}
		sys := ev.obj("Event").obj("System")
		if sys == nil {
			return nil
		}
		ae := attackEvent{ev: ev, line: r.Line}
		if st, ok := sys.obj("TimeCreated").get("SystemTime"); ok {
			if s, ok := st.(string); ok {
				if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
					ae.t = t
				}
			}
		}
		sc.events = append(sc.events, ae)
		return nil
	}, func(error) {})
	if err != nil {
		return nil, err
	}
	if len(sc.events) == 0 {
		return nil, nil
	}
	return sc, nil
}

// inject writes an attack scenario on this host: the events keep their
// order and spacing (squeezed into at most an hour), move to this host's
// name, and are labelled.
func (g *gen) inject(a *attackPlan) {
	var first, last time.Time
	for _, e := range a.sc.events {
		if e.t.IsZero() {
			continue
		}
		if first.IsZero() || e.t.Before(first) {
			first = e.t
		}
		if e.t.After(last) {
			last = e.t
		}
	}
	span := last.Sub(first)
	scale := 1.0
	if span > time.Hour {
		scale = float64(time.Hour) / float64(span)
	}
	for i, e := range a.sc.events {
		off := time.Duration(i) * time.Millisecond
		if !e.t.IsZero() {
			off = time.Duration(float64(e.t.Sub(first)) * scale)
		}
		t := a.start.Add(off)
		ev := cloneJSON(e.ev).(jobj)
		sys := ev.obj("Event").obj("System")
		src := ""
		if c, ok := sys.get("Computer"); ok {
			src, _ = c.(string)
		}
		short, _, _ := strings.Cut(src, ".")
		if short != "" {
			walkStrings(ev, func(k, s string) string {
				if src != short {
					s = replaceFold(s, src, g.h.fqdn)
				}
				return replaceFold(s, short, g.h.name)
			})
		}
		sys.set("Computer", g.h.fqdn)
		if tc := sys.obj("TimeCreated"); tc != nil {
			tc.set("SystemTime", sysTime(t))
		}
		if data := ev.obj("Event").obj("EventData"); data != nil {
			for j := range data {
				if data[j].K == "UtcTime" {
					data[j].V = utcTime(t)
				}
			}
		}
		g.events = append(g.events, simEvent{
			t: t, seq: len(g.events), raw: appendJSON(nil, ev),
			attack: &attackRef{scenario: a.sc.name, source: a.sc.source, sourceLine: e.line},
		})
	}
}
