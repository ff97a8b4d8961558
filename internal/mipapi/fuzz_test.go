package mipapi

import (
	"strings"
	"testing"
	"time"
)

// FuzzParseRunTime checks that any run key either parses to a time from 1970
// on whose nanoseconds fit in int64 or is refused, without panicking; that
// reading it from bytes and from a string agree; that an RFC 3339 time
// time.Parse reads is read the same; and that no offset of 24 hours is
// taken.
func FuzzParseRunTime(f *testing.F) {
	for _, seed := range []string{"2026-11-25T10:00:00Z", "2026-11-25T10:00:00.123+02:00", "1795600800", "1795600800123", "1795600800.5", "", "-1",
		"9999999999999999999999", "2026-11-25 10:00:00", "9999-12-31T00:00:00Z", "99999999999", "2262-04-11T23:47:16.854775807Z", "1970-01-01T00:00:00+01:00",
		"2016-12-31T23:59:60Z", "2016-12-31T15:59:60.5-08:00", "2026-11-25T10:00:00+24:00", "2026-11-25T10:00:00-2400"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, key string) {
		tm, err := parseRunTime(key)
		if ns, nsErr := runNanos([]byte(key)); (nsErr == nil) != (err == nil) || (err == nil && ns != tm.UnixNano()) {
			t.Fatalf("%q: parseRunTime reads %s (%v), runNanos %d (%v)", key, tm, err, ns, nsErr)
		}
		if slow, perr := time.Parse(time.RFC3339Nano, key); perr == nil && offsetInRange(key) && inRunTimeRange(slow) && (err != nil || !slow.Equal(tm)) {
			t.Fatalf("%q: time.Parse reads %s, parseRunTime %s (%v)", key, slow, tm, err)
		}
		if err != nil {
			return
		}
		if !time.Unix(0, tm.UnixNano()).Equal(tm) {
			t.Fatalf("%q parsed to %s, which overflows int64 nanoseconds", key, tm)
		}
		if tm.Before(time.Unix(0, 0)) {
			t.Fatalf("%q parsed to %s, before 1970", key, tm)
		}
		if s := strings.TrimSpace(key); len(s) > 6 && (strings.HasSuffix(s[:len(s)-3], "+24:") || strings.HasSuffix(s[:len(s)-3], "-24:")) {
			t.Fatalf("%q: an offset of 24 hours taken, as %s", key, tm)
		}
	})
}
