package mip

import (
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"
)

// The state file is written after every gather and holds a few entries
// per scenario: it is written here by appending, as encoding/json writes
// it (the tests compare the two byte for byte, and encoding/json reads it),
// in a fraction of the time reflection takes.

// appendStateFile appends sf as JSON.
func appendStateFile(b []byte, sf *stateFile) []byte {
	b = append(b, `{"version":`...)
	b = appendInt(b, sf.Version)
	b = append(b, `,"instances":`...)
	if sf.Instances == nil {
		return append(b, "null}"...)
	}
	b = append(b, '{')
	for i, key := range sortedKeys(sf.Instances) {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, key)
		b = append(b, ':')
		b = appendProgress(b, sf.Instances[key])
	}
	return append(b, "}}"...)
}

func appendProgress(b []byte, pr *progress) []byte {
	if pr == nil {
		return append(b, "null"...)
	}
	// The maps hold mostly the same scenario ids: sorted once.
	ids := &idOrder{all: sortedKeys(pr.LastSeen)}
	b = append(b, `{"last_success":`...)
	b = appendTime(b, pr.LastSuccess)
	b = append(b, `,"watermarks":`...)
	b = appendTimes(b, pr.Watermarks, ids)
	if len(pr.Settled) > 0 {
		b = append(b, `,"settled":`...)
		b = appendTimes(b, pr.Settled, ids)
	}
	if len(pr.Written) > 0 {
		b = append(b, `,"written":`...)
		b = appendTimeLists(b, pr.Written, ids)
	}
	if len(pr.Covered) > 0 {
		b = append(b, `,"covered":`...)
		b = appendTimes(b, pr.Covered, ids)
	}
	if len(pr.Recent) > 0 {
		b = append(b, `,"recent":[`...)
		for i, c := range pr.Recent {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendCommitRecord(b, c, ids)
		}
		b = append(b, ']')
	}
	if len(pr.LastSeen) > 0 {
		b = append(b, `,"last_seen":`...)
		b = appendTimes(b, pr.LastSeen, ids)
	}
	return append(b, '}')
}

func appendCommitRecord(b []byte, c commitRecord, ids *idOrder) []byte {
	b = append(b, `{"at":`...)
	b = appendTime(b, c.At)
	b = append(b, `,"last_success":`...)
	b = appendTime(b, c.LastSuccess)
	b = append(b, `,"watermarks":`...)
	b = appendTimes(b, c.Watermarks, ids)
	if len(c.Settled) > 0 {
		b = append(b, `,"settled":`...)
		b = appendTimes(b, c.Settled, ids)
	}
	if len(c.Written) > 0 {
		b = append(b, `,"written":`...)
		b = appendTimeLists(b, c.Written, ids)
	}
	return append(b, '}')
}

// idOrder is the ids of a progress, sorted once: its maps hold mostly
// the same scenario ids.
type idOrder struct {
	all []string
}

// appendMap appends the JSON object of m, its keys in order, each value
// by appendValue. The keys are taken from ids when they are all among
// them (one lookup each), sorted otherwise.
func appendMap[V any](b []byte, m map[string]V, ids *idOrder, appendValue func([]byte, V) []byte) []byte {
	if m == nil {
		return append(b, "null"...)
	}
	start := len(b)
	b = append(b, '{')
	n := 0
	if len(m) > len(ids.all)/8 {
		for _, id := range ids.all {
			if v, ok := m[id]; ok {
				b = appendMember(b, n, id, v, appendValue)
				n++
			}
		}
	}
	if n != len(m) {
		b = append(b[:start], '{')
		for i, key := range sortedKeys(m) {
			b = appendMember(b, i, key, m[key], appendValue)
		}
	}
	return append(b, '}')
}

func appendMember[V any](b []byte, i int, key string, v V, appendValue func([]byte, V) []byte) []byte {
	if i > 0 {
		b = append(b, ',')
	}
	b = appendJSONString(b, key)
	b = append(b, ':')
	return appendValue(b, v)
}

// appendTimes appends a map of times.
func appendTimes(b []byte, m map[string]time.Time, ids *idOrder) []byte {
	return appendMap(b, m, ids, appendTime)
}

// appendTimeLists appends a map of lists of times.
func appendTimeLists(b []byte, m map[string][]time.Time, ids *idOrder) []byte {
	return appendMap(b, m, ids, appendTimeList)
}

func appendTimeList(b []byte, list []time.Time) []byte {
	if list == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for j, t := range list {
		if j > 0 {
			b = append(b, ',')
		}
		b = appendTime(b, t)
	}
	return append(b, ']')
}

// appendTime appends t as time.Time's MarshalJSON does: RFC 3339 with
// nanoseconds, quoted. The times of a state file are within its years.
func appendTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

func appendInt(b []byte, n int) []byte { return strconv.AppendInt(b, int64(n), 10) }

// appendJSONString appends s quoted as encoding/json quotes it; texts with
// anything to escape (rare in scenario ids) are left to encoding/json.
func appendJSONString(b []byte, s string) []byte {
	for i := range len(s) {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' || c >= utf8.RuneSelf {
			q, err := json.Marshal(s)
			if err != nil {
				break
			}
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
