package mip

import (
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/influxdata/telegraf"
	"github.com/influxdata/telegraf/config"
	"github.com/influxdata/telegraf/testutil"
	"github.com/stretchr/testify/require"

	"github.com/telegraf-mip/telegraf-mip/internal/mipsim"
	"github.com/telegraf-mip/telegraf-mip/internal/output"
	"github.com/telegraf-mip/telegraf-mip/plugins/inputs/mip/ledger"
)

// flushingAcc is an accumulator that delivers, or fails to, as
// telegraf-mip's writer to stdout does.
type flushingAcc struct {
	testutil.Accumulator
	err     error
	flushed int
}

func (a *flushingAcc) Flush() error {
	a.flushed++
	return a.err
}

// deliveryRig is a simulator of any scenarios on a controllable clock, and
// the runs a test saw delivered.
type deliveryRig struct {
	t         *testing.T
	clock     *clock
	sim       *mipsim.Sim
	srv       *httptest.Server
	scenarios []mipsim.Scenario
	state     string
	delivered map[string][]time.Time // scenario id → run times, in order
}

func newDeliveryRig(t *testing.T, scenarios []mipsim.Scenario) *deliveryRig {
	c := &clock{now: at("2026-11-25T10:00:00Z")}
	sim := mipsim.New(testKey, scenarios)
	sim.SetClock(c.Now)
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	return &deliveryRig{t: t, clock: c, sim: sim, srv: srv, scenarios: scenarios,
		state: filepath.Join(t.TempDir(), "mip.state"), delivered: map[string][]time.Time{}}
}

func (r *deliveryRig) plugin(log telegraf.Logger, configure ...func(*MIP)) *MIP {
	return startPlugin(r.t, r.srv.URL, r.state, r.clock, log, configure...)
}

// startPlugin starts a plugin instance on url with a state file and a test
// clock, as a process start would.
func startPlugin(t *testing.T, url, state string, c *clock, log telegraf.Logger, configure ...func(*MIP)) *MIP {
	t.Helper()
	p := New()
	p.URL = url
	p.APIKey = config.NewSecret([]byte(testKey))
	p.StateFile = state
	p.Log = log
	p.reader = unknownReader // every start replays, unless configured
	p.now = c.Now
	for _, c := range configure {
		c(p)
	}
	require.NoError(t, p.Init())
	p.now = c.Now
	t.Cleanup(p.Stop)
	return p
}

// gather runs one gather into a delivering accumulator and returns its
// points.
func (r *deliveryRig) gather(p *MIP) []telegraf.Metric {
	r.t.Helper()
	acc := &flushingAcc{}
	require.NoError(r.t, p.Gather(acc))
	require.Equal(r.t, 1, acc.flushed, "the plugin flushes once per gather")
	points := acc.GetTelegrafMetrics()
	for _, m := range points {
		if m.Name() == "mip_scenario" {
			id, _ := m.GetTag("scenario_id")
			r.delivered[id] = append(r.delivered[id], m.Time())
		}
	}
	return points
}

// requireEveryRunOnce checks that each scenario's delivered runs are the
// simulator's runs in (from, now], in order, each once.
func (r *deliveryRig) requireEveryRunOnce(from time.Time) {
	r.t.Helper()
	for _, sc := range r.scenarios {
		id := strconv.FormatInt(sc.ID, 10)
		var want []time.Time
		for _, run := range mipsim.Runs(sc, from, r.clock.Now()) {
			want = append(want, run.Time)
		}
		require.Equal(r.t, times(want), times(r.delivered[id]), "scenario %s", id)
	}
}

func TestFailedFlushLeavesWatermarksAndStateFile(t *testing.T) {
	rig := newDeliveryRig(t, scenariosForWatermarks())
	p := rig.plugin(&testutil.CaptureLogger{})
	rig.gather(p)
	before, err := os.ReadFile(rig.state)
	require.NoError(t, err)
	watermarks := watermarkTexts(watermarksOf(p))
	lastSuccess := p.ledger.State().LastSuccess

	rig.clock.Advance(3 * time.Minute)
	broken := &flushingAcc{err: errors.New("write |1: broken pipe")}
	err = p.Gather(broken)
	require.ErrorContains(t, err, "broken pipe")
	require.ErrorContains(t, err, "the watermarks stay where they were, so these runs are written again")
	require.NotEmpty(t, runPointsOnly(broken.GetTelegrafMetrics()), "the gather had runs to write")
	require.Equal(t, watermarks, watermarkTexts(watermarksOf(p)))
	require.Equal(t, lastSuccess, p.ledger.State().LastSuccess)
	after, err := os.ReadFile(rig.state)
	require.NoError(t, err)
	require.Equal(t, string(before), string(after), "state_file unchanged")

	// The next gather writes the same runs, and the ones since.
	rig.clock.Advance(time.Minute)
	rig.gather(p)
	for _, sc := range scenariosForWatermarks() {
		id := strconv.FormatInt(sc.ID, 10)
		first := rig.delivered[id][0]
		var want []time.Time
		for _, run := range mipsim.Runs(sc, first.Add(-time.Nanosecond), rig.clock.Now()) {
			want = append(want, run.Time)
		}
		require.Equal(t, times(want), times(rig.delivered[id]), "scenario %s", id)
	}
}

func watermarkTexts(m map[string]time.Time) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[k] = v.Format(time.RFC3339Nano)
	}
	return out
}

func TestStateReadOnlyNeverWritesTheStateFile(t *testing.T) {
	rig := newDeliveryRig(t, scenariosForWatermarks())
	p := rig.plugin(&testutil.CaptureLogger{})
	rig.gather(p)
	before, err := os.ReadFile(rig.state)
	require.NoError(t, err)
	stat, err := os.Stat(rig.state)
	require.NoError(t, err)

	rig.clock.Advance(5 * time.Minute)
	check := rig.plugin(&testutil.CaptureLogger{}, func(p *MIP) { p.SetOptions(Options{ReadOnlyState: true}) })
	points := rig.gather(check)
	require.NotEmpty(t, runPointsOnly(points), "the check sees the new runs")
	after, err := os.ReadFile(rig.state)
	require.NoError(t, err)
	require.Equal(t, string(before), string(after))
	stat2, err := os.Stat(rig.state)
	require.NoError(t, err)
	require.Equal(t, stat.ModTime(), stat2.ModTime())

	// The production instance still writes those runs.
	again := rig.plugin(&testutil.CaptureLogger{}, noReplay)
	require.Len(t, runPointsOnly(rig.gather(again)), len(runPointsOnly(points)))
}

func TestRestartReplaysTheRecentRuns(t *testing.T) {
	for _, schema := range []string{schemaInfluxDB, schemaBoth} {
		t.Run(schema, func(t *testing.T) {
			rig := newDeliveryRig(t, scenariosForWatermarks())
			configure := func(p *MIP) {
				p.FirstGather = firstGatherWindow
				p.Schema = schema
				p.CentreonHost = "mip"
			}
			p := rig.plugin(&testutil.CaptureLogger{}, configure)
			// Gathers every 20 s for 10 minutes; the last minute's were
			// perhaps still in Telegraf's memory when it was killed.
			var lastMinute []telegraf.Metric
			for i := 0; i < 30; i++ {
				rig.clock.Advance(20 * time.Second)
				points := rig.gather(p)
				if i >= 27 {
					lastMinute = append(lastMinute, runPointsOnly(points)...)
				}
			}
			p.Stop()
			killed := rig.clock.Now()
			rig.clock.Advance(30 * time.Second)

			log := &testutil.CaptureLogger{}
			restarted := rig.plugin(log, configure)
			replay := runPointsOnly(rig.gather(restarted))
			require.Contains(t, messages(log),
				"I! [] writing again the runs of 2 scenarios written in the 1m0s before the last stop, "+
					"in case Telegraf had not sent them (replay_on_restart)")

			// Every InfluxDB point of the last minute's gathers comes again,
			// then the runs since the stop.
			var influxReplay, centreonReplay []telegraf.Metric
			for _, m := range replay {
				switch {
				case m.Name() == "mip" && !m.Time().After(killed):
					centreonReplay = append(centreonReplay, m)
				case m.Name() != "mip" && !m.Time().After(killed):
					influxReplay = append(influxReplay, m)
				}
			}
			var influxLastMinute []telegraf.Metric
			for _, m := range lastMinute {
				if m.Name() != "mip" {
					influxLastMinute = append(influxLastMinute, m)
				}
			}
			require.NotEmpty(t, influxLastMinute)
			testutil.RequireMetricsEqual(t, influxLastMinute, influxReplay, testutil.SortMetrics())
			require.Empty(t, centreonReplay, "Centreon never gets a check result twice")
			if schema == schemaBoth {
				newChecks := 0
				for _, m := range replay {
					if m.Name() == "mip" {
						newChecks++
					}
				}
				require.Positive(t, newChecks, "runs after the stop reach Centreon")
			}
		})
	}
}

// TestBackfillSpreadOverGathers is the burst of a first gather in "window"
// mode: 50 scenarios × 60 runs, 4 points each, 12,000 points in all, through
// gathers of at most 1,000 points.
func TestBackfillSpreadOverGathers(t *testing.T) {
	scenarios := mipsim.Generate(50, 2, time.Minute)
	rig := newDeliveryRig(t, scenarios)
	log := &testutil.CaptureLogger{}
	p := rig.plugin(log, func(p *MIP) {
		p.FirstGather = firstGatherWindow
		p.MaxPointsPerGather = 1000
	})
	start := rig.clock.Now()
	gathers := 0
	for ; gathers == 0 || p.behind(); gathers++ {
		require.Less(t, gathers, 40, "the backlog drains")
		points := rig.gather(p)
		written := 0
		for _, m := range points {
			if m.Name() != "mip_api" {
				written++
			}
		}
		require.LessOrEqual(t, written, 1000, "gather %d", gathers)
		rig.clock.Advance(10 * time.Second)
	}
	// 12,000 points, plus the runs recorded while catching up.
	require.GreaterOrEqual(t, gathers, 12)
	require.LessOrEqual(t, gathers, 20)
	rig.gather(p)
	rig.requireEveryRunOnce(start.Add(-time.Hour))
	progress := log.Messages()[1].String() // after the first gather's debug line
	require.Regexp(t,
		`^I! \[\] backfill: wrote 249 runs \(1000 points, max_points_per_gather = 1000\); \d+ runs of \d+ scenarios left, about \d+ more gathers$`, progress)
}

// TestBackfillIsShared checks that, once the plugin knows how many scenarios
// there are, every scenario moves at each gather: none waits for the others.
func TestBackfillIsShared(t *testing.T) {
	scenarios := mipsim.Generate(20, 2, time.Minute)
	rig := newDeliveryRig(t, scenarios)
	p := rig.plugin(&testutil.CaptureLogger{}, func(p *MIP) {
		p.FirstGather = firstGatherWindow
		p.MaxPointsPerGather = 400
	})
	start := rig.clock.Now()
	rig.gather(p)
	rig.clock.Advance(10 * time.Second)
	for i := 0; i < 5; i++ {
		before := map[string]int{}
		for id, ts := range rig.delivered {
			before[id] = len(ts)
		}
		rig.gather(p)
		for _, sc := range scenarios {
			id := strconv.FormatInt(sc.ID, 10)
			if available := len(mipsim.Runs(sc, start.Add(-time.Hour), rig.clock.Now())); before[id] < available {
				require.Greater(t, len(rig.delivered[id]), before[id], "gather %d: scenario %s moves", i, id)
			}
		}
		rig.clock.Advance(10 * time.Second)
	}
}

// TestBackfillTakesTurns: 100 scenarios whose newest runs alone do not fit
// one gather take turns, and a first gather in "latest" mode still writes
// only each scenario's newest run.
func TestBackfillTakesTurns(t *testing.T) {
	scenarios := mipsim.Generate(100, 2, 5*time.Minute)
	rig := newDeliveryRig(t, scenarios)
	p := rig.plugin(&testutil.CaptureLogger{}, func(p *MIP) { p.MaxPointsPerGather = 150 })
	first := rig.clock.Now()
	for i := 0; i == 0 || p.behind(); i++ {
		require.Less(t, i, 20)
		rig.gather(p)
		rig.clock.Advance(5 * time.Second)
	}
	for _, sc := range scenarios {
		runs := mipsim.Runs(sc, first.Add(-5*time.Minute), first)
		id := strconv.FormatInt(sc.ID, 10)
		require.NotEmpty(t, rig.delivered[id], "scenario %s", id)
		require.Equal(t, runs[len(runs)-1].Time, rig.delivered[id][0], "scenario %s: the newest run at the first gather, first", id)
		require.True(t, slices.IsSortedFunc(rig.delivered[id], time.Time.Compare))
	}
}

// TestSizingAdvice: the advice follows from the scenarios and from
// max_points_per_gather, so each case is sized by the limit it must cross:
// 60 scenarios (about 540 points an interval) under a lowered
// max_points_per_gather, rather than thousands of scenarios' hour decoded
// under -race.
func TestSizingAdvice(t *testing.T) {
	tests := []struct {
		name      string
		maxPoints int // max_points_per_gather
		catchUp   time.Duration
		advice    string
	}{
		{name: "fits", maxPoints: 600},
		{name: "too many", maxPoints: 500, advice: "W! [] sizing: 60 scenarios write about 540 points per gather (one every 1m0s), " +
			"more than max_points_per_gather = 500 lets through in that time, so the plugin would fall behind; " +
			"set max_points_per_gather = 1000 and, in Telegraf's [agent], metric_buffer_limit = 2000 and metric_batch_size = 1000 " +
			"(see the sizing table in docs/delivery.md)"},
		{name: "caught up between intervals", maxPoints: 500, catchUp: 10 * time.Second,
			advice: "W! [] sizing: 60 scenarios write about 540 points per interval (one every 1m0s), " +
				"more than max_points_per_gather = 500: every interval takes 2 gathers, catch-up gathers included; " +
				"set max_points_per_gather = 1000 and, in Telegraf's [agent], metric_buffer_limit = 2000 and metric_batch_size = 1000 " +
				"(see the sizing table in docs/delivery.md)"},
		// 6 gathers an interval (1m / 10s) of 80 points let 480 through.
		{name: "too many even with catch-up gathers", maxPoints: 80, catchUp: 10 * time.Second,
			advice: "W! [] sizing: 60 scenarios write about 540 points per gather (one every 1m0s), " +
				"more than max_points_per_gather = 80 lets through in that time, so the plugin would fall behind; " +
				"set max_points_per_gather = 1000 and, in Telegraf's [agent], metric_buffer_limit = 2000 and metric_batch_size = 1000 " +
				"(see the sizing table in docs/delivery.md)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rig := newDeliveryRig(t, mipsim.Generate(60, 6, time.Minute))
			log := &testutil.CaptureLogger{}
			p := rig.plugin(log, func(p *MIP) {
				p.schedule = Schedule{CatchUpInterval: tt.catchUp}
				p.MaxPointsPerGather = tt.maxPoints
			})
			rig.gather(p)
			warnings := log.Warnings()
			if tt.advice == "" {
				require.Empty(t, warnings)
				return
			}
			require.Equal(t, []string{tt.advice}, warnings)
			rig.clock.Advance(10 * time.Second)
			rig.gather(p)
			require.Len(t, log.Warnings(), 1, "the advice is given once")
		})
	}
}

func messages(log *testutil.CaptureLogger) []string {
	entries := log.Messages()
	out := make([]string, 0, len(entries))
	for _, e := range entries {
		out = append(out, e.String())
	}
	return out
}

// TestRestartSoonAfterTheFirstGather: a stop within replay_on_restart of the
// first gather, in "latest" mode, writes again every run written since,
// the first gather's newest runs included, and loses none.
func TestRestartSoonAfterTheFirstGather(t *testing.T) {
	rig := newDeliveryRig(t, scenariosForWatermarks())
	p := rig.plugin(&testutil.CaptureLogger{})
	for i := 0; i < 3; i++ {
		rig.gather(p)
		rig.clock.Advance(20 * time.Second)
	}
	p.Stop()
	written := map[string][]time.Time{}
	for id, ts := range rig.delivered {
		written[id] = slices.Clone(ts)
	}
	rig.clock.Advance(2 * time.Minute)
	rig.delivered = map[string][]time.Time{}
	rig.gather(rig.plugin(&testutil.CaptureLogger{}))
	for _, sc := range scenariosForWatermarks() {
		id := strconv.FormatInt(sc.ID, 10)
		var want []time.Time
		for _, run := range mipsim.Runs(sc, written[id][0].Add(-time.Nanosecond), rig.clock.Now()) {
			want = append(want, run.Time)
		}
		require.Equal(t, times(want), times(rig.delivered[id]), "scenario %s: written again from the first run on", id)
	}
}

// unknownReader is a reader the plugin cannot identify: a start replays.
func unknownReader() string { return "" }

// watermarksOf returns the watermarks of a plugin's ledger, by scenario.
func watermarksOf(p *MIP) map[string]time.Time {
	return knownWatermarks(p.ledger.State())
}

// knownWatermarks returns the watermarks of a state, by scenario.
func knownWatermarks(st *ledger.State) map[string]time.Time {
	out := map[string]time.Time{}
	for id, r := range st.Scenarios {
		if r.Known() {
			out[id] = r.Watermark
		}
	}
	return out
}

// TestInTelegrafCommitsOnDelivery: compiled into Telegraf, the plugin
// hands a gather's points to Telegraf as one tracked group and commits the
// gather only when Telegraf reports them written; no gather starts
// meanwhile, and points Telegraf dropped are written again.
func TestInTelegrafCommitsOnDelivery(t *testing.T) {
	rig := newDeliveryRig(t, scenariosForWatermarks())
	log := &testutil.CaptureLogger{}
	p := rig.plugin(log)
	inTelegraf := func() ([]telegraf.Metric, *testutil.Accumulator) {
		t.Helper()
		var acc testutil.Accumulator
		require.NoError(t, p.Gather(&acc))
		return acc.GetTelegrafMetrics(), &acc
	}
	first, acc := inTelegraf()
	require.NotEmpty(t, runPointsOnly(first))
	_, err := os.Stat(rig.state)
	require.ErrorIs(t, err, os.ErrNotExist, "nothing committed before delivery")
	requests := rig.sim.Requests()

	// Not delivered yet: the next gathers wait, MIP is not asked.
	rig.clock.Advance(time.Minute)
	waiting, _ := inTelegraf()
	require.Empty(t, waiting)
	waiting, _ = inTelegraf()
	require.Empty(t, waiting)
	require.Equal(t, requests, rig.sim.Requests())
	require.Equal(t, []string{"W! [] the last gather's points are not written by Telegraf's outputs yet: no gather until they are, " +
		"the runs wait in MIP (within lookback)"}, log.Warnings(), "said once")

	deliver(t, p, acc)
	require.Contains(t, messages(log), "I! [] Telegraf settled the points of the gather 2 gathers waited for: gathering resumes")
	instances, err := ledger.Read(rig.state)
	require.NoError(t, err)
	require.Equal(t, watermarksOf(p), knownWatermarks(instances[p.instanceKey()]), "committed and saved on delivery")

	// Dropped by Telegraf (a full buffer): written again by the next gather.
	rig.clock.Advance(time.Minute)
	dropped, _ := inTelegraf()
	require.NotEmpty(t, runPointsOnly(dropped))
	before := watermarksOf(p)
	for _, m := range dropped {
		m.Reject()
	}
	awaitSettled(t, p)
	require.Equal(t, before, watermarksOf(p))
	require.Contains(t, log.Warnings()[len(log.Warnings())-1], "Telegraf dropped the points of")
	again, acc := inTelegraf()
	testutil.RequireMetricsEqual(t, runPointsOnly(dropped), runPointsOnly(again), testutil.SortMetrics())
	deliver(t, p, acc)
	require.NotEqual(t, before, watermarksOf(p))
}

// TestRestartMidBackfillLosesNothing: a graceful restart in the middle of
// a backfill carries it on: every run is written, and no line says runs
// were lost.
func TestRestartMidBackfillLosesNothing(t *testing.T) {
	scenarios := mipsim.Generate(50, 2, time.Minute)
	rig := newDeliveryRig(t, scenarios)
	configure := func(p *MIP) {
		p.FirstGather = firstGatherWindow
		p.MaxPointsPerGather = 200
	}
	start := rig.clock.Now()
	log := &testutil.CaptureLogger{}
	p := rig.plugin(log, configure)
	for range 3 {
		rig.gather(p)
		rig.clock.Advance(10 * time.Second)
	}
	require.True(t, p.behind())
	p.Stop()
	rig.clock.Advance(30 * time.Second)
	restarted := rig.plugin(log, configure)
	require.True(t, restarted.behind(), "the backfill carries on")
	for i := 0; i == 0 || restarted.behind(); i++ {
		require.Less(t, i, 100, "the backlog drains")
		rig.gather(restarted)
		rig.clock.Advance(10 * time.Second)
	}
	rig.gather(restarted)
	rig.requireNoneLostNoneTwice(start.Add(-time.Hour), rig.clock.Now().Add(-time.Minute), true)
	for _, m := range messages(log) {
		require.NotContains(t, m, "lost")
	}
}

// TestWritersFailedFlushLeavesWatermarks is the delivery contract with
// telegraf-mip's own writer, not a stand-in: a gather whose points the
// writer could not write to stdout moves no watermark and leaves
// state_file as it was. Should the plugin no longer recognise the writer's
// accumulator as one that delivers, it would commit as soon as the points
// are added, and the runs would be lost.
func TestWritersFailedFlushLeavesWatermarks(t *testing.T) {
	rig := newDeliveryRig(t, scenariosForWatermarks())
	p := rig.plugin(&testutil.CaptureLogger{})
	var out strings.Builder
	require.NoError(t, output.Gather(p, output.NewWriter(&out, discardLogger())))
	require.Contains(t, out.String(), "mip_scenario,")
	before, err := os.ReadFile(rig.state)
	require.NoError(t, err)
	watermarks := watermarkTexts(watermarksOf(p))

	rig.clock.Advance(3 * time.Minute)
	w := output.NewWriter(brokenPipe{}, discardLogger())
	err = output.Gather(p, w)
	require.ErrorContains(t, err, "broken pipe")
	require.ErrorContains(t, err, "the watermarks stay where they were, so these runs are written again")
	require.Equal(t, watermarks, watermarkTexts(watermarksOf(p)))
	after, err := os.ReadFile(rig.state)
	require.NoError(t, err)
	require.Equal(t, string(before), string(after), "state_file unchanged")
}

// brokenPipe is a stdout Telegraf no longer reads.
type brokenPipe struct{}

func (brokenPipe) Write([]byte) (int, error) { return 0, errors.New("write |1: broken pipe") }
