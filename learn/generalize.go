package learn

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// A value is generalised by cutting it into literal text and slots: the
// parts that look volatile (a user's profile folder, a GUID, a temporary
// name, a version number, a hex or random token, a process id). Two values
// with the same literal text belong to the same pattern whatever their
// slots hold; across the occurrences of a pattern each slot is then either
// stable, and kept as written, or varying, and becomes a wildcard. So a
// token that merely looks volatile (x64, Office16, port 8080) costs
// nothing when it is in fact constant.

// slotKind says what a slot looked like; it is shown in descriptions of
// patterns ("<guid>") and never changes what matches.
type slotKind uint8

const (
	slotUser slotKind = iota + 1
	slotGUID
	slotBase64
	slotVersion
	slotHex
	slotNumber
	slotToken
	slotTemp
	slotTime
	slotAddress
)

var slotNames = [...]string{"", "user", "guid", "b64", "ver", "hex", "n", "token", "tmp", "time", "ip"}

// volatile reports slots that are volatile by nature, whose value says
// nothing about who did something: GUIDs, base64 data, version numbers,
// long hex tokens, temporary names, times of day. In a proposal they are
// always wildcards, even when the learning days happened to see one value
// (the next version of an updater must not bring its alerts back). User
// names, numbers, addresses and other tokens keep their value when it
// never varied.
func (k slotKind) volatile(value string) bool {
	switch k {
	case slotGUID, slotBase64, slotVersion, slotTemp, slotTime:
		return true
	case slotHex:
		return len(value) >= 8
	}
	return false
}

func (k slotKind) String() string { return slotNames[k] }

// template is a generalised value: len(lits) == len(slots)+1 and the
// value is lits[0] slot[0] lits[1] ... ; trunc says the value went on
// beyond what was generalised.
type template struct {
	lits  []string
	kinds []slotKind
	trunc bool
}

// key is the template's identity, compared without regard to case, as
// Sigma compares values. The kinds of the slots are left out: a random hex
// token that happens to be all digits is the same slot.
func (t *template) key() string {
	var b strings.Builder
	for i, l := range t.lits {
		if i > 0 {
			b.WriteByte(0)
		}
		b.WriteString(strings.ToLower(l))
	}
	if t.trunc {
		b.WriteString("\x00…")
	}
	return b.String()
}

// maxGeneralized is how much of a value is looked at, in bytes; the rest
// of a longer value (a script block, a task's XML) is left to a wildcard.
const maxGeneralized = 400

// userFields hold a user name (DOMAIN\name or name): the name is a slot.
var userFields = map[string]bool{
	"User": true, "SubjectUserName": true, "TargetUserName": true, "AccountName": true,
	"UserName": true, "user.name": true,
}

var (
	guidRe    = regexp.MustCompile(`[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}`)
	profileRe = regexp.MustCompile(`(?i)\\(?:Users|Documents and Settings)\\([^\\/"'<>|:*?]+)`)
	base64Re  = regexp.MustCompile(`[A-Za-z0-9+/]{24,}={0,2}`)
	tempRe    = regexp.MustCompile(`(?i)\\(?:Temp|Tmp)\\([^\\"' ]+?)(\.tmp)(?:\\|"|'| |$)`)
	timeRe    = regexp.MustCompile(`\b\d{1,2}:\d{2}(?::\d{2})?\b`)
)

// wellKnownProfiles are profile folders that are the same on every machine;
// they are kept as literal text.
var wellKnownProfiles = map[string]bool{"public": true, "default": true, "all users": true, "default user": true}

// span is a slot found in a value.
type span struct {
	lo, hi int
	kind   slotKind
}

// generalize cuts value into a template and the slot values. user is the
// name of the event's user (or ""): where it appears in the value as a word
// of its own (a home share \\srv\home$\j.doe) it is a slot too.
func generalize(field, value, user string) (template, []string) {
	trunc := false
	if len(value) > maxGeneralized {
		cut := maxGeneralized
		for cut > 0 && !utf8.RuneStart(value[cut]) {
			cut--
		}
		value, trunc = value[:cut], true
	}
	var spans []span
	if userFields[field] {
		// DOMAIN\name: the name is the slot; a bare name is all slot.
		lo := strings.LastIndexByte(value, '\\') + 1
		if lo < len(value) && value != "-" {
			spans = append(spans, span{lo, len(value), slotUser})
		}
	} else {
		spans = findSlots(value, user)
	}
	t := template{trunc: trunc}
	var slots []string
	at := 0
	for _, s := range spans {
		t.lits = append(t.lits, value[at:s.lo])
		t.kinds = append(t.kinds, s.kind)
		slots = append(slots, value[s.lo:s.hi])
		at = s.hi
	}
	t.lits = append(t.lits, value[at:])
	return t, slots
}

// findSlots finds the volatile parts of a value, in order, not overlapping.
func findSlots(v, user string) []span {
	taken := make([]bool, len(v)+1)
	var spans []span
	add := func(lo, hi int, k slotKind) {
		if lo >= hi {
			return
		}
		for i := lo; i < hi; i++ {
			if taken[i] {
				return
			}
		}
		for i := lo; i < hi; i++ {
			taken[i] = true
		}
		spans = append(spans, span{lo, hi, k})
	}
	for _, m := range guidRe.FindAllStringIndex(v, -1) {
		add(m[0], m[1], slotGUID)
	}
	for _, m := range profileRe.FindAllStringSubmatchIndex(v, -1) {
		if !wellKnownProfiles[strings.ToLower(v[m[2]:m[3]])] {
			add(m[2], m[3], slotUser)
		}
	}
	if len(user) >= 3 {
		lv, lu := strings.ToLower(v), strings.ToLower(user)
		for at := 0; ; {
			i := strings.Index(lv[at:], lu)
			if i < 0 {
				break
			}
			lo, hi := at+i, at+i+len(lu)
			if (lo == 0 || !isNameByte(v[lo-1])) && (hi == len(v) || !isNameByte(v[hi])) {
				add(lo, hi, slotUser)
			}
			at = hi
		}
	}
	for _, m := range base64Re.FindAllStringIndex(v, -1) {
		if looksEncoded(v[m[0]:m[1]]) {
			add(m[0], m[1], slotBase64)
		}
	}
	for _, m := range timeRe.FindAllStringIndex(v, -1) {
		add(m[0], m[1], slotTime)
	}
	for _, s := range tokenSlots(v) {
		add(s.lo, s.hi, s.kind)
	}
	// Temporary names without digits (is-KQPRT.tmp): the stem before
	// .tmp, when nothing inside it was taken already.
	for _, m := range tempRe.FindAllStringSubmatchIndex(v, -1) {
		add(m[2], m[3], slotTemp)
	}
	sortSpans(spans)
	return spans
}

func sortSpans(s []span) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j].lo < s[j-1].lo; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// looksEncoded tells base64 data from a long word or path: it mixes upper
// case, lower case and digits.
func looksEncoded(s string) bool {
	var up, low, dig int
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 'A' && c <= 'Z':
			up++
		case c >= 'a' && c <= 'z':
			low++
		case c >= '0' && c <= '9':
			dig++
		}
	}
	return up > 0 && low > 0 && (dig > 0 || strings.ContainsAny(s, "+/")) && up+dig > len(s)/5
}

// isNameByte reports bytes that can be part of a user name.
func isNameByte(c byte) bool { return isAlnum(c) || c == '.' || c == '_' || c == '-' }

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// tokenSlots finds version numbers, hex tokens, long numbers and random
// tokens among the alphanumeric words of v.
func tokenSlots(v string) []span {
	var out []span
	i := 0
	for i < len(v) {
		if !isAlnum(v[i]) {
			i++
			continue
		}
		j := i
		for j < len(v) && isAlnum(v[j]) {
			j++
		}
		// A dotted run of numbers is a version (or an address): 1.3.36.372.
		if isDigits(v[i:j]) {
			k, parts := j, 1
			for k+1 < len(v) && v[k] == '.' && v[k+1] >= '0' && v[k+1] <= '9' {
				m := k + 1
				for m < len(v) && v[m] >= '0' && v[m] <= '9' {
					m++
				}
				if m < len(v) && isAlnum(v[m]) {
					break
				}
				k, parts = m, parts+1
			}
			if parts >= 2 {
				kind := slotVersion
				if parts == 4 && isQuad(v[i:k]) && (i == 0 || !isAlnum(v[i-1]) && !strings.ContainsRune("-_.", rune(v[i-1]))) {
					kind = slotAddress // 10.20.0.5, not LobClient-4.2.0.17
				}
				out = append(out, span{i, k, kind})
				i = k
				continue
			}
		}
		if k := wordKind(v[i:j]); k != 0 {
			out = append(out, span{i, j, k})
		}
		i = j
	}
	return out
}

// isQuad reports a dotted quad of numbers up to 255.
func isQuad(s string) bool {
	for _, p := range strings.Split(s, ".") {
		if len(p) > 3 || p > "255" && len(p) == 3 {
			return false
		}
	}
	return true
}

// wordKind classifies one alphanumeric word, or returns 0 for a word that
// does not look volatile.
func wordKind(w string) slotKind {
	var dig, hexLetters, other int
	for i := 0; i < len(w); i++ {
		switch c := w[i]; {
		case c >= '0' && c <= '9':
			dig++
		case c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F':
			hexLetters++
		default:
			other++
		}
	}
	switch {
	case dig == len(w) && len(w) >= 3:
		return slotNumber
	case other == 0 && len(w) >= 6:
		return slotHex // also a random hex token that happens to have no digits
	case dig >= 2 && dig+hexLetters+other >= 5 && dig < len(w):
		return slotToken
	}
	return 0
}

// slotState is what the occurrences of a pattern held in one slot: a
// value (the least one, so the result does not depend on the order events
// arrive in), whether they differed (without regard to case), and whether
// any was volatile by nature.
type slotState struct {
	val      string
	varies   bool
	set      bool
	volatile bool
}

func (s *slotState) add(v string, volatile bool) {
	s.volatile = s.volatile || volatile
	switch {
	case !s.set:
		s.val, s.set = v, true
	case s.varies:
	case !strings.EqualFold(s.val, v):
		s.varies = true
	case v < s.val:
		s.val = v
	}
}

func (s *slotState) merge(o slotState) {
	if !o.set {
		return
	}
	s.add(o.val, o.volatile)
	if o.varies {
		s.varies = true
	}
}

// render writes the Sigma value of a template: literal text escaped,
// stable slots as their value, varying slots as '*', and so are slots
// volatile by nature unless pin is set (context fields pin them: a hash
// that never varied is what narrows a proposal). It also returns a
// description with <kind> for wildcards, the number of literal
// alphanumeric characters, and whether it wrote a wildcard.
func render(t *template, lits []string, slots []slotState, pin bool) (sigma, desc string, literal int, wildcard bool) {
	var items []sigmaItem
	var d strings.Builder
	lit := func(s string) {
		for i := 0; i < len(s); i++ {
			items = append(items, sigmaItem{c: s[i]})
			if isAlnum(s[i]) {
				literal++
			}
		}
		d.WriteString(s)
	}
	wild := func(desc string) {
		wildcard = true
		if n := len(items); n == 0 || !items[n-1].star {
			items = append(items, sigmaItem{star: true})
		}
		d.WriteString(desc)
	}
	for i, l := range lits {
		lit(l)
		if i < len(slots) {
			if slots[i].varies || !slots[i].set || slots[i].volatile && !pin {
				wild("<" + t.kinds[i].String() + ">")
			} else {
				lit(slots[i].val)
			}
		}
	}
	if t.trunc {
		wild("…")
	}
	return escapeItems(items), d.String(), literal, wildcard
}

// sigmaItem is one byte of literal text or one '*' wildcard.
type sigmaItem struct {
	c    byte
	star bool
}

// escapeSigma escapes literal text for a Sigma value.
func escapeSigma(s string) string {
	items := make([]sigmaItem, len(s))
	for i := 0; i < len(s); i++ {
		items[i] = sigmaItem{c: s[i]}
	}
	return escapeItems(items)
}

// escapeItems writes a Sigma value (the Sigma specification's escaping:
// a backslash escapes '*', '?' and itself, and is literal before anything
// else). A literal '*' or '?' is escaped; a literal backslash is doubled
// only when what follows it would otherwise be read as escaped: a
// wildcard, or a character whose own form starts with a backslash, '*' or
// '?'.
func escapeItems(items []sigmaItem) string {
	var b strings.Builder
	for i, it := range items {
		switch {
		case it.star:
			b.WriteByte('*')
		case it.c == '*' || it.c == '?':
			b.WriteByte('\\')
			b.WriteByte(it.c)
		case it.c == '\\':
			b.WriteByte('\\')
			if i+1 < len(items) {
				if n := items[i+1]; n.star || n.c == '*' || n.c == '?' || n.c == '\\' {
					b.WriteByte('\\')
				}
			}
		default:
			b.WriteByte(it.c)
		}
	}
	return b.String()
}
