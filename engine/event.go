package engine

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Kind is the JSON type of a Value.
type Kind uint8

// Value kinds.
const (
	KindNull Kind = iota
	KindString
	KindNumber
	KindBool
	KindList
)

// Value is a field value as the event carries it. S holds the text of a
// scalar: the string itself, a number's literal as written ("4688", "1.5"),
// or "true"/"false". Lists hold their elements in Items. Objects are never
// values: their leaves are fields of their own (see ParseJSON).
type Value struct {
	Kind  Kind
	S     string
	Items []Value
}

// Str is a string Value.
func Str(s string) Value { return Value{Kind: KindString, S: s} }

// Num is a number Value from its decimal text.
func Num(text string) Value { return Value{Kind: KindNumber, S: text} }

func (v Value) String() string {
	switch v.Kind {
	case KindNull:
		return "null"
	case KindList:
		parts := make([]string, len(v.Items))
		for i, it := range v.Items {
			parts[i] = it.String()
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return v.S
}

// Event is read access to the fields of one event. Field names are the
// names rules use after field mapping ("Image", "EventID",
// "Provider_Name"). Implementations must be safe for concurrent reads if the
// same event is matched from several goroutines.
//
// *JSONEvent implements Event for JSON and Windows evtx JSON; an agent can
// implement it over its own typed events without building a map, and
// IndexedEvent as well to be read by position instead of by name.
type Event interface {
	// Field returns the named field's value, and false when the event has
	// no such field. A field present with a JSON null is (Value{}, true).
	Field(name string) (Value, bool)
	// Range calls fn for every field until fn returns false. Keyword
	// searches (rules without field names) look at every value.
	Range(fn func(name string, v Value) bool)
}

// JSONEvent is an Event read from a JSON object. Windows evtx JSON
// ({"Event":{"System":...,"EventData":...}}) is flattened the way Sigma names
// its fields: EventData and UserData fields by name, System fields by name
// with XML attributes joined by "_" (Provider_Name, Execution_ProcessID,
// TimeCreated_SystemTime). Other JSON keeps top-level keys as they are and
// reaches nested objects with dotted names ("process.parent.name").
//
// Dotted names are bounded, so that deep nesting under long keys cannot
// make a small event expand into a huge one: a member whose dotted name
// would exceed MaxFieldName bytes is left out, with everything below it,
// and so is every member past a budget of 4 name bytes per input byte.
type JSONEvent struct {
	fields map[string]Value
	names  []string // in sorted-key order, for Range and explanations
	folded map[string]string
	evtx   bool

	nameBytes, nameBudget int // dotted-name bytes made, and allowed
}

// MaxFieldName bounds the length of a dotted field name (see JSONEvent).
const MaxFieldName = 1024

// nameBudget is how many bytes of dotted names an event of n bytes may make.
func nameBudget(n int) int { return 4*n + 4096 }

// MaxJSONDepth bounds the nesting of events read by ParseJSON.
const MaxJSONDepth = 64

// ParseJSON reads one JSON object into an event.
func ParseJSON(raw []byte) (*JSONEvent, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("invalid JSON: data after the object")
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("event must be a JSON object, got %s", jsonType(v))
	}
	e := &JSONEvent{fields: make(map[string]Value, 32), nameBudget: nameBudget(len(raw))}
	if evt, ok := obj["Event"].(map[string]any); ok {
		if sys, ok := evt["System"].(map[string]any); ok {
			e.evtx = true
			e.flattenEvtx(evt, sys)
			return e.foldNames(), nil
		}
	}
	e.flatten("", obj, 0)
	e.beatAliases(obj)
	return e.foldNames(), nil
}

// beatAliases gives Winlogbeat events the names Sigma rules use: the
// legacy shape ({"log_name", "event_id", "event_data": {...}}) and the
// current one ({"winlog": {"channel", "event_id", "event_data": {...}}}).
// EventData fields become top-level fields; channel, event id, computer
// and provider get their Windows names. Dotted names stay available.
func (e *JSONEvent) beatAliases(obj map[string]any) {
	root := obj
	if w, ok := obj["winlog"].(map[string]any); ok {
		root = w
	}
	data, ok := root["event_data"].(map[string]any)
	_, hasChannel := root["channel"]
	_, hasLog := root["log_name"]
	if !ok && !hasChannel && !hasLog {
		return
	}
	for _, k := range slices.Sorted(maps.Keys(data)) {
		if s, ok := scalar(textOf(data[k]), 0); ok {
			e.setFirst(k, s)
		}
	}
	for _, a := range [...]struct{ from, to string }{
		{"log_name", "Channel"}, {"channel", "Channel"}, {"event_id", "EventID"},
		{"computer_name", "Computer"}, {"source_name", "Provider_Name"}, {"provider_name", "Provider_Name"},
	} {
		if v, ok := root[a.from]; ok {
			if s, ok := scalar(v, 0); ok && s.Kind != KindList {
				e.setFirst(a.to, s)
			}
		}
	}
}

// NewEvent builds an event from a flat field map (tests, embeddings).
func NewEvent(fields map[string]Value) *JSONEvent {
	e := &JSONEvent{fields: make(map[string]Value, len(fields))}
	for k, v := range fields {
		e.set(k, v)
	}
	return e.foldNames()
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case []any:
		return "an array"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	}
	return fmt.Sprintf("%T", v)
}

func (e *JSONEvent) set(name string, v Value) {
	if _, dup := e.fields[name]; !dup {
		e.names = append(e.names, name)
	}
	e.fields[name] = v
}

// setFirst sets a field unless an earlier part of the event already did
// (EventData wins over System for the same name).
func (e *JSONEvent) setFirst(name string, v Value) {
	if _, dup := e.fields[name]; !dup {
		e.set(name, v)
	}
}

func scalar(v any, depth int) (Value, bool) {
	switch x := v.(type) {
	case nil:
		return Value{}, true
	case string:
		return Str(x), true
	case json.Number:
		return Num(string(x)), true
	case bool:
		if x {
			return Value{Kind: KindBool, S: "true"}, true
		}
		return Value{Kind: KindBool, S: "false"}, true
	case []any:
		if depth > MaxJSONDepth {
			return Value{}, false
		}
		items := make([]Value, 0, len(x))
		for _, it := range x {
			if s, ok := scalar(textOf(it), depth+1); ok {
				items = append(items, s)
			}
		}
		return Value{Kind: KindList, Items: items}, true
	}
	return Value{}, false
}

// textOf unwraps evtx_dump's {"#text": v, "#attributes": {...}} form.
func textOf(v any) any {
	if m, ok := v.(map[string]any); ok {
		if t, ok := m["#text"]; ok {
			return t
		}
	}
	return v
}

// flatten adds the leaves of obj with dotted names below prefix.
func (e *JSONEvent) flatten(prefix string, obj map[string]any, depth int) {
	if depth > MaxJSONDepth {
		return
	}
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		v := obj[k]
		name := k
		if prefix != "" {
			n := len(prefix) + 1 + len(k)
			if n > MaxFieldName || e.nameBytes+n > e.nameBudget {
				continue
			}
			e.nameBytes += n
			name = prefix + "." + k
		}
		if s, ok := scalar(v, depth); ok {
			e.set(name, s)
			continue
		}
		if m, ok := v.(map[string]any); ok {
			if t, ok := m["#text"]; ok {
				if s, ok := scalar(t, depth); ok {
					e.set(name, s)
				}
			}
			e.flatten(name, m, depth+1)
		}
	}
}

func (e *JSONEvent) flattenEvtx(evt, sys map[string]any) {
	// EventData: {Name: value} as evtx_dump writes it, or the XML-shaped
	// {"Data": [{"#attributes": {"Name": n}, "#text": v}, ...]}.
	for _, part := range []string{"EventData", "UserData"} {
		data, ok := evt[part].(map[string]any)
		if !ok {
			continue
		}
		if part == "UserData" {
			// UserData holds one element named after the event; its
			// children are the fields.
			for _, k := range slices.Sorted(maps.Keys(data)) {
				if inner, ok := data[k].(map[string]any); ok {
					e.dataFields(inner, 0)
				}
			}
			continue
		}
		e.dataFields(data, 0)
	}
	for _, k := range slices.Sorted(maps.Keys(sys)) {
		v := sys[k]
		if s, ok := scalar(textOf(v), 0); ok {
			e.setFirst(k, s)
		}
		if m, ok := v.(map[string]any); ok {
			attrs := m
			if a, ok := m["#attributes"].(map[string]any); ok {
				attrs = a
			}
			for _, ak := range slices.Sorted(maps.Keys(attrs)) {
				if s, ok := scalar(attrs[ak], 0); ok && ak != "#text" {
					e.setFirst(k+"_"+ak, s)
				}
			}
		}
	}
}

func (e *JSONEvent) dataFields(data map[string]any, depth int) {
	if depth > MaxJSONDepth {
		return
	}
	for _, k := range slices.Sorted(maps.Keys(data)) {
		v := data[k]
		if k == "#attributes" {
			continue
		}
		if k == "Data" {
			if list, ok := v.([]any); ok && e.namedData(list) {
				continue
			}
		}
		if s, ok := scalar(textOf(v), depth); ok {
			e.setFirst(k, s)
			continue
		}
		if m, ok := v.(map[string]any); ok {
			e.dataFields(m, depth+1)
		}
	}
}

// namedData reads [{"#attributes":{"Name":n},"#text":v}, ...]; it reports
// false when the list is not of that shape (unnamed data stays a list).
func (e *JSONEvent) namedData(list []any) bool {
	for _, it := range list {
		m, ok := it.(map[string]any)
		if !ok {
			return false
		}
		a, ok := m["#attributes"].(map[string]any)
		if !ok {
			return false
		}
		if _, ok := a["Name"].(string); !ok {
			return false
		}
	}
	for _, it := range list {
		m := it.(map[string]any)
		name := m["#attributes"].(map[string]any)["Name"].(string)
		if s, ok := scalar(m["#text"], 0); ok {
			e.setFirst(name, s)
		}
	}
	return true
}

// Field implements Event. Names are matched exactly first, then without
// regard to case.
func (e *JSONEvent) Field(name string) (Value, bool) {
	if v, ok := e.fields[name]; ok {
		return v, true
	}
	if e.folded == nil {
		return Value{}, false
	}
	if real, ok := e.folded[strings.ToLower(name)]; ok {
		return e.fields[real], true
	}
	return Value{}, false
}

// Range implements Event, in document order.
func (e *JSONEvent) Range(fn func(string, Value) bool) {
	for _, n := range e.names {
		if !fn(n, e.fields[n]) {
			return
		}
	}
}

// IsEvtx reports whether the event was Windows evtx JSON.
func (e *JSONEvent) IsEvtx() bool { return e.evtx }

// foldNames prepares case-insensitive field lookup. ParseJSON does it; it is
// separate so NewEvent callers get it too.
func (e *JSONEvent) foldNames() *JSONEvent {
	e.folded = make(map[string]string, len(e.names))
	for _, n := range e.names {
		l := strings.ToLower(n)
		if _, dup := e.folded[l]; !dup {
			e.folded[l] = n
		}
	}
	return e
}
