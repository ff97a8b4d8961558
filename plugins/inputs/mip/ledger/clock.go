package ledger

import (
	"slices"
	"time"
)

// Ahead is how far the times of a restored state lay ahead of the clock, and
// what Resume did about it.
type Ahead struct {
	By         time.Duration // the farthest a time of the state lay ahead
	Watermarks int           // scenarios whose newest run written lay ahead
}

// resume checks a restored state against the clock at now: times further
// ahead than the clock skew tolerance mean the clock went back since they
// were saved (or MIP's did). The state is then resumed from a safe point:
// the next window reaches back lookback, as far as MIP is asked at most, so
// that the runs recorded since the last real success are asked for again
// (the records tell which were written); a watermark ahead is brought back
// to the newest run written before now, its runs settled only up to the safe
// point. It returns what lay
// ahead; zero when nothing did.
func (l *Ledger) resume(now time.Time) Ahead {
	limit := now.Add(l.cfg.ClockSkew)
	var ahead Ahead
	note := func(t time.Time) bool {
		if !t.After(limit) {
			return false
		}
		ahead.By = max(ahead.By, t.Sub(now))
		return true
	}
	st := l.state
	safe := now.Add(-l.cfg.Lookback + WindowMargin)
	lastSuccess := note(st.LastSuccess)
	for _, r := range st.Scenarios {
		if note(r.Covered) || (lastSuccess && !r.Covered.IsZero()) {
			r.Covered = safe
		}
		if note(r.LastSeen) {
			r.LastSeen = now
		}
		if note(r.Watermark) {
			// Back to the newest run written before now: its runs since the
			// safe point are owed again, but those written, so that the runs
			// MIP recorded since the clocks were set right are not taken
			// for old ones.
			ahead.Watermarks++
			r.Settled = minTime(r.Settled, safe)
			r.Written = slices.DeleteFunc(r.Written, func(t time.Time) bool { return !t.After(r.Settled) || t.After(now) })
			r.Watermark = r.Settled
			if n := len(r.Written); n > 0 {
				r.Watermark = r.Written[n-1]
			} else {
				r.Written = nil
			}
		}
	}
	for i := range st.Journal {
		if note(st.Journal[i].At) {
			st.Journal[i].At = now
		}
	}
	if ahead.By > 0 && !st.LastSuccess.IsZero() {
		st.LastSuccess = minTime(st.LastSuccess, safe)
	}
	return ahead
}
