package learn

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// WriteMarkdown writes the tuning report as Markdown: the same sections as
// the HTML page, with the charts as text bars.
func WriteMarkdown(w io.Writer, res *Result) error {
	b := bufio.NewWriter(w)
	p := func(format string, a ...any) { fmt.Fprintf(b, format, a...) }
	first, last := period(res)
	t := res.Totals
	p("# Initial tuning report\n\n")
	p("Baseline %s – %s: %s with alerts, %s, %s run. Proposals by %s, %s.\n\n",
		first, last, plural(res.Input.Hosts, "host"), plural(res.Input.BaselineEvents, "event"), plural(res.Settings.Rules, "rule"), res.Settings.Author, res.Settings.Date)
	p("| | |\n|---|---:|\n")
	p("| Alerts per day before | %.1f (%d in %s) |\n", t.PerDay, t.Alerts, plural(t.Days, "day"))
	p("| Alerts per day after | %.1f (%d left) |\n", t.PerDayAfter, t.Remaining)
	p("| Reduction | %s |\n", percent(t.Alerts-t.Remaining, t.Alerts))
	p("| Exclusions proposed | %d |\n", len(res.Proposals))
	p("| Patterns not learned | %d |\n", len(res.NotLearned))
	if v := res.Validation; v != nil {
		p("| Held-out days suppressed | %s (%d of %d; %d remain) |\n", percent(v.Suppressed, v.Alerts), v.Suppressed, v.Alerts, v.Remaining)
	}
	if res.Protect.Detections > 0 {
		p("| Protected detections suppressed | %d of %d |\n", res.Protect.Suppressed, res.Protect.Detections)
	}

	p("\n## Alerts per day, before and after tuning\n\n```\n")
	most := 0
	for _, d := range res.Days {
		most = max(most, d.Alerts)
	}
	for _, d := range res.Days {
		mark := ""
		if d.Holdout {
			mark = "  (held out)"
		}
		p("%-10s before %s %d\n%-10s after  %s %d%s\n", dayLabel(d.Day), textBar(d.Alerts, most), d.Alerts, "", textBar(d.Remain, most), d.Remain, mark)
	}
	p("```\n\n## Alert density per rule (alerts a day)\n\n")
	p("| # | Rule | Level | Alerts | Per day before | Per day after | Reduction | Exclusions | Not learned |\n|---:|---|---|---:|---:|---:|---:|---:|---:|\n")
	for i, r := range res.Rules {
		if i == topRules {
			p("\n%s more with alerts; the JSON report lists all.\n", plural(len(res.Rules)-topRules, "rule"))
			break
		}
		p("| %d | %s | %s | %d | %.1f | %.1f | %s | %d | %d |\n", i+1, mdCell(r.Rule.Title), r.Rule.Level, r.Alerts, r.PerDay, r.PerDayLeft, percent(r.Alerts-r.Remain, r.Alerts), r.Proposals, r.NotLearned)
	}

	if left := noisiestAfter(res); len(left) > 0 {
		p("\n## Noisiest rules after tuning\n\n| Rule | Level | Alerts left | Per day | Patterns not learned |\n|---|---|---:|---:|---:|\n")
		for _, r := range left {
			p("| %s | %s | %d | %.1f | %d |\n", mdCell(r.Rule.Title), r.Rule.Level, r.Remain, r.PerDayLeft, r.NotLearned)
		}
	}
	if v := res.Validation; v != nil {
		p("\n## Validation on held-out days\n\n")
		p("Learned on the first %s, applied to %s (%s): %d alerts, %d suppressed (%s), %d remain; %s first seen on a held-out day.\n",
			plural(t.LearnDays, "day"), plural(len(v.Days), "held-out day"), strings.Join(v.Days, ", "), v.Alerts, v.Suppressed, percent(v.Suppressed, v.Alerts), v.Remaining, plural(v.NewPatterns, "pattern"))
	}
	if pr := res.Protect; pr.Events > 0 {
		p("\n## Protected events\n\n%s known to be true positives gave %s of %s: %d suppressed; %s narrowed and %s dropped to spare them.\n",
			plural(pr.Events, "event"), plural(pr.Detections, "detection"), plural(pr.Rules, "rule"), pr.Suppressed, plural(pr.Narrowed, "proposal"), plural(pr.Dropped, "pattern"))
	}

	p("\n## Exclusions created (%d)\n", len(res.Proposals))
	for i, x := range res.Proposals {
		ev := x.Evidence
		p("\n### %d. %s\n\n", i+1, mdCell(x.Title))
		var rules []string
		for _, r := range x.Rules {
			rules = append(rules, fmt.Sprintf("**%s** (%s)", mdCell(r.Title), r.Level))
		}
		p("For %s; id `%s`.  \n**%s** — first seen %s, last seen %s", strings.Join(rules, ", "), x.ID, x.Reason, ev.FirstSeen, ev.LastSeen)
		if ev.Patterns > 1 {
			p(", covers %d patterns", ev.Patterns)
		}
		if x.Holdout != nil {
			p("; held-out days: %s suppressed", plural(x.Holdout.Suppressed, "alert"))
		}
		p(".\n\n| Field | Value |\n|---|---|\n")
		for _, c := range x.Conditions {
			p("| %s | `%s` |\n", c.Field, mdCode(c.Pattern))
		}
		if x.Narrowed != "" {
			p("\n> %s\n", x.Narrowed)
		}
		p("\nSample: %s\n", ev.SampleFrom)
	}

	p("\n## Not learned, and why (%d)\n\n", len(res.NotLearned))
	if len(res.NotLearned) > 0 {
		p("| Reason | Patterns | Alerts |\n|---|---:|---:|\n")
		for _, s := range notLearnedSummary(res) {
			p("| %s | %d | %d |\n", codeText[s.code], s.patterns, s.events)
		}
		p("\n| Rule | Pattern | Alerts | Hosts | Days | Why not |\n|---|---|---:|---:|---:|---|\n")
		for i, n := range res.NotLearned {
			if i == maxNotLearnedRows {
				p("\n%s more; the JSON report lists all.\n", plural(len(res.NotLearned)-maxNotLearnedRows, "pattern"))
				break
			}
			var pat []string
			for _, c := range n.Pattern {
				pat = append(pat, c.Field+": `"+mdCode(shorten(c.Pattern, 100))+"`")
			}
			p("| %s | %s | %d | %d | %d | %s |\n", mdCell(n.Rule.Title), strings.Join(pat, "<br>"), n.Events, n.Hosts, n.Days, mdCell(n.Reason))
		}
	}
	s := res.Settings
	p("\n---\nLearning needs %d events on %d days or hosts of a pattern; %d held-out days; %d malformed records skipped. Made by tanchi learn.\n",
		s.MinEvents, s.MinSpread, s.HoldoutDays, res.Input.InputErrors)
	return b.Flush()
}

func textBar(n, of int) string {
	const width = 50
	if of == 0 {
		return ""
	}
	k := (n*width + of - 1) / of
	return strings.Repeat("█", k) + strings.Repeat(" ", width-k)
}

func mdCell(s string) string { return strings.ReplaceAll(strings.ReplaceAll(s, "|", `\|`), "\n", " ") }

// mdCode keeps a value readable inside backticks in a table cell.
func mdCode(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(strings.ReplaceAll(s, "|", `\|`), "`", "'"), "\n", " ")
}
