// Command lanegen writes a benchmark lane (see bench.LaneNames) as JSON
// lines: real events from the corpora in ../shared, mostly benign with a
// few attack events, shuffled by a seed.
//
// Usage:
//
//	go run ./bench/lanegen [-shared DIR] -lane NAME [-n N] [-seed S] [-o FILE]
//
// It prints the stream's composition and the lane's pool sizes to standard
// error. Without -shared it takes $TANCHI_SHARED, else the shared folder
// beside the module root (../shared), as the tests do.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tanchi-dev/tanchi/bench"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "lanegen:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("lanegen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	shared := fs.String("shared", "", "the shared folder (default $TANCHI_SHARED, else ../shared beside the module root)")
	lane := fs.String("lane", "", "lane: "+strings.Join(bench.LaneNames(), ", "))
	n := fs.Int("n", 250000, "number of events")
	seed := fs.Int64("seed", 1, "seed of the shuffle and the draws")
	out := fs.String("o", "-", "output file (- for standard output)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *lane == "" {
		return fmt.Errorf("-lane is required (%s)", strings.Join(bench.LaneNames(), ", "))
	}
	dir := *shared
	if dir == "" {
		var err error
		if dir, err = sharedDir(); err != nil {
			return err
		}
	}
	s, err := bench.GenerateLane(dir, *lane, *n, *seed)
	if err != nil {
		return err
	}
	w := stdout
	if *out != "-" {
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	attack := 0
	for i, ev := range s.Events {
		bw.Write(ev)
		bw.WriteByte('\n')
		if s.Attack[i] {
			attack++
		}
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if f, ok := w.(*os.File); ok && *out != "-" {
		if err := f.Close(); err != nil {
			return err
		}
	}
	st, err := bench.LanePools(dir, *lane)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "lane %s: %d events, %d benign, %d attack (seed %d)\n", *lane, len(s.Events), len(s.Events)-attack, attack, *seed)
	fmt.Fprintf(stderr, "pools: %d benign events kept for %d source events %v; %d attack events %v; read in %.1fs\n",
		st.Benign, st.BenignSource, st.BenignByCorpus, st.Attack, st.AttackByCorpus, st.Load.Seconds())
	ids := slices.SortedFunc(maps.Keys(st.EventIDs), func(a, b int) int {
		if st.EventIDs[a] != st.EventIDs[b] {
			if st.EventIDs[a] > st.EventIDs[b] {
				return -1
			}
			return 1
		}
		return a - b
	})
	var b strings.Builder
	for i, id := range ids {
		if i == 12 {
			fmt.Fprintf(&b, " ... (%d ids)", len(ids))
			break
		}
		fmt.Fprintf(&b, " %d:%.2f%%", id, 100*st.EventIDs[id])
	}
	fmt.Fprintf(stderr, "benign event ids:%s\n", b.String())
	return nil
}

// sharedDir finds the shared folder the way internal/sharedtest does:
// $TANCHI_SHARED, else "shared" beside the module root above the working
// directory.
func sharedDir() (string, error) {
	if d := os.Getenv("TANCHI_SHARED"); d != "" {
		return d, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			s := filepath.Join(filepath.Dir(d), "shared")
			if _, err := os.Stat(s); err != nil {
				return "", fmt.Errorf("no shared folder at %s: give -shared or set TANCHI_SHARED", s)
			}
			return s, nil
		}
		if filepath.Dir(d) == d {
			return "", errors.New("no go.mod above the working directory: give -shared or set TANCHI_SHARED")
		}
	}
}
