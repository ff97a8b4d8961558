package mipapi

import (
	"testing"
	"time"
)

// FuzzParseRunTime checks that any run key either parses to a time from 1970
// on whose nanoseconds fit in int64 or is refused, without panicking, and
// that the fast paths and the general parser agree.
func FuzzParseRunTime(f *testing.F) {
	for _, seed := range []string{"2026-11-25T10:00:00Z", "2026-11-25T10:00:00.123+02:00", "1795600800", "1795600800123", "1795600800.5", "", "-1",
		"9999999999999999999999", "2026-11-25 10:00:00", "9999-12-31T00:00:00Z", "99999999999", "2262-04-11T23:47:16.854775807Z", "1970-01-01T00:00:00+01:00"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, key string) {
		if fast, ok := rfc3339Nanos([]byte(key)); ok {
			slow, err := time.Parse(time.RFC3339Nano, key)
			if err != nil || slow.UnixNano() != fast {
				t.Fatalf("%q: the fast path reads %d, time.Parse %s (%v)", key, fast, slow, err)
			}
		}
		tm, err := parseRunTime(key)
		if ns, nsErr := runNanos([]byte(key)); (nsErr == nil) != (err == nil) || (err == nil && ns != tm.UnixNano()) {
			t.Fatalf("%q: parseRunTime reads %s (%v), runNanos %d (%v)", key, tm, err, ns, nsErr)
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
	})
}
