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
			if !inRunTimeRange(t) {
				return time.Time{}, errOutOfRange(key)
			}
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("run time %.40q is neither RFC 3339 nor a Unix epoch", key)
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

// rfc3339Nanos reads YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM), the layout
// MIP is seen to use, as nanoseconds since 1970, in place and from the
// digits, without the time package: a response holds a key for every run.
// It reports false for anything else, and for a time out of range, which
// parseRunTime then reads or refuses.
func rfc3339Nanos(b []byte) (int64, bool) {
	if len(b) < 20 || b[4] != '-' || b[7] != '-' || b[10] != 'T' || b[13] != ':' || b[16] != ':' {
		return 0, false
	}
	for _, i := range rfc3339Digits {
		if b[i]-'0' > 9 {
			return 0, false
		}
	}
	two := func(i int) int { return int(b[i]-'0')*10 + int(b[i+1]-'0') }
	year, month, day, hour, minute, sec := two(0)*100+two(2), two(5), two(8), two(11), two(14), two(17)
	if month < 1 || month > 12 || day < 1 || day > daysIn(month, year) || hour > 23 || minute > 59 || sec > 59 {
		return 0, false // February 30th and the like too
	}
	i, nsec := 19, 0
	if b[i] == '.' {
		i++
		start := i
		for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
			if i-start < 9 {
				nsec = nsec*10 + int(b[i]-'0')
			}
		}
		if i == start {
			return 0, false
		}
		for n := i - start; n < 9; n++ {
			nsec *= 10
		}
	}
	var offset int
	switch rest := b[i:]; {
	case len(rest) == 1 && rest[0] == 'Z':
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		oh, okh := digits(rest[1:3])
		om, okm := digits(rest[4:6])
		if !okh || !okm || oh > 23 || om > 59 {
			return 0, false
		}
		offset = (oh*60 + om) * 60
		if rest[0] == '-' {
			offset = -offset
		}
	default:
		return 0, false
	}
	secs := int64(daysSinceEpoch(year, month, day))*86400 + int64(hour*3600+minute*60+sec-offset)
	// 1970 to 2262-04-11T23:47:16.854775807Z, what int64 nanoseconds hold.
	const maxSecs, maxNsec = math.MaxInt64 / 1_000_000_000, math.MaxInt64 % 1_000_000_000
	if secs < 0 || secs > maxSecs || (secs == maxSecs && nsec > maxNsec) {
		return 0, false
	}
	return secs*1e9 + int64(nsec), true
}

// rfc3339Digits are where YYYY-MM-DDTHH:MM:SS has its digits.
var rfc3339Digits = [...]int{0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18}

// daysIn is the number of days of a month of the proleptic Gregorian
// calendar.
func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysSinceEpoch is the number of days from 1970-01-01 to a date of the
// proleptic Gregorian calendar (Howard Hinnant's days_from_civil).
func daysSinceEpoch(year, month, day int) int {
	if month <= 2 {
		year--
	}
	era := year / 400
	if year < 0 && year%400 != 0 {
		era--
	}
	yoe := year - era*400
	mp := (month + 9) % 12
	doy := (153*mp+2)/5 + day - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// digits reads a short run of ASCII digits.
func digits(b []byte) (int, bool) {
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}
