package mip

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/influxdata/telegraf"
	"github.com/influxdata/telegraf/config"
	"github.com/influxdata/telegraf/testutil"
	"github.com/stretchr/testify/require"
)

// testKey is the API key of every test; no error or log may contain it.
const testKey = "s3cr3t-mip-k3y-plugin-5f2c9a"

// mipServer serves a fixed body as MIP would and records the requests.
type mipServer struct {
	*httptest.Server
	mu       sync.Mutex
	requests []*http.Request
}

func serveFixture(t *testing.T, name string) *mipServer {
	t.Helper()
	body := readFixture(t, name)
	return serve(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if _, err := w.Write(body); err != nil {
			t.Error(err)
		}
	})
}

// writeBody writes a test server's response to a client that may hang up
// before its end, as the plugin does on a response it refuses or times out.
func writeBody(w io.Writer, body []byte) {
	w.Write(body) //nolint:errcheck // the client hanging up is the behaviour under test, not a server failure
}

func serve(t *testing.T, handler http.HandlerFunc) *mipServer {
	t.Helper()
	s := &mipServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requests = append(s.requests, r.Clone(r.Context()))
		s.mu.Unlock()
		if r.Header.Get("MIP_API_KEY") != testKey {
			w.WriteHeader(http.StatusUnauthorized)
			if _, err := w.Write([]byte(`{"error":"invalid API key"}`)); err != nil {
				t.Error(err)
			}
			return
		}
		handler(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *mipServer) host() string {
	return s.Listener.Addr().String()
}

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}

func newPlugin(t *testing.T, baseURL string, configure ...func(*MIP)) *MIP {
	t.Helper()
	p := New()
	p.URL = baseURL
	p.APIKey = config.NewSecret([]byte(testKey))
	p.Log = testutil.Logger{Name: "inputs.mip"}
	for _, c := range configure {
		c(p)
	}
	require.NoError(t, p.Init())
	p.now = func() time.Time { return testNow }
	t.Cleanup(p.Stop)
	return p
}

// testNow is the plugin's clock in the tests that do not move it.
var testNow = at("2026-11-25T10:00:00Z")

// runPointsOnly leaves out the gather-time points: mip_freshness, mip_api.
func runPointsOnly(points []telegraf.Metric) []telegraf.Metric {
	var out []telegraf.Metric
	for _, m := range points {
		if m.Name() != "mip_freshness" && m.Name() != "mip_api" {
			out = append(out, m)
		}
	}
	return out
}

// apiPoint is the expected mip_api point of a gather at testNow; its
// duration is not compared.
func apiPoint(source string, c apiCounts) telegraf.Metric {
	return testutil.MustMetric("mip_api", map[string]string{"source": source}, map[string]any{
		"window_seconds": int64(3600), "http_status": int64(c.httpStatus), "response_bytes": int64(c.responseBytes),
		"scenarios": int64(c.scenarios), "scenarios_kept": int64(c.kept), "runs": int64(c.runs), "runs_replayed": int64(0),
		"points": int64(c.points), "errors": int64(c.errors),
	}, testNow)
}

// apiCounts are the fields of a mip_api point, in apiPoint's order.
type apiCounts struct {
	httpStatus, responseBytes, scenarios, kept, runs, points, errors int
}

var ignoreDuration = testutil.IgnoreFields("duration_seconds")

func gather(t *testing.T, p *MIP) ([]telegraf.Metric, error) {
	t.Helper()
	var acc testutil.Accumulator
	err := p.Gather(&acc)
	if err != nil {
		require.NotContains(t, err.Error(), testKey)
	}
	deliver(t, p, &acc)
	return acc.GetTelegrafMetrics(), err
}

// deliver plays Telegraf's outputs writing the points of a gather into
// acc, Telegraf's accumulator: it accepts them, and waits for the plugin
// to commit the gather on the delivery notification.
func deliver(t *testing.T, p *MIP, acc *testutil.Accumulator) {
	t.Helper()
	for _, m := range acc.GetTelegrafMetrics() {
		m.Accept()
	}
	awaitSettled(t, p)
}

// awaitSettled waits until the gather's delivery is settled: committed,
// or given up.
func awaitSettled(t *testing.T, p *MIP) {
	t.Helper()
	p.tracking.mu.Lock()
	settled := p.tracking.settled
	p.tracking.mu.Unlock()
	if settled == nil {
		return
	}
	select {
	case <-settled:
	case <-time.After(10 * time.Second):
		t.Fatal("the gather's delivery was never settled")
	}
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

// tagSet builds the tags of a point from the scenario's tags and extras.
func tagSet(base map[string]string, extra ...string) map[string]string {
	tags := make(map[string]string, len(base)+len(extra)/2)
	for k, v := range base {
		tags[k] = v
	}
	for i := 0; i+1 < len(extra); i += 2 {
		tags[extra[i]] = extra[i+1]
	}
	return tags
}

func TestGatherSchema(t *testing.T) {
	srv := serveFixture(t, "details_basic.json")
	p := newPlugin(t, srv.URL)

	got, err := gather(t, p)
	require.NoError(t, err)

	crm := map[string]string{"source": srv.host(), "scenario_id": "42", "scenario": "crm_login", "display_name": "CRM - Login", "application": "CRM"}
	intranet := map[string]string{"source": srv.host(), "scenario_id": "43", "scenario": "intranet_home", "display_name": "Intranet home"}
	erp := map[string]string{"source": srv.host(), "scenario_id": "44", "scenario": "erp_desktop", "display_name": "ERP - Desktop client"}
	crmRun, intranetRun, erpRun := at("2026-11-25T09:55:00Z"), at("2026-11-25T09:52:30Z"), at("2026-11-25T09:45:00Z")
	expected := []telegraf.Metric{
		testutil.MustMetric("mip_scenario", crm,
			map[string]any{"status": "OK", "status_code": int64(0), "api_version": "6.4.90", "script_version": "1.3"}, crmRun),
		testutil.MustMetric("mip_metric", tagSet(crm, "metric", "Step 1 - Home page", "unit", "ms"), map[string]any{"value": 1234.5}, crmRun),
		testutil.MustMetric("mip_metric", tagSet(crm, "metric", "Page size", "unit", "bytes"), map[string]any{"value": 456789.0}, crmRun),
		testutil.MustMetric("mip_metric", tagSet(crm, "metric", "Throughput", "unit", "bps"), map[string]any{"value": 1200.25}, crmRun),
		testutil.MustMetric("mip_metric", tagSet(crm, "metric", "Requests", "unit", "requests"), map[string]any{"value": 42.0}, crmRun),
		testutil.MustMetric("mip_metric", tagSet(crm, "metric", "HTTP status", "unit", "status"), map[string]any{"value": 200.0}, crmRun),
		testutil.MustMetric("mip_formatted_metric", tagSet(crm, "metric", "Temps total"), map[string]any{"value": 1234.5}, crmRun),
		testutil.MustMetric("mip_formatted_metric", tagSet(crm, "metric", "Résultat"), map[string]any{"text": "Connexion réussie"}, crmRun),

		testutil.MustMetric("mip_scenario", intranet, map[string]any{"status": "WARNING", "status_code": int64(1)}, intranetRun),
		testutil.MustMetric("mip_metric", tagSet(intranet, "metric", "Launch", "unit", "ms"), map[string]any{"value": 2500.0}, intranetRun),

		testutil.MustMetric("mip_scenario", erp, map[string]any{"status": "DOWNTIME", "status_code": int64(3), "api_version": "6.4.90"}, erpRun),
		testutil.MustMetric("mip_metric", tagSet(erp, "metric", "Open customer file", "unit", "ms"), map[string]any{"value": 15000.0}, erpRun),

		testutil.MustMetric("mip_freshness", crm, map[string]any{"age_seconds": 300.0, "frequency_seconds": int64(300)}, testNow),
		testutil.MustMetric("mip_freshness", intranet, map[string]any{"age_seconds": 450.0, "frequency_seconds": int64(600)}, testNow),
		testutil.MustMetric("mip_freshness", erp, map[string]any{"age_seconds": 900.0, "frequency_seconds": int64(900)}, testNow),

		apiPoint(srv.host(), apiCounts{200, len(readFixture(t, "details_basic.json")), 3, 3, 3, 15, 0}),
	}
	testutil.RequireMetricsEqual(t, expected, got, testutil.SortMetrics(), ignoreDuration)
}

func TestGatherRequest(t *testing.T) {
	tests := []struct {
		name     string
		lookback time.Duration
		from     string
	}{
		{name: "default lookback", from: "now-1h"},
		{name: "minutes", lookback: 90 * time.Minute, from: "now-90m"},
		{name: "days", lookback: 48 * time.Hour, from: "now-2d"},
		{name: "seconds", lookback: 45 * time.Second, from: "now-45s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := serveFixture(t, "details_basic.json")
			p := newPlugin(t, srv.URL+"/", func(p *MIP) {
				if tt.lookback != 0 {
					p.Lookback = config.Duration(tt.lookback)
				}
			})
			_, err := gather(t, p)
			require.NoError(t, err)

			require.Len(t, srv.requests, 1, "one request per gather, whatever the number of scenarios")
			r := srv.requests[0]
			require.Equal(t, http.MethodGet, r.Method)
			require.Equal(t, "/api/measures/details", r.URL.Path)
			require.Equal(t, testKey, r.Header.Get("MIP_API_KEY"))
			require.Equal(t, "application/json", r.Header.Get("Accept"))
			require.Equal(t, url.Values{
				"fields":             {"displayName,frequency,timeout,scenario.name,scenario.application.name"},
				"scenario.name__neq": {"null"},
				"limit":              {"-1"},
				"from":               {tt.from},
				"to":                 {"now"},
			}, r.URL.Query())
		})
	}
}

func TestGatherURLWithPathPrefix(t *testing.T) {
	srv := serveFixture(t, "details_basic.json")
	p := newPlugin(t, srv.URL+"/mip/")
	_, err := gather(t, p)
	require.NoError(t, err)
	require.Equal(t, "/mip/api/measures/details", srv.requests[0].URL.Path)
}

func TestGatherNewestRunByTime(t *testing.T) {
	srv := serveFixture(t, "details_time_formats.json")
	p := newPlugin(t, srv.URL)
	got, err := gather(t, p)
	require.NoError(t, err)

	// Each scenario's runs carry m=1, 2, 3; the expected one is the newest by
	// time, which string order would not find.
	expected := map[string]struct {
		value float64
		time  time.Time
	}{
		"rfc3339_z":          {2, at("2026-11-25T10:00:00Z")},
		"rfc3339_fraction":   {3, at("2026-11-25T10:00:00.750123Z")},
		"rfc3339_offset":     {3, at("2026-11-25T09:45:00Z")},
		"epoch_seconds":      {2, time.Unix(1795600000, 0)},
		"epoch_milliseconds": {2, time.UnixMilli(1795600000123)},
	}
	seen := map[string]bool{}
	for _, m := range got {
		if m.Name() != "mip_metric" {
			continue
		}
		name, _ := m.GetTag("scenario")
		want, ok := expected[name]
		require.True(t, ok, "unexpected scenario %q", name)
		v, _ := m.GetField("value")
		require.InDelta(t, want.value, v, 0, name)
		require.True(t, want.time.Equal(m.Time()), "%s: run at %s, want %s", name, m.Time(), want.time)
		seen[name] = true
	}
	require.Len(t, seen, len(expected))
}

func TestGatherLabelInsteadOfAlias(t *testing.T) {
	srv := serveFixture(t, "details_label.json")
	p := newPlugin(t, srv.URL)
	got, err := gather(t, p)
	require.NoError(t, err)

	tags := map[string]string{"source": srv.host(), "scenario_id": "7", "scenario": "legacy", "display_name": "Legacy MIP", "application": "Old"}
	run := at("2026-11-25T10:00:00Z")
	expected := []telegraf.Metric{
		testutil.MustMetric("mip_scenario", tags, map[string]any{"status": "OK", "status_code": int64(0)}, run),
		testutil.MustMetric("mip_metric", tagSet(tags, "metric", "Step A", "unit", "ms"), map[string]any{"value": 10.0}, run),
		testutil.MustMetric("mip_metric", tagSet(tags, "metric", "Step B", "unit", "ms"), map[string]any{"value": 20.0}, run),
		// Neither alias nor label: the metric key is the only name there is.
		testutil.MustMetric("mip_metric", tagSet(tags, "metric", "c", "unit", "requests"), map[string]any{"value": 30.0}, run),
	}
	testutil.RequireMetricsEqual(t, expected, runPointsOnly(got), testutil.SortMetrics())
}

func TestGatherLooseValues(t *testing.T) {
	srv := serveFixture(t, "details_values.json")
	p := newPlugin(t, srv.URL)
	got, err := gather(t, p)
	require.NoError(t, err, "skipped values are debug messages, not gather errors")

	tags := map[string]string{"source": srv.host(), "scenario_id": "8", "scenario": "values", "display_name": "Loose values", "application": "Edge"}
	run := at("2026-11-25T10:00:00Z")
	expected := []telegraf.Metric{
		// The state is matched case-insensitively and sent as is.
		testutil.MustMetric("mip_scenario", tags, map[string]any{"status": "ok", "status_code": int64(0)}, run),
		testutil.MustMetric("mip_metric", tagSet(tags, "metric", "From string", "unit", "ms"), map[string]any{"value": 1234.5}, run),
		testutil.MustMetric("mip_metric", tagSet(tags, "metric", "Padded string", "unit", "ms"), map[string]any{"value": 77.0}, run),
		testutil.MustMetric("mip_metric", tagSet(tags, "metric", "Frames", "unit", "fps"), map[string]any{"value": 24.0}, run),
		testutil.MustMetric("mip_metric", tagSet(tags, "metric", "Plain"), map[string]any{"value": 5.0}, run),
		testutil.MustMetric("mip_metric", tagSet(tags, "metric", "Clock skew", "unit", "ms"), map[string]any{"value": -12.0}, run),
		testutil.MustMetric("mip_formatted_metric", tagSet(tags, "metric", "Number"), map[string]any{"value": 12.5}, run),
		testutil.MustMetric("mip_formatted_metric", tagSet(tags, "metric", "Numeric text"), map[string]any{"value": 42.0}, run),
		testutil.MustMetric("mip_formatted_metric", tagSet(tags, "metric", "Duration"), map[string]any{"text": "1.2 s"}, run),
		testutil.MustMetric("mip_formatted_metric", tagSet(tags, "metric", "Flag"), map[string]any{"text": "false"}, run),
	}
	testutil.RequireMetricsEqual(t, expected, runPointsOnly(got), testutil.SortMetrics())
}

func TestGatherEmptyWindow(t *testing.T) {
	srv := serveFixture(t, "details_empty.json")
	p := newPlugin(t, srv.URL)
	got, err := gather(t, p)
	require.NoError(t, err)

	// Scenarios 9 and 10 have no run: nothing. Scenario 11's run has no
	// state and a metric without metricInfo: an UNKNOWN status only.
	tags := map[string]string{"source": srv.host(), "scenario_id": "11", "scenario": "no_state", "display_name": "Run without state", "application": "Edge"}
	expected := []telegraf.Metric{
		testutil.MustMetric("mip_scenario", tags, map[string]any{"status_code": int64(3)}, at("2026-11-25T10:00:00Z")),
		testutil.MustMetric("mip_freshness", tags, map[string]any{"age_seconds": 0.0}, testNow),
		apiPoint(srv.host(), apiCounts{200, len(readFixture(t, "details_empty.json")), 3, 3, 1, 2, 0}),
	}
	testutil.RequireMetricsEqual(t, expected, got, ignoreDuration)
}

func TestGatherFilters(t *testing.T) {
	tests := []struct {
		name      string
		configure func(*MIP)
		expected  []string // scenario ids
	}{
		{name: "no filter", configure: func(*MIP) {}, expected: []string{"42", "43", "44"}},
		{name: "ids", configure: func(p *MIP) { p.ScenarioIDs = []int64{42, 44, 99} }, expected: []string{"42", "44"}},
		{name: "name include", configure: func(p *MIP) { p.ScenarioInclude = []string{"crm_*", "erp_*"} }, expected: []string{"42", "44"}},
		{name: "name exclude", configure: func(p *MIP) { p.ScenarioExclude = []string{"crm_*"} }, expected: []string{"43", "44"}},
		{name: "display name include", configure: func(p *MIP) { p.DisplayNameInclude = []string{"* - *"} }, expected: []string{"42", "44"}},
		{name: "display name exclude", configure: func(p *MIP) { p.DisplayNameExclude = []string{"Intranet*"} }, expected: []string{"42", "44"}},
		{name: "application include", configure: func(p *MIP) { p.ApplicationInclude = []string{"CRM"} }, expected: []string{"42"}},
		{
			name:      "application exclude keeps scenarios without application",
			configure: func(p *MIP) { p.ApplicationExclude = []string{"CRM"} },
			expected:  []string{"43", "44"},
		},
		{name: "filters combine", configure: func(p *MIP) {
			p.ScenarioIDs = []int64{42, 43}
			p.DisplayNameExclude = []string{"CRM*"}
		}, expected: []string{"43"}},
		{name: "nothing matches", configure: func(p *MIP) { p.ScenarioInclude = []string{"nope"} }, expected: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := serveFixture(t, "details_basic.json")
			p := newPlugin(t, srv.URL, tt.configure)
			got, err := gather(t, p)
			require.NoError(t, err)
			var ids []string
			for _, m := range got {
				if m.Name() == "mip_scenario" {
					id, _ := m.GetTag("scenario_id")
					ids = append(ids, id)
				}
			}
			require.Equal(t, tt.expected, ids)
		})
	}
}

func TestGatherHTTPErrors(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		key      string
		contains []string
	}{
		{name: "wrong key", status: 0, key: "wrong-" + testKey, contains: []string{"401 Unauthorized", "MIP rejected the API key", "check api_key"}},
		{name: "forbidden", status: http.StatusForbidden, contains: []string{"403 Forbidden", "MIP rejected the API key"}},
		{name: "not found", status: http.StatusNotFound, contains: []string{"404 Not Found", "no MIP API at this address", "check url"}},
		{name: "server error", status: http.StatusInternalServerError, contains: []string{"returned HTTP status 500 Internal Server Error"}},
		{name: "bad gateway", status: http.StatusBadGateway, contains: []string{"502 Bad Gateway"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := serve(t, func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(tt.status)
			})
			p := newPlugin(t, srv.URL, func(p *MIP) {
				if tt.key != "" {
					p.APIKey = config.NewSecret([]byte(tt.key))
				}
			})
			got, err := gather(t, p)
			require.Error(t, err)
			code := tt.status
			if code == 0 {
				code = http.StatusUnauthorized
			}
			testutil.RequireMetricsEqual(t, []telegraf.Metric{apiPoint(srv.host(), apiCounts{code, 0, 0, 0, 0, 0, 1})}, got, ignoreDuration)
			require.Contains(t, err.Error(), srv.URL+"/api/measures/details")
			for _, s := range tt.contains {
				require.Contains(t, err.Error(), s)
			}
			require.NotContains(t, err.Error(), "wrong-")
		})
	}
}

func TestGatherBadBodies(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		contains string
		points   int
	}{
		{name: "truncated", body: string(readFixture(t, "details_truncated.json")), contains: "ends early (truncated JSON)"},
		{name: "html page", body: "<html><body>Login</body></html>", contains: "the response is HTML, not JSON"},
		{name: "empty body", body: "", contains: "the response body is empty"},
		{name: "not an object", body: `[1,2]`, contains: "not a JSON object"},
		{name: "no results", body: `{"error": "x"}`, contains: `no "results" array`},
		{name: "results not an array", body: `{"results": {"a": 1}}`, contains: `"results" is an object, expected an array`},
		{name: "syntax error", body: `{"results": [ {"measure": {"id": 1}} }`, contains: "invalid JSON at byte"},
		{
			name: "one scenario of the wrong shape",
			body: `{"results": [
				{"measure": {"id": 1, "name": {"nested": true}}, "results": {"2026-11-25T10:00:00Z": {"state": {"type": "OK"}}}},
				{"measure": {"id": 2, "name": "fine"}, "results": {"2026-11-25T10:00:00Z": {"state": {"type": "OK"}}}},
				{"results": {}},
				{"measure": {"name": "no id"}},
				{"measure": {"id": 5, "name": "bad time"}, "results": {"yesterday": {"state": {"type": "OK"}},
					"2026-11-25T10:00:00Z": {"state": {"type": "OK"}}}}
			]}`,
			contains: "scenario id 1 (results[0]): field \"measure.name\": expected string, got a JSON object",
			points:   2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := serve(t, func(w http.ResponseWriter, _ *http.Request) {
				writeBody(w, []byte(tt.body))
			})
			p := newPlugin(t, srv.URL)
			got, err := gather(t, p)
			require.ErrorContains(t, err, tt.contains)
			require.Len(t, runPointsOnly(got), tt.points)
		})
	}
}

func TestGatherReportsEveryBadScenario(t *testing.T) {
	body := `{"results": [{"results": {}}, {"measure": {"name": "no id"}}, {"measure": {"id": 5, "name": "bad time"}, "results": {"yesterday": {}}}]}`
	srv := serve(t, func(w http.ResponseWriter, _ *http.Request) { writeBody(w, []byte(body)) })
	p := newPlugin(t, srv.URL)
	_, err := gather(t, p)
	require.Error(t, err)
	lines := strings.Split(err.Error(), "\n")
	require.Equal(t, []string{
		`results[0]: no "measure" object`,
		`results[1]: the measure has no "id"`,
		`scenario id 5: run time "yesterday" is neither RFC 3339 nor a Unix epoch`,
	}, lines)
}

func TestGatherTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := serve(t, func(_ http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	p := newPlugin(t, srv.URL, func(p *MIP) { p.Timeout = config.Duration(200 * time.Millisecond) })

	// The server never answers: without the timeout the gather would wait
	// for ever. The error says which limit ended it; the bound, a hundred
	// times the timeout, is for a timeout applied in the wrong unit, and
	// holds on a busy machine.
	start := time.Now()
	_, err := gather(t, p)
	require.ErrorContains(t, err, "no complete answer within the timeout")
	require.Less(t, time.Since(start), 100*time.Duration(p.Timeout))
}

func TestGatherStalledBody(t *testing.T) {
	release := make(chan struct{})
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		writeBody(w, []byte(`{"results": [{"measure": {"id": 1, "name": "first"}, "results": {"2026-11-25T10:00:00Z": {"state": {"type": "OK"}}}},`))
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	p := newPlugin(t, srv.URL, func(p *MIP) { p.Timeout = config.Duration(300 * time.Millisecond) })
	got, err := gather(t, p)
	require.ErrorContains(t, err, "context deadline exceeded")
	require.Len(t, runPointsOnly(got), 1, "the scenario read whole before the stall is emitted")
}

func TestInitRefusesBadConfiguration(t *testing.T) {
	tests := []struct {
		name      string
		configure func(*MIP)
		contains  string
	}{
		{name: "no url", configure: func(p *MIP) { p.URL = "" }, contains: "url is empty"},
		{name: "no scheme", configure: func(p *MIP) { p.URL = "mip.example.com" }, contains: `must start with "https://"`},
		{name: "ftp", configure: func(p *MIP) { p.URL = "ftp://mip.example.com" }, contains: `must start with "https://"`},
		{name: "no host", configure: func(p *MIP) { p.URL = "https://" }, contains: "has no host name"},
		{
			name:      "credentials in url",
			configure: func(p *MIP) { p.URL = "https://user:" + testKey + "@mip.example.com" },
			contains:  "must not carry credentials",
		},
		{name: "query in url", configure: func(p *MIP) { p.URL = "https://mip.example.com/?limit=1" }, contains: "must not have a query"},
		{name: "no key", configure: func(p *MIP) { p.APIKey = config.NewSecret(nil) }, contains: "api_key is empty"},
		{name: "secret store", configure: func(p *MIP) { p.APIKey = config.NewSecret([]byte("@{vault:mip}")) }, contains: "secret store"},
		{name: "zero timeout", configure: func(p *MIP) { p.Timeout = 0 }, contains: "timeout must be positive"},
		{name: "tiny lookback", configure: func(p *MIP) { p.Lookback = config.Duration(time.Millisecond) }, contains: "lookback must be at least 1s"},
		{
			name:      "bad glob",
			configure: func(p *MIP) { p.ScenarioInclude = []string{"crm_*", "crm_[login"} },
			contains: `scenario_include: "crm_[login" is not a valid glob (unexpected end of input): ` +
				`a "[" opens a character class that is never closed; write \\[ for a literal "["`,
		},
		{
			name:      "bad glob, no hint",
			configure: func(p *MIP) { p.ApplicationExclude = []string{"CRM]["} },
			contains:  `application_exclude: "CRM][" is not a valid glob (`,
		},
		{
			name:      "url ending in /api",
			configure: func(p *MIP) { p.URL = "https://mip.example.com:8443/api/" },
			contains: `url "https://mip.example.com:8443/api" ends in /api: give MIP's base address, ` +
				`the plugin adds /api/measures/...; drop /api: url = "https://mip.example.com:8443"`,
		},
		{
			name:      "url under a path ending in /api",
			configure: func(p *MIP) { p.URL = "http://proxy.example.com/mip/api" },
			contains:  `drop /api: url = "http://proxy.example.com/mip"`,
		},
		{name: "bad log level", configure: func(p *MIP) { p.LogLevel = "verbose" }, contains: `log_level "verbose"`},
		{name: "missing CA file", configure: func(p *MIP) { p.TLSCA = "/nonexistent/ca.pem" }, contains: "/nonexistent/ca.pem"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			requireInitRefuses(t, "https://mip.example.com", tt.configure, tt.contains)
		})
	}
}

func TestSampleConfigIsTheTopLevelOne(t *testing.T) {
	top, err := os.ReadFile(filepath.Join("..", "..", "..", "sample.conf"))
	require.NoError(t, err)
	require.Equal(t, string(top), New().SampleConfig())

	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	require.Contains(t, string(readme), "```toml @sample.conf\n"+string(top)+"```", "the README shows sample.conf as it is")
}

func TestListScenariosRequest(t *testing.T) {
	srv := serve(t, func(w http.ResponseWriter, _ *http.Request) {
		writeBody(w, []byte(`{"results": [
			{"id": 5, "name": "a", "alias": "A", "displayName": "Alpha", "scenario": {"application": {"name": "CRM"}}, "agent": {"id": 2, "name": "robot"}},
			{"name": "no id is skipped"},
			{"id": "6", "name": "b", "displayName": "Beta", "scenario": {"application": null}}
		]}`))
	})
	p := newPlugin(t, srv.URL)
	got, err := p.ListScenarios()
	require.NoError(t, err)
	require.Equal(t, []Scenario{
		{ID: "5", Name: "a", Alias: "A", DisplayName: "Alpha", Application: "CRM", AgentID: "2", Agent: "robot"},
		{ID: "6", Name: "b", DisplayName: "Beta"},
	}, got)
	require.Len(t, srv.requests, 1)
	r := srv.requests[0]
	require.Equal(t, "/api/measures/", r.URL.Path)
	require.Equal(t, url.Values{
		"type":            {"ASA_DESKTOP"},
		"engineActivated": {"true"},
		"fields":          {"name,alias,displayName,frequency,scenario.name,scenario.application.name,timeout,agent.id,agent.name,activated,engineActivated"},
		"limit":           {"-1"},
	}, r.URL.Query())
}

func TestGatherSilentServer(t *testing.T) {
	tests := []struct {
		name     string
		partial  bool // send part of the body before going silent
		contains string
	}{
		{name: "before the headers", contains: "no answer within response_timeout"},
		{name: "mid-body", partial: true, contains: "MIP stopped sending the response: nothing for 300ms (response_timeout)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			release := make(chan struct{})
			srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
				if tt.partial {
					writeBody(w, []byte(`{"results": [{"measure": {"id": 1, "name": "first"}, "results": {"2026-11-25T10:00:00Z": {"state": {"type": `+
						`"OK"}}}},`))
					w.(http.Flusher).Flush()
				}
				select {
				case <-release:
				case <-r.Context().Done():
				}
			})
			defer close(release)
			// A long timeout: the silence alone must end the gather.
			p := newPlugin(t, srv.URL, func(p *MIP) {
				p.Timeout = config.Duration(time.Minute)
				p.ResponseHeaderTimeout = config.Duration(300 * time.Millisecond)
			})
			// Ended by response_timeout (the error says so), not by timeout:
			// well within it, however busy the machine.
			start := time.Now()
			got, err := gather(t, p)
			require.ErrorContains(t, err, tt.contains)
			require.Less(t, time.Since(start), time.Duration(p.Timeout)/2)
			if tt.partial {
				require.Len(t, runPointsOnly(got), 1, "the scenario read whole before the silence is emitted")
			}
		})
	}
}

// requireInitRefuses checks that Init refuses a plugin set up with the test
// key, url and configure, with a message holding contains and not the key.
func requireInitRefuses(t *testing.T, target string, configure func(*MIP), contains string) {
	t.Helper()
	p := New()
	p.URL = target
	p.APIKey = config.NewSecret([]byte(testKey))
	p.Log = testutil.Logger{}
	configure(p)
	err := p.Init()
	require.ErrorContains(t, err, contains)
	require.NotContains(t, err.Error(), testKey)
}
