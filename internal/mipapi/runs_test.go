package mipapi

import (
	"fmt"
	"math"
	"strings"
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
// timestamp is a malformed run, read from bytes or from a string alike, not a point stamped in 1816 and a watermark stuck in 9999.
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
			_, err = runNanos([]byte(key))
			require.ErrorContains(t, err, "is out of range")
		})
	}
}

func TestSortedRunsOrdersByTime(t *testing.T) {
	entry := entryWithRuns("1000000000", "{}", "999999999", "{}", "2001-09-09T01:46:40.5Z", "{}", "2001-09-09T03:46:39.5+02:00", "{}", "bad", "{}")
	runs, bad := sortedRuns(entry, time.Time{}, false)
	require.Equal(t, []string{"2001-09-09T01:46:39Z", "2001-09-09T01:46:39.5Z", "2001-09-09T01:46:40Z", "2001-09-09T01:46:40.5Z"}, runKeys(runs),
		"999999999, 03:46:39.5+02:00, 1000000000, 01:46:40.5Z")
	require.Len(t, bad, 1)
}

func TestSortedRunsSameTimeOtherKeyCountsOnce(t *testing.T) {
	entry := entryWithRuns("2026-11-25T12:00:00+02:00", `{"a":1}`, "1795600800", `{"b":2}`, "2026-11-25T10:00:00Z", `{"c":3}`)
	runs, bad := sortedRuns(entry, time.Time{}, false)
	require.Empty(t, bad)
	require.Equal(t, []string{`{"c":3}`}, runValues(runs), "three keys, one time: the last counts")
}

func TestSortedRunsLastDuplicateWins(t *testing.T) {
	entry := entryWithRuns("2026-11-25T10:00:00Z", `{"a":1}`, "2026-11-25T09:00:00Z", `{"b":2}`, "2026-11-25T10:00:00Z", `{"c":3}`)
	runs, bad := sortedRuns(entry, time.Time{}, false)
	require.Empty(t, bad)
	require.Equal(t, []string{`{"b":2}`, `{"c":3}`}, runValues(runs))
}

func TestSortedRunsAfterAndNewest(t *testing.T) {
	pairs := []string{
		"2026-11-25T10:00:00Z", `{"a":1}`, "2026-11-25T09:00:00Z", `{"b":2}`,
		"2026-11-25T10:00:00Z", `{"c":3}`, "2026-11-25T09:30:00Z", `{"d":4}`,
	}
	tests := []struct {
		name       string
		after      time.Time
		newestOnly bool
		want       []string
	}{
		{name: "only runs after the watermark", after: at("2026-11-25T09:00:00Z"), want: []string{`{"d":4}`, `{"c":3}`}},
		{name: "the newest, last of its duplicates", newestOnly: true, want: []string{`{"c":3}`}},
		{name: "nothing newer", after: at("2026-11-25T10:00:00Z"), newestOnly: true, want: make([]string, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runs, _ := sortedRuns(entryWithRuns(pairs...), tt.after, tt.newestOnly)
			require.Equal(t, tt.want, runValues(runs))
		})
	}
}

func TestBadRunKeysAreCounted(t *testing.T) {
	pairs := make([]string, 0, 2*(maxBadKeys+5))
	for i := range maxBadKeys + 5 {
		pairs = append(pairs, fmt.Sprintf("bad%02d", i), "{}")
	}
	body := `{"results": [{"measure": {"id": 7}, "results": {` + jsonMembers(pairs...) + `}}]}`
	var bad []error
	require.NoError(t, forEachEntry(DecodeMeasureDetails(strings.NewReader(body)), nil, func(e *MeasureEntry, err error) {
		require.NoError(t, err)
		_, bad = sortedRuns(e, time.Time{}, false)
	}))
	require.Len(t, bad, maxBadKeys+1)
	require.EqualError(t, bad[maxBadKeys], "and 5 more run keys that are neither RFC 3339 nor a Unix epoch")
}

// TestDecoderKeepsTheSelectedRunsOnly checks that the runs a gather will
// not emit are not kept: memory follows the runs emitted.
func TestDecoderKeepsTheSelectedRunsOnly(t *testing.T) {
	runs := jsonMembers("2026-11-25T09:00:00Z", `{"a":1}`, "2026-11-25T10:00:00Z", `{"b":2}`, "bad", "{}",
		"2026-11-25T10:00:00Z", `{"c":3}`, "2026-11-25T09:30:00Z", `{"d":4}`)
	tests := []struct {
		name     string
		entry    string
		sel      RunSelection
		kept     []string
		badKeys  int
		contains string // the entry's problem
		behind   Behind
	}{
		{name: "all", entry: `{"measure": {"id": 7}, "results": {` + runs + `}}`, kept: []string{`{"a":1}`, `{"b":2}`, `{"c":3}`, `{"d":4}`}, badKeys: 1},
		{
			name:    "after",
			entry:   `{"measure": {"id": 7}, "results": {` + runs + `}}`,
			sel:     RunSelection{After: at("2026-11-25T09:00:00Z")},
			kept:    []string{`{"b":2}`, `{"c":3}`, `{"d":4}`},
			badKeys: 1,
		},
		{
			// Of the runs settled, those before the windows asked and after
			// the newest reported before.
			name:    "after, behind the windows",
			entry:   `{"measure": {"id": 7}, "results": {` + runs + `}}`,
			sel:     RunSelection{After: at("2026-11-25T09:30:00Z"), Behind: at("2026-11-25T09:45:00Z"), Reported: at("2026-11-25T08:00:00Z")},
			kept:    []string{`{"b":2}`, `{"c":3}`},
			badKeys: 1,
			behind:  Behind{Runs: 2, From: at("2026-11-25T09:00:00Z"), To: at("2026-11-25T09:30:00Z")},
		},
		{
			name:    "after, behind the windows, one reported",
			entry:   `{"measure": {"id": 7}, "results": {` + runs + `}}`,
			sel:     RunSelection{After: at("2026-11-25T09:30:00Z"), Behind: at("2026-11-25T09:45:00Z"), Reported: at("2026-11-25T09:00:00Z")},
			kept:    []string{`{"b":2}`, `{"c":3}`},
			badKeys: 1,
			behind:  Behind{Runs: 1, From: at("2026-11-25T09:30:00Z"), To: at("2026-11-25T09:30:00Z")},
		},
		{
			name:    "newest only",
			entry:   `{"measure": {"id": 7}, "results": {` + runs + `}}`,
			sel:     RunSelection{NewestOnly: true},
			kept:    []string{`{"c":3}`},
			badKeys: 1,
		},
		{
			name:    "newest only, the future apart",
			entry:   `{"measure": {"id": 7}, "results": {` + runs + `}}`,
			sel:     RunSelection{NewestOnly: true, Until: at("2026-11-25T09:45:00Z")},
			kept:    []string{`{"b":2}`, `{"c":3}`, `{"d":4}`},
			badKeys: 1,
		},
		{name: "filtered out", entry: `{"measure": {"id": 7}, "results": {` + runs + `}}`, sel: RunSelection{Skip: true}},
		{
			name:    "measure after the runs: all kept",
			entry:   `{"results": {` + runs + `}, "measure": {"id": 7}}`,
			sel:     RunSelection{Skip: true},
			kept:    []string{`{"a":1}`, `{"b":2}`, `{"c":3}`, `{"d":4}`},
			badKeys: 1,
		},
		{
			name:  "results twice: the last counts",
			entry: `{"measure": {"id": 7}, "results": {` + runs + `}, "results": {"2026-11-25T11:00:00Z": {"e":5}}}`,
			kept:  []string{`{"e":5}`},
		},
		{
			name:     "measure again after the runs",
			entry:    `{"measure": {"id": 7}, "results": {}, "measure": {"id": 8}}`,
			contains: `"measure" is sent again after "results"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			called := false
			err := forEachEntry(DecodeMeasureDetails(strings.NewReader(`{"results": [`+tt.entry+`]}`)), func(m *Measure) RunSelection {
				require.Equal(t, "7", string(m.ID))
				return tt.sel
			}, func(e *MeasureEntry, err error) {
				called = true
				if tt.contains != "" {
					require.ErrorContains(t, err, tt.contains)
					return
				}
				require.NoError(t, err)
				var kept []string
				for _, r := range e.results {
					kept = append(kept, string(e.raw(r)))
				}
				require.Equal(t, tt.kept, kept)
				require.Equal(t, tt.badKeys, e.badKeyCount)
				require.Equal(t, tt.behind, e.Behind())
			})
			require.NoError(t, err)
			require.True(t, called)
		})
	}
}

func jsonMembers(pairs ...string) string {
	var b strings.Builder
	for i := 0; i+1 < len(pairs); i += 2 {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%q: %s", pairs[i], pairs[i+1])
	}
	return b.String()
}

func runKeys(runs RunList) []string {
	keys := make([]string, 0, runs.Len())
	for _, r := range runs.All() {
		keys = append(keys, r.Key())
	}
	return keys
}

func runValues(runs RunList) []string {
	values := make([]string, 0, runs.Len())
	for _, r := range runs.All() {
		values = append(values, string(r.Raw))
	}
	return values
}

// entryWithRuns builds an entry from key, value pairs as the decoder would
// with no selection.
func entryWithRuns(pairs ...string) *MeasureEntry {
	var e *MeasureEntry
	body := `{"results": [{"measure": {"id": 1}, "results": {` + jsonMembers(pairs...) + `}}]}`
	err := forEachEntry(DecodeMeasureDetails(strings.NewReader(body)), nil, func(entry *MeasureEntry, err error) {
		if err != nil {
			panic(err)
		}
		e = entry
	})
	if err != nil {
		panic(err)
	}
	return e
}

func TestRunNanosAgreesWithTimeParse(t *testing.T) {
	for _, key := range []string{
		"2026-11-25T10:00:00Z", "2026-11-25T10:00:00.5Z", "2026-11-25T10:00:00.123456789Z", "2026-11-25T10:00:00.1234567891Z",
		"2026-11-25T12:00:00+02:00", "2026-11-25T05:00:00.25-05:00", "2024-02-29T00:00:00Z", "2026-12-31T23:59:59.999Z",
	} {
		ns, err := runNanos([]byte(key))
		require.NoError(t, err, key)
		slow, err := time.Parse(time.RFC3339Nano, key)
		require.NoError(t, err)
		require.Equal(t, slow.UnixNano(), ns, "%s: runNanos %s, time.Parse %s", key, time.Unix(0, ns).UTC(), slow)
	}
	for _, key := range []string{"2026-02-30T10:00:00Z", "2026-13-01T10:00:00Z", "2026-11-25T24:00:00Z",
		"2026-11-25T10:00:00.Z", "2026-11-25T10:00:00+24:00", "2026-11-25T1a:00:00Z"} {
		_, err := runNanos([]byte(key))
		require.Error(t, err, key)
	}
}

// TestLeapSecondsAndOffsets: a leap second, valid RFC 3339, is read as the
// next second; an offset of 24 hours or 60 minutes, which time.Parse takes,
// is refused.
func TestLeapSecondsAndOffsets(t *testing.T) {
	for key, want := range map[string]string{
		"2016-12-31T23:59:60Z":        "2017-01-01T00:00:00Z",
		"2016-12-31T23:59:60.5Z":      "2017-01-01T00:00:00.5Z",
		"2016-12-31T15:59:60-08:00":   "2017-01-01T00:00:00Z",
		"2017-01-01T05:29:60+05:30":   "2017-01-01T00:00:00Z",
		"2016-12-31 23:59:60":         "2017-01-01T00:00:00Z",
		"2026-11-25T10:00:00+23:59":   "2026-11-24T10:01:00Z",
		"2026-11-25T10:00:00-2359":    "2026-11-26T09:59:00Z",
		"2016-12-31T23:59:60.000000Z": "2017-01-01T00:00:00Z",
	} {
		got, err := parseRunTime(key)
		require.NoError(t, err, key)
		require.True(t, at(want).Equal(got), "%s: got %s, want %s", key, got, want)
		ns, err := runNanos([]byte(key))
		require.NoError(t, err, key)
		require.Equal(t, at(want).UnixNano(), ns, key)
	}
	for key, msg := range map[string]string{
		"2026-11-25T10:00:00+24:00": "offset out of range",
		"2026-11-25T10:00:00-24:00": "offset out of range",
		"2026-11-25T10:00:00+2400":  "offset out of range",
		"2026-11-25 10:00:00+24:00": "offset out of range",
		"2026-11-25T10:00:00+01:60": "offset out of range",
		"2026-11-25T10:59:60Z":      "leap second, not at 23:59:60 UTC",
		"2016-12-31T23:58:60Z":      "leap second, not at 23:59:60 UTC",
		"2016-12-31T23:59:61Z":      "neither RFC 3339 nor a Unix epoch",
		"2262-04-11T23:59:60Z":      "out of range",
	} {
		_, err := parseRunTime(key)
		require.ErrorContains(t, err, msg, key)
		_, err = runNanos([]byte(key))
		require.ErrorContains(t, err, msg, key)
	}
}

// at parses an RFC 3339 time of a test.
func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

// sortedRuns is MeasureEntry.Runs with no run in the future.
func sortedRuns(e *MeasureEntry, after time.Time, newestOnly bool) (RunList, []error) {
	runs, _, bad := e.Runs(after, MaxRunTime, newestOnly)
	return runs, bad
}

// BenchmarkRunNanos is the reading of one run key, which a response holds
// for every run.
func BenchmarkRunNanos(b *testing.B) {
	key := []byte("2026-11-25T09:01:00.000Z")
	var sum int64
	for b.Loop() {
		ns, err := runNanos(key)
		if err != nil {
			b.Fatal(err)
		}
		sum += ns
	}
	if sum == 0 {
		b.Fatal("no time read")
	}
}

// forEachEntry reads an answer as a gather does: it chooses the runs of
// each measure with sel (nil: all), and calls fn with each entry, or what
// is wrong with it.
func forEachEntry(d *DetailsDecoder, sel func(*Measure) RunSelection, fn func(*MeasureEntry, error)) error {
	for d.Next() {
		var chosen RunSelection
		if m := d.Measure(); m != nil && sel != nil {
			chosen = sel(m)
		}
		if e, err := d.Entry(chosen); e != nil || err != nil {
			fn(e, err)
		}
	}
	return d.Err()
}

// TestNextLeavesAnEntryUnread: a caller that does not read an entry's runs
// (no Entry) gets the next entry, and the answer is read whole.
func TestNextLeavesAnEntryUnread(t *testing.T) {
	entry := func(id string) string {
		return `{"measure": {"id": ` + id + `}, "results": {"2026-11-25T09:00:00Z": {"a": 1}}, "metricInfo": {}}`
	}
	d := DecodeMeasureDetails(strings.NewReader(`{"results": [` + entry("1") + `, ` + entry("2") + `, ` + entry("1") + `, ` + entry("3") + `]}`))
	var ids []string
	for d.Next() {
		ids = append(ids, string(d.Measure().ID))
	}
	require.NoError(t, d.Err())
	require.Equal(t, []string{"1", "2", "3"}, ids, "the second entry of measure 1 left out")
	e, err := d.Entry(RunSelection{})
	require.Nil(t, e, "no entry after the last")
	require.NoError(t, err)
}

// TestMeasureAgainAfterTheRunsOfAnother: an entry whose second "measure",
// after its runs, is of a measure sent before is left out, as an entry of
// that measure is, and counted as sent again.
func TestMeasureAgainAfterTheRunsOfAnother(t *testing.T) {
	body := `{"results": [{"measure": {"id": 3}, "results": {}}, {"measure": {"id": 7}, "results": {}, "measure": {"id": 3}}]}`
	c := new(Cache)
	d := c.DecodeMeasureDetails(strings.NewReader(body))
	var entries, problems int
	for d.Next() {
		e, err := d.Entry(RunSelection{})
		switch {
		case err != nil:
			problems++
		case e != nil:
			entries++
		}
	}
	require.NoError(t, d.Err())
	require.Equal(t, 1, entries)
	require.Zero(t, problems)
	require.Equal(t, 2, c.ids["3"])
}
