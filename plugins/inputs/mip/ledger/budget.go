package ledger

import "math"

// Telegraf keeps at most metric_buffer_limit points per output in memory and
// drops the oldest beyond it; nothing pushes back on inputs.execd. A gather
// therefore writes at most max_points_per_gather points, and when runs are
// left over (a backfill, a first gather in "window" mode), the next gathers
// write them, oldest first, sharing the points among the scenarios.

// backlog is what the previous gathers left to write, kept in memory.
type backlog struct {
	gathers      int             // gathers committed, for the round robin
	pointsPerRun float64         // observed, for the shares
	guess        float64         // before any observation; 0: defaultPointsPerRun
	runsLeft     int             // left over by the last gather
	behind       map[string]bool // measures with runs left over
	steadyPoints int             // written by the other measures at the last gather
}

// defaultPointsPerRun is the guess before any run was written: a status and
// six metrics, as the simulator's robots.
const defaultPointsPerRun = 8

// runPoints is the points a run brings: as observed, or the guess.
func (b *backlog) runPoints() float64 {
	if b.pointsPerRun < 1 {
		if b.guess >= 1 {
			return b.guess
		}
		return defaultPointsPerRun
	}
	return b.pointsPerRun
}

// budget is what one gather may still write and how it is shared.
type budget struct {
	left       int // points the gather may still write; -1: no bound
	behind     map[string]bool
	share      int // points per measure behind; 0: not shared
	turns      int // measures behind take turns: the i-th is served when i%turns == turn
	turn       int
	index      int // position of the current measure among those behind
	written    int // points written
	steady     int // of which by measures not behind
	deferred   int // runs left for later gathers
	behindNow  map[string]bool
	steadyRuns float64
}

// plan returns the budget of the next gather: max points in all and, for
// the measures the last gather left behind, a share each of what the others
// leave (they took steadyPoints then), taking turns when that cannot give
// each of them a run.
func (b *backlog) plan(limit int) budget {
	bud := budget{left: limit, turns: 1, behindNow: make(map[string]bool)}
	if limit <= 0 {
		bud.left = -1
		return bud
	}
	if len(b.behind) == 0 {
		return bud
	}
	ppr := b.runPoints()
	// At least a point: a tiny max_points_per_gather must not divide by zero.
	pool := max(limit-b.steadyPoints, limit/4, 1)
	need := float64(len(b.behind)) * (ppr + 1)
	if need > float64(pool) {
		bud.turns = int(need/float64(pool)) + 1
	}
	bud.turn = b.gathers % bud.turns
	served := (len(b.behind) + bud.turns - 1) / bud.turns
	bud.behind = b.behind
	bud.share = max(pool/served, 1)
	return bud
}

// scenarioShare is what one measure may write in this gather.
type scenarioShare struct {
	b        *budget
	eligible bool
	steady   bool // a measure that was not behind
	left     int  // -1: no share
	used     int
}

// scenario opens the share of a measure of the response.
func (b *budget) scenario(id string) *scenarioShare {
	s := &scenarioShare{b: b, eligible: true, left: -1}
	if !b.behind[id] {
		s.steady = true
		return s
	}
	s.eligible = b.index%b.turns == b.turn
	b.index++
	if b.share > 0 {
		s.left = b.share
	}
	return s
}

// take reserves n points, and reports false when they do not fit. A share
// never stops a measure's first run, nor the budget the gather's first run,
// so that every gather makes progress.
func (s *scenarioShare) take(n int) bool {
	b := s.b
	switch {
	case !s.eligible:
		return false
	case b.left >= 0 && n > b.left && b.written > 0:
		return false
	case s.left >= 0 && n > s.left && s.used > 0:
		return false
	}
	s.used += n
	b.written += n
	if s.steady {
		b.steady += n
	}
	if s.left >= 0 {
		s.left = max(s.left-n, 0)
	}
	if b.left >= 0 {
		b.left = max(b.left-n, 0)
	}
	return true
}

// deferRuns records runs of a measure left for the next gathers.
func (b *budget) deferRuns(id string, runs int) {
	if runs > 0 {
		b.deferred += runs
		b.behindNow[id] = true
	}
}

// update records what a committed gather did.
func (b *backlog) update(p *Pass) {
	b.gathers++
	if p.runs > 0 {
		b.pointsPerRun = float64(p.runPoints) / float64(p.runs)
	}
	b.runsLeft = p.budget.deferred
	if !p.complete {
		// A cut answer did not reach every scenario: those it did not list
		// still have their runs left.
		for id := range b.behind {
			if _, listed := p.horizons[id]; !listed {
				p.budget.behindNow[id] = true
			}
		}
	}
	b.behind = p.budget.behindNow
	b.steadyPoints = p.budget.steady
}

// Backlog is what the last committed gather left to write.
type Backlog struct {
	Runs         int     // runs left
	Scenarios    int     // scenarios with runs left
	PointsPerRun float64 // observed, or a guess before any run was written
	// Gathers is about how many more gathers write them, the share the
	// scenarios that are not behind take included.
	Gathers int
}

// Backlog returns what the last committed gather left to write, given
// at most limit points a gather (0: no bound).
func (l *Ledger) Backlog() Backlog {
	b := &l.backlog
	out := Backlog{Runs: b.runsLeft, Scenarios: len(b.behind), PointsPerRun: b.runPoints()}
	if limit := l.cfg.MaxPoints; limit > 0 && b.runsLeft > 0 {
		pool := max(limit-b.steadyPoints, limit/4, 1)
		out.Gathers = int(math.Ceil(float64(b.runsLeft) * out.PointsPerRun / float64(pool)))
	} else if b.runsLeft > 0 {
		out.Gathers = 1
	}
	return out
}

// Behind reports whether the last committed gather left runs to write.
func (l *Ledger) Behind() bool {
	return len(l.backlog.behind) > 0
}
