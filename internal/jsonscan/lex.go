package jsonscan

import (
	"encoding/binary"
	"math/bits"
)

// The lexers scan one string, number or literal in a byte slice. They do
// not read input: when the slice ends before the token does, they say so
// (lexMore) and the caller reads more and calls again.

const (
	lexOK        int8 = iota // the token ends at the returned index
	lexMore                  // the slice ends within the token
	lexCtl                   // a control character in a string, at the returned index
	lexEscape                // an invalid escape sequence, starting at the returned index
	lexBadChar               // an unexpected character in a number or literal, at the returned index
	lexTruncated             // a number cut short by the end of the input
)

var (
	// strPlain is true for the bytes a string holds as they are: any
	// byte from the space up but the quote and the backslash (bytes of
	// invalid UTF-8 included, as jsontext.AllowInvalidUTF8 has it).
	strPlain [256]bool
	// isHex is true for the hexadecimal digits.
	isHex [256]bool
	// isSpace is true for JSON's four whitespace characters.
	isSpace [256]bool
	// kindOf is the Kind of the token a byte starts, or 0.
	kindOf [256]Kind
)

func init() {
	for c := 0; c < 256; c++ {
		strPlain[c] = c >= ' ' && c != '"' && c != '\\'
		isHex[c] = '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
	}
	for _, c := range " \t\r\n" {
		isSpace[c] = true
	}
	for _, c := range `"{}[]ntf` {
		kindOf[c] = Kind(c)
	}
	for _, c := range "-0123456789" {
		kindOf[c] = KindNumber
	}
}

// stopBytes has the high bit set in (at least) the lowest byte of w, in
// little-endian order, that is not plain in a string: a control
// character, '"' or '\\'. Bytes above that one may be flagged wrongly.
func stopBytes(w uint64) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	q := w ^ (ones * '"')
	s := w ^ (ones * '\\')
	return ((w - ones*' ') | (q-ones)&^q | (s-ones)&^s) &^ w & highs
}

// stopQuote is stopBytes(w) and, of its bits, those of the quotes: the
// lowest stop byte is a quote if its bit is set in both.
func stopQuote(w uint64) (stop, quote uint64) {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	q := w ^ (ones * '"')
	s := w ^ (ones * '\\')
	quote = (q - ones) &^ q
	return ((w - ones*' ') | quote | (s-ones)&^s) &^ w & highs, quote
}

// skipSpace returns the index of the first byte of b from i on that is not
// whitespace, or len(b).
func skipSpace(b []byte, i int) int {
	for i < len(b) && b[i] <= ' ' && isSpace[b[i]] {
		i++
	}
	return i
}

// lexString scans the inside of a string from b[i], just after its
// opening quote or at an index an earlier call returned with lexMore. It
// returns the index just after the closing quote (lexOK); an index to
// resume from, before any unfinished escape sequence (lexMore); or the
// index of the control character (lexCtl) or of the backslash of the
// invalid escape sequence (lexEscape).
func lexString(b []byte, i int) (int, int8) {
	for {
		// Eight bytes at a time while they are plain.
		for len(b)-i >= 8 {
			if w := stopBytes(binary.LittleEndian.Uint64(b[i:])); w != 0 {
				i += bits.TrailingZeros64(w) >> 3
				break
			}
			i += 8
		}
		for i < len(b) && strPlain[b[i]] {
			i++
		}
		if i >= len(b) {
			return i, lexMore
		}
		switch b[i] {
		case '"':
			return i + 1, lexOK
		case '\\':
		default:
			return i, lexCtl
		}
		if i+1 >= len(b) {
			return i, lexMore
		}
		switch b[i+1] {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			i += 2
		case 'u':
			for k := 2; k < 6; k++ {
				if i+k >= len(b) {
					return i, lexMore
				}
				if !isHex[b[i+k]] {
					return i, lexEscape
				}
			}
			i += 6
		default:
			return i, lexEscape
		}
	}
}

// lexNumber scans the number starting at b[i] ('-' or a digit). eof tells
// that no input follows b: a number may end with it.
func lexNumber(b []byte, i int, eof bool) (int, int8) {
	// The end of the slice within a number, depending on whether the
	// number may end there.
	more, truncated := lexMore, lexMore
	if eof {
		more, truncated = lexOK, lexTruncated
	}
	if b[i] == '-' {
		i++
		if i >= len(b) {
			return i, truncated
		}
	}
	switch c := b[i]; {
	case c == '0':
		i++
	case '1' <= c && c <= '9':
		i++
		for i < len(b) && b[i]-'0' < 10 {
			i++
		}
	default:
		return i, lexBadChar
	}
	if i >= len(b) {
		return i, more
	}
	if b[i] == '.' {
		i++
		if i >= len(b) {
			return i, truncated
		}
		if b[i]-'0' >= 10 {
			return i, lexBadChar
		}
		i++
		for i < len(b) && b[i]-'0' < 10 {
			i++
		}
		if i >= len(b) {
			return i, more
		}
	}
	if b[i] == 'e' || b[i] == 'E' {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) {
			return i, truncated
		}
		if b[i]-'0' >= 10 {
			return i, lexBadChar
		}
		i++
		for i < len(b) && b[i]-'0' < 10 {
			i++
		}
		if i >= len(b) {
			return i, more
		}
	}
	return i, lexOK
}

// literal is the text of the literal a kind starts.
func literal(k Kind) string {
	switch k {
	case KindTrue:
		return "true"
	case KindFalse:
		return "false"
	}
	return "null"
}

// lexLiteral scans the literal lit at b[i].
func lexLiteral(b []byte, i int, lit string) (int, int8) {
	if len(b)-i >= len(lit) && string(b[i:i+len(lit)]) == lit {
		return i + len(lit), lexOK
	}
	for k := 0; k < len(lit); k++ {
		if i+k >= len(b) {
			return i, lexMore
		}
		if b[i+k] != lit[k] {
			return i + k, lexBadChar
		}
	}
	return i + len(lit), lexOK
}
