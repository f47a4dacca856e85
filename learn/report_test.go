package learn_test

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tanchi-dev/tanchi/learn"
)

// TestReportHTML checks the page is self-contained and holds every section.
func TestReportHTML(t *testing.T) {
	t.Parallel()
	res := learnFleet(t, exampleRules(t).Rules, []string{builtinFleet(t)}, nil, learn.WithHoldoutDays(1))
	var b bytes.Buffer
	if err := learn.WriteHTML(&b, res); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, want := range []string{
		"Alerts per day, before and after tuning", "Alert density per rule", "Top noisy rules",
		"Validation on held-out days", "Exclusions created", "Not learned, and why", "<svg", res.Proposals[0].Reason,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	for _, banned := range []string{"<script", "<link", "src=\"http", "href=\"http", "@import", "url("} {
		if strings.Contains(page, banned) {
			t.Errorf("the page is not self-contained: it has %q", banned)
		}
	}
	var md bytes.Buffer
	if err := learn.WriteMarkdown(&md, res); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"# Initial tuning report", "## Alerts per day", "## Exclusions created", res.Proposals[0].Reason} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("the Markdown report lacks %q", want)
		}
	}
}

// TestReportScreenshot renders the page in headless Chromium and looks at
// the picture: the bars of both series and the held-out shading must be
// there. It skips when no Chromium is installed.
func TestReportScreenshot(t *testing.T) {
	t.Parallel()
	browser := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			browser = p
			break
		}
	}
	if browser == "" {
		t.Skip("no Chromium on this machine; install it (apt-get install chromium) to run the screenshot test")
	}
	res := learnFleet(t, exampleRules(t).Rules, []string{builtinFleet(t)}, nil, learn.WithHoldoutDays(1))
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	f, err := os.Create(page)
	if err != nil {
		t.Fatal(err)
	}
	if err := learn.WriteHTML(f, res); err != nil {
		t.Fatal(err)
	}
	f.Close()
	// A loaded machine can make Chromium shoot before the page is laid
	// out; one more try tells that apart from charts that do not render.
	var counts map[string]int
	for try := 0; try < 2; try++ {
		counts = screenshotColours(t, browser, dir, page)
		if counts["before"] >= 5000 && counts["after"] >= 1000 && counts["held out"] >= 5000 {
			break
		}
	}
	for name, min := range map[string]int{"before": 5000, "after": 1000, "held out": 5000} {
		if counts[name] < min {
			t.Errorf("%d pixels of the %s colour in the screenshot, want at least %d: the charts did not render", counts[name], name, min)
		}
	}
	t.Logf("chart pixels: %v", counts)
}

// screenshotColours renders page in headless Chromium and counts the
// pixels of the report's chart colours (see report_html.go).
func screenshotColours(t *testing.T, browser, dir, page string) map[string]int {
	t.Helper()
	shot := filepath.Join(dir, "report.png")
	os.Remove(shot)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
		"--virtual-time-budget=5000", "--user-data-dir="+filepath.Join(dir, "profile"), "--screenshot="+shot,
		"--window-size=1280,2600", "file://"+page)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", browser, err, out)
	}
	if keep := os.Getenv("TANCHI_REPORT_SCREENSHOT"); keep != "" {
		b, _ := os.ReadFile(shot)
		os.WriteFile(keep, b, 0o644)
	}
	r, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	img, err := png.Decode(r)
	if err != nil {
		t.Fatal(err)
	}
	colours := map[string][3]int{"before": {0xe0, 0x7b, 0x39}, "after": {0x2f, 0x6f, 0xbf}, "held out": {0xee, 0xf2, 0xfa}}
	counts := map[string]int{}
	bnd := img.Bounds()
	for y := bnd.Min.Y; y < bnd.Max.Y; y++ {
		for x := bnd.Min.X; x < bnd.Max.X; x++ {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			for name, c := range colours {
				if near(int(cr>>8), c[0]) && near(int(cg>>8), c[1]) && near(int(cb>>8), c[2]) {
					counts[name]++
				}
			}
		}
	}
	return counts
}

func near(a, b int) bool { return a-b <= 4 && b-a <= 4 }
