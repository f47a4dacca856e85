package corpus

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
)

// MaxRecordSize is the largest record a Reader accepts, in bytes. A longer
// record is reported as an *Error wrapping ErrTooLarge and skipped.
const MaxRecordSize = 64 << 20

// The kinds of record error. An *Error wraps one of these, so callers and
// tests tell them apart with errors.Is rather than by message text.
var (
	ErrSyntax    = errors.New("invalid JSON")             // the record is not valid JSON
	ErrNotObject = errors.New("not a JSON object")        // valid JSON, but not an object
	ErrTooLarge  = errors.New("record too large")         // longer than MaxRecordSize
	ErrTruncated = errors.New("input ends inside record") // end of input before the record closed
)

// Record is one event as raw JSON bytes plus where it came from.
type Record struct {
	File string // the name given to Open or NewReader ("-" for standard input)
	Line int    // 1-based line on which the record starts
	// Raw is one JSON object, validated, without surrounding whitespace. It
	// aliases the Reader's buffer and is valid only until the next call to
	// Next or Close; copy it to keep it.
	Raw []byte
}

// Error is a problem with one record, or with reading a file, at a file and
// line. Err wraps ErrSyntax, ErrNotObject, ErrTooLarge or ErrTruncated for a
// record, and the underlying error (os, gzip, ...) when reading failed.
type Error struct {
	File string
	Line int // 1-based line where the bad record starts, or where reading stopped
	Err  error
}

// Error renders the error as "file:line: message".
func (e *Error) Error() string { return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err) }

// Unwrap returns Err.
func (e *Error) Unwrap() error { return e.Err }

// Reader reads the records of one input. It is not safe for concurrent use;
// different Readers are independent.
type Reader struct {
	name    string
	src     io.Reader
	closers []io.Closer // closed by Close, in order
	max     int         // record size limit; MaxRecordSize unless a test sets it
	minBuf  int         // first buffer size; initialBuffer unless a test sets it

	buf  []byte
	r, w int   // buf[r:w] is read but not consumed
	base int64 // input offset of buf[0]
	rerr error // the error that ended reading (io.EOF at the end of input)

	line    int   // 1-based line number of buf[r]
	lineOff int64 // input offset where that line starts (stream mode only)

	started   bool // the input has been sniffed and its mode chosen
	stream    bool // values by scanning (arrays, pretty-printed streams), not by lines
	unchecked bool // lines mode: hand lines over without checking their JSON
	done      bool // Next returns io.EOF from now on
	scan      scanner

	// Work left over from the previous record.
	skipLine bool // lines mode: drop the rest of an oversized line
	resync   bool // stream mode: look for the next line starting with '{'
	midLine  bool // resync: buf[r] is not at the start of a line
	limit    int  // resync: the '{' must be at this column or before it

	// Stream mode.
	state     state
	firstCol  int // column of the first record's '{'; -1 before it
	arrayLine int // line of the open '[', for an unterminated array
}

// state is where stream mode stands between values.
type state uint8

const (
	atTop       state = iota // between top-level values
	arrayOpen                // after '[': an element or ']'
	arrayElem                // after ',': an element
	arrayNext                // after an element: ',' or ']'
	arrayBroken              // resynchronised inside an array: an element, ',' or ']'
)

const (
	initialBuffer = 1 << 20 // bytes; grows for long records, up to max+1
	maxEmptyReads = 100     // a source returning (0, nil) this often is stuck
)

// Open opens the named file for reading; "-" reads standard input (which
// Close leaves open). Compressed input is recognised by its content, not its
// name: a file starting with the gzip magic is decompressed, which covers
// ".gz" files and gzipped standard input. The error from a file that cannot
// be opened is the *os.PathError, which names the path.
func Open(path string) (*Reader, error) {
	if path == "-" {
		return NewReader("-", os.Stdin), nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		f.Close()
		return nil, &os.PathError{Op: "open", Path: path, Err: errors.New("is a directory")}
	}
	r := NewReader(path, f)
	r.closers = append(r.closers, f)
	return r, nil
}

// NewReader returns a Reader of the events in src, reported under name. Like
// Open, it decompresses gzip and decodes UTF-16 with a byte order mark. Close
// does not close src.
func NewReader(name string, src io.Reader) *Reader {
	return &Reader{name: name, src: src, max: MaxRecordSize, minBuf: initialBuffer, line: 1, firstCol: -1}
}

// Unchecked makes the Reader hand over the lines of JSON-lines input without
// checking that each holds one valid JSON object, for a caller that parses
// every record with a parser that rejects bad JSON itself (engine.RawJSON
// does, with the byte offset), so that each line's bytes are read once.
// Blank lines are still skipped. Other input (arrays, pretty-printed
// objects) is still scanned: that is how its records are found.
func (r *Reader) Unchecked() { r.unchecked = true }

// Close releases the Reader and closes what Open opened. Records returned
// before are invalid afterwards. Close is idempotent.
func (r *Reader) Close() error {
	var err error
	for i := len(r.closers) - 1; i >= 0; i-- {
		if e := r.closers[i].Close(); e != nil && err == nil {
			err = e
		}
	}
	r.closers = nil
	r.done = true
	r.buf = nil
	r.r, r.w = 0, 0
	return err
}

// Next returns the next record. At the end of input it returns io.EOF. A
// malformed record yields an *Error (see Error for the kinds) and the following
// call goes on with the records after it. Reading stops at an I/O or
// decompression error, which Next returns once as an *Error at the line where
// reading stopped (wrapping the cause), and io.EOF after that; a loop that
// reports non-EOF errors and continues therefore always ends.
func (r *Reader) Next() (Record, error) {
	if r.done {
		return Record{}, io.EOF
	}
	if !r.started {
		if err := r.start(); err != nil {
			return Record{}, r.fatal(err)
		}
	}
	if r.stream {
		return r.nextValue()
	}
	return r.nextLine()
}

// fatal ends reading: err is returned now and io.EOF afterwards.
func (r *Reader) fatal(err error) error {
	r.done = true
	if err == io.EOF {
		return io.EOF
	}
	return &Error{File: r.name, Line: r.line, Err: err}
}

// end is what Next returns when the input has no more data: io.EOF, or the
// read error that stopped it.
func (r *Reader) end() error {
	return r.fatal(r.rerr)
}

func (r *Reader) errorAt(line int, err error) error {
	return &Error{File: r.name, Line: line, Err: err}
}

// fill reads more input into buf, moving the unconsumed bytes to the front
// and growing buf when they fill it (up to max+1 bytes, so a record of max
// bytes plus its terminator fits). It reports whether it read anything;
// false means the input has ended (r.rerr says how) or buf is at its limit.
func (r *Reader) fill() bool {
	if r.rerr != nil {
		return false
	}
	if r.r > 0 {
		n := copy(r.buf, r.buf[r.r:r.w])
		r.base += int64(r.r)
		r.r, r.w = 0, n
	}
	if r.w == len(r.buf) {
		size := max(2*len(r.buf), r.minBuf)
		size = min(size, r.max+1)
		if size <= len(r.buf) {
			return false
		}
		nb := make([]byte, size)
		copy(nb, r.buf[:r.w])
		r.buf = nb
	}
	for range maxEmptyReads {
		n, err := r.src.Read(r.buf[r.w:])
		if n < 0 || n > len(r.buf)-r.w {
			err, n = errors.New("invalid read count"), 0
		}
		r.w += n
		if err != nil {
			r.rerr = err
		}
		if n > 0 {
			return true
		}
		if err != nil {
			return false
		}
	}
	r.rerr = io.ErrNoProgress
	return false
}

// fillFull reads until buf is full or the input ends. Rescanning a partial
// value only after the buffer has filled (and, next time, doubled) keeps the
// total work for a value linear in its length.
func (r *Reader) fillFull() bool {
	got := false
	for r.fill() {
		got = true
		if r.w == len(r.buf) {
			break
		}
	}
	return got
}

// start sniffs the input: gzip and UTF-16 are unwrapped, a UTF-8 byte order
// mark skipped, and the mode chosen from the first value (see the package
// documentation).
func (r *Reader) start() error {
	r.started = true
	// Unwrap at most a few layers (gzipped UTF-16, say); more is not an
	// event file.
	for range 3 {
		for r.w-r.r < 8 && r.fill() {
		}
		head := r.buf[r.r:r.w]
		var wrapped io.Reader
		switch {
		case len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b:
			// Not closed: gzip.Reader holds nothing to release, and its Close
			// repeats the decompression error Next has already returned.
			z, err := gzip.NewReader(io.MultiReader(bytes.NewReader(bytes.Clone(head)), r.src))
			if err != nil {
				return fmt.Errorf("gzip: %w", err)
			}
			wrapped = z
		case len(head) >= 2 && (head[0] == 0xff && head[1] == 0xfe || head[0] == 0xfe && head[1] == 0xff):
			wrapped = newUTF16Reader(io.MultiReader(bytes.NewReader(bytes.Clone(head[2:])), r.src), head[0] == 0xfe)
		case bytes.HasPrefix(head, []byte("ElfFile\x00")):
			return errors.New("binary EVTX is not supported: convert it to JSON first (for example with evtx_dump)")
		}
		if wrapped == nil {
			break
		}
		// Start over on the decoded stream. The bytes already read were
		// handed to it, so fill's earlier end of input no longer holds.
		r.src = wrapped
		r.r, r.w, r.base, r.rerr = 0, 0, 0, nil
	}
	if bytes.HasPrefix(r.buf[r.r:r.w], []byte("\xef\xbb\xbf")) {
		r.r += 3
	}
	r.lineOff = r.base + int64(r.r)
	if !r.skipSpace() {
		return nil // empty input: Next reports the end
	}
	switch r.buf[r.r] {
	case '[':
		r.stream = true
	case '{':
		r.stream = r.firstSpansLines()
	}
	return nil
}

// firstSpansLines reports whether the object at buf[r] does not end on its
// line, or is followed on it by more than whitespace: either way the input is
// not one object per line, and is read by scanning values instead.
func (r *Reader) firstSpansLines() bool {
	scanned := 0
	for {
		i := bytes.IndexByte(r.buf[r.r+scanned:r.w], '\n')
		if i >= 0 {
			scanned += i
			break
		}
		scanned = r.w - r.r
		if scanned > r.max {
			return false // reported as too large, line by line
		}
		if !r.fill() {
			break
		}
	}
	line := r.buf[r.r : r.r+scanned]
	n, st := r.scan.scan(line, false)
	switch st {
	case scanMore:
		return true
	case scanDone:
		return len(bytes.TrimSpace(line[n:])) > 0
	}
	return false
}

// skipSpace consumes whitespace, counting lines, until buf[r] is the first
// byte of something else. It reports false when the input has ended.
func (r *Reader) skipSpace() bool {
	for {
		for r.r < r.w {
			switch r.buf[r.r] {
			case '\n':
				r.line++
				r.lineOff = r.base + int64(r.r) + 1
			case ' ', '\t', '\r':
			default:
				return true
			}
			r.r++
		}
		if !r.fill() {
			return false
		}
	}
}

// nextLine is Next for one object per line.
func (r *Reader) nextLine() (Record, error) {
	if r.skipLine && !r.dropLine() {
		return Record{}, r.end()
	}
	scanned := 0 // buf[r:r+scanned] holds no newline
	for {
		var line []byte
		n := r.line
		last := false // the line ends the input, with no newline
		if i := bytes.IndexByte(r.buf[r.r+scanned:r.w], '\n'); i >= 0 {
			end := r.r + scanned + i
			line = r.buf[r.r:end]
			r.r = end + 1
			r.line++
		} else {
			scanned = r.w - r.r
			if scanned > r.max {
				r.skipLine = true
				return Record{}, r.errorAt(n, fmt.Errorf("%w: line longer than %d bytes", ErrTooLarge, r.max))
			}
			if r.fill() {
				continue
			}
			if r.rerr != io.EOF || r.r == r.w {
				return Record{}, r.end()
			}
			line = r.buf[r.r:r.w]
			r.r = r.w
			last = true
		}
		scanned = 0
		if len(line) > r.max { // possible only when the buffer grew for a longer record
			return Record{}, r.errorAt(n, fmt.Errorf("%w: line longer than %d bytes", ErrTooLarge, r.max))
		}
		lead := 0
		for lead < len(line) && isSpace(line[lead]) {
			lead++
		}
		line = line[lead:]
		for len(line) > 0 && isSpace(line[len(line)-1]) {
			line = line[:len(line)-1]
		}
		if len(line) == 0 {
			continue
		}
		if r.unchecked {
			return Record{File: r.name, Line: n, Raw: line}, nil
		}
		m, st := r.scan.scan(line, true)
		switch {
		case st == scanError && r.scan.eof && last:
			return Record{}, r.errorAt(n, fmt.Errorf("%w: %s", ErrTruncated, r.scan.err()))
		case st == scanError && r.scan.eof:
			return Record{}, r.errorAt(n, fmt.Errorf("%w: unexpected end of line", ErrSyntax))
		case st == scanError:
			return Record{}, r.errorAt(n, fmt.Errorf("%w: %s (column %d)", ErrSyntax, r.scan.err(), lead+m+1))
		case m < len(line):
			for isSpace(line[m]) {
				m++
			}
			return Record{}, r.errorAt(n, fmt.Errorf("%w: invalid character %s after top-level value (column %d)", ErrSyntax, quoteChar(line[m]), lead+m+1))
		case line[0] != '{':
			return Record{}, r.errorAt(n, fmt.Errorf("%w: found %s", ErrNotObject, kind(line[0])))
		}
		return Record{File: r.name, Line: n, Raw: line}, nil
	}
}

// dropLine discards input up to and including the next newline. It reports
// false when the input ends first.
func (r *Reader) dropLine() bool {
	for {
		if i := bytes.IndexByte(r.buf[r.r:r.w], '\n'); i >= 0 {
			r.r += i + 1
			r.line++
			r.lineOff = r.base + int64(r.r)
			r.skipLine, r.midLine = false, false
			return true
		}
		r.r = r.w
		if !r.fill() {
			return false
		}
	}
}

// kind names the type of the JSON value starting with c.
func kind(c byte) string {
	switch c {
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// col is the 0-based column of buf[i].
func (r *Reader) col(i int) int {
	return int(r.base + int64(i) - r.lineOff)
}

// nextValue is Next for JSON arrays and streams of values.
func (r *Reader) nextValue() (Record, error) {
	for {
		if r.resync && !r.findObjectLine() {
			return Record{}, r.end()
		}
		if !r.skipSpace() {
			if r.rerr == io.EOF && r.state != atTop && r.state != arrayBroken {
				r.state = atTop
				return Record{}, r.errorAt(r.arrayLine, fmt.Errorf("%w: array opened here is not closed", ErrTruncated))
			}
			return Record{}, r.end()
		}
		c := r.buf[r.r]
		switch r.state {
		case atTop:
			if c == '[' {
				r.state, r.arrayLine = arrayOpen, r.line
				r.r++
				continue
			}
		case arrayOpen, arrayElem, arrayNext, arrayBroken:
			switch {
			case c == ']' && r.state != arrayElem:
				r.state = atTop
				r.r++
				continue
			case c == ',' && (r.state == arrayNext || r.state == arrayBroken):
				r.state = arrayElem
				r.r++
				continue
			case r.state == arrayNext && c == '{':
				// A missing comma: say so, and read the element next time.
				r.state = arrayElem
				return Record{}, r.errorAt(r.line, fmt.Errorf("%w: invalid character '{' after array element (column %d)", ErrSyntax, r.col(r.r)+1))
			case r.state == arrayNext:
				return Record{}, r.garbage(c, "after array element")
			case c == ']':
				// A trailing comma; the array ends all the same.
				err := fmt.Errorf("%w: invalid character ']' looking for beginning of value (column %d)", ErrSyntax, r.col(r.r)+1)
				r.state = atTop
				r.r++
				return Record{}, r.errorAt(r.line, err)
			}
			r.state = arrayNext
		}
		if c != '{' && c != '[' && c != '"' && c != '-' && (c < '0' || c > '9') && c != 't' && c != 'f' && c != 'n' {
			return Record{}, r.garbage(c, "looking for beginning of value")
		}
		line, start := r.line, r.r
		if c == '{' && r.firstCol < 0 {
			r.firstCol = r.col(r.r)
		}
		n, st := r.scan.scan(r.buf[r.r:r.w], r.rerr != nil)
		for st == scanMore {
			if r.w-r.r > r.max {
				return Record{}, r.bad(c, line, fmt.Errorf("%w: record longer than %d bytes", ErrTooLarge, r.max))
			}
			r.fillFull()
			start = r.r
			n, st = r.scan.scan(r.buf[r.r:r.w], r.rerr != nil)
		}
		if st == scanError {
			if r.rerr != nil && r.rerr != io.EOF && r.r+n == r.w {
				return Record{}, r.end() // the read error, not the data, cut the record short
			}
			return Record{}, r.bad(c, line, r.syntaxError(start, n))
		}
		raw := r.buf[start : start+n]
		r.r = start + n
		if k := bytes.Count(raw, []byte{'\n'}); k > 0 {
			r.line += k
			r.lineOff = r.base + int64(start+bytes.LastIndexByte(raw, '\n')+1)
		}
		if n > r.max {
			return Record{}, r.errorAt(line, fmt.Errorf("%w: record longer than %d bytes", ErrTooLarge, r.max))
		}
		if c != '{' {
			return Record{}, r.errorAt(line, fmt.Errorf("%w: found %s", ErrNotObject, kind(c)))
		}
		return Record{File: r.name, Line: line, Raw: raw}, nil
	}
}

// syntaxError describes the scan error at buf[start+n] for a value starting
// at buf[start], on the value's first line or further down.
func (r *Reader) syntaxError(start, n int) error {
	if r.scan.eof {
		return fmt.Errorf("%w: %s", ErrTruncated, r.scan.err())
	}
	v := r.buf[start : start+n]
	k := bytes.Count(v, []byte{'\n'})
	col := r.col(start+n) + 1
	if k > 0 {
		col = n - bytes.LastIndexByte(v, '\n')
		return fmt.Errorf("%w: %s (line %d, column %d)", ErrSyntax, r.scan.err(), r.line+k, col)
	}
	return fmt.Errorf("%w: %s (column %d)", ErrSyntax, r.scan.err(), col)
}

// bad reports a record that could not be read and arranges to resynchronise
// after the line it starts on.
func (r *Reader) bad(c byte, line int, err error) error {
	limit := r.firstCol
	if c == '{' {
		limit = min(limit, r.col(r.r))
	}
	r.startResync(limit)
	return r.errorAt(line, err)
}

// garbage reports an unexpected byte between values and arranges to
// resynchronise after its line.
func (r *Reader) garbage(c byte, what string) error {
	line := r.line
	err := fmt.Errorf("%w: invalid character %s %s (column %d)", ErrSyntax, quoteChar(c), what, r.col(r.r)+1)
	r.startResync(r.firstCol)
	return r.errorAt(line, err)
}

func (r *Reader) startResync(limit int) {
	if limit < 0 {
		limit = math.MaxInt
	}
	r.resync, r.midLine, r.limit = true, true, limit
	if r.state != atTop {
		r.state = arrayBroken
	}
}

// findObjectLine skips to the next line whose first non-space byte is '{' at
// column r.limit or before, so that a broken record costs only itself: a
// nested object in a pretty-printed record sits further right than the
// records do. It reports false when the input ends first.
func (r *Reader) findObjectLine() bool {
	for {
		if r.midLine && !r.dropLine() {
			return false
		}
		// At the start of a line: look past its indentation.
		for {
			for r.r < r.w && (r.buf[r.r] == ' ' || r.buf[r.r] == '\t' || r.buf[r.r] == '\r') {
				r.r++
			}
			if r.r < r.w || !r.fill() {
				break
			}
		}
		if r.r >= r.w {
			return false
		}
		if r.buf[r.r] == '{' && r.col(r.r) <= r.limit {
			r.resync = false
			return true
		}
		r.midLine = true
	}
}
