package jsonscan

import (
	"errors"
	"strconv"
	"unicode/utf8"
)

// SyntacticError is input that is not JSON, or ends early (Err is then
// io.ErrUnexpectedEOF), at ByteOffset bytes from the start of the input.
type SyntacticError struct {
	ByteOffset int64
	Err        error
}

func (e *SyntacticError) Error() string {
	return "jsonscan: syntactic error at byte offset " + strconv.FormatInt(e.ByteOffset, 10) + ": " + e.Err.Error()
}

func (e *SyntacticError) Unwrap() error { return e.Err }

var (
	// ErrNonStringName is an object name that is not a string.
	ErrNonStringName = errors.New("object member name must be a string")
	errMissingValue  = errors.New("missing value after object name")
	errMaxDepth      = errors.New("exceeded max depth")
	// ErrInvalidUTF8 is a string, unquoted by AppendUnquote, that holds
	// invalid UTF-8 or an unpaired UTF-16 surrogate escape.
	ErrInvalidUTF8 = errors.New("invalid UTF-8")
)

// textError is invalid text: a character or an escape sequence.
type textError struct {
	label, what, where string
}

func (e *textError) Error() string {
	var what string
	if utf8.RuneCountInString(e.what) == 1 {
		what = quoteRune(e.what)
	} else {
		what = strconv.Quote(e.what)
	}
	s := "invalid " + e.label + " " + what
	if e.where != "" {
		s += " " + e.where
	}
	return s
}

func quoteRune(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError && n == 1 {
		return `'\x` + strconv.FormatUint(uint64(s[0])|0x100, 16)[1:] + `'`
	}
	return strconv.QuoteRune(r)
}

// invalidChar is the error of the unexpected character that starts b.
func invalidChar(b []byte, where string) error {
	_, n := utf8.DecodeRune(b)
	return &textError{"character", string(b[:n]), where}
}

func invalidEscape(b []byte) error {
	n := 2
	if len(b) > 1 && b[1] == 'u' {
		n = 6
	}
	n = min(n, len(b))
	return &textError{"escape sequence", string(b[:n]), "in string"}
}
