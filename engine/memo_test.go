package engine

import (
	"fmt"
	"hash/maphash"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"github.com/tanchi-dev/tanchi/engine/internal/aho"
	"github.com/tanchi-dev/tanchi/rule"
)

// literalIndex returns an index of nfields fields that each search the
// literals lits, in which each literal's one ref is its id, so that
// scanMemoized returns the literals it found.
func literalIndex(t *testing.T, lits []string, nfields int) (*index, *aho.Set) {
	t.Helper()
	ac, err := aho.NewSet(lits, fieldDFABytes)
	if err != nil {
		t.Fatal(err)
	}
	x := &index{}
	for range nfields {
		x.fields = append(x.fields, fieldIndex{slot: -1, ac: ac})
	}
	for id := range int32(len(lits)) {
		x.litStart = append(x.litStart, id)
		x.litRefs = append(x.litRefs, id)
	}
	x.litStart = append(x.litStart, int32(len(lits)))
	return x, ac
}

// memoSet returns the set of c's memos a value belongs in.
func memoSet(c *evalCtx, s string) uint64 { return maphash.String(c.memoSeed, s) % memoSets }

// sameSet returns n values, made by format from a counter, that belong in
// s's set of c's memos.
func sameSet(c *evalCtx, s string, n int, format string) []string {
	var out []string
	for i := 0; len(out) < n; i++ {
		if v := fmt.Sprintf(format, i); v != s && memoSet(c, v) == memoSet(c, s) {
			out = append(out, v)
		}
	}
	return out
}

// memoHolds reports whether c's memo of field fi keeps the string s.
func memoHolds(c *evalCtx, fi int, s string) bool {
	if c.memos == nil || c.memos[fi] == nil {
		return false // nothing kept yet
	}
	i, _ := c.memos[fi].find(maphash.String(c.memoSeed, s), KindString, false, s)
	return i >= 0
}

// TestScanMemo checks that a memoized scan reports what a fresh scan
// reports: for repeated values, for values that share a slot, for an entry
// whose hash matches but whose value does not, and after one-off values
// have passed through a slot that a repeated value holds.
func TestScanMemo(t *testing.T) {
	x, ac := literalIndex(t, []string{`\cmd.exe`, `\powershell.exe`, `c:\windows\`, `mimikatz`}, 1)
	c := &evalCtx{nfields: 1}
	fresh := func(s string) []int32 {
		return slices.Sorted(slices.Values(scanText(ac, s, &evalCtx{})))
	}
	check := func(s string) {
		t.Helper()
		got := slices.Sorted(slices.Values(c.scanMemoized(x, 0, KindString, s, false)))
		if want := fresh(s); !slices.Equal(got, want) {
			t.Fatalf("scanMemoized(%q) = %v, want %v", s, got, want)
		}
	}
	values := []string{`C:\Windows\System32\cmd.exe`, `C:\Tools\mimikatz.exe`, `C:\Windows\notepad.exe`, `short`, `C:\WINDOWS\POWERSHELL.EXE`}
	for range 3 {
		for _, v := range values {
			check(v)
		}
	}
	// Many distinct values: every slot sees collisions and replacements.
	for i := range 4 * memoWays {
		check(fmt.Sprintf(`C:\Users\u%d\AppData\Local\Temp\x%d\cmd.exe`, i, i*7))
		check(values[i%len(values)])
	}
	// An entry with the hash of one value and the text of another must
	// not answer for either.
	s := `C:\Windows\System32\cmd.exe`
	other := `D:\mimikatz\x64\mimikatz.exe`
	h := maphash.String(c.memoSeed, other)
	m := c.memos[0]
	set := int(h%memoSets) * memoSetWays
	for w := range memoSetWays {
		e, refs := &m.ents[set+w], fresh(s)
		e.hold(make([]int32, 0, memWords(len(s))+len(refs)), KindString, false, s, refs)
		m.tags[set+w], e.score = h, memoMaxScore
	}
	check(other)
}

// TestScanMemoLongValues: values up to memoMax bytes are kept (a 5 KB
// encoded command line comes back as the parent command line of every
// process it starts) and answer as a fresh scan does; longer ones are
// scanned every time and never kept.
func TestScanMemoLongValues(t *testing.T) {
	x, ac := literalIndex(t, []string{`\powershell.exe`, ` -enc `, `mimikatz`}, 1)
	c := &evalCtx{nfields: 1}
	head := `C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe -noP -sta -w 1 -enc `
	for _, tc := range []struct {
		n    int
		kept bool
	}{{5 << 10, true}, {memoMax, true}, {memoMax + 1, false}} {
		v := head + strings.Repeat("SQBmACgA", tc.n)[:tc.n-len(head)]
		want := slices.Sorted(slices.Values(scanText(ac, v, &evalCtx{})))
		for round := range 3 {
			got := slices.Sorted(slices.Values(c.scanMemoized(x, 0, KindString, v, false)))
			if !slices.Equal(got, want) {
				t.Fatalf("%d bytes, round %d: hits %v, want %v", tc.n, round, got, want)
			}
		}
		if k := memoHolds(c, 0, v); k != tc.kept {
			t.Errorf("%d-byte value kept: %v, want %v (memoMax %d)", tc.n, k, tc.kept, memoMax)
		}
	}
}

// TestScanMemoShortValues: short values are kept too (an IntegrityLevel
// of "System" holds a literal, and finding it costs more than a lookup),
// and answer as a fresh scan does; the empty value is never kept.
func TestScanMemoShortValues(t *testing.T) {
	x, ac := literalIndex(t, []string{`system`, `0x3e7`, `s`}, 1)
	c := &evalCtx{nfields: 1}
	for _, tc := range []struct {
		v    string
		kept bool
	}{{"System", true}, {"0x3e7", true}, {"S", true}, {"High", true}, {"", false}} {
		// Refs come back once each ("s" is twice in "System").
		want := slices.Compact(slices.Sorted(slices.Values(scanText(ac, tc.v, &evalCtx{}))))
		for round := range 3 {
			got := slices.Compact(slices.Sorted(slices.Values(c.scanMemoized(x, 0, KindString, tc.v, false))))
			if !slices.Equal(got, want) {
				t.Fatalf("%q, round %d: hits %v, want %v", tc.v, round, got, want)
			}
		}
		if k := memoHolds(c, 0, tc.v); k != tc.kept {
			t.Errorf("%q kept: %v, want %v", tc.v, k, tc.kept)
		}
	}
}

// TestScanMemoManyRefs: a value whose literals have more refs than an
// entry holds (maxEntryRefs) is scanned every time and answers with all
// of them, never with a kept part; one with exactly that many is kept.
func TestScanMemoManyRefs(t *testing.T) {
	for _, tc := range []struct {
		n    int
		kept bool
	}{{maxEntryRefs, true}, {maxEntryRefs + 1, false}, {maxEntryRefs + 4465, false}} {
		x, _ := literalIndex(t, []string{`mimikatz`}, 1)
		x.litRefs = x.litRefs[:0]
		for ref := range int32(tc.n) {
			x.litRefs = append(x.litRefs, ref)
		}
		x.litStart[1] = int32(tc.n)
		c := &evalCtx{nfields: 1}
		v := `C:\Temp\mimikatz.exe privilege::debug`
		for round := range 3 {
			if got := c.scanMemoized(x, 0, KindString, v, false); len(got) != tc.n || got[0] != 0 || got[tc.n-1] != int32(tc.n-1) {
				t.Fatalf("%d refs, round %d: %d refs back", tc.n, round, len(got))
			}
		}
		if k := memoHolds(c, 0, v); k != tc.kept {
			t.Errorf("%d refs: value kept %v, want %v", tc.n, k, tc.kept)
		}
	}
}

// TestScanMemoKeepsRepeated: one-off values passing through a set do not
// push out a value that keeps coming back (each lowers its score only when
// the set's hand passes it).
func TestScanMemoKeepsRepeated(t *testing.T) {
	x, _ := literalIndex(t, []string{`\svchost.exe`}, 1)
	c := &evalCtx{nfields: 1}
	hot := `C:\Windows\System32\svchost.exe`
	for range memoMaxScore + 1 {
		c.scanMemoized(x, 0, KindString, hot, false)
	}
	oneOff := sameSet(c, hot, memoSetWays*memoMaxScore, `C:\Temp\%d.exe`)
	for _, v := range oneOff {
		c.scanMemoized(x, 0, KindString, v, false)
	}
	if !memoHolds(c, 0, hot) {
		t.Fatalf("the repeated value is gone after %d one-off values in its set", len(oneOff))
	}
}

// TestScanMemoSets: as many values as a set has entries, all of the one
// set, are all kept together.
func TestScanMemoSets(t *testing.T) {
	x, _ := literalIndex(t, []string{`\svchost.exe`}, 1)
	c := &evalCtx{nfields: 1}
	first := `C:\Windows\System32\svchost.exe`
	c.scanMemoized(x, 0, KindString, first, false)
	values := append(sameSet(c, first, memoSetWays-1, `C:\Program Files\App%d\svchost.exe`), first)
	for round := range 2 {
		for _, v := range values {
			if got := c.scanMemoized(x, 0, KindString, v, false); !slices.Equal(got, []int32{0}) {
				t.Fatalf("round %d, %s: refs %v, want [0]", round, v, got)
			}
		}
	}
	for _, v := range values {
		if !memoHolds(c, 0, v) {
			t.Errorf("%s is not kept beside %d other values of its set", v, len(values)-1)
		}
	}
}

// TestAtomsByValue: regular-expression results remembered with a value's
// memo entry answer only for that value and that atom, across events.
func TestAtomsByValue(t *testing.T) {
	re := func(id, expr string) *rule.Rule {
		m := &rule.Match{Field: "CommandLine", Values: []rule.Value{{Kind: rule.String, S: expr}}}
		if err := m.SetModifiers([]string{"re"}); err != nil {
			t.Fatal(err)
		}
		return &rule.Rule{ID: id, Title: id, Condition: m}
	}
	rules := []*rule.Rule{
		re("hex", `\s[a-f0-9]{16}`),
		re("dump", `sekurlsa::\w+`),
		re("enc", `(?i)-e(nc)?\s+[A-Za-z0-9+/=]{8,}`),
		re("long", `.{120,}`),
	}
	indexed, brute := compileBoth(t, rules)
	lines := []string{
		`mimikatz.exe sekurlsa::logonpasswords exit`,
		`powershell.exe -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoA`,
		`jpsetup.exe 0123456789abcdef0123456789abcdef 0123456789abcdef`,
		`powershell.exe -nop -c "Write-Host ` + strings.Repeat("x", 130) + `"`,
		`cmd.exe /c echo sekurlsa:: nothing`,
		`notepad.exe C:\Temp\x.txt`,
	}
	c := indexed.newCtx()
	for round := range 4 * memoWays {
		// Every line again and again, and one new line each round.
		line := lines[round%len(lines)]
		if round%3 == 0 {
			line = fmt.Sprintf("%s %d", lines[(round/3)%len(lines)], round)
		}
		ev := NewEvent(map[string]Value{"CommandLine": Str(line)})
		got := ruleIDs(indexed.matchWith(c, ev))
		want := ruleIDs(brute.Match(ev))
		if !slices.Equal(got, want) {
			t.Fatalf("round %d, %q: indexed %v, brute force %v", round, line, got, want)
		}
	}
}

// TestLongValuesByValue: every atom's result on a long value (longValue
// bytes and more) is remembered with the value's memo entry, except when it
// depends on another field: a field reference's result must follow the
// other field's value event by event.
func TestLongValuesByValue(t *testing.T) {
	match := func(id, field string, mods []string, values ...string) *rule.Rule {
		m := &rule.Match{Field: field}
		for _, v := range values {
			m.Values = append(m.Values, rule.Value{Kind: rule.String, S: v})
		}
		if err := m.SetModifiers(mods); err != nil {
			t.Fatal(err)
		}
		return &rule.Rule{ID: id, Title: id, Condition: m}
	}
	rules := []*rule.Rule{
		match("echo-pipe", "CommandLine", []string{"contains", "all"}, "cmd.exe /c echo", `> \\.\pipe\`),
		match("whoami", "CommandLine", []string{"endswith"}, "/c whoami"),
		match("same-parent", "CommandLine", []string{"fieldref"}, "ParentCommandLine"),
	}
	indexed, brute := compileBoth(t, rules)
	pad := strings.Repeat(" ", longValue)
	lines := []string{
		`cmd.exe /c echo abc > \\.\pipe\abc` + pad,
		`cmd.exe /c echo abc` + pad + `/c whoami`,
		`powershell.exe -nop -w hidden` + pad,
	}
	c := indexed.newCtx()
	for round := range 4 * memoWays {
		line := lines[round%len(lines)]
		parent := line // the same value every other round, else another
		if round%2 == 1 {
			parent = fmt.Sprintf("explorer.exe %d", round)
		}
		if round%5 == 0 {
			line = fmt.Sprintf("%s %d", line, round) // now and then a new value
		}
		ev := NewEvent(map[string]Value{"CommandLine": Str(line), "ParentCommandLine": Str(parent)})
		got := ruleIDs(indexed.matchWith(c, ev))
		want := ruleIDs(brute.Match(ev))
		if !slices.Equal(got, want) {
			t.Fatalf("round %d, %q with parent %q: indexed %v, brute force %v", round, line, parent, got, want)
		}
	}
}

// compileBoth compiles rules with and without the index.
func compileBoth(t *testing.T, rules []*rule.Rule) (indexed, brute *Engine) {
	t.Helper()
	indexed, err := Compile(rules)
	if err != nil {
		t.Fatal(err)
	}
	if brute, err = Compile(rules, WithoutIndex()); err != nil {
		t.Fatal(err)
	}
	return indexed, brute
}

func ruleIDs(ms []Match) []string {
	var ids []string
	for _, m := range ms {
		ids = append(ids, m.Rule.ID)
	}
	return ids
}

// TestScanMemoBudget: values that never repeat cannot make a context's
// memos hold more than memoBudget bytes, and scans stay right once they
// are full.
func TestScanMemoBudget(t *testing.T) {
	x, _ := literalIndex(t, []string{`\cmd.exe`, `mimikatz`}, 64)
	c := &evalCtx{nfields: 64}
	long := strings.Repeat("x", memoMax-40)
	for i := range 4 * memoBudget / memoMax {
		v := fmt.Sprintf("%s %d mimikatz", long, i)
		if got := c.scanMemoized(x, i%c.nfields, KindString, v, false); len(got) != 1 || got[0] != 1 {
			t.Fatalf("value %d: refs %v, want [1]", i, got)
		}
	}
	held := 0
	for _, m := range c.memos {
		if m == nil {
			continue
		}
		for _, e := range m.ents {
			held += 4 * int(e.words)
		}
	}
	if held > memoBudget || c.memoBytes > memoBudget {
		t.Errorf("memos hold %d bytes (counted %d), budget %d", held, c.memoBytes, memoBudget)
	}
	if held < memoBudget/2 {
		t.Errorf("memos hold only %d bytes: the test does not fill them", held)
	}
}

// TestScanMemoFullKeepsEntry: a value the budget has no room for leaves
// the entry it would have replaced answering for its own value, with its
// own refs (the new value's refs fit where the old ones are; its text
// does not).
func TestScanMemoFullKeepsEntry(t *testing.T) {
	x, _ := literalIndex(t, []string{`\cmd.exe`, `mimikatz`, `\temp\`}, 1)
	c := &evalCtx{nfields: 1}
	old := `C:\Temp\cmd.exe`
	want := slices.Clone(c.scanMemoized(x, 0, KindString, old, false))
	// Fill the rest of old's set, so that its hand is back at old's entry.
	for _, v := range sameSet(c, old, memoSetWays-1, `C:\Windows\w%d.exe`) {
		c.scanMemoized(x, 0, KindString, v, false)
	}
	long := sameSet(c, old, 1, `C:\Users\u%d\AppData\Local\mimikatz.exe`)[0]
	c.memoBytes = memoBudget
	if got := c.scanMemoized(x, 0, KindString, long, false); !slices.Equal(got, []int32{1}) {
		t.Fatalf("%s: refs %v, want [1]", long, got)
	}
	if got := c.scanMemoized(x, 0, KindString, old, false); !slices.Equal(got, want) || len(want) != 2 {
		t.Errorf("%s after a value the memo had no room for: refs %v, want %v", old, got, want)
	}
}

// TestScanMemoEncoded: a RawJSON string with escapes is remembered by its
// encoded text, which must never answer for another event's decoded text
// of the same bytes. `\nbx` is a line break in the first event and a
// backslash and an n in the second (a map event, read decoded), through one
// context.
func TestScanMemoEncoded(t *testing.T) {
	m := &rule.Match{Field: "Image", Values: []rule.Value{{Kind: rule.String, S: `a\nb`}}}
	if err := m.SetModifiers([]string{"contains"}); err != nil {
		t.Fatal(err)
	}
	indexed, err := Compile([]*rule.Rule{{ID: "r", Title: "r", Condition: m}})
	if err != nil {
		t.Fatal(err)
	}
	c := indexed.newCtx()
	var raw RawJSON
	for round := range 3 {
		if err := raw.Reset([]byte(`{"Image":"xxxxa\nbxxxx"}`)); err != nil {
			t.Fatal(err)
		}
		if got := ruleIDs(indexed.matchWith(c, &raw)); len(got) != 0 {
			t.Fatalf("round %d: a line break matched: %v", round, got)
		}
		plain := NewEvent(map[string]Value{"Image": Str(`xxxxa\nbxxxx`)})
		if got := ruleIDs(indexed.matchWith(c, plain)); len(got) != 1 {
			t.Fatalf("round %d: a backslash and an n did not match: %v", round, got)
		}
	}
}

// TestDecodedByValue: a RawJSON string with escapes, decoded once and kept
// with its memo entry, is the value atoms and detections see, also after
// the entry has been given to another value.
func TestDecodedByValue(t *testing.T) {
	m := &rule.Match{Field: "CommandLine", Values: []rule.Value{{Kind: rule.String, S: `\temp\`}}}
	if err := m.SetModifiers([]string{"contains"}); err != nil {
		t.Fatal(err)
	}
	rules := []*rule.Rule{{ID: "temp", Title: "temp", Condition: m}}
	indexed, brute := compileBoth(t, rules)
	c := indexed.newCtx()
	var raw RawJSON
	match := func(line string) {
		t.Helper()
		if err := raw.Reset([]byte(`{"CommandLine": "` + line + `"}`)); err != nil {
			t.Fatal(err)
		}
		got := hitValues(indexed.matchWith(c, &raw))
		want := hitValues(brute.Match(&raw))
		if !slices.Equal(got, want) || len(want) == 0 {
			t.Fatalf("%q: indexed %q, brute force %q", line, got, want)
		}
	}
	first := `C:\\Temp\\a.exe \"x\"`
	match(first) // makes the memo and its seed
	match(first) // kept, decoded text with it
	// Values of the same set (values are known by their encoded text),
	// each seen twice in a row (the second time is when its decoded text
	// is read from its entry): they wear the first value's score down,
	// then take its entry, and every other entry of the set.
	for _, s := range sameSet(c, first, memoSetWays*(memoMaxScore+2), `D:\\temp\\b%d.exe`) {
		match(s)
		match(s)
	}
	match(first)
}

func hitValues(ms []Match) []string {
	var out []string
	for _, m := range ms {
		for _, h := range m.Fields {
			out = append(out, m.Rule.ID+": "+h.Value)
		}
	}
	return out
}

// TestMemoEntrySize: a lookup reads one entry, which must not grow past
// half a cache line (what atoms keep of a value belongs in valueMemo);
// every memo has memoWays of both, so valueMemo stays at 96 bytes.
func TestMemoEntrySize(t *testing.T) {
	if n := unsafe.Sizeof(memoEntry{}); n > 32 {
		t.Errorf("memoEntry is %d bytes, want at most 32", n)
	}
	if n := unsafe.Sizeof(valueMemo{}); n > 96 {
		t.Errorf("valueMemo is %d bytes, want at most 96", n)
	}
}

// countingEval is an evaluator whose result is its id's parity, counting
// its evaluations.
type countingEval struct {
	id    int32
	evals map[int32]int
}

func (x countingEval) eval(*evalCtx) bool {
	x.evals[x.id]++
	return x.id%2 == 0
}

// TestEntryResultOrder checks that an entry answers for each id with that
// id's own result, and evaluates each id once, whatever the order ids ask
// in: the order of the last event, another order, repeats, and ids new to
// the entry in between.
func TestEntryResultOrder(t *testing.T) {
	c := &evalCtx{}
	e := &valueMemo{}
	evals := map[int32]int{}
	orders := [][]int32{
		{1, 2, 3, 4, 5},
		{1, 2, 3, 4, 5},
		{5, 4, 3, 2, 1},
		{2, 2, 7, 3, 3, 1, 6},
		{1, 3, 5, 7, 2, 4, 6},
		{6, 1, 2, 3, 4, 5, 7, 8},
	}
	for _, order := range orders {
		for _, id := range order {
			if got, want := c.entryResult(e, id, countingEval{id, evals}), id%2 == 0; got != want {
				t.Fatalf("order %v: id %d gave %v, want %v", order, id, got, want)
			}
		}
	}
	for id := int32(1); id <= 8; id++ {
		if evals[id] != 1 {
			t.Errorf("id %d evaluated %d times, want once", id, evals[id])
		}
	}
}
