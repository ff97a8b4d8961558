package mip

import (
	"strconv"
	"testing"
	"time"

	"github.com/influxdata/telegraf/testutil"
	"github.com/stretchr/testify/require"

	"github.com/telegraf-mip/telegraf-mip/internal/mipsim"
)

// TestFirstAnswerAgesOutOfNothing: a window backfill of 300 scenarios whose
// oldest runs sit seconds inside lookback when the first answer lists them,
// written over gathers that each take a while (a busy machine, a slow MIP):
// every run of the first answer is written, once, though most of those
// oldest runs are outside lookback when their scenario's turn comes.
func TestFirstAnswerAgesOutOfNothing(t *testing.T) {
	scenarios := mipsim.Generate(300, 6, time.Minute)
	for i := range scenarios {
		// A run every 200 ms among the scenarios, off the second: the
		// oldest of the first window 50 ms after its start.
		scenarios[i].Phase = time.Duration(i)*200*time.Millisecond + 50*time.Millisecond
	}
	rig := newDeliveryRig(t, scenarios)
	log := &testutil.CaptureLogger{}
	p := rig.plugin(log, func(p *MIP) { p.FirstGather = firstGatherWindow })
	first := rig.clock.Now()
	for i := 0; i == 0 || p.behind(); i++ {
		require.Less(t, i, 100, "the backlog drains")
		rig.gather(p)
		rig.clock.Advance(13*time.Second + 700*time.Millisecond) // a slow gather, then catch_up_interval: windows of a fraction of a second
	}
	rig.gather(p)
	rig.requireEveryRunOnce(first.Add(-time.Hour))
	for _, m := range log.Messages() {
		require.NotRegexp(t, `^[WE]!`, m.String(), "no warning in a backfill")
	}
	written := 0
	for _, sc := range scenarios {
		written += len(rig.delivered[strconv.FormatInt(sc.ID, 10)])
	}
	require.GreaterOrEqual(t, written, 300*60)
}
