package mip

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestParseRunTime(t *testing.T) {
	tests := []struct {
		key      string
		expected time.Time
	}{
		{key: "2026-11-25T10:00:00Z", expected: at("2026-11-25T10:00:00Z")},
		{key: "2026-11-25T10:00:00.123Z", expected: at("2026-11-25T10:00:00.123Z")},
		{key: "2026-11-25T10:00:00.123456789Z", expected: at("2026-11-25T10:00:00.123456789Z")},
		{key: "2026-11-25T12:00:00+02:00", expected: at("2026-11-25T10:00:00Z")},
		{key: "2026-11-25T05:00:00.5-05:00", expected: at("2026-11-25T10:00:00.5Z")},
		{key: "2026-11-25T12:00:00+0200", expected: at("2026-11-25T10:00:00Z")},
		{key: "2026-11-25T10:00:00", expected: at("2026-11-25T10:00:00Z")},
		{key: "2026-11-25 10:00:00", expected: at("2026-11-25T10:00:00Z")},
		{key: "2026-11-25 10:00:00.250+01:00", expected: at("2026-11-25T09:00:00.25Z")},
		{key: " 2026-11-25T10:00:00Z ", expected: at("2026-11-25T10:00:00Z")},
		{key: "1795600800", expected: at("2026-11-25T10:00:00Z")},
		{key: "1795600800.25", expected: at("2026-11-25T10:00:00.25Z")},
		{key: "1795600800123", expected: at("2026-11-25T10:00:00.123Z")},
		{key: "1795600800123456", expected: at("2026-11-25T10:00:00.123456Z")},
		{key: "1795600800123456789", expected: at("2026-11-25T10:00:00.123456789Z")},
		{key: "0", expected: time.Unix(0, 0)},
		// The ends of the nanosecond range.
		{key: "1970-01-01T00:00:00Z", expected: time.Unix(0, 0)},
		{key: "1970-01-01T01:00:00+01:00", expected: time.Unix(0, 0)},
		{key: "2262-04-11T23:47:16.854775807Z", expected: time.Unix(0, math.MaxInt64)},
		{key: "2262-04-11 23:47:16.854775807", expected: time.Unix(0, math.MaxInt64)},
		{key: "9223372036.854775807", expected: time.Unix(0, math.MaxInt64)},
		{key: "9223372036854775.807", expected: time.Unix(0, math.MaxInt64)},
		{key: "9223372036854775807", expected: time.Unix(0, math.MaxInt64)},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			got, err := parseRunTime(tt.key)
			require.NoError(t, err)
			require.True(t, tt.expected.Equal(got), "got %s, want %s", got, tt.expected)
		})
	}
}

func TestParseRunTimeRefuses(t *testing.T) {
	for _, key := range []string{"", "yesterday", "2026-13-45T10:00:00Z", "-1795600800", "1.2.3", "99999999999999999999999", "1e10", "NaN", "."} {
		t.Run(key, func(t *testing.T) {
			_, err := parseRunTime(key)
			require.Error(t, err)
		})
	}
}

// TestParseRunTimeOutOfRange: a time that has no int64 nanosecond
// timestamp is a malformed run, by the fast path and the general parser
// alike, not a point stamped in 1816 and a watermark stuck in 9999.
func TestParseRunTimeOutOfRange(t *testing.T) {
	for _, key := range []string{
		"9999-12-31T00:00:00Z",
		"9999-12-31T23:59:59.999999999+14:00",
		"2262-04-11T23:47:16.854775808Z",
		"2262-04-12T00:00:00Z",
		"2262-04-12 00:00:00",
		"2262-04-12T01:00:00+0100",
		"1969-12-31T23:59:59.999999999Z",
		"1970-01-01T00:30:00+01:00",
		"1970-01-01 00:30:00+01:00",
		"0001-01-01T00:00:00Z",
		"9223372037",           // seconds
		"99999999999",          // seconds, year 5138
		"9223372036.854775808", // one nanosecond too late
		"99999999999999",       // milliseconds
		"99999999999999999",    // microseconds
		"9223372036854775808",  // nanoseconds
		"99999999999999999999999",
	} {
		t.Run(key, func(t *testing.T) {
			_, err := parseRunTime(key)
			require.ErrorContains(t, err, "is out of range: not between 1970 and 2262-04-11")
			_, err = parseRunTimeBytes([]byte(key))
			require.ErrorContains(t, err, "is out of range")
			_, ok := fastRFC3339([]byte(key))
			require.False(t, ok)
		})
	}
}

func TestSortedRunsOrdersByTime(t *testing.T) {
	entry := entryWithRuns("1000000000", "{}", "999999999", "{}", "2001-09-09T01:46:40.5Z", "{}", "2001-09-09T03:46:39.5+02:00", "{}", "bad", "{}")
	runs, bad := sortedRuns(entry, time.Time{}, false)
	keys := make([]string, 0, len(runs))
	for _, r := range runs {
		keys = append(keys, r.Key)
	}
	require.Equal(t, []string{"999999999", "2001-09-09T03:46:39.5+02:00", "1000000000", "2001-09-09T01:46:40.5Z"}, keys)
	require.Len(t, bad, 1)
}

func TestSortedRunsLastDuplicateWins(t *testing.T) {
	entry := entryWithRuns("2026-11-25T10:00:00Z", `{"a":1}`, "2026-11-25T09:00:00Z", `{"b":2}`, "2026-11-25T10:00:00Z", `{"c":3}`)
	runs, bad := sortedRuns(entry, time.Time{}, false)
	require.Empty(t, bad)
	require.Len(t, runs, 2)
	require.Equal(t, `{"b":2}`, string(runs[0].Raw))
	require.Equal(t, `{"c":3}`, string(runs[1].Raw))
}

func TestSortedRunsAfterAndNewest(t *testing.T) {
	entry := entryWithRuns("2026-11-25T10:00:00Z", `{"a":1}`, "2026-11-25T09:00:00Z", `{"b":2}`, "2026-11-25T10:00:00Z", `{"c":3}`, "2026-11-25T09:30:00Z", `{"d":4}`)
	runs, _ := sortedRuns(entry, at("2026-11-25T09:00:00Z"), false)
	require.Len(t, runs, 2, "only runs after the watermark")
	require.Equal(t, `{"d":4}`, string(runs[0].Raw))
	require.Equal(t, `{"c":3}`, string(runs[1].Raw))

	runs, _ = sortedRuns(entry, time.Time{}, true)
	require.Len(t, runs, 1)
	require.Equal(t, `{"c":3}`, string(runs[0].Raw), "the newest, last of its duplicates")

	runs, _ = sortedRuns(entry, at("2026-11-25T10:00:00Z"), true)
	require.Empty(t, runs)
}

// entryWithRuns builds an entry from key, value pairs as the decoder would.
func entryWithRuns(pairs ...string) *measureEntry {
	e := &measureEntry{}
	for i := 0; i+1 < len(pairs); i += 2 {
		r := rawRun{keyStart: len(e.runBytes)}
		e.runBytes = append(e.runBytes, pairs[i]...)
		r.keyEnd, r.start = len(e.runBytes), len(e.runBytes)
		e.runBytes = append(e.runBytes, pairs[i+1]...)
		r.end = len(e.runBytes)
		e.Results = append(e.Results, r)
	}
	return e
}

func TestFastRFC3339AgreesWithTimeParse(t *testing.T) {
	for _, key := range []string{
		"2026-11-25T10:00:00Z", "2026-11-25T10:00:00.5Z", "2026-11-25T10:00:00.123456789Z", "2026-11-25T10:00:00.1234567891Z",
		"2026-11-25T12:00:00+02:00", "2026-11-25T05:00:00.25-05:00", "2024-02-29T00:00:00Z", "2026-12-31T23:59:59.999Z",
	} {
		fast, ok := fastRFC3339([]byte(key))
		require.True(t, ok, key)
		slow, err := time.Parse(time.RFC3339Nano, key)
		require.NoError(t, err)
		require.True(t, slow.Equal(fast), "%s: fast %s, time.Parse %s", key, fast, slow)
	}
	for _, key := range []string{"2026-02-30T10:00:00Z", "2026-13-01T10:00:00Z", "2026-11-25T24:00:00Z", "2026-11-25T10:00:00", "2026-11-25 10:00:00Z", "2026-11-25T10:00:00.Z", "2026-11-25T10:00:00+0200", "2026-11-25T10:00:00+24:00", "2026-11-25T1a:00:00Z"} {
		_, ok := fastRFC3339([]byte(key))
		require.False(t, ok, key)
	}
}
