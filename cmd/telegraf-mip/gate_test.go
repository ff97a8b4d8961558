package main

import (
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// gateEndpoints are output_health_url as a user may meet it: Telegraf's
// [[outputs.health]] saying the buffer is full, an endpoint that never
// answers, and nothing listening (no [[outputs.health]] block, or Telegraf
// not running).
func gateEndpoints(t *testing.T) map[string]string {
	full := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "Service Unavailable", http.StatusServiceUnavailable)
	}))
	t.Cleanup(full.Close)
	hang := make(chan struct{})
	hanging := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-hang }))
	t.Cleanup(hanging.Close)
	t.Cleanup(func() { close(hang) }) // before hanging.Close, which waits for the handlers
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	absent := "http://" + l.Addr().String()
	require.NoError(t, l.Close())
	return map[string]string{"503": full.URL, "hanging": hanging.URL, "absent": absent}
}

// gateReasons are the words each endpoint's lines must carry.
var gateReasons = map[string]*regexp.Regexp{
	"503":     regexp.MustCompile(`Telegraf's output has no room for more points \(http://127\.0\.0\.1:\d+ answered 503 Service Unavailable\)`),
	"hanging": regexp.MustCompile(`output_health_url http://127\.0\.0\.1:\d+ did not answer within 2s`),
	"absent": regexp.MustCompile(`nothing answers at output_health_url \(http://127\.0\.0\.1:\d+ did not answer: .*connection refused\): ` +
		`Telegraf's \[\[outputs\.health\]\] block \(examples/output-health\.conf\) is missing`),
}

// warnings returns the W! lines of stderr, and fails on any other line.
func warnings(t *testing.T, stderr string) []string {
	t.Helper()
	all := strings.Split(strings.TrimSpace(stderr), "\n")
	out := make([]string, 0, len(all))
	for _, line := range all {
		if line == "" {
			continue
		}
		require.True(t, strings.HasPrefix(line, "W! "), "only W! lines: %q", line)
		out = append(out, line)
	}
	return out
}

// TestTestGathersWhateverTheGateSays: -test is a dry run: with the endpoint
// full, hanging or absent it prints the points and says in one W! line what
// the endpoint answered and that a real run would not gather.
func TestTestGathersWhateverTheGateSays(t *testing.T) {
	_, srv := startSim(t)
	for name, url := range gateEndpoints(t) {
		t.Run(name, func(t *testing.T) {
			conf := pluginConfig(t, srv.URL, "  output_health_url = "+strconv.Quote(url))
			r := runBinary(t, testKey, "-config", conf, "-test")
			require.Equal(t, 0, r.code, r.stderr)
			requireNewestRuns(t, parseLines(t, r.stdout))
			lines := warnings(t, r.stderr)
			require.Len(t, lines, 1, r.stderr)
			require.Regexp(t, gateReasons[name], lines[0])
			require.Contains(t, lines[0], ": a real run (-once, or under Telegraf) would not gather now, and would wait for a 200 answer; "+
				"this check (-test, or a dry run) gathers anyway")
		})
	}
}

// TestTestReportsAnOpenGate: an endpoint answering 200 is reported too.
func TestTestReportsAnOpenGate(t *testing.T) {
	_, srv := startSim(t)
	ok := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	t.Cleanup(ok.Close)
	r := runBinary(t, testKey, "-config", pluginConfig(t, srv.URL, "  output_health_url = "+strconv.Quote(ok.URL)), "-test")
	require.Equal(t, 0, r.code, r.stderr)
	requireNewestRuns(t, parseLines(t, r.stdout))
	require.Equal(t, "I! output_health_url "+ok.URL+" answered 200 OK: Telegraf's output has room, a real run gathers now\n", r.stderr)
}

// TestOnceHeldSaysSo: -once with the endpoint full, hanging or absent does
// not gather, writes nothing, and says so in one W! line: why, since when,
// and lookback.
func TestOnceHeldSaysSo(t *testing.T) {
	sim, srv := startSim(t)
	for name, url := range gateEndpoints(t) {
		t.Run(name, func(t *testing.T) {
			before := sim.Requests()
			conf := pluginConfig(t, srv.URL, "  output_health_url = "+strconv.Quote(url))
			r := runBinary(t, testKey, "-config", conf, "-once")
			require.Equal(t, 0, r.code, r.stderr)
			require.Empty(t, r.stdout)
			require.Equal(t, before, sim.Requests(), "MIP not asked")
			lines := warnings(t, r.stderr)
			require.Len(t, lines, 1, r.stderr)
			require.Regexp(t, `^W! not gathering: `+gateReasons[name].String()+`.*; held since \S+Z \(0s\): the runs stay in MIP and are written `+
				`once it answers 200, if that comes within lookback \(1h0m0s\)$`, lines[0])
		})
	}
}

// TestOnceHoldIsTimedAcrossRuns: the hold's start is kept in state_file, so
// successive -once runs say since when it lasts, and the one after lookback
// says that runs are being lost; once the endpoint answers 200, -once
// gathers, and a new hold starts anew.
func TestOnceHoldIsTimedAcrossRuns(t *testing.T) {
	_, srv := startSim(t)
	var full atomic.Bool
	full.Store(true)
	health := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if full.Load() {
			http.Error(w, "Service Unavailable", http.StatusServiceUnavailable)
		}
	}))
	t.Cleanup(health.Close)
	state := t.TempDir() + "/mip.state"
	conf := pluginConfig(t, srv.URL, "  output_health_url = "+strconv.Quote(health.URL), "  state_file = "+strconv.Quote(state), `  lookback = "3s"`)
	since := regexp.MustCompile(`held since (\S+Z) \((\d+)s\)`)
	starts := make([]string, 0, 3)
	start := time.Now()
	for i := range 3 {
		if i == 2 {
			time.Sleep(4*time.Second - time.Since(start)) // past lookback
		}
		r := runBinary(t, testKey, "-config", conf, "-once")
		require.Equal(t, 0, r.code, r.stderr)
		require.Empty(t, r.stdout)
		lines := warnings(t, r.stderr)
		require.Len(t, lines, 1, "run %d: %s", i+1, r.stderr)
		m := since.FindStringSubmatch(lines[0])
		require.NotNil(t, m, lines[0])
		starts = append(starts, m[1])
		if i == 2 {
			require.Regexp(t, `held since \S+Z \(\d+s\), longer than lookback \(3s\): `+
				`the runs MIP recorded before \S+Z are beyond what the plugin asks MIP for, `+
				`and will be missing; raise lookback to ride out longer outages$`, lines[0])
		} else {
			require.Contains(t, lines[0], "if that comes within lookback (3s)")
		}
	}
	require.Equal(t, []string{starts[0], starts[0], starts[0]}, starts, "one hold, timed from its start")

	full.Store(false)
	r := runBinary(t, testKey, "-config", conf, "-once")
	require.Equal(t, 0, r.code, r.stderr)
	require.Contains(t, r.stdout, "mip_api")
	full.Store(true)
	r = runBinary(t, testKey, "-config", conf, "-once")
	m := since.FindStringSubmatch(r.stderr)
	require.NotNil(t, m, r.stderr)
	require.Equal(t, "0", m[2], "a new hold: %s", r.stderr)
}

// TestTestChecksTheStateFileDirectory: -test refuses a state_file no run
// could save, its directory missing, as the production start does. (When
// the user of -test cannot write there, it only warns: CI runs as root.)
func TestTestChecksTheStateFileDirectory(t *testing.T) {
	_, srv := startSim(t)
	missing := filepath.Join(t.TempDir(), "nowhere", "mip.state")
	r := runBinary(t, testKey, "-config", pluginConfig(t, srv.URL, "  state_file = "+strconv.Quote(missing)), "-test")
	require.Equal(t, 1, r.code, r.stderr)
	require.Empty(t, r.stdout)
	require.Contains(t, r.stderr, "state_file "+missing+" cannot be saved: its directory "+filepath.Dir(missing)+" does not exist; "+
		"create it, writable by the user Telegraf runs telegraf-mip as (see docs/install.md), or choose another state_file")
}

// TestDryRunVariable: TELEGRAF_MIP_DRY_RUN=1 makes -once a check, as the
// process inputs.execd starts under it (TestREADMETelegrafCheck): the
// points whatever the endpoint says, state_file neither written nor
// claimed, and a W! line saying so; 0 leaves -once as it is (it holds),
// and a value that is not a boolean is refused.
func TestDryRunVariable(t *testing.T) {
	_, srv := startSim(t)
	absent := gateEndpoints(t)["absent"]
	once := func(t *testing.T, value string) (result, string) {
		dir := t.TempDir()
		state := filepath.Join(dir, "mip.state")
		conf := pluginConfig(t, srv.URL, "  output_health_url = "+strconv.Quote(absent), "  state_file = "+strconv.Quote(state))
		r := runBinaryEnv(t, []string{"MIP_API_KEY=" + testKey, dryRunVariable + "=" + value}, "-config", conf, "-once")
		return r, dir
	}
	t.Run("1", func(t *testing.T) {
		r, dir := once(t, "1")
		require.Equal(t, 0, r.code, r.stderr)
		requireNewestRuns(t, parseLines(t, r.stdout))
		lines := warnings(t, r.stderr)
		require.Len(t, lines, 2, r.stderr)
		require.Contains(t, lines[0], "W! TELEGRAF_MIP_DRY_RUN is set: a dry run")
		require.Regexp(t, gateReasons["absent"], lines[1])
		files, err := filepath.Glob(filepath.Join(dir, "*"))
		require.NoError(t, err)
		require.Empty(t, files, "state_file, its lock or its claim written")
	})
	t.Run("0", func(t *testing.T) {
		r, _ := once(t, "0")
		require.Equal(t, 0, r.code, r.stderr)
		require.Empty(t, r.stdout)
		require.Contains(t, r.stderr, "W! not gathering: nothing answers at output_health_url")
	})
	t.Run("maybe", func(t *testing.T) {
		r, _ := once(t, "maybe")
		require.Equal(t, 2, r.code, r.stderr)
		require.Empty(t, r.stdout)
		require.Equal(t, "E! TELEGRAF_MIP_DRY_RUN=\"maybe\": use 1 for a dry run (gather as -test does), or unset it\n", r.stderr)
	})
}
