package engine_test

import (
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
	list := func(items ...string) engine.Value {
		v := engine.Value{Kind: engine.KindList}
		for _, it := range items {
			v.Items = append(v.Items, engine.Str(it))
		}
		return v
	}
	for _, tc := range []struct {
		fields map[string]engine.Value
		want   int
	}{
		{map[string]engine.Value{"A": engine.Str("x mimi"), "B": engine.Str("katz y")}, 0},
		{map[string]engine.Value{"A": list("x mimi", "katz y")}, 0},
		{map[string]engine.Value{"A": engine.Str("x"), "B": engine.Str("run MIMIKATZ")}, 1},
		{map[string]engine.Value{"A": engine.Str("café"), "B": engine.Str("mimikatz")}, 1},
		{map[string]engine.Value{"A": engine.Str("café"), "B": engine.Str("ſekurlsa::x")}, 1},
		{map[string]engine.Value{"A": engine.Str("mimi\u212aatz")}, 1},
		{map[string]engine.Value{"A": list("x", "mimiKATZ")}, 1},
		{map[string]engine.Value{"A": engine.Str("sekurlsa:"), "B": engine.Str(":")}, 0},
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
