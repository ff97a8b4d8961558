package ledger

import (
	"math"
	"slices"
	"time"
)

// Pass is one gather's progress, uncommitted: what it wrote and deferred,
// per scenario. Nothing in it changes the ledger until Commit.
type Pass struct {
	l *Ledger
	// At is when the gather sent its request, by the plugin's clock.
	At time.Time
	// Window is how far back MIP is asked for runs; Capped tells that
	// lookback cut it short.
	Window time.Duration
	Capped bool
	// First: no gather succeeded before, here or in the state.
	First bool

	complete  bool                     // the response was read whole
	changes   map[string]*change       // per scenario
	horizons  map[string]time.Duration // the scenarios listed, with how late their runs may appear
	anchor    time.Time                // the next window starts here (minus the margin)
	budget    budget
	runs      int // runs written
	runPoints int // their points
	replays   int // runs written again after a restart
	losses    Losses
}

// change is what a pass does to one record.
type change struct {
	record     Record
	wroteFirst bool      // the first runs of a scenario without a watermark
	firstRun   time.Time // then, the oldest of them
	replayDone bool      // the replay of its runs is over
}

// Begin starts a gather whose request is sent at now.
func (l *Ledger) Begin(now time.Time) *Pass {
	p := &Pass{
		l:        l,
		At:       now,
		First:    l.state.LastSuccess.IsZero(),
		changes:  make(map[string]*change),
		horizons: make(map[string]time.Duration),
		anchor:   now,
		budget:   l.backlog.plan(l.cfg.MaxPoints),
	}
	p.Window, p.Capped = l.Window(now)
	return p
}

// Owed is which runs of a scenario a gather considers: those after After
// (the ones before are settled) and not after Until (later ones are stamped
// too far in the future, and wait for their time); on a first gather in
// "latest" mode, the newest only.
type Owed struct {
	After, Until time.Time
	NewestOnly   bool
}

// Owed returns which runs of a scenario the gather considers.
func (p *Pass) Owed(id string) Owed {
	r, _ := p.l.Record(id)
	return p.owedBy(&r)
}

func (p *Pass) owedBy(r *Record) Owed {
	return Owed{
		After:      r.Settled,
		Until:      p.At.Add(p.l.cfg.ClockSkew),
		NewestOnly: !r.Known() && p.First && p.l.cfg.NewestFirst,
	}
}

// Complete records that the response was read whole: only then does the
// commit move the window on and tell which scenarios are gone.
func (p *Pass) Complete() { p.complete = true }

// IsComplete tells whether the response was read whole.
func (p *Pass) IsComplete() bool { return p.complete }

// Runs returns the runs written so far, and how many of them were written
// again after a restart.
func (p *Pass) Runs() (runs, replayed int) { return p.runs, p.replays }

// SteadyRuns returns the runs an interval brings to the scenarios opened.
func (p *Pass) SteadyRuns() float64 { return p.budget.steadyRuns }

// Losses returns the runs that lookback put out of reach.
func (p *Pass) Losses() *Losses { return &p.losses }

// Scenario opens a scenario listed by the response: horizon is how late its
// runs may appear, steadyRuns how many runs an interval brings it.
func (p *Pass) Scenario(id string, horizon time.Duration, steadyRuns float64) *Scenario {
	r, _ := p.l.Record(id)
	p.horizons[id] = horizon
	p.budget.steadyRuns += steadyRuns
	s := &Scenario{
		p: p, id: id, rec: r, horizon: horizon, owed: p.owedBy(&r),
		share: p.budget.scenario(id), watermark: r.Watermark, settled: r.Settled,
		steadyRuns: steadyRuns,
	}
	s.replayedUpTo, s.replaying = p.l.replayed[id]
	return s
}

// Scenario is a pass's progress on one scenario.
type Scenario struct {
	p            *Pass
	id           string
	rec          Record // as committed
	horizon      time.Duration
	owed         Owed
	share        *scenarioShare
	watermark    time.Time // the newest run owed nothing
	settled      time.Time
	wrote        []time.Time
	deferred     bool
	replaying    bool
	replayedUpTo time.Time
	steadyRuns   float64 // runs an interval brings it
}

// Owed returns which runs of the scenario the gather considers.
func (s *Scenario) Owed() Owed { return s.owed }

// Owes tells whether run t, among those Owed returned, is still to write.
func (s *Scenario) Owes(t time.Time) bool { return s.rec.Owes(t) }

// Current tells whether run t is news: newer than every run written,
// before a restart too. Centreon takes a check as the service's current
// state: not for a run written again (it would notify a state change
// twice), nor for one recorded late, older than a check it has.
func (s *Scenario) Current(t time.Time) bool {
	return t.After(s.rec.Watermark) && (!s.replaying || t.After(s.replayedUpTo))
}

// Lost returns the span of the scenario's runs that lookback put out of
// reach: after the newest run written and before the window; ok is false
// when there is none.
func (s *Scenario) Lost() (from, to time.Time, ok bool) {
	if !s.p.Capped || !s.rec.Known() {
		return time.Time{}, time.Time{}, false
	}
	from, to = s.rec.Watermark, s.p.At.Add(-s.p.Window)
	if s.replaying && s.replayedUpTo.After(from) {
		from = s.replayedUpTo // written before the restart: not lost
	}
	return from, to, to.After(from)
}

// Take reserves n points of the gather's budget for the scenario, and
// reports false when they do not fit.
func (s *Scenario) Take(n int) bool { return s.share.take(n) }

// Wrote records run t written in points points.
func (s *Scenario) Wrote(t time.Time, points int) {
	s.wrote = append(s.wrote, t)
	s.p.runs++
	s.p.runPoints += points
	if s.replaying && !t.After(s.replayedUpTo) {
		s.p.replays++
	}
}

// Settle records run t settled without being written: it cannot be read,
// and would not read better at the next gather.
func (s *Scenario) Settle(t time.Time) {
	s.wrote = append(s.wrote, t)
}

// Defer records run t, and the left-1 owed runs after it, left for the
// next gathers.
func (s *Scenario) Defer(t time.Time, left int) {
	s.deferred = true
	s.p.budget.deferRuns(s.id, left)
	// The next window must reach this run, older than the watermark when
	// it was recorded late.
	s.p.anchor = minTime(s.p.anchor, t.Add(-time.Nanosecond))
	if !s.rec.Known() && len(s.wrote) == 0 {
		// Never written: this run and the later ones are owed, and no
		// older one (in "latest" mode, the newest run only).
		s.settled = t.Add(-time.Nanosecond)
		s.watermark = s.settled
	}
}

// Close ends the scenario's part of the pass. It returns the newest run
// written of the scenario (zero: none, ever) and whether runs were left
// for later.
func (s *Scenario) Close() (newest time.Time, deferred bool) {
	if len(s.wrote) > 0 {
		if latest := slices.MaxFunc(s.wrote, time.Time.Compare); latest.After(s.watermark) {
			s.watermark = latest
		}
		if s.owed.NewestOnly {
			s.settled = s.watermark // the older runs are left out on purpose
		}
	}
	if s.watermark.IsZero() {
		return time.Time{}, s.deferred
	}
	// A scenario missing from MIP's answers for a while: what it missed is
	// before this window, and comes with the next, which reaches back for
	// it; until then nothing after what it had is settled.
	var notAfter time.Time
	p := s.p
	if covered := s.rec.Covered; !covered.IsZero() && !p.Capped && p.At.Add(-p.Window).After(covered.Add(-s.horizon)) {
		notAfter = covered.Add(-s.horizon)
	}
	c := &change{record: s.rec.advance(s.watermark, s.settled, s.horizon, s.wrote, notAfter)}
	if !s.rec.Known() && len(s.wrote) > 0 {
		c.wroteFirst, c.firstRun = true, s.wrote[0]
	}
	c.replayDone = !s.deferred && s.replaying && s.watermark.After(s.replayedUpTo)
	switch {
	case s.deferred && s.share.steady:
		// Behind from now on: its points are no steady share the next
		// gathers must leave to the others.
		p.budget.steady -= s.share.used
	case s.share.steady && len(s.wrote) > 0:
		// Caught up in this gather, perhaps by writing a window of runs at
		// once (a first gather in "window" mode): the next gathers leave it
		// the points of the runs an interval brings, not of those.
		if runs := max(int(math.Ceil(s.steadyRuns)), 1); len(s.wrote) > runs {
			p.budget.steady -= s.share.used - s.share.used*runs/len(s.wrote)
		}
	}
	p.changes[s.id] = c
	return s.watermark, s.deferred
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
