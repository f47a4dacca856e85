package sigma_test

import (
	"path/filepath"
	"testing"

	"github.com/tanchi-dev/tanchi/internal/sharedtest"
	"github.com/tanchi-dev/tanchi/rule/load"
)

// minSigmaHQRules is a floor on the rules the SigmaHQ snapshot in ../shared
// holds, so that a reader silently dropping rules cannot pass.
const minSigmaHQRules = 3700

// TestSigmaHQ reads every rule of the SigmaHQ snapshot: none may fail.
// It skips without ../shared and fails there when TANCHI_REQUIRE_SHARED is
// set.
func TestSigmaHQ(t *testing.T) {
	dir := sharedtest.Path(t, "sigma")
	var paths []string
	for _, d := range []string{"rules", "rules-emerging-threats", "rules-threat-hunting"} {
		paths = append(paths, sharedtest.Path(t, "sigma", d))
	}
	set, err := load.Paths(paths...)
	if err != nil {
		t.Errorf("SigmaHQ rules in %s do not all load:\n%v", dir, err)
	}
	t.Logf("%d files: %d rules, %d exclusions, %d correlations", set.Files, len(set.Rules), len(set.Exclusions), len(set.Correlations))
	if len(set.Rules) < minSigmaHQRules {
		t.Errorf("loaded %d rules, want at least %d", len(set.Rules), minSigmaHQRules)
	}
	// Every rule is complete and points into its file.
	for _, r := range set.Rules {
		if r.Condition == nil || len(r.Selections) == 0 || r.Logsource.IsZero() {
			t.Errorf("%v: rule %s is incomplete", r.Pos, r.Key())
		}
		if !r.Pos.IsValid() || filepath.Dir(r.Pos.File) == "." {
			t.Errorf("rule %s has position %v", r.Key(), r.Pos)
		}
		checkRefs(t, r.Key(), r.Selections, r.Condition)
	}
}
