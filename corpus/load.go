package corpus

import (
	"errors"
	"path/filepath"
	"strings"

	"github.com/tanchi-dev/tanchi/engine"
	"github.com/tanchi-dev/tanchi/rule"
	"github.com/tanchi-dev/tanchi/rule/load"
)

// loadRules reads rule files and directories, Sigma YAML and tanchi's
// language alike. It is the one place the runner reads rules.
func loadRules(paths ...string) (*rule.Set, error) { return load.Paths(paths...) }

// isRuleFile reports whether a file in a case directory holds rules: Sigma
// YAML or tanchi's language. case.yml and info.yml describe cases and are
// not rules.
func isRuleFile(name string) bool {
	base := strings.ToLower(filepath.Base(name))
	if base == caseFile || base == "info.yml" {
		return false
	}
	switch filepath.Ext(base) {
	case ".yml", ".yaml", ".tdl":
		return true
	}
	return false
}

// LoadEngine reads the rules in paths (files or directories) and compiles
// them, with their exclusions, with opts. It returns the engine even when
// some rules failed to load or compile; the error is then a rule.ErrorList
// naming each problem. It is the default way a Suite compiles the rules a
// case directory brings.
func LoadEngine(paths []string, opts ...engine.Option) (*engine.Engine, error) {
	set, err := loadRules(paths...)
	var errs rule.ErrorList
	errs = append(errs, asErrorList(err)...)
	eng, err := engine.Compile(set.Rules, append([]engine.Option{engine.WithExclusions(set.Exclusions)}, opts...)...)
	if eng == nil {
		return nil, err
	}
	errs = append(errs, asErrorList(err)...)
	errs.Sort()
	return eng, errs.Err()
}

func asErrorList(err error) rule.ErrorList {
	if err == nil {
		return nil
	}
	var el rule.ErrorList
	if errors.As(err, &el) {
		return el
	}
	var e *rule.Error
	if errors.As(err, &e) {
		return rule.ErrorList{e}
	}
	return rule.ErrorList{{Code: rule.ErrIO, Msg: err.Error()}}
}
