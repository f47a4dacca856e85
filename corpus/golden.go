package corpus

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tanchi-dev/tanchi/engine"
	"github.com/tanchi-dev/tanchi/rule"
)

// goldenLine is one line of want.jsonl: a detection, in event order and,
// for one event, in rule order. Suppressed matches are listed too, marked
// with the exclusion that suppressed them, so that a golden file shows what
// exclusions did.
type goldenLine struct {
	Event        string            `json:"event"` // file:line relative to the case directory
	Rule         string            `json:"rule"`
	Title        string            `json:"title"`
	SuppressedBy string            `json:"suppressed_by,omitempty"`
	Matched      []engine.FieldHit `json:"matched,omitempty"`
}

// golden compares the detections with want.jsonl, or rewrites it when the
// suite updates golden files.
func (s *Suite) golden(c *Case, got []goldenLine, r *Result) {
	pos := rule.Pos{File: c.Golden}
	if s.Update {
		text := []byte(strings.Join(goldenText(got), ""))
		old, err := os.ReadFile(c.Golden)
		if err == nil && bytes.Equal(old, text) {
			return
		}
		if err := os.WriteFile(c.Golden, text, 0o644); err != nil {
			r.failInput(pos, "%v", err)
			return
		}
		r.Note = fmt.Sprintf("%s rewritten (%s)", goldenFile, plural(len(got), "detection"))
		return
	}
	want, err := readGolden(c.Golden)
	if errors.Is(err, os.ErrNotExist) {
		r.failInput(pos, "%s does not exist; run go test -update (or tanchi test --update) to write it from the %s found, and review it", goldenFile, plural(len(got), "detection"))
		return
	}
	if err != nil {
		r.failInput(pos, "%v", err)
		return
	}
	if cmp.Equal(want, got, cmpopts.EquateEmpty()) {
		r.Note = fmt.Sprintf("%s as in %s", plural(len(got), "detection"), goldenFile)
		return
	}
	// Diff the lines as they are written: a detection is easier to
	// recognise in its JSON form than as a Go struct, and go-cmp's own
	// rendering cuts long values short, so a reporter collects what
	// differs and the lines are shown whole.
	wl, gl := goldenText(want), goldenText(got)
	var rep lineDiff
	cmp.Equal(wl, gl, cmp.Reporter(&rep))
	r.fail(Failure{
		Pos:    pos,
		Msg:    fmt.Sprintf("detections differ from %s (%d want, %d got); if the change is right, run go test -update (or tanchi test --update) and review the diff", goldenFile, len(want), len(got)),
		Detail: rep.render(wl, gl),
	})
}

// lineDiff is a go-cmp reporter that records which lines of two []string
// differ: removed (want only), inserted (got only) or changed.
type lineDiff struct {
	path  cmp.Path
	edits [][2]int // want index, got index; -1 for none
}

func (d *lineDiff) PushStep(ps cmp.PathStep) { d.path = append(d.path, ps) }
func (d *lineDiff) PopStep()                 { d.path = d.path[:len(d.path)-1] }
func (d *lineDiff) Report(rs cmp.Result) {
	if rs.Equal() {
		return
	}
	if si, ok := d.path.Last().(cmp.SliceIndex); ok {
		x, y := si.SplitKeys()
		d.edits = append(d.edits, [2]int{x, y})
	}
}

// render shows each difference as "- want.jsonl:N line" / "+ got #N line".
func (d *lineDiff) render(want, got []string) string {
	var b strings.Builder
	b.WriteString("-want +got:\n")
	for _, e := range d.edits {
		if e[0] >= 0 {
			fmt.Fprintf(&b, "- %s:%d: %s", goldenFile, e[0]+1, want[e[0]])
		}
		if e[1] >= 0 {
			fmt.Fprintf(&b, "+ detection %d: %s", e[1]+1, got[e[1]])
		}
	}
	return b.String()
}

// readGolden reads want.jsonl.
func readGolden(path string) ([]goldenLine, error) {
	rd, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	var out []goldenLine
	for {
		rec, err := rd.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		var g goldenLine
		dec := json.NewDecoder(bytes.NewReader(rec.Raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&g); err != nil {
			return out, &Error{File: rec.File, Line: rec.Line, Err: err}
		}
		out = append(out, g)
	}
}

// goldenText renders golden lines as want.jsonl holds them, one string per
// line (with its newline).
func goldenText(lines []goldenLine) []string {
	out := make([]string, 0, len(lines))
	for _, g := range lines {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		enc.Encode(g) // plain strings and structs always encode
		out = append(out, b.String())
	}
	return out
}
