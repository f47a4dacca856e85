package engine_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tanchi-dev/tanchi/engine"
)

// rawShapeVariants are values put in place of one value of an event whose
// shape a RawJSON keeps: other kinds, escapes, runes whose folds are ASCII,
// invalid UTF-8, numbers the fast scan leaves to rawScanNumber, and values
// that make the event invalid.
var rawShapeVariants = []string{
	`"x"`, `""`, `"a\\b"`, `"\u0041"`, `"\/"`, `"ſ"`, "\"\xff\"", `"é"`, `"` + strings.Repeat("y", 70) + `"`,
	`"` + strings.Repeat("z", 70) + `\n"`, `5`, `-5`, `0`, `01`, `-0`, `1.5`, `1e5`, `1E+5`, `12.`, `-`, `true`,
	`false`, `null`, `nul`, `tru`, `nulx`, `trux`, `falsy`, `{}`, `{"a":1}`, `{"#text":"t"}`, `[]`, `[1,"x"]`, `"open`, `" "`, `"a"  `,
	`"\ud800"`, "\"\t\"",
}

// rawShapeBases are events with %s where a variant goes: evtx and flat
// events, values first, last and nested, names with escapes.
var rawShapeBases = []string{
	`{"Event":{"System":{"EventID":%s,"Channel":"Security","Correlation":null},"EventData":{"Image":"C:\\x.exe","N":7}}}`,
	`{"Event":{"System":{"EventID":4688,"Channel":"Security"},"EventData":{"Image":%s,"N":7,"B":true}}}`,
	`{"a": %s, "b": "two", "c": 3, "d": [1, 2], "e": false}`,
	`{"a": 1, "b": "two", "c": 3, "d": [1, %s], "e": false}`,
	`{"a": 1, "b": "two", "c": 3, "d": [1, 2], "e": %s}`,
	`{"winlog":{"channel":"Security","event_id":%s,"event_data":{"TargetUserName":"bob"}}}`,
	`{"n\u0061me":%s,"ſ":"k","x\/y":1}`,
	` {"short":%s} `,
	`{"Event":{"System":{"EventID":4624},"EventData":{"Data":[{"#attributes":{"Name":%s},"#text":"3"},{"#attributes":{"Name":"B"}}]}}}`,
	`{"Event":{"System":{"EventID":4624,"Provider":{"#attributes":{"Name":"p"}}},"UserData":{"X":{"Y":%s}}}}`,
	`{"winlog":{"channel":"c","event_data":{"A":{"#text":%s}}},"a":{"b":{"c":%s}}}`,
	// Dotted names that collide: the last set wins.
	`{"a.b":%s,"a":{"b":"nested"}}`,
	`{"a.b":"flat","a":{"b":%s}}`,
	// Lists nested deeper than MaxJSONDepth below an object: how much of
	// them a field gets depends on the object's depth.
	`{"o":{"o":{"o":{"o":{"o":{"l":` + strings.Repeat("[", 62) + `1,%s` + strings.Repeat("]", 62) + `}}}}}}`,
}

// TestRawJSONShapesAgree reads, after each base event with its first
// variant, the base with every variant in each place: with the base's
// shape kept, RawJSON must give what ParseJSON gives, and what it gives
// without shapes, errors word for word.
func TestRawJSONShapesAgree(t *testing.T) { bothScans(t, testRawJSONShapesAgree) }

func testRawJSONShapesAgree(t *testing.T) {
	var r engine.RawJSON
	var events []string
	for _, base := range rawShapeBases {
		for _, v := range rawShapeVariants {
			events = append(events, rawFill(base, rawShapeVariants[0]), rawFill(base, v))
		}
	}
	// Then all of them one after the other: shapes that differ at one
	// value become kids of each other.
	for _, base := range rawShapeBases {
		for _, v := range rawShapeVariants {
			events = append(events, rawFill(base, v))
		}
	}
	for round := range 2 {
		for i, ev := range events {
			if d := rawDiff(&r, []byte(ev), -1); d != "" {
				t.Fatalf("round %d, event %d %s: %s", round, i, ev, d)
			}
			if d := rawShapesDiff(&r, []byte(ev)); d != "" {
				t.Fatalf("round %d, event %d %s: %s", round, i, ev, d)
			}
		}
	}
	if engine.RawShapes(&r) < len(rawShapeBases) {
		t.Errorf("%d shapes kept, want at least %d", engine.RawShapes(&r), len(rawShapeBases))
	}
}

// rawFill puts v in every %s of base.
func rawFill(base, v string) string { return strings.ReplaceAll(base, "%s", v) }

// rawShapesDiff reads raw with r and with a RawJSON that keeps no shapes,
// and describes the first difference: error text, PlainText, IsEvtx,
// Range.
func rawShapesDiff(r *engine.RawJSON, raw []byte) string {
	err := r.Reset(raw)
	var plain engine.RawJSON
	var perr error
	engine.WithoutRawShapes(func() { perr = plain.Reset(raw) })
	if fmt.Sprint(err) != fmt.Sprint(perr) {
		return fmt.Sprintf("error %v, without shapes %v", err, perr)
	}
	if r.PlainText() != plain.PlainText() || r.IsEvtx() != plain.IsEvtx() {
		return fmt.Sprintf("PlainText %v IsEvtx %v, without shapes %v %v", r.PlainText(), r.IsEvtx(), plain.PlainText(), plain.IsEvtx())
	}
	if got, want := fmt.Sprint(rawPairs(r)), fmt.Sprint(rawPairs(&plain)); got != want {
		return fmt.Sprintf("Range\n%s\nwithout shapes\n%s", got, want)
	}
	return ""
}

// TestRawJSONShapesNameBudget reads an event whose dotted names fit in
// the name bytes its length allows, and then one of the same shape whose
// shorter value allows fewer: the second must not take the first's names.
func TestRawJSONShapesNameBudget(t *testing.T) {
	// 48 levels of 20-byte names make names of up to 1,008 bytes (below
	// MaxFieldName), 24,696 in all: more than a short event allows.
	deep, key := "%s", strings.Repeat("k", 20)
	for range 48 {
		deep = `{"` + key + `":` + deep + `}`
	}
	long, short := `"`+strings.Repeat("v", 5000)+`"`, `"x"`
	for _, values := range [][]string{{long, short, long}, {short, long, short}} {
		var r engine.RawJSON
		for _, v := range values {
			ev := []byte(fmt.Sprintf(deep, v))
			if d := rawDiff(&r, ev, 0); d != "" {
				t.Fatalf("value of %d bytes after %d: %s", len(v), len(values[0]), d)
			}
			if d := rawShapesDiff(&r, ev); d != "" {
				t.Fatalf("value of %d bytes after %d: %s", len(v), len(values[0]), d)
			}
		}
		if engine.RawShapes(&r) != 1 {
			t.Errorf("%d shapes kept, want 1", engine.RawShapes(&r))
		}
	}
}

// TestRawJSONShapesKept reads events of eight shapes in each of three
// bases (a value first, inside, last): twice in a row, which keeps a shape
// for each, then again, with the shapes kept. Numbers of any form are one kind, as
// are strings; true and false are two. A number comes first, so that a
// string after it meets a literal that is a prefix of its own.
func TestRawJSONShapesKept(t *testing.T) {
	for b, base := range rawShapeBases[:3] {
		var r engine.RawJSON
		var events []string
		for _, v := range []string{`5`, `"x"`, `1.5`, `1e5`, `-2`, `0`, `"y"`, `true`, `false`, `null`, `{}`, `{"a":"b"}`, `[1]`} {
			events = append(events, rawFill(base, v))
		}
		const want = 8
		for pass := range 2 {
			for i, ev := range events {
				// A shape is kept the second time it is seen.
				for range 2 - pass {
					if err := r.Reset([]byte(ev)); err != nil {
						t.Fatalf("base %d, event %d %s: %v", b, i, ev, err)
					}
				}
				if pass == 1 && engine.RawShapes(&r) != want {
					t.Fatalf("base %d, event %d %s read again: %d shapes kept, want %d", b, i, ev, engine.RawShapes(&r), want)
				}
			}
			if n := engine.RawShapes(&r); n != want {
				t.Fatalf("base %d, pass %d: %d shapes kept, want %d", b, pass, n, want)
			}
		}
	}
}

// TestRawJSONShapesBounded reads an event three times (its shape is kept
// the second time), then more shapes than a RawJSON keeps: it forgets them
// and starts again, and still reads every event right.
func TestRawJSONShapesBounded(t *testing.T) {
	var r engine.RawJSON
	for i, want := range []int{0, 1, 1} {
		if err := r.Reset([]byte(rawSysmon)); err != nil {
			t.Fatal(err)
		}
		if n := engine.RawShapes(&r); n != want {
			t.Fatalf("read %d times: %d shapes kept, want %d", i+1, n, want)
		}
	}
	most := 0
	for i := range 3000 {
		ev := fmt.Sprintf(`{"f%d":"v","g":%d,"h":"w"}`, i, i)
		for range 2 { // kept the second time
			if d := rawDiff(&r, []byte(ev), 0); d != "" {
				t.Fatalf("event %d: %s", i, d)
			}
		}
		most = max(most, engine.RawShapes(&r))
	}
	if most < 100 || most > 1024 {
		t.Errorf("at most %d shapes kept, want 100 to 1024", most)
	}
	if n := engine.RawShapes(&r); n >= most {
		t.Errorf("%d shapes kept at the end, want fewer than the %d kept at most", n, most)
	}
}

func FuzzRawJSONShapes(f *testing.F) {
	for _, base := range rawShapeBases {
		f.Add([]byte(rawFill(base, `"x"`)), []byte(rawFill(base, `5`)))
		f.Add([]byte(rawFill(base, `null`)), []byte(rawFill(base, `{"a":"b"}`)))
	}
	f.Add([]byte(rawSysmon), []byte(strings.Replace(rawSysmon, `"EventID":1`, `"EventID":"1"`, 1)))
	f.Add([]byte(rawNxlog), []byte(strings.Replace(rawNxlog, `"port": 60211`, `"port": -1`, 1)))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		var r engine.RawJSON
		r.Reset(a) // b is read with a's shape kept
		if d := rawShapesDiff(&r, b); d != "" {
			t.Fatalf("%q after %q: %s", b, a, d)
		}
		r.Reset(a)
		if d := rawDiff(&r, b, 8); d != "" {
			t.Fatalf("%q after %q: %s", b, a, d)
		}
	})
}
