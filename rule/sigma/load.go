package sigma

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
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
