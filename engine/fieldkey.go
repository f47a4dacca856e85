package engine

// fieldKey is a field name with its RawJSON hashes, computed once: the
// engine looks the same names up in every event, and hashing them again
// each time costs as much as the lookup.
type fieldKey struct {
	name       string
	hash, fold uint64
	id         int32 // in its engine's keyTable: where schemas keep its position
}

func newFieldKey(name string, id int32) *fieldKey {
	h, f := rawHashes(name)
	return &fieldKey{name: name, hash: h, fold: f, id: id}
}

// keyTable gives an engine one fieldKey per field name. The keys routing
// reads (channelKey, eventIDKey, eventTypeKey) are shared by all engines
// and hold the first ids in every table.
type keyTable struct {
	byName map[string]*fieldKey
	list   []*fieldKey // by id
}

func newKeyTable() *keyTable {
	t := &keyTable{byName: map[string]*fieldKey{}}
	for _, k := range routingKeys {
		t.byName[k.name] = k
		t.list = append(t.list, k)
	}
	return t
}

// key returns the key of name, adding one the first time.
func (t *keyTable) key(name string) *fieldKey {
	if k, ok := t.byName[name]; ok {
		return k
	}
	k := newFieldKey(name, int32(len(t.list)))
	t.byName[name] = k
	t.list = append(t.list, k)
	return k
}

// eventReader reads the fields of one event by key: straight from the
// bytes of a RawJSON, by position for an IndexedEvent whose schema the
// engine has resolved (pos), else by name.
type eventReader struct {
	ev  Event
	raw *RawJSON     // ev, when it is one
	at  IndexedEvent // ev, when pos is set
	pos []int32      // fieldKey.id -> position in at's schema, -1 for none
}

// readerOf returns a reader of ev that reads by name (or from RawJSON).
func readerOf(ev Event) eventReader {
	raw, _ := ev.(*RawJSON)
	return eventReader{ev: ev, raw: raw}
}

// get reads k.
func (r *eventReader) get(k *fieldKey) (Value, bool) {
	v, lazy, ok := r.getEncoded(k)
	if lazy != 0 {
		v.S = r.raw.decoded(lazy)
	}
	return v, ok
}

// getEncoded is get, but a RawJSON string with escapes is left as the JSON
// writes it: v.S is then the text between the quotes, and lazy, not 0,
// gives its decoded text through RawJSON.decoded. Equal encoded texts
// decode to equal texts, so the encoded text can stand for the value where
// only its identity matters (scanMemo), and decoding can wait until the
// text is read.
func (r *eventReader) getEncoded(k *fieldKey) (v Value, lazy int32, ok bool) {
	if r.raw != nil {
		return r.raw.lookup(k.name, k.hash, k.fold)
	}
	if int(k.id) < len(r.pos) {
		p := r.pos[k.id]
		if p < 0 {
			return Value{}, 0, false
		}
		v, ok = r.at.FieldAt(int(p))
		return v, 0, ok
	}
	v, ok = r.ev.Field(k.name)
	return v, 0, ok
}

// slotKeys says how to read one slot's field from an event: the names a
// user mapping gives it, or its own name and the built-in aliases to try
// when the event lacks it (see Mapping.lookup, which this mirrors).
type slotKeys struct {
	mapped   []*fieldKey // set when the user mapping renames the field
	own      *fieldKey
	security *fieldKey // alias in Security process creation events
	av       *fieldKey // alias in Defender antivirus events
	flat     *fieldKey // alias in flat (nxlog-style) Windows JSON
}

func newSlotKeys(t *keyTable, m *Mapping, name string) *slotKeys {
	if m != nil {
		if names, ok := m.Fields[name]; ok {
			k := &slotKeys{}
			for _, n := range names {
				k.mapped = append(k.mapped, t.key(n))
			}
			return k
		}
	}
	k := &slotKeys{own: t.key(name)}
	if alt, ok := securityProcessCreation[name]; ok {
		k.security = t.key(alt)
	}
	if alt, ok := defenderAntivirus[name]; ok {
		k.av = t.key(alt)
	}
	if alt, ok := flatWindows[name]; ok {
		k.flat = t.key(alt)
	}
	return k
}

// never reports whether has finds none of the names k reads the field by
// (its own, its aliases, or a mapping's names): then no event whose names
// has tells has the field, whatever its source.
func (k *slotKeys) never(has func(*fieldKey) bool) bool {
	for _, m := range k.mapped {
		if has(m) {
			return false
		}
	}
	for _, key := range [...]*fieldKey{k.own, k.security, k.av, k.flat} {
		if key != nil && has(key) {
			return false
		}
	}
	return true
}

// lookup reads the field through r, as Mapping.lookup does, encoded as
// eventReader.getEncoded gives it.
func (k *slotKeys) lookup(r *eventReader, src *eventSource) (Value, int32, bool) {
	if k.own == nil {
		for _, m := range k.mapped {
			if v, lazy, ok := r.getEncoded(m); ok {
				return v, lazy, true
			}
		}
		return Value{}, 0, false
	}
	if v, lazy, ok := r.getEncoded(k.own); ok {
		return v, lazy, true
	}
	return k.alias(r, src)
}

// alias reads the field through r by the alias the event's source gives
// it, when the event has no field of its own name (k.own is set).
func (k *slotKeys) alias(r *eventReader, src *eventSource) (Value, int32, bool) {
	if !src.known {
		return Value{}, 0, false
	}
	if k.security != nil && src.service == "security" && src.hasCategory("process_creation") {
		return r.getEncoded(k.security)
	}
	if k.av != nil && src.hasCategory("antivirus") {
		return r.getEncoded(k.av)
	}
	if k.flat != nil {
		return r.getEncoded(k.flat)
	}
	return Value{}, 0, false
}
