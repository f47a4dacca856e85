package rule

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Modifier names, as Sigma spells them.
var (
	opModifiers = map[string]Op{
		"contains": OpContains, "startswith": OpStartsWith, "endswith": OpEndsWith,
		"re": OpRegex, "cidr": OpCIDR, "lt": OpLT, "lte": OpLTE, "gt": OpGT, "gte": OpGTE,
		"exists": OpExists,
	}
	transformModifiers = map[string]bool{
		"windash": true, "base64": true, "base64offset": true,
		"utf16le": true, "utf16be": true, "utf16": true, "wide": true, "expand": true,
	}
	timeModifiers = map[string]bool{"minute": true, "hour": true, "day": true, "week": true, "month": true, "year": true}
	regexFlags    = map[string]bool{"i": true, "m": true, "s": true}
)

// modifierNames lists every modifier, for suggestions.
func modifierNames() []string {
	names := []string{"all", "cased", "neq", "fieldref"}
	for _, m := range []map[string]bool{transformModifiers, timeModifiers, regexFlags} {
		for k := range m {
			names = append(names, k)
		}
	}
	for k := range opModifiers {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

// ModifierError reports which modifier of a chain is wrong.
type ModifierError struct {
	Index int // index into the modifier list
	Msg   string
}

func (e *ModifierError) Error() string { return e.Msg }

// SetModifiers interprets a modifier chain ("contains", "all", "windash"...)
// and sets m's operator and flags. It validates the combination; the error
// is a *ModifierError naming the offending modifier. Modifiers are
// case-sensitive, as in Sigma.
func (m *Match) SetModifiers(mods []string) error {
	m.Modifiers = mods
	seen := map[string]int{}
	opAt := -1
	bad := func(i int, format string, args ...any) error {
		return &ModifierError{Index: i, Msg: fmt.Sprintf(format, args...)}
	}
	for i, mod := range mods {
		if j, dup := seen[mod]; dup {
			return bad(i, "modifier %q repeated (first at position %d)", mod, j+1)
		}
		seen[mod] = i
		switch {
		case mod == "all":
			m.All = true
		case mod == "cased":
			m.Cased = true
		case mod == "neq":
			m.Neq = true
		case mod == "fieldref":
			m.FieldRef = true
		case regexFlags[mod]:
			if m.Op != OpRegex {
				return bad(i, "regex flag %q must follow the re modifier", mod)
			}
			m.RegexFlags += mod
		case timeModifiers[mod]:
			if m.TimePart != "" {
				return bad(i, "only one time part modifier allowed, have %q and %q", m.TimePart, mod)
			}
			m.TimePart = mod
		case transformModifiers[mod]:
			m.Transforms = append(m.Transforms, mod)
		default:
			op, ok := opModifiers[mod]
			if !ok {
				if mod == "" {
					return bad(i, "empty modifier")
				}
				return bad(i, "unknown modifier %q%s", mod, Suggest(mod, modifierNames()))
			}
			if opAt >= 0 {
				return bad(i, "modifier %q conflicts with %q", mod, mods[opAt])
			}
			opAt = i
			m.Op = op
		}
	}
	opName := "equality"
	if opAt >= 0 {
		opName = mods[opAt]
	}
	at := func(name string) int { return seen[name] }
	// Transforms rewrite strings before a string comparison.
	for _, t := range m.Transforms {
		switch m.Op {
		case OpEq, OpContains, OpStartsWith, OpEndsWith:
		default:
			return bad(at(t), "modifier %q cannot be combined with %s", t, opName)
		}
		if m.FieldRef {
			return bad(at(t), "modifier %q cannot be combined with fieldref", t)
		}
	}
	if slices.Contains(m.Transforms, "base64offset") && m.Op != OpContains {
		return bad(at("base64offset"), "base64offset only finds fragments: it needs the contains modifier")
	}
	if slices.Contains(m.Transforms, "base64") && slices.Contains(m.Transforms, "base64offset") {
		return bad(at("base64offset"), "base64 and base64offset cannot be combined")
	}
	// An encoding to UTF-16 yields bytes: it must be followed by base64 or
	// base64offset to become text again.
	for i, t := range m.Transforms {
		if t == "utf16le" || t == "utf16be" || t == "utf16" || t == "wide" {
			if rest := m.Transforms[i+1:]; !slices.Contains(rest, "base64") && !slices.Contains(rest, "base64offset") {
				return bad(at(t), "modifier %q must be followed by base64 or base64offset", t)
			}
			for _, u := range m.Transforms[:i] {
				if u == "utf16le" || u == "utf16be" || u == "utf16" || u == "wide" {
					return bad(at(t), "modifier %q repeats an encoding (%q)", t, u)
				}
			}
		}
	}
	if m.FieldRef {
		switch m.Op {
		case OpEq, OpContains, OpStartsWith, OpEndsWith:
		default:
			return bad(at("fieldref"), "fieldref cannot be combined with %s", opName)
		}
	}
	if m.TimePart != "" {
		switch m.Op {
		case OpEq, OpLT, OpLTE, OpGT, OpGTE:
		default:
			return bad(at(m.TimePart), "time modifier %q cannot be combined with %s", m.TimePart, opName)
		}
	}
	if m.Op == OpExists && len(mods) > 1 {
		for i, mod := range mods {
			if mod != "exists" {
				return bad(i, "exists cannot be combined with %q", mod)
			}
		}
	}
	if m.Field == "" {
		for i, mod := range mods {
			if mod != "all" {
				return bad(i, "keyword search takes no modifier but all (have %q)", mod)
			}
		}
	}
	return nil
}

// MaxValues bounds the values of one Match; a longer list is rejected so a
// hostile rule cannot exhaust memory.
const MaxValues = 100_000

// Check validates the values of a Match against its operator: numbers for
// numeric comparisons, CIDR prefixes, regular expressions that RE2 accepts,
// booleans for exists, plain strings for encodings. It returns one error per
// bad value.
func (m *Match) Check() ErrorList {
	var errs ErrorList
	add := func(code Code, pos Pos, format string, args ...any) {
		if !pos.IsValid() {
			pos = m.Pos
		}
		errs = append(errs, Errorf(code, pos, format, args...))
	}
	if len(m.Values) == 0 {
		add(ErrValue, m.Pos, "%s has no value", m.describe())
		return errs
	}
	if len(m.Values) > MaxValues {
		add(ErrLimit, m.Pos, "%s has %d values, more than the limit of %d", m.describe(), len(m.Values), MaxValues)
		return errs
	}
	if m.Op == OpExists {
		if len(m.Values) != 1 || m.Values[0].Kind != Bool {
			add(ErrValue, m.Values[0].Pos, "exists takes one boolean value (true or false)")
		}
		return errs
	}
	for _, v := range m.Values {
		if v.Kind == Null && (m.Op != OpEq || len(m.Transforms) > 0 || m.FieldRef || m.TimePart != "") {
			add(ErrValue, v.Pos, "null can only be compared for equality, not with %s", strings.Join(m.Modifiers, "|"))
			continue
		}
		switch m.Op {
		case OpLT, OpLTE, OpGT, OpGTE:
			if _, ok := ParseNumber(v.S); !ok || v.Kind == Null || v.Kind == Bool {
				add(ErrValue, v.Pos, "%s needs a number, got %s", m.Op, v)
			}
		case OpCIDR:
			if _, err := netip.ParsePrefix(strings.TrimSpace(v.S)); err != nil || v.Kind != String {
				add(ErrValue, v.Pos, "invalid CIDR prefix %s", v)
			}
		case OpRegex:
			if v.Kind != String {
				add(ErrValue, v.Pos, "re needs a string pattern, got %s", v)
				continue
			}
			if _, err := CompileRegex(v.S, m.RegexFlags); err != nil {
				e := err.(*Error)
				add(e.Code, v.Pos, "%s", e.Msg)
			}
		}
		if len(m.Transforms) > 0 && v.Kind != String {
			add(ErrValue, v.Pos, "%s applies to strings, got %s", strings.Join(m.Transforms, "|"), v)
		}
		if m.TimePart != "" {
			if _, ok := ParseNumber(v.S); !ok || v.Kind == Null {
				add(ErrValue, v.Pos, "time part %s compares with a number, got %s", m.TimePart, v)
			}
		}
	}
	return errs
}

func (m *Match) describe() string {
	if m.Field == "" {
		return "keyword search"
	}
	return "field " + strconv.Quote(m.Field)
}

// ParseNumber reads an integer (decimal, 0x hex, 0o/0b) or a float.
func ParseNumber(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	if i, err := strconv.ParseInt(s, 0, 64); err == nil {
		return float64(i), true
	}
	if u, err := strconv.ParseUint(s, 0, 64); err == nil {
		return float64(u), true
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

// unsupportedRegex lists PCRE constructs that Go's RE2 engine rejects, with
// the reason reported to the user.
var unsupportedRegex = []struct{ token, what string }{
	{"(?=", "a lookahead"}, {"(?!", "a negative lookahead"}, {"(?<=", "a lookbehind"}, {"(?<!", "a negative lookbehind"},
	{"(?>", "an atomic group"}, {"\\1", "a back-reference"}, {"\\2", "a back-reference"}, {"\\k<", "a named back-reference"},
	{"*+", "a possessive quantifier"}, {"++", "a possessive quantifier"}, {"?+", "a possessive quantifier"},
}

// CompileRegex compiles a Sigma regular expression with its i/m/s flags.
// Sigma regexes are case-sensitive unless the i flag is given. Constructs
// outside RE2 (lookaround, back-references) are reported with code
// ErrUnsupported; they are never matched some other way.
func CompileRegex(src, flags string) (*regexp.Regexp, error) {
	if len(src) > 64<<10 {
		return nil, Errorf(ErrLimit, Pos{}, "regular expression of %d bytes exceeds the 64 KiB limit", len(src))
	}
	prefix := ""
	if flags != "" {
		prefix = "(?" + flags + ")"
	}
	re, err := regexp.Compile(prefix + src)
	if err == nil {
		return re, nil
	}
	for _, u := range unsupportedRegex {
		if strings.Contains(src, u.token) {
			return nil, Errorf(ErrUnsupported, Pos{}, "regular expression uses %s (`%s`), which tanchi's RE2 engine does not support", u.what, u.token)
		}
	}
	return nil, Errorf(ErrValue, Pos{}, "bad regular expression: %s", strings.TrimPrefix(err.Error(), "error parsing regexp: "))
}
