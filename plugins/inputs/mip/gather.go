package mip

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/influxdata/telegraf"

	"github.com/telegraf-mip/telegraf-mip/internal/mipapi"
	"github.com/telegraf-mip/telegraf-mip/internal/output"
	"github.com/telegraf-mip/telegraf-mip/plugins/inputs/mip/ledger"
)

// maxReportedProblems bounds the problems one gather returns, so a response
// where every scenario is broken yields a readable error, not thousands of lines.
const maxReportedProblems = 10

// Gather reads the runs of every measure in one request and emits, for each
// scenario that passes the filters, the runs newer than its watermark, in
// time order, oldest first, at most max_points_per_gather points in all.
// Scenarios that cannot be read are reported in the returned error; the
// others are emitted.
//
// The watermarks move only past points that were delivered: when the
// accumulator can flush (telegraf-mip's writer to stdout), they move after a
// successful flush, and a failed one leaves them, and state_file, unchanged.
func (p *MIP) Gather(acc telegraf.Accumulator) error {
	acc, held := p.holdForOutput(acc)
	if held {
		return nil
	}
	err := p.gatherOnce(acc)
	if err != nil && p.ctx.Err() != nil {
		return fmt.Errorf("%w: %w", ErrStopped, err)
	}
	return err
}

// ErrStopped marks the error of a gather that Stop cut short: no fault of
// MIP's, and nothing lost, since the runs it did not write stay owed.
var ErrStopped = errors.New("gather cut short by a stop; its unwritten runs are written by the next start")

// gatherPass is one gather, from its request to its commit: the ledger's
// pass (the runs owed, written and deferred, and the points budget), what
// the gather counts for mip_api, and its parts of the plugin's state kept
// from one gather to the next, each committed with it: reach, which selects
// runs, and what it met to warn about once, apart.
type gatherPass struct {
	pass    *ledger.Pass
	started time.Time
	stats   gatherStats
	reach   reach        // how far back the gathers asked, this one included
	met     warned       // what this gather met that the plugin warns about once
	scratch pointScratch // reused from run to run
}

// reach is how far back the gathers since the start asked MIP, which
// selects the runs a gather writes (see noteBehind): control state, kept
// apart from what the plugin warned about.
type reach struct {
	// asked is the oldest start of the windows asked since the start (or
	// an older run written); behindRuns holds, per measure id, the newest
	// run before it met, reported or written.
	asked      time.Time
	behindRuns map[string]time.Time
	// behind are the runs a gather met stamped before asked, unwritten (see
	// warnBehind); the plugin does not keep them.
	behind ledger.Losses
}

// warned is what the plugin already warned about, so as to warn once: the
// runs from the future, by measure id and run time, and the run keys that
// are no time.
type warned struct {
	futureRuns map[string]bool
	badKeys    map[string]bool
	sizing     bool
}

func (p *MIP) begin() *gatherPass {
	pass := p.ledger.Begin(p.now())
	g := &gatherPass{
		pass: pass, started: time.Now(),
		reach: reach{asked: pass.At.Add(-pass.Window), behindRuns: make(map[string]time.Time)},
		met:   warned{futureRuns: make(map[string]bool), badKeys: make(map[string]bool)},
	}
	g.stats.window = pass.Window
	if prev := p.reach.asked; !prev.IsZero() && prev.Before(g.reach.asked) {
		g.reach.asked = prev
	}
	return g
}

// gatherOnce is one gather, bounded by timeout: begin, request, decode and
// emit per scenario, deliver, commit. Gather marks its error when a stop
// cut it short.
func (p *MIP) gatherOnce(acc telegraf.Accumulator) error {
	if busy, first := p.tracking.busy(); busy {
		if first {
			p.Log.Warn("the last gather's points are not written by Telegraf's outputs yet: no gather until they are, " +
				"the runs wait in MIP (within lookback)")
		}
		return nil
	}
	ctx, cancel := context.WithTimeout(p.ctx, time.Duration(p.Timeout))
	defer cancel()

	g := p.begin()
	body, err := p.client.MeasureDetails(ctx, g.pass.Window)
	if err != nil {
		g.stats.fail(err)
		p.addStats(acc, g)
		return err
	}
	out, group, tracker := emitTo(acc)
	g.stats.httpStatus = http.StatusOK
	problems := p.consume(body, g, out)
	body.Close()
	g.stats.responseBytes = body.Bytes()
	for _, w := range body.Warnings() {
		p.Log.Warn(w)
	}
	g.stats.errors = len(problems)
	g.stats.runs, g.stats.replayed = g.pass.Runs()
	g.stats.runs -= g.stats.replayed
	p.Log.Debugf("GET %s (from=now-%s): %d scenarios, %d kept by the filters, %d new runs, %d points",
		p.client.MeasureDetailsEndpoint(), mipapi.RelativeDuration(g.pass.Window), g.stats.scenarios, g.stats.kept, g.stats.runs, g.stats.points)
	p.addStats(out, g)

	switch f, flushes := acc.(output.Delivering); {
	case flushes:
		if err := f.Flush(); err != nil {
			return fmt.Errorf("writing the points of %d runs: %w; the watermarks stay where they were, so these runs are written again",
				g.stats.runs+g.stats.replayed, err)
		}
	case group != nil:
		p.track(tracker, group, g)
		return summarize(problems)
	}
	return summarize(p.commit(g, problems))
}

// addStats emits the gather's own point.
func (p *MIP) addStats(acc telegraf.Accumulator, g *gatherPass) {
	if p.influx {
		acc.AddMetric(g.stats.point(p.source, g.pass.At, time.Since(g.started)))
	}
}

// consume reads a /api/measures/details response and emits the new runs of
// the scenarios that pass the filters. It returns the problems met; the
// window moves on only when the response was read whole.
func (p *MIP) consume(body io.Reader, g *gatherPass, acc telegraf.Accumulator) []error {
	var problems []error
	details := p.decoded.DecodeMeasureDetails(body)
	for details.Next() {
		m := details.Measure()
		kept := m != nil && m.ID != "" && p.filter.match(m)
		sel := mipapi.RunSelection{Skip: true}
		if kept {
			sel = p.selection(g, string(m.ID))
		}
		entry, err := details.Entry(sel)
		if entry == nil && err == nil {
			continue // a measure sent before, or the answer broke off (details.Err)
		}
		g.stats.scenarios++
		switch {
		case err != nil:
			problems = append(problems, err)
		case kept:
			g.stats.kept++
			problems = p.emitScenario(entry, g, acc, problems)
		}
	}
	if err := details.Err(); err != nil {
		return append(problems, fmt.Errorf("reading %s: %w", p.client.LastEndpoint(), err))
	}
	p.filter.warnNoneKept(p.Log, g.stats.scenarios, g.stats.kept)
	g.pass.Complete()
	return problems
}

// selection is which runs of scenario id the gather keeps, and which of
// those it leaves out it counts as sent behind the windows (see noteBehind).
func (p *MIP) selection(g *gatherPass, id string) mipapi.RunSelection {
	o := g.pass.Owed(id)
	return mipapi.RunSelection{
		After: o.After, Until: o.Until, NewestOnly: o.NewestOnly,
		Behind: g.reach.asked, Reported: p.reach.behindRuns[id],
	}
}

// commit applies a delivered gather to the ledger, saves it and reports
// what the gather leaves: losses, backlog, sizing.
func (p *MIP) commit(g *gatherPass, problems []error) []error {
	if n := p.ledger.Commit(g.pass); n > 0 {
		p.Log.Infof("forgot %d scenarios absent from MIP's answers for more than lookback (%s) plus %s",
			n, time.Duration(p.Lookback), ledger.ForgetMargin)
	}
	if err := p.save(); err != nil {
		problems = append(problems, err)
	}
	p.reportLosses(g.pass.Losses())
	p.reportBacklog(g)
	p.warnBehind(&g.reach.behind, g.reach.asked)
	p.reach.commit(&g.reach)
	p.warned.futureRuns = g.met.futureRuns
	if g.pass.IsComplete() {
		p.warned.badKeys = g.met.badKeys
	}
	return problems
}

// commit keeps how far back a delivered gather asked, and the newest run
// before that it met of each measure.
func (r *reach) commit(g *reach) {
	r.asked = g.asked
	if r.behindRuns == nil {
		r.behindRuns = make(map[string]time.Time)
	}
	for id, t := range g.behindRuns {
		if t.After(r.behindRuns[id]) {
			r.behindRuns[id] = t
		}
	}
}

// summarize joins the first problems of a gather and counts the rest.
func summarize(problems []error) error {
	if len(problems) <= maxReportedProblems {
		return errors.Join(problems...)
	}
	more := fmt.Errorf("and %d more problems", len(problems)-maxReportedProblems)
	return errors.Join(append(problems[:maxReportedProblems:maxReportedProblems], more)...)
}
