package engine_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/tanchi-dev/tanchi/engine"
	"github.com/tanchi-dev/tanchi/rule/sigma"
)

// TestKeywordsInRawJSON checks keyword search on events read with RawJSON,
// where the index looks for keywords in the JSON text itself when it can:
// values with escaped backslashes and quotes, other cases, \u escapes
// (which send the search back to the values), keys that hold a keyword.
func TestKeywordsInRawJSON(t *testing.T) {
	const src = `
title: keywords
id: kw
logsource: {product: windows}
detection:
    keywords:
        - 'C:\Temp\evil "q"'
        - 'MiMiKaTz'
        - 'a/b'
    condition: keywords
`
	set, err := sigma.Parse("kw.yml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	indexed, err := engine.Compile(set.Rules)
	if err != nil {
		t.Fatal(err)
	}
	brute, err := engine.Compile(set.Rules, engine.WithoutIndex())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		json string
		want bool
	}{
		{`{"Channel":"Security","X":"c:\\temp\\EVIL \"Q\" more"}`, true},
		{`{"Channel":"Security","X":"c:\\temp\\evil q"}`, false},
		{`{"Channel":"Security","X":"run mimikatz.exe"}`, true},
		{`{"Channel":"Security","X":"run mimi\u006batz.exe"}`, true},
		{`{"Channel":"Security","X":"a\/b"}`, true},
		{`{"Channel":"Security","X":"a\\/b"}`, false},
		{`{"Channel":"Security","mimikatz":"key only"}`, false},
		{`{"Channel":"Security","X":["list","MIMIKATZ"]}`, true},
		{`{"Channel":"Security","X":"caf\u00e9 mimikatz"}`, true},
		{`{"Channel":"Security","X":"caf\u00e9 mimi\u212aatz"}`, true},
		{`{"Channel":"Security","X":"mimi\u212Aatz"}`, true},
		{`{"Channel":"Security","X":"C:\\\u0054emp\\evil \"Q\""}`, true},
		{`{"Channel":"Security","X":"x\u0000 mimikatz \u00ae"}`, true},
		{`{"Channel":"Security","X":"\u00ae only"}`, false},
		// The same as UTF-8 in the JSON text rather than \u escapes.
		{`{"Channel":"Security","X":"` + "caf\u00e9 mimikatz" + `"}`, true},
		{`{"Channel":"Security","X":"` + "mimi\u212aatz" + `"}`, true},
		{`{"Channel":"Security","X":"` + "\u00ae only" + `"}`, false},
	} {
		var raw engine.RawJSON
		if err := raw.Reset([]byte(tc.json)); err != nil {
			t.Fatal(err)
		}
		ev, err := engine.ParseJSON([]byte(tc.json))
		if err != nil {
			t.Fatal(err)
		}
		got, want := len(indexed.Match(&raw)) > 0, len(brute.Match(ev)) > 0
		if got != want || want != tc.want {
			t.Errorf("%s: indexed on RawJSON %v, brute force %v, want %v", tc.json, got, want, tc.want)
		}
	}
}

// TestKeywordShortValues: a value shorter than every keyword can still
// hold one once folded, when folding lengthens it ('Ⱥ', 2 bytes, folds to
// 'ⱥ', 3 bytes).
func TestKeywordShortValues(t *testing.T) {
	const src = `
title: keywords
logsource: {product: windows}
detection:
    keywords: ['ȺȺȺ']
    condition: keywords
`
	indexed, brute := indexedAndBrute(t, src)
	for _, tc := range []struct {
		v    string
		want int
	}{{"ȺȺȺ", 1}, {"ⱥⱥⱥ", 1}, {"ȺȺ", 0}, {"xȺȺȺ", 1}, {"aaaaaaaa", 0}} {
		ev := engine.NewEvent(map[string]engine.Value{"Channel": engine.Str("Security"), "X": engine.Str(tc.v)})
		if got, want := len(indexed.Match(ev)), len(brute.Match(ev)); got != want || got != tc.want {
			t.Errorf("%q: indexed %d, brute force %d matches, want %d", tc.v, got, want, tc.want)
		}
	}
}

// TestKeywordsJoined checks keyword search over an event's values, which
// the index searches joined into one text: a keyword is found in any value
// and never across two, and values holding a rune that folds to an ASCII
// letter (ſ, the Kelvin sign) are searched by their folds.
func TestKeywordsJoined(t *testing.T) {
	const src = `
title: keywords
logsource: {product: windows}
detection:
    keywords: ['MiMiKaTz', 'sekurlsa::']
    condition: keywords
`
	indexed, brute := indexedAndBrute(t, src)
	long := strings.Repeat("C:\\Windows\\System32\\ ", 20)
	for _, tc := range []struct {
		fields map[string]engine.Value
		want   int
	}{
		{map[string]engine.Value{"A": engine.Str("x mimi"), "B": engine.Str("katz y")}, 0},
		{map[string]engine.Value{"A": strList("x mimi", "katz y")}, 0},
		{map[string]engine.Value{"A": engine.Str("x"), "B": engine.Str("run MIMIKATZ")}, 1},
		{map[string]engine.Value{"A": engine.Str("café"), "B": engine.Str("mimikatz")}, 1},
		{map[string]engine.Value{"A": engine.Str("café"), "B": engine.Str("ſekurlsa::x")}, 1},
		{map[string]engine.Value{"A": engine.Str("mimi\u212aatz")}, 1},
		{map[string]engine.Value{"A": strList("x", "mimiKATZ")}, 1},
		{map[string]engine.Value{"A": engine.Str("sekurlsa:"), "B": engine.Str(":")}, 0},
		// Long texts beside short ones, with and without runes that fold
		// to ASCII letters.
		{map[string]engine.Value{"A": engine.Str(long + " mimi"), "B": engine.Str("katz y")}, 0},
		{map[string]engine.Value{"A": engine.Str("x mimi"), "B": engine.Str("katz" + long)}, 0},
		{map[string]engine.Value{"A": engine.Str(long + "MIMIKATZ"), "B": engine.Str("x")}, 1},
		{map[string]engine.Value{"A": engine.Str(long + "café"), "B": engine.Str("sekurlsa::x")}, 1},
		{map[string]engine.Value{"A": engine.Str(long + "mimi\u212aatz"), "B": engine.Str("x")}, 1},
		{map[string]engine.Value{"A": engine.Str("x"), "B": engine.Str(long + "ſekurlsa::x")}, 1},
		{map[string]engine.Value{"A": strList(long+"x", "mimiKATZ")}, 1},
		{map[string]engine.Value{"A": strList(long+"café", long+"ß")}, 0},
	} {
		tc.fields["Channel"] = engine.Str("Security")
		ev := engine.NewEvent(tc.fields)
		if got, want := len(indexed.Match(ev)), len(brute.Match(ev)); got != want || got != tc.want {
			t.Errorf("%v: indexed %d, brute force %d matches, want %d", tc.fields, got, want, tc.want)
		}
		if tc.want == 0 && indexed.Candidates(ev) != 0 {
			t.Errorf("%v: a candidate for the index, with no keyword in any value", tc.fields)
		}
	}
}

// TestKeywordList: a rule of many keywords (the indexed path tests the
// plain ones as one litSet, brute force one by one) matches, and names the
// field it matched in, as brute force does: in any field, in list items,
// with other cases, and through a keyword with a wildcard.
func TestKeywordList(t *testing.T) {
	const src = `
title: keywords
logsource: {product: windows}
detection:
    keywords:
        - 'lsadump::'
        - 'kerberos::ptt'
        - 'misc::skeleton'
        - 'privilege::debug'
        - 'token::elevate'
        - 'crypto::capi'
        - 'vault::cred'
        - 'dpapi::*masterkey'
    condition: keywords
`
	indexed, brute := indexedAndBrute(t, src)
	for _, tc := range []struct {
		fields    map[string]engine.Value
		wantField string
	}{
		{map[string]engine.Value{"A": engine.Str("x"), "B": engine.Str("run PRIVILEGE::Debug exit")}, "B"},
		{map[string]engine.Value{"A": strList("x", "Vault::Cred /x"), "B": engine.Value{}}, "A"},
		{map[string]engine.Value{"A": engine.Str("dpapi::sys masterkey"), "B": engine.Str("y")}, "A"},
		{map[string]engine.Value{"A": engine.Str("dpapi: masterkey"), "B": engine.Str("lsadump")}, ""},
		{map[string]engine.Value{"A": engine.Value{}, "B": strList("token::", "elevate")}, ""},
	} {
		tc.fields["Channel"] = engine.Str("Security")
		ev := engine.NewEvent(tc.fields)
		got, want := indexed.Match(ev), brute.Match(ev)
		if match := tc.wantField != ""; len(got) != len(want) || (len(want) == 1) != match {
			t.Errorf("%v: indexed %d, brute force %d matches, want a match: %v", tc.fields, len(got), len(want), match)
			continue
		}
		if len(want) == 0 {
			continue
		}
		if g, w := got[0].Fields, want[0].Fields; len(g) != 1 || len(w) != 1 || g[0] != w[0] || g[0].Field != tc.wantField {
			t.Errorf("%v: indexed names %+v, brute force %+v, want field %s", tc.fields, g, w, tc.wantField)
		}
	}
}

// strList is a list value of strings.
func strList(items ...string) engine.Value {
	v := engine.Value{Kind: engine.KindList}
	for _, it := range items {
		v.Items = append(v.Items, engine.Str(it))
	}
	return v
}

// textEvent hands its texts over at once (engine.TextEvent), counting the
// calls.
type textEvent struct {
	engine.Event
	calls *int
}

func (e textEvent) AppendTexts(dst []string) []string {
	*e.calls++
	return rangeTexts(e, dst)
}

// rangeTexts is AppendTexts for any event, by Range.
func rangeTexts(ev engine.Event, dst []string) []string {
	ev.Range(func(_ string, v engine.Value) bool {
		dst = engine.AppendValueTexts(dst, v)
		return true
	})
	return dst
}

// TestKeywordsTextEvent checks keyword search on events that hand over
// their texts in one call, for keywords searched joined (ASCII) and value
// by value (not ASCII): the index finds what brute force finds, from the
// texts.
func TestKeywordsTextEvent(t *testing.T) {
	list := func(items ...engine.Value) engine.Value {
		return engine.Value{Kind: engine.KindList, Items: items}
	}
	str := engine.Str
	for _, kw := range []string{`['MiMiKaTz', 'sekurlsa::']`, `['MiMiKaTz', 'sekurlsa::', 'ÜBER-tool']`} {
		indexed, brute := indexedAndBrute(t, `
title: keywords
logsource: {product: windows}
detection:
    keywords: `+kw+`
    condition: keywords
`)
		for _, tc := range []struct {
			fields map[string]engine.Value
			want   int
		}{
			{map[string]engine.Value{"A": str("x mimi"), "B": str("katz y")}, 0},
			{map[string]engine.Value{"A": list(str("x mimi"), str("katz y"))}, 0},
			{map[string]engine.Value{"A": str("x"), "B": str("run MIMIKATZ")}, 1},
			{map[string]engine.Value{"A": str("x"), "B": engine.Num("1"), "C": str("run MIMIKATZ")}, 1},
			{map[string]engine.Value{"A": str("café"), "B": str("ſekurlsa::x")}, 1},
			{map[string]engine.Value{"A": list(str("x"), str("mimiKATZ"))}, 1},
			{map[string]engine.Value{"A": list(list(str("mimikatz")))}, 0},
			{map[string]engine.Value{"A": {}, "B": str("über-TOOL")}, strings.Count(kw, "Ü")},
		} {
			tc.fields["Channel"] = str("Security")
			calls := 0
			ev := textEvent{engine.NewEvent(tc.fields), &calls}
			got, want := len(indexed.Match(ev)), len(brute.Match(ev))
			if got != want || got != tc.want {
				t.Errorf("%s %v: indexed %d, brute force %d matches, want %d", kw, tc.fields, got, want, tc.want)
			}
			if calls == 0 {
				t.Errorf("%s %v: the index did not ask for the texts", kw, tc.fields)
			}
			// As events whose texts lie in one block: the texts back to
			// back (a keyword can span two of them), and with the field
			// names between them.
			for _, names := range []bool{false, true} {
				blocks := 0
				bev := blockEvent{textEvent{engine.NewEvent(tc.fields), &calls}, textBlock(ev, names), &blocks}
				if got := len(indexed.Match(bev)); got != want {
					t.Errorf("%s %v, texts in a block (names %t): indexed %d, brute force %d matches", kw, tc.fields, names, got, want)
				}
				if ascii := !strings.Contains(kw, "Ü"); ascii != (blocks > 0) {
					t.Errorf("%s %v: the index read the block %d times, want it read when the keywords are ASCII", kw, tc.fields, blocks)
				}
			}
		}
	}
}

// blockEvent is a textEvent whose texts lie in one block
// (engine.TextBlockEvent), counting the calls for it.
type blockEvent struct {
	textEvent
	block string
	calls *int
}

func (e blockEvent) TextBlock() string {
	*e.calls++
	return e.block
}

// textBlock returns the texts of ev's values back to back, in Range's
// order, each after its field's name when names.
func textBlock(ev engine.Event, names bool) string {
	var b strings.Builder
	ev.Range(func(name string, v engine.Value) bool {
		if names {
			b.WriteString(name)
		}
		for _, s := range engine.AppendValueTexts(nil, v) {
			b.WriteString(s)
		}
		return true
	})
	return b.String()
}

// BenchmarkKeywordMatch matches an event of 40 fields, mixed case, whose
// last field holds one of a rule's 20 keywords: the keyword search finds
// it, then the rule's keyword atom tries its keywords on every field.
func BenchmarkKeywordMatch(b *testing.B) {
	var src strings.Builder
	src.WriteString("title: keywords\nid: kw\nlogsource: {product: windows}\ndetection:\n    keywords:\n")
	for i := range 20 {
		fmt.Fprintf(&src, "        - 'Module%02d::Command'\n", i)
	}
	src.WriteString("    condition: keywords\n")
	set, err := sigma.Parse("kw.yml", []byte(src.String()))
	if err != nil {
		b.Fatal(err)
	}
	eng, err := engine.Compile(set.Rules)
	if err != nil {
		b.Fatal(err)
	}
	fields := map[string]engine.Value{"Channel": engine.Str("Security")}
	for i := range 40 {
		fields[fmt.Sprintf("Field%02d", i)] = engine.Str(fmt.Sprintf(`C:\Program Files\Vendor%02d\Application.EXE -Option Value%d`, i, i))
	}
	fields["Field39"] = engine.Str(`C:\Tools\TOOL.EXE "module19::command" exit`)
	ev := engine.NewEvent(fields)
	for b.Loop() {
		if len(eng.Match(ev)) != 1 {
			b.Fatal("no match")
		}
	}
}

// TestKeywordsRepeatedValues checks the keyword search of typed events through
// one engine in turn, as a stream: values of scanned fields that repeat,
// with and without a keyword, keywords in fields no rule scans, a value
// holding one route's keyword and not another's; the events as typed
// events, typed events handing over their texts in schema order, and in
// another order.
func TestKeywordsRepeatedValues(t *testing.T) {
	indexed, brute := indexedAndBrute(t, `
title: security keywords
logsource: {product: windows, service: security}
detection:
    keywords: ['sekurlsa::', 'mimikatz']
    condition: keywords
---
title: system keywords
logsource: {product: windows, service: system}
detection:
    keywords: ['psexesvc']
    condition: keywords
---
title: scanned fields
logsource: {product: windows}
detection:
    selection_cmd:
        CommandLine|contains: 'whoami'
    selection_image:
        Image|endswith: '\net.exe'
    condition: 1 of selection_*
`)
	schema, err := engine.NewSchema("Channel", "CommandLine", "Image", "Other")
	if err != nil {
		t.Fatal(err)
	}
	str := engine.Str
	const (
		clean  = `C:\Windows\System32\svchost.exe -k netsvcs -p`
		dirty  = `C:\Tools\x.exe "sekurlsa::logonpasswords" exit`
		system = `C:\Windows\PSEXESVC.exe -service`
		image  = `C:\Windows\System32\svchost.exe`
	)
	for _, tc := range []struct {
		fields map[string]engine.Value
		want   []string
	}{
		{map[string]engine.Value{"CommandLine": str(dirty), "Image": str(image)}, []string{"security keywords"}},
		// The same value again.
		{map[string]engine.Value{"CommandLine": str(dirty), "Image": str(image)}, []string{"security keywords"}},
		{map[string]engine.Value{"CommandLine": str(clean), "Image": str(image), "Other": str("mimikatz")}, []string{"security keywords"}},
		{map[string]engine.Value{"CommandLine": str(clean), "Image": str(image)}, nil},
		{map[string]engine.Value{"CommandLine": str(clean), "Image": str(image)}, nil},
		// Repeated values without a keyword; one in a field no rule scans...
		{map[string]engine.Value{"CommandLine": str(clean), "Image": str(image), "Other": str("run MIMIKATZ")}, []string{"security keywords"}},
		// ... and in a scanned field's new value.
		{map[string]engine.Value{"CommandLine": str(clean), "Image": str(`C:\mimikatz\x.exe`)}, []string{"security keywords"}},
		{map[string]engine.Value{"CommandLine": str(clean), "Image": str(`C:\mimikatz\y.exe`), "Other": str("x")}, []string{"security keywords"}},
		// A value without the security keywords, with a system one.
		{map[string]engine.Value{"CommandLine": str(system), "Image": str(image)}, nil},
		{map[string]engine.Value{"CommandLine": str(system), "Image": str(image)}, nil},
		{map[string]engine.Value{"Channel": str("System"), "CommandLine": str(system), "Image": str(image)}, []string{"system keywords"}},
		{map[string]engine.Value{"Channel": str("System"), "CommandLine": str(system), "Image": str(image)}, []string{"system keywords"}},
		{map[string]engine.Value{"CommandLine": str(`whoami /all`), "Image": str(image)}, []string{"scanned fields"}},
	} {
		if _, ok := tc.fields["Channel"]; !ok {
			tc.fields["Channel"] = str("Security")
		}
		for round := range 2 {
			for _, ev := range []engine.Event{
				newAgentEvent(schema, tc.fields),
				orderedTexts{newAgentEvent(schema, tc.fields), false},
				orderedTexts{newAgentEvent(schema, tc.fields), true},
			} {
				got, want := ids(indexed.Match(ev)), ids(brute.Match(ev))
				if !slices.Equal(got, want) || !slices.Equal(got, tc.want) {
					t.Errorf("round %d, %T %v: indexed %v, brute force %v, want %v", round, ev, tc.fields, got, want, tc.want)
				}
			}
		}
	}
}

// orderedTexts is a typed event that hands over its texts in schema order,
// or the other way round.
type orderedTexts struct {
	*agentEvent
	reversed bool
}

func (o orderedTexts) AppendTexts(dst []string) []string {
	n := len(dst)
	dst = rangeTexts(o.agentEvent, dst)
	if o.reversed {
		slices.Reverse(dst[n:])
	}
	return dst
}
