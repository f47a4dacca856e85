package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/tanchi-dev/tanchi/dsl"
	"github.com/tanchi-dev/tanchi/rule"
	ruleload "github.com/tanchi-dev/tanchi/rule/load"
	"github.com/tanchi-dev/tanchi/rule/sigma"
)

const convertUsage = "convert --to dsl|sigma [-o DIR] FILE..."

// input is one rule file to convert and the name of its output.
type input struct {
	path string // "-" for standard input
	out  string // output path relative to -o DIR
	set  *rule.Set
}

// runConvert converts rule files between Sigma YAML and tanchi's rule
// language. Every FILE (or every rule file under a directory) is converted
// on its own: to standard output, or with -o into DIR under the same name
// with the new extension (directories keep their layout). The .tdl inputs
// are read together, so macros and lists shared between them expand. A
// file that fails to read or to convert is reported on standard error and
// left out; the exit code is then 2.
func runConvert(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("convert", convertUsage)
	to := fs.String("to", "", "target syntax: dsl (tanchi's rule language) or sigma (Sigma YAML)")
	outDir := fs.String("o", "", "write one file per input into this directory instead of standard output")
	paths, ok := parse(fs, args, stderr)
	if !ok {
		return exitUsage
	}
	if *to != "dsl" && *to != "sigma" {
		fmt.Fprintf(stderr, "tanchi convert: --to must be dsl or sigma, got %q\n", *to)
		fs.Usage()
		return exitUsage
	}
	if len(paths) == 0 {
		fmt.Fprintln(stderr, "tanchi convert: no files given")
		fs.Usage()
		return exitUsage
	}
	ext := ".tdl"
	if *to == "sigma" {
		ext = ".yml"
	}
	var inputs []*input
	var problems rule.ErrorList
	code := exitOK
	for _, p := range paths {
		if p == "-" {
			inputs = append(inputs, &input{path: p, out: "stdin" + ext})
			continue
		}
		files, err := ruleload.Files(p)
		if err != nil {
			fmt.Fprintf(stderr, "tanchi convert: %v\n", err)
			code = exitUsage
			continue
		}
		info, _ := os.Stat(p)
		for _, f := range files {
			rel := filepath.Base(f)
			if info != nil && info.IsDir() {
				rel, _ = filepath.Rel(p, f)
			}
			inputs = append(inputs, &input{path: f, out: strings.TrimSuffix(rel, filepath.Ext(rel)) + ext})
		}
	}
	problems = append(problems, readInputs(inputs, *to)...)
	seen := map[string]string{}
	var stdoutDocs [][]byte
	for _, in := range inputs {
		// Files of macros and lists only have nothing of their own to
		// convert (their definitions are expanded into the rules).
		if in.set == nil || len(in.set.Rules)+len(in.set.Exclusions)+len(in.set.Correlations) == 0 {
			continue
		}
		var out []byte
		var err error
		if *to == "dsl" {
			out, err = dsl.FromSet(in.set)
		} else {
			out, err = sigma.Marshal(in.set)
		}
		if err != nil {
			problems = append(problems, asList(err)...)
			continue
		}
		if *outDir == "" {
			stdoutDocs = append(stdoutDocs, out)
			continue
		}
		if prev, dup := seen[in.out]; dup {
			fmt.Fprintf(stderr, "tanchi convert: %s and %s would both be written to %s\n", prev, in.path, filepath.Join(*outDir, in.out))
			code = exitUsage
			continue
		}
		seen[in.out] = in.path
		dst := filepath.Join(*outDir, in.out)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			fmt.Fprintf(stderr, "tanchi convert: %v\n", err)
			return exitUsage
		}
		if err := os.WriteFile(dst, out, 0o644); err != nil {
			fmt.Fprintf(stderr, "tanchi convert: %v\n", err)
			return exitUsage
		}
	}
	sep := []byte("\n")
	if *to == "sigma" {
		sep = []byte("---\n")
	}
	stdout.Write(bytes.Join(stdoutDocs, sep))
	if len(problems) > 0 {
		addSources(problems)
		problems.Sort()
		printProblems(stderr, problems)
		code = exitUsage
	}
	return code
}

// readInputs reads every input into its set: .tdl files together, the
// rest as Sigma. Standard input is read as the syntax being converted from.
func readInputs(inputs []*input, to string) rule.ErrorList {
	var problems rule.ErrorList
	var srcs []dsl.Source
	var dslInputs []*input
	for _, in := range inputs {
		isDSL := ruleload.IsDSLFile(in.path) || (in.path == "-" && to == "sigma")
		var src []byte
		var err error
		if in.path == "-" {
			src, err = io.ReadAll(os.Stdin)
		} else {
			src, err = os.ReadFile(in.path)
		}
		if err != nil {
			problems = append(problems, rule.Errorf(rule.ErrIO, rule.Pos{File: in.path}, "%v", err))
			continue
		}
		if isDSL {
			srcs = append(srcs, dsl.Source{Name: in.path, Src: src})
			dslInputs = append(dslInputs, in)
			continue
		}
		set, err := sigma.Parse(in.path, src)
		if err != nil {
			problems = append(problems, asList(err)...)
			continue
		}
		in.set = set
	}
	if len(srcs) == 0 {
		return problems
	}
	set, err := dsl.ParseSources(srcs...)
	problems = append(problems, asList(err)...)
	failed := map[string]bool{}
	for _, e := range asList(err) {
		failed[e.Pos.File] = true
	}
	for _, in := range dslInputs {
		if failed[in.path] {
			continue
		}
		in.set = &rule.Set{Files: 1}
		for _, r := range set.Rules {
			if r.Pos.File == in.path {
				in.set.Rules = append(in.set.Rules, r)
			}
		}
		for _, x := range set.Exclusions {
			if x.Pos.File == in.path {
				in.set.Exclusions = append(in.set.Exclusions, x)
			}
		}
	}
	return problems
}
