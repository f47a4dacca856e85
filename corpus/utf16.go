package corpus

import (
	"encoding/binary"
	"io"
	"unicode/utf16"
	"unicode/utf8"
)

// utf16Reader decodes UTF-16 to UTF-8. Windows PowerShell 5.1 writes UTF-16
// with a byte order mark when output is redirected to a file, so event JSON
// exported that way arrives in it. Unpaired surrogates and an odd final byte
// become U+FFFD, as encoding/json does with invalid input.
type utf16Reader struct {
	src   io.Reader
	order binary.ByteOrder
	in    []byte // undecoded input: in[i:j]
	i, j  int
	out   []byte // decoded, not yet returned: out[k:]
	k     int
	err   error
}

func newUTF16Reader(src io.Reader, bigEndian bool) *utf16Reader {
	u := &utf16Reader{src: src, order: binary.LittleEndian, in: make([]byte, 32<<10)}
	if bigEndian {
		u.order = binary.BigEndian
	}
	return u
}

func (u *utf16Reader) Read(p []byte) (int, error) {
	if u.k == len(u.out) {
		if u.err != nil {
			return 0, u.err
		}
		u.decode() // may decode nothing (half a surrogate pair): the caller reads again
	}
	n := copy(p, u.out[u.k:])
	u.k += n
	return n, nil
}

// decode reads a chunk of input and decodes the complete code units in it.
func (u *utf16Reader) decode() {
	u.out, u.k = u.out[:0], 0
	copy(u.in, u.in[u.i:u.j])
	u.j -= u.i
	u.i = 0
	n, err := u.src.Read(u.in[u.j:])
	u.j += n
	eof := err != nil
	for u.j-u.i >= 2 {
		c := rune(u.order.Uint16(u.in[u.i:]))
		if utf16.IsSurrogate(c) {
			if u.j-u.i < 4 && !eof {
				break // the pair's second half is not read yet
			}
			if u.j-u.i >= 4 {
				if r := utf16.DecodeRune(c, rune(u.order.Uint16(u.in[u.i+2:]))); r != utf8.RuneError {
					u.out = utf8.AppendRune(u.out, r)
					u.i += 4
					continue
				}
			}
			c = utf8.RuneError
		}
		u.out = utf8.AppendRune(u.out, c)
		u.i += 2
	}
	if eof {
		if u.j > u.i { // an odd byte at the end
			u.out = utf8.AppendRune(u.out, utf8.RuneError)
			u.i = u.j
		}
		u.err = err
	}
}
