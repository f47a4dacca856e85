// Package corpus reads security events from files as a stream of raw JSON
// objects, each with the file and line it came from, and never stops at a
// malformed record.
//
// # Formats
//
// The format is recognised from the content, so a file's name does not
// matter and standard input works the same:
//
//   - JSONL (NDJSON): one object per line. This is the fast path: a line is
//     found with one byte search and validated in one pass, with no
//     allocation per record.
//   - A JSON array of objects, on one line or pretty-printed over many.
//   - A stream of concatenated objects, pretty-printed or not, as in SigmaHQ's
//     regression_data files; a single object is the smallest such stream.
//
// Input that starts with the gzip magic is decompressed (so ".gz" files and
// gzipped standard input both work), a UTF-8 byte order mark is skipped, and
// UTF-16 with a byte order mark (what Windows PowerShell 5.1 writes when
// output is redirected) is decoded. Blank lines and CRLF line ends are fine
// everywhere. Binary EVTX is refused with a message saying to convert it.
//
// The first byte that is not whitespace decides: '[' starts an array; '{'
// starts JSONL if that first object ends on its own line with nothing after
// it, and a stream of values otherwise; anything else is read as JSONL, line
// by line, so that each bad line is reported on its own.
//
// # Records and errors
//
// Next returns one Record per object. A record must be valid JSON (the
// language of json.Valid, checked in the same pass that finds its end) and an
// object; anything else is reported as an *Error giving the file and the line
// the record starts on, and reading goes on after it:
//
//   - In JSONL a bad line costs only that line. A line longer than
//     MaxRecordSize (64 MiB) is reported and skipped without being buffered.
//   - In an array or stream, a value that is valid JSON but not an object is
//     skipped exactly. After a syntax error, an oversized record, or a record
//     that the end of input cuts short, reading resumes at the next line,
//     after the one the bad record starts on, whose first non-space byte is
//     '{' at the column of the file's first record or further left. The column
//     limit keeps the objects nested inside a broken pretty-printed record
//     from being taken for records; a missing closing brace thus costs one
//     record, not the rest of the file.
//   - An unclosed array is reported at the line of its '['.
//
// Errors wrap ErrSyntax, ErrNotObject, ErrTooLarge or ErrTruncated, for
// errors.Is. A failure to read (an I/O error, corrupt gzip) ends the input: it
// is returned once as an *Error and Next returns io.EOF after it.
//
// # Buffers and concurrency
//
// Record.Raw points into the Reader's buffer and is overwritten by the next
// call to Next; copy it to keep it. The buffer starts at 1 MiB and grows to
// fit the longest record seen. A Reader is not safe for concurrent use; run
// one Reader per goroutine to read files in parallel. Files, Walk and Open
// have no shared state.
package corpus
