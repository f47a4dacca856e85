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
	if r, ok := ev.(*RawJSON); ok {
		return r.fieldHashed(k.name, k.hash, k.fold)
	}
	return ev.Field(k.name)
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

// lookup reads the field from ev, as Mapping.lookup does.
func (k *slotKeys) lookup(ev Event, src *eventSource) (Value, bool) {
	if k.own == nil {
		for _, m := range k.mapped {
			if v, ok := m.get(ev); ok {
				return v, true
			}
		}
		return Value{}, false
	}
	if v, ok := k.own.get(ev); ok {
		return v, true
	}
	if !src.known {
		return Value{}, false
	}
	if k.security != nil && src.service == "security" && src.hasCategory("process_creation") {
		return k.security.get(ev)
	}
	if k.av != nil && src.hasCategory("antivirus") {
		return k.av.get(ev)
	}
	if k.flat != nil {
		return k.flat.get(ev)
	}
	return Value{}, false
}
