package engine

import (
	"strings"

	"github.com/tanchi-dev/tanchi/rule"
)

// Logsource routing: which rules an event can reach. The event's product,
// service and categories are derived from its channel and event id, with the
// same table SigmaHQ's own regression tests use (tests/thor.yml in the
// SigmaHQ repository): a Sysmon event 1 is windows/sysmon/process_creation, a
// Security 4688 is windows/security/process_creation, and so on.

// windowsChannels maps an event log channel (lower case) to its Sigma service.
var windowsChannels = map[string]string{
	"security":                             "security",
	"system":                               "system",
	"application":                          "application",
	"microsoft-windows-sysmon/operational": "sysmon",
	"microsoft-windows-powershell/operational":                                 "powershell",
	"powershellcore/operational":                                               "powershell",
	"windows powershell":                                                       "powershell-classic",
	"microsoft-windows-taskscheduler/operational":                              "taskscheduler",
	"microsoft-windows-wmi-activity/operational":                               "wmi",
	"microsoft-windows-dhcp-server/operational":                                "dhcp",
	"microsoft-windows-printservice/admin":                                     "printservice-admin",
	"microsoft-windows-printservice/operational":                               "printservice-operational",
	"microsoft-windows-smbclient/security":                                     "smbclient-security",
	"microsoft-windows-smbclient/connectivity":                                 "smbclient-connectivity",
	"microsoft-windows-smbserver/connectivity":                                 "smbserver-connectivity",
	"microsoft-windows-ntlm/operational":                                       "ntlm",
	"microsoft-windows-terminalservices-localsessionmanager/operational":       "terminalservices-localsessionmanager",
	"microsoft-windows-codeintegrity/operational":                              "codeintegrity-operational",
	"microsoft-windows-applocker/msi and script":                               "applocker",
	"microsoft-windows-applocker/exe and dll":                                  "applocker",
	"microsoft-windows-applocker/packaged app-deployment":                      "applocker",
	"microsoft-windows-applocker/packaged app-execution":                       "applocker",
	"msexchange management":                                                    "msexchange-management",
	"microsoft-windows-windows defender/operational":                           "windefend",
	"microsoft-windows-windows firewall with advanced security/firewall":       "firewall-as",
	"microsoft-windows-bits-client/operational":                                "bits-client",
	"microsoft-windows-security-mitigations/kernel mode":                       "security-mitigations",
	"microsoft-windows-security-mitigations/user mode":                         "security-mitigations",
	"microsoft-windows-diagnosis-scripted/operational":                         "diagnosis-scripted",
	"microsoft-windows-shell-core/operational":                                 "shell-core",
	"openssh/operational":                                                      "openssh",
	"microsoft-windows-ldap-client/debug":                                      "ldap",
	"microsoft-windows-bitlocker/bitlocker management":                         "bitlocker",
	"microsoft-windows-vhdmp/operational":                                      "vhdmp",
	"microsoft-windows-appxdeploymentserver/operational":                       "appxdeployment-server",
	"microsoft-windows-lsa/operational":                                        "lsa-server",
	"microsoft-windows-appxpackaging/operational":                              "appxpackaging-om",
	"microsoft-windows-dns client events/operational":                          "dns-client",
	"microsoft-windows-appmodel-runtime/admin":                                 "appmodel-runtime",
	"microsoft-windows-capi2/operational":                                      "capi2",
	"microsoft-windows-certificateservicesclient-lifecycle-system/operational": "certificateservicesclient-lifecycle-system",
	"microsoft-windows-kernel-shimengine/operational":                          "kernel-shimengine",
	"microsoft-windows-kernel-shimengine/diagnostic":                           "kernel-shimengine",
	"microsoft-windows-application-experience/program-telemetry":               "application-experience",
	"microsoft-windows-application-experience/program-compatibility-assistant": "application-experience",
	"microsoft-windows-ntfs/operational":                                       "ntfs",
	"microsoft-windows-hyper-v-worker":                                         "hyper-v-worker",
	"microsoft-windows-kernel-eventtracing":                                    "kernel-event-tracing",
	"microsoft-windows-sense/operational":                                      "sense",
	"microsoft-servicebus-client/admin":                                        "servicebus-client",
	"microsoft-servicebus-client/operational":                                  "servicebus-client",
	"microsoft-iis-configuration/operational":                                  "iis-configuration",
	"dns server": "dns-server",
	"microsoft-windows-dns-server/analytical":                 "dns-server-analytic",
	"microsoft-windows-driverframeworks-usermode/operational": "driver-framework",
}

// serviceAliases lists services that name the same channels as another.
var serviceAliases = map[string]string{
	"microsoft-servicebus-client": "servicebus-client",
}

// sysmonCategories maps a Sysmon event id to its Sigma categories.
var sysmonCategories = map[string][]string{
	"1": {"process_creation"}, "2": {"file_change"}, "3": {"network_connection"},
	"4": {"sysmon_status"}, "16": {"sysmon_status"}, "5": {"process_termination"},
	"6": {"driver_load"}, "7": {"image_load"}, "8": {"create_remote_thread"},
	"9": {"raw_access_thread"}, "10": {"process_access"}, "11": {"file_event"},
	"12": {"registry_event"}, "13": {"registry_event", "registry_set"}, "14": {"registry_event", "registry_rename"},
	"15": {"create_stream_hash"}, "17": {"pipe_created"}, "18": {"pipe_created"},
	"19": {"wmi_event"}, "20": {"wmi_event"}, "21": {"wmi_event"}, "22": {"dns_query"},
	"23": {"file_delete"}, "24": {"clipboard_change"}, "25": {"process_tampering"},
	"26": {"file_delete_detected"}, "27": {"file_block_executable"}, "28": {"file_block_shredding"},
	"29": {"file_executable_detected"}, "255": {"sysmon_error"},
}

// Sysmon event 12 is split by EventType into registry_add and registry_delete.
var sysmonRegistry12 = map[string][]string{
	"createkey":   {"registry_event", "registry_add"},
	"deletekey":   {"registry_event", "registry_delete"},
	"deletevalue": {"registry_event", "registry_delete"},
}

var (
	powershellCategories        = map[string][]string{"4103": {"ps_module"}, "4104": {"ps_script"}}
	powershellClassicCategories = map[string][]string{"400": {"ps_classic_start"}, "600": {"ps_classic_provider_start"}, "800": {"ps_classic_script"}}
	processCreation             = []string{"process_creation"}
	antivirus                   = []string{"antivirus"}
	defenderAntivirusIDs        = map[string]bool{
		"1006": true, "1007": true, "1008": true, "1009": true, "1010": true, "1011": true,
		"1012": true, "1017": true, "1018": true, "1019": true, "1115": true, "1116": true,
	}
)

// The fields routing reads, the first keys of every keyTable.
var (
	channelKey   = newFieldKey("Channel", 0)
	eventIDKey   = newFieldKey("EventID", 1)
	eventTypeKey = newFieldKey("EventType", 2)
	routingKeys  = []*fieldKey{channelKey, eventIDKey, eventTypeKey}
)

// eventSource is what routing knows about one event.
type eventSource struct {
	known      bool // the event names its channel: route strictly
	product    string
	service    string
	categories []string
}

func (s eventSource) hasCategory(c string) bool {
	for _, x := range s.categories {
		if x == c {
			return true
		}
	}
	return false
}

// sourceOf derives the logsource of an event from Channel and EventID (and,
// for Sysmon's EventID 12, EventType). Events that name no channel are not
// routed: every rule may see them.
func sourceOf(r *eventReader) eventSource {
	ch, id, et, ok := sourceFields(r)
	if !ok {
		return eventSource{}
	}
	return sourceFor(ch, id, et)
}

// sourceFields reads what sourceFor needs: the Channel (false when it is
// missing, empty or not a string), the EventID text and, for EventID 12,
// the EventType.
func sourceFields(r *eventReader) (ch, id, et string, ok bool) {
	v, ok := r.get(channelKey)
	if !ok || v.Kind != KindString || v.S == "" {
		return "", "", "", false
	}
	id = eventIDText(r)
	return v.S, id, eventTypeText(r, id), true
}

// eventIDText is the text of the event's EventID; "" when it has none or
// it is a list.
func eventIDText(r *eventReader) string {
	if v, ok := r.get(eventIDKey); ok && v.Kind != KindList {
		return v.S
	}
	return ""
}

// eventTypeText is the text of the event's EventType when routing reads it
// (Sysmon's EventID 12), else "".
func eventTypeText(r *eventReader, id string) string {
	if id == "12" {
		if t, ok := r.get(eventTypeKey); ok {
			return t.S
		}
	}
	return ""
}

// sourceFor is sourceOf for an event whose Channel is ch (not empty), whose
// EventID is id and whose EventType, for EventID 12, is et.
func sourceFor(ch, id, et string) eventSource {
	var buf [96]byte
	channel := lowerASCII(buf[:0], ch)
	src := eventSource{known: true, product: "windows"}
	if strings.HasPrefix(channel, "linux-sysmon/") {
		src.product, src.service = "linux", "sysmon"
	} else {
		src.service = windowsChannels[channel]
	}
	switch src.service {
	case "sysmon":
		src.categories = sysmonCategories[id]
		if id == "12" {
			var buf [32]byte
			if c := sysmonRegistry12[lowerASCII(buf[:0], et)]; c != nil {
				src.categories = c
			}
		}
	case "security":
		if id == "4688" {
			src.categories = processCreation
		}
	case "powershell":
		src.categories = powershellCategories[id]
	case "powershell-classic":
		src.categories = powershellClassicCategories[id]
	case "windefend":
		if defenderAntivirusIDs[id] {
			src.categories = antivirus
		}
	}
	return src
}

// lowerASCII returns s with ASCII letters lowered, built in buf when it
// fits (so that a map lookup with the result does not allocate). Channel
// names and event types are ASCII; other bytes are kept.
func lowerASCII(buf []byte, s string) string {
	if len(s) > cap(buf) {
		return strings.ToLower(s)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf = append(buf, c)
	}
	return bytesString(buf)
}

// routeKey identifies an event source for the route table. Sources have at
// most two categories.
type routeKey struct {
	known            bool
	product, service string
	cat0, cat1       string
	idMode           uint8  // see eventIDKey
	id               uint64 // with idExact
}

func keyOf(s eventSource) routeKey {
	k := routeKey{known: s.known, product: s.product, service: s.service}
	if len(s.categories) > 0 {
		k.cat0 = s.categories[0]
	}
	if len(s.categories) > 1 {
		k.cat1 = s.categories[1]
	}
	return k
}

// routes reports whether a rule with logsource ls applies to an event from
// src. Rules without a logsource, and events that name no channel, always
// route.
func routes(ls rule.Logsource, src eventSource) bool {
	if !src.known {
		return true
	}
	if ls.Product != "" && !strings.EqualFold(ls.Product, src.product) {
		return false
	}
	if ls.Service != "" {
		svc := strings.ToLower(ls.Service)
		if a, ok := serviceAliases[svc]; ok {
			svc = a
		}
		if svc != src.service {
			return false
		}
	}
	if ls.Category != "" && !src.hasCategory(strings.ToLower(ls.Category)) {
		return false
	}
	return true
}

// sourceMemo is the source of events with one Channel, EventID and, for
// EventID 12, EventType (the fields sourceFor reads), copied.
type sourceMemo struct {
	ch, id, et []byte
	src        eventSource
	// The route of events with this source, when Engine.candidates may
	// take it from here (see routeOfSource); nil until then.
	route *route
}

// sourceMemos is how many sources a context remembers: two in each of
// sourceSets places. A stream's events come from a few channels but, on a
// Security channel, from dozens of EventIDs (the Security lane holds 120
// channel and EventID pairs: the last eight of them would be found for 44%
// of its events, these places for 98.7%).
const (
	sourceBits  = 6
	sourceSets  = 1 << sourceBits
	sourceMemos = 2 * sourceSets
)

// sourceCache is a context's memo of sources: entries 2p and 2p+1 are
// place p's, and old[p] is the one of them to replace next.
type sourceCache struct {
	entries [sourceMemos]sourceMemo
	old     [sourceSets]uint8
}

// maxSourceMemo is the most bytes of Channel, EventID and EventType a
// memo entry copies: a source with more is not kept.
const maxSourceMemo = 256

// sourceOf is sourceOf(ev), from the context's memo of sources when ev's
// Channel, EventID and EventType are those of a source in their place
// (sourcePlace).
func (c *evalCtx) sourceOf() eventSource {
	c.srcEntry = nil
	ch, id, et, ok := sourceFields(&c.rd)
	if !ok {
		return eventSource{}
	}
	set := sourcePlace(ch, id, et)
	for w := range 2 {
		m := &c.srcs.entries[2*set+w]
		if m.src.known && string(m.id) == id && string(m.ch) == ch && string(m.et) == et {
			c.srcs.old[set] = uint8(1 - w)
			c.srcEntry = m
			return m.src
		}
	}
	src := sourceFor(ch, id, et)
	if len(ch)+len(id)+len(et) > maxSourceMemo {
		return src
	}
	// Replace the one of the place's two sources found less recently.
	w := c.srcs.old[set]
	c.srcs.old[set] = 1 - w
	m := &c.srcs.entries[2*set+int(w)]
	m.ch = append(m.ch[:0], ch...)
	m.id = append(m.id[:0], id...)
	m.et = append(m.et[:0], et...)
	m.src, m.route = src, nil
	c.srcEntry = m
	return src
}

// sourcePlace is the memo place (0 to sourceSets-1) of the source with
// Channel ch, EventID id and EventType et: a multiplicative hash of the
// EventID read as a decimal number, plus the lengths and end bytes of the
// Channel and EventType. Numbers in a row land in places spread evenly
// (Fibonacci hashing), so a channel's consecutive EventIDs share few.
func sourcePlace(ch, id, et string) int {
	var n uint64
	for i := 0; i < len(id) && i < 20; i++ { // 20 digits fill 64 bits
		n = n*10 + uint64(id[i]-'0') // other bytes only need to mix in
	}
	k := uint64(len(ch))
	if len(ch) > 0 {
		k |= uint64(ch[0])<<8 | uint64(ch[len(ch)-1])<<16
	}
	if len(et) > 0 {
		k |= uint64(et[len(et)-1])<<24 | uint64(len(et))<<32
	}
	// k is spread over all 64 bits and added: for one channel and event
	// type, the places of consecutive numbers stay evenly apart.
	return int((n + k*0xFF51AFD7ED558CCD) * 0x9E3779B97F4A7C15 >> (64 - sourceBits))
}
