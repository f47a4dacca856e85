package corpus

import (
	"cmp"
	"encoding/base64"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// This file is what the simulated hosts do during a day: the people, the
// operating system, and the company's own management software whose
// normal work real detection rules mistake for attacks.

var b64 = base64.StdEncoding

const (
	hour = 3600.0
	day  = 24 * hour
)

// Paths of the company's software.
const (
	agentImage   = `C:\Program Files (x86)\Northwind\RMM Agent\NwAgentSvc.exe`
	backupImage  = `C:\Program Files\Northwind\Backup\NwBackup.exe`
	psImage      = `C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`
	cmdImage     = `C:\Windows\System32\cmd.exe`
	chromeImage  = `C:\Program Files\Google\Chrome\Application\chrome.exe`
	anydeskImage = `C:\Program Files (x86)\AnyDesk\AnyDesk.exe`
	psexecImage  = `C:\Tools\Sysinternals\PsExec64.exe`
	deployShare  = `\\SRV-FS01\deploy$`
	netlogon     = `\\corp.example\NETLOGON`
	rmmGateway   = "gw.northwind-rmm.example"
	rmmGatewayIP = "198.51.100.77"
)

// genDay generates the events of host h on day d, sorted by time.
func (f *fleet) genDay(h *simHost, d int) []simEvent {
	date := f.cfg.Start.AddDate(0, 0, d)
	g := &gen{
		f: f, h: h, day: d, date: date,
		rng:   rand.New(rand.NewPCG(uint64(f.cfg.Seed), uint64(h.idx)<<20|uint64(d))),
		procs: map[string]*simProc{},
	}
	g.system = &session{
		user: `NT AUTHORITY\SYSTEM`, sid: "S-1-5-18", logonID: "0x3e7", integrity: "System",
		logonGUID: fmt.Sprintf("%08X-%04X-%04X-0000-0020E7030000", h.guidPrefix, (h.guidPrefix>>7)&0xffff, (h.guidPrefix>>3)&0xffff),
	}
	boot := g.date.Add(-time.Duration(1+h.idx%5) * 24 * time.Hour)
	g.procs["services"] = &simProc{image: `C:\Windows\System32\services.exe`, cmd: `C:\Windows\system32\services.exe`, pid: h.servicesPID, guid: g.procGUID(boot), sess: g.system}
	g.procs["schedule"] = &simProc{image: `C:\Windows\System32\svchost.exe`, cmd: `C:\Windows\system32\svchost.exe -k netsvcs -p -s Schedule`, pid: h.servicesPID + 388, guid: g.procGUID(boot), sess: g.system}
	g.procs["dcom"] = &simProc{image: `C:\Windows\System32\svchost.exe`, cmd: `C:\Windows\system32\svchost.exe -k DcomLaunch -p`, pid: h.servicesPID + 120, guid: g.procGUID(boot), sess: g.system}
	g.procs["agent"] = &simProc{image: agentImage, cmd: `"` + agentImage + `" -service`, pid: h.servicesPID + 1940, guid: g.procGUID(boot), sess: g.system}
	g.procs["msiserver"] = &simProc{image: `C:\Windows\System32\msiexec.exe`, cmd: `C:\Windows\system32\msiexec.exe /V`, pid: h.servicesPID + 2212, guid: g.procGUID(boot), sess: g.system}
	g.procs["lsass"] = &simProc{image: `C:\Windows\System32\lsass.exe`, cmd: `C:\Windows\system32\lsass.exe`, pid: h.lsassPID, guid: g.procGUID(boot), sess: g.system}
	g.procs["mpeng"] = &simProc{image: `C:\ProgramData\Microsoft\Windows Defender\Platform\4.18.24010.12-0\MsMpEng.exe`, cmd: `"C:\ProgramData\Microsoft\Windows Defender\Platform\4.18.24010.12-0\MsMpEng.exe"`, pid: h.servicesPID + 3020, guid: g.procGUID(boot), sess: g.system}
	if h.anydesk {
		g.procs["anydesk"] = &simProc{image: anydeskImage, cmd: `"` + anydeskImage + `" --service`, pid: h.servicesPID + 2620, guid: g.procGUID(boot), sess: g.system}
	}

	working := isWorkingDay(date)
	// When the machine is on, and when its user works.
	on0, on1 := 0.0, day
	var s0, s1 float64 // the interactive session; s1 == 0: none
	if h.role != roleServer {
		switch {
		case working:
			s0 = 7.6*hour + g.rng.NormFloat64()*0.6*hour
			s1 = s0 + 8.6*hour + g.rng.NormFloat64()*0.7*hour
		case g.chance(0.12):
			s0 = 10*hour + float64(g.intn(3*3600))
			s1 = s0 + 0.5*hour + float64(g.intn(2*3600))
		}
		if !h.alwaysOn {
			if s1 == 0 {
				return nil
			}
			on0, on1 = s0-15*60, s1+10*60
		}
	}
	if !h.alwaysOn && on0 > 0 {
		g.bootSequence(on0)
	}
	g.agentSchedule(on0, on1)
	g.osSchedule(on0, on1)
	if h.role == roleServer {
		g.serverDay(on0, on1)
	}
	if s1 > 0 {
		g.userDay(s0, s1, working)
	}
	for _, rs := range f.remote[d] {
		if rs.from == h && s1 > 0 {
			g.psexecFrom(rs)
		}
		if rs.to == h && rs.start > on0 && rs.start < on1 {
			g.psexecTo(rs)
		}
	}
	if f.replay != nil {
		g.replayBackground(on0, on1, s0, s1)
	}
	for _, a := range f.attackPlan {
		if a.host == h && a.day == d {
			g.inject(a)
		}
	}
	slices.SortStableFunc(g.events, func(a, b simEvent) int {
		return cmp.Or(a.t.Compare(b.t), cmp.Compare(a.seq, b.seq))
	})
	// Nothing before midnight or after the end of the day.
	lo, hi := g.date, g.date.Add(24*time.Hour)
	out := g.events[:0]
	for _, e := range g.events {
		if !e.t.Before(lo) && e.t.Before(hi) {
			out = append(out, e)
		}
	}
	return out
}

func (g *gen) bootSequence(t0 float64) {
	t := g.at(t0)
	g.serviceState(t, "Sysmon64", "running")
	g.serviceState(t.Add(2*time.Second), "Northwind RMM Agent", "running")
	// Group Policy startup script from SYSVOL.
	gp := g.spawn(t.Add(40*time.Second), g.procs["dcom"], `C:\Windows\System32\gpscript.exe`, `gpscript.exe /Startup`, g.system)
	ps := g.spawn(t.Add(41*time.Second), gp, psImage,
		`powershell.exe -NoProfile -ExecutionPolicy Bypass -File \\corp.example\SysVol\corp.example\scripts\Set-WorkstationBaseline.ps1`, g.system)
	g.scriptBlock(t.Add(42*time.Second), "# Set-WorkstationBaseline.ps1 - Corp Example IT\r\nSet-ItemProperty -Path 'HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU' -Name NoAutoRebootWithLoggedOnUsers -Value 1\r\nw32tm /resync /nowait | Out-Null\r\n", `\\corp.example\SysVol\corp.example\scripts\Set-WorkstationBaseline.ps1`)
	g.console(t.Add(43*time.Second), ps, `C:\Windows\System32\w32tm.exe`, `"C:\Windows\system32\w32tm.exe" /resync /nowait`, g.system)
}

// rmmScripts are the PowerShell jobs the RMM agent runs, encoded, every
// two hours. %s is the job id.
var rmmScripts = []string{
	`$ErrorActionPreference='SilentlyContinue';$j='%s';$o=Get-CimInstance Win32_OperatingSystem|Select-Object LastBootUpTime,FreePhysicalMemory,TotalVisibleMemorySize;Invoke-RestMethod -Uri "https://` + rmmGateway + `/api/v2/jobs/$j" -Method Post -Body ($o|ConvertTo-Json) -UseBasicParsing`,
	`$ErrorActionPreference='SilentlyContinue';$j='%s';$h=Get-HotFix|Sort-Object InstalledOn -Descending|Select-Object -First 10 HotFixID,InstalledOn;Invoke-RestMethod -Uri "https://` + rmmGateway + `/api/v2/jobs/$j" -Method Post -Body ($h|ConvertTo-Json) -UseBasicParsing`,
	`$ErrorActionPreference='SilentlyContinue';$j='%s';$v=Get-Volume|Where-Object DriveType -eq 'Fixed'|Select-Object DriveLetter,SizeRemaining,Size;Invoke-RestMethod -Uri "https://` + rmmGateway + `/api/v2/jobs/$j" -Method Post -Body ($v|ConvertTo-Json) -UseBasicParsing`,
}

// agentSchedule is the RMM agent's day: an encoded PowerShell job every
// two hours, the daily inventory, and the software rollout.
func (g *gen) agentSchedule(on0, on1 float64) {
	agent := g.procs["agent"]
	first := math.Ceil(on0/(2*hour)) * 2 * hour
	for t0 := first; t0 < on1; t0 += 2 * hour {
		start := t0 + float64(g.intn(600))
		if start >= on1 {
			break
		}
		t := g.at(start)
		job := strings.ToLower(g.guid())
		script := fmt.Sprintf(rmmScripts[int(t0/(2*hour))%len(rmmScripts)], job)
		ps := g.spawn(t, agent, psImage,
			`"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe" -NoLogo -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand `+encodePS(script), g.system)
		ps.cwd = `C:\Program Files (x86)\Northwind\RMM Agent\`
		g.spawn(t.Add(2*time.Millisecond), ps, `C:\Windows\System32\conhost.exe`, `\??\C:\Windows\system32\conhost.exe 0xffffffff -ForceV1`, g.system)
		g.scriptBlock(t.Add(600*time.Millisecond), script, "")
		g.dnsQuery(t.Add(900*time.Millisecond), ps, rmmGateway, "::ffff:"+rmmGatewayIP+";")
		g.netConn(t.Add(950*time.Millisecond), ps, "tcp", rmmGatewayIP, rmmGateway, 443)
	}
	// The daily inventory, at a time of its own.
	if on1-on0 > 2*hour {
		t := g.at(on0 + 0.5*hour + float64(g.intn(int(on1-on0-hour))))
		script := `C:\ProgramData\Northwind\RMM\Scripts\inv_` + g.lowerHex(8) + `.cmd`
		g.fileCreate(t.Add(-time.Second), agent, script)
		c := g.console(t, agent, cmdImage, `C:\Windows\system32\cmd.exe /c ""`+script+`""`, g.system)
		c.cwd = `C:\ProgramData\Northwind\RMM\Scripts\`
		steps := []struct{ image, cmd string }{
			{`C:\Windows\System32\whoami.exe`, `whoami.exe /all`},
			{`C:\Windows\System32\systeminfo.exe`, `systeminfo.exe /fo csv`},
			{`C:\Windows\System32\wbem\WMIC.exe`, `wmic.exe product get name,version,vendor /format:csv`},
			{`C:\Windows\System32\ipconfig.exe`, `ipconfig.exe /all`},
			{`C:\Windows\System32\net.exe`, `net.exe localgroup administrators`},
		}
		dt := 2 * time.Second
		for _, s := range steps {
			p := g.spawn(t.Add(dt), c, s.image, s.cmd, g.system)
			if strings.HasSuffix(s.image, `\net.exe`) {
				g.spawn(t.Add(dt+20*time.Millisecond), p, `C:\Windows\System32\net1.exe`, `C:\Windows\system32\net1 localgroup administrators`, g.system)
			}
			dt += time.Duration(1+g.intn(9)) * time.Second
		}
	}
	// The NwCollab rollout, on this host's day.
	if g.h.collabDay == g.day && on1-on0 > 3*hour {
		g.collabInstall(g.at(math.Max(on0, 9*hour) + float64(g.intn(int(math.Min(on1, 17*hour)-math.Max(on0, 9*hour))+1))))
	}
}

func (g *gen) collabInstall(t time.Time) {
	agent := g.procs["agent"]
	log := `C:\Windows\Temp\NwCollab_` + t.Format("20060102150405") + `.log`
	msi := g.spawn(t, agent, `C:\Windows\System32\msiexec.exe`,
		`"C:\Windows\System32\msiexec.exe" /i "`+deployShare+`\Apps\NwCollab\NwCollab-3.4.1-x64.msi" /qn /norestart /l*v "`+log+`"`, g.system)
	_ = msi
	emb := g.spawn(t.Add(4*time.Second), g.procs["msiserver"], `C:\Windows\System32\msiexec.exe`,
		`C:\Windows\System32\MsiExec.exe -Embedding `+g.hex(32)+` E Global\MSI0000`, g.system)
	dir := `C:\Program Files\Northwind\NwCollab\`
	g.fileCreate(t.Add(6*time.Second), g.procs["msiserver"], dir+`NwCollab.exe`)
	g.fileCreate(t.Add(6*time.Second), g.procs["msiserver"], dir+`NwCollabUpdate.exe`)
	g.console(t.Add(9*time.Second), emb, `C:\Windows\System32\netsh.exe`,
		`"netsh.exe" advfirewall firewall add rule name="NwCollab" dir=in action=allow program="`+dir+`NwCollab.exe" enable=yes profile=domain`, g.system)
	g.console(t.Add(10*time.Second), emb, `C:\Windows\System32\schtasks.exe`,
		`"schtasks.exe" /Create /F /RU SYSTEM /SC DAILY /ST 03:`+fmt.Sprintf("%02d", g.intn(60))+` /TN "Northwind\NwCollab Update" /TR "\"`+dir+`NwCollabUpdate.exe\" /silent"`, g.system)
	g.taskCreated(t.Add(10*time.Second+300*time.Millisecond), g.system, `\Northwind\NwCollab Update`, dir+`NwCollabUpdate.exe`, "/silent")
	g.serviceInstalled(t.Add(12*time.Second), "NwCollab Helper", `"`+dir+`NwCollabHelper.exe" -service`, "LocalSystem")
}

// osSchedule is what Windows and the usual updaters do on their own.
func (g *gen) osSchedule(on0, on1 float64) {
	sched := g.procs["schedule"]
	// Google Update every hour or so, Edge update twice a day.
	for t0 := on0 + float64(g.intn(3600)); t0 < on1; t0 += hour + float64(g.intn(600)) {
		t := g.at(t0)
		p := g.spawn(t, sched, `C:\Program Files (x86)\Google\Update\GoogleUpdate.exe`,
			`"C:\Program Files (x86)\Google\Update\GoogleUpdate.exe" /ua /installsource scheduler`, g.system)
		g.dnsQuery(t.Add(time.Second), p, "update.googleapis.com", "::ffff:142.250.180.3;")
		g.netConn(t.Add(1100*time.Millisecond), p, "tcp", "142.250.180.3", "update.googleapis.com", 443)
	}
	for _, t0 := range []float64{on0 + 600, (on0 + on1) / 2} {
		if t0 < on1 {
			t := g.at(t0 + float64(g.intn(900)))
			g.spawn(t, sched, `C:\Program Files (x86)\Microsoft\EdgeUpdate\MicrosoftEdgeUpdate.exe`,
				`"C:\Program Files (x86)\Microsoft\EdgeUpdate\MicrosoftEdgeUpdate.exe" /c`, g.system)
		}
	}
	// Defender: signature updates, and the engine reading LSASS memory.
	mp := `C:\ProgramData\Microsoft\Windows Defender\Platform\4.18.24010.12-0\MpCmdRun.exe`
	for i := 0; i < 3; i++ {
		t0 := on0 + float64(g.intn(int(on1-on0)+1))
		t := g.at(t0)
		g.spawn(t, sched, mp, `"`+mp+`" SignatureUpdate -ScheduleJob -RestrictPrivileges`, g.system)
		if g.chance(0.5) {
			g.procAccess(t.Add(3*time.Second), g.procs["mpeng"], g.procs["lsass"], "0x1410",
				`C:\Windows\SYSTEM32\ntdll.dll+9d4c4|C:\Windows\System32\KERNELBASE.dll+2c13e|C:\ProgramData\Microsoft\Windows Defender\Platform\4.18.24010.12-0\mpengine.dll+`+g.lowerHex(6)+`|C:\Windows\System32\KERNEL32.DLL+17344|C:\Windows\SYSTEM32\ntdll.dll+526b1`)
		}
	}
	// Windows Update at night or in the morning.
	t := g.at(on0 + float64(g.intn(int(on1-on0)+1)))
	g.spawn(t, g.procs["dcom"], `C:\Windows\System32\MoUsoCoreWorker.exe`, `C:\Windows\System32\mousocoreworker.exe -Embedding`, g.system)
	g.spawn(t.Add(time.Minute), g.procs["schedule"], `C:\Windows\System32\taskhostw.exe`, `taskhostw.exe -RegisterDevice -ProtectionStateChanged -FreeNetworkOnly`, g.system)
	g.spawn(t.Add(3*time.Minute), g.procs["dcom"], `C:\Windows\System32\sppsvc.exe`, `C:\Windows\system32\sppsvc.exe`, &session{user: `NT AUTHORITY\NETWORK SERVICE`, sid: "S-1-5-20", logonID: "0x3e4", logonGUID: g.system.logonGUID, integrity: "System"})
	if g.chance(0.3) {
		g.spawn(g.at(on0+float64(g.intn(int(on1-on0)+1))), g.procs["schedule"], `C:\Windows\System32\CompatTelRunner.exe`, `C:\Windows\system32\compattelrunner.exe -maintenance`, g.system)
	}
}

// serverDay adds what the servers do: the backup agent's nightly shadow
// copies and the administrators' remote desktop logons.
func (g *gen) serverDay(on0, on1 float64) {
	t := g.at(1*hour + float64(g.intn(3600)))
	bk := &simProc{image: backupImage, cmd: `"` + backupImage + `" --service`, pid: g.h.servicesPID + 2844, guid: g.procGUID(g.date), sess: g.system}
	g.console(t, bk, `C:\Windows\System32\vssadmin.exe`, `vssadmin.exe create shadow /for=C:`, g.system)
	g.console(t.Add(20*time.Minute+time.Duration(g.intn(600))*time.Second), bk, `C:\Windows\System32\vssadmin.exe`, `vssadmin.exe delete shadows /for=C: /oldest /quiet`, g.system)
	if len(g.f.admins) > 0 && isWorkingDay(g.date) && g.chance(0.5) {
		a := g.f.admins[g.intn(len(g.f.admins))]
		s := &session{user: `CORP\` + a.admin.name, sid: a.admin.sid, logonID: "0x" + g.lowerHex(7), logonGUID: g.guid(), termID: 2, integrity: "High"}
		t := g.at(10*hour + float64(g.intn(6*3600)))
		g.logon(t, s, 10, a.name, `C:\Windows\System32\svchost.exe`)
		g.logoff(t.Add(time.Duration(10+g.intn(50))*time.Minute), s, 10)
	}
}

var sites = []struct{ host, ip string }{
	{"www.google.com", "142.250.180.4"},
	{"outlook.office365.com", "52.97.146.162"},
	{"teams.microsoft.com", "52.113.194.132"},
	{"login.microsoftonline.com", "20.190.159.64"},
	{"www.bbc.co.uk", "151.101.0.81"},
	{"www.linkedin.com", "13.107.42.14"},
	{"github.com", "140.82.121.4"},
	{"docs.google.com", "142.250.179.238"},
	{"en.wikipedia.org", "185.15.59.224"},
	{"fonts.gstatic.com", "142.250.187.195"},
	{"intranet.corp.example", "10.20.0.21"},
	{"cdn.jsdelivr.net", "151.101.1.229"},
	{"www.ft.com", "151.101.2.109"},
	{"stackoverflow.com", "104.18.32.7"},
	{"corp-example.sharepoint.com", "13.107.136.10"},
}

// userDay is a person's working day at the keyboard.
func (g *gen) userDay(s0, s1 float64, working bool) {
	h, u := g.h, g.h.user
	sess := &session{user: `CORP\` + u.name, sid: u.sid, logonID: "0x" + g.lowerHex(6), logonGUID: g.guid(), termID: 1, integrity: "Medium"}
	g.user = sess
	t := g.at(s0)
	logonType := 2
	if h.role == roleWorkstation && h.idx%3 == 0 {
		logonType = 11 // laptops away from the office log on with cached credentials
	}
	g.logon(t, sess, logonType, "", `C:\Windows\System32\svchost.exe`)
	winlogon := &simProc{image: `C:\Windows\System32\winlogon.exe`, cmd: `winlogon.exe`, pid: h.winlogonPID, guid: g.procGUID(t), sess: g.system}
	ui := g.spawn(t.Add(2*time.Second), winlogon, `C:\Windows\System32\userinit.exe`, `C:\Windows\system32\userinit.exe`, sess)
	ex := g.spawn(t.Add(3*time.Second), ui, `C:\Windows\explorer.exe`, `C:\Windows\Explorer.EXE`, sess)
	ex.cwd = `C:\Windows\system32\`
	g.procs["explorer"] = ex
	// The logon script maps drives and printers from NETLOGON.
	ls := g.console(t.Add(4*time.Second), ui, cmdImage, `C:\Windows\system32\cmd.exe /c ""`+netlogon+`\logon.cmd" "`, sess)
	ls.cwd = netlogon + `\`
	n1 := g.spawn(t.Add(5*time.Second), ls, `C:\Windows\System32\net.exe`, `net  use H: \\SRV-FS01\home$\`+u.name+` /persistent:no`, sess)
	g.spawn(t.Add(5*time.Second+30*time.Millisecond), n1, `C:\Windows\System32\net1.exe`, `C:\Windows\system32\net1  use H: \\SRV-FS01\home$\`+u.name+` /persistent:no`, sess)
	n2 := g.spawn(t.Add(6*time.Second), ls, `C:\Windows\System32\net.exe`, `net  use S: \\SRV-FS01\shared$ /persistent:no`, sess)
	g.spawn(t.Add(6*time.Second+30*time.Millisecond), n2, `C:\Windows\System32\net1.exe`, `C:\Windows\system32\net1  use S: \\SRV-FS01\shared$ /persistent:no`, sess)
	g.spawn(t.Add(7*time.Second), ls, `C:\Windows\System32\wscript.exe`, `wscript.exe //B //Nologo `+netlogon+`\MapPrinters.vbs`, sess)
	// Startup programs.
	od := g.spawn(t.Add(9*time.Second), ex, `C:\Program Files\Microsoft OneDrive\OneDrive.exe`, `"C:\Program Files\Microsoft OneDrive\OneDrive.exe" /background`, sess)
	g.regSet(t.Add(10*time.Second), od, `HKU\`+u.sid+`\SOFTWARE\Microsoft\Windows\CurrentVersion\Run\OneDrive`, `"C:\Program Files\Microsoft OneDrive\OneDrive.exe" /background`)
	teams := `C:\Program Files\WindowsApps\MSTeams_24004.1403.2634.2418_x64__8wekyb3d8bbwe\ms-teams.exe`
	tm := g.spawn(t.Add(11*time.Second), ex, teams, `"`+teams+`" msteams:system-initiated`, sess)
	ol := g.spawn(t.Add(20*time.Second), ex, `C:\Program Files\Microsoft Office\root\Office16\OUTLOOK.EXE`, `"C:\Program Files\Microsoft Office\root\Office16\OUTLOOK.EXE" `, sess)
	g.netConn(t.Add(25*time.Second), ol, "tcp", "52.97.146.162", "outlook.office365.com", 443)
	chrome := g.spawn(t.Add(time.Duration(60+g.intn(600))*time.Second), ex, chromeImage, `"`+chromeImage+`" `, sess)
	chrome.version = g.chromeVersion()
	g.procs["chrome"] = chrome

	if h.lob && working {
		g.lobUpdate(t.Add(time.Duration(30+g.intn(60)) * time.Second))
	}
	// The working day: a burst of activity every few minutes.
	step := 7 * 60 / g.f.cfg.Density
	for t0 := s0 + 900; t0 < s1-300; t0 += step * (0.5 + g.rng.Float64()) {
		g.activity(g.at(t0), sess, tm)
	}
	if h.finance && working {
		for i, n := 0, 1+g.intn(3); i < n; i++ {
			g.financeExport(g.at(s0 + 1800 + float64(g.intn(int(s1-s0-3600)+1))))
		}
	}
	if working && h.role == roleWorkstation && g.chance(0.22) {
		g.nwUpdaterSelfUpdate(g.at(s0 + 600 + float64(g.intn(int(s1-s0-1200)+1))))
	}
	if h.anydesk && working && g.chance(0.3) {
		g.anydeskSession(g.at(s0 + 1800 + float64(g.intn(int(s1-s0-3600)+1))))
	}
	if h.role == roleITAdmin && working {
		g.adminOneOffs(s0, s1)
	}
	g.logoff(g.at(s1), sess, logonType)
}

func (g *gen) chromeVersion() string {
	// Chrome updates itself in the middle of the period.
	if g.day >= 3 {
		return "122.0.6261.112"
	}
	return "122.0.6261.95"
}

// activity is one burst of everyday work: the browser, Office, Teams.
func (g *gen) activity(t time.Time, sess *session, teams *simProc) {
	chrome := g.procs["chrome"]
	switch r := g.intn(10); {
	case r < 6:
		site := sites[g.intn(len(sites))]
		if g.chance(0.5) {
			p := g.spawn(t, chrome, chromeImage, fmt.Sprintf(`"%s" --type=renderer --lang=en-GB --device-scale-factor=1 --num-raster-threads=4 --enable-main-frame-before-activation --renderer-client-id=%d --time-ticks-at-unix-epoch=-%d --launch-time-ticks=%d --field-trial-handle=%d,i,%d,%d,262144 /prefetch:1`,
				chromeImage, 5+g.intn(300), 1700000000000000+g.rng.Int64N(9999999999), g.rng.Int64N(99999999999), 1800+g.intn(400), g.rng.Int64N(1<<62), g.rng.Int64N(1<<62)), sess)
			p.version = chrome.version
		}
		g.dnsQuery(t.Add(200*time.Millisecond), chrome, site.host, "::ffff:"+site.ip+";")
		g.netConn(t.Add(300*time.Millisecond), chrome, "tcp", site.ip, site.host, 443)
		if g.chance(0.3) {
			s2 := sites[g.intn(len(sites))]
			g.dnsQuery(t.Add(900*time.Millisecond), chrome, s2.host, "::ffff:"+s2.ip+";")
		}
	case r < 8:
		apps := []struct{ image, ext string }{
			{`C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE`, "docx"},
			{`C:\Program Files\Microsoft Office\root\Office16\EXCEL.EXE`, "xlsx"},
		}
		a := apps[g.intn(len(apps))]
		doc := fmt.Sprintf(`C:\Users\%s\Documents\%s_%d.%s`, g.h.user.name, g.pick([]string{"Report", "Budget", "Minutes", "Plan", "Notes", "Forecast"}), 2024+g.intn(3), a.ext)
		p := g.spawn(t, g.procs["explorer"], a.image, `"`+a.image+`" "`+doc+`"`, sess)
		g.fileCreate(t.Add(2*time.Second), p, strings.Replace(doc, `\Documents\`, `\Documents\~$`, 1))
		g.fileCreate(t.Add(3*time.Second), p, fmt.Sprintf(`C:\Users\%s\AppData\Local\Microsoft\Windows\INetCache\Content.MSO\%s.tmp`, g.h.user.name, g.hex(8)))
	case r < 9:
		g.netConn(t, teams, "udp", "52.113.194.132", "", 3478)
		g.netConn(t.Add(100*time.Millisecond), teams, "tcp", "52.113.194.132", "teams.microsoft.com", 443)
	default:
		g.spawn(t, g.procs["dcom"], `C:\Windows\System32\RuntimeBroker.exe`, `C:\Windows\System32\RuntimeBroker.exe -Embedding`, sess)
		g.spawn(t.Add(time.Second), g.procs["dcom"], `C:\Windows\System32\backgroundTaskHost.exe`, `"C:\Windows\system32\backgroundTaskHost.exe" -ServerName:BackgroundTaskHost.WebAccountProvider`, sess)
	}
}

// financeExport is the ledger add-in: Excel calls a batch file on the
// finance share.
func (g *gen) financeExport(t time.Time) {
	u := g.h.user.name
	xl := g.spawn(t, g.procs["explorer"], `C:\Program Files\Microsoft Office\root\Office16\EXCEL.EXE`,
		`"C:\Program Files\Microsoft Office\root\Office16\EXCEL.EXE" "\\SRV-FS01\finance$\Ledger\Ledger_`+g.date.Format("2006-01")+`.xlsm"`, g.user)
	out := fmt.Sprintf(`C:\Users\%s\Documents\Ledger\export_%s_%s.csv`, u, g.date.Format("20060102"), g.lowerHex(6))
	c := g.console(t.Add(time.Duration(60+g.intn(1800))*time.Second), xl, cmdImage,
		`C:\Windows\system32\cmd.exe /c ""\\SRV-FS01\finance$\Tools\export_ledger.bat" `+g.date.Format("20060102")+` "`+out+`""`, g.user)
	c.cwd = `C:\Users\` + u + `\Documents\`
}

// lobUpdate is the line-of-business client's updater at logon: bitsadmin
// fetches the latest package from the application server.
func (g *gen) lobUpdate(t time.Time) {
	u := g.h.user.name
	lob := g.spawn(t, g.procs["explorer"], `C:\Program Files (x86)\Contoso\Ledger\LobClient.exe`, `"C:\Program Files (x86)\Contoso\Ledger\LobClient.exe" /checkupdate`, g.user)
	dst := fmt.Sprintf(`C:\Users\%s\AppData\Local\Temp\LobUpd_%s.zip`, u, g.lowerHex(8))
	g.console(t.Add(2*time.Second), lob, `C:\Windows\System32\bitsadmin.exe`,
		`bitsadmin.exe /transfer LobClientUpdate /download /priority FOREGROUND http://srv-app01.corp.example:8080/lob/LobClient-4.2.0.`+fmt.Sprint(17+g.day/3)+`.zip `+dst, g.user)
}

// nwUpdaterSelfUpdate is the per-user Northwind updater installing a new
// version of itself from its temporary folder; the setup program schedules
// the clean-up of that folder.
func (g *gen) nwUpdaterSelfUpdate(t time.Time) {
	u := g.h.user.name
	upd := g.spawn(t, g.procs["explorer"], `C:\Users\`+u+`\AppData\Local\Northwind\NwUpdater\NwUpdater.exe`,
		`"C:\Users\`+u+`\AppData\Local\Northwind\NwUpdater\NwUpdater.exe" /check`, g.user)
	tmp := fmt.Sprintf(`C:\Users\%s\AppData\Local\Temp\nwupd_%s`, u, g.lowerHex(8))
	g.fileCreate(t.Add(5*time.Second), upd, tmp+`\setup.exe`)
	setup := g.spawn(t.Add(8*time.Second), upd, tmp+`\setup.exe`, `"`+tmp+`\setup.exe" /S /update`, g.user)
	setup.cwd = tmp + `\`
	id := "{" + g.guid() + "}"
	g.console(t.Add(12*time.Second), setup, `C:\Windows\System32\schtasks.exe`,
		`"C:\Windows\System32\schtasks.exe" /Create /F /SC ONCE /ST 23:59 /TN "NwUpdater Cleanup `+id+`" /TR "cmd.exe /c rd /s /q `+tmp+`"`, g.user)
	g.taskCreated(t.Add(12*time.Second+200*time.Millisecond), g.user, `\NwUpdater Cleanup `+id, "cmd.exe", "/c rd /s /q "+tmp)
}

// anydeskSession is a helpdesk remote session.
func (g *gen) anydeskSession(t time.Time) {
	svc := g.procs["anydesk"]
	relay := fmt.Sprintf("relay-%s.net.anydesk.com", g.lowerHex(8))
	ip := fmt.Sprintf("195.181.%d.%d", 160+g.intn(16), 1+g.intn(250))
	g.dnsQuery(t, svc, relay, "::ffff:"+ip+";")
	g.netConn(t.Add(200*time.Millisecond), svc, "tcp", ip, relay, 443)
	p := g.spawn(t.Add(2*time.Second), svc, anydeskImage, `"`+anydeskImage+`" --backend`, g.user)
	g.netConn(t.Add(3*time.Second), p, "tcp", ip, relay, 6568)
}

// psexecFrom is the administrator's side of a PsExec session.
func (g *gen) psexecFrom(rs remoteSession) {
	a := g.h.admin
	t := g.at(rs.start)
	sess := &session{user: `CORP\` + a.name, sid: a.sid, logonID: "0x" + g.lowerHex(6), logonGUID: g.guid(), termID: 1, integrity: "High"}
	c := g.procs["admincmd"]
	if c == nil {
		c = g.spawn(t.Add(-time.Minute), g.procs["explorer"], cmdImage, `"C:\Windows\system32\cmd.exe" `, sess)
		c.cwd = `C:\Tools\Sysinternals\`
		g.procs["admincmd"] = c
	}
	p := g.spawn(t, c, psexecImage, psexecImage+` \\`+rs.to.name+` -accepteula -s `+rs.cmd, sess)
	p.cwd = `C:\Tools\Sysinternals\`
	g.regSet(t.Add(200*time.Millisecond), p, `HKU\`+a.sid+`\Software\Sysinternals\PsExec\EulaAccepted`, "DWORD (0x00000001)")
	g.netConn(t.Add(500*time.Millisecond), p, "tcp", rs.to.ip, rs.to.fqdn, 445)
}

// psexecTo is the target's side: the PSEXESVC service and the command.
func (g *gen) psexecTo(rs remoteSession) {
	a := rs.from.admin
	t := g.at(rs.start + 1)
	net := &session{user: `CORP\` + a.name, sid: a.sid, logonID: "0x" + g.lowerHex(7), logonGUID: g.guid(), integrity: "High"}
	g.logon(t, net, 3, rs.from.name, "-")
	sys := &simProc{image: "System", cmd: "", pid: 4, guid: g.procGUID(g.date), sess: g.system}
	g.fileCreate(t.Add(100*time.Millisecond), sys, `C:\Windows\PSEXESVC.exe`)
	g.serviceInstalled(t.Add(300*time.Millisecond), "PSEXESVC", `%SystemRoot%\PSEXESVC.exe`, "LocalSystem")
	g.serviceState(t.Add(400*time.Millisecond), "PSEXESVC", "running")
	svc := g.spawn(t.Add(500*time.Millisecond), g.procs["services"], `C:\Windows\PSEXESVC.exe`, `C:\Windows\PSEXESVC.exe`, g.system)
	g.pipe(t.Add(600*time.Millisecond), svc, 17, `\PSEXESVC`)
	tag := fmt.Sprintf(`%s-%d`, rs.from.name, 1000+g.intn(9000))
	for _, s := range []string{"stdin", "stdout", "stderr"} {
		g.pipe(t.Add(700*time.Millisecond), svc, 17, `\PSEXESVC-`+tag+`-`+s)
	}
	c := g.console(t.Add(time.Second), svc, cmdImage, rs.cmd, g.system)
	if strings.Contains(rs.cmd, "gpupdate") {
		g.spawn(t.Add(1100*time.Millisecond), c, `C:\Windows\System32\gpupdate.exe`, `gpupdate  /force`, g.system)
	}
	g.serviceState(t.Add(time.Duration(20+g.intn(40))*time.Second), "PSEXESVC", "stopped")
	g.logoff(t.Add(time.Minute), net, 3)
}

var oneOffs = []string{
	`nltest.exe /dclist:corp.example`,
	`net.exe group "Domain Admins" /domain`,
	`net.exe user %s /domain`,
	`quser.exe /server:SRV-APP01`,
	`nltest.exe /domain_trusts`,
	`net.exe view \\SRV-FS01`,
}

// adminOneOffs are the commands an administrator types now and then:
// rarely the same twice, so they are for a person to judge.
func (g *gen) adminOneOffs(s0, s1 float64) {
	if !g.chance(0.6) {
		return
	}
	a := g.h.admin
	sess := &session{user: `CORP\` + a.name, sid: a.sid, logonID: "0x" + g.lowerHex(6), logonGUID: g.guid(), termID: 1, integrity: "High"}
	t := g.at(s0 + 3600 + float64(g.intn(int(s1-s0-4000)+1)))
	c := g.spawn(t.Add(-time.Minute), g.procs["explorer"], cmdImage, `"C:\Windows\system32\cmd.exe" `, sess)
	cmd := g.pick(oneOffs)
	if strings.Contains(cmd, "%s") {
		other := g.f.hosts[g.intn(len(g.f.hosts))]
		name := "svc-backup"
		if other.user != nil {
			name = other.user.name
		}
		cmd = fmt.Sprintf(cmd, name)
	}
	image := `C:\Windows\System32\` + strings.Fields(cmd)[0]
	g.spawn(t, c, image, cmd, sess)
}
