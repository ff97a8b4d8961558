package mip

import (
	"errors"
	"time"

	"github.com/telegraf-mip/telegraf-mip/internal/output"
)

// MinAskGap is the shortest time between the starts of two gathers asked
// from outside (stdin lines, signals): asks that come sooner, or while a
// gather runs, make one gather. inputs.execd asks once an interval; a
// flood of lines must not become a flood of requests to MIP (at most 20 a
// second, fewer when gathers take longer).
const MinAskGap = 50 * time.Millisecond

// Schedule is when telegraf-mip gathers under inputs.execd. It also sizes
// the steady state the plugin advises on (see reportBacklog).
type Schedule struct {
	// PollInterval is how often to gather on the plugin's own clock; 0:
	// only when asked (telegraf-mip -poll_interval_disabled).
	PollInterval time.Duration
	// CatchUpInterval is how soon a gather follows the last one while runs
	// are left to write (max_points_per_gather) or output_health_url holds
	// the gathers back; 0: wait for the next interval or ask.
	CatchUpInterval time.Duration
}

// Serve gathers into pw, one gather at a time, until done is closed: at
// each value on asks (a line on stdin, a gather signal: inputs.execd's
// signal setting), on the poll ticker, and by itself, every catch-up
// interval, while the plugin has runs left to write or output_health_url
// holds the gathers back. It returns the write error that ends it: Telegraf
// no longer reads, and the runs of that gather, whose watermarks did not
// move, wait for the next start.
func (p *MIP) Serve(s Schedule, pw *output.Writer, asks, done <-chan struct{}) error {
	p.schedule = s
	var tick <-chan time.Time
	if s.PollInterval > 0 {
		// As the execd shim does, the first tick comes after one interval.
		ticker := time.NewTicker(s.PollInterval)
		defer ticker.Stop()
		tick = ticker.C
	}
	catchUp := time.NewTimer(time.Hour)
	catchUp.Stop()
	defer catchUp.Stop()
	var lastStart, lastEnd time.Time
	for {
		select {
		case <-done:
			return nil
		default:
		}
		asked := false
		select {
		case <-done:
			return nil
		case <-asks:
			asked = true
		case <-tick:
		case <-catchUp.C:
			lastEnd = time.Time{} // the catch-up gather itself
		}
		// While catching up, the timer gathers: the gathers asked sooner
		// pass, as two gathers of max_points_per_gather back to back would
		// fill Telegraf's buffer.
		if s.CatchUpInterval > 0 && (p.behind() || p.outputHeld()) && time.Since(lastEnd) < s.CatchUpInterval {
			p.Log.Debugf("catching up: the next gather comes %s after the last one", s.CatchUpInterval)
			continue
		}
		if wait := time.Until(lastStart.Add(MinAskGap)); asked && wait > 0 {
			select {
			case <-done:
				return nil
			case <-time.After(wait):
			}
		}
		lastStart = time.Now()
		ok, err := p.serveGather(pw)
		if err != nil {
			return err
		}
		lastEnd = time.Now()
		if s.CatchUpInterval > 0 {
			if (ok && p.behind()) || p.outputHeld() {
				catchUp.Reset(s.CatchUpInterval)
			} else {
				catchUp.Stop() // caught up, or MIP failing: back to the interval
			}
		}
	}
}

// serveGather runs one gather, logs its error as an "E! " line that execd
// understands, and reports whether it succeeded; a failed write to the
// output is returned.
func (p *MIP) serveGather(pw *output.Writer) (ok bool, writeErr error) {
	err := output.Gather(p, pw)
	var werr *output.WriteError
	switch {
	case errors.As(err, &werr):
		return false, err
	case errors.Is(err, ErrStopped):
		p.Log.Info(err)
	case err != nil:
		p.Log.Errorf("gather failed: %v", err)
	}
	return err == nil, nil
}
