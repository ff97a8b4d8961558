package mip

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/influxdata/telegraf/config"
	"github.com/influxdata/telegraf/testutil"
	"github.com/stretchr/testify/require"

	"github.com/telegraf-mip/telegraf-mip/internal/mipapi"
	"github.com/telegraf-mip/telegraf-mip/internal/mipsim"
	"github.com/telegraf-mip/telegraf-mip/plugins/inputs/mip/ledger"
)

// clock is the time shared by the simulator and the plugin under test.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// faultyMIP is the simulator behind switches for outages and truncation.
type faultyMIP struct {
	t        *testing.T
	sim      *mipsim.Sim
	mu       sync.Mutex
	status   int // non-zero: answer this status instead
	truncate int // non-zero: cut the body after this many bytes
	hangUp   bool
}

func (f *faultyMIP) set(status, truncate int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.status, f.truncate = status, truncate
}

// setHangUp makes the server close connections without answering.
func (f *faultyMIP) setHangUp(on bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hangUp = on
}

func (f *faultyMIP) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	status, truncate, hangUp := f.status, f.truncate, f.hangUp
	f.mu.Unlock()
	if hangUp {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
		return
	}
	if status != 0 {
		w.WriteHeader(status)
		return
	}
	if truncate == 0 {
		f.sim.ServeHTTP(w, r)
		return
	}
	rec := httptest.NewRecorder()
	f.sim.ServeHTTP(rec, r)
	if _, err := w.Write(rec.Body.Bytes()[:truncate]); err != nil {
		f.t.Error(err)
	}
}

// scenariosForWatermarks run at different frequencies, so that gathers are
// both shorter and longer than their intervals.
func scenariosForWatermarks() []mipsim.Scenario {
	metrics := []mipsim.Metric{{Key: "m1", Alias: "Total", Unit: "ms"}}
	return []mipsim.Scenario{
		{ID: 1, Name: "every_minute", Application: "A", Frequency: time.Minute, Phase: 7 * time.Second, Metrics: metrics},
		{ID: 2, Name: "every_90s", Application: "A", Frequency: 90 * time.Second, Phase: 13 * time.Second, Metrics: metrics},
		{ID: 3, Name: "every_5m", Application: "B", Frequency: 5 * time.Minute, Phase: 2 * time.Minute, Metrics: metrics},
	}
}

type watermarkRig struct {
	t     *testing.T
	clock *clock
	mip   *faultyMIP
	srv   *httptest.Server
	state string
	// emitted holds every mip_scenario point emitted: scenario id → run times.
	emitted map[string][]time.Time
}

func newWatermarkRig(t *testing.T) *watermarkRig {
	c := &clock{now: at("2026-11-25T10:00:00Z")}
	sim := mipsim.New(testKey, scenariosForWatermarks())
	sim.SetClock(c.Now)
	f := &faultyMIP{t: t, sim: sim}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return &watermarkRig{t: t, clock: c, mip: f, srv: srv, state: filepath.Join(t.TempDir(), "mip.state"), emitted: map[string][]time.Time{}}
}

// plugin starts a plugin instance on the rig, as a process start would.
func (r *watermarkRig) plugin(log *testutil.CaptureLogger, configure ...func(*MIP)) *MIP {
	return startPlugin(r.t, r.srv.URL, r.state, r.clock, log, configure...)
}

// gather runs one gather and records its runs.
func (r *watermarkRig) gather(p *MIP) error {
	var acc flushingAccumulator // the binary's writer: a gather commits once flushed
	err := p.Gather(&acc)
	for _, m := range acc.GetTelegrafMetrics() {
		if m.Name() == "mip_scenario" {
			id, _ := m.GetTag("scenario_id")
			r.emitted[id] = append(r.emitted[id], m.Time())
		}
	}
	return err
}

// requireExactlyOnce checks that the runs emitted are exactly the
// simulator's runs from the first one emitted to now: no gap, no duplicate.
func (r *watermarkRig) requireExactlyOnce(from time.Time) {
	r.t.Helper()
	for _, sc := range scenariosForWatermarks() {
		id := strconv.FormatInt(sc.ID, 10)
		var want []time.Time
		for _, run := range mipsim.Runs(sc, from, r.clock.Now()) {
			want = append(want, run.Time)
		}
		got := slices.Clone(r.emitted[id])
		require.True(r.t, slices.IsSortedFunc(got, time.Time.Compare), "scenario %s: runs emitted in time order", id)
		require.Equal(r.t, times(want), times(got), "scenario %s", id)
	}
}

// noReplay turns replay_on_restart off, for the tests of the watermarks
// alone.
func noReplay(p *MIP) { p.ReplayOnRestart = 0 }

func times(ts []time.Time) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.UTC().Format(time.RFC3339)
	}
	return out
}

// firstRuns is when the first gather's runs start: for first_gather =
// "latest", just before each scenario's newest run at that time.
func firstLatest(now time.Time) time.Time {
	// The slowest scenario runs every 5 minutes: its newest run is at most
	// that old, and the faster ones' older runs are not emitted, which
	// requireExactlyOnce checks per scenario from its own first run.
	return now.Add(-5 * time.Minute)
}

func TestEveryRunExactlyOnceAcrossIntervals(t *testing.T) {
	rig := newWatermarkRig(t)
	p := rig.plugin(&testutil.CaptureLogger{}, func(p *MIP) { p.FirstGather = firstGatherWindow })
	start := rig.clock.Now()
	// Intervals shorter and longer than every frequency, and some equal.
	intervals := []time.Duration{
		10 * time.Second, time.Minute, 3 * time.Minute, 45 * time.Second, 7 * time.Minute,
		90 * time.Second, 1 * time.Second, 12 * time.Minute, 5 * time.Minute, 30 * time.Second,
	}
	// Sixty gathers, the intervals taken in turn.
	for range 6 {
		for _, interval := range intervals {
			require.NoError(t, rig.gather(p))
			rig.clock.Advance(interval)
		}
	}
	require.NoError(t, rig.gather(p))
	rig.requireExactlyOnce(start.Add(-time.Hour))
}

func TestFirstGatherLatestEmitsOnlyTheNewestRun(t *testing.T) {
	rig := newWatermarkRig(t)
	p := rig.plugin(&testutil.CaptureLogger{})
	require.NoError(t, rig.gather(p))
	for _, sc := range scenariosForWatermarks() {
		runs := mipsim.Runs(sc, rig.clock.Now().Add(-time.Hour), rig.clock.Now())
		require.Equal(t, times([]time.Time{runs[len(runs)-1].Time}), times(rig.emitted[strconv.FormatInt(sc.ID, 10)]))
	}
	// Then every later run, once.
	for i := 0; i < 20; i++ {
		rig.clock.Advance(2 * time.Minute)
		require.NoError(t, rig.gather(p))
	}
	for _, sc := range scenariosForWatermarks() {
		id := strconv.FormatInt(sc.ID, 10)
		first := rig.emitted[id][0]
		var want []time.Time
		for _, run := range mipsim.Runs(sc, first.Add(-time.Nanosecond), rig.clock.Now()) {
			want = append(want, run.Time)
		}
		require.Equal(t, times(want), times(rig.emitted[id]), "scenario %s", id)
	}
}

func TestWindowFollowsTheLastSuccess(t *testing.T) {
	rig := newWatermarkRig(t)
	p := rig.plugin(&testutil.CaptureLogger{})
	require.Equal(t, "1h", mipapi.RelativeDuration(mustWindow(p, rig.clock.Now())), "first gather: lookback")
	require.NoError(t, rig.gather(p))
	rig.clock.Advance(time.Minute)
	require.Equal(t, "150s", mipapi.RelativeDuration(mustWindow(p, rig.clock.Now())),
		"steady state: since the last success plus the measures' timeout (60 s) and 30 s")
	rig.mip.set(http.StatusServiceUnavailable, 0)
	rig.clock.Advance(10 * time.Minute)
	require.Error(t, rig.gather(p))
	require.Equal(t, "750s", mipapi.RelativeDuration(mustWindow(p, rig.clock.Now())), "a failed gather does not move the window's start")
}

func mustWindow(p *MIP, now time.Time) time.Duration {
	w, _ := p.ledger.Window(now)
	return w
}

func TestRestartWithStateFile(t *testing.T) {
	rig := newWatermarkRig(t)
	start := rig.clock.Now()
	for process := 0; process < 4; process++ {
		p := rig.plugin(&testutil.CaptureLogger{}, noReplay, func(p *MIP) { p.FirstGather = firstGatherWindow })
		for i := 0; i < 5; i++ {
			require.NoError(t, rig.gather(p))
			rig.clock.Advance(100 * time.Second)
		}
		p.Stop()
		// Down for a while: the next process backfills.
		rig.clock.Advance(time.Duration(process) * 7 * time.Minute)
	}
	p := rig.plugin(&testutil.CaptureLogger{}, noReplay)
	require.NoError(t, rig.gather(p))
	rig.requireExactlyOnce(start.Add(-time.Hour))

	info, err := os.Stat(rig.state)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), info.Mode().Perm())
}

// TestDamagedStateFileIsSetAside: a state file of ours that cannot be read
// is reported, kept under another name, and the plugin starts afresh.
func TestDamagedStateFileIsSetAside(t *testing.T) {
	for name, content := range map[string]string{
		"truncated":       `{"version": 1, "instances": {"abc": {"last_s`,
		"cut in the key":  `{"vers`,
		"only a brace":    `{`,
		"wrong version":   `{"version": 0, "instances": {}}`,
		"bad watermark":   `{"version": 1, "instances": {"abc": {"watermarks": {"1": "yesterday"}}}}`,
		"trailing bytes":  `{"version": 1, "instances": {}}}`,
		"zeroed by crash": "\x00\x00\x00\x00",
	} {
		t.Run(name, func(t *testing.T) {
			rig := newWatermarkRig(t)
			require.NoError(t, os.WriteFile(rig.state, []byte(content), 0o600))
			log := &testutil.CaptureLogger{}
			p := rig.plugin(log)
			require.Len(t, log.Warnings(), 1)
			require.Contains(t, log.Warnings()[0], "state file "+rig.state+" is damaged")
			require.Contains(t, log.Warnings()[0], `starting without state: first_gather = "latest" applies`)
			aside, err := filepath.Glob(rig.state + ".damaged-*")
			require.NoError(t, err)
			require.Len(t, aside, 1)
			require.Contains(t, log.Warnings()[0], "set aside as "+aside[0])
			kept, err := os.ReadFile(aside[0])
			require.NoError(t, err)
			require.Equal(t, content, string(kept), "the damaged file is kept as it was")

			start := rig.clock.Now()
			require.NoError(t, rig.gather(p))
			for i := 0; i < 10; i++ {
				rig.clock.Advance(time.Minute)
				require.NoError(t, rig.gather(p))
			}
			for _, sc := range scenariosForWatermarks() {
				id := strconv.FormatInt(sc.ID, 10)
				var want []time.Time
				for _, run := range mipsim.Runs(sc, rig.emitted[id][0].Add(-time.Nanosecond), rig.clock.Now()) {
					want = append(want, run.Time)
				}
				require.Equal(t, times(want), times(rig.emitted[id]))
				require.False(t, rig.emitted[id][0].Before(firstLatest(start)))
			}
			// The file is valid again.
			_, err = ledger.Load(rig.state, p.instanceKey(), "", true)
			require.NoError(t, err)
		})
	}
}

func TestOutageWithinLookbackIsBackfilled(t *testing.T) {
	rig := newWatermarkRig(t)
	log := &testutil.CaptureLogger{}
	p := rig.plugin(log, func(p *MIP) { p.FirstGather = firstGatherWindow })
	start := rig.clock.Now()
	require.NoError(t, rig.gather(p))

	rig.mip.set(http.StatusInternalServerError, 0)
	for i := 0; i < 8; i++ {
		rig.clock.Advance(5 * time.Minute)
		require.ErrorContains(t, rig.gather(p), "500 Internal Server Error")
	}
	rig.mip.set(0, 0)
	rig.clock.Advance(5 * time.Minute)
	require.NoError(t, rig.gather(p))
	rig.requireExactlyOnce(start.Add(-time.Hour))
	require.Empty(t, log.Warnings())
}

func TestOutageBeyondLookbackCountsTheLoss(t *testing.T) {
	rig := newWatermarkRig(t)
	log := &testutil.CaptureLogger{}
	p := rig.plugin(log)
	require.NoError(t, rig.gather(p))
	before := cloneRuns(rig.emitted)

	// Unreachable for three hours, with a one-hour lookback.
	rig.mip.setHangUp(true)
	for i := 0; i < 6; i++ {
		rig.clock.Advance(30 * time.Minute)
		require.Error(t, rig.gather(p))
	}
	rig.mip.setHangUp(false)
	require.NoError(t, rig.gather(p))

	now := rig.clock.Now()
	total := 0
	firstLost := now
	for _, sc := range scenariosForWatermarks() {
		id := strconv.FormatInt(sc.ID, 10)
		if last := before[id][len(before[id])-1]; last.Before(firstLost) {
			firstLost = last
		}
		// Everything in the last hour is delivered...
		var want []time.Time
		for _, run := range mipsim.Runs(sc, now.Add(-time.Hour), now) {
			want = append(want, run.Time)
		}
		require.Equal(t, times(want), times(rig.emitted[id][len(before[id]):]), "scenario %s", id)
		// ... and the runs before it are counted as lost, at debug level...
		lost := len(mipsim.Runs(sc, before[id][len(before[id])-1], now.Add(-time.Hour)))
		found := false
		for _, m := range messages(log) {
			if strings.Contains(m, fmt.Sprintf("scenario id %d: about %d runs between", sc.ID, lost)) {
				found = true
				require.True(t, strings.HasPrefix(m, "D! "), m)
				require.Contains(t, m, "older than lookback (1h0m0s) and were lost")
			}
		}
		require.True(t, found, "scenario %s: no message counting %d lost runs in %q", id, lost, messages(log))
		total += lost
	}
	// ... and in one warning for the gather.
	require.Equal(t, []string{fmt.Sprintf("W! [] about %d runs of 3 scenarios between %s and %s are older than lookback (1h0m0s) and were lost "+
		"(the scenarios at debug level); raise lookback to backfill longer outages",
		total, firstLost.UTC().Format(time.RFC3339), now.Add(-time.Hour).UTC().Format(time.RFC3339))}, log.Warnings())
}

func cloneRuns(m map[string][]time.Time) map[string][]time.Time {
	out := make(map[string][]time.Time, len(m))
	for k, v := range m {
		out[k] = slices.Clone(v)
	}
	return out
}

func TestTruncatedResponseLosesNothing(t *testing.T) {
	rig := newWatermarkRig(t)
	p := rig.plugin(&testutil.CaptureLogger{}, func(p *MIP) { p.FirstGather = firstGatherWindow })
	start := rig.clock.Now()
	require.NoError(t, rig.gather(p))

	// Cut the next answer inside its second scenario: the first is emitted,
	// the others wait for the next gather.
	rig.clock.Advance(20 * time.Minute)
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/api/measures/details?from=now-25m", nil)
	req.Header.Set("MIP_API_KEY", testKey)
	rig.mip.sim.ServeHTTP(rec, req)
	second := bytes.Index(rec.Body.Bytes(), []byte(`{"measure":{"id":2`))
	require.Positive(t, second)
	rig.mip.set(0, second+40)
	require.ErrorContains(t, rig.gather(p), "truncated")
	require.NotEmpty(t, rig.emitted["1"])

	rig.mip.set(0, 0)
	rig.clock.Advance(time.Minute)
	require.NoError(t, rig.gather(p))
	rig.requireExactlyOnce(start.Add(-time.Hour))
}

func TestStateOfOtherInstancesIsKeptApart(t *testing.T) {
	rig := newWatermarkRig(t)
	a := rig.plugin(&testutil.CaptureLogger{}, noReplay)
	require.NoError(t, rig.gather(a))
	b := rig.plugin(&testutil.CaptureLogger{}, noReplay, func(p *MIP) { p.ApplicationInclude = []string{"A"} })
	require.NotEqual(t, a.instanceKey(), b.instanceKey())
	rig.clock.Advance(time.Minute)
	require.NoError(t, rig.gather(b))

	instances, err := ledger.Read(rig.state)
	require.NoError(t, err)
	require.Len(t, instances, 2)
	require.Len(t, knownWatermarks(instances[a.instanceKey()]), 3)
	require.Len(t, knownWatermarks(instances[b.instanceKey()]), 2)

	// A restart of a resumes a's progress, untouched by b's gather.
	a2 := rig.plugin(&testutil.CaptureLogger{}, noReplay)
	require.Equal(t, a.ledger.State().LastSuccess, a2.ledger.State().LastSuccess)
}

// TestLossCountWithAnyFrequency: a frequency MIP sends tiny, huge or zero
// never crashes the count of runs lost (1e-10 divided by zero before).
func TestLossCountWithAnyFrequency(t *testing.T) {
	p := New()
	log := &testutil.CaptureLogger{}
	p.Log = log
	p.Lookback = config.Duration(time.Hour)
	from, to := at("2026-11-25T08:00:00Z"), at("2026-11-25T09:00:00Z")
	var losses ledger.Losses
	for i, f := range []mipapi.Number{{Value: 1e-10, Valid: true}, {Value: 1e300, Valid: true}, {Value: 0, Valid: true}, {}, {Value: 60, Valid: true}} {
		p.countLost(&losses, &mipapi.Measure{ID: mipapi.Text(strconv.Itoa(i)), Frequency: f}, from, to)
	}
	require.Equal(t, int64(36_000_000_000_000+60), losses.Runs)
	require.Equal(t, 2, losses.Uncounted, "zero and none: unknown")
	require.Equal(t, []string{"0", "2", "3", "4"}, losses.IDs, "1e300: not one run in an hour")
	p.reportLosses(&losses)
	require.Len(t, log.Warnings(), 1, "one line")
}

// TestDeferredRunsStayOwedThroughAnOutage: runs max_points_per_gather left
// for later, then a MIP outage of most of lookback: once MIP answers again,
// every run is written, once, and no line says runs were lost.
func TestDeferredRunsStayOwedThroughAnOutage(t *testing.T) {
	rig := newWatermarkRig(t)
	log := &testutil.CaptureLogger{}
	p := rig.plugin(log, func(p *MIP) {
		p.FirstGather = firstGatherWindow
		p.MaxPointsPerGather = 50
	})
	start := rig.clock.Now()
	require.NoError(t, rig.gather(p))
	require.True(t, p.behind(), "runs left for later")

	rig.mip.set(http.StatusInternalServerError, 0)
	for range 10 {
		rig.clock.Advance(5 * time.Minute)
		require.Error(t, rig.gather(p))
	}
	rig.mip.set(0, 0)
	for i := 0; i == 0 || p.behind(); i++ {
		require.Less(t, i, 100, "the backlog drains")
		rig.clock.Advance(10 * time.Second)
		require.NoError(t, rig.gather(p))
	}
	rig.requireExactlyOnce(start.Add(-time.Hour))
	for _, m := range messages(log) {
		require.NotContains(t, m, "lost")
	}
}
