package engine_test

// Differential testing of the indexed matcher against the brute-force one.
//
// A generator builds small rule sets as Sigma YAML text (read with
// sigma.Parse, like real rule files) and events as JSON (read with
// engine.ParseJSON), choosing everything from one stream of bytes: the fuzz
// input, or pseudo-random bytes for the deterministic test. Each case is
// compiled twice, with the default index and with WithoutIndex, and every
// event must get the same MatchAll answer from both: the same rules in the
// same order, the same suppressing exclusion and the same field hits.
//
// The generator aims at what a literal index can get wrong. Rules and events
// draw their text from one small pool of words, so that events often hold a
// rule's literals, in another case, folded differently (K and the Kelvin
// sign, ß and ẞ, s and ſ, σ and ς), at either end of a longer value, or
// not at all; near misses (İ and ı for i) are mixed in. Rules use every
// string modifier with and without wildcards (leading, trailing, only `*`,
// `?`, escaped), windash, base64, base64offset, utf16le, expand, cased, all,
// neq, regular expressions with and without a required literal, and the
// comparisons that have no literal at all: not, exists, null, the empty
// string, keywords, cidr, lt/gt, fieldref and time parts. Events come flat,
// nested, as evtx JSON (Sysmon, Security 4688 with its aliased field names,
// EventData as a Data list) and as Winlogbeat JSON, with lists, numbers in
// several spellings, booleans, nulls, missing fields and field names in
// another case (sometimes the same field twice, in two cases, with two
// values). Some cases add Sigma filters (scoped by rule id, by tag or to all
// rules) and a field mapping; a few have a dozen rules or more, so that one
// field's automaton holds many overlapping literals.

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/tanchi-dev/tanchi/engine"
	"github.com/tanchi-dev/tanchi/rule"
	"github.com/tanchi-dev/tanchi/rule/sigma"
)

// diffSource yields the generator's choices: the input bytes first, then a
// pseudo-random stream seeded from them, so that short fuzz inputs still
// give rich cases and every input gives the same case each time.
type diffSource struct {
	data []byte
	i    int
	rng  uint64
}

func newDiffSource(data []byte) *diffSource {
	h := fnv.New64a()
	h.Write(data)
	return &diffSource{data: data, rng: h.Sum64()}
}

func (s *diffSource) byte() byte {
	if s.i < len(s.data) {
		b := s.data[s.i]
		s.i++
		return b
	}
	// splitmix64
	s.rng += 0x9e3779b97f4a7c15
	z := s.rng
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return byte(z ^ (z >> 31))
}

// n returns a choice in [0, k).
func (s *diffSource) n(k int) int {
	if k <= 1 {
		return 0
	}
	x := int(s.byte())
	if k > 256 {
		x = x<<8 | int(s.byte())
	}
	return x % k
}

// pct is true with roughly p percent probability.
func (s *diffSource) pct(p int) bool { return s.n(100) < p }

func diffPick[T any](s *diffSource, xs ...T) T { return xs[s.n(len(xs))] }

// diffAtoms are the pieces words are made of: letters whose case folding is
// tricky, path and dash characters, and a few realistic fragments.
var diffAtoms = []string{
	"a", "B", "k", "K", "\u212a", "é", "É", "ß", "ẞ", "İ", "ı", "i", "I", "s", "S", "ſ",
	"σ", "Σ", "ς", "Ⱥ", "ⱥ", "ä", "x", "0", "7",
	`\`, "-", "/", ".", " ", "%", ":",
	"cmd", "EXE", "Win", `\cmd.exe`, `C:\Windows\`, "PowerShell", "-enc", "whoami", "Ärger", "sKiP", "Sysmon", "host1",
}

// diffDashes are the characters windash treats as a dash.
var diffDashes = []string{"-", "/", "\u2013", "\u2014", "\u2015"}

// diffPlaceholders are the values of the %name% placeholders expand rules use.
var diffPlaceholders = map[string][]string{
	"Admins": {"Administrator", `ROOT*`},
	"Tools":  {`\cmd.exe`, "whoam?"},
}

// diffMapping renames some rule fields for cases that use a mapping.
var diffMapping = &engine.Mapping{Name: "diff", Fields: map[string][]string{
	"Image": {"process.executable", "Image"},
	"User":  {"user.name"},
}}

// diffCase is one generated case.
type diffCase struct {
	docs    []string // Sigma documents: rules, then filters
	events  []string // JSON events
	mapping bool     // compile with diffMapping
	expand  bool     // compile with diffPlaceholders
	scopes  []string // per filter: "rules", "all" or "tag:<tag>"
	nRules  int
}

// diffGen builds one case.
type diffGen struct {
	s     *diffSource
	words []string // literals shared by rules and events
	extra []string // encoded forms of rule values that events may embed
	tags  []string
	c     *diffCase
}

func diffGenerate(data []byte) *diffCase {
	g := &diffGen{s: newDiffSource(data), c: &diffCase{}}
	for range 3 + g.s.n(4) {
		g.words = append(g.words, g.newWord())
	}
	g.c.mapping = g.s.pct(12)
	g.c.nRules = 1 + g.s.n(4)
	if g.s.pct(10) {
		// Many rules: many overlapping literals in one automaton.
		g.c.nRules = 8 + g.s.n(12)
	}
	for i := range g.c.nRules {
		g.c.docs = append(g.c.docs, g.ruleDoc(i))
	}
	if g.s.pct(35) {
		for i := range 1 + g.s.n(2) {
			g.c.docs = append(g.c.docs, g.filterDoc(i))
		}
	}
	for range 5 + g.s.n(10) {
		g.c.events = append(g.c.events, g.event())
	}
	return g.c
}

func (g *diffGen) newWord() string {
	var b strings.Builder
	for range 1 + g.s.n(3) {
		b.WriteString(diffPick(g.s, diffAtoms...))
	}
	return b.String()
}

func (g *diffGen) word() string { return diffPick(g.s, g.words...) }

// diffQ quotes s as a single-quoted YAML scalar (backslashes stay literal).
func diffQ(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// ---- rules ----

func (g *diffGen) ruleDoc(i int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "title: diff rule %d\nid: diff-rule-%d\n", i, i)
	if g.s.pct(30) {
		tag := diffPick(g.s, "attack.execution", "attack.t1059", "Attack.Discovery")
		g.tags = append(g.tags, tag)
		fmt.Fprintf(&b, "tags: [%s]\n", tag)
	}
	b.WriteString(g.logsource())
	b.WriteString("detection:\n")
	var names []string
	for j := range 1 + g.s.n(3) {
		names = append(names, fmt.Sprintf("sel%d", j+1))
	}
	if g.s.pct(25) {
		names = append(names, "filter1")
	}
	if g.s.pct(20) {
		names = append(names, "keywords")
	}
	if g.s.pct(8) {
		names = append(names, "_hidden")
	}
	for _, name := range names {
		if name == "keywords" {
			g.keywords(&b, name)
		} else {
			g.selection(&b, name)
		}
	}
	fmt.Fprintf(&b, "  condition: %s\nlevel: high\n", g.condition(names, 0))
	return b.String()
}

func (g *diffGen) logsource() string {
	switch g.s.n(9) {
	case 0:
		return "logsource: {}\n"
	case 1:
		return "logsource:\n  product: windows\n"
	case 2:
		return "logsource:\n  product: windows\n  category: process_creation\n"
	case 3:
		return "logsource:\n  product: windows\n  service: sysmon\n"
	case 4:
		return "logsource:\n  product: Windows\n  category: Process_Creation\n"
	case 5:
		return "logsource:\n  product: linux\n  category: process_creation\n"
	case 6:
		return "logsource:\n  product: windows\n  service: security\n"
	case 7:
		return "logsource:\n  category: network_connection\n"
	}
	return "logsource:\n  product: test\n"
}

// selection writes a mapping, or a list of mappings, of field comparisons.
func (g *diffGen) selection(b *strings.Builder, name string) {
	fmt.Fprintf(b, "  %s:\n", name)
	if g.s.pct(20) {
		for range 2 + g.s.n(2) {
			used := map[string]bool{}
			lead := "    - "
			for range 1 + g.s.n(2) {
				if g.entry(b, lead, "      ", used) {
					lead = "      "
				}
			}
			if len(used) == 0 {
				b.WriteString("    - Image: x\n")
			}
		}
		return
	}
	used := map[string]bool{}
	for range 1 + g.s.n(3) {
		g.entry(b, "    ", "    ", used)
	}
	if len(used) == 0 {
		b.WriteString("    Image: x\n")
	}
}

// keywords writes a keyword selection: a list of values, a single value or
// a '|all' list.
func (g *diffGen) keywords(b *strings.Builder, name string) {
	switch g.s.n(4) {
	case 0:
		fmt.Fprintf(b, "  %s: %s\n", name, diffQ(g.ruleText()))
	case 1:
		fmt.Fprintf(b, "  %s:\n    '|all':\n", name)
		for range 1 + g.s.n(3) {
			fmt.Fprintf(b, "      - %s\n", diffQ(g.ruleText()))
		}
	default:
		fmt.Fprintf(b, "  %s:\n", name)
		for range 1 + g.s.n(3) {
			v := diffQ(g.ruleText())
			if g.s.pct(10) {
				v = diffPick(g.s, "4688", "1", "true")
			}
			fmt.Fprintf(b, "    - %s\n", v)
		}
	}
}

var (
	diffStringFields = []string{"Image", "CommandLine", "ParentImage", "User", "Hashes", "process.parent.name", "TargetFilename", "image", "COMMANDLINE", "EventID", "Computer"}
	diffAnyFields    = []string{"Image", "CommandLine", "ParentImage", "User", "EventID", "Hashes", "process.parent.name", "TargetFilename", "SourceIp", "Channel"}
)

// entry writes one "Field|modifiers: values" pair; first prefixes its first
// line, indent the following ones. It writes nothing, and returns false, when
// the mapping already has the key.
func (g *diffGen) entry(b *strings.Builder, first, indent string, used map[string]bool) bool {
	field := diffPick(g.s, diffStringFields...)
	var mods []string
	var vals []string // YAML scalars
	switch k := g.s.n(20); {
	case k < 9: // string comparison
		op := diffPick(g.s, "", "", "contains", "startswith", "endswith")
		var transforms []string
		plain := false
		switch g.s.n(14) {
		case 0, 1:
			transforms = []string{"windash"}
			if op == "" && g.s.pct(60) {
				op = "contains"
			}
		case 2:
			transforms, plain = []string{"base64"}, true
		case 3:
			transforms, plain, op = []string{"base64offset"}, true, "contains"
		case 4:
			transforms, plain, op = []string{diffPick(g.s, "utf16le", "wide"), "base64offset"}, true, "contains"
		case 5:
			transforms = []string{"expand"}
			g.c.expand = true
		}
		mods = append(mods, transforms...)
		if op != "" {
			mods = append(mods, op)
		}
		n := 1 + g.s.n(3)
		if g.s.pct(10) {
			n = 6 + g.s.n(5) // enough for a litSet (6 plain values; not with |all)
		}
		if n > 1 && g.s.pct(30) {
			mods = append(mods, "all")
		}
		if g.s.pct(15) {
			mods = append(mods, "cased")
		}
		if len(transforms) == 0 && g.s.pct(6) {
			mods = append(mods, "neq")
		}
		for range n {
			var v string
			switch {
			case slices.Contains(transforms, "expand"):
				v = g.expandText()
			case plain:
				v = g.plainText()
				g.encodeExtra(v, transforms)
			default:
				v = g.ruleText()
				if slices.Contains(transforms, "windash") && g.s.pct(50) {
					v = diffPick(g.s, "-", "/") + diffPick(g.s, "enc", "e", "c") + diffPick(g.s, "", " ", "*")
				}
			}
			if len(transforms) == 0 && op == "" && !slices.Contains(mods, "neq") && g.s.pct(8) {
				vals = append(vals, diffPick(g.s, "null", "~", "4688", "0x1250", "true"))
				continue
			}
			vals = append(vals, diffQ(v))
		}
	case k < 12: // regular expression
		mods = []string{"re"}
		if g.s.pct(25) {
			mods = append(mods, diffPick(g.s, "i", "m", "s"))
		}
		if g.s.pct(10) {
			mods = append(mods, "cased")
		}
		for range 1 + g.s.n(2) {
			vals = append(vals, diffQ(g.regex()))
		}
	case k == 12:
		field = diffPick(g.s, "SourceIp", "SourceIp", "Image")
		mods = []string{"cidr"}
		for range 1 + g.s.n(2) {
			vals = append(vals, diffQ(diffPick(g.s, "10.0.0.0/8", "192.168.1.0/24", "::1/128", "fe80::/10", "0.0.0.0/0", "10.1.2.3/32")))
		}
	case k == 13:
		field = diffPick(g.s, diffAnyFields...)
		mods = []string{diffPick(g.s, "lt", "lte", "gt", "gte")}
		vals = []string{diffPick(g.s, "5", "4688", "1.5", "-1", "0x10", "1")}
	case k == 14:
		field = diffPick(g.s, diffAnyFields...)
		mods = []string{"exists"}
		vals = []string{diffPick(g.s, "true", "false")}
	case k == 15: // null and the empty string
		field = diffPick(g.s, diffAnyFields...)
		vals = []string{diffPick(g.s, "null", "~", "''", "'*'", "'?'")}
		if g.s.pct(30) {
			vals = append(vals, diffQ(g.ruleText()))
		}
	case k == 16: // numbers
		field = diffPick(g.s, "EventID", "EventID", "User")
		for range 1 + g.s.n(2) {
			vals = append(vals, diffPick(g.s, "1", "4688", "0x1250", "1.0", "'4688'", "'1'", "true", "3"))
		}
	case k == 17:
		mods = []string{"fieldref"}
		if g.s.pct(50) {
			mods = append(mods, diffPick(g.s, "contains", "startswith", "endswith"))
		}
		vals = []string{diffPick(g.s, diffAnyFields...)}
	case k == 18:
		field = diffPick(g.s, "UtcTime", "Image")
		mods = []string{diffPick(g.s, "hour", "day", "year")}
		if g.s.pct(50) {
			mods = append(mods, diffPick(g.s, "lt", "gte"))
		}
		vals = []string{diffPick(g.s, "10", "1", "2024", "0")}
	default: // plain equality with several values
		for range 1 + g.s.n(3) {
			vals = append(vals, diffQ(g.ruleText()))
		}
	}
	key := field
	for _, m := range mods {
		key += "|" + m
	}
	if used[key] {
		return false
	}
	used[key] = true
	if len(vals) == 1 && g.s.pct(70) {
		fmt.Fprintf(b, "%s%s: %s\n", first, diffQ(key), vals[0])
		return true
	}
	fmt.Fprintf(b, "%s%s:\n", first, diffQ(key))
	for _, v := range vals {
		fmt.Fprintf(b, "%s  - %s\n", indent, v)
	}
	return true
}

// ruleText is a string value for a rule: a word or two from the pool with
// wildcards, escapes or nothing at all.
func (g *diffGen) ruleText() string {
	w := g.word()
	if g.s.pct(25) {
		w += g.word()
	}
	switch g.s.n(18) {
	case 0:
		return "*" + w
	case 1:
		return w + "*"
	case 2:
		return "*" + w + "*"
	case 3:
		return w + "*" + g.word()
	case 4:
		return w + "?" + g.word()
	case 5:
		return "*"
	case 6:
		return "?"
	case 7:
		return ""
	case 8:
		return w + `\*`
	case 9:
		return `\?` + w
	case 10:
		return w + `\\*`
	case 11:
		return w + `\`
	case 12:
		return "**" + w + "?*"
	case 13:
		return "?" + w
	}
	return w
}

// plainText is a value without wildcards, long enough for base64offset.
func (g *diffGen) plainText() string {
	w := g.word() + g.word()
	for utf8.RuneCountInString(w) < 3 {
		w += g.word()
	}
	if g.s.pct(10) {
		w += `\*`
	}
	return w
}

// expandText is a value with a placeholder.
func (g *diffGen) expandText() string {
	p := diffPick(g.s, "%Admins%", "%Tools%")
	switch g.s.n(4) {
	case 0:
		return "*" + p
	case 1:
		return g.word() + p
	case 2:
		return `\%Admins\%` + g.word()
	}
	return p
}

// encodeExtra records encoded forms of v for events: base64 of v alone and
// with one or two characters before it (every base64 offset), in UTF-8 or
// UTF-16LE as the transforms say.
func (g *diffGen) encodeExtra(v string, transforms []string) {
	v = strings.ReplaceAll(v, `\*`, "*")
	enc := func(s string) []byte { return []byte(s) }
	if slices.Contains(transforms, "utf16le") || slices.Contains(transforms, "wide") {
		enc = diffUTF16LE
	}
	b64 := base64.StdEncoding.EncodeToString
	g.extra = append(g.extra, b64(enc(v)))
	for _, pre := range []string{"I", "IE"} {
		for _, suf := range []string{"", ";", "; x"} {
			g.extra = append(g.extra, b64(enc(pre+v+suf)))
		}
	}
}

func diffUTF16LE(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = binary.LittleEndian.AppendUint16(b, u)
	}
	return b
}

// regex is a regular expression for re: with a required literal, with a
// literal only in some branches, with (?i) in several places, or with no
// literal at all.
func (g *diffGen) regex() string {
	w := regexp.QuoteMeta(g.word())
	w2 := regexp.QuoteMeta(g.word())
	switch g.s.n(25) {
	case 0:
		return "(?i)" + w
	case 1:
		return w + "|" + w2
	case 2:
		return ".*"
	case 3:
		return "^" + w
	case 4:
		return w + "$"
	case 5:
		return "(?i)^" + w + ".*" + w2 + "$"
	case 6:
		return w + "?" // the last rune is optional
	case 7:
		return "(" + w + ")*"
	case 8:
		return "(?:" + w + "|)"
	case 9:
		return `\Q` + strings.ReplaceAll(g.word(), `\E`, "") + `\E`
	case 10:
		return "[kK]" + w
	case 11:
		return "(?i)[é]" + w
	case 12:
		return `\x41` + w
	case 13:
		return `\pL+`
	case 14:
		return "(?i)" + w + "(?-i)" + strings.ToUpper(w2)
	case 15:
		return "(?i:" + w + ")" + w2
	case 16:
		return "."
	case 17:
		return "(?s).*" + w
	case 18:
		return `\\` + w
	case 19:
		return "(?i)\u212a"
	case 20:
		return "[a-z]+" + w2
	case 21:
		return "^$"
	case 22:
		return diffPick(g.s, `^\d+$`, "^4688$", "46", `\.0$`)
	}
	return w
}

// condition builds a condition over the selection names.
func (g *diffGen) condition(names []string, depth int) string {
	if depth >= 3 || g.s.n(3) == 0 {
		return g.leaf(names)
	}
	switch g.s.n(5) {
	case 0:
		return "not " + g.condition(names, depth+1)
	case 1:
		return g.condition(names, depth+1) + " and " + g.condition(names, depth+1)
	case 2:
		return g.condition(names, depth+1) + " or " + g.condition(names, depth+1)
	case 3:
		return "(" + g.condition(names, depth+1) + " and not " + g.condition(names, depth+1) + ")"
	}
	return "(" + g.condition(names, depth+1) + " or (" + g.condition(names, depth+1) + "))"
}

func (g *diffGen) leaf(names []string) string {
	switch g.s.n(10) {
	case 0:
		return "1 of sel*"
	case 1:
		return "all of sel*"
	case 2:
		return "1 of them"
	case 3:
		return "all of them"
	case 4:
		return "not " + diffPick(g.s, names...)
	}
	return diffPick(g.s, names...)
}

// filterDoc is a Sigma filter for one of the rules.
func (g *diffGen) filterDoc(i int) string {
	var b strings.Builder
	target := g.s.n(g.c.nRules)
	fmt.Fprintf(&b, "title: diff filter %d\nid: diff-filter-%d\n", i, i)
	if g.s.pct(50) {
		b.WriteString(g.logsource())
	}
	fmt.Fprintf(&b, "filter:\n  rules:\n    - diff-rule-%d\n", target)
	names := []string{"sel"}
	g.selection(&b, "sel")
	if g.s.pct(30) {
		names = append(names, "other")
		g.selection(&b, "other")
	}
	cond := "not " + g.condition(names, 1)
	if g.s.pct(15) {
		cond = g.condition(names, 1)
	}
	fmt.Fprintf(&b, "  condition: %s\n", cond)
	scope := "rules"
	switch g.s.n(5) {
	case 0:
		scope = "all"
	case 1:
		if len(g.tags) > 0 {
			scope = "tag:" + strings.ToUpper(diffPick(g.s, g.tags...))
		}
	}
	g.c.scopes = append(g.c.scopes, scope)
	return b.String()
}

// ---- events ----

// varyCase changes the case of some runes of s, to upper, lower or another
// member of the rune's case-folding orbit.
func (g *diffGen) varyCase(s string) string {
	if g.s.pct(30) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch g.s.n(7) {
		case 0:
			r = unicode.ToUpper(r)
		case 1:
			r = unicode.ToLower(r)
		case 2:
			r = unicode.SimpleFold(r)
		case 3:
			r = unicode.SimpleFold(unicode.SimpleFold(r))
		}
		b.WriteRune(r)
	}
	return b.String()
}

// nearMiss sometimes damages s so that it almost matches.
func (g *diffGen) nearMiss(s string) string {
	rs := []rune(s)
	switch g.s.n(14) {
	case 0:
		if len(rs) > 0 {
			i := g.s.n(len(rs))
			rs = append(rs[:i], rs[i+1:]...)
		}
	case 1:
		return strings.NewReplacer("i", "ı", "I", "İ", "s", "ſ").Replace(s)
	case 2:
		return strings.ReplaceAll(s, "-", diffPick(g.s, diffDashes...))
	case 3:
		return strings.ReplaceAll(s, "/", diffPick(g.s, diffDashes...))
	case 4:
		return strings.ToUpper(s) // may change the length: ß stays, ſ becomes S
	}
	return string(rs)
}

// text is an event string: pool words, encoded forms and loose atoms, in
// changed case, around each other.
func (g *diffGen) text() string {
	switch g.s.n(12) {
	case 0:
		return ""
	case 1, 2:
		return g.varyCase(g.word())
	case 3:
		if len(g.extra) > 0 {
			return diffPick(g.s, g.extra...)
		}
	case 4:
		return g.nearMiss(g.varyCase(g.word()))
	case 5:
		// Long values, past any small buffer.
		return strings.Repeat(g.varyCase(g.word())+diffPick(g.s, "", " ", `\`), 40+g.s.n(200)) + g.varyCase(g.word())
	}
	var b strings.Builder
	for range 1 + g.s.n(4) {
		switch g.s.n(8) {
		case 0:
			b.WriteString(diffPick(g.s, diffAtoms...))
		case 1:
			if len(g.extra) > 0 {
				b.WriteString(diffPick(g.s, g.extra...))
			}
		case 2:
			b.WriteString(diffPick(g.s, "Administrator", "root", `\cmd.exe`, "whoami", "%Admins%", "*", "?", `\`))
		case 3:
			b.WriteString(g.nearMiss(g.varyCase(g.word())))
		default:
			b.WriteString(g.varyCase(g.word()))
		}
	}
	return b.String()
}

// value is a JSON value for a field.
func (g *diffGen) value(field string) any {
	switch field {
	case "EventID":
		return g.number()
	case "SourceIp":
		if g.s.pct(80) {
			return diffPick(g.s, "10.1.2.3", "192.168.1.77", "::1", "fe80::1%eth0", "::ffff:10.0.0.5", "[::1]", " 10.0.0.1 ", "8.8.8.8", "abc", "")
		}
	case "UtcTime":
		if g.s.pct(80) {
			return diffPick(g.s, "2024-03-01 10:00:00.000", "2024-03-01T01:59:59Z", "not a time")
		}
	}
	switch g.s.n(20) {
	case 0:
		return nil
	case 1:
		return g.number()
	case 2:
		return g.s.pct(50)
	case 3, 4:
		var list []any
		for range g.s.n(4) {
			switch g.s.n(6) {
			case 0:
				list = append(list, nil)
			case 1:
				list = append(list, g.number())
			default:
				list = append(list, g.text())
			}
		}
		return list
	case 5:
		return map[string]any{"#text": g.text()}
	}
	return g.text()
}

func (g *diffGen) number() any {
	switch g.s.n(3) {
	case 0:
		return json.Number(diffPick(g.s, "1", "4688", "1.0", "4.688e3", "-1", "0", "3", "4624"))
	case 1:
		return diffPick(g.s, "4688", "0x1250", " 4688", "1", "01", "4688.0", "x4688", "")
	}
	return json.Number(diffPick(g.s, "1", "4688"))
}

// fields chooses the data fields of an event.
func (g *diffGen) fields() [][2]any {
	var out [][2]any
	for _, f := range []string{"Image", "CommandLine", "ParentImage", "User", "Hashes", "process.parent.name", "SourceIp", "UtcTime"} {
		if !g.s.pct(65) {
			continue
		}
		name := f
		switch g.s.n(12) {
		case 0:
			name = strings.ToLower(f)
		case 1:
			name = strings.ToUpper(f)
		case 2:
			if g.c.mapping && (f == "Image" || f == "User") {
				name = map[string]string{"Image": "process.executable", "User": "user.name"}[f]
			}
		}
		out = append(out, [2]any{name, g.value(f)})
	}
	if g.s.pct(10) {
		out = append(out, [2]any{"TargetFilename", g.value("TargetFilename")})
	}
	if g.s.pct(15) {
		// Computer's name in flat Windows JSON.
		out = append(out, [2]any{"Hostname", g.value("Hostname")})
	}
	if len(out) > 0 && g.s.pct(10) {
		// The same field again under another case, with another value: a
		// rule's field name finds its exact spelling first.
		kv := out[g.s.n(len(out))]
		name := kv[0].(string)
		other := strings.ToLower(name)
		if other == name {
			other = strings.ToUpper(name[:1]) + name[1:]
		}
		out = append(out, [2]any{other, g.value(name)})
	}
	return out
}

// diffObject builds a JSON object from fields; with nest, dotted names
// become nested objects.
func diffObject(fields [][2]any, nest bool) map[string]any {
	m := map[string]any{}
	for _, kv := range fields {
		name, v := kv[0].(string), kv[1]
		if !nest || !strings.Contains(name, ".") {
			if _, dup := m[name]; !dup {
				m[name] = v
			}
			continue
		}
		parts := strings.Split(name, ".")
		cur := m
		ok := true
		for _, p := range parts[:len(parts)-1] {
			next, isMap := cur[p].(map[string]any)
			if !isMap {
				if _, taken := cur[p]; taken {
					ok = false
					break
				}
				next = map[string]any{}
				cur[p] = next
			}
			cur = next
		}
		if ok {
			cur[parts[len(parts)-1]] = v
		}
	}
	return m
}

const diffSysmonChannel = "Microsoft-Windows-Sysmon/Operational"

func (g *diffGen) event() string {
	fields := g.fields()
	var doc map[string]any
	switch g.s.n(8) {
	case 0, 1: // flat, no channel: every rule routes
		if g.s.pct(40) {
			fields = append(fields, [2]any{"EventID", g.number()})
		}
		doc = diffObject(fields, g.s.pct(50))
	case 2: // flat with a channel
		fields = append(fields, [2]any{"Channel", diffPick(g.s, diffSysmonChannel, "Security", "Application", "")},
			[2]any{"EventID", g.number()})
		doc = diffObject(fields, g.s.pct(50))
	case 3, 4: // evtx Sysmon
		doc = g.evtx(diffSysmonChannel, json.Number(diffPick(g.s, "1", "1", "3", "11", "13")), fields)
	case 5: // evtx Security, with 4688's own names for Image and ParentImage
		for i, kv := range fields {
			switch kv[0] {
			case "Image":
				fields[i][0] = "NewProcessName"
			case "ParentImage":
				fields[i][0] = "ParentProcessName"
			}
		}
		doc = g.evtx("Security", json.Number(diffPick(g.s, "4688", "4688", "4624")), fields)
	case 6: // evtx, another channel
		doc = g.evtx(diffPick(g.s, "Application", "Microsoft-Windows-PowerShell/Operational"), json.Number("4104"), fields)
	default: // Winlogbeat
		winlog := map[string]any{
			"channel":    diffPick(g.s, diffSysmonChannel, "Security"),
			"event_id":   g.number(),
			"event_data": diffObject(fields, false),
		}
		doc = map[string]any{"winlog": winlog}
	}
	raw, err := json.Marshal(doc)
	if err != nil {
		panic(err)
	}
	return string(raw)
}

func (g *diffGen) evtx(channel string, id any, fields [][2]any) map[string]any {
	system := map[string]any{
		"Provider": map[string]any{"#attributes": map[string]any{"Name": "Microsoft-Windows-Sysmon"}},
		"EventID":  id,
		"Channel":  channel,
		"Computer": "host1",
	}
	if g.s.pct(20) {
		system["EventID"] = map[string]any{"#text": id, "#attributes": map[string]any{"Qualifiers": ""}}
	}
	var data any
	if g.s.pct(25) {
		// The XML-shaped form: {"Data": [{"#attributes": {"Name": n}, "#text": v}]}.
		var list []any
		for _, kv := range fields {
			list = append(list, map[string]any{"#attributes": map[string]any{"Name": kv[0]}, "#text": kv[1]})
		}
		data = map[string]any{"Data": list}
	} else {
		data = diffObject(fields, false)
	}
	return map[string]any{"Event": map[string]any{"System": system, "EventData": data}}
}

// ---- checking ----

// diffStats counts what the cases exercised.
type diffStats struct {
	cases, rules, docsRejected, compileErrors, events, matches, eventsMatched, suppressed int
}

// diffCompiled is a case ready to run.
type diffCompiled struct {
	rules   []*rule.Rule
	docs    []string // the documents that parsed, for reports
	opts    []engine.Option
	indexed *engine.Engine
	brute   *engine.Engine
}

// diffBuild parses a case's documents and compiles them both ways. Only
// rules in keep (by index) are used when keep is not nil.
func diffBuild(t testing.TB, c *diffCase, keep map[int]bool, st *diffStats) *diffCompiled {
	t.Helper()
	out := &diffCompiled{}
	var xs []*rule.Exclusion
	nx := 0
	for i, doc := range c.docs {
		isFilter := i >= c.nRules
		if !isFilter && keep != nil && !keep[i] {
			continue
		}
		set, err := sigma.Parse(fmt.Sprintf("doc%d.yml", i), []byte(doc))
		if err != nil {
			if st != nil {
				st.docsRejected++
			}
			if isFilter {
				nx++
			}
			continue
		}
		out.docs = append(out.docs, doc)
		out.rules = append(out.rules, set.Rules...)
		for _, x := range set.Exclusions {
			switch scope := c.scopes[nx]; {
			case scope == "all":
				x.Rules, x.AllRules = nil, true
			case strings.HasPrefix(scope, "tag:"):
				x.Rules, x.Tags = nil, []string{strings.TrimPrefix(scope, "tag:")}
			}
			xs = append(xs, x)
		}
		if isFilter {
			nx++
		}
	}
	if len(xs) > 0 {
		out.opts = append(out.opts, engine.WithExclusions(xs))
	}
	if c.mapping {
		out.opts = append(out.opts, engine.WithMapping(diffMapping))
	}
	if c.expand {
		out.opts = append(out.opts, engine.WithPlaceholders(diffPlaceholders))
	}
	indexed, errI := engine.Compile(out.rules, out.opts...)
	brute, errB := engine.Compile(out.rules, append(slices.Clone(out.opts), engine.WithoutIndex())...)
	if indexed == nil || brute == nil {
		t.Fatalf("Compile returned no engine: %v / %v\n%s", errI, errB, c.describe(out.docs))
	}
	if fmt.Sprint(errI) != fmt.Sprint(errB) {
		t.Fatalf("Compile errors differ:\nindexed: %v\nbrute:   %v\n%s", errI, errB, c.describe(out.docs))
	}
	if errI != nil && st != nil {
		st.compileErrors += len(out.rules) - len(indexed.Rules())
	}
	if a, b := diffRuleIDs(indexed.Rules()), diffRuleIDs(brute.Rules()); !slices.Equal(a, b) {
		t.Fatalf("compiled rules differ: indexed %v, brute %v\n%s", a, b, c.describe(out.docs))
	}
	out.indexed, out.brute = indexed, brute
	return out
}

func diffRuleIDs(rs []*rule.Rule) []string {
	ids := make([]string, len(rs))
	for i, r := range rs {
		ids[i] = r.ID
	}
	return ids
}

// diffAnswer renders MatchAll's answer for comparison and reports.
func diffAnswer(ms []engine.Match) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		s := m.Rule.ID
		if m.SuppressedBy != nil {
			s += fmt.Sprintf(" suppressed by %q", m.SuppressedBy.ID)
		}
		for _, h := range m.Fields {
			s += fmt.Sprintf(" [%s=%q by %s]", h.Field, h.Value, h.Match)
		}
		out[i] = s
	}
	return out
}

func (c *diffCase) describe(docs []string) string {
	var b strings.Builder
	b.WriteString("rules (Sigma YAML):\n---\n")
	b.WriteString(strings.Join(docs, "---\n"))
	var opts []string
	if c.mapping {
		opts = append(opts, fmt.Sprintf("WithMapping(%v)", diffMapping.Fields))
	}
	if c.expand {
		opts = append(opts, fmt.Sprintf("WithPlaceholders(%v)", diffPlaceholders))
	}
	var scoped []string
	for i, s := range c.scopes {
		if s != "rules" {
			scoped = append(scoped, fmt.Sprintf("filter %d applies to %s", i, s))
		}
	}
	if len(opts) > 0 {
		fmt.Fprintf(&b, "options: %s\n", strings.Join(opts, ", "))
	}
	if len(scoped) > 0 {
		fmt.Fprintf(&b, "exclusion scopes: %s\n", strings.Join(scoped, "; "))
	}
	return b.String()
}

// diffCheck runs a case and fails t on the first disagreement.
func diffCheck(t testing.TB, c *diffCase, st *diffStats) {
	t.Helper()
	dc := diffBuild(t, c, nil, st)
	evs := make([]*engine.JSONEvent, len(c.events))
	for i, raw := range c.events {
		ev, err := engine.ParseJSON([]byte(raw))
		if err != nil {
			t.Fatalf("generated event does not parse: %v\n%s", err, raw)
		}
		evs[i] = ev
	}
	if st != nil {
		st.cases++
		st.rules += len(dc.indexed.Rules())
		st.events += len(evs)
	}
	// Forward, then backward: an engine that caches per event source must
	// not carry anything from one event to the next.
	order := make([]int, 0, 2*len(evs))
	for i := range evs {
		order = append(order, i)
	}
	for i := len(evs) - 1; i >= 0; i-- {
		order = append(order, i)
	}
	var raw engine.RawJSON // one reader reused, as tanchi scan does
	schemas := map[string]*engine.Schema{}
	for k, i := range order {
		got := diffAnswer(dc.indexed.MatchAll(evs[i]))
		want := diffAnswer(dc.brute.MatchAll(evs[i]))
		if !slices.Equal(got, want) {
			t.Fatalf("indexed and brute-force engines disagree on event %d\n%sevent: %s\nindexed: %q\nbrute:   %q%s",
				i, c.describe(dc.docs), c.events[i], got, want, diffMinimize(t, c, c.events[i], got, want))
		}
		// The indexed engine reading the same event with RawJSON.
		if err := raw.Reset([]byte(c.events[i])); err != nil {
			t.Fatalf("RawJSON rejects an event ParseJSON reads: %v\n%s", err, c.events[i])
		}
		if got := diffAnswer(dc.indexed.MatchAll(&raw)); !slices.Equal(got, want) {
			t.Fatalf("indexed engine on RawJSON and brute force on ParseJSON disagree on event %d\n%sevent: %s\nindexed: %q\nbrute:   %q",
				i, c.describe(dc.docs), c.events[i], got, want)
		}
		// And as an IndexedEvent, read by position.
		if got := diffAnswer(dc.indexed.MatchAll(diffIndex(t, evs[i], schemas))); !slices.Equal(got, want) {
			t.Fatalf("indexed engine on an IndexedEvent and brute force on ParseJSON disagree on event %d\n%sevent: %s\nindexed: %q\nbrute:   %q",
				i, c.describe(dc.docs), c.events[i], got, want)
		}
		// And as one that also hands over its texts (TextEvent).
		if got := diffAnswer(dc.indexed.MatchAll(diffTexts{diffIndex(t, evs[i], schemas)})); !slices.Equal(got, want) {
			t.Fatalf("indexed engine on a TextEvent and brute force on ParseJSON disagree on event %d\n%sevent: %s\nindexed: %q\nbrute:   %q",
				i, c.describe(dc.docs), c.events[i], got, want)
		}
		if st != nil && k < len(evs) && len(want) > 0 {
			st.eventsMatched++
			st.matches += len(want)
			for _, m := range want {
				if strings.Contains(m, " suppressed by ") {
					st.suppressed++
				}
			}
		}
	}
}

// diffIndexed is an event read by position in a schema that holds its
// fields and some it lacks (FieldAt reports those absent).
type diffIndexed struct {
	*engine.JSONEvent
	schema *engine.Schema
}

func (d diffIndexed) Schema() *engine.Schema { return d.schema }

func (d diffIndexed) FieldAt(i int) (engine.Value, bool) { return d.Field(d.schema.Name(i)) }

// diffTexts is an IndexedEvent that also hands over its texts.
type diffTexts struct{ engine.IndexedEvent }

func (d diffTexts) AppendTexts(dst []string) []string { return rangeTexts(d, dst) }

// diffIndex returns ev as an IndexedEvent, sharing schemas between events
// with the same field names.
func diffIndex(t testing.TB, ev *engine.JSONEvent, schemas map[string]*engine.Schema) engine.IndexedEvent {
	var names []string
	ev.Range(func(n string, _ engine.Value) bool {
		names = append(names, n)
		return true
	})
	for _, n := range []string{"Channel", "EventID", "EventType", "Image", "CommandLine", "NewProcessName"} {
		if _, ok := ev.Field(n); !ok {
			names = append(names, n)
		}
	}
	key := strings.Join(names, "\x00")
	if schemas[key] == nil {
		s, err := engine.NewSchema(names...)
		if err != nil {
			t.Fatal(err)
		}
		schemas[key] = s
	}
	return diffIndexed{ev, schemas[key]}
}

// diffMinimize looks for a single rule that still shows the disagreement
// on its own, and returns a report of it ("" when there is none).
func diffMinimize(t testing.TB, c *diffCase, raw string, got, want []string) string {
	ids := map[string]bool{}
	for _, s := range append(slices.Clone(got), want...) {
		ids[strings.SplitN(s, " ", 2)[0]] = true
	}
	for i := range c.nRules {
		if !ids[fmt.Sprintf("diff-rule-%d", i)] {
			continue
		}
		sub := &diffCase{docs: c.docs, mapping: c.mapping, expand: c.expand, scopes: c.scopes, nRules: c.nRules}
		dc := diffBuild(t, sub, map[int]bool{i: true}, nil)
		ev, _ := engine.ParseJSON([]byte(raw))
		a, b := diffAnswer(dc.indexed.MatchAll(ev)), diffAnswer(dc.brute.MatchAll(ev))
		if !slices.Equal(a, b) {
			return fmt.Sprintf("\n\nminimal: rule diff-rule-%d alone\n%sindexed: %q\nbrute:   %q", i, sub.describe(dc.docs), a, b)
		}
	}
	return ""
}

// diffSeeds are fuzz seeds: generator inputs, not Sigma text.
var diffSeeds = []string{
	"",
	"\x00",
	"\x01\x02\x03\x04\x05\x06\x07\x08",
	"Kelvin \u212a and ß/ẞ and ſ",
	`C:\Windows\System32\cmd.exe /c whoami`,
	"\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8\xf7\xf6\xf5\xf4\xf3\xf2\xf1\xf0",
}

// FuzzIndexDifferential checks that the indexed engine and the brute-force
// engine agree on generated rule sets and events. The input drives the
// generator; it is not Sigma text. Almost every input reaches new code in the
// YAML and CEL parsers, so minimizing each one would take most of the time:
//
//	go test ./engine -run XXX -fuzz FuzzIndexDifferential -fuzzminimizetime 0
func FuzzIndexDifferential(f *testing.F) {
	for _, s := range diffSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		diffCheck(t, diffGenerate(data), nil)
	})
}

// diffCaseBytes are the generator input of deterministic case i.
func diffCaseBytes(i int) []byte {
	r := rand.New(rand.NewPCG(uint64(i), 0x7a6e636869))
	b := make([]byte, 64+r.IntN(512))
	for j := range b {
		b[j] = byte(r.Uint32())
	}
	return b
}

// TestIndexDifferentialGenerated runs a fixed set of generated cases, so
// that CI compares the engines without fuzzing. Compiling dominates the cost,
// so the cases are shared among a few parallel workers.
func TestIndexDifferentialGenerated(t *testing.T) {
	t.Parallel()
	n := 2000
	if testing.Short() {
		n = 300
	}
	workers := min(runtime.GOMAXPROCS(0), 4)
	stats := make([]diffStats, workers)
	start := time.Now()
	t.Run("cases", func(t *testing.T) {
		for w := range workers {
			t.Run(fmt.Sprint(w), func(t *testing.T) {
				t.Parallel()
				for i := w; i < n; i += workers {
					data := diffCaseBytes(i)
					func() {
						defer func() {
							if t.Failed() {
								t.Logf("generated case %d; generator input %q", i, data)
							}
						}()
						diffCheck(t, diffGenerate(data), &stats[w])
					}()
				}
			})
		}
	})
	el := time.Since(start)
	var st diffStats
	for _, s := range stats {
		st.cases += s.cases
		st.rules += s.rules
		st.docsRejected += s.docsRejected
		st.compileErrors += s.compileErrors
		st.events += s.events
		st.eventsMatched += s.eventsMatched
		st.matches += s.matches
		st.suppressed += s.suppressed
	}
	t.Logf("%d cases in %v (%.0f/s, %d workers): %d rules (%d documents rejected by Parse, %d rules by Compile), %d events, %d matched (%d matches, %d suppressed)",
		st.cases, el.Round(time.Millisecond), float64(st.cases)/el.Seconds(), workers, st.rules, st.docsRejected, st.compileErrors, st.events, st.eventsMatched, st.matches, st.suppressed)
	if t.Failed() {
		return
	}
	// The comparison proves little if the generator degenerates: most rules
	// must compile, and events must match sometimes and miss sometimes.
	if st.rules < st.cases {
		t.Errorf("only %d rules compiled in %d cases", st.rules, st.cases)
	}
	if st.eventsMatched < st.events/10 || st.eventsMatched > st.events*9/10 {
		t.Errorf("%d of %d events matched a rule: the generator no longer mixes hits and misses", st.eventsMatched, st.events)
	}
	if st.suppressed == 0 {
		t.Error("no match was suppressed: the exclusions are never exercised")
	}
}
