package rule_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/tanchi-dev/tanchi/rule"
)

// TestSetModifiersErrors checks which modifier of a bad chain is blamed and
// why.
func TestSetModifiersErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		field string
		mods  string
		index int
		msg   string
	}{
		{"F", "contians", 0, `unknown modifier "contians"; did you mean "contains"?`},
		{"F", "contains|", 1, "empty modifier"},
		{"F", "Contains", 0, `unknown modifier "Contains"; did you mean "contains"?`},
		{"F", "contains|endswith", 1, `modifier "endswith" conflicts with "contains"`},
		{"F", "contains|all|contains", 2, `modifier "contains" repeated (first at position 1)`},
		{"F", "contains|i", 1, `regex flag "i" must follow the re modifier`},
		{"F", "i|re", 0, `regex flag "i" must follow the re modifier`},
		{"F", "base64offset", 0, "base64offset only finds fragments: it needs the contains modifier"},
		{"F", "base64|base64offset|contains", 1, "base64 and base64offset cannot be combined"},
		{"F", "utf16le|contains", 0, `modifier "utf16le" must be followed by base64 or base64offset`},
		{"F", "base64offset|utf16le|contains", 1, `modifier "utf16le" must be followed by base64 or base64offset`},
		{"F", "utf16le|wide|base64offset|contains", 1, `modifier "wide" repeats an encoding ("utf16le")`},
		{"F", "windash|re", 0, `modifier "windash" cannot be combined with re`},
		{"F", "base64|cidr", 0, `modifier "base64" cannot be combined with cidr`},
		{"F", "fieldref|re", 0, "fieldref cannot be combined with re"},
		{"F", "fieldref|base64", 1, `modifier "base64" cannot be combined with fieldref`},
		{"F", "hour|minute", 1, `only one time part modifier allowed, have "hour" and "minute"`},
		{"F", "hour|contains", 0, `time modifier "hour" cannot be combined with contains`},
		{"F", "exists|all", 1, `exists cannot be combined with "all"`},
		{"", "contains", 0, `keyword search takes no modifier but all (have "contains")`},
	}
	for _, tt := range tests {
		t.Run(tt.field+"|"+tt.mods, func(t *testing.T) {
			t.Parallel()
			m := &rule.Match{Field: tt.field}
			err := m.SetModifiers(strings.Split(tt.mods, "|"))
			var me *rule.ModifierError
			if !errors.As(err, &me) {
				t.Fatalf("got %v, want a *rule.ModifierError", err)
			}
			if me.Index != tt.index || me.Msg != tt.msg {
				t.Errorf("got index %d %q, want %d %q", me.Index, me.Msg, tt.index, tt.msg)
			}
		})
	}
}

// TestCheck checks value validation against the operator.
func TestCheck(t *testing.T) {
	t.Parallel()
	str := func(s string) rule.Value { return rule.Value{Kind: rule.String, S: s} }
	num := func(s string) rule.Value { return rule.Value{Kind: rule.Number, S: s} }
	boolean := func(s string) rule.Value { return rule.Value{Kind: rule.Bool, S: s} }
	null := rule.Value{Kind: rule.Null}
	tests := []struct {
		name   string
		mods   string
		values []rule.Value
		code   rule.Code // "" for no error
		msg    string
	}{
		{"eq string", "", []rule.Value{str("x")}, "", ""},
		{"eq null", "", []rule.Value{null}, "", ""},
		{"no value", "contains", nil, rule.ErrValue, `field "F" has no value`},
		{"null with contains", "contains", []rule.Value{null}, rule.ErrValue, "null can only be compared for equality, not with contains"},
		{"lt number", "lt", []rule.Value{num("5")}, "", ""},
		{"lt numeric string", "lt", []rule.Value{str("0x10")}, "", ""},
		{"lt word", "lt", []rule.Value{str("five")}, rule.ErrValue, `lt needs a number, got "five"`},
		{"gte bool", "gte", []rule.Value{boolean("true")}, rule.ErrValue, "gte needs a number, got true"},
		{"cidr v4", "cidr", []rule.Value{str("10.0.0.0/8")}, "", ""},
		{"cidr v6", "cidr", []rule.Value{str("fe80::/10")}, "", ""},
		{"cidr without length", "cidr", []rule.Value{str("10.0.0.1")}, rule.ErrValue, `invalid CIDR prefix "10.0.0.1"`},
		{"cidr number", "cidr", []rule.Value{num("10")}, rule.ErrValue, "invalid CIDR prefix 10"},
		{"re", "re", []rule.Value{str(`a\d+`)}, "", ""},
		{"re number", "re", []rule.Value{num("1")}, rule.ErrValue, "re needs a string pattern, got 1"},
		{"re broken", "re", []rule.Value{str("a(")}, rule.ErrValue, "bad regular expression: missing closing ): `a(`"},
		{"re lookbehind", "re", []rule.Value{str("(?<=a)b")}, rule.ErrUnsupported, "regular expression uses a lookbehind (`(?<=`), which tanchi's RE2 engine does not support"},
		{"re atomic group", "re", []rule.Value{str("(?>a)b")}, rule.ErrUnsupported, "regular expression uses an atomic group (`(?>`), which tanchi's RE2 engine does not support"},
		{"re back-reference", "re", []rule.Value{str(`(a)\1`)}, rule.ErrUnsupported, "regular expression uses a back-reference (`\\1`), which tanchi's RE2 engine does not support"},
		{"exists true", "exists", []rule.Value{boolean("true")}, "", ""},
		{"exists string", "exists", []rule.Value{str("yes")}, rule.ErrValue, "exists takes one boolean value (true or false)"},
		{"exists two", "exists", []rule.Value{boolean("true"), boolean("false")}, rule.ErrValue, "exists takes one boolean value (true or false)"},
		{"base64 number", "base64|contains", []rule.Value{num("1")}, rule.ErrValue, "base64 applies to strings, got 1"},
		{"hour number", "hour", []rule.Value{num("3")}, "", ""},
		{"hour word", "hour", []rule.Value{str("three")}, rule.ErrValue, `time part hour compares with a number, got "three"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := &rule.Match{Field: "F", Values: tt.values, Pos: rule.Pos{File: "f", Line: 1, Col: 1}}
			var mods []string
			if tt.mods != "" {
				mods = strings.Split(tt.mods, "|")
			}
			if err := m.SetModifiers(mods); err != nil {
				t.Fatal(err)
			}
			errs := m.Check()
			if tt.code == "" {
				if len(errs) != 0 {
					t.Errorf("unexpected errors: %v", errs)
				}
				return
			}
			if len(errs) != 1 {
				t.Fatalf("got %d errors (%v), want one", len(errs), errs)
			}
			if errs[0].Code != tt.code || errs[0].Msg != tt.msg {
				t.Errorf("got %s %q, want %s %q", errs[0].Code, errs[0].Msg, tt.code, tt.msg)
			}
			if !errs[0].Pos.IsValid() {
				t.Errorf("error without position")
			}
		})
	}
}

func TestCheckLimit(t *testing.T) {
	t.Parallel()
	m := &rule.Match{Field: "F", Values: make([]rule.Value, rule.MaxValues+1)}
	errs := m.Check()
	if len(errs) != 1 || errs[0].Code != rule.ErrLimit {
		t.Errorf("got %v, want one limit error", errs)
	}
}

func TestCompileRegex(t *testing.T) {
	t.Parallel()
	tests := []struct {
		src, flags, in string
		match          bool
	}{
		{"abc", "", "xabcx", true},
		{"abc", "", "ABC", false}, // case-sensitive by default
		{"abc", "i", "ABC", true},
		{"^b$", "", "a\nb", false},
		{"^b$", "m", "a\nb", true},
		{"a.b", "", "a\nb", false},
		{"a.b", "s", "a\nb", true},
		{"^B$", "im", "a\nb", true},
	}
	for _, tt := range tests {
		re, err := rule.CompileRegex(tt.src, tt.flags)
		if err != nil {
			t.Errorf("CompileRegex(%q, %q): %v", tt.src, tt.flags, err)
			continue
		}
		if got := re.MatchString(tt.in); got != tt.match {
			t.Errorf("/%s/%s on %q = %v, want %v", tt.src, tt.flags, tt.in, got, tt.match)
		}
	}
	_, err := rule.CompileRegex(strings.Repeat("a", 64<<10+1), "")
	var e *rule.Error
	if !errors.As(err, &e) || e.Code != rule.ErrLimit {
		t.Errorf("huge regex: got %v, want a limit error", err)
	}
}

func TestParseNumber(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]float64{
		"0": 0, "4688": 4688, "-1": -1, "0x17": 23, "0o17": 15, "0b11": 3, "1.5": 1.5, " 7 ": 7,
		"18446744073709551615": 18446744073709551615,
	} {
		if got, ok := rule.ParseNumber(s); !ok || got != want {
			t.Errorf("ParseNumber(%q) = %v, %v; want %v", s, got, ok, want)
		}
	}
	for _, s := range []string{"", "x", "1e", "0x", "five"} {
		if _, ok := rule.ParseNumber(s); ok {
			t.Errorf("ParseNumber(%q) succeeded", s)
		}
	}
}
