package mip

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/influxdata/telegraf"
	"github.com/influxdata/telegraf/testutil"
	"github.com/stretchr/testify/require"

	"github.com/telegraf-mip/telegraf-mip/internal/mipapi"
	"github.com/telegraf-mip/telegraf-mip/internal/mipsim"
)

// requireEachOnce checks that the runs delivered of each scenario are the
// expected ones, each once, in any order (runs recorded late come after
// newer ones).
func requireEachOnce(t *testing.T, delivered, expected map[string][]time.Time) {
	t.Helper()
	for id, want := range expected {
		got := slices.Clone(delivered[id])
		slices.SortFunc(got, time.Time.Compare)
		require.Equal(t, times(want), times(got), "scenario %s: every run recorded, once", id)
	}
}

// TestLateRunsAreWrittenOnce: MIP records a run under its start time once
// it ends, up to the measure's timeout later, and a long run may end after
// a shorter one that started after it. Every run is written once, however
// late it appears.
func TestLateRunsAreWrittenOnce(t *testing.T) {
	metrics := []mipsim.Metric{{Key: "m1", Alias: "Total", Unit: "ms"}}
	scenarios := []mipsim.Scenario{
		// Runs of 7 minutes, 10 s and 30 s, every minute: out of order.
		{ID: 1, Name: "long", Frequency: time.Minute, Phase: 7 * time.Second, Timeout: 10 * time.Minute,
			Durations: []time.Duration{7 * time.Minute, 10 * time.Second, 30 * time.Second}, Metrics: metrics},
		{ID: 2, Name: "slow", Frequency: 90 * time.Second, Phase: 13 * time.Second, Timeout: 2 * time.Minute,
			Durations: []time.Duration{100 * time.Second}, Metrics: metrics},
		{ID: 3, Name: "quick", Frequency: time.Minute, Phase: 21 * time.Second, Durations: []time.Duration{20 * time.Second}, Metrics: metrics},
	}
	for _, mode := range []string{firstGatherLatest, firstGatherWindow} {
		t.Run(mode, func(t *testing.T) {
			rig := newDeliveryRig(t, scenarios)
			p := rig.plugin(&testutil.CaptureLogger{}, func(p *MIP) { p.FirstGather = mode })
			start := rig.clock.Now()
			var windows []int64
			for i := 0; i < 50; i++ {
				for _, m := range rig.gather(p) {
					if m.Name() == "mip_api" {
						w, _ := m.GetField("window_seconds")
						windows = append(windows, w.(int64))
					}
				}
				rig.clock.Advance(time.Minute)
			}
			expected := map[string][]time.Time{}
			for _, sc := range scenarios {
				id := strconv.FormatInt(sc.ID, 10)
				from := start.Add(-time.Hour)
				if mode == firstGatherLatest {
					from = rig.delivered[id][0].Add(-time.Nanosecond)
				}
				for _, r := range mipsim.Recorded(sc, from, rig.clock.Now().Add(-time.Minute)) {
					expected[id] = append(expected[id], r.Time)
				}
			}
			requireEachOnce(t, rig.delivered, expected)
			// Steady state: a minute since the last gather, plus the longest
			// timeout (10 min) and 30 s for MIP to record a run.
			require.Equal(t, int64(60+600+30), windows[len(windows)-1])
		})
	}
}

// TestSteadyWindowWithShortTimeouts: with a 30 s timeout and a gather a
// minute, a steady gather asks for two minutes: about twice the runs it
// writes.
func TestSteadyWindowWithShortTimeouts(t *testing.T) {
	scenarios := mipsim.Generate(20, 2, time.Minute)
	for i := range scenarios {
		scenarios[i].Timeout = 30 * time.Second
	}
	rig := newDeliveryRig(t, scenarios)
	p := rig.plugin(&testutil.CaptureLogger{})
	var window int64
	for i := 0; i < 5; i++ {
		for _, m := range rig.gather(p) {
			if m.Name() == "mip_api" {
				w, _ := m.GetField("window_seconds")
				window = w.(int64)
			}
		}
		rig.clock.Advance(time.Minute)
	}
	require.Equal(t, int64(60+30+30), window)
}

// TestScenarioAbsentThenBack: a measure missing from MIP's answers for 11
// minutes gets the runs it missed once it is back.
func TestScenarioAbsentThenBack(t *testing.T) {
	scenarios := scenariosForWatermarks()
	rig := newDeliveryRig(t, scenarios)
	log := &testutil.CaptureLogger{}
	p := rig.plugin(log)
	for i := 0; i < 5; i++ {
		rig.gather(p)
		rig.clock.Advance(time.Minute)
	}
	rig.sim.SetScenarios([]mipsim.Scenario{scenarios[0], scenarios[2]})
	for i := 0; i < 11; i++ {
		rig.gather(p)
		rig.clock.Advance(time.Minute)
	}
	rig.sim.SetScenarios(scenarios)
	for i := 0; i < 3; i++ {
		rig.gather(p)
		rig.clock.Advance(time.Minute)
	}
	rig.clock.Advance(-time.Minute)
	expected := map[string][]time.Time{}
	for _, sc := range scenarios {
		id := strconv.FormatInt(sc.ID, 10)
		for _, r := range mipsim.Runs(sc, rig.delivered[id][0].Add(-time.Nanosecond), rig.clock.Now()) {
			expected[id] = append(expected[id], r.Time)
		}
	}
	// The missed runs come after the newer ones of its return.
	requireEachOnce(t, rig.delivered, expected)
	require.Empty(t, log.Warnings())
}

// scriptedMIP answers the runs a test sets, keyed as the test writes them,
// in the order it gives.
type scriptedMIP struct {
	t       *testing.T
	mu      sync.Mutex
	entries []scriptedEntry
}

type scriptedEntry struct {
	id         int
	metricInfo string // JSON object
	runs       [][2]string
}

func (s *scriptedMIP) set(entries ...scriptedEntry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.entries = entries
}

func (s *scriptedMIP) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b strings.Builder
	b.WriteString(`{"results":[`)
	for i, e := range s.entries {
		if i > 0 {
			b.WriteString(",")
		}
		info := e.metricInfo
		if info == "" {
			info = `{"m1":{"alias":"Total","unit":"ms"}}`
		}
		fmt.Fprintf(&b, `{"measure":{"id":%d,"name":"s%d","frequency":60,"timeout":60,"scenario":{"name":"s%d"}},"metricInfo":%s,"results":{`,
			e.id, e.id, e.id, info)
		for j, r := range e.runs {
			if j > 0 {
				b.WriteString(",")
			}
			key, err := json.Marshal(r[0])
			if err != nil {
				s.t.Error(err)
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			fmt.Fprintf(&b, `%s:{"state":{"type":%q},"metrics":{"m1":1,"m2":2}}`, key, r[1])
		}
		b.WriteString("}}")
	}
	b.WriteString("]}")
	w.Header().Set("Content-Type", "application/json")
	if _, err := w.Write([]byte(b.String())); err != nil {
		s.t.Error(err)
	}
}

func newScriptedRig(t *testing.T) (*scriptedMIP, *deliveryRig) {
	s := &scriptedMIP{t: t}
	rig := newDeliveryRig(t, nil)
	srv := serve(t, s.ServeHTTP)
	rig.srv = srv.Server
	return s, rig
}

func rfc(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func TestRunsFromTheFuture(t *testing.T) {
	mip, rig := newScriptedRig(t)
	log := &testutil.CaptureLogger{}
	p := rig.plugin(log, func(p *MIP) { p.FirstGather = firstGatherWindow })
	t0 := rig.clock.Now()
	dayAhead := rfc(t0.Add(24 * time.Hour))
	// Scenario 42: a run a day ahead among sane ones; scenario 43: a robot
	// 10 minutes ahead, then set right.
	runs42 := [][2]string{{rfc(t0.Add(-2 * time.Minute)), "OK"}, {dayAhead, "CRITICAL"}}
	var runs43 [][2]string
	var freshness []float64
	for i := 0; i < 15; i++ {
		now := rig.clock.Now()
		if i == 1 {
			runs42 = append(runs42, [2]string{rfc(t0), "OK"}, [2]string{rfc(t0.Add(time.Minute)), "WARNING"})
		}
		if i < 3 {
			runs43 = append(runs43, [2]string{rfc(now.Add(10 * time.Minute)), "OK"})
		} else {
			runs43 = append(runs43, [2]string{rfc(now), "OK"})
		}
		// One run 30 s ahead, within the tolerance, is written.
		if i == 5 {
			runs43 = append(runs43, [2]string{rfc(now.Add(30 * time.Second)), "OK"})
		}
		mip.set(scriptedEntry{id: 42, runs: runs42}, scriptedEntry{id: 43, runs: runs43})
		for _, m := range rig.gather(p) {
			if m.Name() == "mip_freshness" {
				age, _ := m.GetField("age_seconds")
				freshness = append(freshness, age.(float64))
			}
		}
		rig.clock.Advance(time.Minute)
	}
	require.Equal(t, []string{rfc(t0.Add(-2 * time.Minute)), rfc(t0), rfc(t0.Add(time.Minute))}, times(rig.delivered["42"]),
		"the day-ahead run holds nothing back")
	want43 := make([]time.Time, 0, len(runs43))
	for _, r := range runs43 {
		want43 = append(want43, at(r[0]))
	}
	slices.SortFunc(want43, time.Time.Compare)
	want43 = slices.CompactFunc(want43, time.Time.Equal)
	requireEachOnce(t, rig.delivered, map[string][]time.Time{"43": want43})
	for _, age := range freshness {
		require.GreaterOrEqual(t, age, 0.0, "mip_freshness is never negative")
	}
	// One warning per run from the future, not one per gather.
	warnings := log.Warnings()
	require.Len(t, warnings, 4, "%v", warnings)
	require.Contains(t, warnings[0], "scenario id 42: run "+dayAhead+" is stamped 24h0m0s ahead of this machine's clock, more than clock_skew_tolerance (1m0s)")
}

func TestOneRunPerInstant(t *testing.T) {
	mip, rig := newScriptedRig(t)
	p := rig.plugin(&testutil.CaptureLogger{}, func(p *MIP) { p.FirstGather = firstGatherWindow })
	t0 := rig.clock.Now().Add(-time.Minute)
	mip.set(scriptedEntry{
		id:         42,
		metricInfo: `{"m1":{"alias":"Step","unit":"ms"},"m2":{"alias":"Step","unit":"ms"}}`,
		runs: [][2]string{
			{rfc(t0), "OK"},
			{strconv.FormatInt(t0.UnixMilli(), 10), "CRITICAL"},
			{t0.Format("2006-01-02T15:04:05.000Z07:00"), "WARNING"},
			{strconv.FormatInt(t0.Unix(), 10), "UNKNOWN"},
		},
	})
	points := rig.gather(p)
	var states []telegraf.Metric
	var metricNames []string
	for _, m := range points {
		switch m.Name() {
		case "mip_scenario":
			states = append(states, m)
		case "mip_metric":
			name, _ := m.GetTag("metric")
			metricNames = append(metricNames, name)
		}
	}
	require.Len(t, states, 1, "one run for one instant")
	status, _ := states[0].GetField("status")
	require.Equal(t, "UNKNOWN", status, "the last in the response counts")
	require.Equal(t, []string{"Step", "Step [m2]"}, metricNames, "two keys with one alias are two series")
}

// TestMetricTagsFollowMetricInfo: which key of a shared alias is told apart
// is decided on metricInfo, so a run without the first key still writes the
// second under its own series.
func TestMetricTagsFollowMetricInfo(t *testing.T) {
	tests := []struct {
		name string
		info map[string]mipapi.MetricInfo
		want map[string]string
	}{
		{name: "no collision", info: map[string]mipapi.MetricInfo{"m1": {Alias: "Step 1", Unit: "ms"}, "m2": {Alias: "Step 2", Unit: "ms"}}},
		{name: "same alias, other unit", info: map[string]mipapi.MetricInfo{"m1": {Alias: "Step", Unit: "ms"}, "m2": {Alias: "Step", Unit: "bytes"}}},
		{
			name: "same alias and unit",
			info: map[string]mipapi.MetricInfo{"b": {Alias: "Step", Unit: "ms"}, "a": {Alias: "Step", Unit: "ms"}, "c": {Alias: "Step", Unit: "bytes"}},
			want: map[string]string{"b": "Step [b]"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, metricTags(tt.info))
		})
	}
}

// TestBadRunKeyReportedOnce: a key that is no time is reported by the first
// gather that meets it, not by every gather while it stays in the window.
func TestBadRunKeyReportedOnce(t *testing.T) {
	mip, rig := newScriptedRig(t)
	p := rig.plugin(&testutil.CaptureLogger{})
	mip.set(scriptedEntry{id: 42, runs: [][2]string{{"yesterday", "OK"}, {rfc(rig.clock.Now().Add(-time.Minute)), "OK"}}})
	err := p.Gather(&flushingAcc{})
	require.ErrorContains(t, err, `scenario id 42: run time "yesterday" is neither RFC 3339 nor a Unix epoch`)
	rig.clock.Advance(time.Minute)
	require.NoError(t, p.Gather(&flushingAcc{}))
	mip.set(scriptedEntry{id: 42, runs: [][2]string{{"tomorrow", "OK"}}})
	require.ErrorContains(t, p.Gather(&flushingAcc{}), `"tomorrow"`, "a new one is reported")
}

// TestStateAheadOfTheClockLosesNoRun: a state saved while this machine's
// clock was a year ahead (MIP's was right), then the clock corrected: the
// start says so once, and every run is still written, once.
func TestStateAheadOfTheClockLosesNoRun(t *testing.T) {
	rig := newDeliveryRig(t, scenariosForWatermarks())
	start := rig.clock.Now()
	ahead := &clock{now: start.Add(365 * 24 * time.Hour)}
	window := func(p *MIP) { p.FirstGather = firstGatherWindow }
	p := startPlugin(t, rig.srv.URL, rig.state, ahead, &testutil.CaptureLogger{}, window, noReplay)
	for range 3 {
		rig.gather(p)
		rig.clock.Advance(time.Minute)
		ahead.Advance(time.Minute)
	}
	p.Stop()
	rig.clock.Advance(10 * time.Minute)

	log := &testutil.CaptureLogger{}
	corrected := rig.plugin(log, window, noReplay)
	require.Len(t, log.Warnings(), 1)
	require.Equal(t, "W! [] state file "+rig.state+" holds times up to 8759h49m0s ahead of this machine's clock, "+
		"more than clock_skew_tolerance (1m0s): the clock went back since they were saved; resuming with a window of lookback (1h0m0s), "+
		"so that no run recorded since is lost", log.Warnings()[0])
	for range 20 {
		rig.gather(corrected)
		rig.clock.Advance(time.Minute)
	}
	require.Len(t, log.Warnings(), 1, "said once")
	rig.requireNoneLostNoneTwice(start.Add(-time.Hour), rig.clock.Now().Add(-2*time.Minute), false)
}

// TestWatermarkAheadLosesNoNewRun: a state saved while this machine's and
// MIP's clocks were a year ahead, so that the newest run written lies a
// year ahead, then every clock set right: the runs MIP records since, before
// the restart and after it, are written, once, and mip_freshness says their
// age, not zero.
func TestWatermarkAheadLosesNoNewRun(t *testing.T) {
	mip, rig := newScriptedRig(t)
	ahead := &clock{now: rig.clock.Now().Add(365 * 24 * time.Hour)}
	window := func(p *MIP) { p.FirstGather = firstGatherWindow }
	p := startPlugin(t, rig.srv.URL, rig.state, ahead, &testutil.CaptureLogger{}, window, noReplay)
	runs := make([][2]string, 0, 3)
	for range 3 {
		runs = append(runs, [2]string{rfc(ahead.Now().Add(-10 * time.Second)), "OK"})
		mip.set(scriptedEntry{id: 42, runs: runs})
		rig.gather(p)
		ahead.Advance(time.Minute)
	}
	p.Stop()
	rig.delivered = map[string][]time.Time{}

	// A run every 20 s since the clocks were set right, 2 minutes before
	// the restart.
	rig.clock.Advance(2 * time.Minute)
	runs = nil
	var want []time.Time
	next := rig.clock.Now().Add(-2 * time.Minute)
	log := &testutil.CaptureLogger{}
	corrected := rig.plugin(log, window, noReplay)
	require.Len(t, log.Warnings(), 1)
	require.Contains(t, log.Warnings()[0], "the newest runs written of 1 scenarios lay ahead too: their runs since lookback are asked for again")
	var ages []float64
	for range 5 {
		for ; next.Before(rig.clock.Now()); next = next.Add(20 * time.Second) {
			runs = append(runs, [2]string{rfc(next), "OK"})
			want = append(want, next)
		}
		mip.set(scriptedEntry{id: 42, runs: runs})
		for _, m := range rig.gather(corrected) {
			if m.Name() == "mip_freshness" {
				age, _ := m.GetField("age_seconds")
				ages = append(ages, age.(float64))
			}
		}
		rig.clock.Advance(time.Minute)
	}
	requireEachOnce(t, rig.delivered, map[string][]time.Time{"42": want})
	require.Equal(t, []float64{20, 20, 20, 20, 20}, ages, "the age of the newest run written")
}

// TestRunsStampedFarInThePastAreReported: a robot whose clock went a year
// back, behind a MIP that answers with every run whatever the window (as
// one that filters on the time a run was recorded would): its runs lie
// before every window asked and every run written, and before the runs
// settled, and are not written; one W! line per gather that meets new ones
// says how many, the scenario at debug level, and the runs already said, or
// written, are not said again.
func TestRunsStampedFarInThePastAreReported(t *testing.T) {
	mip, rig := newScriptedRig(t)
	log := &testutil.CaptureLogger{}
	p := rig.plugin(log, func(p *MIP) { p.FirstGather = firstGatherWindow })
	t0 := rig.clock.Now()
	year := 365 * 24 * time.Hour
	// A run older than the first window, which MIP sends all the same, is
	// written by the first gather: it is no news afterwards.
	runs := [][2]string{{rfc(t0.Add(-2 * time.Hour)), "OK"}}
	want := []time.Time{t0.Add(-2 * time.Hour)}
	var behind []string
	for i := range 8 {
		now := rig.clock.Now()
		switch {
		case i < 3 || i >= 6:
			runs = append(runs, [2]string{rfc(now.Add(-30 * time.Second)), "OK"})
			want = append(want, now.Add(-30*time.Second))
		default: // the robot's clock a year behind, for three runs
			runs = append(runs, [2]string{rfc(now.Add(-30*time.Second - year)), "CRITICAL"})
			behind = append(behind, rfc(now.Add(-30*time.Second-year)))
		}
		mip.set(scriptedEntry{id: 42, runs: runs})
		rig.gather(p)
		rig.clock.Advance(time.Minute)
	}
	requireEachOnce(t, rig.delivered, map[string][]time.Time{"42": want})
	warnings := log.Warnings()
	require.Len(t, warnings, 3, "one per gather that met new ones: %v", warnings)
	oldest := rfc(t0.Add(-2 * time.Hour)) // the oldest run written
	for i, w := range warnings {
		require.Equal(t, "W! [] MIP sent 1 runs of 1 scenarios stamped between "+behind[i]+" and "+behind[i]+
			", before every window asked and run written since the start ("+oldest+") and before the runs already settled: they are not written "+
			"(the scenarios at debug level); the clocks of their robots, or MIP's, are likely behind: check them", w)
	}
	var debug []string
	for _, m := range log.Messages() {
		if m.Level == 'D' && strings.Contains(m.Text, "before every window asked") {
			debug = append(debug, m.Text)
		}
	}
	require.Len(t, debug, 3)
	require.Contains(t, debug[0], "scenario id 42: 1 runs stamped between "+behind[0])
}
