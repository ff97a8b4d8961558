package jsonscan

import (
	"encoding/binary"
	"io"
	"math/bits"
)

// Where scanValue goes on after reading more input.
const (
	rObjectFirst int8 = iota
	rObjectNext
	rName
	rAfterName
	rValue
	rArrayFirst
	rArrayNext
	rString
	rNumber
	rLiteral
	rAfterValue
	rBadName
)

// scanValue scans the object or array at d.buf[start], reading more input
// as needed, and returns its start and end (which reading moves). It
// checks the grammar with a stack of its own, not recursion.
//
// keep is ReadValue's scan: the value is kept whole in d.buf and errors
// are those of jsontext's ReadValue. Otherwise it is SkipValue's: only the
// token being scanned is kept (a string's unread part only), and errors
// are those of jsontext's token by token SkipValue, which differ in two
// cases: a ',' before a '}' or ']' is the error (not the '}' or ']'), and
// a number or literal where a name is due is scanned before it is refused.
func (d *Decoder) scanValue(start int, keep bool) (int, int, error) {
	b := d.buf
	i := start
	st := d.vstack[:0]
	outer := len(d.stack)
	var (
		top    byte // the innermost open container: '{' or '['
		tok    int  // the start of the token being scanned
		comma  int  // the last comma read
		resume int8 // where to go on after a read
		str    int8 // what a string is: rName or rValue
		n, m   int
		w      uint64
		ls     int8
		k      Kind
		err    error
		shift  int
	)

open: // b[i] is '{' or '['
	if outer+len(st) >= maxDepth {
		d.vstack = st
		return 0, 0, d.errAt(i, errMaxDepth)
	}
	top = b[i]
	st = append(st, top)
	i++
	if top == '[' {
		goto arrayFirst
	}

	// objectFirst: after '{'.
	if i = skipSpace(b, i); i >= len(b) {
		resume = rObjectFirst
		goto refill
	}
objectFirstAt:
	switch b[i] {
	case '"':
		goto name
	case '}':
		i++
		goto closed
	}
	goto badName

objectNext: // after a ',' in an object
	if i = skipSpace(b, i); i >= len(b) {
		resume = rObjectNext
		goto refill
	}
objectNextAt:
	if b[i] == '"' {
		goto name
	}
	if (b[i] == '}' || b[i] == ']') && !keep {
		goto trailingComma
	}
	goto badName

name: // b[i] is the opening quote of a name
	tok, str = i, rName
	i++
	goto stringAt

afterName:
	if i = skipSpace(b, i); i >= len(b) {
		resume = rAfterName
		goto refill
	}
	if b[i] != ':' {
		d.vstack = st
		return 0, 0, d.errAt(i, invalidChar(b[i:], "after object name (expecting ':')"))
	}
	i++
	// The value: after ':', or the first of an array, or after ','.
value:
	if i = skipSpace(b, i); i >= len(b) {
		resume = rValue
		goto refill
	}
valueAt:
	tok = i
	switch b[i] {
	case '"':
		str = rValue
		i++
		goto stringAt
	case '{', '[':
		goto open
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		goto number
	case 't', 'f', 'n':
		goto literal
	}
	d.vstack = st
	return 0, 0, d.errAt(i, invalidChar(b[i:], "at start of value"))

arrayFirst: // after '['
	if i = skipSpace(b, i); i >= len(b) {
		resume = rArrayFirst
		goto refill
	}
	if b[i] == ']' {
		i++
		goto closed
	}
	goto valueAt

arrayNext: // after a ',' in an array
	if i = skipSpace(b, i); i >= len(b) {
		resume = rArrayNext
		goto refill
	}
	if (b[i] == '}' || b[i] == ']') && !keep {
		goto trailingComma
	}
	goto valueAt

stringAt: // within a string, from b[i]
	// The plain bytes, eight at a time, then one at a time.
	for len(b)-i >= 8 {
		if w = stopBytes(binary.LittleEndian.Uint64(b[i:])); w != 0 {
			i += bits.TrailingZeros64(w) >> 3
			goto stringStop
		}
		i += 8
	}
	for i < len(b) && strPlain[b[i]] {
		i++
	}
stringStop:
	if i < len(b) && b[i] == '"' {
		i++
		if str == rName {
			goto afterName
		}
		goto afterValue
	}
	n, ls = lexString(b, i)
	if ls != lexOK {
		if ls == lexMore {
			i, tok, resume = n, n, rString
			goto refill
		}
		d.vstack = st
		return 0, 0, d.lexError(n, ls, KindString)
	}
	i = n
	if str == rName {
		goto afterName
	}
	goto afterValue

number: // b[tok] starts a number
	// The common numbers, [-][1-9][0-9]*[.[0-9]+] before ',', '}' or
	// ']', here; the others, and a number at the end of b, by lexNumber.
	n = tok
	if b[n] == '-' {
		n++
	}
	if n < len(b) && b[n]-'1' < 9 {
		n++
		for n < len(b) && b[n]-'0' < 10 {
			n++
		}
		if n < len(b) && b[n] == '.' {
			n++
			m = n
			for n < len(b) && b[n]-'0' < 10 {
				n++
			}
			if n == m {
				goto slowNumber
			}
		}
		if n < len(b) && (b[n] == ',' || b[n] == '}' || b[n] == ']') {
			i = n
			goto afterValue
		}
	}
slowNumber:
	n, ls = lexNumber(b, tok, d.rerr == io.EOF)
	if ls != lexOK {
		if ls == lexMore {
			resume = rNumber
			goto refill
		}
		d.vstack = st
		return 0, 0, d.lexError(n, ls, KindNumber)
	}
	i = n
	goto afterValue

literal: // b[tok] starts a literal
	k = Kind(b[tok])
	n, ls = lexLiteral(b, tok, literal(k))
	if ls != lexOK {
		if ls == lexMore {
			resume = rLiteral
			goto refill
		}
		d.vstack = st
		return 0, 0, d.lexError(n, ls, k)
	}
	i = n

afterValue:
	if i = skipSpace(b, i); i >= len(b) {
		resume = rAfterValue
		goto refill
	}
	switch c := b[i]; {
	case c == ',':
		comma = i
		i++
		if top == '{' {
			goto objectNext
		}
		goto arrayNext
	case c == '}' && top == '{', c == ']' && top == '[':
		i++
		goto closed
	case top == '{':
		d.vstack = st
		return 0, 0, d.errAt(i, invalidChar(b[i:], "after object value (expecting ',' or '}')"))
	default:
		d.vstack = st
		return 0, 0, d.errAt(i, invalidChar(b[i:], "after array element (expecting ',' or ']')"))
	}

closed:
	st = st[:len(st)-1]
	if len(st) == 0 {
		d.vstack = st
		return start, i, nil
	}
	top = st[len(st)-1]
	goto afterValue

badName: // b[i] is where a name is due and none is
	if !keep {
		// jsontext's ReadToken reads a number or literal before it
		// refuses it as a name.
		tok = i
		k = kindOf[b[i]]
		switch k {
		case KindNumber:
			n, ls = lexNumber(b, i, d.rerr == io.EOF)
		case KindTrue, KindFalse, KindNull:
			n, ls = lexLiteral(b, i, literal(k))
		case KindBeginObject, KindBeginArray:
			ls = lexOK
		default:
			d.vstack = st
			return 0, 0, d.errAt(i, invalidChar(b[i:], "at start of value"))
		}
		switch ls {
		case lexOK:
			d.vstack = st
			return 0, 0, d.errAt(i, ErrNonStringName)
		case lexMore:
			resume = rBadName
			goto refill
		}
		d.vstack = st
		return 0, 0, d.lexError(n, ls, k)
	}
	d.vstack = st
	return 0, 0, d.errAt(i, invalidChar(b[i:], `at start of string (expecting '"')`))

trailingComma: // a ',' before a '}' or ']', in SkipValue
	d.vstack = st
	d.err = &SyntacticError{ByteOffset: d.base + int64(comma), Err: &textError{"character", ",", "at start of value"}}
	return 0, 0, d.err

refill:
	switch resume {
	case rString, rNumber, rLiteral, rBadName:
	default:
		tok = i // between tokens
	}
	if keep {
		shift, err = d.fill(start)
	} else {
		shift, err = d.fill(tok)
	}
	i -= shift
	start -= shift
	tok -= shift
	comma -= shift
	b = d.buf
	if err != nil && !(err == io.EOF && (resume == rNumber || resume == rBadName && k == KindNumber)) {
		d.vstack = st
		return 0, 0, d.ioErr(i, err)
	}
	switch resume {
	case rObjectFirst:
		if i = skipSpace(b, i); i >= len(b) {
			goto refill
		}
		goto objectFirstAt
	case rObjectNext:
		if i = skipSpace(b, i); i >= len(b) {
			goto refill
		}
		goto objectNextAt
	case rAfterName:
		goto afterName
	case rValue:
		goto value
	case rArrayFirst:
		goto arrayFirst
	case rArrayNext:
		goto arrayNext
	case rString:
		goto stringAt
	case rNumber:
		goto number
	case rLiteral:
		goto literal
	case rAfterValue:
		goto afterValue
	case rBadName:
		i = tok
		goto badName
	}
	panic("jsonscan: bad resume state")
}
