package pattern

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxWindashVariants is the most variants Windash returns: 5^5, for five
// flag dashes. A value with more flag dashes is rejected, so that a hostile
// rule cannot make compilation explode.
const MaxWindashVariants = 3125

// ErrTooManyVariants is returned (wrapped; test with errors.Is) by Windash
// when a value would have more than MaxWindashVariants variants.
var ErrTooManyVariants = errors.New("too many windash variants")

// windashChars are the characters a flag dash is replaced with, in order.
var windashChars = [...]string{"-", "/", "\u2013", "\u2014", "\u2015"}

// Windash returns every variant of p in which each dash that starts a
// command-line flag is replaced by each of '-', '/', '–' (U+2013 en dash),
// '—' (U+2014 em dash) and '―' (U+2015 horizontal bar): 5^n variants for n
// flag dashes, all distinct, p itself first. With no flag dash the result is
// just p.
//
// A flag dash is a '-' or '/' preceded by a non-word character or the start
// of a literal run, and followed by a word character, where a word character
// is a Unicode letter, a Unicode number or '_'. This is pySigma's reference
// behaviour, the regular expression \B[-/]\b applied to each literal run with
// Python's Unicode \w; as there, a wildcard next to a dash counts as a
// non-word character. So in ` -enc`, `/c` and `*-e` the dash is varied, but
// not in `a-b`, `--` or `-*`.
//
// The order is that of nested loops, the first flag dash outermost, each
// trying the original character first and then the others in the order
// above. Windash returns an error wrapping ErrTooManyVariants, and no
// variants, when 5^n would exceed MaxWindashVariants.
func Windash(p Pattern) ([]Pattern, error) {
	toks := p.tokens()
	type site struct{ tok, off int }
	var sites []site
	for ti, t := range toks {
		if t.kind != tokLit {
			continue
		}
		for off := 0; off < len(t.lit); off++ {
			if isFlagDash(t.lit, off) {
				sites = append(sites, site{ti, off})
			}
		}
	}
	if len(sites) == 0 {
		return []Pattern{p}, nil
	}
	total := 1
	for range sites {
		total *= len(windashChars)
		if total > MaxWindashVariants {
			return nil, fmt.Errorf("%w: %q has %d flag dashes, giving 5^%d variants; the limit is %d",
				ErrTooManyVariants, p.String(), len(sites), len(sites), MaxWindashVariants)
		}
	}

	out := make([]Pattern, 0, total)
	digits := make([]int, len(sites)) // the replacement index of every site
	vt := make([]token, len(toks))
	var b strings.Builder
	for range total {
		copy(vt, toks)
		for k := 0; k < len(sites); {
			// Rebuild the literal of this site's token with all its sites.
			ti, lit := sites[k].tok, toks[sites[k].tok].lit
			b.Reset()
			last := 0
			for ; k < len(sites) && sites[k].tok == ti; k++ {
				off := sites[k].off
				b.WriteString(lit[last:off])
				b.WriteString(windashAlt(lit[off], digits[k]))
				last = off + 1
			}
			b.WriteString(lit[last:])
			vt[ti].lit = b.String()
		}
		out = append(out, fromTokens(vt))
		// Advance the odometer, the last site fastest.
		for k := len(digits) - 1; k >= 0; k-- {
			if digits[k]++; digits[k] < len(windashChars) {
				break
			}
			digits[k] = 0
		}
	}
	return out, nil
}

// windashAlt returns replacement number d for the dash orig: orig itself for
// 0, then the other windashChars in order.
func windashAlt(orig byte, d int) string {
	if d == 0 {
		return string(orig)
	}
	if orig == '/' && d == 1 {
		// The order without '/' is "-", "–", "—", "―".
		return "-"
	}
	return windashChars[d]
}

// isFlagDash reports whether lit[i] is a flag dash (see Windash).
func isFlagDash(lit string, i int) bool {
	if c := lit[i]; c != '-' && c != '/' {
		return false
	}
	if i > 0 {
		if r, _ := utf8.DecodeLastRuneInString(lit[:i]); isWord(r) {
			return false
		}
	}
	if i+1 >= len(lit) {
		return false
	}
	r, _ := utf8.DecodeRuneInString(lit[i+1:])
	return isWord(r)
}

// isWord reports whether r is a word character as in Python's Unicode \w:
// a letter, a number or an underscore. (RuneError, for invalid UTF-8, is
// not a word character.)
func isWord(r rune) bool {
	if r < utf8.RuneSelf {
		c := byte(r) | 0x20
		return 'a' <= c && c <= 'z' || '0' <= r && r <= '9' || r == '_'
	}
	return unicode.IsLetter(r) || unicode.IsNumber(r)
}

// Base64 returns the standard base64 encoding of b, with padding (the
// base64 modifier).
func Base64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// Base64Offset returns the three strings that the base64 encoding of any
// text containing b must contain, one of them depending on where b falls in
// that text (the base64offset modifier). Variant i (0, 1, 2) is for b
// starting at a byte offset that is i modulo 3.
//
// Variant i encodes i filler bytes followed by b and keeps only the
// characters that depend on nothing but b: it drops the first
// ceil(8i/6) characters (0, 2 or 3), whose bits include filler bits, and
// ends after floor(8(i+len(b))/6) characters, the last one whose bits all
// come from b; what follows (the part of a character shared with the next
// byte, and padding) depends on the bytes after b. This matches pySigma's
// start offsets (0, 2, 3) and end offsets (none, -3, -2) indexed by
// (len(b)+i)%3.
//
// A variant can be empty when b is too short to determine any character at
// that offset: for a single byte, variant 1 is "" (its 8 bits straddle two
// characters), and for empty b all three are "". An empty variant matches
// every text; callers may prefer to reject such values.
func Base64Offset(b []byte) []string {
	buf := make([]byte, 2+len(b)) // two filler bytes, then b
	copy(buf[2:], b)
	out := make([]string, 3)
	for i := range 3 {
		enc := base64.StdEncoding.EncodeToString(buf[2-i:])
		start := (8*i + 5) / 6
		stop := 8 * (i + len(b)) / 6
		if start < stop {
			out[i] = enc[start:stop]
		}
	}
	return out
}

// UTF16LE returns s encoded as UTF-16 little-endian without a byte order
// mark (the wide and utf16le modifiers): "cmd" gives 63 00 6d 00 64 00.
// Runes outside the Basic Multilingual Plane become surrogate pairs; bytes of
// s that are not valid UTF-8 each become U+FFFD.
func UTF16LE(s string) []byte { return appendUTF16(make([]byte, 0, 2*len(s)), s, false) }

// UTF16BE returns s encoded as UTF-16 big-endian without a byte order mark
// (the utf16be modifier). See UTF16LE.
func UTF16BE(s string) []byte { return appendUTF16(make([]byte, 0, 2*len(s)), s, true) }

// UTF16 returns s as the utf16 modifier encodes it: the little-endian byte
// order mark FF FE followed by UTF16LE(s).
func UTF16(s string) []byte {
	return appendUTF16(append(make([]byte, 0, 2+2*len(s)), 0xFF, 0xFE), s, false)
}

func appendUTF16(dst []byte, s string, bigEndian bool) []byte {
	put := func(u uint16) {
		if bigEndian {
			dst = append(dst, byte(u>>8), byte(u))
		} else {
			dst = append(dst, byte(u), byte(u>>8))
		}
	}
	for _, r := range s {
		if r >= 0x10000 {
			r1, r2 := utf16.EncodeRune(r)
			put(uint16(r1))
			put(uint16(r2))
		} else {
			put(uint16(r))
		}
	}
	return dst
}
