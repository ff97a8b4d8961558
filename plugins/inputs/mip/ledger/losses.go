package ledger

import "time"

// Losses are the runs a gather could not reach, summed over the scenarios,
// to be reported in one line.
type Losses struct {
	Runs      int64    // counted runs
	Uncounted int      // scenarios whose runs could not be counted
	IDs       []string // the scenarios
	From, To  time.Time
}

// Add counts the runs of scenario id between from and to: runs of them,
// or an unknown number when counted is false.
func (l *Losses) Add(id string, from, to time.Time, runs int64, counted bool) {
	if counted {
		l.Runs += runs
	} else {
		l.Uncounted++
	}
	l.IDs = append(l.IDs, id)
	if l.From.IsZero() || from.Before(l.From) {
		l.From = from
	}
	if to.After(l.To) {
		l.To = to
	}
}
