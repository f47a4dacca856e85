package rule_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/tanchi-dev/tanchi/rule"
)

func TestPosString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pos  rule.Pos
		want string
	}{
		{rule.Pos{}, "-"},
		{rule.Pos{File: "a.yml"}, "a.yml"},
		{rule.Pos{File: "a.yml", Line: 3}, "a.yml:3"},
		{rule.Pos{File: "a.yml", Line: 3, Col: 7}, "a.yml:3:7"},
		{rule.Pos{Line: 3, Col: 7}, "3:7"},
		{rule.Pos{File: "a.yml", Col: 7}, "a.yml"},
	}
	for _, tt := range tests {
		if got := tt.pos.String(); got != tt.want {
			t.Errorf("%+v.String() = %q, want %q", tt.pos, got, tt.want)
		}
		if got, want := tt.pos.IsValid(), tt.pos.Line > 0; got != want {
			t.Errorf("%+v.IsValid() = %v", tt.pos, got)
		}
	}
}

func TestErrorDetail(t *testing.T) {
	t.Parallel()
	pos := func(col int) rule.Pos { return rule.Pos{File: "r.yml", Line: 2, Col: col} }
	tests := []struct {
		name string
		err  rule.Error
		want string
	}{
		{
			name: "caret under the column",
			err:  rule.Error{Pos: pos(7), Msg: "bad", Source: "  key|mod: v"},
			want: "r.yml:2:7: bad\n |   key|mod: v\n |       ^",
		},
		{
			name: "first column",
			err:  rule.Error{Pos: pos(1), Msg: "bad", Source: "key: v\n"},
			want: "r.yml:2:1: bad\n | key: v\n | ^",
		},
		{
			name: "tabs are expanded in the line and before the caret",
			err:  rule.Error{Pos: pos(3), Msg: "bad", Source: "\t\tx: v"},
			want: "r.yml:2:3: bad\n |         x: v\n |         ^",
		},
		{
			name: "columns count runes",
			err:  rule.Error{Pos: pos(6), Msg: "bad", Source: "äöü: x"},
			want: "r.yml:2:6: bad\n | äöü: x\n |      ^",
		},
		{
			name: "a column past the end points just after the line",
			err:  rule.Error{Pos: pos(40), Msg: "bad", Source: "a and"},
			want: "r.yml:2:40: bad\n | a and\n |      ^",
		},
		{
			name: "carriage return is dropped",
			err:  rule.Error{Pos: pos(2), Msg: "bad", Source: "ab\r\n"},
			want: "r.yml:2:2: bad\n | ab\n |  ^",
		},
		{
			name: "no source, no caret",
			err:  rule.Error{Pos: pos(2), Msg: "bad"},
			want: "r.yml:2:2: bad",
		},
		{
			name: "no column, no caret",
			err:  rule.Error{Pos: rule.Pos{File: "r.yml", Line: 2}, Msg: "bad", Source: "x"},
			want: "r.yml:2: bad",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.err.Detail(); got != tt.want {
				t.Errorf("Detail() =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestErrorList(t *testing.T) {
	t.Parallel()
	var empty rule.ErrorList
	if empty.Err() != nil {
		t.Error("an empty list is not an error")
	}
	a := rule.Errorf(rule.ErrValue, rule.Pos{File: "b.yml", Line: 1, Col: 1}, "a %d", 1)
	b := rule.Errorf(rule.ErrSyntax, rule.Pos{File: "a.yml", Line: 9, Col: 2}, "b")
	c := rule.Errorf(rule.ErrSchema, rule.Pos{File: "a.yml", Line: 9, Col: 1}, "c")
	l := rule.ErrorList{a, b, c}
	l.Sort()
	if l[0] != c || l[1] != b || l[2] != a {
		t.Errorf("Sort: got %v", l)
	}
	if got, want := l.Error(), "a.yml:9:1: c\na.yml:9:2: b\nb.yml:1:1: a 1"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if got, want := (rule.ErrorList{a}).Error(), "b.yml:1:1: a 1"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}

	// errors.As reaches the list and each error through wrapping.
	err := fmt.Errorf("loading: %w", l.Err())
	var got rule.ErrorList
	if !errors.As(err, &got) || len(got) != 3 {
		t.Errorf("errors.As(ErrorList) = %v", got)
	}
	var first *rule.Error
	if !errors.As(err, &first) || first != c {
		t.Errorf("errors.As(*Error) = %v, want the first error", first)
	}
	if !errors.Is(err, a) {
		t.Error("errors.Is does not find an error of the list")
	}
}

func TestCodeUnsupported(t *testing.T) {
	t.Parallel()
	for code, want := range map[rule.Code]bool{
		rule.ErrUnsupported: true, rule.ErrPlaceholder: true,
		rule.ErrSyntax: false, rule.ErrValue: false, rule.ErrLimit: false, rule.ErrDuplicateID: false,
	} {
		if got := code.Unsupported(); got != want {
			t.Errorf("%s.Unsupported() = %v, want %v", code, got, want)
		}
	}
}

func TestSuggest(t *testing.T) {
	names := []string{"selection", "filter_main", "filter_optional_teams", "re"}
	for _, tc := range []struct{ name, want string }{
		{"filter_mian", `; did you mean "filter_main"?`},
		{"Selection", `; did you mean "selection"?`},
		{"selectoin", `; did you mean "selection"?`},
		{"filter", ""},
		{"rx", `; did you mean "re"?`},
		{"xyz", ""},
		{"selection", ""},
	} {
		if got := rule.Suggest(tc.name, names); got != tc.want {
			t.Errorf("rule.Suggest(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
}
