package jsonscan

import (
	"encoding/binary"
	"math/bits"
)

// Where scanValue goes on after reading more input.
const (
	rObjectFirst int8 = iota
	rObjectNext
	rAfterName
	rValue
	rArrayFirst
	rArrayNext
	rNameString
	rValueString
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
//
// The common path (no whitespace, strings without escapes, numbers
// followed by a delimiter, all within the buffer) is tried first at each
// step; whitespace, escapes, the end of the buffer and errors take the
// slower paths.
func (d *Decoder) scanValue(start int, keep bool) (valueStart, valueEnd int, _ error) {
	b := d.buf
	i := start
	st := d.vstack[:0]
	outer := len(d.stack)
	var (
		top    byte // the innermost open container: '{' or '['
		tok    int  // the start of the number or literal being scanned
		comma  int  // the last comma read
		resume int8 // where to go on after a read
		n, m   int
		w      uint64
		ls     int8
		k      Kind
		err    error
		shift  int
	)

	// The common path, then the others, one token at a time.
	i, st, resume = scanFast(b, i, st, rOpen, maxDepth-outer)
dispatch:
	if resume == rDone {
		d.vstack = st
		return start, i, nil
	}
	if len(st) > 0 {
		top = st[len(st)-1]
	}
	switch resume {
	case rOpen:
		goto open
	case rObjectFirst:
		goto objectFirst
	case rObjectNext:
		comma = i - 1 // scanFast stops just after the comma
		goto objectNext
	case rNameString:
		goto nameString
	case rAfterName:
		goto afterName
	case rValue:
		goto value
	case rArrayFirst:
		goto arrayFirst
	case rArrayNext:
		comma = i - 1
		goto arrayNext
	case rValueString:
		goto valueString
	case rNumber:
		tok = i
		goto number
	case rLiteral:
		tok = i
		goto literal
	case rAfterValue:
		goto afterValue
	}
	panic("jsonscan: bad scan state")

afterValueFast:
	i, st, resume = scanFast(b, i, st, rAfterValue, maxDepth-outer)
	goto dispatch

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
objectFirst: // after '{'
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
	i++
nameString:
	for len(b)-i >= 8 {
		if w = stopBytes(binary.LittleEndian.Uint64(b[i:])); w != 0 {
			i += bits.TrailingZeros64(w) >> 3
			goto nameStop
		}
		i += 8
	}
	for i < len(b) && strPlain[b[i]] {
		i++
	}
nameStop:
	if i >= len(b) || b[i] != '"' {
		n, ls = lexString(b, i)
		if ls != lexOK {
			if ls == lexMore {
				i, resume = n, rNameString
				goto refill
			}
			d.vstack = st
			return 0, 0, d.lexError(n, ls, KindString)
		}
		i = n - 1
	}
	i++
	if i < len(b) && b[i] == ':' {
		i++
		goto value
	}
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

value: // a value is due: after ':', or in an array
	if i >= len(b) {
		resume = rValue
		goto refill
	}
	switch b[i] {
	case '"':
		i++
		goto valueString
	case '{', '[':
		goto open
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		tok = i
		goto number
	case 't', 'f', 'n':
		tok = i
		goto literal
	case ' ', '\t', '\r', '\n':
		i = skipSpace(b, i)
		goto value
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
	goto value

arrayNext: // after a ',' in an array
	if i = skipSpace(b, i); i >= len(b) {
		resume = rArrayNext
		goto refill
	}
	if (b[i] == '}' || b[i] == ']') && !keep {
		goto trailingComma
	}
	goto value

valueString: // within a string value, from b[i]
	for len(b)-i >= 8 {
		if w = stopBytes(binary.LittleEndian.Uint64(b[i:])); w != 0 {
			i += bits.TrailingZeros64(w) >> 3
			goto valueStop
		}
		i += 8
	}
	for i < len(b) && strPlain[b[i]] {
		i++
	}
valueStop:
	if i < len(b) && b[i] == '"' {
		i++
		goto afterValueFast
	}
	n, ls = lexString(b, i)
	if ls != lexOK {
		if ls == lexMore {
			i, resume = n, rValueString
			goto refill
		}
		d.vstack = st
		return 0, 0, d.lexError(n, ls, KindString)
	}
	i = n
	goto afterValueFast

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
			goto afterValueFast
		}
	}
slowNumber:
	n, ls = lexNumber(b, tok, d.eof)
	if ls != lexOK {
		if ls == lexMore {
			resume = rNumber
			goto refill
		}
		d.vstack = st
		return 0, 0, d.lexError(n, ls, KindNumber)
	}
	i = n
	goto afterValueFast

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
	goto afterValueFast

afterValue:
	if i >= len(b) {
		resume = rAfterValue
		goto refill
	}
	switch b[i] {
	case ',':
		comma = i
		i++
		if top == '{' {
			goto objectNext
		}
		goto arrayNext
	case '}':
		if top == '{' {
			i++
			goto closed
		}
	case ']':
		if top == '[' {
			i++
			goto closed
		}
	case ' ', '\t', '\r', '\n':
		i = skipSpace(b, i)
		goto afterValue
	}
	d.vstack = st
	if top == '{' {
		return 0, 0, d.errAt(i, invalidChar(b[i:], "after object value (expecting ',' or '}')"))
	}
	return 0, 0, d.errAt(i, invalidChar(b[i:], "after array element (expecting ',' or ']')"))

closed:
	st = st[:len(st)-1]
	if len(st) == 0 {
		d.vstack = st
		return start, i, nil
	}
	top = st[len(st)-1]
	goto afterValueFast

badName: // b[i] is where a name is due and none is
	if !keep {
		// jsontext's ReadToken reads a number or literal before it
		// refuses it as a name.
		tok = i
		k = kindOf[b[i]]
		switch k {
		case KindNumber:
			n, ls = lexNumber(b, i, d.eof)
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
	// Keep the value (ReadValue) or the token (SkipValue): a number or
	// literal from its start, a string from where its scan stopped.
	switch resume {
	case rNumber, rLiteral, rBadName:
	default:
		tok = i
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
	// A number may end with the input.
	if err != nil && !(d.eof && (resume == rNumber || resume == rBadName && k == KindNumber)) {
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
	case rNameString:
		goto nameString
	case rValueString:
		goto valueString
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
