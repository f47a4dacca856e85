package main

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/tanchi-dev/tanchi/engine"
)

// compactEvents are events as inputs hold them: with and without white
// space, escapes next to quotes, HTML characters, U+2028, nesting.
var compactEvents = []string{
	`{"a":1}`,
	`{ "a" : 1 , "b" : [ 1 , 2 , { } , [ ] ] }`,
	"{\n\t\"Event\": {\r\n  \"System\": {\"EventID\": 4688}\n }\n}",
	`{"p": "C:\\Windows\\", "q": "say \"hi\"", "r": "\\\\", "s": "\\\""}`,
	`{"html": "<a href=\"x\">&amp;</a>", "ls": "` + "\u2028\u2029" + `", "u": "\u00e9\ud83d\ude00"}`,
	`{"n": -1.5e+10, "t": true, "f": false, "z": null, "e": ""}`,
	`  [ {"a": "b"} ]  `,
}

func TestCompactJSON(t *testing.T) {
	for _, ev := range compactEvents {
		var want bytes.Buffer
		if err := json.Compact(&want, []byte(ev)); err != nil {
			t.Fatalf("%q: %v", ev, err)
		}
		if got := compactJSON(nil, []byte(ev)); string(got) != want.String() {
			t.Errorf("compactJSON(%q) = %q, want %q", ev, got, want.String())
		}
	}
	// What follows the object (RawJSON accepts "] ..." and "} ...") is
	// not the event's.
	if got := compactJSON([]byte("x"), []byte(`{"k": "v"}   ] }`)); string(got) != `x{"k":"v"}` {
		t.Errorf("trailing text: got %q", got)
	}
}

// FuzzCompactJSON: for every valid JSON object or array, compactJSON
// writes what json.Compact writes.
func FuzzCompactJSON(f *testing.F) {
	for _, ev := range compactEvents {
		f.Add([]byte(ev))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		if !json.Valid(src) {
			return
		}
		trimmed := bytes.TrimSpace(src)
		if len(trimmed) == 0 || trimmed[0] != '{' && trimmed[0] != '[' {
			return
		}
		var want bytes.Buffer
		if err := json.Compact(&want, src); err != nil {
			t.Fatal(err)
		}
		if got := compactJSON(nil, src); string(got) != want.String() {
			t.Errorf("compactJSON(%q) = %q, want %q", src, got, want.String())
		}
	})
}

// TestDetectionWriter: the writer's lines are byte for byte what a
// json.Encoder with HTML escaping off writes for the same detection.
func TestDetectionWriter(t *testing.T) {
	var got, want bytes.Buffer
	dw := newDetectionWriter(&got)
	enc := json.NewEncoder(&want)
	enc.SetEscapeHTML(false)
	for i, ev := range compactEvents[:7] {
		d := detection{
			Rule:    detectionRule{ID: "r<1>", Title: "T & \"q\"", Level: "high", Tags: []string{}},
			Source:  detectionSource{File: "a\u2028b.jsonl", Line: i + 1},
			Event:   json.RawMessage(ev),
			Actions: []string{},
		}
		if i%2 == 1 {
			d.Rule.Tags = []string{"attack.t1059", "<x>"}
			d.Actions = []string{"isolate"}
			d.Matched = []engine.FieldHit{{Field: "CommandLine", Match: "CommandLine|contains: '<'", Value: "a\tb"}}
		}
		if i%3 == 2 {
			d.SuppressedBy = &suppression{ID: "x", Title: "known tool", Reason: "ticket #1 & #2"}
		}
		if err := dw.write(&d); err != nil {
			t.Fatal(err)
		}
		if err := enc.Encode(d); err != nil {
			t.Fatal(err)
		}
	}
	if got.String() != want.String() {
		t.Errorf("writer:\n%s\nencoding/json:\n%s", got.String(), want.String())
	}
}
