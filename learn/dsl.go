package learn

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/tanchi-dev/tanchi/dsl"
	"github.com/tanchi-dev/tanchi/rule"
)

// WriteDSL writes proposals as exclude blocks of tanchi's rule language,
// in the canonical layout of dsl.FromSet, each preceded by comments with
// its evidence. Like WriteSigma, the output depends only on the proposals.
func WriteDSL(w io.Writer, res *Result) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "# Exclusions proposed by %s: %s.\n", res.Settings.Author, summaryLine(res))
	fmt.Fprintln(bw, "# Review each one before use: learning takes every alert of the baseline as benign.")
	for _, p := range res.Proposals {
		x := p.Exclusion()
		x.Description = "" // the reason says it
		src, err := dsl.FromSet(&rule.Set{Exclusions: []*rule.Exclusion{x}})
		if err != nil {
			return fmt.Errorf("learn: proposal %s: %w", p.ID, err)
		}
		bw.WriteString("\n")
		for _, c := range evidenceComments(p) {
			bw.WriteString("# " + c + "\n")
		}
		bw.WriteString(strings.TrimLeft(string(src), "\n"))
	}
	return bw.Flush()
}

// evidenceComments are the comment lines written above a proposal.
func evidenceComments(p *Proposal) []string {
	ev := p.Evidence
	out := []string{fmt.Sprintf("first seen %s, last seen %s; sample %s", ev.FirstSeen, ev.LastSeen, oneLine(ev.SampleFrom))}
	if ev.Patterns > 1 {
		out = append(out, fmt.Sprintf("covers %d learned patterns", ev.Patterns))
	}
	if len(p.PerRule) > 1 {
		var parts []string
		for _, pr := range p.PerRule {
			parts = append(parts, fmt.Sprintf("%s %d", pr.Rule, pr.Events))
		}
		out = append(out, "alerts per rule: "+strings.Join(parts, ", "))
	}
	if p.Narrowed != "" {
		out = append(out, oneLine(p.Narrowed))
	}
	if p.Holdout != nil {
		out = append(out, "held-out days: suppresses "+plural(p.Holdout.Suppressed, "alert"))
	}
	return out
}
