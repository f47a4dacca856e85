package engine

import (
	"fmt"
	"maps"
	"strings"
)

// Schema is the layout of one kind of typed event: its field names, in the
// order FieldAt numbers them. An agent makes one Schema per event type when
// it starts (one for process creation, one for network connections, ...)
// and shares it by all the events of that type, across goroutines and
// engines. A Schema is immutable.
type Schema struct {
	names  []string
	pos    map[string]int32
	folded map[string]int32 // lower-case name -> first position with it
}

// NewSchema returns the schema whose field i is names[i]. Names must be
// distinct and not empty.
func NewSchema(names ...string) (*Schema, error) {
	s := &Schema{names: append([]string(nil), names...), pos: make(map[string]int32, len(names)), folded: map[string]int32{}}
	for i, n := range names {
		if n == "" {
			return nil, fmt.Errorf("engine.NewSchema: field %d has no name", i)
		}
		if _, dup := s.pos[n]; dup {
			return nil, fmt.Errorf("engine.NewSchema: field %q named twice", n)
		}
		s.pos[n] = int32(i)
		if l := strings.ToLower(n); s.folded[l] == 0 {
			s.folded[l] = int32(i) + 1
		}
	}
	return s, nil
}

// Len is the number of fields of the schema.
func (s *Schema) Len() int { return len(s.names) }

// Name is the name of field i.
func (s *Schema) Name(i int) string { return s.names[i] }

// Index is the position of the named field, and false when the schema has
// no such field. Names are matched as JSON events match them: exactly
// first, then without regard to case (the first such field).
func (s *Schema) Index(name string) (int, bool) {
	if i, ok := s.pos[name]; ok {
		return int(i), true
	}
	if i := s.folded[strings.ToLower(name)]; i > 0 {
		return int(i) - 1, true
	}
	return 0, false
}

// IndexedEvent is an Event that can also be read by position in its
// schema. The indexed engine then resolves the field names its rules use
// to positions once per schema, and reads each field with FieldAt instead
// of looking its name up: an agent's typed events answer without a single
// name comparison.
//
// The two ways of reading must agree: Field(name) returns FieldAt(i) when
// Schema().Index(name) is i, and reports false when Index does not find
// the name (the indexed engine reads by position, the brute-force engine
// and explanations by name). Field written as
//
//	i, ok := ev.Schema().Index(name)
//	if !ok {
//		return engine.Value{}, false
//	}
//	return ev.FieldAt(i)
//
// agrees by construction. Schema must return the same schema for the life
// of the event.
type IndexedEvent interface {
	Event
	Schema() *Schema
	FieldAt(i int) (Value, bool)
}

// TextEvent is an Event that hands over the texts of its values in one
// call. Keyword searches (rules whose detection names no field) read every
// value of an event: through Range that is a call per field, which for an
// agent's typed events costs more than searching the texts does. An event
// type that keeps its fields as strings implements AppendTexts with an
// append or two.
//
// AppendTexts appends to dst, in any order, the text (Value.S) of every
// value Range visits, except that a list contributes the texts of its
// items instead, and nulls and lists within lists contribute nothing. It
// returns the extended slice, and must not keep dst. The texts only tell
// the index which keyword rules to evaluate, and those are evaluated on
// the event's values: a text left out can hide a detection, one too many
// (an empty text for a null, say) costs only time. It may be called more
// than once for one event. The engine holds the strings only while it
// matches the event.
type TextEvent interface {
	Event
	AppendTexts(dst []string) []string
}

// TextBlockEvent is a TextEvent whose texts lie in one block of memory,
// such as the buffer an agent decodes a record into: keyword searches read
// the block where it is instead of joining the texts.
//
// TextBlock returns text that holds, whole, every text AppendTexts hands
// over, in any order. It may hold more (field names, padding, texts side by
// side with nothing between them): a keyword found in bytes no value holds
// costs one keyword rule's evaluation on the event's values, never a
// detection. The engine holds the string only while it matches the event.
type TextBlockEvent interface {
	TextEvent
	TextBlock() string
}

// AppendValueTexts appends to dst the texts v contributes to AppendTexts
// (see TextEvent): its text, a list's items' texts, nothing for a null,
// and returns the extended slice. An event that keeps Values implements
// AppendTexts with it.
func AppendValueTexts(dst []string, v Value) []string {
	switch v.Kind {
	case KindNull:
	case KindList:
		for _, it := range v.Items {
			if it.Kind != KindNull && it.Kind != KindList {
				dst = append(dst, it.S)
			}
		}
	default:
		dst = append(dst, v.S)
	}
	return dst
}

// maxSchemas bounds the schemas an engine keeps resolved. Events of further
// schemas are read by name: correct, only slower. An agent has a handful
// of event types; a caller making a schema per event must not make the
// engine grow without bound.
const maxSchemas = 256

// schemaLayout is where an engine finds its fields in one schema.
type schemaLayout struct {
	keys []int32 // fieldKey.id -> position, -1 for none
	// slot -> position of the slot's own field (slotKeys.own), -1 when the
	// schema lacks it or a mapping renames the slot: a slot read with one
	// FieldAt call, without going through its keys. slotNever when the
	// schema has none of the names the slot may be read by: the slot is
	// absent from every event of the schema.
	slots []int32
}

// slotNever is schemaLayout.slots' value for a slot no event of the
// schema has.
const slotNever = -2

// schemaLayout returns the layout of s, resolving it on first use, or nil
// when the engine keeps no more schemas.
func (e *Engine) schemaLayout(s *Schema) *schemaLayout {
	if m := e.schemas.Load(); m != nil {
		if l, ok := (*m)[s]; ok {
			return l
		}
		if len(*m) >= maxSchemas {
			return nil // without taking the lock for every such event
		}
	}
	e.routeMu.Lock()
	defer e.routeMu.Unlock()
	var next map[*Schema]*schemaLayout
	if m := e.schemas.Load(); m != nil {
		if l, ok := (*m)[s]; ok {
			return l
		}
		if len(*m) >= maxSchemas {
			return nil
		}
		next = maps.Clone(*m)
	} else {
		next = map[*Schema]*schemaLayout{}
	}
	l := &schemaLayout{keys: make([]int32, len(e.fieldKeys.list)), slots: make([]int32, len(e.keys))}
	for id, k := range e.fieldKeys.list {
		l.keys[id] = -1
		if i, ok := s.Index(k.name); ok {
			l.keys[id] = int32(i)
		}
	}
	for slot, k := range e.keys {
		l.slots[slot] = -1
		if k.own != nil {
			l.slots[slot] = l.keys[k.own.id]
		}
		if l.slots[slot] < 0 && k.never(func(key *fieldKey) bool { return l.keys[key.id] >= 0 }) {
			l.slots[slot] = slotNever
		}
	}
	next[s] = l
	e.schemas.Store(&next)
	return l
}
