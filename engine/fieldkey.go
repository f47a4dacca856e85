package engine

// fieldKey is a field name with its RawJSON hashes, computed once: the
// engine looks the same names up in every event, and hashing them again
// each time costs as much as the lookup.
type fieldKey struct {
	name       string
	hash, fold uint64
}

func newFieldKey(name string) *fieldKey {
	h, f := rawHashes(name)
	return &fieldKey{name: name, hash: h, fold: f}
}

// get looks k up in ev.
func (k *fieldKey) get(ev Event) (Value, bool) {
	v, lazy, ok := k.getEncoded(ev)
	if lazy != 0 {
		v.S = ev.(*RawJSON).decoded(lazy)
	}
	return v, ok
}

// getEncoded is get, but a RawJSON string with escapes is left as the JSON
// writes it: v.S is then the text between the quotes, and lazy, not 0,
// gives its decoded text through RawJSON.decoded. Equal encoded texts
// decode to equal texts, so the encoded text can stand for the value where
// only its identity matters (scanMemo), and decoding can wait until the
// text is read.
func (k *fieldKey) getEncoded(ev Event) (v Value, lazy int32, ok bool) {
	if r, ok := ev.(*RawJSON); ok {
		if f := r.find(k.name, k.hash, k.fold); f != nil {
			return f.val, f.lazy, true
		}
		return Value{}, 0, false
	}
	v, ok = ev.Field(k.name)
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

func newSlotKeys(m *Mapping, name string) *slotKeys {
	if m != nil {
		if names, ok := m.Fields[name]; ok {
			k := &slotKeys{}
			for _, n := range names {
				k.mapped = append(k.mapped, newFieldKey(n))
			}
			return k
		}
	}
	k := &slotKeys{own: newFieldKey(name)}
	if alt, ok := securityProcessCreation[name]; ok {
		k.security = newFieldKey(alt)
	}
	if alt, ok := defenderAntivirus[name]; ok {
		k.av = newFieldKey(alt)
	}
	if alt, ok := flatWindows[name]; ok {
		k.flat = newFieldKey(alt)
	}
	return k
}

// lookup reads the field from ev, as Mapping.lookup does, encoded as
// fieldKey.getEncoded gives it.
func (k *slotKeys) lookup(ev Event, src *eventSource) (Value, int32, bool) {
	if k.own == nil {
		for _, m := range k.mapped {
			if v, lazy, ok := m.getEncoded(ev); ok {
				return v, lazy, true
			}
		}
		return Value{}, 0, false
	}
	if v, lazy, ok := k.own.getEncoded(ev); ok {
		return v, lazy, true
	}
	if !src.known {
		return Value{}, 0, false
	}
	if k.security != nil && src.service == "security" && src.hasCategory("process_creation") {
		return k.security.getEncoded(ev)
	}
	if k.av != nil && src.hasCategory("antivirus") {
		return k.av.getEncoded(ev)
	}
	if k.flat != nil {
		return k.flat.getEncoded(ev)
	}
	return Value{}, 0, false
}
