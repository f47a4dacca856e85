package examples

import (
	"flag"
	"testing"

	"github.com/tanchi-dev/tanchi/corpus"
)

var _ = flag.Bool("update", false, "rewrite the golden want.jsonl files under cases/")

// TestCases runs the example rule repository's test cases (see
// cases/README.md): case directories of every form, SigmaHQ's regression
// layout, and the tests written inside rule files. The rules under test are
// the example rules and the ones cases/rules adds; a case directory that
// brings its own rules runs on those.
func TestCases(t *testing.T) {
	eng, err := corpus.LoadEngine([]string{"rules", "cases/rules"})
	if err != nil {
		t.Fatal(err)
	}
	corpus.Run(t, eng, "cases")
}
