package jsonscan

import (
	"encoding/binary"
	"math/bits"
)

// Two more states of scanValue: at a '{' or '[' not yet opened, and the
// value scanned whole.
const (
	rOpen int8 = -1 - iota
	rDone
)

// scanFast scans, from state (rOpen or rAfterValue) at b[i], the common
// path of a value: no escape, numbers followed by their delimiter, every
// token whole within b, at most limit objects and arrays open. It stops
// at the end of the value (rDone) or where the common path ends, returning
// the state scanValue goes on from. st is the stack of the open objects
// and arrays. It is small, with few variables, for the compiler to keep
// them in registers.
func scanFast(b []byte, i int, st []byte, state int8, limit int) (int, []byte, int8) {
	var top byte
	var w, q uint64
	var n int
	if len(st) > 0 {
		top = st[len(st)-1]
	}
	if state == rAfterValue {
		goto afterValue
	}
	if state != rOpen {
		return i, st, state
	}

open: // b[i] is '{' or '['
	if len(st) >= limit {
		return i, st, rOpen
	}
	top = b[i]
	st = append(st, top)
	i++
	if top == '[' {
		if i < len(b) && b[i] == ']' {
			i++
			goto closed
		}
		if i < len(b) && b[i] > ' ' {
			goto value
		}
		return i, st, rArrayFirst
	}
	if i < len(b) && b[i] == '"' {
		goto name
	}
	return i, st, rObjectFirst

name: // b[i] is the opening quote of a name
	i++
	for len(b)-i >= 8 {
		if w, q = stopQuote(binary.LittleEndian.Uint64(b[i:])); w != 0 {
			i += bits.TrailingZeros64(w) >> 3
			if q&(w&-w) == 0 {
				return i, st, rNameString
			}
			goto nameEnd
		}
		i += 8
	}
	for i < len(b) && strPlain[b[i]] {
		i++
	}
	if i >= len(b) || b[i] != '"' {
		return i, st, rNameString
	}
nameEnd:
	i++
	if i >= len(b) || b[i] != ':' {
		return i, st, rAfterName
	}
	i++

value: // a value is due
	if i >= len(b) {
		return i, st, rValue
	}
	switch b[i] {
	case '"':
		i++
		for len(b)-i >= 8 {
			if w, q = stopQuote(binary.LittleEndian.Uint64(b[i:])); w != 0 {
				i += bits.TrailingZeros64(w) >> 3
				if q&(w&-w) == 0 {
					return i, st, rValueString
				}
				i++
				goto afterValue
			}
			i += 8
		}
		for i < len(b) && strPlain[b[i]] {
			i++
		}
		if i >= len(b) || b[i] != '"' {
			return i, st, rValueString
		}
		i++
		goto afterValue
	case '{', '[':
		goto open
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		// [-][1-9][0-9]*[.[0-9]+] before ',', '}' or ']'
		n = i
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
				if n >= len(b) || b[n]-'0' >= 10 {
					return i, st, rNumber
				}
				for n < len(b) && b[n]-'0' < 10 {
					n++
				}
			}
			if n < len(b) && (b[n] == ',' || b[n] == '}' || b[n] == ']') {
				i = n
				goto afterValue
			}
		}
		return i, st, rNumber
	case 't':
		if len(b)-i >= 4 && string(b[i:i+4]) == "true" {
			i += 4
			goto afterValue
		}
		return i, st, rLiteral
	case 'f':
		if len(b)-i >= 5 && string(b[i:i+5]) == "false" {
			i += 5
			goto afterValue
		}
		return i, st, rLiteral
	case 'n':
		if len(b)-i >= 4 && string(b[i:i+4]) == "null" {
			i += 4
			goto afterValue
		}
		return i, st, rLiteral
	case ' ', '\t', '\r', '\n':
		i = skipSpace(b, i)
		goto value
	}
	return i, st, rValue

afterValue:
	if i >= len(b) {
		return i, st, rAfterValue
	}
	switch b[i] {
	case ',':
		i++
		if i < len(b) {
			if top == '{' {
				if b[i] == '"' {
					goto name
				}
			} else if b[i] > ' ' && b[i] != ']' && b[i] != '}' {
				goto value
			}
		}
		if top == '{' {
			return i, st, rObjectNext
		}
		return i, st, rArrayNext
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
	return i, st, rAfterValue

closed:
	st = st[:len(st)-1]
	if len(st) == 0 {
		return i, st, rDone
	}
	top = st[len(st)-1]
	goto afterValue
}
