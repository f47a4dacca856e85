package engine

import "slices"

// appendJoined appends to buf each of texts that is at least min bytes
// long, each followed by a 0 byte. The keyword search joins an event's
// texts this way (joinedKeywords): an event has 20 to 35 of them, most a
// few dozen bytes, so what joining costs is per text, and an append (with
// its call to copy) per text cost more than the copying. Texts are
// written in one call into the room buf has, which the buffer kept from
// event to event usually is enough for; when it is not, buf grows once
// and the call is made again.
func appendJoined(buf []byte, texts []string, min int) []byte {
	n := len(buf)
	if w := joinTexts(buf[n:cap(buf)], texts, min); w >= 0 {
		return buf[:n+w]
	}
	need := 0
	for _, s := range texts {
		if len(s) >= min {
			need += len(s) + 1
		}
	}
	buf = slices.Grow(buf, need)
	return buf[:n+joinTexts(buf[n:n+need], texts, min)]
}

// joinTextsGo is joinTexts in Go.
func joinTextsGo(dst []byte, texts []string, min int) int {
	n := 0
	for _, s := range texts {
		if len(s) >= min {
			if len(s) >= len(dst)-n {
				return -1
			}
			n += copy(dst[n:], s)
			dst[n] = 0
			n++
		}
	}
	return n
}
