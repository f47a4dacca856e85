// Package load reads rule files of every syntax tanchi knows: Sigma YAML
// (*.yml, *.yaml) and tanchi's rule language (*.tdl).
//
// Paths walks files and directories and hands each file to its reader. The
// .tdl files of one call are parsed together, so a macro or list defined in
// one of them is usable in all. Every problem of every file is collected;
// one bad rule never keeps the others from loading.
package load

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/tanchi-dev/tanchi/dsl"
	"github.com/tanchi-dev/tanchi/rule"
	"github.com/tanchi-dev/tanchi/rule/sigma"
)

// IsRuleFile reports whether a file name is a rule file: .yml, .yaml or
// .tdl (any case).
func IsRuleFile(name string) bool {
	return sigma.IsRuleFile(name) || IsDSLFile(name)
}

// IsDSLFile reports whether a file name is in tanchi's rule language (.tdl).
func IsDSLFile(name string) bool { return strings.EqualFold(filepath.Ext(name), ".tdl") }

// Paths reads rule files and directories (recursively, in lexical order).
// A file named explicitly is read whatever its extension: .tdl as the rule
// language, anything else as Sigma YAML. Rules keep the order of their
// files. The set holds everything that loaded; the error, when not nil, is
// a rule.ErrorList with every problem, including ids used more than once
// (the first definition is kept, in the order of the files, and the later
// ones left out).
func Paths(paths ...string) (*rule.Set, error) {
	var errs rule.ErrorList
	var files []string
	for _, p := range paths {
		fs, err := ruleFiles(p)
		if err != nil {
			errs = append(errs, rule.Errorf(rule.ErrIO, rule.Pos{File: p}, "%v", err))
			continue
		}
		files = append(files, fs...)
	}
	// Parse the DSL files together, then put their rules back in file
	// order among the Sigma files.
	var tdl []string
	for _, f := range files {
		if IsDSLFile(f) {
			tdl = append(tdl, f)
		}
	}
	byFile := map[string]*rule.Set{}
	if len(tdl) > 0 {
		set, err := dsl.ParseFiles(tdl...)
		errs = append(errs, asList(err)...)
		for _, f := range tdl {
			byFile[f] = &rule.Set{}
		}
		for _, r := range set.Rules {
			if s := byFile[r.Pos.File]; s != nil {
				s.Rules = append(s.Rules, r)
			}
		}
		for _, x := range set.Exclusions {
			if s := byFile[x.Pos.File]; s != nil {
				s.Exclusions = append(s.Exclusions, x)
			}
		}
	}
	// Sigma files parse independently: on all cores, results kept in file
	// order so that the set and its errors do not depend on scheduling.
	sigmaSets := make([]*rule.Set, len(files))
	sigmaErrs := make([]error, len(files))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(files)) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(files) {
					return
				}
				if _, ok := byFile[files[i]]; !ok {
					sigmaSets[i], sigmaErrs[i] = sigma.ParseFile(files[i])
				}
			}
		})
	}
	wg.Wait()
	out := &rule.Set{}
	for i, f := range files {
		if s, ok := byFile[f]; ok {
			s.Files = 1
			out.Add(s)
			continue
		}
		out.Add(sigmaSets[i])
		errs = append(errs, asList(sigmaErrs[i])...)
	}
	dups := rule.DropDuplicateIDs(out)
	for _, e := range dups {
		e.Source = sourceLine(e.Pos)
	}
	errs = append(errs, dups...)
	errs.Sort()
	return out, errs.Err()
}

func asList(err error) rule.ErrorList {
	if err == nil {
		return nil
	}
	var el rule.ErrorList
	if errors.As(err, &el) {
		return el
	}
	return rule.ErrorList{rule.Errorf(rule.ErrIO, rule.Pos{}, "%v", err)}
}

// sourceLine rereads the line at pos so that an error found after parsing
// (a duplicate id) renders with its source line like the others.
func sourceLine(pos rule.Pos) string {
	if pos.File == "" || pos.Line < 1 {
		return ""
	}
	src, err := os.ReadFile(pos.File)
	if err != nil {
		return ""
	}
	lines := strings.Split(string(src), "\n")
	if pos.Line > len(lines) {
		return ""
	}
	return lines[pos.Line-1]
}

// Files lists the rule files a path stands for: the path itself when it is
// a file, else every rule file under the directory, in lexical order.
func Files(path string) ([]string, error) { return ruleFiles(path) }

func ruleFiles(root string) ([]string, error) {
	fi, err := os.Stat(root)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return []string{root}, nil
	}
	var out []string
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && IsRuleFile(p) {
			out = append(out, p)
		}
		return nil
	})
	slices.Sort(out)
	return out, err
}
