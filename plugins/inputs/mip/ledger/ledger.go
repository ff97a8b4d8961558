// Package ledger keeps the account of the runs the mip plugin delivered: per
// scenario a Record (the newest run written, the time up to which every run
// is settled, the runs written after it); the journal of the gathers
// committed lately, which a replay rewinds; the budget of points a gather
// may write and the backlog it leaves; and the state file that keeps it
// across restarts.
//
// A gather begins a Pass, asks it per scenario which runs are owed, tells
// it what it wrote or deferred, and commits it once its points are
// delivered: Commit is the only thing that changes a Ledger after Restore.
// The package knows neither Telegraf nor MIP's API.
package ledger

import (
	"maps"
	"slices"
	"time"
)

// Config is what the ledger needs of the plugin's configuration.
type Config struct {
	// Lookback bounds how far back a gather asks for runs.
	Lookback time.Duration
	// Replay is how long the committed gathers stay in the journal: those a
	// reader that stopped may not have sent (replay_on_restart).
	Replay time.Duration
	// ClockSkew is how far ahead of the plugin's clock a run may be
	// stamped and still be written (clock_skew_tolerance).
	ClockSkew time.Duration
	// NewestFirst: a first gather writes each scenario's newest run only
	// (first_gather = "latest").
	NewestFirst bool
	// MaxPoints bounds the points of a gather; 0: no bound.
	MaxPoints int
	// PointsPerRun is the points a run is expected to bring before any
	// run was written (after a restart with a backlog, say); 0: 8, as the
	// narrow layout's runs of six metrics.
	PointsPerRun float64
}

// State is what the ledger keeps across restarts: one instance's entry in
// the state file.
type State struct {
	// LastSuccess is when the last gather whose response was read whole
	// sent its request; the next window starts there. Zero: none yet.
	LastSuccess time.Time          `json:"last_success,omitzero"`
	Scenarios   map[string]*Record `json:"scenarios"`
	// Journal holds the gathers committed within Replay before the last
	// save, oldest first, each with what it changed.
	Journal []Entry `json:"journal,omitempty"`
	// Backlog is what the last gather left to write: a start carries the
	// backfill on, its window reaching as far back as before.
	Backlog *Left `json:"backlog,omitempty"`
	// HeldSince is when output_health_url started holding the gathers, in
	// a hold still going on: a process that gathers once (-once) times
	// the hold across processes.
	HeldSince time.Time `json:"held_since,omitzero"`
}

// Left is what a gather left to write.
type Left struct {
	Runs      int      `json:"runs"`
	Scenarios []string `json:"scenarios"`
}

// NewState returns an empty state.
func NewState() *State {
	return &State{Scenarios: make(map[string]*Record)}
}

// Entry is a committed gather in the journal, and the ledger before it.
type Entry struct {
	At          time.Time `json:"at"`
	LastSuccess time.Time `json:"last_success,omitzero"`
	// Reader identifies the process the gather's points went to (the
	// plugin's parent, see Reader); empty: unknown.
	Reader string `json:"reader,omitempty"`
	// Before holds the records of the scenarios whose watermark the gather
	// moved, as they were before it; for a scenario it wrote first, just
	// before its first run.
	Before map[string]Before `json:"before,omitempty"`
}

// Before is a record's progress before a gather.
type Before struct {
	Watermark time.Time   `json:"watermark"`
	Settled   time.Time   `json:"settled"`
	Written   []time.Time `json:"written,omitempty"`
}

// ForgetMargin is how long after lookback a scenario that no response
// lists is forgotten: the margin of the first request windows.
const ForgetMargin = 5 * time.Minute

// Ledger is the account of one plugin instance.
type Ledger struct {
	cfg    Config
	state  *State
	reader string
	// replayed holds, per scenario, the newest run written before a
	// restart: runs up to it are written again, and are no news.
	replayed map[string]time.Time
	// present holds the scenarios of the last response read whole, with
	// how late their runs may appear: the next window is sized on them.
	present map[string]time.Duration
	backlog backlog
}

// New returns an empty ledger whose gathers go to reader, the process that
// reads the points (see Reader; empty: unknown).
func New(cfg Config, reader string) *Ledger {
	return &Ledger{cfg: cfg, state: NewState(), reader: reader, backlog: backlog{guess: cfg.PointsPerRun}}
}

// Restore starts the ledger, at now, from a saved state. When the
// journal's gathers went to another reader than the ledger's, or to one
// that is unknown, they are rewound, so that their runs are written again:
// the reader may have held them unsent when it stopped. A state whose times
// lie ahead of now is resumed from a safe point (see Ahead). Restore returns
// how many scenarios are replayed, and what lay ahead.
func (l *Ledger) Restore(st *State, now time.Time) (replayed int, ahead Ahead) {
	if st.Scenarios == nil {
		st.Scenarios = make(map[string]*Record)
	}
	l.state = st
	if left := st.Backlog; left != nil {
		l.backlog.runsLeft = left.Runs
		l.backlog.behind = make(map[string]bool, len(left.Scenarios))
		for _, id := range left.Scenarios {
			l.backlog.behind[id] = true
		}
	}
	reader := l.reader
	if n := len(st.Journal); n > 0 && (reader == "" || st.Journal[n-1].Reader != reader) {
		l.replayed = st.rewind()
	}
	return len(l.replayed), l.resume(now)
}

// State returns what to save.
func (l *Ledger) State() *State { return l.state }

// Record returns a copy of a scenario's record; false when it has none.
func (l *Ledger) Record(id string) (Record, bool) {
	r, ok := l.state.Scenarios[id]
	if !ok {
		return Record{}, false
	}
	return *r, true
}

// Replayed tells whether run t of a scenario is written again, after a
// restart, rather than for the first time.
func (l *Ledger) Replayed(id string, t time.Time) bool {
	upTo, ok := l.replayed[id]
	return ok && !t.After(upTo)
}

// record returns a scenario's record, made on first use.
func (st *State) record(id string) *Record {
	r, ok := st.Scenarios[id]
	if !ok {
		r = &Record{}
		st.Scenarios[id] = r
	}
	return r
}

// Window is how far back to ask for runs at now: back to where every
// scenario of the last response still needs runs (its runs may appear up
// to horizon late, and one missing from earlier answers needs what it
// missed), to the last success, and to the oldest run a backfill left to
// write; lookback when nothing succeeded yet and nothing is left. capped
// tells that the window was cut short, so that runs may have been lost:
// at lookback, or at twice lookback while a backlog is being written
// (those runs were seen, only not written yet).
func (l *Ledger) Window(now time.Time) (window time.Duration, capped bool) {
	lookback := l.cfg.Lookback
	from := now.Add(-lookback)
	if !l.state.LastSuccess.IsZero() {
		from = l.neededFrom()
	}
	// A backfill owes every run it was shown, even when no answer was read
	// whole yet (a first answer cut by a timeout): ask from the oldest run
	// left, which lookback has passed when the backfill takes longer than
	// the margin that run had.
	if owed, ok := l.oldestOwed(); ok && owed.Add(-LateSlack).Before(from) {
		from = owed.Add(-LateSlack)
	}
	limit := lookback
	if l.Behind() {
		limit *= 2
	}
	window = now.Sub(from)
	if window > limit {
		return wholeSeconds(limit), true
	}
	return wholeSeconds(window), false
}

// wholeSeconds rounds a window up to the second: MIP's relative times
// count seconds, so that is the window MIP is asked for, and a pass must
// know the window asked exactly (a run before it was in no window).
func wholeSeconds(d time.Duration) time.Duration {
	return (d + time.Second - 1).Truncate(time.Second)
}

// neededFrom is where the window starts after a success: LateSlack before
// it, or further back for a scenario that still needs runs.
func (l *Ledger) neededFrom() time.Time {
	st := l.state
	from := st.LastSuccess.Add(-LateSlack)
	need := func(r *Record, horizon time.Duration) {
		if r != nil && !r.Covered.IsZero() && r.Covered.Add(-horizon).Before(from) {
			from = r.Covered.Add(-horizon)
		}
	}
	if l.present != nil {
		for id, horizon := range l.present {
			need(st.Scenarios[id], horizon)
		}
		return from
	}
	// Since the start, no response read whole: every scenario covered.
	covered := false
	for _, r := range st.Scenarios {
		need(r, WindowMargin)
		covered = covered || !r.Covered.IsZero()
	}
	if !covered {
		from = st.LastSuccess.Add(-WindowMargin)
	}
	return from
}

// oldestOwed returns the newest run written, or the run before the first
// left, of the scenario furthest behind: the runs a backfill left to write
// come after it. false: no backlog.
func (l *Ledger) oldestOwed() (time.Time, bool) {
	var oldest time.Time
	for id := range l.backlog.behind {
		if r := l.state.Scenarios[id]; r != nil && r.Known() && (oldest.IsZero() || r.Watermark.Before(oldest)) {
			oldest = r.Watermark
		}
	}
	return oldest, !oldest.IsZero()
}

// MIP records a run under its start time once it ends, so a run may appear
// up to its measure's timeout later. LateSlack is added to the timeout for
// the time MIP takes to record it, and WindowMargin stands for the whole
// when the timeout is unknown.
const (
	LateSlack    = 30 * time.Second
	WindowMargin = 5 * time.Minute
)

// Commit applies the progress of a pass whose points were delivered, and
// returns how many scenarios it forgot: absent from MIP's answers for more
// than lookback.
func (l *Ledger) Commit(p *Pass) (forgotten int) {
	st := l.state
	entry := Entry{At: p.At, LastSuccess: st.LastSuccess, Reader: l.reader, Before: make(map[string]Before)}
	for _, id := range slices.Sorted(maps.Keys(p.changes)) {
		c := p.changes[id]
		r := st.record(id)
		switch {
		case r.Known() && c.record.Watermark.After(r.Watermark):
			entry.Before[id] = Before{Watermark: r.Watermark, Settled: r.Settled, Written: r.Written}
		case !r.Known() && c.wroteFirst:
			// A replay of this gather writes its runs from the first one; a
			// scenario it wrote nothing of (left for later) has no replay.
			before := c.firstRun.Add(-time.Nanosecond)
			entry.Before[id] = Before{Watermark: before, Settled: before}
		}
		r.Watermark, r.Settled, r.Written = c.record.Watermark, c.record.Settled, c.record.Written
		if c.replayDone {
			delete(l.replayed, id)
		}
	}
	// Only a response read whole tells which scenarios are gone.
	var cutoff time.Time
	if p.complete {
		st.LastSuccess = p.anchor
		l.cover(p)
		cutoff = p.At.Add(-l.cfg.Lookback - ForgetMargin)
	}
	forgotten = st.forget(p.horizons, p.At, cutoff)
	st.remember(entry, p.At, l.cfg.Replay)
	l.backlog.update(p)
	st.Backlog = nil
	if len(l.backlog.behind) > 0 {
		st.Backlog = &Left{Runs: l.backlog.runsLeft, Scenarios: slices.Sorted(maps.Keys(l.backlog.behind))}
	}
	return forgotten
}

// cover records, for each scenario of a response read whole, that its runs
// recorded before this request were all seen, unless the window started
// too late to see those recorded since the previous cover: then the next
// window reaches back for them (a scenario that was missing from MIP's
// answers for a while, then came back). A window that lookback cut short
// covers anyway: the pass counted what it could not reach.
func (l *Ledger) cover(p *Pass) {
	from := p.At.Add(-p.Window)
	for id, horizon := range p.horizons {
		r := l.state.record(id)
		if r.Covered.IsZero() || p.Capped || !from.After(r.Covered.Add(-horizon)) {
			r.Covered = p.At
		}
	}
	l.present = p.horizons
}

// remember adds a committed gather to the journal and forgets those older
// than replay before now.
func (st *State) remember(e Entry, now time.Time, replay time.Duration) {
	if replay <= 0 {
		st.Journal = nil
		return
	}
	if len(e.Before) > 0 || !e.LastSuccess.Equal(st.LastSuccess) {
		if len(e.Before) == 0 {
			e.Before = nil
		}
		st.Journal = append(st.Journal, e)
	}
	keep := 0
	for keep < len(st.Journal) && !st.Journal[keep].At.After(now.Add(-replay)) {
		keep++
	}
	st.Journal = slices.Delete(st.Journal, 0, keep)
}

// rewind puts the state back to where it was before the gathers of the
// journal, so that their runs are written again, and returns, per scenario
// it moved, the newest run those gathers wrote.
func (st *State) rewind() map[string]time.Time {
	written := make(map[string]time.Time)
	for i := len(st.Journal) - 1; i >= 0; i-- {
		e := st.Journal[i]
		for id, before := range e.Before {
			r := st.record(id)
			if _, seen := written[id]; !seen {
				written[id] = r.Watermark
			}
			r.Watermark = before.Watermark
			r.Settled = before.Settled
			if r.Settled.IsZero() || r.Settled.After(before.Watermark) {
				r.Settled = before.Watermark // a file from before settled times were kept
			}
			r.Written = before.Written
		}
		st.LastSuccess = e.LastSuccess
	}
	st.Journal = nil
	// Back before the first gather: the next one is no first gather, which
	// in "latest" mode would write only the newest runs, but one whose
	// window reaches the oldest run to write again.
	if st.LastSuccess.IsZero() && len(written) > 0 {
		for id := range written {
			if w := st.Scenarios[id].Watermark; st.LastSuccess.IsZero() || w.Before(st.LastSuccess) {
				st.LastSuccess = w
			}
		}
	}
	return written
}

// forget records that the scenarios in seen were listed by a response sent
// at now, and forgets every trace of those that no response listed since
// before cutoff: deleted in MIP, or filtered out since. A scenario without
// LastSeen (from a file written before it was kept) counts as seen now. It
// returns how many scenarios it forgot.
func (st *State) forget(seen map[string]time.Duration, now, cutoff time.Time) int {
	for id := range seen {
		st.record(id).LastSeen = now
	}
	forgotten := 0
	for id, r := range st.Scenarios {
		if r.LastSeen.IsZero() {
			r.LastSeen = now
		}
		if !r.LastSeen.Before(cutoff) {
			continue
		}
		delete(st.Scenarios, id)
		for _, e := range st.Journal {
			delete(e.Before, id)
		}
		forgotten++
	}
	return forgotten
}
