package mip

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// timedRun is a run with its key parsed into a time.
type timedRun struct {
	Key  string
	Time time.Time
	Run  *run
}

// runTimeLayouts are the ISO 8601 shapes accepted for a run key, tried in
// order; a layout without a zone is read as UTC.
var runTimeLayouts = []string{
	time.RFC3339Nano, // also takes no fraction and any offset with a colon
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999Z0700",
	"2006-01-02 15:04:05.999999999",
}

// parseRunTime reads the key of a run: an RFC 3339 / ISO 8601 time, or a Unix
// epoch in seconds, milliseconds, microseconds or nanoseconds (told apart by
// magnitude, which is unambiguous for any date between 1973 and 5138).
func parseRunTime(key string) (time.Time, error) {
	s := strings.TrimSpace(key)
	if s == "" {
		return time.Time{}, errors.New("empty run time")
	}
	if isEpoch(s) {
		return parseEpoch(s)
	}
	for _, layout := range runTimeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("run time %.40q is neither RFC 3339 nor a Unix epoch", key)
}

func isEpoch(s string) bool {
	digits := false
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			digits = true
		case c == '.':
		default:
			return false
		}
	}
	return digits
}

func parseEpoch(s string) (time.Time, error) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v < 0 {
		return time.Time{}, fmt.Errorf("run time %.40q is not a valid Unix epoch", s)
	}
	var nsPerUnit int64
	switch {
	case v >= 1e17:
		nsPerUnit = 1
	case v >= 1e14:
		nsPerUnit = int64(time.Microsecond)
	case v >= 1e11:
		nsPerUnit = int64(time.Millisecond)
	default:
		nsPerUnit = int64(time.Second)
	}
	// Whole and fractional parts are converted apart: a float64 cannot hold
	// nanoseconds since 1970.
	whole, frac, _ := strings.Cut(s, ".")
	i, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || i > math.MaxInt64/nsPerUnit-1 {
		return time.Time{}, fmt.Errorf("run time %.40q is out of range", s)
	}
	var fracNs int64
	if frac != "" {
		f, _ := strconv.ParseFloat("0."+frac, 64) // digits only: checked by isEpoch
		fracNs = int64(math.Round(f * float64(nsPerUnit)))
	}
	return time.Unix(0, i*nsPerUnit+fracNs).UTC(), nil
}

// sortedRuns returns the runs of an entry in time order, oldest first. Keys
// that are not times are reported in bad and left out.
func sortedRuns(results map[string]run) (runs []timedRun, bad []error) {
	runs = make([]timedRun, 0, len(results))
	for key := range results {
		t, err := parseRunTime(key)
		if err != nil {
			bad = append(bad, err)
			continue
		}
		r := results[key]
		runs = append(runs, timedRun{Key: key, Time: t, Run: &r})
	}
	slices.SortFunc(runs, func(a, b timedRun) int {
		if c := a.Time.Compare(b.Time); c != 0 {
			return c
		}
		return strings.Compare(a.Key, b.Key)
	})
	slices.SortFunc(bad, func(a, b error) int { return strings.Compare(a.Error(), b.Error()) })
	return runs, bad
}
