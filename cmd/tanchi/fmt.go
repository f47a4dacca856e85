package main

import (
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/tanchi-dev/tanchi/dsl"
)

const fmtUsage = "fmt [-w] FILE..."

// runFmt prints .tdl files in the canonical layout, or with -w rewrites the
// files that are not. FILE - reads standard input (and cannot take -w).
func runFmt(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("fmt", fmtUsage)
	write := fs.Bool("w", false, "write the result back to each file instead of printing it")
	files, ok := parse(fs, args, stderr)
	if !ok {
		return exitUsage
	}
	if len(files) == 0 {
		fmt.Fprintln(stderr, "tanchi fmt: no files given")
		fs.Usage()
		return exitUsage
	}
	code := exitOK
	for _, f := range files {
		var src []byte
		var err error
		if f == "-" {
			if *write {
				fmt.Fprintln(stderr, "tanchi fmt: -w cannot rewrite standard input")
				return exitUsage
			}
			src, err = io.ReadAll(os.Stdin)
		} else {
			src, err = os.ReadFile(f)
		}
		if err != nil {
			fmt.Fprintf(stderr, "tanchi fmt: %v\n", err)
			code = exitUsage
			continue
		}
		out, err := dsl.Format(f, src)
		if err != nil {
			printProblems(stderr, asList(err))
			code = exitUsage
			continue
		}
		if !*write {
			stdout.Write(out)
			continue
		}
		if bytes.Equal(src, out) {
			continue
		}
		info, err := os.Stat(f)
		if err == nil {
			err = os.WriteFile(f, out, info.Mode().Perm())
		}
		if err != nil {
			fmt.Fprintf(stderr, "tanchi fmt: %v\n", err)
			code = exitUsage
			continue
		}
		fmt.Fprintln(stderr, f)
	}
	return code
}
