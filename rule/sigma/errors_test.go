package sigma_test

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tanchi-dev/tanchi/rule"
	"github.com/tanchi-dev/tanchi/rule/load"
	"github.com/tanchi-dev/tanchi/rule/sigma"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/errors")

// errorCases lists, for every testdata/errors/<case>.yml, the codes of the
// errors it must produce (in the order of their positions) and the titles of
// the rules that must still load beside them. A .yml without an entry here,
// or an entry without a .yml, fails the test.
var errorCases = map[string]struct {
	codes  []rule.Code
	loaded []string
}{
	"yaml_bad_indent":                        {codes: []rule.Code{rule.ErrSyntax}},
	"yaml_list_indent":                       {codes: []rule.Code{rule.ErrSyntax}},
	"yaml_unclosed_quote":                    {codes: []rule.Code{rule.ErrSyntax}},
	"yaml_tab":                               {codes: []rule.Code{rule.ErrSyntax}},
	"yaml_alias_cycle":                       {codes: []rule.Code{rule.ErrLimit}},
	"yaml_broken_then_good":                  {codes: []rule.Code{rule.ErrSyntax}, loaded: []string{"Good rule after it"}},
	"bad_then_good":                          {codes: []rule.Code{rule.ErrModifier}, loaded: []string{"Good rule second"}},
	"two_bad_rules":                          {codes: []rule.Code{rule.ErrUndefined, rule.ErrValue, rule.ErrSchema}},
	"modifier_unknown":                       {codes: []rule.Code{rule.ErrModifier}},
	"modifier_conflict":                      {codes: []rule.Code{rule.ErrModifier}},
	"modifier_flag_without_re":               {codes: []rule.Code{rule.ErrModifier}},
	"modifier_base64offset_without_contains": {codes: []rule.Code{rule.ErrModifier}},
	"modifier_utf16le_without_base64":        {codes: []rule.Code{rule.ErrModifier}},
	"value_bad_regex":                        {codes: []rule.Code{rule.ErrValue}},
	"value_regex_lookahead":                  {codes: []rule.Code{rule.ErrUnsupported}},
	"value_bad_cidr":                         {codes: []rule.Code{rule.ErrValue}},
	"value_lt_string":                        {codes: []rule.Code{rule.ErrValue}},
	"value_exists_string":                    {codes: []rule.Code{rule.ErrValue}},
	"condition_undefined":                    {codes: []rule.Code{rule.ErrUndefined}},
	"condition_undefined_quoted":             {codes: []rule.Code{rule.ErrUndefined}},
	"condition_of_no_match":                  {codes: []rule.Code{rule.ErrUndefined}},
	"condition_missing_paren":                {codes: []rule.Code{rule.ErrCondition}},
	"condition_missing_paren_folded":         {codes: []rule.Code{rule.ErrCondition}},
	"condition_extra_paren":                  {codes: []rule.Code{rule.ErrCondition}},
	"condition_trailing_operator":            {codes: []rule.Code{rule.ErrCondition}},
	"condition_count_aggregation":            {codes: []rule.Code{rule.ErrUnsupported}},
	"condition_near":                         {codes: []rule.Code{rule.ErrUnsupported}},
	"condition_near_infix":                   {codes: []rule.Code{rule.ErrCondition}},
	"missing_condition":                      {codes: []rule.Code{rule.ErrSchema}},
	"missing_logsource":                      {codes: []rule.Code{rule.ErrSchema}},
	"detection_not_mapping":                  {codes: []rule.Code{rule.ErrSchema}},
	"selection_empty_list":                   {codes: []rule.Code{rule.ErrValue}},
	"selection_duplicate_key":                {codes: []rule.Code{rule.ErrSyntax}},
	"level_unknown":                          {codes: []rule.Code{rule.ErrSchema}},
}

// TestErrors compares every error of each testdata/errors/<case>.yml,
// rendered with Detail, with <case>.golden. Run with -update to rewrite the
// golden files, then review the diff.
func TestErrors(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "errors", "*.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no cases found in testdata/errors")
	}
	seen := map[string]bool{}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".yml")
		seen[name] = true
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			tc, ok := errorCases[name]
			if !ok {
				t.Fatalf("%s has no entry in errorCases", file)
			}
			set, err := sigma.ParseFile(file)
			errs := checkErrorList(t, err, file)
			checkCodes(t, errs, tc.codes)
			var titles []string
			for _, r := range set.Rules {
				titles = append(titles, r.Title)
			}
			if diff := cmp.Diff(tc.loaded, titles); diff != "" {
				t.Errorf("rules loaded beside the errors (-want +got):\n%s", diff)
			}
			compareGolden(t, strings.TrimSuffix(file, ".yml")+".golden", details(errs))
		})
	}
	for name := range errorCases {
		if !seen[name] {
			t.Errorf("errorCases has %q but testdata/errors/%s.yml does not exist", name, name)
		}
	}
}

// TestErrorsDuplicateID loads a folder where one file reuses an id of
// another: the duplicate is reported at the later rule, and every other rule
// still loads.
func TestErrorsDuplicateID(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join("testdata", "errors", "duplicate_id")
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	set, err := load.Paths(dir)
	errs := checkErrorList(t, err, "")
	checkCodes(t, errs, []rule.Code{rule.ErrDuplicateID})
	if got, want := errs[0].RuleID, "3b5f1c2a-8d4e-4f6a-9c0b-7e1d2a3f4b5c"; got != want {
		t.Errorf("RuleID = %q, want %q", got, want)
	}
	var titles []string
	for _, r := range set.Rules {
		titles = append(titles, r.Title)
	}
	want := []string{"First use of the id", "Unique rule in a.yml", "Unique rule in b.yml"}
	if diff := cmp.Diff(want, titles); diff != "" {
		t.Errorf("loaded rules (-want +got):\n%s", diff)
	}
	got := strings.ReplaceAll(details(errs), dir+string(filepath.Separator), "$DIR/")
	compareGolden(t, filepath.Join("testdata", "errors", "duplicate_id.golden"), got)
}

// checkErrorList asserts that err is a non-empty rule.ErrorList whose
// entries have positions (in file, when file is not empty) and source
// lines, and returns it.
func checkErrorList(t *testing.T, err error, file string) rule.ErrorList {
	t.Helper()
	var errs rule.ErrorList
	if !errors.As(err, &errs) || len(errs) == 0 {
		t.Fatalf("got error %v (%T), want a non-empty rule.ErrorList", err, err)
	}
	var first *rule.Error
	if !errors.As(err, &first) || first != errs[0] {
		t.Errorf("errors.As(err, *rule.Error) does not find the first error")
	}
	for _, e := range errs {
		if file != "" && e.Pos.File != file {
			t.Errorf("%v: position names file %q, want %q", e, e.Pos.File, file)
		}
		if e.Pos.Line < 1 || e.Pos.Col < 1 {
			t.Errorf("%v: position %+v has no line or column", e, e.Pos)
		}
		if e.Source == "" {
			t.Errorf("%v: no source line", e)
		}
	}
	return errs
}

func checkCodes(t *testing.T, errs rule.ErrorList, want []rule.Code) {
	t.Helper()
	var got []rule.Code
	for _, e := range errs {
		got = append(got, e.Code)
	}
	if !slices.Equal(got, want) {
		t.Errorf("codes = %v, want %v\n%v", got, want, errs)
	}
}

// details renders every error with Detail, separated by blank lines.
func details(errs rule.ErrorList) string {
	var b strings.Builder
	for i, e := range errs {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(e.Detail())
		b.WriteString("\n")
	}
	return b.String()
}

func compareGolden(t *testing.T, golden, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -run Errors -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs (-want +got):\n%s", golden, diff)
	}
}
