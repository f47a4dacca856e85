package sigma

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tanchi-dev/tanchi/rule"
)

// ParseFile reads and parses one rule file.
func ParseFile(path string) (*rule.Set, error) {
	src, err := readLimited(path)
	if errors.Is(err, errTooLarge) {
		return &rule.Set{}, rule.ErrorList{rule.Errorf(rule.ErrLimit, rule.Pos{File: path, Line: 1, Col: 1}, "%v", err)}
	}
	if err != nil {
		return &rule.Set{}, rule.ErrorList{rule.Errorf(rule.ErrIO, rule.Pos{File: path}, "%v", err)}
	}
	return Parse(path, src)
}

func readLimited(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.Size() > MaxFileSize {
		return nil, &fs.PathError{Op: "read", Path: path, Err: errTooLarge}
	}
	return os.ReadFile(path)
}

type tooLarge struct{}

func (tooLarge) Error() string { return "file exceeds the 16 MiB rule file limit" }

var errTooLarge error = tooLarge{}

// IsRuleFile reports whether a file name looks like a Sigma rule (.yml, .yaml).
func IsRuleFile(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	return ext == ".yml" || ext == ".yaml"
}

// Load reads rule files and directories (recursively, *.yml and *.yaml, in
// lexical order). Every file is read even when others fail; the error lists
// every problem, including ids used by more than one rule (the first rule
// with an id is kept, later ones are left out).
func Load(paths ...string) (*rule.Set, error) {
	set := &rule.Set{}
	var errs rule.ErrorList
	add := func(s *rule.Set, err error) {
		set.Add(s)
		if el, ok := err.(rule.ErrorList); ok {
			errs = append(errs, el...)
		} else if err != nil {
			errs = append(errs, rule.Errorf(rule.ErrIO, rule.Pos{}, "%v", err))
		}
	}
	for _, p := range paths {
		files, err := ruleFiles(p)
		if err != nil {
			errs = append(errs, rule.Errorf(rule.ErrIO, rule.Pos{File: p}, "%v", err))
			continue
		}
		for _, f := range files {
			add(ParseFile(f))
		}
	}
	dups := rule.DropDuplicateIDs(set)
	for _, e := range dups {
		e.Source = sourceLine(e.Pos)
	}
	errs = append(errs, dups...)
	errs.Sort()
	return set, errs.Err()
}

// sourceLine rereads the line at pos so that an error found after parsing
// (a duplicate id) renders with its source line like the others.
func sourceLine(pos rule.Pos) string {
	src, err := readLimited(pos.File)
	if err != nil || pos.Line < 1 {
		return ""
	}
	lines := splitLines(src)
	if pos.Line > len(lines) {
		return ""
	}
	return lines[pos.Line-1]
}

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
