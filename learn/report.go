package learn

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// WriteReport writes the tuning report in the format that ext names:
// ".html" (or ".htm"), ".md" or ".json".
func WriteReport(w io.Writer, ext string, res *Result) error {
	switch strings.ToLower(ext) {
	case ".html", ".htm":
		return WriteHTML(w, res)
	case ".md":
		return WriteMarkdown(w, res)
	case ".json":
		return WriteJSON(w, res)
	}
	return fmt.Errorf("learn: no report format for %q (.html, .md or .json)", ext)
}

// WriteJSON writes the result as indented JSON.
func WriteJSON(w io.Writer, res *Result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(res)
}
