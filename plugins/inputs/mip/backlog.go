package mip

import (
	"time"

	"github.com/telegraf-mip/telegraf-mip/plugins/inputs/mip/mipapi"
)

// Telegraf keeps at most metric_buffer_limit points per output in memory and
// drops the oldest beyond it; nothing pushes back on inputs.execd. A gather
// therefore writes at most max_points_per_gather points, and when runs are
// left over (a backfill, a first gather in "window" mode), the next gathers
// write them, oldest first, sharing the points among the scenarios.

// backlog is what the previous gathers left to write, kept in memory.
type backlog struct {
	gathers        int             // gathers committed, for the round robin
	pointsPerRun   float64         // observed, for the shares
	runsLeft       int             // left over by the last gather
	behind         map[string]bool // measures with runs left over
	steadyPoints   int             // written by the other measures at the last gather
	sizingReported bool
}

// defaultPointsPerRun is the guess before any run was written: a status and
// six metrics, as the simulator's robots.
const defaultPointsPerRun = 8

// runPoints is the points a run brings: as observed, or the guess.
func (b *backlog) runPoints() float64 {
	if b.pointsPerRun < 1 {
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
	pool := max(limit-b.steadyPoints, limit/4)
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
func (b *backlog) update(g *gatherPass) {
	b.gathers++
	if g.stats.runs > 0 {
		b.pointsPerRun = float64(g.runPoints) / float64(g.stats.runs)
	}
	b.runsLeft = g.budget.deferred
	b.behind = g.budget.behindNow
	b.steadyPoints = g.budget.steady
}

// Behind reports whether the last gather left runs to write: telegraf-mip
// then gathers again sooner than its interval, to catch up.
func (p *MIP) Behind() bool {
	return len(p.backlog.behind) > 0
}

// reportBacklog logs the progress of a backfill and, once, what the steady
// state needs when max_points_per_gather cannot hold it.
func (p *MIP) reportBacklog(g *gatherPass) {
	b := &p.backlog
	if len(b.behind) > 0 {
		ppr := b.runPoints()
		gathers := int(float64(b.runsLeft)*ppr/float64(p.MaxPointsPerGather)) + 1
		p.Log.Infof("backfill: wrote %d runs (%d points, max_points_per_gather = %d); %d runs of %d scenarios left, about %d more gathers",
			g.stats.runs, g.stats.points, p.MaxPointsPerGather, b.runsLeft, len(b.behind), gathers)
	}
	if b.sizingReported || p.MaxPointsPerGather <= 0 || g.stats.kept == 0 || !g.complete {
		return
	}
	b.sizingReported = true
	ppr := b.runPoints()
	steady := int(g.budget.steadyRuns*ppr) + g.stats.kept // runs, and a mip_freshness point per scenario
	if steady <= p.capacity() {
		return
	}
	points := roundUp(steady+steady/5, 1000)
	p.Log.Warnf("sizing: %d scenarios write about %d points per gather (one every %s), "+
		"more than max_points_per_gather = %d lets through in that time, so the plugin would fall behind; "+
		"set max_points_per_gather = %d and, in Telegraf's [agent], metric_buffer_limit = %d and metric_batch_size = %d (see the sizing table in docs/delivery.md)",
		g.stats.kept, steady, p.interval(), p.MaxPointsPerGather, points, 2*points, batchSize(points))
}

// capacity is how many points max_points_per_gather lets through in one
// interval, counting the catch-up gathers the binary adds in between.
func (p *MIP) capacity() int {
	gathers := 1
	if p.CatchUpInterval > 0 {
		gathers = max(int(p.interval()/p.CatchUpInterval), 1)
	}
	return p.MaxPointsPerGather * gathers
}

// interval is how often gathers come: as the binary says, or one minute, the
// interval the README recommends.
func (p *MIP) interval() time.Duration {
	if p.GatherInterval > 0 {
		return p.GatherInterval
	}
	return time.Minute
}

// steadyRuns is how many runs of a measure one interval brings.
func (p *MIP) steadyRuns(m *mipapi.Measure) float64 {
	if !m.Frequency.Valid || m.Frequency.Value <= 0 {
		return 1
	}
	return p.interval().Seconds() / m.Frequency.Value
}

// batchSize is the metric_batch_size that writes points in about ten
// batches, within InfluxDB's recommended 5,000 to 10,000 points per write.
func batchSize(points int) int {
	return min(max(roundUp(points/10, 1000), 1000), 10000)
}

func roundUp(n, step int) int {
	return (n + step - 1) / step * step
}
