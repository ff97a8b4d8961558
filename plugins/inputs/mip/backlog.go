package mip

import (
	"fmt"
	"time"

	"github.com/telegraf-mip/telegraf-mip/internal/mipapi"
)

// behind reports whether the last gather left runs to write: Serve then
// gathers again sooner than its interval, to catch up.
func (p *MIP) behind() bool {
	return p.ledger.Behind()
}

// reportBacklog logs the progress of a backfill and, once, what the steady
// state needs when max_points_per_gather cannot hold it.
func (p *MIP) reportBacklog(g *gatherPass) {
	b := p.ledger.Backlog()
	if b.Scenarios > 0 {
		p.Log.Infof("backfill: wrote %d runs (%d points, max_points_per_gather = %d); %d runs of %d scenarios left, about %d more gathers",
			g.stats.runs+g.stats.replayed, g.stats.points, p.MaxPointsPerGather, b.Runs, b.Scenarios, b.Gathers)
	}
	if p.warned.sizing || p.MaxPointsPerGather <= 0 || g.stats.kept == 0 || !g.pass.IsComplete() {
		return
	}
	p.warned.sizing = true
	steady := int(g.pass.SteadyRuns()*b.PointsPerRun) + g.stats.kept // runs, and a mip_freshness point per scenario
	if steady <= p.MaxPointsPerGather {
		return
	}
	points := roundUp(steady+steady/5, 1000)
	advice := fmt.Sprintf("set max_points_per_gather = %d and, in Telegraf's [agent], metric_buffer_limit = %d and metric_batch_size = %d "+
		"(see the sizing table in docs/delivery.md)", points, 2*points, batchSize(points))
	if steady <= p.capacity() {
		// Kept up with, but only by catch-up gathers at every interval.
		p.Log.Warnf("sizing: %d scenarios write about %d points per interval (one every %s), "+
			"more than max_points_per_gather = %d: every interval takes %d gathers, catch-up gathers included; %s",
			g.stats.kept, steady, p.interval(), p.MaxPointsPerGather, (steady+p.MaxPointsPerGather-1)/p.MaxPointsPerGather, advice)
		return
	}
	p.Log.Warnf("sizing: %d scenarios write about %d points per gather (one every %s), "+
		"more than max_points_per_gather = %d lets through in that time, so the plugin would fall behind; %s",
		g.stats.kept, steady, p.interval(), p.MaxPointsPerGather, advice)
}

// capacity is how many points max_points_per_gather lets through in one
// interval, counting the catch-up gathers Serve adds in between.
func (p *MIP) capacity() int {
	gathers := 1
	if p.schedule.CatchUpInterval > 0 {
		gathers = max(int(p.interval()/p.schedule.CatchUpInterval), 1)
	}
	return p.MaxPointsPerGather * gathers
}

// interval is how often gathers come: Serve's poll interval, or one
// minute, the interval the README recommends.
func (p *MIP) interval() time.Duration {
	if p.schedule.PollInterval > 0 {
		return p.schedule.PollInterval
	}
	return time.Minute
}

// steadyRuns is how many runs of a measure one interval brings.
func (p *MIP) steadyRuns(m *mipapi.Measure) float64 {
	if !m.Frequency.Valid || !(m.Frequency.Value > 0) {
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
