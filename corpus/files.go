package corpus

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// eventExts are the names Files picks from a directory, compared without
// regard to case; each may also end in ".gz".
var eventExts = []string{".json", ".jsonl", ".ndjson"}

// IsEventFile reports whether name looks like an event file: *.json, *.jsonl
// or *.ndjson, optionally followed by .gz, in any letter case.
func IsEventFile(name string) bool {
	name = strings.ToLower(name)
	name = strings.TrimSuffix(name, ".gz")
	for _, ext := range eventExts {
		if strings.HasSuffix(name, ext) && len(name) > len(ext) {
			return true
		}
	}
	return false
}

// Files expands paths into the event files to read, in order. A directory
// stands for every event file under it (see IsEventFile), recursively and
// sorted by path; directories and files whose names start with "." inside it
// are passed over, and so are symbolic links to directories below it (a
// link given as a path is followed). A file is taken as given, whatever its name, and "-"
// (standard input) passes through. A path that does not exist is an error
// naming it. A directory without event files contributes nothing.
func Files(paths ...string) ([]string, error) {
	var out []string
	for _, p := range paths {
		if p == "-" {
			out = append(out, p)
			continue
		}
		fi, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !fi.IsDir() {
			out = append(out, p)
			continue
		}
		root := p
		if li, err := os.Lstat(p); err == nil && li.Mode()&fs.ModeSymlink != 0 {
			// WalkDir does not follow a symbolic link, even at the root;
			// a trailing separator makes the system resolve it.
			root = p + string(filepath.Separator)
		}
		var found []string
		err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if path != root && strings.HasPrefix(d.Name(), ".") {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if !d.IsDir() && IsEventFile(d.Name()) {
				found = append(found, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		slices.Sort(found)
		out = append(out, found...)
	}
	return out, nil
}

// Walk reads the files that Files(paths...) names, in order, and calls fn
// with each record, one at a time on the calling goroutine; the Record's Raw
// is valid only during the call. Problems
// with a record, and files that cannot be opened or read to the end, go to
// onErr (an *Error, or the *os.PathError from opening) and the walk goes on.
// If onErr is nil, the first such problem ends the walk and is returned. An
// error from Files, or one returned by fn, ends the walk and is returned
// as is.
func Walk(paths []string, fn func(Record) error, onErr func(error)) error {
	return walk(paths, fn, onErr, false)
}

// WalkUnchecked is Walk with every Reader Unchecked: the lines of JSON-lines
// files reach fn without being checked as JSON, for an fn that parses them
// with a validating parser and reports what it rejects.
func WalkUnchecked(paths []string, fn func(Record) error, onErr func(error)) error {
	return walk(paths, fn, onErr, true)
}

func walk(paths []string, fn func(Record) error, onErr func(error), unchecked bool) error {
	files, err := Files(paths...)
	if err != nil {
		return err
	}
	for _, f := range files {
		if err := walkFile(f, fn, onErr, unchecked); err != nil {
			return err
		}
	}
	return nil
}

// walkFile is Walk for one file.
func walkFile(path string, fn func(Record) error, onErr func(error), unchecked bool) error {
	report := func(err error) error {
		if onErr == nil {
			return err
		}
		onErr(err)
		return nil
	}
	r, err := Open(path)
	if err != nil {
		return report(err)
	}
	defer r.Close()
	if unchecked {
		r.Unchecked()
	}
	for {
		rec, err := r.Next()
		switch {
		case err == io.EOF:
			if err := r.Close(); err != nil {
				return report(err)
			}
			return nil
		case err != nil:
			if err := report(err); err != nil {
				return err
			}
		default:
			if err := fn(rec); err != nil {
				return err
			}
		}
	}
}
