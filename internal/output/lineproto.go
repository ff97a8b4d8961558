package output

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/influxdata/telegraf"
)

// The line protocol is written here rather than by Telegraf's influx
// serializer, which escapes every tag of every point again with a
// strings.Replacer and copies each line twice: the same bytes, byte for
// byte, for a fraction of the cost (the tests compare the two on every
// kind of input). What needs escaping, mostly the few tag values of a
// scenario written with every one of its points, is escaped once and kept.

// The bytes the serializer escapes (influx/escape.go).
const (
	tagEscapes    = "\t\n\f\r ,="
	nameEscapes   = "\t\n\f\r ,"
	stringEscapes = "\\\""
)

// needs is, for each byte, whether a tag (or field key) or a measurement
// name must escape it.
var needsTag, needsName = escapeTable(tagEscapes), escapeTable(nameEscapes)

func escapeTable(chars string) (t [256]bool) {
	for _, c := range []byte(chars) {
		t[c] = true
	}
	return t
}

// escaped is how the serializer writes each escaped byte.
var escaped = [256]string{'\t': `\t`, '\n': `\n`, '\f': `\f`, '\r': `\r`, ' ': `\ `, ',': `\,`, '=': `\=`, '"': `\"`, '\\': `\\`}

// maxEscapeCache bounds the escaped strings kept: a few per scenario.
const maxEscapeCache = 1 << 16

// encoder appends points as line protocol.
type encoder struct {
	cache map[string]string // tag keys and values that need escaping → escaped
	// recent holds the last texts escaped, by the slot their length and
	// ends give: the points of one scenario come one after the other and
	// carry the same few texts, found here without hashing them.
	recent [32]struct{ in, out string }
}

// errInvalidName, errNoFields: the serializer's words.
var errInvalidName = errors.New("invalid name")

// appendPoint appends m as one line, or returns the serializer's error for a
// point it would not write (no name, no field it can write).
func (e *encoder) appendPoint(buf []byte, m telegraf.Metric, dropField func(key string, err error)) ([]byte, error) {
	start := len(buf)
	buf = appendEscaped(buf, m.Name(), &needsName)
	if len(buf) == start {
		return buf[:start], errInvalidName
	}
	for _, tag := range m.TagList() {
		key, value := e.tagText(tag.Key), e.tagText(tag.Value)
		if key == "" || value == "" {
			continue // as the serializer does: line protocol has no empty tag
		}
		buf = append(buf, ',')
		buf = append(buf, key...)
		buf = append(buf, '=')
		buf = append(buf, value...)
	}
	buf = append(buf, ' ')
	header := len(buf)
	for _, field := range m.FieldList() {
		mark := len(buf)
		if mark > header {
			buf = append(buf, ',')
		}
		var err error
		if buf, err = appendField(buf, field.Key, field.Value); err != nil {
			buf = buf[:mark]
			dropField(field.Key, err)
		}
	}
	if len(buf) == header {
		series := bytes.TrimRight(buf[start:header], " ")
		return buf[:start], fmt.Errorf("%q: no serializable fields", series)
	}
	buf = append(buf, ' ')
	buf = strconv.AppendInt(buf, m.Time().UnixNano(), 10)
	return append(buf, '\n'), nil
}

// tagText is a tag key or value as the serializer writes it: escaped, and
// without trailing backslashes (TagValue).
func (e *encoder) tagText(s string) string {
	if !needsEscape(s, &needsTag) && (s == "" || s[len(s)-1] != '\\') {
		return s
	}
	slot := &e.recent[(int(s[0])^int(s[len(s)-1])^len(s))&31]
	if slot.in == s {
		return slot.out
	}
	t, ok := e.cache[s]
	if !ok {
		t = string(appendEscaped(nil, TagValue(s), &needsTag))
		if e.cache == nil || len(e.cache) >= maxEscapeCache {
			e.cache = make(map[string]string)
		}
		e.cache[s] = t
	}
	slot.in, slot.out = s, t
	return t
}

func needsEscape(s string, table *[256]bool) bool {
	for i := range len(s) {
		if table[s[i]] {
			return true
		}
	}
	return false
}

// appendEscaped appends s with the bytes table marks escaped.
func appendEscaped(buf []byte, s string, table *[256]bool) []byte {
	done := 0
	for i := range len(s) {
		if table[s[i]] {
			buf = append(buf, s[done:i]...)
			buf = append(buf, escaped[s[i]]...)
			done = i + 1
		}
	}
	return append(buf, s[done:]...)
}

// appendField appends key=value, or returns why the serializer would leave
// the field out.
func appendField(buf []byte, key string, value any) ([]byte, error) {
	start := len(buf)
	buf = appendEscaped(buf, key, &needsTag)
	if len(buf) == start {
		return buf, errors.New("invalid field key")
	}
	buf = append(buf, '=')
	switch v := value.(type) {
	case float64:
		switch {
		case math.IsNaN(v):
			return buf, errors.New("is NaN")
		case math.IsInf(v, 0):
			return buf, errors.New("is Inf")
		}
		return strconv.AppendFloat(buf, v, 'f', -1, 64), nil
	case int64:
		return append(strconv.AppendInt(buf, v, 10), 'i'), nil
	case uint64:
		// Without influx_uint_support, as Telegraf's default: capped to int64.
		return append(strconv.AppendInt(buf, int64(min(v, math.MaxInt64)), 10), 'i'), nil
	case string:
		buf = append(buf, '"')
		buf = appendEscaped(buf, v, &needsString)
		return append(buf, '"'), nil
	case bool:
		return strconv.AppendBool(buf, v), nil
	}
	return buf, fmt.Errorf("invalid value type: %T", value)
}

var needsString = escapeTable(stringEscapes)
