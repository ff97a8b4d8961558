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
		// The oldest run of the first window 1 to 10 s after its start.
		scenarios[i].Phase = time.Duration(1+i%10)*time.Second + 1234567*time.Nanosecond
	}
	rig := newDeliveryRig(t, scenarios)
	rig.sim.SetClock(func() time.Time { return rig.clock.Now().Add(20 * time.Millisecond) })
	log := &testutil.CaptureLogger{}
	p := rig.plugin(log, func(p *MIP) { p.FirstGather = firstGatherWindow })
	first := rig.clock.Now()
	for i := 0; i == 0 || p.Behind(); i++ {
		require.Less(t, i, 100, "the backlog drains")
		rig.gather(p)
		rig.clock.Advance(13*time.Second + 700*time.Millisecond) // a slow gather, then catch_up_interval
	}
	rig.gather(p)
	rig.requireEveryRunOnce(first.Add(20*time.Millisecond - time.Hour)) // MIP's first answer on
	for _, m := range log.Messages() {
		require.NotEqual(t, 'W', m.Level, "no warning in a backfill: %s", m.String())
	}
	written := 0
	for _, sc := range scenarios {
		written += len(rig.delivered[strconv.FormatInt(sc.ID, 10)])
	}
	require.GreaterOrEqual(t, written, 300*60)
}
