// Package sharedtest finds the shared test data (SigmaHQ rules and regression
// data, event corpora) that lives beside the project in ../shared.
//
// A fresh clone has no ../shared, so tests that need it skip with a message.
// CI sets TANCHI_REQUIRE_SHARED=1, which turns that skip into a failure, so the
// conformance tests can never pass there by not running.
package sharedtest

import (
	"os"
	"path/filepath"
	"testing"
)

// EnvRequire is the environment variable that makes a missing ../shared fatal.
const EnvRequire = "TANCHI_REQUIRE_SHARED"

// Dir returns the absolute path of the shared folder, or skips the test (fails
// it when TANCHI_REQUIRE_SHARED is set) when it cannot be found. TANCHI_SHARED
// overrides the location.
func Dir(tb testing.TB) string {
	tb.Helper()
	if d := os.Getenv("TANCHI_SHARED"); d != "" {
		return mustExist(tb, d)
	}
	wd, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	// Walk up from the package directory to the module root, then look beside it.
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return mustExist(tb, filepath.Join(filepath.Dir(d), "shared"))
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	return mustExist(tb, filepath.Join(wd, "..", "shared"))
}

// Path joins elem onto Dir and skips (or fails) the test when it does not exist.
func Path(tb testing.TB, elem ...string) string {
	tb.Helper()
	return mustExist(tb, filepath.Join(append([]string{Dir(tb)}, elem...)...))
}

func mustExist(tb testing.TB, p string) string {
	tb.Helper()
	if _, err := os.Stat(p); err != nil {
		msg := "shared test data not found at " + p + " (it sits beside the project as ../shared)"
		if os.Getenv(EnvRequire) != "" {
			tb.Fatal(msg + "; " + EnvRequire + " is set, so this is a failure")
		}
		tb.Skip(msg + "; skipping")
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		tb.Fatal(err)
	}
	return abs
}
