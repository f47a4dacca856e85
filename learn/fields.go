package learn

import (
	"strings"
	"time"

	"github.com/tanchi-dev/tanchi/engine"
)

// identityFields are the fields that identify what a program was doing, in
// the order proposals list them. Every one present in a matched event (and
// not empty) is part of the event's pattern. They are named as the events
// name them, so an exclusion finds them without a field mapping.
var identityFields = []string{
	// process creation; the parent's command line ties a child to what
	// started it (whoami from the inventory script, not from any cmd.exe)
	"Image", "OriginalFileName", "ParentImage", "CommandLine", "ParentCommandLine", "User", "Company",
	// Security 4688
	"NewProcessName", "ParentProcessName", "SubjectUserName",
	// image loads, files, registry, pipes, DNS, network
	"Signature", "ImageLoaded", "TargetFilename", "TargetObject", "Details",
	"PipeName", "QueryName", "DestinationHostname", "DestinationPort",
	// process access, remote threads
	"SourceImage", "TargetImage", "GrantedAccess", "StartModule", "StartFunction",
	// services, tasks, logons
	"ServiceName", "ImagePath", "ServiceFileName", "AccountName", "TaskName",
	"TargetUserName", "LogonType", "ProcessName",
	// PowerShell
	"ScriptBlockText", "Path", "HostApplication",
	// shares and objects
	"ShareName", "RelativeTargetName", "ObjectName",
}

// contextFields narrow a proposal that would otherwise suppress too much:
// they are tracked beside the identity fields and added, where they are
// stable, to the narrower variant of a proposal.
var contextFields = []string{
	"Hashes", "IntegrityLevel", "CurrentDirectory", "Description",
	"Product", "FileVersion", "SignatureStatus", "Signed", "TargetDomainName",
	"SubjectDomainName", "IpAddress", "WorkstationName", "ServiceType", "StartType",
	"Protocol", "DestinationIp", "Security_UserID",
}

// freeTextFields are written by whoever runs the program, so they never
// make a proposal on their own: a proposal needs at least one other field.
var freeTextFields = map[string]bool{
	"CommandLine": true, "ParentCommandLine": true, "ScriptBlockText": true, "Details": true,
	"TargetFilename": true, "TargetObject": true, "QueryName": true, "DestinationHostname": true,
	"PipeName": true, "TaskName": true, "RelativeTargetName": true, "ObjectName": true,
	"Payload": true, "ContextInfo": true, "TaskContent": true, "HostApplication": true,
}

// fieldValue returns a field's value as text, and false when the event
// lacks it or holds nothing useful there (empty, "-", null, a list).
func fieldValue(ev engine.Event, name string) (string, bool) {
	v, ok := ev.Field(name)
	if !ok {
		return "", false
	}
	switch v.Kind {
	case engine.KindString, engine.KindNumber, engine.KindBool:
		if s := v.S; s != "" && s != "-" {
			return s, true
		}
	}
	return "", false
}

// timeFields are where events keep their time, tried in order.
var timeFields = []string{"TimeCreated_SystemTime", "UtcTime", "@timestamp", "timestamp", "EventTime", "TimeCreated"}

var timeLayouts = []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00"}

// eventTime returns when an event happened, or the zero time.
func eventTime(ev engine.Event) time.Time {
	for _, f := range timeFields {
		s, ok := fieldValue(ev, f)
		if !ok {
			continue
		}
		for _, l := range timeLayouts {
			if t, err := time.Parse(l, s); err == nil {
				return t.UTC()
			}
		}
	}
	return time.Time{}
}

// hostFields name the machine an event came from, tried in order.
var hostFields = []string{"Computer", "Hostname", "host.name", "hostname", "ComputerName"}

// eventHost returns the short, upper-case name of the event's machine, or "".
func eventHost(ev engine.Event) string {
	for _, f := range hostFields {
		if s, ok := fieldValue(ev, f); ok {
			s, _, _ = strings.Cut(s, ".")
			return strings.ToUpper(s)
		}
	}
	return ""
}

// observedField is one field of a matched event, generalised.
type observedField struct {
	name  string
	tmpl  template
	slots []string
}

// observe generalises the identity fields of an event (falling back to the
// fields the rule matched on when fewer than two are present) and its
// context fields.
func observe(ev engine.Event, hits []engine.FieldHit) (ids, ctx []observedField) {
	user := eventUser(ev)
	seen := map[string]bool{}
	addID := func(name string) {
		if seen[name] {
			return
		}
		if s, ok := fieldValue(ev, name); ok {
			seen[name] = true
			t, slots := generalize(name, s, user)
			ids = append(ids, observedField{name, t, slots})
		}
	}
	for _, f := range identityFields {
		addID(f)
	}
	if len(ids) < 2 {
		for _, h := range hits {
			if h.Field != "" && !skipField(h.Field) {
				addID(h.Field)
			}
		}
	}
	if len(ids) < 2 {
		addID("Security_UserID")
	}
	for _, f := range contextFields {
		if seen[f] {
			continue
		}
		if s, ok := fieldValue(ev, f); ok {
			t, slots := generalize(f, s, user)
			ctx = append(ctx, observedField{f, t, slots})
		}
	}
	return ids, ctx
}

// eventUser returns the name of the person an event is about (without the
// domain), or "" for accounts that are the same everywhere.
func eventUser(ev engine.Event) string {
	for _, f := range []string{"User", "TargetUserName", "SubjectUserName"} {
		s, ok := fieldValue(ev, f)
		if !ok {
			continue
		}
		if i := strings.LastIndexByte(s, '\\'); i >= 0 {
			s = s[i+1:]
		}
		switch strings.ToUpper(s) {
		case "SYSTEM", "LOCAL SERVICE", "NETWORK SERVICE", "ANONYMOUS LOGON", "-", "":
			continue
		}
		if strings.HasSuffix(s, "$") {
			continue
		}
		return s
	}
	return ""
}

// skipField reports fields that say which log an event is from, not what
// happened: routing already covers them.
func skipField(name string) bool {
	switch name {
	case "EventID", "Channel", "Provider_Name", "Computer", "EventRecordID", "Keywords", "Level", "Task", "Opcode", "Version":
		return true
	}
	return false
}
