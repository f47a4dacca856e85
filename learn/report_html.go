package learn

import (
	"bufio"
	"cmp"
	"fmt"
	"html"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
)

// The report's colours: before tuning, after tuning, held-out days.
const (
	colorBefore  = "#e07b39"
	colorAfter   = "#2f6fbf"
	colorHoldout = "#eef2fa"
)

// topRules is how many rules the per-rule chart and table show.
const topRules = 15

// maxNotLearnedRows bounds the not-learned table of the HTML and Markdown
// reports (the JSON report has them all).
const maxNotLearnedRows = 100

// WriteHTML writes the tuning report as one self-contained HTML page: no
// scripts, no network, the charts as inline SVG.
func WriteHTML(w io.Writer, res *Result) error {
	b := bufio.NewWriter(w)
	h := func(s string) string { return html.EscapeString(s) }
	p := func(format string, a ...any) { fmt.Fprintf(b, format, a...) }

	first, last := period(res)
	p("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
	p("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
	p("<title>Initial tuning report %s – %s</title>\n", h(first), h(last))
	p("<style>\n%s</style>\n</head>\n<body>\n", reportCSS)
	p("<header><h1>Initial tuning report</h1>\n")
	p("<p class=\"sub\">Baseline %s – %s · %s with alerts · %s · %s run · proposals by %s, %s</p></header>\n",
		h(first), h(last), plural(res.Input.Hosts, "host"), plural(res.Input.BaselineEvents, "event"),
		plural(res.Settings.Rules, "rule"), h(res.Settings.Author), h(res.Settings.Date))

	// Key figures.
	t := res.Totals
	p("<section class=\"cards\">\n")
	card := func(label, value, note string) {
		p("<div class=\"card\"><div class=\"label\">%s</div><div class=\"value\">%s</div><div class=\"note\">%s</div></div>\n", h(label), h(value), h(note))
	}
	card("Alerts per day before", fmt.Sprintf("%.1f", t.PerDay), plural(t.Alerts, "alert")+" in "+plural(t.Days, "day"))
	card("Alerts per day after", fmt.Sprintf("%.1f", t.PerDayAfter), plural(t.Remaining, "alert")+" left")
	card("Reduction", percent(t.Alerts-t.Remaining, t.Alerts), "of all alerts")
	card("Exclusions proposed", fmt.Sprint(len(res.Proposals)), plural(len(res.NotLearned), "pattern")+" not learned")
	if v := res.Validation; v != nil {
		card("Held-out days", percent(v.Suppressed, v.Alerts), fmt.Sprintf("of %d alerts suppressed, %d remain", v.Alerts, v.Remaining))
	}
	if res.Protect.Detections > 0 {
		card("Protected detections suppressed", fmt.Sprint(res.Protect.Suppressed), fmt.Sprintf("of %d; %d proposals narrowed, %d patterns dropped", res.Protect.Detections, res.Protect.Narrowed, res.Protect.Dropped))
	}
	p("</section>\n")

	p("<section><h2>Alerts per day, before and after tuning</h2>\n")
	p("%s", dayChart(res))
	p("<p class=\"legend\"><span class=\"sw\" style=\"background:%s\"></span>before <span class=\"sw\" style=\"background:%s\"></span>after", colorBefore, colorAfter)
	if res.Validation != nil {
		p(" <span class=\"sw\" style=\"background:%s;border:1px solid #ccd\"></span>held out (not learned from)", colorHoldout)
	}
	p("</p></section>\n")

	p("<section><h2>Alerts per day after tuning (own scale)</h2>\n")
	p("%s", dayChartAfter(res))
	p("<p class=\"legend\">What is left for analysts each day. On held-out days it shows how the proposals do on days they were not learned from.</p></section>\n")

	p("<section><h2>Alert density per rule (alerts a day), before and after</h2>\n")
	p("%s", ruleChart(res))
	p("</section>\n")

	p("<section><h2>Top noisy rules</h2>\n<table>\n<thead><tr><th>#</th><th>Rule</th><th>Level</th><th class=\"n\">Alerts</th><th class=\"n\">Per day before</th><th class=\"n\">Per day after</th><th class=\"n\">Reduction</th><th class=\"n\">Exclusions</th><th class=\"n\">Not learned</th></tr></thead>\n<tbody>\n")
	for i, r := range res.Rules {
		if i == topRules {
			break
		}
		p("<tr><td>%d</td><td>%s<div class=\"id\">%s</div></td><td><span class=\"lvl %s\">%s</span></td><td class=\"n\">%d</td><td class=\"n\">%.1f</td><td class=\"n\">%.1f</td><td class=\"n\">%s</td><td class=\"n\">%d</td><td class=\"n\">%d</td></tr>\n",
			i+1, h(r.Rule.Title), h(r.Rule.ID), h(string(r.Rule.Level)), h(string(r.Rule.Level)), r.Alerts, r.PerDay, r.PerDayLeft, percent(r.Alerts-r.Remain, r.Alerts), r.Proposals, r.NotLearned)
	}
	p("</tbody></table>\n")
	if len(res.Rules) > topRules {
		p("<p class=\"note\">%s more with alerts; the JSON report lists all.</p>\n", plural(len(res.Rules)-topRules, "rule"))
	}
	p("</section>\n")

	if left := noisiestAfter(res); len(left) > 0 {
		p("<section><h2>Noisiest rules after tuning</h2>\n<table>\n<thead><tr><th>Rule</th><th>Level</th><th class=\"n\">Alerts left</th><th class=\"n\">Per day</th><th class=\"n\">Patterns not learned</th></tr></thead>\n<tbody>\n")
		for _, r := range left {
			p("<tr><td>%s<div class=\"id\">%s</div></td><td><span class=\"lvl %s\">%s</span></td><td class=\"n\">%d</td><td class=\"n\">%.1f</td><td class=\"n\">%d</td></tr>\n",
				h(r.Rule.Title), h(r.Rule.ID), h(string(r.Rule.Level)), h(string(r.Rule.Level)), r.Remain, r.PerDayLeft, r.NotLearned)
		}
		p("</tbody></table></section>\n")
	}

	if v := res.Validation; v != nil {
		p("<section><h2>Validation on held-out days</h2>\n")
		p("<p>Learned on the first %s, then applied to %s not shown to learning (%s):</p>\n",
			plural(t.LearnDays, "day"), plural(len(v.Days), "day"), h(strings.Join(v.Days, ", ")))
		p("<table class=\"narrow\"><tbody>\n<tr><th>Alerts on held-out days</th><td class=\"n\">%d</td></tr>\n<tr><th>Suppressed by the proposals</th><td class=\"n\">%d (%s)</td></tr>\n<tr><th>Remaining for analysts</th><td class=\"n\">%d</td></tr>\n<tr><th>Patterns first seen on a held-out day</th><td class=\"n\">%d</td></tr>\n</tbody></table>\n",
			v.Alerts, v.Suppressed, percent(v.Suppressed, v.Alerts), v.Remaining, v.NewPatterns)
		p("%s</section>\n", meter(v.Suppressed, v.Alerts))
	}

	if res.Protect.Events > 0 {
		pr := res.Protect
		p("<section><h2>Protected events</h2>\n")
		p("<p>%s known to be true positives gave %s of %s. No proposal may suppress any of them: %d suppressed; %s narrowed and %s dropped to spare them.</p>\n",
			plural(pr.Events, "event"), plural(pr.Detections, "detection"), plural(pr.Rules, "rule"), pr.Suppressed,
			plural(pr.Narrowed, "proposal"), plural(pr.Dropped, "pattern"))
		p("</section>\n")
	}

	p("<section><h2>Exclusions created (%d)</h2>\n", len(res.Proposals))
	if len(res.Proposals) == 0 {
		p("<p>None.</p>\n")
	}
	for i, x := range res.Proposals {
		p("<article class=\"excl\"><h3>%d. %s</h3>\n", i+1, h(x.Title))
		p("<div class=\"meta\">%s ", map[bool]string{true: "rules", false: "rule"}[len(x.Rules) > 1])
		for j, r := range x.Rules {
			if j > 0 {
				p(" · ")
			}
			p("<b>%s</b> <span class=\"lvl %s\">%s</span>", h(r.Title), h(string(r.Level)), h(string(r.Level)))
		}
		p(" · id <code>%s</code></div>\n", h(x.ID))
		p("<p class=\"reason\">%s</p>\n", h(x.Reason))
		p("<table class=\"conds\"><tbody>\n")
		for _, c := range x.Conditions {
			p("<tr><th>%s</th><td><code>%s</code></td></tr>\n", h(c.Field), h(c.Pattern))
		}
		p("</tbody></table>\n")
		ev := x.Evidence
		p("<div class=\"ev\">first seen %s · last seen %s", h(ev.FirstSeen), h(ev.LastSeen))
		if ev.Patterns > 1 {
			p(" · covers %d patterns", ev.Patterns)
		}
		if x.Holdout != nil {
			p(" · held-out days: %s suppressed", plural(x.Holdout.Suppressed, "alert"))
		}
		p("</div>\n")
		if x.Narrowed != "" {
			p("<p class=\"warn\">%s</p>\n", h(x.Narrowed))
		}
		p("<details><summary>sample event (%s)</summary><pre>%s</pre></details></article>\n", h(ev.SampleFrom), h(string(ev.Sample)))
	}
	p("</section>\n")

	p("<section><h2>Not learned, and why (%d)</h2>\n", len(res.NotLearned))
	if len(res.NotLearned) > 0 {
		p("<table class=\"narrow\"><thead><tr><th>Reason</th><th class=\"n\">Patterns</th><th class=\"n\">Alerts</th></tr></thead><tbody>\n")
		for _, s := range notLearnedSummary(res) {
			p("<tr><td>%s</td><td class=\"n\">%d</td><td class=\"n\">%d</td></tr>\n", h(codeText[s.code]), s.patterns, s.events)
		}
		p("</tbody></table>\n")
		p("<table>\n<thead><tr><th>Rule</th><th>Pattern</th><th class=\"n\">Alerts</th><th class=\"n\">Hosts</th><th class=\"n\">Days</th><th>Why not</th></tr></thead>\n<tbody>\n")
		for i, n := range res.NotLearned {
			if i == maxNotLearnedRows {
				break
			}
			var pat []string
			for _, c := range n.Pattern {
				pat = append(pat, h(c.Field)+": <code>"+h(shorten(c.Pattern, 120))+"</code>")
			}
			p("<tr><td>%s</td><td class=\"pat\">%s</td><td class=\"n\">%d</td><td class=\"n\">%d</td><td class=\"n\">%d</td><td>%s</td></tr>\n",
				h(n.Rule.Title), strings.Join(pat, "<br>"), n.Events, n.Hosts, n.Days, h(n.Reason))
		}
		p("</tbody></table>\n")
		if len(res.NotLearned) > maxNotLearnedRows {
			p("<p class=\"note\">%s more; the JSON report lists all.</p>\n", plural(len(res.NotLearned)-maxNotLearnedRows, "pattern"))
		}
	}
	p("</section>\n")

	s := res.Settings
	p("<footer>Learning needs %d events on %d days or hosts of a pattern; %d held-out days; %s read (%d malformed records skipped). Made by tanchi learn.</footer>\n",
		s.MinEvents, s.MinSpread, s.HoldoutDays, plural(res.Input.BaselineFiles, "baseline file"), res.Input.InputErrors)
	p("</body>\n</html>\n")
	return b.Flush()
}

const reportCSS = `body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#1d2330;margin:0 auto;max-width:1180px;padding:24px 32px;background:#fff}
h1{font-size:26px;margin:0 0 4px}h2{font-size:19px;margin:28px 0 10px;border-bottom:1px solid #e3e6ec;padding-bottom:4px}h3{font-size:15px;margin:0 0 4px}
.sub{color:#5b6475;margin:0}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin-top:20px}.card{flex:1 1 150px;border:1px solid #e3e6ec;border-radius:8px;padding:10px 14px;background:#fafbfd}
.card .label{color:#5b6475;font-size:12px;text-transform:uppercase;letter-spacing:.03em}.card .value{font-size:26px;font-weight:600}.card .note{color:#5b6475;font-size:12px}
table{border-collapse:collapse;width:100%;margin:6px 0}th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #eceef2;vertical-align:top}thead th{background:#f4f6f9;font-weight:600}
table.narrow{width:auto;min-width:420px}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.id{color:#8a93a3;font-size:11px}code{font:12px/1.35 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;word-break:break-all}
.lvl{display:inline-block;padding:0 6px;border-radius:9px;font-size:12px;background:#e8ebf0}.lvl.critical{background:#7d1f1f;color:#fff}.lvl.high{background:#d9534f;color:#fff}.lvl.medium{background:#f0ad4e}.lvl.low{background:#d6e4f5}
.excl{border:1px solid #e3e6ec;border-radius:8px;padding:10px 14px;margin:10px 0}.excl .meta{color:#5b6475;font-size:12px}.reason{font-weight:600;margin:6px 0}
.conds th{width:170px;background:none;font-weight:500;color:#3b4456}.ev{color:#5b6475;font-size:12px}.warn{background:#fff6e0;border-left:3px solid #f0ad4e;padding:4px 8px;margin:6px 0}
pre{white-space:pre-wrap;word-break:break-all;font:11px/1.35 ui-monospace,Menlo,Consolas,monospace;background:#f6f7f9;padding:8px;max-height:240px;overflow:auto}
.legend{color:#5b6475;font-size:12px}.sw{display:inline-block;width:12px;height:12px;vertical-align:-2px;margin:0 4px 0 12px;border-radius:2px}
.pat{max-width:520px}.note{color:#5b6475;font-size:12px}footer{margin-top:32px;color:#8a93a3;font-size:12px;border-top:1px solid #e3e6ec;padding-top:8px}
svg text{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif}
`

// period returns the first and last dated day of the baseline.
func period(res *Result) (string, string) {
	var days []string
	for _, d := range res.Days {
		if d.Day != "" {
			days = append(days, d.Day)
		}
	}
	if len(days) == 0 {
		return "-", "-"
	}
	return days[0], days[len(days)-1]
}

func percent(n, of int) string {
	if of == 0 {
		return "–"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(n)/float64(of))
}

func shorten(s string, n int) string {
	if len([]rune(s)) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// niceMax rounds a chart's top value up to 1, 2 or 5 times a power of ten.
func niceMax(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}

func fmtTick(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// dayChart draws alerts per day, before and after, as grouped bars.
func dayChart(res *Result) string {
	days := res.Days
	if len(days) == 0 {
		return "<p>No days.</p>"
	}
	const W, H, left, right, top, bottom = 1100.0, 300.0, 56.0, 12.0, 16.0, 46.0
	plotW, plotH := W-left-right, H-top-bottom
	top0 := 0
	for _, d := range days {
		top0 = max(top0, d.Alerts)
	}
	ymax := max(niceMax(float64(top0)), 4) // alerts are whole: no ticks at 0.25
	var b strings.Builder
	fmt.Fprintf(&b, `<svg role="img" aria-label="Alerts per day before and after tuning" viewBox="0 0 %.0f %.0f" width="100%%" xmlns="http://www.w3.org/2000/svg">`, W, H)
	slot := plotW / float64(len(days))
	for i, d := range days {
		if d.Holdout {
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"/>`, left+float64(i)*slot, top, slot, plotH, colorHoldout)
		}
	}
	for i := 0; i <= 4; i++ {
		v := ymax * float64(i) / 4
		y := top + plotH - plotH*float64(i)/4
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="#dde1e8" stroke-width="1"/>`, left, W-right, y, y)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="11" text-anchor="end" fill="#5b6475">%s</text>`, left-6, y+4, fmtTick(v))
	}
	bw := math.Min(slot*0.36, 48)
	for i, d := range days {
		cx := left + (float64(i)+0.5)*slot
		for j, v := range []int{d.Alerts, d.Remain} {
			hgt := plotH * float64(v) / ymax
			x := cx - bw - 2 + float64(j)*(bw+4)
			color := colorBefore
			if j == 1 {
				color = colorAfter
			}
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s: %d alerts %s</title></rect>`,
				x, top+plotH-hgt, bw, math.Max(hgt, 0.5), color, html.EscapeString(dayLabel(d.Day)), v, []string{"before", "after"}[j])
			if len(days) <= 31 {
				fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="10" text-anchor="middle" fill="#3b4456">%d</text>`, x+bw/2, top+plotH-hgt-3, v)
			}
		}
		label := dayLabel(d.Day)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="11" text-anchor="middle" fill="#3b4456">%s</text>`, cx, H-bottom+16, html.EscapeString(label))
		if d.Holdout {
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="10" text-anchor="middle" fill="#2f6fbf">held out</text>`, cx, H-bottom+30)
		}
	}
	fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="#8a93a3"/>`, left, W-right, top+plotH, top+plotH)
	b.WriteString(`</svg>`)
	return b.String()
}

// dayChartAfter draws the alerts left each day on a scale of their own.
func dayChartAfter(res *Result) string {
	days := res.Days
	if len(days) == 0 {
		return "<p>No days.</p>"
	}
	const W, H, left, right, top, bottom = 1100.0, 200.0, 56.0, 12.0, 16.0, 46.0
	plotW, plotH := W-left-right, H-top-bottom
	most := 0
	for _, d := range days {
		most = max(most, d.Remain)
	}
	ymax := max(niceMax(float64(most)), 4)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg role="img" aria-label="Alerts per day after tuning" viewBox="0 0 %.0f %.0f" width="100%%" xmlns="http://www.w3.org/2000/svg">`, W, H)
	slot := plotW / float64(len(days))
	for i, d := range days {
		if d.Holdout {
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"/>`, left+float64(i)*slot, top, slot, plotH, colorHoldout)
		}
	}
	for i := 0; i <= 4; i++ {
		y := top + plotH - plotH*float64(i)/4
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="#dde1e8"/>`, left, W-right, y, y)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="11" text-anchor="end" fill="#5b6475">%s</text>`, left-6, y+4, fmtTick(ymax*float64(i)/4))
	}
	bw := math.Min(slot*0.5, 64)
	for i, d := range days {
		cx := left + (float64(i)+0.5)*slot
		hgt := plotH * float64(d.Remain) / ymax
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s: %d alerts after</title></rect>`,
			cx-bw/2, top+plotH-hgt, bw, math.Max(hgt, 0.5), colorAfter, html.EscapeString(dayLabel(d.Day)), d.Remain)
		if len(days) <= 31 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="10" text-anchor="middle" fill="#3b4456">%d</text>`, cx, top+plotH-hgt-3, d.Remain)
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="11" text-anchor="middle" fill="#3b4456">%s</text>`, cx, H-bottom+16, html.EscapeString(dayLabel(d.Day)))
		if d.Holdout {
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="10" text-anchor="middle" fill="#2f6fbf">held out</text>`, cx, H-bottom+30)
		}
	}
	fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="#8a93a3"/>`, left, W-right, top+plotH, top+plotH)
	b.WriteString(`</svg>`)
	return b.String()
}

func dayLabel(d string) string {
	if d == "" {
		return "no time"
	}
	return d
}

// ruleChart draws the alerts a day of the noisiest rules, before and after,
// as horizontal bars.
func ruleChart(res *Result) string {
	rules := res.Rules
	if len(rules) > topRules {
		rules = rules[:topRules]
	}
	if len(rules) == 0 {
		return "<p>No alerts.</p>"
	}
	const W, left, right, row, top = 1100.0, 430.0, 70.0, 26.0, 24.0
	H := top + row*float64(len(rules)) + 24
	most := 0.0
	for _, r := range rules {
		most = math.Max(most, r.PerDay)
	}
	xmax := niceMax(most)
	plotW := W - left - right
	var b strings.Builder
	fmt.Fprintf(&b, `<svg role="img" aria-label="Alerts a day per rule before and after tuning" viewBox="0 0 %.0f %.0f" width="100%%" xmlns="http://www.w3.org/2000/svg">`, W, H)
	for i := 0; i <= 4; i++ {
		x := left + plotW*float64(i)/4
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="#dde1e8"/>`, x, x, top-6, H-20)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="11" text-anchor="middle" fill="#5b6475">%s</text>`, x, top-10, fmtTick(xmax*float64(i)/4))
	}
	for i, r := range rules {
		y := top + float64(i)*row
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="12" text-anchor="end" fill="#1d2330">%s</text>`, left-8, y+15, html.EscapeString(shorten(r.Rule.Title, 62)))
		wb := plotW * r.PerDay / xmax
		wa := plotW * r.PerDayLeft / xmax
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="9" fill="%s"><title>before: %.1f a day</title></rect>`, left, y+3, math.Max(wb, 0.5), colorBefore, r.PerDay)
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="9" fill="%s"><title>after: %.1f a day</title></rect>`, left, y+13, math.Max(wa, 0.5), colorAfter, r.PerDayLeft)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="11" fill="#3b4456">%.1f → %.1f</text>`, left+math.Max(wb, wa)+6, y+15, r.PerDay, r.PerDayLeft)
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// meter draws one bar: the share of n in of.
func meter(n, of int) string {
	if of == 0 {
		return ""
	}
	w := 600 * float64(n) / float64(of)
	return fmt.Sprintf(`<svg role="img" aria-label="share suppressed" viewBox="0 0 620 26" width="620" xmlns="http://www.w3.org/2000/svg"><rect x="0" y="4" width="600" height="16" fill="%s"/><rect x="0" y="4" width="%.1f" height="16" fill="%s"/><text x="6" y="16" font-size="11" fill="#fff">%s suppressed</text></svg>`,
		colorBefore, w, colorAfter, percent(n, of))
}

// noisiestAfter returns the rules with the most alerts left, at most ten.
func noisiestAfter(res *Result) []RuleStats {
	var out []RuleStats
	for _, r := range res.Rules {
		if r.Remain > 0 {
			out = append(out, r)
		}
	}
	slices.SortStableFunc(out, func(a, b RuleStats) int { return cmp.Compare(b.Remain, a.Remain) })
	if len(out) > 10 {
		out = out[:10]
	}
	return out
}

var codeText = map[string]string{
	CodeOneOff:    "seen once (one-off)",
	CodeRare:      "seen too few times",
	CodeNarrow:    "on one host and one day",
	CodeVariable:  "too variable for 2 stable fields",
	CodeProtected: "would suppress a protected event",
	CodeOverlap:   "would also suppress alerts left for a person",
	CodeTooMany:   "too many distinct patterns for the rule",
	CodeNoID:      "rule has no id",
}

type codeSummary struct {
	code             string
	patterns, events int
}

func notLearnedSummary(res *Result) []codeSummary {
	m := map[string]*codeSummary{}
	for _, n := range res.NotLearned {
		s := m[n.Code]
		if s == nil {
			s = &codeSummary{code: n.Code}
			m[n.Code] = s
		}
		s.patterns++
		s.events += n.Events
	}
	var out []codeSummary
	for _, s := range m {
		out = append(out, *s)
	}
	slices.SortFunc(out, func(a, b codeSummary) int {
		return cmp.Or(cmp.Compare(b.events, a.events), strings.Compare(a.code, b.code))
	})
	return out
}
