package engine

import (
	"slices"
	"testing"

	"github.com/tanchi-dev/tanchi/rule"
)

// TestKeywordsKnownEntryReused: a memo entry that held a value known to
// hold no keyword forgets it when it takes another value, and a value the
// search skipped is one whose entry the search found clean.
func TestKeywordsKnownEntryReused(t *testing.T) {
	cmd := &rule.Match{Field: "CommandLine", Values: []rule.Value{{Kind: rule.String, S: "whoami"}}}
	if err := cmd.SetModifiers([]string{"contains"}); err != nil {
		t.Fatal(err)
	}
	kw := &rule.Match{Values: []rule.Value{{Kind: rule.String, S: "mimikatz"}}}
	indexed, brute := compileBoth(t, []*rule.Rule{
		{ID: "cmd", Title: "cmd", Condition: cmd},
		{ID: "kw", Title: "kw", Condition: kw},
	})
	schema, err := NewSchema("CommandLine", "Other")
	if err != nil {
		t.Fatal(err)
	}
	c := indexed.newCtx()
	match := func(line string) []string {
		t.Helper()
		ev := &typedEvent{schema, []Value{Str(line), Str("x")}}
		got, want := ruleIDs(indexed.matchWith(c, ev)), ruleIDs(brute.Match(ev))
		if !slices.Equal(got, want) {
			t.Fatalf("%q: indexed %v, brute force %v", line, got, want)
		}
		return got
	}
	const clean = `C:\Windows\System32\svchost.exe -k netsvcs`
	match(clean)
	i := slices.IndexFunc(indexed.index.fields, func(f fieldIndex) bool { return f.name == "CommandLine" })
	e := c.valueEntry(indexed.index.fields[i].slot)
	if e == nil || e.kwClean == nil {
		t.Fatalf("after a search that found nothing, the entry of %q is %+v, want it clean", clean, e)
	}
	match(clean)
	if len(c.kwMark) != 0 {
		t.Fatalf("a known clean value was searched again (%d entries to mark)", len(c.kwMark))
	}
	// Values holding the keyword take every way of the clean value's set,
	// its entry among them; each is searched every time.
	for _, line := range sameSet(c, clean, 2*memoWays, "mimikatz.exe %d") {
		for range 3 {
			if got := match(line); !slices.Contains(got, "kw") {
				t.Fatalf("%q: %v, want kw", line, got)
			}
		}
	}
}

// typedEvent is an IndexedEvent with every field of its schema.
type typedEvent struct {
	schema *Schema
	vals   []Value
}

func (e *typedEvent) Schema() *Schema             { return e.schema }
func (e *typedEvent) FieldAt(i int) (Value, bool) { return e.vals[i], true }

func (e *typedEvent) Field(name string) (Value, bool) {
	if i, ok := e.schema.Index(name); ok {
		return e.vals[i], true
	}
	return Value{}, false
}

func (e *typedEvent) Range(fn func(string, Value) bool) {
	for i, v := range e.vals {
		if !fn(e.schema.Name(i), v) {
			return
		}
	}
}
