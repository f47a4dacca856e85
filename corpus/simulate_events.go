package corpus

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"path"
	"strings"
	"time"
	"unicode/utf16"
)

// This file builds the events of the fleet simulator in the shape the
// shared corpora have (Windows evtx JSON as evtx_dump writes it): Sysmon
// 1, 3, 10, 11, 13, 17, 22, Security 4624, 4634, 4672, 4698, System 7045
// and 7036, PowerShell 4104. Field sets and value formats follow those
// corpora: integers are JSON numbers, HexInt values "0x…" strings, GUIDs
// upper case without braces, times with seven fractional digits.

// simEvent is one generated event before it is written.
type simEvent struct {
	t        time.Time
	seq      int    // generation order, to keep equal times stable
	channel  string // for per-channel record ids
	ev       jobj   // {"Event": {"System": ..., "EventData": ...}}
	raw      []byte // a replayed or injected event, already rewritten; ev is nil
	replayed bool   // raw is a real benign event replayed on this host
	attack   *attackRef
}

// attackRef marks an injected attack event.
type attackRef struct {
	scenario   string
	source     string
	sourceLine int
}

const (
	chSysmon     = "Microsoft-Windows-Sysmon/Operational"
	chSecurity   = "Security"
	chSystem     = "System"
	chPowerShell = "Microsoft-Windows-PowerShell/Operational"
)

func sysTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.0000000Z") }
func utcTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05.000") }

// peInfo is what Sysmon reports about an executable.
type peInfo struct {
	version, description, product, company, original string
}

const msProduct = "Microsoft® Windows® Operating System"
const msCorp = "Microsoft Corporation"
const winVer = "10.0.19041.3636 (WinBuild.160101.0800)"

// binaries describes the executables the simulator starts, by lower-case
// file name.
var binaries = map[string]peInfo{
	"explorer.exe":              {winVer, "Windows Explorer", msProduct, msCorp, "EXPLORER.EXE"},
	"userinit.exe":              {winVer, "Userinit Logon Application", msProduct, msCorp, "USERINIT.EXE"},
	"svchost.exe":               {winVer, "Host Process for Windows Services", msProduct, msCorp, "svchost.exe"},
	"services.exe":              {winVer, "Services and Controller app", msProduct, msCorp, "services.exe"},
	"cmd.exe":                   {winVer, "Windows Command Processor", msProduct, msCorp, "Cmd.Exe"},
	"conhost.exe":               {winVer, "Console Window Host", msProduct, msCorp, "CONHOST.EXE"},
	"powershell.exe":            {"10.0.19041.3570 (WinBuild.160101.0800)", "Windows PowerShell", msProduct, msCorp, "PowerShell.EXE"},
	"msiexec.exe":               {"5.0.19041.3636 (WinBuild.160101.0800)", "Windows® installer", "Windows Installer - Unicode", msCorp, "msiexec.exe"},
	"schtasks.exe":              {winVer, "Task Scheduler Configuration Tool", msProduct, msCorp, "schtasks.exe"},
	"netsh.exe":                 {winVer, "Network Command Shell", msProduct, msCorp, "netsh.exe"},
	"whoami.exe":                {winVer, "whoami - displays logged on user information", msProduct, msCorp, "whoami.exe"},
	"net.exe":                   {winVer, "Net Command", msProduct, msCorp, "net.exe"},
	"net1.exe":                  {winVer, "Net Command", msProduct, msCorp, "net1.exe"},
	"systeminfo.exe":            {winVer, "Displays system information", msProduct, msCorp, "sysinfo.exe"},
	"wmic.exe":                  {winVer, "WMI Commandline Utility", msProduct, msCorp, "wmic.exe"},
	"ipconfig.exe":              {winVer, "IP Configuration Utility", msProduct, msCorp, "ipconfig.exe"},
	"bitsadmin.exe":             {winVer, "BITS administration utility", msProduct, msCorp, "bitsadmin.exe"},
	"vssadmin.exe":              {winVer, "Command Line Interface for Microsoft® Volume Shadow Copy Service ", msProduct, msCorp, "VSSADMIN.EXE"},
	"gpupdate.exe":              {winVer, "Microsoft® Windows Group Policy Update Utility", msProduct, msCorp, "gpupdate.exe"},
	"gpscript.exe":              {winVer, "Group Policy Script Application", msProduct, msCorp, "GPSCRIPT.EXE"},
	"wscript.exe":               {"5.812.10240.16384", "Microsoft ® Windows Based Script Host", "Microsoft ® Windows Script Host", msCorp, "wscript.exe"},
	"nltest.exe":                {winVer, "Microsoft® Logon Server Test Utility", msProduct, msCorp, "nltestrk.exe"},
	"quser.exe":                 {winVer, "Query User Utility", msProduct, msCorp, "quser.exe"},
	"taskhostw.exe":             {winVer, "Host Process for Windows Tasks", msProduct, msCorp, "taskhostw.exe"},
	"backgroundtaskhost.exe":    {winVer, "Background Task Host", msProduct, msCorp, "backgroundTaskHost.exe"},
	"runtimebroker.exe":         {winVer, "Runtime Broker", msProduct, msCorp, "RuntimeBroker.exe"},
	"searchprotocolhost.exe":    {winVer, "Microsoft Windows Search Protocol Host", msProduct, msCorp, "SearchProtocolHost.exe"},
	"mousocoreworker.exe":       {winVer, "MoUSO Core Worker Process", msProduct, msCorp, "MoUsoCoreWorker.exe"},
	"wuauclt.exe":               {winVer, "Windows Update", msProduct, msCorp, "wuauclt.exe"},
	"mpcmdrun.exe":              {"4.18.24010.12 (WinBuild.160101.0800)", "Microsoft Malware Protection Command Line Utility", msProduct, msCorp, "MpCmdRun.exe"},
	"chrome.exe":                {"", "Google Chrome", "Google Chrome", "Google LLC", "chrome.exe"},
	"msedge.exe":                {"122.0.2365.66", "Microsoft Edge", "Microsoft Edge", msCorp, "msedge.exe"},
	"outlook.exe":               {"16.0.17231.20236", "Microsoft Outlook", "Microsoft Outlook", msCorp, "Outlook.exe"},
	"winword.exe":               {"16.0.17231.20236", "Microsoft Word", "Microsoft Office", msCorp, "WinWord.exe"},
	"excel.exe":                 {"16.0.17231.20236", "Microsoft Excel", "Microsoft Office", msCorp, "Excel.exe"},
	"ms-teams.exe":              {"24004.1403.2634.2418", "Microsoft Teams", "Microsoft Teams", msCorp, "ms-teams.exe"},
	"onedrive.exe":              {"24.020.0128.0003", "Microsoft OneDrive", "Microsoft OneDrive", msCorp, "OneDrive.exe"},
	"googleupdate.exe":          {"1.3.36.372", "Google Installer", "Google Update", "Google LLC", "GoogleUpdate.exe"},
	"microsoftedgeupdate.exe":   {"1.3.185.17", "Microsoft Edge Update", "Microsoft Edge Update", msCorp, "msedgeupdate.dll"},
	"psexec64.exe":              {"2.43", "Execute processes remotely", "Sysinternals PsExec", "Sysinternals - www.sysinternals.com", "psexec.exe"},
	"psexesvc.exe":              {"2.43", "PsExec Service", "Sysinternals PsExec", "Sysinternals", "psexesvc.exe"},
	"anydesk.exe":               {"8.0.8", "AnyDesk", "AnyDesk", "AnyDesk Software GmbH", "AnyDesk.exe"},
	"nwagentsvc.exe":            {"5.2.1.884", "Northwind RMM Agent Service", "Northwind RMM", "Northwind IT Services Ltd", "NwAgentSvc.exe"},
	"nwbackup.exe":              {"3.1.0.212", "Northwind Backup Agent", "Northwind Backup", "Northwind IT Services Ltd", "NwBackup.exe"},
	"nwcollabsetup.exe":         {"3.4.1.0", "NwCollab Setup", "NwCollab", "Northwind IT Services Ltd", "NwCollabSetup.exe"},
	"lobclient.exe":             {"4.2.0.17", "Ledger LOB Client", "Ledger", "Contoso Finance Software", "LobClient.exe"},
	"nwcollab.exe":              {"3.4.1.0", "NwCollab", "NwCollab", "Northwind IT Services Ltd", "NwCollab.exe"},
	"smartscreen.exe":           {winVer, "Windows Defender SmartScreen", msProduct, msCorp, "smartscreen.exe"},
	"dllhost.exe":               {winVer, "COM Surrogate", msProduct, msCorp, "dllhost.exe"},
	"sppsvc.exe":                {winVer, "Microsoft Software Protection Platform Service", msProduct, msCorp, "sppsvc.exe"},
	"wermgr.exe":                {winVer, "Windows Problem Reporting", msProduct, msCorp, "wermgr.exe"},
	"compattelrunner.exe":       {winVer, "Microsoft Compatibility Telemetry", msProduct, msCorp, "CompatTelRunner.exe"},
	"sdiagnhost.exe":            {winVer, "Scripted Diagnostics Native Host", msProduct, msCorp, "sdiagnhost.exe"},
	"setup.exe":                 {"3.4.1.0", "NwUpdater Setup", "NwUpdater", "Northwind IT Services Ltd", "setup.exe"},
	"nwupdater.exe":             {"2.0.7.3", "Northwind Updater", "NwUpdater", "Northwind IT Services Ltd", "NwUpdater.exe"},
	"onedrivestandaloneupdater": {"24.020.0128.0003", "Standalone Updater", "Microsoft OneDrive", msCorp, "OneDriveStandaloneUpdater.exe"},
}

// hashes returns a Sysmon Hashes value that is stable for an image path
// and version (made up, not the hash of any real file).
func hashes(image, version string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(image) + "|" + version))
	h := strings.ToUpper(hex.EncodeToString(sum[:]))
	md := sha256.Sum256(sum[:])
	m := strings.ToUpper(hex.EncodeToString(md[:16]))
	im := strings.ToUpper(hex.EncodeToString(md[16:]))
	return "MD5=" + m + ",SHA256=" + h + ",IMPHASH=" + im
}

// session is a logon session processes run in.
type session struct {
	user      string // DOMAIN\name
	sid       string
	logonID   string // "0x…"
	logonGUID string
	termID    int
	integrity string
}

// simProc is a running process.
type simProc struct {
	image, cmd, cwd string
	pid             int
	guid            string
	sess            *session
	version         string // overrides the catalogue's FileVersion
}

// gen generates the events of one host on one day.
type gen struct {
	f      *fleet
	h      *simHost
	day    int
	date   time.Time // midnight UTC
	rng    *rand.Rand
	events []simEvent
	system *session
	user   *session // the interactive session, when someone is logged on
	procs  map[string]*simProc
}

func (g *gen) intn(n int) int {
	if n <= 0 {
		return 0
	}
	return g.rng.IntN(n)
}

func (g *gen) chance(p float64) bool { return g.rng.Float64() < p }

func (g *gen) pick(xs []string) string { return xs[g.intn(len(xs))] }

// at returns the time at seconds since midnight, with sub-second jitter.
func (g *gen) at(sec float64) time.Time {
	return g.date.Add(time.Duration(sec*float64(time.Second)) + time.Duration(g.intn(999_999))*time.Microsecond)
}

func (g *gen) hex(n int) string {
	const digits = "0123456789ABCDEF"
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[g.intn(16)]
	}
	return string(b)
}

func (g *gen) lowerHex(n int) string { return strings.ToLower(g.hex(n)) }

func (g *gen) guid() string {
	return g.hex(8) + "-" + g.hex(4) + "-4" + g.hex(3) + "-" + string("89AB"[g.intn(4)]) + g.hex(3) + "-" + g.hex(12)
}

// randName is a random name of n letters and digits, as temporary file
// and folder names are.
func (g *gen) randName(n int) string {
	const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = chars[g.intn(len(chars))]
	}
	return string(b)
}

func (g *gen) pid() int { return 4 * (100 + g.intn(4000)) }

// procGUID is a Sysmon process GUID: the machine's prefix, then parts of
// the start time, then a counter.
func (g *gen) procGUID(t time.Time) string {
	u := t.Unix()
	return fmt.Sprintf("%08X-%04X-%04X-0000-0010%08X", g.h.guidPrefix, u&0xffff, (u>>16)&0xffff, g.rng.Uint32())
}

func (g *gen) add(t time.Time, channel string, ev jobj) {
	g.events = append(g.events, simEvent{t: t, seq: len(g.events), channel: channel, ev: ev})
}

func (g *gen) sysmonSystem(id, version int, t time.Time) jobj {
	return jobj{
		{"Provider", jobj{{"Name", "Microsoft-Windows-Sysmon"}, {"Guid", "5770385F-C22A-43E0-BF4C-06F5698FFBD9"}}},
		{"EventID", id}, {"Version", version}, {"Level", 4}, {"Task", id}, {"Opcode", 0},
		{"Keywords", "0x8000000000000000"},
		{"TimeCreated", jobj{{"SystemTime", sysTime(t)}}},
		{"EventRecordID", 0},
		{"Correlation", nil},
		{"Execution", jobj{{"ProcessID", g.h.sysmonPID}, {"ThreadID", g.h.sysmonPID + 4 + 4*g.intn(400)}}},
		{"Channel", chSysmon},
		{"Computer", g.h.fqdn},
		{"Security", jobj{{"UserID", "S-1-5-18"}}},
	}
}

func (g *gen) sysmon(id, version int, t time.Time, data jobj) {
	g.add(t, chSysmon, jobj{{"Event", jobj{{"System", g.sysmonSystem(id, version, t)}, {"EventData", data}}}})
}

// spawn starts image with command line cmd as a child of parent and writes
// the Sysmon process creation event. A nil parent is a process whose start
// was not seen (a service host started at boot).
func (g *gen) spawn(t time.Time, parent *simProc, image, cmd string, sess *session) *simProc {
	if sess == nil {
		sess = g.system
	}
	p := &simProc{image: image, cmd: cmd, pid: g.pid(), guid: g.procGUID(t), sess: sess}
	p.cwd = `C:\Windows\system32\`
	if sess != g.system && sess.termID > 0 {
		p.cwd = `C:\Users\` + g.h.user.name + `\`
	}
	g.writeSpawn(t, parent, p)
	return p
}

func (g *gen) writeSpawn(t time.Time, parent *simProc, p *simProc) {
	base := strings.ToLower(path.Base(strings.ReplaceAll(p.image, `\`, "/")))
	bin, ok := binaries[base]
	if !ok {
		bin = peInfo{"-", "-", "-", "-", "-"}
	}
	version := bin.version
	if p.version != "" {
		version = p.version
	}
	if parent == nil {
		parent = g.procs["services"]
	}
	g.sysmon(1, 5, t, jobj{
		{"RuleName", "-"},
		{"UtcTime", utcTime(t)},
		{"ProcessGuid", p.guid},
		{"ProcessId", p.pid},
		{"Image", p.image},
		{"FileVersion", version},
		{"Description", bin.description},
		{"Product", bin.product},
		{"Company", bin.company},
		{"OriginalFileName", bin.original},
		{"CommandLine", p.cmd},
		{"CurrentDirectory", p.cwd},
		{"User", p.sess.user},
		{"LogonGuid", p.sess.logonGUID},
		{"LogonId", p.sess.logonID},
		{"TerminalSessionId", p.sess.termID},
		{"IntegrityLevel", p.sess.integrity},
		{"Hashes", hashes(p.image, version)},
		{"ParentProcessGuid", parent.guid},
		{"ParentProcessId", parent.pid},
		{"ParentImage", parent.image},
		{"ParentCommandLine", parent.cmd},
	})
}

// console starts a console program and the conhost.exe that Windows
// starts beside it.
func (g *gen) console(t time.Time, parent *simProc, image, cmd string, sess *session) *simProc {
	p := g.spawn(t, parent, image, cmd, sess)
	g.spawn(t.Add(3*time.Millisecond), p, `C:\Windows\System32\conhost.exe`, `\??\C:\Windows\system32\conhost.exe 0xffffffff -ForceV1`, p.sess)
	return p
}

func (g *gen) netConn(t time.Time, p *simProc, proto, dstIP, dstHost string, dstPort int) {
	portName := ""
	switch dstPort {
	case 443:
		portName = "https"
	case 80:
		portName = "http"
	case 445:
		portName = "microsoft-ds"
	}
	g.sysmon(3, 5, t, jobj{
		{"RuleName", "-"},
		{"UtcTime", utcTime(t)},
		{"ProcessGuid", p.guid},
		{"ProcessId", p.pid},
		{"Image", p.image},
		{"User", p.sess.user},
		{"Protocol", proto},
		{"Initiated", true},
		{"SourceIsIpv6", false},
		{"SourceIp", g.h.ip},
		{"SourceHostname", g.h.fqdn},
		{"SourcePort", 49152 + g.intn(16000)},
		{"SourcePortName", ""},
		{"DestinationIsIpv6", false},
		{"DestinationIp", dstIP},
		{"DestinationHostname", dstHost},
		{"DestinationPort", dstPort},
		{"DestinationPortName", portName},
	})
}

func (g *gen) dnsQuery(t time.Time, p *simProc, name, results string) {
	g.sysmon(22, 5, t, jobj{
		{"RuleName", "-"},
		{"UtcTime", utcTime(t)},
		{"ProcessGuid", p.guid},
		{"ProcessId", p.pid},
		{"QueryName", name},
		{"QueryStatus", "0"},
		{"QueryResults", results},
		{"Image", p.image},
		{"User", p.sess.user},
	})
}

func (g *gen) fileCreate(t time.Time, p *simProc, target string) {
	g.sysmon(11, 2, t, jobj{
		{"RuleName", "-"},
		{"UtcTime", utcTime(t)},
		{"ProcessGuid", p.guid},
		{"ProcessId", p.pid},
		{"Image", p.image},
		{"TargetFilename", target},
		{"CreationUtcTime", utcTime(t.Add(-time.Duration(g.intn(1000)) * time.Millisecond))},
	})
}

func (g *gen) regSet(t time.Time, p *simProc, key, details string) {
	g.sysmon(13, 2, t, jobj{
		{"RuleName", "-"},
		{"EventType", "SetValue"},
		{"UtcTime", utcTime(t)},
		{"ProcessGuid", p.guid},
		{"ProcessId", p.pid},
		{"Image", p.image},
		{"TargetObject", key},
		{"Details", details},
	})
}

func (g *gen) pipe(t time.Time, p *simProc, id int, name string) {
	evType := "CreatePipe"
	if id == 18 {
		evType = "ConnectPipe"
	}
	g.sysmon(id, 1, t, jobj{
		{"RuleName", "-"},
		{"EventType", evType},
		{"UtcTime", utcTime(t)},
		{"ProcessGuid", p.guid},
		{"ProcessId", p.pid},
		{"PipeName", name},
		{"Image", p.image},
	})
}

func (g *gen) procAccess(t time.Time, src, dst *simProc, access, trace string) {
	g.sysmon(10, 3, t, jobj{
		{"RuleName", "-"},
		{"UtcTime", utcTime(t)},
		{"SourceProcessGUID", src.guid},
		{"SourceProcessId", src.pid},
		{"SourceThreadId", src.pid + 4*(1+g.intn(200))},
		{"SourceImage", src.image},
		{"TargetProcessGUID", dst.guid},
		{"TargetProcessId", dst.pid},
		{"TargetImage", dst.image},
		{"GrantedAccess", access},
		{"CallTrace", trace},
	})
}

func (g *gen) securitySystem(id, version, task int, t time.Time) jobj {
	return jobj{
		{"Provider", jobj{{"Name", "Microsoft-Windows-Security-Auditing"}, {"Guid", "54849625-5478-4994-A5BA-3E3B0328C30D"}}},
		{"EventID", id}, {"Version", version}, {"Level", 0}, {"Task", task}, {"Opcode", 0},
		{"Keywords", "0x8020000000000000"},
		{"TimeCreated", jobj{{"SystemTime", sysTime(t)}}},
		{"EventRecordID", 0},
		{"Correlation", nil},
		{"Execution", jobj{{"ProcessID", g.h.lsassPID}, {"ThreadID", g.h.lsassPID + 4*(1+g.intn(300))}}},
		{"Channel", chSecurity},
		{"Computer", g.h.fqdn},
		{"Security", nil},
	}
}

func (g *gen) security(id, version, task int, t time.Time, data jobj) {
	g.add(t, chSecurity, jobj{{"Event", jobj{{"System", g.securitySystem(id, version, task, t)}, {"EventData", data}}}})
}

// logon writes Security 4624 (and 4672 for administrators) for a session.
func (g *gen) logon(t time.Time, s *session, logonType int, src string, process string) {
	domain, name, _ := strings.Cut(s.user, `\`)
	workstation, ip := g.h.name, "127.0.0.1"
	lp, auth := "User32 ", "Negotiate"
	switch logonType {
	case 3:
		workstation, ip = src, g.f.hostIP(src)
		lp, auth, process = "NtLmSsp ", "NTLM", "-"
	case 10:
		workstation, ip = src, g.f.hostIP(src)
	}
	pid := "0x0"
	if process != "-" {
		pid = fmt.Sprintf("0x%x", g.h.winlogonPID)
	}
	g.security(4624, 2, 12544, t, jobj{
		{"SubjectUserSid", "S-1-5-18"},
		{"SubjectUserName", g.h.name + "$"},
		{"SubjectDomainName", "CORP"},
		{"SubjectLogonId", "0x3e7"},
		{"TargetUserSid", s.sid},
		{"TargetUserName", name},
		{"TargetDomainName", domain},
		{"TargetLogonId", s.logonID},
		{"LogonType", logonType},
		{"LogonProcessName", lp},
		{"AuthenticationPackageName", auth},
		{"WorkstationName", workstation},
		{"LogonGuid", s.logonGUID},
		{"TransmittedServices", "-"},
		{"LmPackageName", "-"},
		{"KeyLength", 0},
		{"ProcessId", pid},
		{"ProcessName", process},
		{"IpAddress", ip},
		{"IpPort", "0"},
		{"ImpersonationLevel", "%%1833"},
		{"RestrictedAdminMode", "-"},
		{"TargetOutboundUserName", "-"},
		{"TargetOutboundDomainName", "-"},
		{"VirtualAccount", "%%1843"},
		{"TargetLinkedLogonId", "0x0"},
		{"ElevatedToken", "%%1842"},
	})
	if s.integrity == "High" || strings.HasPrefix(name, "adm-") {
		g.security(4672, 0, 12548, t.Add(time.Millisecond), jobj{
			{"SubjectUserSid", s.sid},
			{"SubjectUserName", name},
			{"SubjectDomainName", domain},
			{"SubjectLogonId", s.logonID},
			{"PrivilegeList", "SeSecurityPrivilege\r\n\t\t\tSeBackupPrivilege\r\n\t\t\tSeRestorePrivilege\r\n\t\t\tSeTakeOwnershipPrivilege\r\n\t\t\tSeDebugPrivilege\r\n\t\t\tSeSystemEnvironmentPrivilege\r\n\t\t\tSeLoadDriverPrivilege\r\n\t\t\tSeImpersonatePrivilege\r\n\t\t\tSeDelegateSessionUserImpersonatePrivilege"},
		})
	}
}

func (g *gen) logoff(t time.Time, s *session, logonType int) {
	domain, name, _ := strings.Cut(s.user, `\`)
	g.security(4634, 0, 12545, t, jobj{
		{"TargetUserSid", s.sid},
		{"TargetUserName", name},
		{"TargetDomainName", domain},
		{"TargetLogonId", s.logonID},
		{"LogonType", logonType},
	})
}

// taskCreated writes Security 4698 for a scheduled task.
func (g *gen) taskCreated(t time.Time, s *session, name, command, args string) {
	domain, user, _ := strings.Cut(s.user, `\`)
	content := `<?xml version="1.0" encoding="UTF-16"?>` + "\r\n" +
		`<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">` + "\r\n" +
		`  <RegistrationInfo>` + "\r\n" +
		`    <Date>` + t.UTC().Format("2006-01-02T15:04:05") + `</Date>` + "\r\n" +
		`    <Author>` + s.user + `</Author>` + "\r\n" +
		`    <URI>` + name + `</URI>` + "\r\n" +
		`  </RegistrationInfo>` + "\r\n" +
		`  <Actions Context="Author">` + "\r\n" +
		`    <Exec>` + "\r\n" +
		`      <Command>` + command + `</Command>` + "\r\n" +
		`      <Arguments>` + args + `</Arguments>` + "\r\n" +
		`    </Exec>` + "\r\n" +
		`  </Actions>` + "\r\n" +
		`</Task>`
	g.security(4698, 1, 12804, t, jobj{
		{"SubjectUserSid", s.sid},
		{"SubjectUserName", user},
		{"SubjectDomainName", domain},
		{"SubjectLogonId", s.logonID},
		{"TaskName", name},
		{"TaskContent", content},
		{"ClientProcessStartKey", "0x" + g.lowerHex(12)},
		{"ClientProcessId", g.pid()},
		{"ParentProcessId", g.pid()},
		{"RpcCallClientLocality", 0},
		{"FQDN", g.h.fqdn},
	})
}

func (g *gen) systemEvent(id int, provider, providerGUID string, t time.Time, data jobj) {
	g.add(t, chSystem, jobj{{"Event", jobj{
		{"System", jobj{
			{"Provider", jobj{{"Name", provider}, {"Guid", providerGUID}, {"EventSourceName", provider}}},
			{"EventID", id}, {"Qualifiers", 16384}, {"Version", 0}, {"Level", 4}, {"Task", 0}, {"Opcode", 0},
			{"Keywords", "0x8080000000000000"},
			{"TimeCreated", jobj{{"SystemTime", sysTime(t)}}},
			{"EventRecordID", 0},
			{"Correlation", nil},
			{"Execution", jobj{{"ProcessID", g.h.servicesPID}, {"ThreadID", g.h.servicesPID + 4*(1+g.intn(300))}}},
			{"Channel", chSystem},
			{"Computer", g.h.fqdn},
			{"Security", jobj{{"UserID", "S-1-5-18"}}},
		}},
		{"EventData", data},
	}}})
}

const scmGUID = "{555908d1-a6d7-4695-8e1e-26931d2012f4}"

func (g *gen) serviceInstalled(t time.Time, name, imagePath, account string) {
	g.systemEvent(7045, "Service Control Manager", scmGUID, t, jobj{
		{"ServiceName", name},
		{"ImagePath", imagePath},
		{"ServiceType", "user mode service"},
		{"StartType", "demand start"},
		{"AccountName", account},
	})
}

func (g *gen) serviceState(t time.Time, name, state string) {
	g.systemEvent(7036, "Service Control Manager", scmGUID, t, jobj{
		{"param1", name},
		{"param2", state},
		{"Binary", hex.EncodeToString([]byte(strings.ToUpper(name)))[:16]},
	})
}

// scriptBlock writes PowerShell 4104 for a script.
func (g *gen) scriptBlock(t time.Time, text, scriptPath string) {
	g.add(t, chPowerShell, jobj{{"Event", jobj{
		{"System", jobj{
			{"Provider", jobj{{"Name", "Microsoft-Windows-PowerShell"}, {"Guid", "A0C1853B-5C40-4B15-8766-3CF1C58F985A"}}},
			{"EventID", 4104}, {"Version", 1}, {"Level", 5}, {"Task", 2}, {"Opcode", 15},
			{"Keywords", "0x0"},
			{"TimeCreated", jobj{{"SystemTime", sysTime(t)}}},
			{"EventRecordID", 0},
			{"Correlation", jobj{{"ActivityID", g.guid()}}},
			{"Execution", jobj{{"ProcessID", g.pid()}, {"ThreadID", g.pid()}}},
			{"Channel", chPowerShell},
			{"Computer", g.h.fqdn},
			{"Security", jobj{{"UserID", "S-1-5-18"}}},
		}},
		{"EventData", jobj{
			{"MessageNumber", 1},
			{"MessageTotal", 1},
			{"ScriptBlockText", text},
			{"ScriptBlockId", strings.ToLower(g.guid())},
			{"Path", scriptPath},
		}},
	}}})
}

// encodePS encodes a script for powershell -EncodedCommand (UTF-16LE,
// base64).
func encodePS(script string) string {
	u := utf16.Encode([]rune(script))
	b := make([]byte, 2*len(u))
	for i, c := range u {
		b[2*i] = byte(c)
		b[2*i+1] = byte(c >> 8)
	}
	return b64.EncodeToString(b)
}
