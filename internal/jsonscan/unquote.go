package jsonscan

import (
	"io"
	"unicode/utf16"
	"unicode/utf8"
)

// AppendUnquote appends to dst the text of src, a JSON string with its
// quotes and no whitespace around, as jsontext.AppendUnquote does: invalid
// UTF-8 and unpaired surrogate escapes are replaced with U+FFFD and
// reported, at the end, as a *SyntacticError with ErrInvalidUTF8; any
// other error stops at once, and so do bytes after the string.
func AppendUnquote(dst, src []byte) ([]byte, error) {
	dst, err := appendUnquoted(dst, src)
	if err != nil {
		err = &SyntacticError{Err: err}
	}
	return dst, err
}

// appendUnquoted is AppendUnquote, its errors not wrapped.
func appendUnquoted(dst, src []byte) (_ []byte, err error) {
	if len(src) == 0 {
		return dst, io.ErrUnexpectedEOF
	}
	if src[0] != '"' {
		return dst, invalidChar(src, `at start of string (expecting '"')`)
	}
	i, n := 1, 1 // src[i:n] is plain text not yet appended
	for n < len(src) {
		for n < len(src) && src[n] < utf8.RuneSelf && strPlain[src[n]] {
			n++
		}
		if n >= len(src) {
			break
		}
		switch c := src[n]; {
		case c == '"':
			dst = append(dst, src[i:n]...)
			n++
			if n < len(src) {
				err = invalidChar(src[n:], "after string value")
			}
			return dst, err
		case c == '\\':
			dst = append(dst, src[i:n]...)
			if n+1 >= len(src) {
				return dst, io.ErrUnexpectedEOF
			}
			switch e := src[n+1]; e {
			case '"', '\\', '/':
				dst = append(dst, e)
				n += 2
			case 'b':
				dst = append(dst, '\b')
				n += 2
			case 'f':
				dst = append(dst, '\f')
				n += 2
			case 'n':
				dst = append(dst, '\n')
				n += 2
			case 'r':
				dst = append(dst, '\r')
				n += 2
			case 't':
				dst = append(dst, '\t')
				n += 2
			case 'u':
				v1, ok := hex4(src[n+2:])
				if !ok {
					if len(src) < n+6 && hexPrefix(src[n:], false) {
						return dst, io.ErrUnexpectedEOF
					}
					return dst, invalidEscape(src[n:])
				}
				n += 6
				r := rune(v1)
				if utf16.IsSurrogate(r) {
					r = utf8.RuneError
					if len(src) < n+6 {
						if hexPrefix(src[n:], true) {
							return utf8.AppendRune(dst, r), io.ErrUnexpectedEOF
						}
						err = &textError{"surrogate pair", string(src[n-6:]), "in string"}
					} else if v2, ok := hex4(src[n+2:]); src[n] != '\\' || src[n+1] != 'u' || !ok {
						err = &textError{"surrogate pair", string(src[n-6 : n+6]), "in string"}
					} else if r = utf16.DecodeRune(rune(v1), rune(v2)); r == utf8.RuneError {
						err = &textError{"surrogate pair", string(src[n-6 : n+6]), "in string"}
					} else {
						n += 6
					}
				}
				dst = utf8.AppendRune(dst, r)
			default:
				return dst, invalidEscape(src[n:])
			}
			i = n
		case c < ' ':
			dst = append(dst, src[i:n]...)
			return dst, invalidChar(src[n:], "in string (expecting non-control character)")
		default: // UTF-8
			r, rn := utf8.DecodeRune(src[n:])
			if r == utf8.RuneError && rn == 1 {
				dst = append(dst, src[i:n]...)
				if !utf8.FullRune(src[n:]) {
					return dst, io.ErrUnexpectedEOF
				}
				dst = append(dst, "\uFFFD"...)
				n++
				i = n
				err = ErrInvalidUTF8
				continue
			}
			n += rn
		}
	}
	dst = append(dst, src[i:n]...)
	return dst, io.ErrUnexpectedEOF
}

// hex4 reads four hexadecimal digits at the start of b.
func hex4(b []byte) (uint16, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var v uint16
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		v = v<<4 | uint16(c)
	}
	return v, true
}

// hexPrefix tells whether b may be the start of a \uXXXX escape cut
// short (of a low surrogate's, if low).
func hexPrefix(b []byte, low bool) bool {
	for i, c := range b {
		switch {
		case i == 0 && c != '\\', i == 1 && c != 'u':
			return false
		case i == 2 && low && c != 'd' && c != 'D':
			return false
		case i == 3 && low && !('c' <= c && c <= 'f') && !('C' <= c && c <= 'F'):
			return false
		case i >= 2 && i < 6 && !isHex[c]:
			return false
		}
	}
	return true
}
