package engine

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strconv"
	"testing"

	"github.com/tanchi-dev/tanchi/rule"
)

// TestGenerationWrap runs a context across the point where its generation
// counter wraps: comparison results, literals seen and candidate marks of
// earlier events must not count for later ones with the same generation.
// (Leaving any of those three uncleared at the wrap fails it.)
func TestGenerationWrap(t *testing.T) {
	m := &rule.Match{Field: "Image", Values: []rule.Value{{Kind: rule.String, S: `\cmd.exe`}}}
	if err := m.SetModifiers([]string{"endswith"}); err != nil {
		t.Fatal(err)
	}
	r := &rule.Rule{ID: "r", Title: "cmd", Condition: m}
	eng, err := Compile([]*rule.Rule{r})
	if err != nil {
		t.Fatal(err)
	}
	cmd := NewEvent(map[string]Value{"Image": Str(`C:\Windows\cmd.exe`)})
	other := NewEvent(map[string]Value{"Image": Str(`C:\Windows\notepad.exe`)})
	near := NewEvent(map[string]Value{"Image": Str(`C:\Windows\cmd.exe.bak`)}) // has the literal, no match
	c := eng.newCtx()
	check := func(i int, ev Event, want int) {
		t.Helper()
		if got := len(eng.matchWith(c, ev)); got != want {
			t.Fatalf("event %d (generation %d): %d matches, want %d", i, c.gen, got, want)
		}
	}
	// Generation 1 caches Image and the comparison's result (true); the
	// next events leave both alone (no literal, so the rule is no
	// candidate).
	check(0, cmd, 1)
	check(1, other, 0)
	// Jump to the end: the next event is the last generation, the one
	// after wraps to 1. Entries left from the first generation 1 would
	// answer for the near miss.
	c.gen = maxGen - 2
	check(2, other, 0)
	check(3, near, 0)
	if c.gen != 1 {
		t.Fatalf("generation %d after the wrap, want 1", c.gen)
	}
	check(4, cmd, 1)

	// Literals seen, candidates marked and fields read in generation 2
	// must not count for the next generation 2.
	c = eng.newCtx()
	check(5, cmd, 1)
	check(6, cmd, 1)
	c.gen = maxGen - 2
	check(7, other, 0)
	check(8, other, 0)
	check(9, cmd, 1)
}

// TestSourceMemo: a context's memo of event sources gives, event after
// event, what sourceOf works out afresh, across more channels, EventIDs and
// Sysmon registry event types than it remembers, and with RawJSON events
// whose bytes are reused.
func TestSourceMemo(t *testing.T) {
	channels := []string{"Microsoft-Windows-Sysmon/Operational", "microsoft-windows-sysmon/operational", "Security",
		"Windows PowerShell", "Microsoft-Windows-Windows Defender/Operational", "Linux-Sysmon/Operational", "System", ""}
	ids := []string{"1", "12", "13", "4688", "4104", "400", "1116", "7045", "x"}
	types := []string{"CreateKey", "DeleteKey", "SetValue", "RenameKey", "", "createkey"}
	eng, err := Compile(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := eng.newCtx()
	var raw RawJSON
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 5000 {
		ch, id, et := channels[rng.IntN(len(channels))], ids[rng.IntN(len(ids))], types[rng.IntN(len(types))]
		fields := map[string]Value{"Channel": Str(ch), "EventID": Str(id)}
		if et != "" {
			fields["EventType"] = Str(et)
		}
		var ev Event = NewEvent(fields)
		if i%2 == 1 {
			if err := raw.Reset(fmt.Appendf(nil, `{"Channel":%q,"EventID":%s,"EventType":%q}`, ch, map[bool]string{true: id, false: `"` + id + `"`}[id != "x"], et)); err != nil {
				t.Fatal(err)
			}
			ev = &raw
		}
		r := readerOf(ev)
		want := sourceOf(&r)
		c.rd = r
		if got := c.sourceOf(); !reflect.DeepEqual(got, want) {
			t.Fatalf("event %d (%q, %q, %q): memo gives %+v, sourceOf %+v", i, ch, id, et, got, want)
		}
	}
}

// TestSourceMemoKeepsMany: the memo keeps most of a hundred sources seen
// in turn (a Security channel's EventIDs), not only the last few. An entry
// found again still holds the mark left on it; a new one has none.
func TestSourceMemoKeepsMany(t *testing.T) {
	eng, err := Compile(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := eng.newCtx()
	mark := &route{}
	hits, looks := 0, 0
	for pass := range 3 {
		for id := 4600; id < 4700; id++ {
			c.rd = readerOf(NewEvent(map[string]Value{"Channel": Str("Security"), "EventID": Num(strconv.Itoa(id))}))
			c.sourceOf()
			if pass > 0 {
				looks++
				if c.srcEntry.route == mark {
					hits++
				}
			}
			c.srcEntry.route = mark
		}
	}
	if hits < looks*8/10 {
		t.Errorf("memo found %d of %d sources seen before", hits, looks)
	}
	t.Logf("memo found %d of %d sources seen before", hits, looks)
}
