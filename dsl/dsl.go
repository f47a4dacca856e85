package dsl

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/tanchi-dev/tanchi/rule"
)

// Source is one named source text.
type Source struct {
	Name string // the file name used in positions
	Src  []byte
}

// Parse reads the rules, exclusions, macros and lists of one source. file
// names the source in positions. The set holds everything that loaded; the
// error, when not nil, is a rule.ErrorList with every problem found, sorted
// by position. A rule with any problem is left out of the set.
func Parse(file string, src []byte) (*rule.Set, error) {
	return ParseSources(Source{Name: file, Src: src})
}

// ParseFile reads and parses one file.
func ParseFile(path string) (*rule.Set, error) { return ParseFiles(path) }

// ParseFiles reads and parses files together: a macro or list defined in
// one is usable in all. Unreadable files are reported in the error list.
func ParseFiles(paths ...string) (*rule.Set, error) {
	var srcs []Source
	var errs rule.ErrorList
	for _, p := range paths {
		b, err := readLimited(p)
		if err != nil {
			code := rule.ErrIO
			pos := rule.Pos{File: p}
			if errors.Is(err, errTooLarge) {
				code, pos.Line, pos.Col = rule.ErrLimit, 1, 1
			}
			errs = append(errs, rule.Errorf(code, pos, "%v", err))
			continue
		}
		srcs = append(srcs, Source{Name: p, Src: b})
	}
	set, err := ParseSources(srcs...)
	var el rule.ErrorList
	errors.As(err, &el)
	errs = append(errs, el...)
	errs.Sort()
	set.Files = len(paths)
	return set, errs.Err()
}

var errTooLarge = fmt.Errorf("file exceeds the %d MiB rule file limit", MaxFileSize>>20)

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

// ParseSources parses sources together, sharing macros and lists between
// them. Rules and exclusions are returned in source order; ids used twice
// are reported (code rule.ErrDuplicateID) and the later definitions left
// out.
func ParseSources(srcs ...Source) (*rule.Set, error) {
	parsed := make([]*source, len(srcs))
	for i, s := range srcs {
		parsed[i] = parseSource(s.Name, s.Src)
	}
	p := newProgram(parsed)
	p.run()
	var errs rule.ErrorList
	for _, s := range parsed {
		errs = append(errs, s.errs...)
	}
	errs = append(errs, rule.DropDuplicateIDs(p.set)...)
	fillSources(errs, parsed)
	errs.Sort()
	return p.set, errs.Err()
}

// fillSources sets the source line of errors, for Detail.
func fillSources(errs rule.ErrorList, srcs []*source) {
	byFile := map[string]*source{}
	for _, s := range srcs {
		byFile[s.file] = s
	}
	for _, e := range errs {
		s := byFile[e.Pos.File]
		if e.Source != "" || s == nil || e.Pos.Line < 1 || e.Pos.Line > len(s.lines) {
			continue
		}
		e.Source = s.lines[e.Pos.Line-1]
	}
}
