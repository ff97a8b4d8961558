// Package jsonscan is a streaming JSON tokenizer: the subset of
// github.com/go-json-experiment/json/jsontext's Decoder that the MIP
// decoder uses, with jsontext's grammar under AllowDuplicateNames(true)
// and AllowInvalidUTF8(true), made faster for responses of many small
// objects read or skipped whole.
//
// Like jsontext, the input is a stream of top-level JSON values (no
// separator is needed between them); ReadToken, ReadValue and SkipValue
// return io.EOF when only whitespace is left after a complete value, and
// a *SyntacticError whose Err is io.ErrUnexpectedEOF when the input ends
// within one. Other syntax errors are a *SyntacticError with the byte
// offset of the offending byte. An error stops the Decoder: every later
// call returns it again.
//
// Memory: the input is read in chunks into a buffer that grows only to
// hold the largest value ReadValue returns (or the largest number or
// literal token); SkipValue and ReadToken keep no more than the token they
// are on, strings included.
//
// What differs from jsontext (the differential fuzz test checks the rest:
// the same tokens, values, offsets, and errors of the same class at the
// same byte offset):
//   - the error messages are worded alike but carry no JSON pointer, and
//     a non-EOF error of the reader is returned as is;
//   - an error is final: jsontext lets a call be tried again after an
//     error of the reader;
//   - Token has Kind, String and Bytes only.
package jsonscan

import (
	"bytes"
	"errors"
	"io"
	"unicode/utf8"
)

// Kind is the kind of a token, with jsontext.Kind's values.
type Kind byte

// The kinds; KindInvalid is also what PeekKind returns on an error or at
// the end of the input.
const (
	KindInvalid     Kind = 0
	KindNull        Kind = 'n'
	KindFalse       Kind = 'f'
	KindTrue        Kind = 't'
	KindString      Kind = '"'
	KindNumber      Kind = '0'
	KindBeginObject Kind = '{'
	KindEndObject   Kind = '}'
	KindBeginArray  Kind = '['
	KindEndArray    Kind = ']'
)

// maxDepth is jsontext's limit on the objects and arrays open at once.
const maxDepth = 10000

const (
	bufSize = 64 << 10 // the buffer's first size
	minRead = 16 << 10 // the least room a read is given before the buffer is compacted or grown
)

// The state of an open object or array (or of the top level, a virtual
// array without commas): its kind and whether it is empty, or after a
// name (odd length), or after a value.
const (
	fEmpty  byte = 0
	fOdd    byte = 1 // an object's name was read: its value is next
	fEven   byte = 2
	fObject byte = 0x80
)

// Decoder reads JSON tokens and values from an io.Reader.
type Decoder struct {
	r    io.Reader
	buf  []byte // the bytes read and not yet discarded
	own  []byte // the Decoder's own buffer, when buf is a bytes.Buffer's
	base int64  // the input offset of buf[0]
	pos  int    // index in buf just after the last token or value read
	off  int64  // InputOffset
	rerr error  // the reader's error, once it returned one
	err  error  // the error that stopped the Decoder

	last  byte   // the state of the innermost open object or array
	eof   bool   // rerr is io.EOF: the input ends at len(buf)
	stack []byte // the states of the enclosing ones

	peeked   bool // peekKind, peekPos and err are PeekKind's answer
	peekKind Kind
	peekPos  int

	vstack []byte // scratch for scanValue
	str    []byte // scratch for Token.String
}

// NewDecoder returns a Decoder that reads from r.
func NewDecoder(r io.Reader) *Decoder {
	d := &Decoder{}
	d.Reset(r)
	return d
}

// Reset makes d read from r, from the start, keeping its buffers. As for
// jsontext, a *bytes.Buffer is read in place, without a copy.
func (d *Decoder) Reset(r io.Reader) {
	own := d.own
	if cap(own) > 4*bufSize {
		own = nil // a value this large was rare: let it go
	}
	*d = Decoder{r: r, buf: own[:0], own: own, stack: d.stack[:0], vstack: d.vstack[:0], str: d.str[:0]}
	if bb, ok := r.(*bytes.Buffer); ok {
		b := bb.Next(bb.Len())
		d.buf, d.rerr, d.eof = b[:len(b):len(b)], io.EOF, true
	}
}

// ResetBytes makes d read b, in place, from the start, keeping its buffers.
func (d *Decoder) ResetBytes(b []byte) {
	d.Reset(nil)
	d.buf, d.rerr, d.eof = b[:len(b):len(b)], io.EOF, true
}

// InputOffset is the input offset just after the last token or value read.
func (d *Decoder) InputOffset() int64 { return d.off }

// fill reads more input into d.buf, which may be compacted (the bytes
// before keep dropped) or moved: shift is how many bytes are dropped from
// the front, which every index into d.buf must subtract. It returns the
// reader's error once the buffered input is exhausted (io.EOF at the end).
func (d *Decoder) fill(keep int) (shift int, err error) {
	if d.rerr != nil {
		return 0, d.rerr
	}
	if d.r == nil {
		d.rerr, d.eof = io.EOF, true
		return 0, io.EOF
	}
	if cap(d.buf)-len(d.buf) < minRead {
		live := len(d.buf) - keep
		if keep > 0 && cap(d.buf)-live >= max(minRead, cap(d.buf)/2) {
			copy(d.buf[:live], d.buf[keep:])
			d.buf = d.buf[:live]
		} else {
			nb := make([]byte, live, max(2*cap(d.buf), live+minRead, bufSize))
			copy(nb, d.buf[keep:])
			d.buf, d.own = nb, nb
		}
		d.base += int64(keep)
		shift = keep
	}
	for range 100 {
		n, err := d.r.Read(d.buf[len(d.buf):cap(d.buf)])
		if n < 0 || n > cap(d.buf)-len(d.buf) {
			n, err = 0, io.ErrShortBuffer
		}
		d.buf = d.buf[:len(d.buf)+n]
		if err != nil {
			d.rerr, d.eof = err, errors.Is(err, io.EOF)
			if n > 0 {
				return shift, nil
			}
			return shift, err
		}
		if n > 0 {
			return shift, nil
		}
	}
	d.rerr = io.ErrNoProgress
	return shift, d.rerr
}

// errAt stops the Decoder with a syntax error at d.buf[i].
func (d *Decoder) errAt(i int, err error) error {
	d.err = &SyntacticError{ByteOffset: d.base + int64(i), Err: err}
	return d.err
}

// ioErr stops the Decoder on the reader's error: io.EOF is the input
// ending within a value, at d.buf[i].
func (d *Decoder) ioErr(i int, err error) error {
	if errors.Is(err, io.EOF) {
		return d.errAt(i, io.ErrUnexpectedEOF)
	}
	d.err = err
	return err
}

// needDelim is the delimiter that must come before a token of kind next.
func (d *Decoder) needDelim(next Kind) byte {
	switch {
	case d.last == fObject|fOdd:
		return ':'
	case d.last&(fOdd|fEven) != 0 && next != '}' && next != ']' && len(d.stack) != 0:
		return ','
	}
	return 0
}

// needName tells whether the next token must be an object name.
func (d *Decoder) needName() bool { return d.last&(fObject|fOdd) == fObject }

// count counts a token of the innermost object or array.
func (d *Decoder) count() {
	if d.last == fObject|fEmpty || d.last == fObject|fEven {
		d.last = fObject | fOdd
	} else {
		d.last = d.last&fObject | fEven
	}
}

// delimError is the error of the delimiter (',' or ':', at d.buf[i], its
// text c; 0 for none, the next token then at d.buf[i], c from it) that is
// wrong before a token of kind next, as jsontext words it.
func (d *Decoder) delimError(i int, c []byte, next Kind) error {
	where := "at start of value"
	switch d.needDelim(next) {
	case ':':
		where = "after object name (expecting ':')"
	case ',':
		if d.last&fObject != 0 {
			where = "after object value (expecting ',' or '}')"
		} else {
			where = "after array element (expecting ',' or ']')"
		}
	}
	return d.errAt(i, invalidChar(c, where))
}

// PeekKind returns the kind of the next token, without reading it; it
// returns KindInvalid on an error (which the next read returns) or at the
// end of the input.
func (d *Decoder) PeekKind() Kind {
	if !d.peeked {
		d.peek()
	}
	return d.peekKind
}

// peek finds the next token: it skips whitespace and the delimiter before
// the token, and checks the delimiter is the one due.
func (d *Decoder) peek() {
	d.peeked, d.peekKind = true, KindInvalid
	if d.err != nil {
		return
	}
	b, i := d.buf, d.pos
	if i = skipSpace(b, i); i >= len(b) {
		for {
			shift, err := d.fill(i)
			i -= shift
			b = d.buf
			if err != nil {
				if errors.Is(err, io.EOF) && len(d.stack) == 0 {
					d.err = io.EOF
				} else {
					d.err = d.ioErr(i, err) // which sets d.err itself
				}
				return
			}
			if i = skipSpace(b, i); i < len(b) {
				break
			}
		}
	}
	d.pos = i // only whitespace is passed
	var delim byte
	if c := b[i]; c == ',' || c == ':' {
		delim = c
		i = skipSpace(b, i+1)
		for i >= len(b) {
			// Neither the delimiter nor the whitespace after it is
			// kept: d.pos, where the delimiter was, is for an error.
			shift, err := d.fill(i)
			i -= shift
			d.pos -= shift
			b = d.buf
			if err != nil {
				// jsontext takes the next token for a string, which
				// may come after any delimiter that is due.
				if d.needDelim(KindString) != delim {
					d.err = d.delimError(d.pos, []byte{delim}, KindString)
				} else {
					d.err = d.ioErr(i, err)
				}
				return
			}
			i = skipSpace(b, i)
		}
	}
	next := kindOf[b[i]]
	if d.needDelim(next) != delim {
		if delim == 0 {
			d.err = d.delimError(i, b[i:], next)
		} else {
			d.err = d.delimError(d.pos, []byte{delim}, next)
		}
		return
	}
	d.peekKind, d.peekPos = next, i
}

// take consumes PeekKind's answer: the kind of the next token and its
// index in d.buf.
func (d *Decoder) take() (Kind, int, error) {
	if !d.peeked {
		d.peek()
	}
	d.peeked = false
	if d.err != nil {
		return 0, 0, d.err
	}
	return d.peekKind, d.peekPos, nil
}

// done records the read of a token or value that ends at d.buf[end].
func (d *Decoder) done(end int) {
	d.pos = end
	d.off = d.base + int64(end)
}

// Token is a token read by ReadToken. A string or number token is valid
// until the next call to the Decoder.
type Token struct {
	d    *Decoder
	raw  []byte // a string or number as in the input
	kind Kind
}

// Kind is the token's kind.
func (t Token) Kind() Kind { return t.kind }

// String is a string token's text, unquoted (invalid UTF-8 replaced with
// U+FFFD, as jsontext does), or the text of any other token ("{", "null",
// a number as written...). It does not allocate when the string does not
// escape.
func (t Token) String() string { return string(t.text()) }

// Bytes is String's text, valid until the next call to the Decoder.
func (t Token) Bytes() []byte { return t.text() }

var tokenText = [256][]byte{
	'{': []byte("{"), '}': []byte("}"), '[': []byte("["), ']': []byte("]"),
	'n': []byte("null"), 't': []byte("true"), 'f': []byte("false"),
}

var invalidToken = []byte("<invalid jsonscan.Token>")

// text is the token's text, for String and Bytes.
func (t Token) text() []byte {
	switch t.kind {
	case KindString:
		return t.d.unquote(t.raw)
	case KindNumber:
		return t.raw
	case KindInvalid:
		return invalidToken
	}
	return tokenText[t.kind]
}

// unquote is the text of the quoted string raw, in raw when it has no
// escape nor non-ASCII byte, else in d.str.
func (d *Decoder) unquote(raw []byte) []byte {
	s := raw[1 : len(raw)-1]
	for _, c := range s {
		if c == '\\' || c >= utf8.RuneSelf {
			// raw was lexed whole: the only errors left are invalid
			// UTF-8 and unpaired surrogate escapes, which are replaced
			// with U+FFFD, as String documents.
			d.str, _ = appendUnquoted(d.str[:0], raw) //nolint:errcheck // only invalid UTF-8, replaced (see above)
			return d.str
		}
	}
	return s
}

// ReadToken reads the next token. It returns io.EOF at the end of the
// input after a complete value.
func (d *Decoder) ReadToken() (Token, error) {
	k, i, err := d.take()
	if err != nil {
		return Token{}, err
	}
	switch k {
	case KindString, KindNumber:
		i, end, err := d.scanScalar(k, i)
		if err != nil {
			return Token{}, err
		}
		if k == KindNumber && d.needName() {
			return Token{}, d.errAt(i, ErrNonStringName)
		}
		d.count()
		d.done(end)
		return Token{d: d, raw: d.buf[i:end:end], kind: k}, nil
	case KindNull, KindTrue, KindFalse:
		i, end, err := d.scanScalar(k, i)
		if err != nil {
			return Token{}, err
		}
		if d.needName() {
			return Token{}, d.errAt(i, ErrNonStringName)
		}
		d.count()
		d.done(end)
		return Token{kind: k}, nil
	case KindBeginObject, KindBeginArray:
		if err := d.checkOpen(i); err != nil {
			return Token{}, err
		}
		d.count()
		d.stack = append(d.stack, d.last)
		if k == KindBeginObject {
			d.last = fObject | fEmpty
		} else {
			d.last = fEmpty
		}
	case KindEndObject:
		switch {
		case d.last&fObject == 0:
			return Token{}, d.mismatch(i)
		case d.last == fObject|fOdd:
			return Token{}, d.errAt(i, errMissingValue)
		}
		d.pop()
	case KindEndArray:
		if d.last&fObject != 0 || len(d.stack) == 0 {
			return Token{}, d.mismatch(i)
		}
		d.pop()
	default:
		return Token{}, d.errAt(i, invalidChar(d.buf[i:], "at start of value"))
	}
	d.done(i + 1)
	return Token{kind: k}, nil
}

func (d *Decoder) pop() {
	d.last = d.stack[len(d.stack)-1]
	d.stack = d.stack[:len(d.stack)-1]
}

// checkOpen checks that an object or array may start at d.buf[i].
func (d *Decoder) checkOpen(i int) error {
	switch {
	case d.needName():
		return d.errAt(i, ErrNonStringName)
	case len(d.stack) >= maxDepth:
		return d.errAt(i, errMaxDepth)
	}
	return nil
}

// mismatch is the error of a '}' or ']' at d.buf[i] that closes nothing
// open.
func (d *Decoder) mismatch(i int) error {
	where := "at start of value"
	if len(d.stack) > 0 && d.last&(fOdd|fEven) != 0 {
		if d.last&fObject != 0 {
			where = "after object value (expecting ',' or '}')"
		} else {
			where = "after array element (expecting ',' or ']')"
		}
	}
	return d.errAt(i, invalidChar(d.buf[i:], where))
}

// ReadValue reads the next value whole and returns it as in the input,
// without the whitespace around it. The bytes are the Decoder's: they are
// valid until the next call to the Decoder and must not be modified. It
// returns io.EOF at the end of the input after a complete value.
func (d *Decoder) ReadValue() ([]byte, error) {
	k, i, err := d.take()
	if err != nil {
		return nil, err
	}
	var end int
	switch k {
	case KindString, KindNumber, KindNull, KindTrue, KindFalse:
		i, end, err = d.scanScalar(k, i)
	case KindBeginObject, KindBeginArray:
		i, end, err = d.scanValue(i, true)
	case KindEndObject, KindEndArray:
		return nil, d.errAt(i, invalidChar(d.buf[i:], "at start of value"))
	default:
		return nil, d.errAt(i, invalidChar(d.buf[i:], "at start of value"))
	}
	if err != nil {
		return nil, err
	}
	if k != KindString && d.needName() {
		return nil, d.errAt(i, ErrNonStringName)
	}
	d.count()
	d.done(end)
	return d.buf[i:end:end], nil
}

// SkipValue reads the next value without keeping it, as jsontext does:
// an object or array token by token, the errors (and their offsets) those
// of ReadToken's; any other value as ReadValue.
func (d *Decoder) SkipValue() error {
	if !d.peeked {
		d.peek()
	}
	if d.peekKind != KindBeginObject && d.peekKind != KindBeginArray {
		_, err := d.ReadValue()
		return err
	}
	_, i, err := d.take()
	if err != nil {
		return err
	}
	if err := d.checkOpen(i); err != nil {
		return err
	}
	_, end, err := d.scanValue(i, false)
	if err != nil {
		return err
	}
	d.count()
	d.done(end)
	return nil
}

// scanScalar scans the string, number or literal of kind k at d.buf[i],
// reading more input as needed. It returns the token's start and end,
// which reading moves.
func (d *Decoder) scanScalar(k Kind, i int) (start, end int, err error) {
	start, resume := i, i+1
	for {
		var n int
		var st int8
		b := d.buf
		switch k {
		case KindString:
			n, st = lexString(b, resume)
		case KindNumber:
			n, st = lexNumber(b, start, d.eof)
		default:
			n, st = lexLiteral(b, start, literal(k))
		}
		switch st {
		case lexOK:
			return start, n, nil
		case lexMore:
			if k == KindString {
				resume = n
			}
		default:
			return 0, 0, d.lexError(n, st, k)
		}
		shift, err := d.fill(start)
		start -= shift
		resume -= shift
		if err != nil && !(d.eof && k == KindNumber) { // a number may end with the input
			return 0, 0, d.ioErr(len(d.buf), err)
		}
	}
}

// lexError is the error a lexer found at d.buf[i], in a token of kind k.
func (d *Decoder) lexError(i int, st int8, k Kind) error {
	b := d.buf[i:]
	switch st {
	case lexCtl:
		return d.errAt(i, invalidChar(b, "in string (expecting non-control character)"))
	case lexEscape:
		return d.errAt(i, invalidEscape(b))
	case lexTruncated:
		return d.errAt(i, io.ErrUnexpectedEOF)
	}
	if k == KindNumber {
		return d.errAt(i, invalidChar(b, "in number (expecting digit)"))
	}
	return d.errAt(i, invalidChar(b, "in literal "+literal(k)))
}
