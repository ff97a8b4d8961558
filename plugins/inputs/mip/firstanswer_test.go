package mip

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/influxdata/telegraf/config"
	"github.com/influxdata/telegraf/testutil"
	"github.com/stretchr/testify/require"

	"github.com/telegraf-mip/telegraf-mip/internal/mipsim"
)

// cutFirstAnswer serves the simulator, but cuts its first details answer
// after the entries of the first listed scenarios, as a gather timeout on a
// busy machine or a dropped connection does: the plugin reads those
// entries, writes what its budget allows and defers the rest, and the
// answer is never read whole.
type cutFirstAnswer struct {
	sim    *mipsim.Sim
	all    []mipsim.Scenario
	listed int // scenarios the first answer lists before the cut

	mu  sync.Mutex
	cut bool
}

func (c *cutFirstAnswer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	first := !c.cut && strings.HasSuffix(r.URL.Path, "/details")
	c.cut = c.cut || first
	c.mu.Unlock()
	if !first {
		c.sim.ServeHTTP(w, r)
		return
	}
	c.sim.SetScenarios(c.all[:c.listed])
	rec := httptest.NewRecorder()
	c.sim.ServeHTTP(rec, r)
	c.sim.SetScenarios(c.all)
	w.Header().Set("Content-Type", "application/json")
	w.Write(bytes.TrimSuffix(rec.Body.Bytes(), []byte("]}"))) //nolint:errcheck // the client sees what it sees
}

// firstAnswerRig is a window backfill of 300 scenarios, a run a minute
// each, whose oldest runs in the first answer sit within seconds of
// lookback (a run every 200 ms among them, the first 50 ms inside it),
// and whose first answer is cut after 150 of them. lookback is 20 minutes,
// so that the backfill takes ten gathers, not thirty.
const firstAnswerLookback = 20 * time.Minute

func firstAnswerRig(t *testing.T, log *testutil.CaptureLogger) (*deliveryRig, *MIP) {
	scenarios := mipsim.Generate(300, 6, time.Minute)
	for i := range scenarios {
		scenarios[i].Phase = time.Duration(i)*200*time.Millisecond + 50*time.Millisecond
	}
	rig := newDeliveryRig(t, scenarios)
	rig.srv = httptest.NewServer(&cutFirstAnswer{sim: rig.sim, all: scenarios, listed: 150})
	t.Cleanup(rig.srv.Close)
	p := rig.plugin(log, func(p *MIP) {
		p.FirstGather = firstGatherWindow
		p.Lookback = config.Duration(firstAnswerLookback)
	})

	acc := &flushingAcc{}
	require.ErrorContains(t, p.Gather(acc), "reading", "the first answer is cut")
	for _, m := range acc.GetTelegrafMetrics() {
		if m.Name() == "mip_scenario" {
			id, _ := m.GetTag("scenario_id")
			rig.delivered[id] = append(rig.delivered[id], m.Time())
		}
	}
	require.True(t, p.behind(), "the first gather's budget leaves most of its answer for later")
	return rig, p
}

// TestCutFirstAnswerOwesEveryRunItListed: the first answer of a window
// backfill is cut (a gather timeout on a busy machine), so no answer was
// read whole yet, and the backfill then takes gathers that each take a
// while: the runs the first answer listed at the edge of lookback are
// outside it when their scenario's turn comes. Every run of the first
// answer is written, once, and nothing is reported lost.
func TestCutFirstAnswerOwesEveryRunItListed(t *testing.T) {
	log := &testutil.CaptureLogger{}
	rig, p := firstAnswerRig(t, log)
	for i := 0; i == 0 || p.behind(); i++ {
		require.Less(t, i, 100, "the backlog drains")
		rig.clock.Advance(13*time.Second + 700*time.Millisecond) // a slow gather, then catch_up_interval
		rig.gather(p)
	}
	answers := rig.sim.Answers()
	first, second := answers[0], answers[1]
	require.Equal(t, firstAnswerLookback, first.At.Sub(first.From), "the first window is lookback")
	now := rig.clock.Now()
	for i, sc := range rig.scenarios {
		id := strconv.FormatInt(sc.ID, 10)
		from := first.From // listed by the first answer: owed from then
		if i >= 150 {
			from = second.From // listed first by the second
		}
		var want []time.Time
		for _, run := range mipsim.Runs(sc, from, now) {
			want = append(want, run.Time)
		}
		require.Equal(t, times(want), times(rig.delivered[id]), "scenario %s", id)
	}
	for _, m := range log.Messages() {
		require.NotRegexp(t, `^[WE]!`, m.String(), "no warning in a backfill")
	}
}

// TestFirstAnswerLostAnywayIsSaid: after a cut first answer, the next
// gather comes more than twice lookback after the oldest run it left owed
// (the plugin was held that long): those runs are out of reach, and one W!
// line says how many were lost.
func TestFirstAnswerLostAnywayIsSaid(t *testing.T) {
	log := &testutil.CaptureLogger{}
	rig, p := firstAnswerRig(t, log)
	rig.clock.Advance(2*firstAnswerLookback + time.Minute)
	rig.gather(p)
	var warnings []string
	for _, m := range log.Messages() {
		if strings.HasPrefix(m.String(), "W!") {
			warnings = append(warnings, m.String())
		}
	}
	require.Len(t, warnings, 1, "one line on the runs lost")
	require.Regexp(t, `about \d+ runs of 1\d\d scenarios between .* are older than lookback \(20m0s\) and were lost`, warnings[0])
}
