package main

import (
	"bytes"
	"encoding/json"
	"io"
)

// detectionWriter writes detections as JSON lines, byte for byte as a
// json.Encoder with HTML escaping off writes a detection, but with the
// event spliced in by compactJSON. encoding/json validates and compacts a
// json.RawMessage a byte at a time through its scanner, and on a stream
// where one event in ten is detected that cost more than matching: the
// event has been read, and so checked, by engine.RawJSON already.
type detectionWriter struct {
	w    io.Writer
	line []byte
	part bytes.Buffer
	enc  *json.Encoder // into part
}

func newDetectionWriter(w io.Writer) *detectionWriter {
	dw := &detectionWriter{w: w}
	dw.enc = json.NewEncoder(&dw.part)
	dw.enc.SetEscapeHTML(false)
	return dw
}

// write writes d as one line.
func (dw *detectionWriter) write(d *detection) error {
	var err error
	line := append(dw.line[:0], `{"rule":`...)
	line, err = dw.appendValue(line, d.Rule)
	if err == nil {
		line = append(line, `,"source":`...)
		line, err = dw.appendValue(line, d.Source)
	}
	if err != nil {
		return err
	}
	line = append(line, `,"event":`...)
	line = compactJSON(line, d.Event)
	line = append(line, `,"actions":`...)
	line, err = dw.appendValue(line, d.Actions)
	if err == nil && len(d.Matched) > 0 {
		line = append(line, `,"matched":`...)
		line, err = dw.appendValue(line, d.Matched)
	}
	if err == nil && d.SuppressedBy != nil {
		line = append(line, `,"suppressed_by":`...)
		line, err = dw.appendValue(line, d.SuppressedBy)
	}
	if err != nil {
		return err
	}
	line = append(line, "}\n"...)
	_, err = dw.w.Write(line)
	if cap(line) <= lineKeep {
		dw.line = line
	}
	return err
}

// lineKeep bounds the line buffer a detectionWriter keeps between
// detections: one huge event does not hold on to its memory.
const lineKeep = 1 << 20

// appendValue appends v as the encoder writes it, without its newline.
func (dw *detectionWriter) appendValue(dst []byte, v any) ([]byte, error) {
	dw.part.Reset()
	if err := dw.enc.Encode(v); err != nil {
		return dst, err
	}
	return append(dst, bytes.TrimSuffix(dw.part.Bytes(), []byte("\n"))...), nil
}

// compactJSON appends to dst the first JSON value of src without the white
// space between its tokens, as json.Compact writes it. src must start with
// a valid JSON object or array (after white space); what follows its end
// is left out. Strings are copied from quote to quote, found with
// bytes.IndexByte.
func compactJSON(dst, src []byte) []byte {
	depth := 0
	for i := 0; i < len(src); {
		switch c := src[i]; c {
		case ' ', '\t', '\n', '\r':
			i++
		case '"':
			j := i + 1
			for {
				k := bytes.IndexByte(src[j:], '"')
				if k < 0 {
					return append(dst, src[i:]...) // not valid JSON: cannot happen
				}
				j += k + 1
				// The quote ends the string unless an odd number of
				// backslashes escapes it.
				n := 0
				for src[j-2-n] == '\\' {
					n++
				}
				if n%2 == 0 {
					break
				}
			}
			dst = append(dst, src[i:j]...)
			i = j
		case '{', '[':
			depth++
			dst = append(dst, c)
			i++
		case '}', ']':
			depth--
			dst = append(dst, c)
			i++
			if depth == 0 {
				return dst
			}
		default:
			dst = append(dst, c)
			i++
		}
	}
	return dst
}
