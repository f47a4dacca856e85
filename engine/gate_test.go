package engine_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/tanchi-dev/tanchi/engine"
)

// Rules without a witness, all but the last with a gate (a part of the
// condition that reads one field alone; the last has only a pair gate, a
// comparison of two fields), and one with witnesses in the fields the
// gates read, which has them scanned (and their values kept in the memo).
const gatedRules = `
title: tools
id: w-tools
logsource: {product: windows}
detection:
    selection:
        - Image|endswith: '\mimikatz.exe'
        - CommandLine|contains: 'sekurlsa'
        - User: 'hacker'
        - Hashes|contains: 'deadbeef'
    condition: selection
---
title: unknown extension
id: g-ext
logsource: {product: windows}
detection:
    known:
        Image|endswith: ['.exe', '.com', '.scr', '.bin', '.tmp', '.cgi']
    filter_temp:
        - ParentImage|contains: ':\Windows\Temp\'
        - Image|contains: ':\Windows\Temp\'
    filter_null:
        Image: null
    condition: not known and not 1 of filter_*
---
title: no path
id: g-path
logsource: {product: windows}
detection:
    abs:
        Image|contains: '\'
    optional:
        - Image: ['System', 'Registry']
        - CommandLine: 'Registry'
    condition: not abs and not optional
---
title: hex arguments
id: g-hex
logsource: {product: windows}
detection:
    selection:
        CommandLine|re: '\s[a-fA-F0-9]{8}\s'
    condition: selection
---
title: runs itself
id: g-self
logsource: {product: windows}
detection:
    selection:
        Image|fieldref: ParentImage
    filter:
        Image|startswith: 'C:\Program Files\'
    condition: selection and not filter
---
title: keyword unless admin
id: g-kw
logsource: {product: windows}
detection:
    keywords:
        - 'evil'
    filter:
        User: 'admin'
    condition: not keywords and not filter
---
title: no hashes
id: g-hashes
logsource: {product: windows}
detection:
    selection:
        Hashes|exists: false
    condition: selection
---
title: runs itself anywhere
id: g-none
logsource: {product: windows}
detection:
    selection:
        Image|fieldref: ParentImage
    condition: selection
`

// TestGatedRules: rules without a witness are candidates only where their
// gate holds, and match as without the index: for repeated values (whose
// gate results the memo keeps), values the memo replaces, absent fields,
// null, lists and numbers.
func TestGatedRules(t *testing.T) {
	indexed, brute := indexedAndBrute(t, gatedRules)
	if s := indexed.IndexStats(); s.Rules != 8 || s.Always != 7 || s.Gated != 7 {
		t.Fatalf("IndexStats: %d rules without a witness, %d gated; want 7, 7", s.Always, s.Gated)
	}
	events := []string{
		`{"Channel":"Security","Image":"C:\\Windows\\System32\\cmd.exe","ParentImage":"C:\\Windows\\explorer.exe","CommandLine":"cmd.exe /c dir","User":"admin","Hashes":"SHA1=00"}`,
		`{"Channel":"Security","Image":"C:\\Users\\bob\\AppData\\payload.dat","ParentImage":"C:\\Windows\\explorer.exe","CommandLine":"payload.dat 0badc0de now","User":"bob"}`,
		`{"Channel":"Security","Image":"C:\\Users\\bob\\AppData\\payload.dat","ParentImage":"C:\\Users\\bob\\AppData\\payload.dat","CommandLine":"payload.dat 0badc0de now","User":"admin"}`,
		`{"Channel":"Security","Image":"C:\\Users\\bob\\AppData\\payload.dat","ParentImage":"C:\\Windows\\Temp\\dropper.exe","CommandLine":"payload.dat","User":"bob"}`,
		`{"Channel":"Security","Image":"C:\\Windows\\Temp\\setup.dat","ParentImage":"C:\\Windows\\Temp\\setup.dat","CommandLine":"setup evil","Hashes":"MD5=1"}`,
		`{"Channel":"Security","Image":"Registry","CommandLine":"Registry"}`,
		`{"Channel":"Security","Image":"MemCompression","CommandLine":"MemCompression"}`,
		`{"Channel":"Security","Image":"C:\\Program Files\\x\\x.exe","ParentImage":"C:\\Program Files\\x\\x.exe","User":"svc"}`,
		`{"Channel":"Security","Image":"D:\\tools\\x.exe","ParentImage":"d:\\TOOLS\\x.exe","CommandLine":"x.exe"}`,
		`{"Channel":"Security","Image":null,"CommandLine":"run 12345678 x"}`,
		`{"Channel":"Security","Image":["C:\\a\\b.exe","C:\\a\\b.dat"],"CommandLine":["a","b 0123abcd c"]}`,
		`{"Channel":"Security","Image":12345678,"CommandLine":12345678}`,
		`{"Channel":"Security","User":"evil admin"}`,
		`{"Channel":"Security","Image":"C:\\x\\mimikatz.exe","CommandLine":"mimikatz sekurlsa::pth 0badc0de x","User":"hacker","Hashes":"MD5=DEADBEEF"}`,
		`{"Channel":"Security"}`,
	}
	if matched := agreeInTurns(t, indexed, brute, events); matched < 15 {
		t.Errorf("only %d matches: the events do not exercise the rules", matched)
	}
	// A gate's result is kept by the first event with the value: the
	// events in the other order, on fresh engines (fresh memos).
	indexed2, brute2 := indexedAndBrute(t, gatedRules)
	reversed := slices.Clone(events)
	slices.Reverse(reversed)
	agreeInTurns(t, indexed2, brute2, reversed)
	// Many images, so that memo entries are replaced and their gate
	// results with them.
	for i := range 600 {
		ext := []string{"exe", "dat", "tmp", "ps1"}[i%4]
		image := fmt.Sprintf(`C:\\Users\\u%d\\AppData\\Local\\x%d.%s`, i%300, i%7, ext)
		if i%5 == 0 {
			image = fmt.Sprintf("tool%d", i%40)
		}
		agree(t, indexed, brute, fmt.Sprintf(`{"Channel":"Security","Image":"%s","ParentImage":"%s","CommandLine":"x %08x y","User":"u%d"}`, image, image, i%50, i%3))
	}
	// What the gates leave out.
	for _, tc := range []struct {
		json  string
		cands int
	}{
		// Only "runs itself" (its gate holds) and "runs itself anywhere".
		{events[0], 2},
		// Where the fields are absent every gate holds but those of "hex
		// arguments" and "unknown extension" (its `Image: null` filter
		// holds for a missing Image).
		{`{"Channel":"Security"}`, 5},
	} {
		wantCandidatesRepeated(t, indexed, tc.json, tc.cands)
	}
}

// TestWitnessedGates checks gates on rules with a witness: a candidate is
// left out when its gate, read from the memo entry of its field's value,
// rejects the event, and the engine still matches as brute force does, on
// values fresh and repeated, in either order, with gates on the witness's
// field and on others.
func TestWitnessedGates(t *testing.T) {
	const src = `
title: svchost elsewhere
id: w-svchost
logsource: {product: windows}
detection:
    selection:
        Image|endswith: '\svchost.exe'
    filter:
        Image|startswith: 'C:\Windows\System32\'
    condition: selection and not filter
---
title: dump as system
id: w-dump
logsource: {product: windows}
detection:
    selection:
        CommandLine|contains: 'comsvcs'
    system:
        User|contains: ['AUTHORI', 'AUTORI']
    condition: system and selection
---
title: user added
id: w-net
logsource: {product: windows}
detection:
    selection:
        Image|endswith: '\net.exe'
    add:
        CommandLine|contains|all: [' user ', ' /add']
    condition: selection and add
---
title: odd image runs itself
id: g-odd
logsource: {product: windows}
detection:
    selection:
        Image|fieldref: ParentImage
    filter_ext:
        Image|endswith: '.exe'
    filter_system:
        User|startswith: 'NT AUTHORITY'
    condition: selection and not 1 of filter_*
---
title: plain witness
id: w-plain
logsource: {product: windows}
detection:
    selection:
        CommandLine|contains: 'whoami'
    condition: selection
`
	events := []string{
		`{"Channel":"Security","Image":"C:\\Windows\\System32\\svchost.exe","CommandLine":"svchost.exe -k netsvcs","User":"NT AUTHORITY\\SYSTEM"}`,
		`{"Channel":"Security","Image":"c:\\windows\\system32\\SVCHOST.EXE","CommandLine":"whoami","User":"bob"}`,
		`{"Channel":"Security","Image":"C:\\Users\\Public\\svchost.exe","CommandLine":"rundll32 comsvcs.dll MiniDump","User":"NT AUTHORITY\\SYSTEM"}`,
		`{"Channel":"Security","Image":"C:\\Windows\\System32\\rundll32.exe","CommandLine":"rundll32 comsvcs.dll MiniDump","User":"bob"}`,
		`{"Channel":"Security","Image":"C:\\Windows\\System32\\rundll32.exe","CommandLine":"rundll32 comsvcs.dll MiniDump","User":"AUTORITE NT\\Système"}`,
		`{"Channel":"Security","Image":["C:\\Windows\\System32\\svchost.exe","D:\\svchost.exe"],"CommandLine":"x"}`,
		`{"Channel":"Security","Image":"D:\\svchost.exe","CommandLine":"comsvcs"}`,
		`{"Channel":"Security","Image":"C:\\Windows\\System32\\net.exe","CommandLine":"net user bob"}`,
		`{"Channel":"Security","Image":"C:\\Windows\\System32\\net.exe","CommandLine":"net user bob pw /add"}`,
		`{"Channel":"Security","Image":"C:\\x\\a.dat","ParentImage":"C:\\x\\a.dat","CommandLine":"a","User":"NT AUTHORITY\\SYSTEM"}`,
		`{"Channel":"Security","Image":"C:\\x\\a.dat","ParentImage":"C:\\x\\a.dat","CommandLine":"a","User":"bob"}`,
	}
	agreeEitherOrder(t, src, events, 5)
	indexed, _ := indexedAndBrute(t, src)
	for _, tc := range []struct {
		json  string
		cands int
	}{
		// svchost.exe where it belongs: the gate rejects it.
		{events[0], 0},
		{events[1], 1}, // whoami; svchost.exe rejected again
		{events[2], 2},
		// comsvcs by a user no AUTHORITY names: rejected by the gate on
		// User, a field the rule's witness is not in.
		{events[3], 0},
		{events[4], 1},
		// A list is no memo's value: the rule is evaluated.
		{events[5], 1},
		// net.exe holds the Image gate; the CommandLine gate rejects
		// the first command line.
		{events[7], 0},
		{events[8], 1},
		// A rule without a witness: its first gate (Image) holds, its
		// second (User) rejects the SYSTEM user.
		{events[9], 0},
		{events[10], 1},
	} {
		wantCandidatesRepeated(t, indexed, tc.json, tc.cands)
	}
}

// TestPairGates checks pair gates (Image|fieldref: ParentImage): a rule is
// left out when both values have memo entries and differ once folded, and
// matches as brute force does for values equal, equal but for case or for
// runes that fold alike, escaped in JSON, different, absent, null, lists
// and numbers, fresh and repeated.
func TestPairGates(t *testing.T) {
	const src = `
title: runs itself
id: p-self
logsource: {product: windows}
detection:
    selection:
        Image|fieldref: ParentImage
    condition: selection
---
title: runs itself, cased
id: p-cased
logsource: {product: windows}
detection:
    selection:
        Image|fieldref|cased: ParentImage
    condition: selection
---
title: tools
id: p-tools
logsource: {product: windows}
detection:
    selection:
        - Image|endswith: '\mimikatz.exe'
        - ParentImage|endswith: '\psexec.exe'
    condition: selection
`
	type tc struct {
		json  string
		cands int // once both values are in the memo
	}
	cases := []tc{
		{`{"Channel":"Security","Image":"C:\\x\\a.exe","ParentImage":"C:\\x\\a.exe"}`, 2},
		{`{"Channel":"Security","Image":"C:\\x\\A.EXE","ParentImage":"c:\\X\\a.exe"}`, 2},
		{`{"Channel":"Security","Image":"C:\\x\\Kiwi.exe","ParentImage":"C:\\x\\KIWI.exe"}`, 2},
		{`{"Channel":"Security","Image":"C:\\x\\a.exe","ParentImage":"C:\u005cx\u005cA.exe"}`, 2},
		{`{"Channel":"Security","Image":"C:\\x\\a.exe","ParentImage":"C:\\x\\b.exe"}`, 1},
		{`{"Channel":"Security","Image":"C:\\x\\a.exe","ParentImage":"C:\\x\\a.exe "}`, 1},
		{`{"Channel":"Security","Image":"C:\\x\\mimikatz.exe","ParentImage":"C:\\x\\psexec.exe"}`, 2},
		{`{"Channel":"Security","Image":"C:\\x\\a.exe"}`, 2},
		{`{"Channel":"Security","Image":"C:\\x\\a.exe","ParentImage":null}`, 2},
		{`{"Channel":"Security","Image":["C:\\x\\a.exe"],"ParentImage":"C:\\x\\a.exe"}`, 2},
		{`{"Channel":"Security","Image":12,"ParentImage":12.0}`, 1},
		{`{"Channel":"Security","Image":12,"ParentImage":"12"}`, 2},
	}
	var events []string
	for _, c := range cases {
		events = append(events, c.json)
	}
	agreeEitherOrder(t, src, events, 8)
	indexed, brute := indexedAndBrute(t, src)
	for _, c := range cases {
		wantCandidatesRepeated(t, indexed, c.json, c.cands)
	}
	// More values than the memos hold, so that entries take new values
	// (and must hash their folds anew); a third of the events run
	// themselves.
	for i := range 3000 {
		image := fmt.Sprintf(`C:\\u%d\\p%d.exe`, i%500, i%7)
		parent := image
		switch i % 3 {
		case 1:
			parent = fmt.Sprintf(`C:\\u%d\\p%d.exe`, (i+1)%500, i%7)
		case 2:
			parent = strings.ToUpper(image)
		}
		agree(t, indexed, brute, fmt.Sprintf(`{"Channel":"Security","Image":"%s","ParentImage":"%s"}`, image, parent))
	}
}

// agreeEitherOrder checks, on fresh engines compiled from src, that the
// indexed engine matches events in turns as brute force does, the events
// in the order given and reversed (the first event with a value fills its
// memo entry), and that they match at least minMatched times.
func agreeEitherOrder(t *testing.T, src string, events []string, minMatched int) {
	t.Helper()
	for _, order := range []string{"given", "reversed"} {
		indexed, brute := indexedAndBrute(t, src)
		evs := slices.Clone(events)
		if order == "reversed" {
			slices.Reverse(evs)
		}
		if matched := agreeInTurns(t, indexed, brute, evs); matched < minMatched {
			t.Errorf("%s: only %d matches: the events do not exercise the rules", order, matched)
		}
	}
}

// wantCandidatesRepeated is wantCandidates three times: for values fresh,
// then from the memo.
func wantCandidatesRepeated(t *testing.T, indexed *engine.Engine, src string, n int) {
	t.Helper()
	for range 3 {
		wantCandidates(t, indexed, src, n)
	}
}

// TestGateResultsAllocateNothing: keeping a gate's result in the memo entry
// of a value that an earlier event, which no gate reads, had the memo keep
// allocates nothing (an agent in steady state allocates nothing per event).
func TestGateResultsAllocateNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("allocations are not counted under the race detector (its sync.Pool drops contexts)")
	}
	const src = `
title: tools
logsource: {product: windows}
detection:
    selection:
        Image|endswith: '/mimikatz.exe'
    condition: selection
---
title: unknown extension
logsource: {product: windows, service: security}
detection:
    known:
        Image|endswith: ['.exe', '.com']
    condition: not known
`
	// About two runs in a thousand count one allocation that is not a
	// gate result's: most likely a garbage collection starting during the
	// count, which empties sync.Pool's per-P array for the next Get to
	// allocate again. A count with allocations is taken again, with a new
	// engine, up to three times: an allocation per gate result would be
	// in each (with no room for results in memo entries, 50 in each).
	var allocs float64
	for range 3 {
		if allocs = gateResultAllocs(t, src); allocs == 0 {
			break
		}
	}
	if allocs != 0 {
		t.Errorf("%v allocations for 50 events, want 0", allocs)
	}
}

// gateResultAllocs returns the allocations of matching 50 events whose
// values' memo entries get a gate's result, in an engine of the rules src
// (see TestGateResultsAllocateNothing).
func gateResultAllocs(t *testing.T, src string) float64 {
	t.Helper()
	indexed, _ := indexedAndBrute(t, src)
	event := func(channel string, i int) []byte {
		// Lower case and no escapes, so that a value is neither folded
		// nor decoded into a buffer of its entry's own (entries keep
		// those the first time an atom asks, which allocates, gates or
		// not); one length, so that a value the memo takes back after
		// another took its place fits the place's buffer.
		return fmt.Appendf(nil, `{"Channel":%q,"Image":"c:/program files/app%03d/app.exe"}`, channel, i)
	}
	var r engine.RawJSON
	match := func(raw []byte) {
		if err := r.Reset(raw); err != nil {
			t.Fatal(err)
		}
		if ms := indexed.Match(&r); len(ms) != 0 {
			t.Fatalf("%s: %d matches", raw, len(ms))
		}
	}
	var system, security [][]byte
	for i := range 100 {
		system = append(system, event("System", i))
		security = append(security, event("Security", i))
	}
	// AllocsPerRun calls once before it counts, and both calls run on one
	// P, so with the engine's one pooled context. The first makes both
	// routes, has the memo keep 100 images for System events (no gate
	// reads them) and the first 50 again for Security events; the counted
	// call matches Security events of the other 50, whose entries get the
	// gate's result.
	calls := 0
	allocs := testing.AllocsPerRun(1, func() {
		if calls == 0 {
			match(event("Security", -1))
			for _, raw := range system {
				match(raw)
			}
		}
		for _, raw := range security[calls*50 : (calls+1)*50] {
			match(raw)
		}
		calls++
	})
	if calls != 2 {
		t.Fatalf("%d calls", calls)
	}
	return allocs
}
