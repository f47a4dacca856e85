package corpus

import (
	"bufio"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// SimConfig describes a simulated fleet. The zero value of every optional
// field has a sensible default.
type SimConfig struct {
	Hosts int   // number of hosts, at least 1
	Days  int   // number of days, at least 1
	Seed  int64 // the same seed (and the same other settings) gives the same files

	// Start is the first simulated day (its date in UTC is used). Zero
	// means 2026-03-04, a Wednesday, so that a 7-day run ends on a Tuesday
	// and its last two days are working days.
	Start time.Time

	// Density scales the everyday activity of users (browsing, Office) that
	// makes up most events; 0 means 1. It does not change how often the
	// management software runs, so it changes the volume of a run and not
	// the alerts in it.
	Density float64

	// Corpora is the shared corpora folder (../shared/corpora). With it,
	// real benign events (evtx-rs-parser-samples) are replayed on the
	// simulated hosts as background, and attack scenarios can be injected.
	// Empty means built-in behaviour only.
	Corpora string

	// Attacks is the number of attack scenarios to inject from the attack
	// corpora (evtx-attack-samples, evtx-to-mitre-attack); it needs
	// Corpora. Each scenario is one source file of real attack events,
	// replayed on one workstation during working hours.
	Attacks int
}

// SimSummary describes what Simulate wrote.
type SimSummary struct {
	Seed    int64         `json:"seed"`
	Hosts   []SimHost     `json:"hosts"`
	Days    []string      `json:"days"` // YYYY-MM-DD, in order
	Events  int           `json:"events"`
	PerDay  []int         `json:"events_per_day"`
	Files   []string      `json:"files"`   // event files, relative to the output folder, slash-separated
	Attacks []SimAttack   `json:"attacks"` // injected scenarios
	Labels  int           `json:"labels"`  // injected attack events (lines of labels.jsonl)
	Replay  int           `json:"replayed_events"`
	Sources []string      `json:"replay_sources,omitempty"`
	Config  simConfigJSON `json:"config"`
}

type simConfigJSON struct {
	Hosts   int     `json:"hosts"`
	Days    int     `json:"days"`
	Start   string  `json:"start"`
	Density float64 `json:"density"`
	Attacks int     `json:"attacks"`
	Corpora bool    `json:"corpora"`
}

// SimHost is one simulated host.
type SimHost struct {
	Name string `json:"name"`
	FQDN string `json:"fqdn"`
	IP   string `json:"ip"`
	Role string `json:"role"` // workstation, it-admin or server
	Dept string `json:"dept,omitempty"`
	User string `json:"user,omitempty"` // DOMAIN\name of the primary user
}

// SimAttack is one injected attack scenario.
type SimAttack struct {
	Scenario string `json:"scenario"` // the source file's path inside its corpus, without extension
	Source   string `json:"source"`   // the source file, relative to the corpora folder
	Host     string `json:"host"`
	Day      string `json:"day"`
	Start    string `json:"start"`
	Events   int    `json:"events"`
}

// SimLabel is one line of labels.jsonl: an injected attack event and
// where it came from.
type SimLabel struct {
	File       string `json:"file"` // relative to the output folder, slash-separated
	Line       int    `json:"line"`
	Host       string `json:"host"`
	Time       string `json:"time"`
	Scenario   string `json:"scenario"`
	Source     string `json:"source"`
	SourceLine int    `json:"source_line"`
}

// The files Simulate writes in its output folder.
const (
	SimEventsDir    = "events"        // events/<YYYY-MM-DD>/<HOST>.jsonl
	SimLabelsFile   = "labels.jsonl"  // one SimLabel per injected attack event
	SimManifestFile = "manifest.json" // the SimSummary
)

var defaultStart = time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC)

func (c *SimConfig) normalize() error {
	if c.Hosts < 1 || c.Hosts > 100_000 {
		return fmt.Errorf("simulate: hosts must be between 1 and 100000, got %d", c.Hosts)
	}
	if c.Days < 1 || c.Days > 366 {
		return fmt.Errorf("simulate: days must be between 1 and 366, got %d", c.Days)
	}
	if c.Density < 0 || c.Density > 1000 {
		return fmt.Errorf("simulate: density must be between 0 and 1000, got %g", c.Density)
	}
	if c.Density == 0 {
		c.Density = 1
	}
	if c.Start.IsZero() {
		c.Start = defaultStart
	}
	y, m, d := c.Start.UTC().Date()
	c.Start = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	if c.Attacks < 0 {
		return fmt.Errorf("simulate: attacks must not be negative, got %d", c.Attacks)
	}
	if c.Attacks > 0 && c.Corpora == "" {
		return errors.New("simulate: injecting attacks needs the shared corpora folder")
	}
	return nil
}

// Simulate writes the telemetry of a simulated fleet into dir, which is
// created if needed: one JSONL file of Windows evtx JSON events per host and
// day under events/<YYYY-MM-DD>/<HOST>.jsonl, each in time order;
// labels.jsonl, listing every injected attack event by file and line (empty
// when none were injected); and manifest.json, the returned summary.
//
// The fleet is a small company's: workstations whose users log on in the
// morning, browse, use Office and leave in the evening; a few servers; IT
// administrators. Its own management software is what makes a detection
// rule set noisy in the first week: an RMM agent that runs PowerShell with
// -EncodedCommand and a daily inventory (whoami, systeminfo, wmic, net),
// a software rollout that installs an MSI quietly from the deployment share
// and adds firewall rules and scheduled tasks, a per-user updater that
// schedules a task from its temporary folder, PsExec and AnyDesk in the
// hands of IT, logon scripts that map drives from NETLOGON, an Excel add-in
// that calls a batch file on a share, a line-of-business updater that
// downloads with bitsadmin, and nightly shadow copies by the backup agent.
// Volatile values vary as in real logs: user names and profile folders,
// GUIDs, process ids, temporary names, version numbers, hex tokens.
//
// The same configuration always writes the same bytes. Memory use is one
// host-day of events at a time.
func Simulate(cfg SimConfig, dir string) (*SimSummary, error) {
	if err := cfg.normalize(); err != nil {
		return nil, err
	}
	f, err := newFleet(cfg)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(dir, SimEventsDir), 0o755); err != nil {
		return nil, err
	}
	sum := &SimSummary{Seed: cfg.Seed, Config: simConfigJSON{
		Hosts: cfg.Hosts, Days: cfg.Days, Start: cfg.Start.Format(time.DateOnly),
		Density: cfg.Density, Attacks: cfg.Attacks, Corpora: cfg.Corpora != "",
	}}
	for _, h := range f.hosts {
		sh := SimHost{Name: h.name, FQDN: h.fqdn, IP: h.ip, Role: h.role.String(), Dept: h.dept}
		if h.user != nil {
			sh.User = `CORP\` + h.user.name
		}
		sum.Hosts = append(sum.Hosts, sh)
	}
	if f.replay != nil {
		sum.Sources = f.replay.sources
	}
	labels, err := os.Create(filepath.Join(dir, SimLabelsFile))
	if err != nil {
		return nil, err
	}
	defer labels.Close()
	lw := bufio.NewWriter(labels)
	var buf []byte
	for day := 0; day < cfg.Days; day++ {
		date := cfg.Start.AddDate(0, 0, day)
		dayName := date.Format(time.DateOnly)
		sum.Days = append(sum.Days, dayName)
		sum.PerDay = append(sum.PerDay, 0)
		dayDir := filepath.Join(dir, SimEventsDir, dayName)
		if err := os.MkdirAll(dayDir, 0o755); err != nil {
			return nil, err
		}
		for _, h := range f.hosts {
			evs := f.genDay(h, day)
			if len(evs) == 0 {
				continue
			}
			rel := SimEventsDir + "/" + dayName + "/" + h.name + ".jsonl"
			out, err := os.Create(filepath.Join(dayDir, h.name+".jsonl"))
			if err != nil {
				return nil, err
			}
			w := bufio.NewWriterSize(out, 256<<10)
			for i := range evs {
				e := &evs[i]
				buf = buf[:0]
				if e.raw != nil {
					buf = append(buf, e.raw...)
				} else {
					h.recordIDs[e.channel]++
					e.ev.obj("Event").obj("System").set("EventRecordID", h.recordIDs[e.channel])
					buf = appendJSON(buf, e.ev)
				}
				buf = append(buf, '\n')
				if _, err := w.Write(buf); err != nil {
					out.Close()
					return nil, err
				}
				if e.attack != nil {
					l := SimLabel{File: rel, Line: i + 1, Host: h.name, Time: sysTime(e.t),
						Scenario: e.attack.scenario, Source: e.attack.source, SourceLine: e.attack.sourceLine}
					b, _ := json.Marshal(l)
					lw.Write(b)
					lw.WriteByte('\n')
					sum.Labels++
				}
				if e.replayed {
					sum.Replay++
				}
			}
			if err := w.Flush(); err != nil {
				out.Close()
				return nil, err
			}
			if err := out.Close(); err != nil {
				return nil, err
			}
			sum.Files = append(sum.Files, rel)
			sum.Events += len(evs)
			sum.PerDay[day] += len(evs)
		}
	}
	if err := lw.Flush(); err != nil {
		return nil, err
	}
	if err := labels.Close(); err != nil {
		return nil, err
	}
	for _, a := range f.attackPlan {
		sum.Attacks = append(sum.Attacks, SimAttack{
			Scenario: a.sc.name, Source: a.sc.source, Host: a.host.name,
			Day: cfg.Start.AddDate(0, 0, a.day).Format(time.DateOnly), Start: sysTime(a.start), Events: len(a.sc.events),
		})
	}
	m, err := json.MarshalIndent(sum, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, SimManifestFile), append(m, '\n'), 0o644); err != nil {
		return nil, err
	}
	return sum, nil
}

// ReadSimLabels reads the labels.jsonl of a simulated fleet.
func ReadSimLabels(path string) ([]SimLabel, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []SimLabel
	for i, line := range strings.Split(string(src), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		var l SimLabel
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			return nil, fmt.Errorf("%s:%d: %v", path, i+1, err)
		}
		out = append(out, l)
	}
	return out, nil
}

// role is what a host is for.
type role uint8

const (
	roleWorkstation role = iota
	roleITAdmin
	roleServer
)

func (r role) String() string {
	switch r {
	case roleITAdmin:
		return "it-admin"
	case roleServer:
		return "server"
	}
	return "workstation"
}

type simUser struct {
	name  string // j.doe
	sid   string
	admin bool // local administrator: elevated processes run High
}

type simHost struct {
	idx        int
	name, fqdn string
	ip         string
	role       role
	dept       string
	user       *simUser // primary user; for IT hosts the admin's everyday account
	admin      *simUser // IT hosts: the adm- account used for remote administration
	guidPrefix uint32
	// well-known process ids of the host
	sysmonPID, lsassPID, servicesPID, winlogonPID int
	anydesk                                       bool // helpdesk remote access installed
	lob                                           bool // the line-of-business client (bitsadmin updater)
	finance                                       bool // the Excel ledger add-in
	alwaysOn                                      bool // left on at night
	collabDay                                     int  // the day the NwCollab rollout reaches it (-1: never)
	recordIDs                                     map[string]int
}

// fleet is the state shared by the hosts of a simulation.
type fleet struct {
	cfg        SimConfig
	hosts      []*simHost
	byName     map[string]*simHost
	admins     []*simHost // IT admin workstations
	servers    []*simHost
	replay     *replayPool
	attackPlan []*attackPlan
	remote     map[int][]remoteSession // by day
}

// remoteSession is an IT administrator's PsExec session to another host.
type remoteSession struct {
	from, to *simHost
	start    float64 // seconds since midnight
	cmd      string
}

var firstNames = []string{
	"anna", "ben", "carla", "david", "elif", "farid", "grace", "hugo", "ines", "jakub",
	"kate", "liam", "maria", "noah", "olga", "pavel", "quinn", "rosa", "sam", "tomas",
	"uma", "victor", "wen", "xavier", "yara", "zoe", "amir", "bianca", "chen", "dina",
	"emil", "fatima", "georg", "hana", "ivan", "julia", "kofi", "lena", "marek", "nina",
}

var lastNames = []string{
	"adams", "brandt", "costa", "dubois", "evans", "fischer", "garcia", "hughes", "ivanova", "jensen",
	"kowalski", "lindqvist", "moreau", "novak", "okafor", "patel", "quist", "rossi", "schmidt", "tanaka",
	"ueda", "varga", "walsh", "xu", "yilmaz", "zimmer", "baker", "clarke", "doyle", "ellis",
}

var depts = []string{"finance", "sales", "engineering", "hr", "operations", "sales", "engineering", "finance"}

var serverNames = []string{"SRV-FS01", "SRV-APP01", "SRV-DB01", "SRV-APP02", "SRV-PRN01", "SRV-FS02", "SRV-APP03", "SRV-WEB01"}

const domainSID = "S-1-5-21-3421087652-1902547839-2870245113"

func hashString(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

func newFleet(cfg SimConfig) (*fleet, error) {
	f := &fleet{cfg: cfg, byName: map[string]*simHost{}, remote: map[int][]remoteSession{}}
	rng := rand.New(rand.NewPCG(uint64(cfg.Seed), 0x5eed))
	usedNames := map[string]bool{}
	ws, srv := 0, 0
	for i := 0; i < cfg.Hosts; i++ {
		h := &simHost{idx: i, recordIDs: map[string]int{}, collabDay: -1}
		switch {
		case cfg.Hosts >= 5 && i%10 == 4:
			h.role = roleServer
		case i%20 == 0:
			h.role = roleITAdmin
		}
		switch h.role {
		case roleServer:
			if srv < len(serverNames) {
				h.name = serverNames[srv]
			} else {
				h.name = fmt.Sprintf("SRV-%03d", srv+1)
			}
			srv++
		case roleITAdmin:
			ws++
			h.name = fmt.Sprintf("WS-IT%02d", len(f.admins)+1)
			h.dept = "it"
		default:
			ws++
			h.name = fmt.Sprintf("WS-%03d", ws)
			h.dept = depts[(i*7+int(cfg.Seed&7))%len(depts)]
		}
		h.fqdn = h.name + ".corp.example"
		h.ip = fmt.Sprintf("10.20.%d.%d", 10+i/200, 10+i%200)
		h.guidPrefix = uint32(hashString(fmt.Sprintf("%d/%s", cfg.Seed, h.name)))
		h.sysmonPID = 4 * (400 + rng.IntN(800))
		h.lsassPID = 4 * (150 + rng.IntN(100))
		h.servicesPID = 4 * (140 + rng.IntN(100))
		h.winlogonPID = 4 * (120 + rng.IntN(100))
		if h.role != roleServer {
			var name string
			for {
				name = firstNames[rng.IntN(len(firstNames))][:1] + "." + lastNames[rng.IntN(len(lastNames))]
				if !usedNames[name] {
					break
				}
				name += fmt.Sprint(rng.IntN(90) + 10)
				if !usedNames[name] {
					break
				}
			}
			usedNames[name] = true
			h.user = &simUser{name: name, sid: fmt.Sprintf("%s-%d", domainSID, 1100+i), admin: rng.Float64() < 0.3}
			h.anydesk = rng.Float64() < 0.25
			h.lob = h.dept == "finance" || h.dept == "sales"
			h.finance = h.dept == "finance"
			h.alwaysOn = rng.Float64() < 0.6
		} else {
			h.alwaysOn = true
		}
		if h.role == roleITAdmin {
			h.user.admin = true
			h.admin = &simUser{name: "adm-" + strings.ReplaceAll(h.user.name, ".", ""), sid: fmt.Sprintf("%s-%d", domainSID, 5100+i), admin: true}
			f.admins = append(f.admins, h)
		}
		if h.role == roleServer {
			f.servers = append(f.servers, h)
		}
		f.hosts = append(f.hosts, h)
		f.byName[h.name] = h
	}
	// The NwCollab rollout reaches every workstation on one working day,
	// spread over the period.
	var working []int
	for d := 0; d < cfg.Days; d++ {
		if isWorkingDay(cfg.Start.AddDate(0, 0, d)) {
			working = append(working, d)
		}
	}
	for _, h := range f.hosts {
		if h.role != roleServer && len(working) > 0 {
			h.collabDay = working[rng.IntN(len(working))]
		}
	}
	f.planRemote(rng)
	if cfg.Corpora != "" {
		p, err := loadReplayPool(cfg.Corpora)
		if err != nil {
			return nil, err
		}
		f.replay = p
		if cfg.Attacks > 0 {
			if err := f.planAttacks(rng); err != nil {
				return nil, err
			}
		}
	}
	return f, nil
}

func isWorkingDay(t time.Time) bool {
	wd := t.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

var remoteCommands = []string{
	`cmd /c "gpupdate /force"`,
	`cmd /c "ipconfig /flushdns"`,
	`cmd /c "net stop spooler & net start spooler"`,
	`cmd /c "gpupdate /force"`,
	`cmd /c "klist purge"`,
}

// planRemote decides the PsExec sessions of the IT administrators: on
// working days each admin reaches two to four other hosts.
func (f *fleet) planRemote(rng *rand.Rand) {
	if len(f.hosts) < 2 {
		return
	}
	for d := 0; d < f.cfg.Days; d++ {
		if !isWorkingDay(f.cfg.Start.AddDate(0, 0, d)) {
			continue
		}
		for _, a := range f.admins {
			n := 2 + rng.IntN(3)
			for i := 0; i < n; i++ {
				to := f.hosts[rng.IntN(len(f.hosts))]
				if to == a {
					continue
				}
				f.remote[d] = append(f.remote[d], remoteSession{
					from: a, to: to,
					start: float64(9*3600 + rng.IntN(7*3600)),
					cmd:   remoteCommands[rng.IntN(len(remoteCommands))],
				})
			}
		}
		slices.SortStableFunc(f.remote[d], func(x, y remoteSession) int { return cmp.Compare(x.start, y.start) })
	}
}

func (f *fleet) hostIP(name string) string {
	if h, ok := f.byName[strings.ToUpper(name)]; ok {
		return h.ip
	}
	return "10.20.0.5"
}
