package mipapi

import (
	"cmp"
	"errors"
	"fmt"
	"iter"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// TimedRun is a run with its key parsed into a time. Raw is its JSON; Run
// is set once it is decoded, which only runs that are emitted are.
type TimedRun struct {
	// Time is when the run started.
	Time time.Time
	// Raw is the run's JSON, valid until the next entry is read.
	Raw []byte
	// Run is the decoded run, once RunDecoder.Decode has read Raw.
	Run *Run
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

// The run times a point can carry: InfluxDB line protocol stamps points in
// int64 nanoseconds since 1970, and a watermark must not be pushed past
// every later run by a time that overflowed.
var minRunTime = time.Unix(0, 0).UTC()

// MaxRunTime is the latest run time a point can carry:
// 2262-04-11T23:47:16.854775807Z.
var MaxRunTime = time.Unix(0, math.MaxInt64).UTC()

// parseRunTime reads the key of a run: an RFC 3339 / ISO 8601 time, or a Unix
// epoch in seconds, milliseconds, microseconds or nanoseconds (told apart by
// magnitude, which is unambiguous for any date between 1973 and 2262). A time
// before 1970 or after 2262-04-11 is refused: it has no nanosecond timestamp.
// A leap second (23:59:60 UTC, which RFC 3339 allows and the time package
// does not) is read as the next second, 00:00:00: a point has no instant
// for it.
// An offset of 24 hours or more, which time.Parse takes, is refused.
func parseRunTime(key string) (time.Time, error) {
	s := strings.TrimSpace(key)
	if s == "" {
		return time.Time{}, errors.New("empty run time")
	}
	if isEpoch(s) {
		return parseEpoch(s)
	}
	leap := false
	if len(s) >= len("2006-01-02T15:04:05") && s[13] == ':' && s[16] == ':' && s[17:19] == "60" {
		s, leap = s[:17]+"59"+s[19:], true
	}
	for _, layout := range runTimeLayouts {
		t, err := time.Parse(layout, s)
		if err != nil {
			continue
		}
		if !offsetInRange(s) {
			return time.Time{}, fmt.Errorf("run time %.40q has an offset out of range (hours 00 to 23, minutes 00 to 59)", key)
		}
		if leap {
			if u := t.UTC(); u.Hour() != 23 || u.Minute() != 59 {
				return time.Time{}, fmt.Errorf("run time %.40q has second 60, a leap second, not at 23:59:60 UTC", key)
			}
			t = t.Add(time.Second)
		}
		if !inRunTimeRange(t) {
			return time.Time{}, errOutOfRange(key)
		}
		return t, nil
	}
	return time.Time{}, fmt.Errorf("run time %.40q is neither RFC 3339 nor a Unix epoch", key)
}

// RunKeyTime reads a run's key as a gather does, for a key kept
// elsewhere (the Centreon plugin's --memory state).
func RunKeyTime(key string) (time.Time, error) { return parseRunTime(key) }

// offsetInRange tells whether the offset s ends with, ±HH:MM or ±HHMM,
// has hours 00 to 23 and minutes 00 to 59 (time.Parse checked the
// digits); a time without one is in range.
func offsetInRange[T []byte | string](s T) bool {
	n := len(s)
	var hh, mm T
	switch {
	case n >= 6 && (s[n-6] == '+' || s[n-6] == '-') && s[n-3] == ':':
		hh, mm = s[n-5:n-3], s[n-2:]
	case n >= 5 && (s[n-5] == '+' || s[n-5] == '-'):
		hh, mm = s[n-4:n-2], s[n-2:]
	default:
		return true
	}
	return string(hh) < "24" && string(mm) < "60"
}

func inRunTimeRange(t time.Time) bool {
	return !t.Before(minRunTime) && !t.After(MaxRunTime)
}

func errOutOfRange(key string) error {
	return fmt.Errorf("run time %.40q is out of range: not between 1970 and 2262-04-11", key)
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
	// Whole and fractional parts are read apart: a float64 cannot hold
	// nanoseconds since 1970, nor tell 1e17-1 from 1e17.
	whole, frac, _ := strings.Cut(s, ".")
	i, err := strconv.ParseInt(whole, 10, 64)
	switch {
	case errors.Is(err, strconv.ErrRange):
		return time.Time{}, errOutOfRange(s)
	case err != nil || strings.Contains(frac, "."):
		return time.Time{}, fmt.Errorf("run time %.40q is not a valid Unix epoch", s)
	}
	var nsPerUnit int64
	switch {
	case i >= 1e17:
		nsPerUnit = 1
	case i >= 1e14:
		nsPerUnit = int64(time.Microsecond)
	case i >= 1e11:
		nsPerUnit = int64(time.Millisecond)
	default:
		nsPerUnit = int64(time.Second)
	}
	var fracNs int64
	if frac != "" {
		f, err := strconv.ParseFloat("0."+frac, 64)
		if err != nil {
			return time.Time{}, fmt.Errorf("run time %.40q is not a valid Unix epoch", s)
		}
		fracNs = int64(math.Round(f * float64(nsPerUnit)))
	}
	// i*nsPerUnit+fracNs must fit in int64; fracNs <= nsPerUnit.
	if i > (math.MaxInt64-fracNs)/nsPerUnit {
		return time.Time{}, errOutOfRange(s)
	}
	return time.Unix(0, i*nsPerUnit+fracNs).UTC(), nil
}

// Runs returns the runs of e after the given time (all when it is zero) and
// up to until, in time order, oldest first, or only the newest one; the
// runs after until, stamped in the future, are returned apart, in time
// order. Keys that are not times are reported in bad and left out; of runs
// sent twice for the same instant (the same key, or one instant written two
// ways), the last in the response counts, as with any JSON object. It sorts
// and shrinks e's runs in place: a scenario may have millions of runs, and
// no copy of them is made.
func (e *MeasureEntry) Runs(after, until time.Time, newestOnly bool) (runs RunList, future []TimedRun, bad []error) {
	bad = slices.Clone(e.badKeys)
	slices.SortFunc(bad, func(a, b error) int { return strings.Compare(a.Error(), b.Error()) })
	if more := e.badKeyCount - len(e.badKeys); more > 0 {
		bad = append(bad, fmt.Errorf("and %d more run keys that are neither RFC 3339 nor a Unix epoch", more))
	}
	afterNs, untilNs := runNanosBound(after), runNanosBound(until)
	kept := e.results[:0]
	var later []rawRun
	for _, r := range e.results {
		switch {
		case r.ns <= afterNs:
		case r.ns > untilNs:
			later = append(later, r)
		default:
			kept = append(kept, r)
		}
	}
	runs.e = e
	for _, r := range lastPerInstant(later) {
		future = append(future, runs.timed(r))
	}
	switch {
	case len(kept) == 0:
	case newestOnly:
		// The arrival order breaks ties: the last in the response wins.
		runs.runs = []rawRun{slices.MaxFunc(kept, compareRuns)}
	default:
		runs.runs = lastPerInstant(kept)
	}
	return runs, future, bad
}

// runNanosBound is t in nanoseconds since 1970, clamped to what a run
// time can be.
func runNanosBound(t time.Time) int64 {
	switch {
	case t.Before(time.Unix(0, math.MinInt64)):
		return math.MinInt64
	case t.After(MaxRunTime):
		return math.MaxInt64
	}
	return t.UnixNano()
}

// lastPerInstant sorts runs by time, keeping of several runs at one instant
// the last in the response, in place.
func lastPerInstant(runs []rawRun) []rawRun {
	slices.SortFunc(runs, compareRuns)
	kept := runs[:0]
	for i, r := range runs {
		if i+1 < len(runs) && runs[i+1].ns == r.ns {
			continue // a later one at the same instant follows
		}
		kept = append(kept, r)
	}
	return kept
}

// compareRuns orders runs by time, then arrival: the arena only grows.
func compareRuns(a, b rawRun) int {
	if c := cmp.Compare(a.ns, b.ns); c != 0 {
		return c
	}
	return cmp.Compare(a.pos, b.pos)
}

// RunList is the runs a gather emits, oldest first; each is made a TimedRun
// only when its turn comes.
type RunList struct {
	e    *MeasureEntry
	runs []rawRun
}

// Len is the number of runs in l.
func (l RunList) Len() int { return len(l.runs) }

// Keep leaves out, in place, the runs whose time keep refuses.
func (l RunList) Keep(keep func(time.Time) bool) RunList {
	kept := l.runs[:0]
	for _, r := range l.runs {
		if keep(r.time()) {
			kept = append(kept, r)
		}
	}
	l.runs = kept
	return l
}

// timed makes r a TimedRun.
func (l RunList) timed(r rawRun) TimedRun {
	return TimedRun{Time: r.time(), Raw: l.e.raw(r)}
}

// Key is the run's time in RFC 3339, as messages name the run: the key as
// MIP wrote it is not kept.
func (tr TimedRun) Key() string { return tr.Time.Format(time.RFC3339Nano) }

// All yields the runs with their position, once. An arena chunk is let go
// once its runs are yielded: while a scenario with millions of runs is
// written, the garbage its points make then takes the place of the runs
// written, and memory does not double.
func (l RunList) All() iter.Seq2[int, TimedRun] {
	return func(yield func(int, TimedRun) bool) {
		left := make([]int32, len(l.e.runs.chunks))
		for _, r := range l.runs {
			left[r.chunk()]++
		}
		for i, r := range l.runs {
			tr := l.timed(r)
			// The first chunk is kept, for the next scenario.
			if c := r.chunk(); left[c] == 1 && c > 0 {
				l.e.runs.release(c)
			} else {
				left[c]--
			}
			if !yield(i, tr) {
				return
			}
		}
	}
}

// Behind are the runs of an entry left out as settled although stamped
// before every window MIP was asked for (see RunSelection.Behind): runs MIP
// sent that no gather asked for, recorded, most likely, by a robot whose
// clock is behind.
type Behind struct {
	Runs     int
	From, To time.Time // the oldest and the newest
}

// Behind returns the runs of the entry stamped before the windows asked.
func (e *MeasureEntry) Behind() Behind { return e.behind }

func (b *Behind) add(ns int64) {
	t := time.Unix(0, ns).UTC()
	b.Runs++
	if b.Runs == 1 || t.Before(b.From) {
		b.From = t
	}
	if t.After(b.To) {
		b.To = t
	}
}
