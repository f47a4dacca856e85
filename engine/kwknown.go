package engine

import "unsafe"

// Keyword search and the memo. A keyword rule (a detection that names no
// field) searches every value of the event, and much of an event's text is
// in the fields the index scans anyway, whose values repeat: their memo
// entries (memo.go) remember, per route, that the value holds none of the
// route's keywords once a search of an event found none, and later events
// leave such values out of the search.
//
// The texts searched are those the event hands over (eventTexts). Which of
// them is a scanned field's value is known without comparing or hashing
// texts for typed events whose texts come in schema order, one per field
// (an AppendTexts that appends its fields' strings in order, or a Range in
// schema order): text i is the value of field i when it is the very same
// string, the same bytes at the same address. Any other text, and every
// text of an event that lays its texts out otherwise, is searched.

// leaveOutKnown blanks those of the current event's texts (in schema order
// or not) that are values of fields rt scans holding none of rt's
// keywords, and notes in c.kwMark the memo entries of the scanned values
// it leaves to the search (see markKnown). Only events read by position
// (c.slotPos) have texts it knows.
func (c *evalCtx) leaveOutKnown(rt *route, texts []string) {
	// The context's arrays in locals: the loop writes texts and kwMark,
	// which would otherwise make it load them again for every field.
	gen, slots := c.gen, c.slots
	n := len(slots)
	valGen, valEntry, slotPos := c.valGen[:n], c.valEntry[:n], c.slotPos[:n]
	for _, s32 := range rt.slots {
		slot := int(s32)
		if slot < 0 || slot >= n {
			continue // cannot happen: one bounds check for the four arrays
		}
		pos := slotPos[slot]
		if uint(pos) >= uint(len(texts)) || valGen[slot] != gen {
			continue // not in the schema (-1), no such text, or no memo entry this event
		}
		s, v := texts[pos], slots[slot].v.S
		if len(s) != len(v) || unsafe.StringData(s) != unsafe.StringData(v) || len(s) == 0 {
			continue // not the field's value: searched
		}
		e := valEntry[slot]
		if e.kwClean == rt {
			texts[pos] = "" // the search skips empty texts
			continue
		}
		c.kwMark = append(c.kwMark, e)
	}
}

// markKnown ends the event's keyword search: when it found nothing
// (clean), the values leaveOutKnown left to it hold none of rt's keywords.
func (c *evalCtx) markKnown(rt *route, clean bool) {
	if clean {
		for _, e := range c.kwMark {
			e.kwClean = rt
		}
	}
	c.kwMark = c.kwMark[:0]
}
