package bench

import (
	"bytes"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/tanchi-dev/tanchi/corpus"
)

// The lanes. Each is a stream of raw JSON events, one per line: benign for
// the most part, with attack events making up AttackFraction (1%) of it,
// shuffled by a seed. Events keep the JSON their corpus has: evtx
// ({"Event":{"System":...,"EventData":...}}) from evtx-rs-parser-samples
// and the two EVTX attack sets; nxlog-flat, or winlogbeat-legacy for five
// files, from OTRF.
//
// Benign events are the events of evtx-rs-parser-samples (real machines)
// and the background of the attack simulations: events whose fingerprint
// (the programs, command lines, objects, keys and files an event is about;
// see fpPathFields) occurs in at least backgroundFiles OTRF simulation
// files or in evtx-rs-parser-samples. They are drawn with replacement, as
// often as they occur in the sources, so the common background (process
// access, registry) dominates as it does in real telemetry. Attack events
// are the other events of evtx-attack-samples and evtx-to-mitre-attack,
// each used once before any repeats. OTRF events with rare fingerprints
// are in neither pool: they mix the simulated attack with one-off
// background, and nothing tells them apart. Background recurring across
// simulations (whoami, WinRM hosts) stays benign even when rules fire on
// it, as it would in a real network.
const (
	// LaneSysmonProcess is Sysmon process creation (event id 1) only, the
	// category most Sigma rules target. Benign: 650 distinct events for
	// 797 source events (227 evtx-rs-parser-samples, 513 OTRF background,
	// 57 background of the attack sets). Attack: 1,446 process creations
	// (1,432 evtx-attack-samples, 14 evtx-to-mitre-attack).
	LaneSysmonProcess = "sysmon-process"
	// LaneSysmonMixed is every Sysmon event id in the proportions of the
	// benign sources: process access (10) 55%, registry (12, 13) 30%,
	// image loads (7) 12%, then network (3), raw disk access (9), files
	// (11), pipes (18), process creation (1, 0.2%) and the rest. Benign:
	// 88,131 distinct events for 367,474, nearly all OTRF. Attack: 2,781
	// events, half of them process creations, then image loads, registry,
	// files and process access.
	LaneSysmonMixed = "sysmon-mixed"
	// LaneSecurity is the Security channel, every event id in the
	// proportions of the benign sources: handle and object access (4656,
	// 4658, 4663, 4690) over half, filtering platform (5156, 5158, 5447),
	// token rights (4703), logons (4624, 4672), process creation (4688)
	// and 58 more. Benign: 18,416 distinct events for 94,436. Attack:
	// 7,179 events, mostly share access (5145, 5140), process creation
	// (4688), privileged service calls (4674) and directory access (4661,
	// 4662).
	LaneSecurity = "security"
)

// LaneSpec describes the events of one lane.
type LaneSpec struct {
	Name string
	// Channel is the Windows event log channel, compared without regard
	// to case (some OTRF files write "security").
	Channel string
	// EventIDs restricts the lane to these event ids; nil takes them all.
	EventIDs []int
	// AttackFraction is the share of a stream drawn from the attack pool.
	AttackFraction float64
}

const (
	sysmonChannel   = "Microsoft-Windows-Sysmon/Operational"
	securityChannel = "Security"
)

var lanes = []LaneSpec{
	{Name: LaneSysmonProcess, Channel: sysmonChannel, EventIDs: []int{1}, AttackFraction: 0.01},
	{Name: LaneSysmonMixed, Channel: sysmonChannel, AttackFraction: 0.01},
	{Name: LaneSecurity, Channel: securityChannel, AttackFraction: 0.01},
}

// LaneNames returns the names of the lanes, in a fixed order.
func LaneNames() []string {
	names := make([]string, len(lanes))
	for i, l := range lanes {
		names[i] = l.Name
	}
	return names
}

// LaneByName returns the spec of the named lane.
func LaneByName(name string) (LaneSpec, bool) {
	for _, l := range lanes {
		if l.Name == name {
			l.EventIDs = slices.Clone(l.EventIDs)
			return l, true
		}
	}
	return LaneSpec{}, false
}

func (l LaneSpec) has(e *poolEvent) bool {
	return e.channel == l.Channel && (l.EventIDs == nil || slices.Contains(l.EventIDs, e.eid))
}

// LaneStream is a generated lane.
type LaneStream struct {
	// Events are the raw JSON events, one object each without a trailing
	// newline. They share memory with the pools: do not modify them. The
	// same event may occur more than once.
	Events [][]byte
	// Attack[i] reports whether Events[i] came from the attack pool.
	Attack []bool
}

// Lane returns n raw JSON events of the named lane (see LaneNames),
// generated from the corpora in sharedDir (the ../shared folder). The same
// seed gives the same events in the same order. The pools are read once per
// sharedDir and kept for the life of the process.
func Lane(sharedDir, name string, n int, seed int64) ([][]byte, error) {
	s, err := GenerateLane(sharedDir, name, n, seed)
	if err != nil {
		return nil, err
	}
	return s.Events, nil
}

// GenerateLane is Lane, telling which events are attack events.
func GenerateLane(sharedDir, name string, n int, seed int64) (*LaneStream, error) {
	spec, ok := LaneByName(name)
	if !ok {
		return nil, fmt.Errorf("unknown lane %q (lanes: %v)", name, LaneNames())
	}
	if n < 0 {
		return nil, fmt.Errorf("lane %s: negative event count %d", name, n)
	}
	p, err := loadPools(sharedDir)
	if err != nil {
		return nil, err
	}
	benign, attack := p.lane(spec)
	nAttack := int(math.Round(float64(n) * spec.AttackFraction))
	if len(benign) == 0 || nAttack > 0 && len(attack) == 0 {
		return nil, fmt.Errorf("lane %s: no events in %s (benign pool %d, attack pool %d)", name, sharedDir, len(benign), len(attack))
	}
	r := rand.New(rand.NewPCG(uint64(seed), 0x7a6e63686c616e65))

	// Benign events with replacement, each as likely as the source events
	// it stands for.
	cum := make([]int64, len(benign))
	var total int64
	for i, e := range benign {
		total += int64(e.weight)
		cum[i] = total
	}
	s := &LaneStream{Events: make([][]byte, n), Attack: make([]bool, n)}
	for i := range n - nAttack {
		j, _ := slices.BinarySearch(cum, r.Int64N(total)+1) // the first cum[j] > the draw
		s.Events[i] = benign[j].raw
	}
	// Attack events: every one once before any repeats.
	perm := r.Perm(max(len(attack), 1))
	for i := range nAttack {
		s.Events[n-nAttack+i] = attack[perm[i%len(perm)]].raw
		s.Attack[n-nAttack+i] = true
	}
	r.Shuffle(n, func(i, j int) {
		s.Events[i], s.Events[j] = s.Events[j], s.Events[i]
		s.Attack[i], s.Attack[j] = s.Attack[j], s.Attack[i]
	})
	return s, nil
}

// PoolStats describes the pools a lane draws from.
type PoolStats struct {
	// Benign is the number of distinct benign events kept; they stand for
	// BenignSource events of the corpora (of the events with one
	// fingerprint in one file, 4 are kept and carry the others' weight).
	Benign, BenignSource int
	// Attack is the number of distinct attack events.
	Attack int
	// BenignByCorpus and AttackByCorpus count source events per corpus.
	BenignByCorpus, AttackByCorpus map[string]int
	// EventIDs is the share of each event id among the benign source
	// events: the proportions a stream has.
	EventIDs map[int]float64
	// Load is how long reading the corpora took (once per sharedDir).
	Load time.Duration
}

// LanePools reports the pools of the named lane.
func LanePools(sharedDir, name string) (PoolStats, error) {
	spec, ok := LaneByName(name)
	if !ok {
		return PoolStats{}, fmt.Errorf("unknown lane %q (lanes: %v)", name, LaneNames())
	}
	p, err := loadPools(sharedDir)
	if err != nil {
		return PoolStats{}, err
	}
	benign, attack := p.lane(spec)
	st := PoolStats{
		Benign: len(benign), Attack: len(attack),
		BenignByCorpus: map[string]int{}, AttackByCorpus: map[string]int{},
		EventIDs: map[int]float64{}, Load: p.load,
	}
	for _, e := range benign {
		st.BenignSource += e.weight
		st.BenignByCorpus[e.corpus] += e.weight
		st.EventIDs[e.eid] += float64(e.weight)
	}
	for id := range st.EventIDs {
		st.EventIDs[id] /= float64(st.BenignSource)
	}
	for _, e := range attack {
		st.AttackByCorpus[e.corpus]++
	}
	return st, nil
}

// The corpora the pools come from, under sharedDir/corpora, and what their
// events are.
type role int

const (
	benignRole     role = iota // every event is benign
	backgroundRole             // attack simulations in a lab: background if its fingerprint recurs
	attackRole                 // attack simulations: attack events, and background noise around them
)

var laneCorpora = []struct {
	name string
	role role
}{
	{"evtx-rs-parser-samples", benignRole},
	{"otrf-security-datasets", backgroundRole},
	{"evtx-attack-samples", attackRole},
	{"evtx-to-mitre-attack", attackRole},
}

const (
	// backgroundFiles is how many OTRF simulation files a fingerprint must
	// occur in to count as lab background.
	backgroundFiles = 3
	// keepPerFingerprint is how many events of one fingerprint are kept
	// per benign or background file; the others add to their weight. This
	// bounds memory (OTRF has 480,000 Sysmon events) but not variety.
	keepPerFingerprint = 4
)

// poolEvent is one event of a pool.
type poolEvent struct {
	raw     []byte
	channel string // sysmonChannel or securityChannel
	eid     int
	fp      uint64
	weight  int // source events it stands for
	corpus  string
}

// pools holds the events of every lane, read from one sharedDir.
type pools struct {
	benign, attack []*poolEvent // in corpus and file order
	load           time.Duration
}

// lane returns the benign and attack pools of spec.
func (p *pools) lane(spec LaneSpec) (benign, attack []*poolEvent) {
	for _, e := range p.benign {
		if spec.has(e) {
			benign = append(benign, e)
		}
	}
	for _, e := range p.attack {
		if spec.has(e) {
			attack = append(attack, e)
		}
	}
	return benign, attack
}

type poolsEntry struct {
	once sync.Once
	p    *pools
	err  error
}

var poolsMemo sync.Map // absolute sharedDir -> *poolsEntry

// loadPools reads the pools of sharedDir, once per process.
func loadPools(sharedDir string) (*pools, error) {
	dir, err := filepath.Abs(sharedDir)
	if err != nil {
		return nil, err
	}
	v, _ := poolsMemo.LoadOrStore(dir, &poolsEntry{})
	e := v.(*poolsEntry)
	e.once.Do(func() { e.p, e.err = readPools(dir) })
	return e.p, e.err
}

// fileResult is what reading one file gives: its events of the lanes'
// channels grouped by fingerprint, in the order each was first seen.
type fileResult struct {
	corpus string
	role   role
	sum    uint64 // of the file's events, to skip copies of a file
	groups []*fpGroup
	err    error
}

type fpGroup struct {
	channel string
	eid     int
	fp      uint64
	count   int
	raws    [][]byte
}

func readPools(dir string) (*pools, error) {
	start := time.Now()
	type job struct {
		path   string
		corpus string
		role   role
	}
	var jobs []job
	for _, c := range laneCorpora {
		events := filepath.Join(dir, "corpora", c.name, "events")
		if _, err := os.Stat(events); err != nil {
			return nil, fmt.Errorf("lane corpora: %w", err)
		}
		files, err := corpus.Files(events)
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			jobs = append(jobs, job{f, c.name, c.role})
		}
	}
	results := make([]fileResult, len(jobs))
	next := make(chan int)
	var wg sync.WaitGroup
	seed := maphash.MakeSeed()
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := range next {
				j := jobs[i]
				results[i] = readLaneFile(j.path, j.role, seed)
				results[i].corpus = j.corpus
			}
		})
	}
	for i := range jobs {
		next <- i
	}
	close(next)
	wg.Wait()

	// Drop copies of a file (OTRF and evtx-rs each hold one), then count
	// in how many OTRF files each fingerprint occurs.
	seen := map[uint64]bool{}
	background := map[uint64]int{}
	benignFP := map[uint64]bool{}
	kept := results[:0]
	for _, r := range results {
		if r.err != nil {
			return nil, r.err
		}
		if seen[r.sum] {
			continue
		}
		seen[r.sum] = true
		kept = append(kept, r)
		for _, g := range r.groups {
			switch r.role {
			case backgroundRole:
				background[g.fp]++ // one group per fingerprint and file
			case benignRole:
				benignFP[g.fp] = true
			}
		}
	}
	isBackground := func(fp uint64) bool { return benignFP[fp] || background[fp] >= backgroundFiles }

	p := &pools{}
	attackSeen := map[string]bool{}
	for _, r := range kept {
		for _, g := range r.groups {
			switch {
			case r.role == attackRole && !isBackground(g.fp):
				for _, raw := range g.raws {
					if attackSeen[string(raw)] {
						continue
					}
					attackSeen[string(raw)] = true
					p.attack = append(p.attack, &poolEvent{raw: raw, channel: g.channel, eid: g.eid, fp: g.fp, weight: 1, corpus: r.corpus})
				}
			case r.role == benignRole || isBackground(g.fp):
				// Benign files, the lab background, and the background
				// noise around the attacks of the attack sets.
				// Spread the group's count over the events kept of it.
				for i, raw := range g.raws {
					w := g.count / len(g.raws)
					if i < g.count%len(g.raws) {
						w++
					}
					p.benign = append(p.benign, &poolEvent{raw: raw, channel: g.channel, eid: g.eid, fp: g.fp, weight: w, corpus: r.corpus})
				}
			}
		}
	}
	p.load = time.Since(start)
	return p, nil
}

// readLaneFile reads one event file: the events of the lanes' channels,
// grouped by fingerprint. Benign and background files keep
// keepPerFingerprint events of each group; attack files keep them all.
func readLaneFile(path string, ro role, seed maphash.Seed) fileResult {
	res := fileResult{role: ro}
	r, err := corpus.Open(path)
	if err != nil {
		res.err = err
		return res
	}
	defer r.Close()
	var (
		sum    maphash.Hash
		groups = map[uint64]*fpGroup{}
		f      eventFields
		buf    []byte
	)
	sum.SetSeed(seed)
	for {
		rec, err := r.Next()
		if err == io.EOF {
			break
		}
		var ce *corpus.Error
		if errors.As(err, &ce) {
			continue // a damaged record (evtx-rs has some) or the end of a damaged file
		}
		if err != nil {
			res.err = err
			return res
		}
		sum.Write(rec.Raw)
		sum.WriteByte('\n')
		f.read(rec.Raw)
		channel := ""
		switch {
		case bytes.EqualFold(f.channel, []byte(sysmonChannel)):
			channel = sysmonChannel
		case bytes.EqualFold(f.channel, []byte(securityChannel)):
			channel = securityChannel
		default:
			continue
		}
		eid, err := strconv.Atoi(string(f.eid))
		if err != nil {
			continue
		}
		buf = f.fingerprint(buf[:0], channel, eid)
		fp := maphash.Bytes(seed, buf)
		g := groups[fp]
		if g == nil {
			g = &fpGroup{channel: channel, eid: eid, fp: fp}
			groups[fp] = g
			res.groups = append(res.groups, g)
		}
		g.count++
		if ro == attackRole || len(g.raws) < keepPerFingerprint {
			g.raws = append(g.raws, bytes.Clone(rec.Raw))
		}
	}
	res.sum = sum.Sum64()
	return res
}

// The fields a fingerprint is made of: what an event is about (programs,
// command lines, objects, registry keys, files, shares, services), not who
// or when (users, hosts, ids, times). Path-like values are normalised (see
// appendNorm); the enumerations are taken as they are.
var (
	fpPathFields = []string{
		"Image", "CommandLine", "ParentImage", "TargetImage", "SourceImage", "TargetObject",
		"TargetFilename", "ImageLoaded", "QueryName", "PipeName",
		"NewProcessName", "ProcessName", "ParentProcessName", "ObjectName", "ObjectType",
		"ShareName", "RelativeTargetName", "ServiceName", "ServiceFileName", "TaskName",
		"Application", "AuthenticationPackageName", "PrivilegeList", "AttributeLDAPDisplayName",
	}
	fpEnumFields = []string{"GrantedAccess", "EventType", "LogonType", "AccessMask", "Direction", "Protocol"}
	fpIndex      = func() map[string]int {
		m := map[string]int{}
		for i, f := range slices.Concat(fpPathFields, fpEnumFields) {
			m[f] = i
		}
		return m
	}()
)

// eventFields are the fields of one event a fingerprint needs, read from
// its JSON without decoding it. Values are raw JSON: strings keep their
// quotes and escapes.
type eventFields struct {
	channel, eid []byte
	vals         [32][]byte
}

// read fills f from raw, a valid JSON object in any of the three shapes:
// evtx (Event.System, Event.EventData), winlogbeat-legacy (log_name,
// event_id, event_data) or nxlog-flat (everything at the top).
func (f *eventFields) read(raw []byte) {
	*f = eventFields{}
	members(raw, func(k, v []byte) {
		switch string(k) {
		case "Event":
			members(v, func(k, v []byte) {
				switch string(k) {
				case "System":
					members(v, func(k, v []byte) {
						switch string(k) {
						case "Channel":
							f.channel = unquote(v)
						case "EventID":
							f.eid = unquote(v)
						}
					})
				case "EventData":
					members(v, f.set)
				}
			})
		case "event_data":
			members(v, f.set)
		case "Channel", "log_name":
			f.channel = unquote(v)
		case "EventID", "event_id":
			f.eid = unquote(v)
		default:
			f.set(k, v)
		}
	})
}

func (f *eventFields) set(k, v []byte) {
	if i, ok := fpIndex[string(k)]; ok {
		f.vals[i] = v
	}
}

// fingerprint appends the fingerprint of the event to buf.
func (f *eventFields) fingerprint(buf []byte, channel string, eid int) []byte {
	buf = append(buf, channel...)
	buf = strconv.AppendInt(append(buf, 0), int64(eid), 10)
	for i := range fpPathFields {
		buf = appendNorm(append(buf, 0), unquote(f.vals[i]))
	}
	for i := range fpEnumFields {
		buf = append(append(buf, 0), bytes.ToLower(unquote(f.vals[len(fpPathFields)+i]))...)
	}
	return buf
}

// appendNorm appends v lowercased, with backslashes as slashes and every
// run of letters and digits that holds a digit as "#": C:\Windows\System32
// and C:\Windows\SysWOW64 are the same, and so are two temporary file
// names, process ids or GUIDs.
func appendNorm(buf, v []byte) []byte {
	for i := 0; i < len(v); {
		c := v[i]
		if isAlnum(c) {
			j, digit := i, false
			for j < len(v) && isAlnum(v[j]) {
				digit = digit || v[j] >= '0' && v[j] <= '9'
				j++
			}
			if digit {
				buf = append(buf, '#')
			} else {
				for _, c := range v[i:j] {
					buf = append(buf, c|0x20) // letters only
				}
			}
			i = j
			continue
		}
		if c == '\\' {
			c = '/'
		}
		buf = append(buf, c)
		i++
	}
	return buf
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c|0x20 >= 'a' && c|0x20 <= 'z'
}

func unquote(v []byte) []byte {
	if len(v) >= 2 && v[0] == '"' {
		return v[1 : len(v)-1]
	}
	return v
}

// members calls fn with the key and raw value of each member of obj, a
// valid JSON object; anything else is ignored.
func members(obj []byte, fn func(key, val []byte)) {
	if len(obj) == 0 || obj[0] != '{' {
		return
	}
	i := skipSpace(obj, 1)
	for i < len(obj) && obj[i] == '"' {
		end := stringEnd(obj, i)
		key := obj[i+1 : end-1]
		i = skipSpace(obj, end)
		if i >= len(obj) || obj[i] != ':' {
			return
		}
		i = skipSpace(obj, i+1)
		if i >= len(obj) {
			return
		}
		vend := valueEnd(obj, i)
		fn(key, obj[i:vend])
		i = skipSpace(obj, vend)
		if i < len(obj) && obj[i] == ',' {
			i = skipSpace(obj, i+1)
		}
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index just past the string starting at b[i].
func stringEnd(b []byte, i int) int {
	j := i + 1
	for {
		k := bytes.IndexByte(b[j:], '"')
		if k < 0 {
			return len(b)
		}
		j += k
		n := 0
		for p := j - 1; p > i && b[p] == '\\'; p-- {
			n++
		}
		if n%2 == 0 {
			return j + 1
		}
		j++
	}
}

// valueEnd returns the index just past the value starting at b[i].
func valueEnd(b []byte, i int) int {
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				j = stringEnd(b, j) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return len(b)
	}
	j := i
	for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ' ' && b[j] != '\t' && b[j] != '\n' && b[j] != '\r' {
		j++
	}
	return j
}
