package mip

import (
	"sync"

	"github.com/influxdata/telegraf"

	"github.com/telegraf-mip/telegraf-mip/internal/output"
)

// A gather's progress is committed once its points are delivered:
//
//   - through telegraf-mip's writer (an output.Delivering accumulator),
//     after the flush to stdout succeeded; a failed flush commits nothing;
//   - compiled into Telegraf, on Telegraf's delivery notification for the
//     gather's points, tracked as one group: once every output wrote them.
//     Until then no other gather starts: the runs wait in MIP, owed. Points
//     Telegraf drops (a full metric buffer) are not committed and are
//     written again by the next gather;
//   - with an accumulator that offers neither (no tracking), as soon as
//     the points are added: at most once.

// groupAcc keeps a gather's points, to hand them to Telegraf as one
// tracked group.
type groupAcc struct {
	telegraf.Accumulator
	points []telegraf.Metric
}

// AddMetric keeps m for the group.
func (a *groupAcc) AddMetric(m telegraf.Metric) { a.points = append(a.points, m) }

// tracking is the delivery a gather in Telegraf waits for.
type tracking struct {
	mu      sync.Mutex
	pending bool
	skipped int           // gathers skipped while it waits
	settled chan struct{} // closed once the pending delivery is settled
}

// busy tells whether the last gather's points still wait for delivery, and
// counts the gather skipped: the first one skipped is the one to say so.
func (t *tracking) busy() (busy, first bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.pending {
		t.skipped++
	}
	return t.pending, t.skipped == 1
}

// emitTo returns where a gather emits its points: the accumulator itself,
// or, when Telegraf can track their delivery, a group handed to it at the
// end (see track).
func emitTo(acc telegraf.Accumulator) (out telegraf.Accumulator, group *groupAcc, tracker telegraf.TrackingAccumulator) {
	if _, ok := acc.(output.Delivering); ok {
		return acc, nil, nil
	}
	tracker = acc.WithTracking(1)
	if tracker == nil {
		return acc, nil, nil
	}
	group = &groupAcc{Accumulator: acc}
	return group, group, tracker
}

// track hands a gather's points to Telegraf as one tracked group and
// commits the gather when Telegraf reports them delivered; points it
// dropped are written again by the next gather.
func (p *MIP) track(tracker telegraf.TrackingAccumulator, group *groupAcc, g *gatherPass) {
	settled := make(chan struct{})
	p.tracking.mu.Lock()
	p.tracking.pending, p.tracking.skipped, p.tracking.settled = true, 0, settled
	p.tracking.mu.Unlock()
	delivered := tracker.Delivered()
	id := tracker.AddTrackingMetricGroup(group.points)
	go func() {
		defer close(settled)
		defer func() {
			p.tracking.mu.Lock()
			p.tracking.pending = false
			if p.tracking.skipped > 0 {
				p.Log.Infof("Telegraf settled the points of the gather %d gathers waited for: gathering resumes", p.tracking.skipped)
			}
			p.tracking.mu.Unlock()
		}()
		for {
			select {
			case info := <-delivered:
				if info.ID() != id {
					continue
				}
				if !info.Delivered() {
					p.Log.Warnf("Telegraf dropped the points of %d runs before its outputs wrote them (a full metric_buffer_limit?): "+
						"they stay owed and are written again by the next gather", g.stats.runs+g.stats.replayed)
					return
				}
				for _, err := range p.commit(g, nil) {
					p.Log.Error(err)
				}
				return
			case <-p.ctx.Done():
				return // written again by the next start
			}
		}
	}()
}
