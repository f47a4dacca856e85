package bench

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/cpu"
)

// TestMain prints, ahead of benchmark output, the vector extensions the
// CPU offers and its clock, as benchfmt configuration lines. The
// project's machines move between hosts, and their speed moves with
// them (see README.md, Results): figures compare only with figures from
// the same kind of host, and these lines tell which one ran them.
func TestMain(m *testing.M) {
	flag.Parse()
	if f := flag.Lookup("test.bench"); f != nil && f.Value.String() != "" {
		fmt.Print(hostLines())
	}
	os.Exit(m.Run())
}

// hostLines returns the cpu-features line (amd64: the extensions the
// kernels here use or could) and, where /proc/cpuinfo tells it, cpu-mhz.
func hostLines() string {
	var b strings.Builder
	if cpu.X86.HasAVX2 || cpu.X86.HasSSE42 {
		var fs []string
		for _, f := range []struct {
			name string
			has  bool
		}{
			{"sse4.2", cpu.X86.HasSSE42}, {"avx2", cpu.X86.HasAVX2}, {"bmi2", cpu.X86.HasBMI2},
			{"avx512f", cpu.X86.HasAVX512F}, {"avx512bw", cpu.X86.HasAVX512BW}, {"avx512vbmi", cpu.X86.HasAVX512VBMI},
		} {
			if f.has {
				fs = append(fs, f.name)
			}
		}
		fmt.Fprintf(&b, "cpu-features: %s\n", strings.Join(fs, " "))
	}
	if mhz := cpuMHz(); mhz != "" {
		fmt.Fprintf(&b, "cpu-mhz: %s\n", mhz)
	}
	return b.String()
}

// cpuMHz returns the first "cpu MHz" of /proc/cpuinfo, or "".
func cpuMHz() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "cpu MHz" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// TestHostLines: each line hostLines prints is a benchfmt configuration
// line ("key: value", the key lower case without spaces), so benchstat and
// its kin read it as configuration rather than as noise; on amd64 the
// features line is there.
func TestHostLines(t *testing.T) {
	out := hostLines()
	if cpu.X86.HasSSE42 && !strings.HasPrefix(out, "cpu-features: ") {
		t.Errorf("no cpu-features line in %q", out)
	}
	for line := range strings.Lines(out) {
		k, v, ok := strings.Cut(strings.TrimSuffix(line, "\n"), ": ")
		if !ok || k == "" || k != strings.ToLower(k) || strings.ContainsAny(k, " \t") || v == "" {
			t.Errorf("%q is not a configuration line", line)
		}
	}
}
