package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/influxdata/telegraf"
	"github.com/influxdata/telegraf/plugins/parsers/influx"
	"github.com/stretchr/testify/require"

	"github.com/telegraf-mip/telegraf-mip/internal/mipconfig"
	"github.com/telegraf-mip/telegraf-mip/internal/mipsim"
)

// testKey is the simulator's key in these tests; no output may contain it.
const testKey = "s3cr3t-mip-k3y-cmd-7d41e0"

// binary is the telegraf-mip program built once for the tests that run it
// as Telegraf does: a separate process.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "telegraf-mip-test")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "telegraf-mip")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		panic("building telegraf-mip: " + err.Error())
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// fixedNow is the simulator's clock in these tests, so that the expected
// runs can be computed.
var fixedNow = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

func startSim(t *testing.T) (*mipsim.Sim, *httptest.Server) {
	t.Helper()
	sim := mipsim.New(testKey, mipsim.Demo())
	sim.SetClock(func() time.Time { return fixedNow })
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	return sim, srv
}

func writeFile(t testing.TB, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

func pluginConfig(t testing.TB, url string, extra ...string) string {
	t.Helper()
	return writeFile(t, "mip.conf", "[[inputs.mip]]\n  url = \""+url+"\"\n  api_key = \"${MIP_API_KEY}\"\n"+strings.Join(extra, "\n")+"\n")
}

type result struct {
	code           int
	stdout, stderr string
}

// runBinary runs telegraf-mip with args and MIP_API_KEY=key, bounded in
// time: a bound for a process that hangs, far above any run's work on a
// busy machine.
func runBinary(t *testing.T, key string, args ...string) result {
	t.Helper()
	return runBinaryEnv(t, []string{"MIP_API_KEY=" + key}, args...)
}

// runBinaryEnv is runBinary with env added to the test's environment.
func runBinaryEnv(t *testing.T, env []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		code = exitErr.ExitCode()
	} else {
		require.NoError(t, err)
	}
	r := result{code: code, stdout: stdout.String(), stderr: stderr.String()}
	require.NotContains(t, r.stdout+r.stderr, testKey, "the API key leaked")
	return r
}

func parseLines(t *testing.T, lp string) []telegraf.Metric {
	t.Helper()
	parser := &influx.Parser{}
	require.NoError(t, parser.Init())
	metrics, err := parser.Parse([]byte(lp))
	require.NoError(t, err)
	return metrics
}

// newestRuns are the runs the simulator's scenarios should report at fixedNow.
func newestRuns() map[string]mipsim.Run {
	runs := map[string]mipsim.Run{}
	for _, sc := range mipsim.Demo() {
		all := mipsim.Runs(sc, fixedNow.Add(-time.Hour), fixedNow)
		runs[sc.Name] = all[len(all)-1]
	}
	return runs
}

// requireNewestRuns checks that points hold, for every demo scenario, the
// status and every metric of its newest run, at the run's time.
func requireNewestRuns(t *testing.T, points []telegraf.Metric) {
	t.Helper()
	expected := newestRuns()
	statuses := map[string]int{}
	metrics := 0
	for _, m := range points {
		if m.Name() == "mip_freshness" || m.Name() == "mip_api" {
			continue
		}
		name, _ := m.GetTag("scenario")
		run, ok := expected[name]
		require.True(t, ok, "unexpected scenario %q", name)
		require.True(t, run.Time.Equal(m.Time()), "%s: point at %s, newest run at %s", name, m.Time(), run.Time)
		switch m.Name() {
		case "mip_scenario":
			status, _ := m.GetField("status")
			require.Equal(t, run.State, status, name)
			statuses[name]++
		case "mip_metric":
			metrics++
		}
	}
	require.Len(t, statuses, len(expected), "a status for every scenario")
	for name, n := range statuses {
		require.Equal(t, 1, n, "%s: its newest run is emitted once", name)
	}
	want := 0
	for _, r := range expected {
		want += len(r.Metrics)
	}
	require.Equal(t, want, metrics, "every metric of every newest run")
}

func TestOnce(t *testing.T) {
	sim, srv := startSim(t)
	r := runBinary(t, testKey, "-config", pluginConfig(t, srv.URL), "-once")
	require.Equal(t, 0, r.code, r.stderr)
	require.Empty(t, r.stderr)
	requireNewestRuns(t, parseLines(t, r.stdout))
	require.Equal(t, 1, sim.Requests())
}

func TestOnceFailures(t *testing.T) {
	_, srv := startSim(t)
	tests := []struct {
		name     string
		key      string
		config   string
		args     []string
		code     int
		contains string
		apiPoint bool // the gather ran: stdout has its mip_api point
	}{
		{
			name:     "wrong key",
			key:      "wrong",
			config:   pluginConfig(t, srv.URL),
			code:     1,
			contains: "E! gather failed: GET " + srv.URL + "/api/measures/details returned HTTP status 401 Unauthorized: MIP rejected the API key",
			apiPoint: true,
		},
		{name: "unreachable", key: testKey, config: pluginConfig(t, "http://127.0.0.1:1"), code: 1, contains: "connection refused", apiPoint: true},
		{
			name:     "unknown key",
			key:      testKey,
			config:   pluginConfig(t, srv.URL, "  scenario_inclde = [\"x\"]"),
			code:     1,
			contains: "unknown configuration key inputs.mip.scenario_inclde (did you mean scenario_include?)",
		},
		{name: "other plugin", key: testKey, config: writeFile(t, "cpu.conf", "[[inputs.cpu]]\n"), code: 1, contains: "[[inputs.cpu]] is not supported"},
		{
			name:     "two blocks",
			key:      testKey,
			config:   writeFile(t, "two.conf", "[[inputs.mip]]\nurl=\"http://a\"\n[[inputs.mip]]\nurl=\"http://b\"\n"),
			code:     1,
			contains: "2 [[inputs.mip]] blocks",
		},
		{name: "no block", key: testKey, config: writeFile(t, "empty.conf", "# nothing\n"), code: 1, contains: "no [[inputs.mip]] block"},
		{name: "bad toml", key: testKey, config: writeFile(t, "bad.conf", "[[inputs.mip]\n"), code: 1, contains: "bad.conf"},
		{
			name:     "empty key",
			key:      "",
			config:   pluginConfig(t, srv.URL),
			code:     1,
			contains: "api_key comes from the environment variable MIP_API_KEY, which is not set or empty",
		},
		{name: "missing file", key: testKey, config: "/nonexistent/mip.conf", code: 1, contains: "no such file"},
		{name: "no config", key: testKey, code: 2, contains: "-config FILE is required"},
		{
			name:     "bad interval",
			key:      testKey,
			config:   pluginConfig(t, srv.URL),
			args:     []string{"-poll_interval", "0s"},
			code:     2,
			contains: "E! -poll_interval must be at least 1s, got 0s (use -poll_interval_disabled to gather on stdin only)",
		},
		{
			name:     "interval too short",
			key:      testKey,
			config:   pluginConfig(t, srv.URL),
			args:     []string{"-poll_interval", "1ns"},
			code:     2,
			contains: "E! -poll_interval must be at least 1s, got 1ns (use -poll_interval_disabled to gather on stdin only)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := tt.args
			if tt.config != "" {
				args = append([]string{"-config", tt.config}, args...)
			}
			if tt.args == nil {
				args = append(args, "-once")
			}
			r := runBinary(t, tt.key, args...)
			require.Equal(t, tt.code, r.code, r.stderr)
			require.Contains(t, r.stderr, tt.contains)
			if tt.apiPoint {
				points := parseLines(t, r.stdout)
				require.Len(t, points, 1)
				require.Equal(t, "mip_api", points[0].Name())
				errs, _ := points[0].GetField("errors")
				require.Equal(t, int64(1), errs)
			} else {
				require.Empty(t, r.stdout)
			}
			for _, line := range strings.Split(strings.TrimSpace(r.stderr), "\n") {
				require.Regexp(t, `^[EWID]! `, line, "every stderr line carries an execd level prefix")
			}
		})
	}
}

func TestEnvironmentExpansionEscapesQuotes(t *testing.T) {
	_, srv := startSim(t)
	// A key with a quote or a backslash must not break the TOML string.
	r := runBinary(t, `a"b\c`, "-config", pluginConfig(t, srv.URL), "-once")
	require.Equal(t, 1, r.code)
	require.Contains(t, r.stderr, "MIP rejected the API key")
}

func TestLogLevel(t *testing.T) {
	_, srv := startSim(t)
	summary := "D! GET " + srv.URL + "/api/measures/details (from=now-1h): 5 scenarios, 5 kept by the filters, 5 new runs, 38 points"
	tests := []struct {
		name  string
		extra []string
		args  []string
		debug bool
	}{
		{name: "default is info"},
		{name: "log_level", extra: []string{`  log_level = "debug"`}, debug: true},
		{name: "-debug flag", args: []string{"-debug"}, debug: true},
		{name: "-debug wins", extra: []string{`  log_level = "error"`}, args: []string{"-debug"}, debug: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"-config", pluginConfig(t, srv.URL, tt.extra...), "-once"}, tt.args...)
			r := runBinary(t, testKey, args...)
			require.Equal(t, 0, r.code, r.stderr)
			if tt.debug {
				require.Contains(t, r.stderr, summary)
			} else {
				require.Empty(t, r.stderr)
			}
		})
	}
}

func TestVersion(t *testing.T) {
	r := runBinary(t, "", "-version")
	require.Equal(t, 0, r.code)
	require.Equal(t, "telegraf-mip dev\n", r.stdout)
}

func TestDemo(t *testing.T) {
	r := runBinary(t, "", "-demo")
	require.Equal(t, 0, r.code, r.stderr)
	require.Contains(t, r.stderr, "I! demo: gathering from the MIP simulator at http://127.0.0.1:")
	points := parseLines(t, r.stdout)
	scenarios := map[string]bool{}
	for _, m := range points {
		if m.Name() == "mip_scenario" {
			name, _ := m.GetTag("scenario")
			scenarios[name] = true
		}
	}
	require.Len(t, scenarios, len(mipsim.Demo()))
}

func TestStdinDrivenGathers(t *testing.T) {
	sim, srv := startSim(t)
	// Only a bound for a process that never stops: nothing else stops it
	// (no signal is sent), so its exit status says whether EOF did.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, "-config", pluginConfig(t, srv.URL), "-poll_interval_disabled")
	cmd.Env = append(os.Environ(), "MIP_API_KEY="+testKey)
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	var stdout, stderr lockedBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Start())

	// Two lines, two gathers, as inputs.execd with signal = "STDIN" sends;
	// each gather ends with its mip_api point, and EOF during a gather
	// would cut it short.
	for i := 1; i <= 2; i++ {
		_, err = stdin.Write([]byte("\n"))
		require.NoError(t, err)
		for strings.Count(stdout.String(), "\nmip_api,") < i && ctx.Err() == nil {
			time.Sleep(10 * time.Millisecond)
		}
		require.Equal(t, i, sim.Requests(), "gather %d", i)
	}
	require.NoError(t, stdin.Close())
	require.NoError(t, cmd.Wait(), "stdin EOF stops the process; %s", stderr.String())
	require.Empty(t, stderr.String())
	// The second gather finds no new run: it only says how old the newest are.
	points := parseLines(t, stdout.String())
	requireNewestRuns(t, points)
	require.Len(t, points, 39+6)
	for _, m := range points[39:44] {
		require.Equal(t, "mip_freshness", m.Name())
	}
	require.Equal(t, "mip_api", points[44].Name())
}

func TestList(t *testing.T) {
	_, srv := startSim(t)

	r := runBinary(t, testKey, "-config", pluginConfig(t, srv.URL), "-list")
	require.Equal(t, 0, r.code, r.stderr)
	require.Equal(t, strings.Join([]string{
		"ID   NAME            ALIAS           DISPLAY NAME           APPLICATION  AGENT",
		"101  crm_login       crm_login       CRM - Login            CRM          robot-03",
		"102  crm_search      crm_search      CRM - Search customer  CRM          robot-01",
		"201  eshop_checkout  eshop_checkout  E-shop - Checkout      E-shop       robot-01",
		"301  erp_desktop     erp_desktop     ERP - Desktop client   ERP          robot-02",
		"401  intranet_home   intranet_home   Intranet home          -            robot-03",
		"",
	}, "\n"), r.stdout)

	r = runBinary(t, testKey, "-config", pluginConfig(t, srv.URL, `  application_include = ["CRM"]`), "-list", "-format", "json")
	require.Equal(t, 0, r.code, r.stderr)
	var listed []map[string]any
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	dec.UseNumber()
	require.NoError(t, dec.Decode(&listed))
	require.Equal(t, []map[string]any{
		{
			"id": json.Number("101"), "name": "crm_login", "alias": "crm_login", "display_name": "CRM - Login", "application": "CRM",
			"agent_id": json.Number("3"), "agent": "robot-03",
		},
		{
			"id": json.Number("102"), "name": "crm_search", "alias": "crm_search", "display_name": "CRM - Search customer", "application": "CRM",
			"agent_id": json.Number("1"), "agent": "robot-01",
		},
	}, listed, "ids are numbers, as scenario_ids takes them")

	// With the centreon schema, the service each scenario's checks carry.
	r = runBinary(t, testKey, "-config", pluginConfig(t, srv.URL, `  schema = "centreon"`, `  centreon_host = "MIP"`,
		`  centreon_service = "MIP %{app_name} - %{display_name}"`, `  application_include = ["ERP", "E-shop"]`), "-list")
	require.Equal(t, 0, r.code, r.stderr)
	require.Equal(t, strings.Join([]string{
		"ID   NAME            ALIAS           DISPLAY NAME          APPLICATION  AGENT     CENTREON SERVICE",
		"201  eshop_checkout  eshop_checkout  E-shop - Checkout     E-shop       robot-01  MIP E-shop - E-shop - Checkout",
		"301  erp_desktop     erp_desktop     ERP - Desktop client  ERP          robot-02  MIP ERP - ERP - Desktop client",
		"",
	}, "\n"), r.stdout)

	r = runBinary(t, "wrong", "-config", pluginConfig(t, srv.URL), "-list")
	require.Equal(t, 1, r.code)
	require.Contains(t, r.stderr, "E! listing scenarios: GET "+srv.URL+"/api/measures/ returned HTTP status 401 Unauthorized: MIP rejected the API key")
	require.Empty(t, r.stdout)

	r = runBinary(t, testKey, "-config", pluginConfig(t, srv.URL), "-list", "-format", "yaml")
	require.Equal(t, 2, r.code)
	require.Contains(t, r.stderr, `-format "yaml" is not one of table, json, xml`)
}

// TestSampleConfigKeysAreKnown uncomments every setting of sample.conf and
// loads it: a key documented but misspelled would be refused here.
func TestSampleConfigKeysAreKnown(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "sample.conf"))
	require.NoError(t, err)
	setting := regexp.MustCompile(`^(\s*)# (\[\[inputs\.mip\.threshold\]\]|\s*[a-z_]+ = .*)$`)
	all := strings.Split(string(b), "\n")
	lines := make([]string, 0, len(all))
	uncommented := 0
	for _, line := range all {
		if m := setting.FindStringSubmatch(line); m != nil {
			line = m[1] + m[2]
			uncommented++
		}
		lines = append(lines, line)
	}
	require.Greater(t, uncommented, 30)
	p, err := mipconfig.Load(writeFile(t, "all.conf", strings.Join(lines, "\n")))
	require.NoError(t, err)
	require.Equal(t, "MIP", p.CentreonHost)
	require.Equal(t, "/var/lib/telegraf/mip.state", p.StateFile)
	require.Equal(t, []int64{42, 43}, p.ScenarioIDs)
	require.Len(t, p.Thresholds, 1)
	require.Equal(t, "Step*", p.Thresholds[0].Metric)
}
