package mip

import (
	"fmt"
	"time"

	"github.com/influxdata/telegraf"

	"github.com/telegraf-mip/telegraf-mip/internal/mipapi"
	"github.com/telegraf-mip/telegraf-mip/internal/output"
	"github.com/telegraf-mip/telegraf-mip/plugins/inputs/mip/ledger"
)

// lateHorizon is how long after its start a run of m may appear; no longer
// than lookback, which bounds every window.
func (p *MIP) lateHorizon(m *mipapi.Measure) time.Duration {
	if !m.Timeout.Valid || m.Timeout.Value <= 0 {
		return ledger.WindowMargin
	}
	timeout := time.Duration(min(m.Timeout.Value, time.Duration(p.Lookback).Seconds()) * float64(time.Second))
	return timeout + ledger.LateSlack
}

// emitScenario emits the runs of one measure its ledger record owes, as
// many as the gather's budget allows, oldest first, then its freshness and
// stale-robot points.
func (p *MIP) emitScenario(entry *mipapi.MeasureEntry, g *gatherPass, acc telegraf.Accumulator, problems []error) []error {
	m := entry.Measure
	id := string(m.ID)
	s := g.pass.Scenario(id, p.lateHorizon(m), p.steadyRuns(m))
	if from, to, ok := s.Lost(); ok {
		p.countLost(g.pass.Losses(), m, from, to)
	}
	owed := s.Owed()
	candidates, future, bad := entry.Runs(owed.After, owed.Until, owed.NewestOnly)
	for _, b := range bad {
		// Reported once: the same key comes back at every gather while it is
		// in the window.
		key := id + "\x00" + b.Error()
		g.met.badKeys[key] = true
		if !p.warned.badKeys[key] {
			problems = append(problems, fmt.Errorf("scenario id %s: %w", id, b))
		}
	}
	p.warnFuture(g, m, future)
	p.noteBehind(g, m, entry.Behind())
	problems = p.emitRuns(entry, candidates.Keep(s.Owes), s, g, acc, problems)
	newest, deferred := s.Close()
	if newest.IsZero() || deferred {
		if newest.IsZero() {
			p.emitStale(m, newest, g, s, acc)
		}
		return problems
	}
	if p.influx && s.Take(1) {
		tags := g.scratch.scenarioTags(p.source, m)
		if point := freshnessPoint(tags, m, newest, g.pass.At); output.CheckPoint(point) == nil {
			acc.AddMetric(point)
			g.stats.points++
		}
	}
	p.emitStale(m, newest, g, s, acc)
	return problems
}

// emitRuns emits the runs owed, in order, until the budget is spent: the
// run that does not fit and the later ones are deferred.
func (p *MIP) emitRuns(entry *mipapi.MeasureEntry, runs mipapi.RunList, s *ledger.Scenario, g *gatherPass, acc telegraf.Accumulator, problems []error) []error {
	if runs.Len() == 0 {
		return problems
	}
	id := string(entry.Measure.ID)
	tags := g.scratch.scenarioTags(p.source, entry.Measure)
	var layout runLayout
	if p.influx {
		layout = p.influxLayout(entry.MetricInfo)
	}
	skip := func(format string, args ...any) {
		p.Log.Debugf("scenario id %s: skipped "+format, append([]any{id}, args...)...)
	}
	for i, tr := range runs.All() {
		// A run that cannot be read is reported and settled: it would not
		// read better at the next gather.
		if err := p.runs.Decode(&tr); err != nil {
			problems = append(problems, fmt.Errorf("scenario id %s: %w", id, err))
			s.Settle(tr.Time)
			continue
		}
		var points []telegraf.Metric
		if p.influx {
			points = layout.points(&g.scratch, tags, entry.MetricInfo, tr, skip)
		}
		if p.centreon != nil && s.Current(tr.Time) {
			points = append(points, p.centreon.centreonPoints(entry.Measure, entry.MetricInfo, tr)...)
		}
		if !s.Take(len(points)) {
			s.Defer(tr.Time, runs.Len()-i)
			break
		}
		written := 0
		for _, m := range points {
			if err := output.CheckPoint(m); err != nil {
				problems = append(problems, fmt.Errorf("scenario id %s, run %s: %s %q not emitted: %w", id, tr.Key(), m.Name(), pointLabel(m), err))
				continue
			}
			acc.AddMetric(m)
			written++
		}
		g.stats.points += written
		s.Wrote(tr.Time, written)
		if tr.Time.Before(g.reach.asked) {
			// Sent before the windows, and written (a first gather writes
			// what MIP sends): no news later.
			g.reach.asked = tr.Time
		}
	}
	return problems
}

// warnFuture warns, once per run, about the runs of a measure stamped
// later than the clock skew tolerance allows: they wait for their time.
func (p *MIP) warnFuture(g *gatherPass, m *mipapi.Measure, future []mipapi.TimedRun) {
	for _, tr := range future {
		key := string(m.ID) + "\x00" + tr.Time.String()
		g.met.futureRuns[key] = true
		if !p.warned.futureRuns[key] {
			p.Log.Warnf("scenario id %s: run %s is stamped %s ahead of this machine's clock, more than clock_skew_tolerance (%s): "+
				"it is written once its time comes, and no later run waits for it; check the clocks of MIP and its robots",
				m.ID, tr.Time.UTC().Format(time.RFC3339Nano), tr.Time.Sub(g.pass.At).Round(time.Second), time.Duration(p.ClockSkewTolerance))
		}
	}
}

// noteBehind counts the runs of a measure that MIP sent stamped before
// every window asked since the start (and every run written) and before the
// runs already settled:
// no gather asked for them, and the ledger cannot tell them from runs
// written long ago, so they are not written; warnBehind reports them, each
// once.
func (p *MIP) noteBehind(g *gatherPass, m *mipapi.Measure, b mipapi.Behind) {
	if b.Runs == 0 {
		return
	}
	g.reach.behindRuns[string(m.ID)] = b.To
	g.reach.behind.Add(string(m.ID), b.From, b.To, int64(b.Runs), true)
	p.Log.Debugf("scenario id %s: %d runs stamped between %s and %s, before every window asked and run written since the start, not written",
		m.ID, b.Runs, b.From.Format(time.RFC3339Nano), b.To.Format(time.RFC3339Nano))
}

// warnBehind reports, in one line, the runs a gather met stamped before the
// windows asked (since asked, by this machine's clock) and did not write.
func (p *MIP) warnBehind(b *ledger.Losses, asked time.Time) {
	if len(b.IDs) == 0 {
		return
	}
	p.Log.Warnf("MIP sent %d runs of %d scenarios stamped between %s and %s, before every window asked and run written since the start (%s) "+
		"and before the runs already settled: they are not written (the scenarios at debug level); "+
		"the clocks of their robots, or MIP's, are likely behind: check them",
		b.Runs, len(b.IDs), b.From.UTC().Format(time.RFC3339), b.To.UTC().Format(time.RFC3339), asked.UTC().Format(time.RFC3339))
}

// countLost adds to the gather's losses the runs of a measure recorded
// between from, its newest run written, and to, the start of a window that
// lookback cut short: MIP was not asked for them.
func (p *MIP) countLost(l *ledger.Losses, m *mipapi.Measure, from, to time.Time) {
	gap := to.Sub(from)
	if !m.Frequency.Valid || !(m.Frequency.Value > 0) {
		l.Add(string(m.ID), from, to, 0, false)
		p.Log.Debugf("scenario id %s: an unknown number of runs between %s and %s are older than lookback (%s) and were lost",
			m.ID, from.UTC().Format(time.RFC3339), to.UTC().Format(time.RFC3339), time.Duration(p.Lookback))
		return
	}
	// In float: a frequency of a nanosecond or less would divide by zero.
	n := int64(min(gap.Seconds()/m.Frequency.Value, 1<<53))
	if n <= 0 {
		return
	}
	l.Add(string(m.ID), from, to, n, true)
	p.Log.Debugf("scenario id %s: about %d runs between %s and %s are older than lookback (%s) and were lost",
		m.ID, n, from.UTC().Format(time.RFC3339), to.UTC().Format(time.RFC3339), time.Duration(p.Lookback))
}

// reportLosses logs the runs a gather could not reach, in one line.
func (p *MIP) reportLosses(l *ledger.Losses) {
	if len(l.IDs) == 0 {
		return
	}
	count := fmt.Sprintf("about %d runs", l.Runs)
	switch {
	case l.Uncounted > 0 && l.Runs == 0:
		count = "an unknown number of runs (their frequency is unknown)"
	case l.Uncounted > 0:
		count += fmt.Sprintf(" (and an unknown number for %d scenarios of unknown frequency)", l.Uncounted)
	}
	p.Log.Warnf("%s of %d scenarios between %s and %s are older than lookback (%s) and were lost (the scenarios at debug level); "+
		"raise lookback to backfill longer outages",
		count, len(l.IDs), l.From.UTC().Format(time.RFC3339), l.To.UTC().Format(time.RFC3339), time.Duration(p.Lookback))
}
