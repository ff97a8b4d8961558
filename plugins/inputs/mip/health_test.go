package mip

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/influxdata/telegraf"
	"github.com/influxdata/telegraf/config"
	"github.com/influxdata/telegraf/testutil"
	"github.com/stretchr/testify/require"

	"github.com/telegraf-mip/telegraf-mip/internal/mipsim"
)

// healthEndpoint stands for Telegraf's [[outputs.health]]: it answers the
// status set last.
type healthEndpoint struct {
	*httptest.Server
	status atomic.Int32
	asked  atomic.Int32
}

func newHealthEndpoint(t *testing.T) *healthEndpoint {
	h := &healthEndpoint{}
	h.status.Store(http.StatusOK)
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		h.asked.Add(1)
		code := int(h.status.Load())
		http.Error(w, http.StatusText(code), code)
	}))
	t.Cleanup(h.Close)
	return h
}

// deliveringAcc delivers its points on Flush, as telegraf-mip's writer does.
type deliveringAcc struct {
	testutil.Accumulator
	flushed int
}

func (a *deliveringAcc) Flush() error {
	a.flushed++
	return nil
}

// healthRig is a plugin gathering from the simulator on a test clock, with
// output_health_url set.
type healthRig struct {
	t         *testing.T
	clock     *clock
	sim       *mipsim.Sim
	scenarios []mipsim.Scenario
	log       *testutil.CaptureLogger
	plugin    *MIP
	delivered map[string][]time.Time
}

func newHealthRig(t *testing.T, healthURL string, configure ...func(*MIP)) *healthRig {
	c := &clock{now: at("2026-11-25T10:00:00Z")}
	scenarios := mipsim.Generate(3, 1, time.Minute)
	sim := mipsim.New(testKey, scenarios)
	sim.SetClock(c.Now)
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	log := &testutil.CaptureLogger{}
	p := New()
	p.URL = srv.URL
	p.APIKey = config.NewSecret([]byte(testKey))
	p.FirstGather = firstGatherWindow
	p.OutputHealthURL = healthURL
	p.Log = log
	for _, f := range configure {
		f(p)
	}
	require.NoError(t, p.Init())
	p.now = c.Now
	t.Cleanup(p.Stop)
	return &healthRig{t: t, clock: c, sim: sim, scenarios: scenarios, log: log, plugin: p, delivered: map[string][]time.Time{}}
}

// gather runs one gather and returns its points.
func (r *healthRig) gather() []telegraf.Metric {
	r.t.Helper()
	acc := &deliveringAcc{}
	require.NoError(r.t, r.plugin.Gather(acc))
	points := acc.GetTelegrafMetrics()
	for _, m := range points {
		if m.Name() == measurementScenario {
			id, _ := m.GetTag("scenario_id")
			r.delivered[id] = append(r.delivered[id], m.Time())
		}
	}
	return points
}

func (r *healthRig) lines(prefix string) []string {
	var out []string
	for _, m := range r.log.Messages() {
		if line := m.String(); strings.HasPrefix(line, prefix) {
			out = append(out, line)
		}
	}
	return out
}

// TestOutputHealthHoldsGathers: while the endpoint answers 503 no gather
// asks MIP or writes a point, one warning says so; once it answers 200 the
// next gather writes every run recorded meanwhile, once, with one line
// saying how long writing was held; a second hold is warned about again.
func TestOutputHealthHoldsGathers(t *testing.T) {
	health := newHealthEndpoint(t)
	rig := newHealthRig(t, health.URL)
	start := rig.clock.Now()
	rig.gather()
	require.Equal(t, 1, rig.sim.Requests())

	health.status.Store(http.StatusServiceUnavailable)
	for range 3 {
		rig.clock.Advance(time.Minute)
		require.Empty(t, rig.gather(), "held: nothing written")
	}
	require.Equal(t, 1, rig.sim.Requests(), "held: MIP not asked")
	require.Equal(t, int32(4), health.asked.Load(), "asked before every gather")
	require.True(t, rig.plugin.outputHeld())
	require.Equal(t, []string{"W! [] not gathering for 1m0s: Telegraf's output has no room for more points (" + health.URL +
		" answered 503 Service Unavailable); the runs stay in MIP and are written once it answers 200, if that comes within lookback (1h0m0s)"},
		rig.lines("W! "))

	health.status.Store(http.StatusOK)
	rig.clock.Advance(time.Minute)
	points := rig.gather()
	require.Equal(t, 2, rig.sim.Requests())
	require.False(t, rig.plugin.outputHeld())
	runs := 0
	for _, sc := range rig.scenarios {
		runs += len(mipsim.Runs(sc, start, rig.clock.Now()))
	}
	require.Equal(t, 12, runs, "3 scenarios, a run a minute, 4 minutes")
	require.Equal(t, []string{"I! [] Telegraf's output has room again after 3m0s (3 gathers held back): writing the runs held in MIP, " +
		strconv.Itoa(runs) + " runs (" + strconv.Itoa(len(points)) + " points) in this gather"}, rig.lines("I! "))

	// Every run of the covered time, once.
	for _, sc := range rig.scenarios {
		id := strconv.FormatInt(sc.ID, 10)
		var want []time.Time
		for _, run := range mipsim.Runs(sc, start.Add(-time.Hour), rig.clock.Now()) {
			want = append(want, run.Time)
		}
		require.Equal(t, times(want), times(rig.delivered[id]), "scenario %s", id)
	}

	rig.clock.Advance(time.Minute)
	rig.gather()
	require.Len(t, rig.lines("I! "), 1, "one line per hold")

	health.status.Store(http.StatusServiceUnavailable)
	for range 2 {
		rig.clock.Advance(time.Minute)
		rig.gather()
	}
	require.Len(t, rig.lines("W! "), 2, "a new hold, a new warning")
}

// TestOutputHealthShortHoldsAreThePace: holds shorter than holdReportAfter,
// the pace of a backfill against the output's flushes, are logged at
// debug level only.
func TestOutputHealthShortHoldsAreThePace(t *testing.T) {
	health := newHealthEndpoint(t)
	rig := newHealthRig(t, health.URL)
	rig.gather()
	for range 3 {
		health.status.Store(http.StatusServiceUnavailable)
		rig.clock.Advance(10 * time.Second)
		rig.gather()
		rig.clock.Advance(10 * time.Second)
		rig.gather()
		health.status.Store(http.StatusOK)
		rig.clock.Advance(10 * time.Second)
		rig.gather()
	}
	require.Equal(t, 4, rig.sim.Requests())
	require.Empty(t, rig.lines("W! "))
	require.Empty(t, rig.lines("I! "))
	require.Len(t, rig.lines("D! [] not gathering: "), 6)
	require.Len(t, rig.lines("D! [] Telegraf's output has room again after 20s (2 gathers held back)"), 3)
}

// TestOutputHealthUnanswered: an endpoint that does not answer holds the
// gathers too, and the warning says why: nothing listens there, not a full
// buffer.
func TestOutputHealthUnanswered(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	rig := newHealthRig(t, "http://user:s3cr3t-mip-k3y-health@"+addr+"/")
	rig.gather()
	rig.clock.Advance(holdReportAfter)
	rig.gather()
	require.Zero(t, rig.sim.Requests())
	warnings := rig.lines("W! ")
	require.Len(t, warnings, 1)
	require.Contains(t, warnings[0], "not gathering for 30s: nothing answers at output_health_url (http://user:xxxxx@"+addr+"/ did not answer: ")
	require.Contains(t, warnings[0], "connection refused): Telegraf's [[outputs.health]] block (examples/output-health.conf) is missing")
	require.NotContains(t, warnings[0], "no room")
	require.NotContains(t, warnings[0], "s3cr3t")
}

// TestOutputHealthOutlastsLookback: a hold longer than lookback is said
// once, with the time before which runs are out of reach.
func TestOutputHealthOutlastsLookback(t *testing.T) {
	health := newHealthEndpoint(t)
	health.status.Store(http.StatusServiceUnavailable)
	rig := newHealthRig(t, health.URL, func(p *MIP) { p.Lookback = config.Duration(10 * time.Minute) })
	for range 15 {
		rig.gather()
		rig.clock.Advance(time.Minute)
	}
	warnings := rig.lines("W! ")
	require.Len(t, warnings, 2)
	require.Equal(t, "W! [] Telegraf's output has had no room for 11m0s, longer than lookback (10m0s): the runs MIP recorded before "+
		"2026-11-25T10:01:00Z are beyond what the plugin asks MIP for, and will be missing; raise lookback to ride out longer outages", warnings[1])
	require.Zero(t, rig.sim.Requests())
}

func TestInitRefusesBadOutputHealthURL(t *testing.T) {
	for _, tc := range []struct{ name, url, contains string }{
		{"no scheme", "localhost:8081", `output_health_url "localhost:8081" must start with "http://"`},
		{"unix socket", "unix:///run/telegraf/health.sock", `output_health_url "unix:///run/telegraf/health.sock" must start with "http://"`},
		{"no host", "http://:8081", `output_health_url "http://:8081" has no host name`},
		{"bad port", "http://127.0.0.1:99999", "has port 99999, not a port between 1 and 65535"},
		// Named apart: a subtest's name is printed, and must not hold the password.
		{"not a URL, with a password", "http://u:" + testKey + "@127.0.0.1:8081/%zz", "output_health_url is not a URL: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := New()
			p.URL = "http://127.0.0.1:1"
			p.APIKey = config.NewSecret([]byte(testKey))
			p.OutputHealthURL = tc.url
			p.Log = &testutil.CaptureLogger{}
			err := p.Init()
			require.ErrorContains(t, err, tc.contains)
			require.NotContains(t, err.Error(), "s3cr3t")
		})
	}
}

// TestOutputHealthInTelegraf: compiled into Telegraf the accumulator does
// not flush (delivery is tracked later); the end of a hold is said as the
// gather starts, without counts, and the gather goes to Telegraf's
// accumulator as it is.
func TestOutputHealthInTelegraf(t *testing.T) {
	health := newHealthEndpoint(t)
	health.status.Store(http.StatusServiceUnavailable)
	rig := newHealthRig(t, health.URL)
	acc := &testutil.Accumulator{}
	require.NoError(t, rig.plugin.Gather(acc))
	rig.clock.Advance(time.Minute)
	require.NoError(t, rig.plugin.Gather(acc))
	require.Zero(t, rig.sim.Requests())

	health.status.Store(http.StatusOK)
	rig.clock.Advance(time.Minute)
	require.NoError(t, rig.plugin.Gather(acc))
	require.Equal(t, 1, rig.sim.Requests())
	require.NotEmpty(t, acc.GetTelegrafMetrics())
	require.Equal(t, []string{"I! [] Telegraf's output has room again after 2m0s (2 gathers held back): writing the runs held in MIP"},
		rig.lines("I! "))
}
