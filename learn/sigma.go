package learn

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// WriteSigma writes proposals as Sigma filter documents (YAML, one
// document per proposal), which rule/sigma reads back as exclusions. Each
// document is preceded by comments with its evidence. The output depends
// only on the proposals, so the same proposals always give the same bytes.
//
// Sigma filters have no expiry date; a proposal's Expires is written as
// the attribute "expires" for tools that read it.
func WriteSigma(w io.Writer, res *Result) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "# Exclusions proposed by %s: %s.\n", res.Settings.Author, summaryLine(res))
	fmt.Fprintln(bw, "# Review each one before use: learning takes every alert of the baseline as benign.")
	for _, p := range res.Proposals {
		bw.WriteString("---\n")
		writeSigmaDoc(bw, p)
	}
	return bw.Flush()
}

// summaryLine says what a result was learned from.
func summaryLine(res *Result) string {
	s := fmt.Sprintf("%s from %s on %d learning days",
		plural(len(res.Proposals), "proposal"), plural(res.Input.BaselineEvents, "baseline event"), res.Totals.LearnDays)
	if v := res.Validation; v != nil {
		s += fmt.Sprintf("; on %s held out they suppress %d of %d alerts (%.1f%%)",
			plural(len(v.Days), "day"), v.Suppressed, v.Alerts, 100*v.Rate)
	}
	return s
}

func writeSigmaDoc(w *bufio.Writer, p *Proposal) {
	fmt.Fprintf(w, "# %s\n", p.Reason)
	for _, c := range evidenceComments(p) {
		fmt.Fprintf(w, "# %s\n", c)
	}
	fmt.Fprintf(w, "title: %s\n", yamlScalar(p.Title))
	fmt.Fprintf(w, "id: %s\n", p.ID)
	fmt.Fprintf(w, "description: %s\n", yamlScalar(p.Reason))
	fmt.Fprintf(w, "author: %s\n", yamlScalar(p.Author))
	fmt.Fprintf(w, "date: %s\n", p.Date)
	if p.Expires != "" {
		fmt.Fprintf(w, "expires: %s\n", p.Expires)
	}
	if !p.Logsource.IsZero() {
		w.WriteString("logsource:\n")
		for _, kv := range [][2]string{{"product", p.Logsource.Product}, {"category", p.Logsource.Category}, {"service", p.Logsource.Service}} {
			if kv[1] != "" {
				fmt.Fprintf(w, "    %s: %s\n", kv[0], yamlScalar(kv[1]))
			}
		}
	}
	w.WriteString("filter:\n")
	w.WriteString("    rules:\n")
	for _, r := range p.Rules {
		fmt.Fprintf(w, "        - %s # %s\n", yamlScalar(r.ID), oneLine(r.Title))
	}
	w.WriteString("    selection:\n")
	for _, c := range p.Conditions {
		fmt.Fprintf(w, "        %s: %s\n", yamlKey(c.Field), yamlScalar(c.Value))
	}
	w.WriteString("    condition: not selection\n")
}

// yamlScalar quotes s for YAML: single quotes when it has no control
// characters, double quotes with escapes otherwise.
func yamlScalar(s string) string {
	plain := true
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == '\u2028' || r == '\u2029' || r == '\ufeff' {
			plain = false
			break
		}
	}
	if plain {
		return "'" + strings.ReplaceAll(s, "'", "''") + "'"
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if r < 0x20 || r == 0x7f || r == '\u2028' || r == '\u2029' || r == '\ufeff' {
				fmt.Fprintf(&b, `\u%04x`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

// oneLine makes text safe for a YAML comment.
func oneLine(s string) string { return strings.NewReplacer("\n", " ", "\r", " ").Replace(s) }

// yamlKey writes a field name as a YAML key, quoted when it must be.
func yamlKey(k string) string {
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(isAlnum(c) || c == '_' || c == '.' || c == '-') {
			return yamlScalar(k)
		}
	}
	return k
}
