package dsl_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tanchi-dev/tanchi/dsl"
	"github.com/tanchi-dev/tanchi/rule"
)

// model renders what a source parses to: each rule's selections and
// condition in the model's compact form.
func model(t *testing.T, src string) string {
	t.Helper()
	set, err := dsl.Parse("t.tdl", []byte(src))
	if err != nil {
		t.Fatalf("parse: %s", detail(err))
	}
	var b strings.Builder
	for _, r := range set.Rules {
		for _, s := range r.Selections {
			b.WriteString(s.Name + ": " + s.Expr.String() + "\n")
		}
		b.WriteString("condition: " + r.Condition.String() + "\n")
	}
	for _, x := range set.Exclusions {
		b.WriteString("when: " + x.When.String() + "\n")
	}
	return b.String()
}

func TestParseModel(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"operators", "rule \"r\" {\n  s = A == 1 and B != \"x\" and C in (\"a\", \"b\") and D not in (1, 2)\n  condition s\n}\n",
			"s: A: 1 and B|neq: \"x\" and C: [\"a\", \"b\"] and D|neq: [1, 2]\ncondition: s\n"},
		{"string operators", "rule \"r\" {\n  s = A contains all (\"x\", \"y\") or B not startswith \"p\" or C cased endswith \"S\"\n  condition s\n}\n",
			"s: A|contains|all: [\"x\", \"y\"] or B|startswith|neq: \"p\" or C|endswith|cased: \"S\"\ncondition: s\n"},
		{"regex, cidr, numbers", "rule \"r\" {\n  s = A matches/im `^x` and B cidr \"10.0.0.0/8\" and C > 0x10 and D <= -1.5\n  condition s\n}\n",
			"s: A|re|i|m: \"^x\" and B|cidr: \"10.0.0.0/8\" and C|gt: 0x10 and D|lte: -1.5\ncondition: s\n"},
		{"exists null fieldref time", "rule \"r\" {\n  s = A exists and B not exists and C == null and D == field(E) and hour(T) == 3\n  condition s\n}\n",
			"s: A|exists: true and B|exists: false and C: null and D|fieldref: \"E\" and T|hour: 3\ncondition: s\n"},
		{"transforms nest innermost first", "rule \"r\" {\n  s = A contains base64offset(utf16le(\"x\")) or B == base64(\"y\") or C contains windash(expand(\"%p%\"))\n  condition s\n}\n",
			"s: A|utf16le|base64offset|contains: \"x\" or B|base64: \"y\" or C|expand|windash|contains: \"%p%\"\ncondition: s\n"},
		{"keywords", "rule \"r\" {\n  k = keywords (\"a\", \"b\")\n  all = keywords all (\"c\", \"d\")\n  condition k or \"all\"\n}\n",
			"k: keywords: [\"a\", \"b\"]\nall: keywords|all: [\"c\", \"d\"]\ncondition: k or all\n"},
		{"of patterns", "rule \"r\" {\n  sel_a = A == 1\n  sel_b = B == 2\n  _hidden = C == 3\n  condition 1 of sel_* or all of them or any of \"sel_a\"\n}\n",
			"sel_a: A: 1\nsel_b: B: 2\n_hidden: C: 3\ncondition: 1 of sel_* or all of them or 1 of sel_a\n"},
		{"precedence and parentheses", "rule \"r\" {\n  a = A == 1\n  b = B == 1\n  c = C == 1\n  condition a or b and not c or (a or b) and c\n}\n",
			"a: A: 1\nb: B: 1\nc: C: 1\ncondition: a or (b and not c) or ((a or b) and c)\n"},
		{"line continuation", "rule \"r\" {\n  a = A in (\n    1,\n    2,\n  )\n    and B ==\n      3\n  condition a\n    or\n    a\n}\n",
			"a: A: [1, 2] and B: 3\ncondition: a or a\n"},
		{"macros and lists", "list l = (\"x\", m)\nlist m = \"y\"\nmacro mac = A in l and B == 1\nrule \"r\" {\n  s = mac or C endswith (l, \"z\")\n  condition s and mac\n}\n",
			"s: (A: [\"x\", \"y\"] and B: 1) or C|endswith: [\"x\", \"y\", \"z\"]\ncondition: s and (A: [\"x\", \"y\"] and B: 1)\n"},
		{"a selection hides a macro", "macro s = A == 1\nrule \"r\" {\n  s = B == 2\n  condition s\n}\n",
			"s: B: 2\ncondition: s\n"},
		{"quoted names", "rule \"r\" {\n  \"odd|name\" = \"Field Name\" == \"v\"\n  condition 1 of \"odd*\"\n}\n",
			"odd|name: Field Name: \"v\"\ncondition: 1 of odd*\n"},
		{"strings", "rule \"r\" {\n  s = A == \"a\\\\b\\t\\u00e9\" and B == `c\\d` and C == \"\"\"\n    line 1\n      line 2\n    \"\"\"\n  condition s\n}\n",
			"s: A: \"a\\\\b\\té\" and B: \"c\\\\d\" and C: \"line 1\\n  line 2\"\ncondition: s\n"},
		{"exclude", "exclude \"x\" {\n  rules *\n  f = A == 1\n  when f and B == 2\n}\n",
			"when: f and B: 2\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if d := cmp.Diff(tc.want, model(t, tc.in)); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

// TestModifierChains checks that the modifier chain the DSL writes for a
// comparison derives, through rule.Match.SetModifiers, the comparison the
// parser built: the engine's CEL path rebuilds comparisons from it.
func TestModifierChains(t *testing.T) {
	src := "rule \"r\" {\n  s = A contains all windash(\"-x\") and B not matches/is `y` and C cased != \"z\"" +
		" and minute(D) < 5 and E startswith field(F) and G exists and H in (\"a\", null)" +
		" and I contains base64offset(wide(\"w\"))\n  condition s\n}\n"
	set, err := dsl.Parse("t.tdl", []byte(src))
	if err != nil {
		t.Fatal(detail(err))
	}
	n := 0
	rule.Walk(set.Rules[0].Selections[0].Expr, func(e rule.Expr) bool {
		m, ok := e.(*rule.Match)
		if !ok {
			return true
		}
		n++
		again := &rule.Match{Field: m.Field, Values: m.Values, Pos: m.Pos}
		if err := again.SetModifiers(m.Modifiers); err != nil {
			t.Fatalf("%s: %v", m, err)
		}
		if d := cmp.Diff(m, again); d != "" {
			t.Errorf("%s: SetModifiers(%v) derives a different match:\n%s", m, m.Modifiers, d)
		}
		return true
	})
	if n != 8 {
		t.Fatalf("walked %d comparisons, want 8", n)
	}
}

func TestParseMetadata(t *testing.T) {
	src := `rule "Title" {
  id             "id-1"
  name           rule_name
  status         test
  level          critical
  description    "d"
  author         "a"
  date           2024-01-31
  modified       "2024/02/01"
  references     "https://a", "https://b"
  tags           attack.t1, "odd tag"
  falsepositives "fp"
  fields         CommandLine, "Other Field"
  action         kill_process, notify
  logsource      product=windows category=process_creation service=sysmon definition="needs x"
  custom         n = {a: [1, 2.5, true, null, "s"]}
  s = A == 1
  condition s
}
`
	set, err := dsl.Parse("t.tdl", []byte(src))
	if err != nil {
		t.Fatal(detail(err))
	}
	r := set.Rules[0]
	got := []any{r.ID, r.Name, r.Title, r.Status, r.Level, r.Description, r.Author, r.Date, r.Modified,
		r.References, r.Tags, r.FalsePositives, r.Fields, r.Actions,
		r.Logsource.Product, r.Logsource.Category, r.Logsource.Service, r.Logsource.Definition, r.Custom}
	want := []any{"id-1", "rule_name", "Title", "test", rule.LevelCritical, "d", "a", "2024-01-31", "2024/02/01",
		[]string{"https://a", "https://b"}, []string{"attack.t1", "odd tag"}, []string{"fp"}, []string{"CommandLine", "Other Field"},
		[]string{"kill_process", "notify"}, "windows", "process_creation", "sysmon", "needs x",
		map[string]any{"n": map[string]any{"a": []any{1, 2.5, true, nil, "s"}}}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if r.Pos.Line != 1 || r.Pos.Col != 1 || r.Selections[0].Pos.Line != 17 {
		t.Errorf("positions: rule %v, selection %v", r.Pos, r.Selections[0].Pos)
	}
	m := r.Selections[0].Expr.(*rule.Match)
	if m.Pos.String() != "t.tdl:17:7" || m.Values[0].Pos.String() != "t.tdl:17:12" {
		t.Errorf("match at %v, value at %v", m.Pos, m.Values[0].Pos)
	}
}

func TestCELPosition(t *testing.T) {
	// The position of raw CEL is that of its first character, so that
	// CEL's own positions map into the file.
	for _, q := range []string{"`", "\""} {
		set, err := dsl.Parse("t.tdl", []byte("rule \"r\" {\n  condition   cel "+q+"true"+q+"\n}\n"))
		if err != nil {
			t.Fatal(detail(err))
		}
		c := set.Rules[0].Condition.(*rule.CEL)
		if c.Src != "true" || c.Pos.String() != "t.tdl:2:20" || c.Pos.Offset != 30 {
			t.Errorf("CEL %q at %v (offset %d), want t.tdl:2:20 (offset 30)", c.Src, c.Pos, c.Pos.Offset)
		}
	}
}

func TestFormat(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"canonical operators", "rule \"r\" {\n  s = A in (\"x\") and B == (1, 2) and C not in \"y\" and D not == 1 and E contains any \"z\"\n  condition s and 1 of s and any of s\n}\n",
			"rule \"r\" {\n  s = A == \"x\" and B in (1, 2) and C != \"y\" and D != 1 and E contains \"z\"\n  condition s and 1 of s and 1 of s\n}\n"},
		{"comments and blank lines", "# head\n\n\n# about r\nrule \"r\" { # r\n  id \"x\"   # the id\n\n\n  # selections\n  s = A == 1\n  condition s\n  # tail\n} # end\n# last\n",
			"# head\n\n# about r\nrule \"r\" { # r\n  id \"x\" # the id\n\n  # selections\n  s = A == 1\n  condition s\n  # tail\n} # end\n\n# last\n"},
		{"declarations", "list l = (\"a\")\nmacro m = A in l\nrule \"r\" {\n  condition m\n}\nlist k = (\"b\")\n",
			"list l = (\"a\")\nmacro m = A in l\n\nrule \"r\" {\n  condition m\n}\n\nlist k = (\"b\")\n"},
		{"long lines break", "rule \"r\" {\n  s = CommandLine contains (\"aaaaaaaaaaaaaaaaaaaa\", \"bbbbbbbbbbbbbbbbbbbbbbbb\", \"cccccccccccccccccccccc\", \"ddddddddddddd\")\n  condition s\n}\n",
			"rule \"r\" {\n  s = CommandLine contains (\n      \"aaaaaaaaaaaaaaaaaaaa\",\n      \"bbbbbbbbbbbbbbbbbbbbbbbb\",\n      \"cccccccccccccccccccccc\",\n      \"ddddddddddddd\",\n  )\n  condition s\n}\n"},
		{"comment inside an expression moves above it", "rule \"r\" {\n  s = A == 1 # one\n    or B == 2 # two\n  condition s\n}\n",
			"rule \"r\" {\n  # one\n  s = A == 1 or B == 2 # two\n  condition s\n}\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := dsl.Format("t.tdl", []byte(tc.in))
			if err != nil {
				t.Fatal(detail(err))
			}
			if d := cmp.Diff(tc.want, string(got)); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
			again, _ := dsl.Format("t.tdl", got)
			if string(again) != string(got) {
				t.Errorf("not idempotent:\n%s", again)
			}
		})
	}
}

func TestNestingLimit(t *testing.T) {
	for _, deep := range []string{strings.Repeat("(", 300) + "a" + strings.Repeat(")", 300), strings.Repeat("not ", 300) + "a"} {
		_, err := dsl.Parse("t.tdl", []byte("rule \"r\" {\n  a = A == 1\n  condition "+deep+"\n}\n"))
		var el rule.ErrorList
		if !errors.As(err, &el) || len(el) != 1 || el[0].Code != rule.ErrLimit || el[0].Pos.Line != 3 {
			t.Errorf("got %v, want one limit error on line 3", err)
		}
	}
}
