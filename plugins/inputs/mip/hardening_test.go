package mip

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"context"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/influxdata/telegraf"
	"github.com/influxdata/telegraf/config"
	"github.com/influxdata/telegraf/plugins/parsers/influx"
	serializer "github.com/influxdata/telegraf/plugins/serializers/influx"
	"github.com/influxdata/telegraf/testutil"
	"github.com/stretchr/testify/require"

	"github.com/telegraf-mip/telegraf-mip/internal/mipapi"
	"github.com/telegraf-mip/telegraf-mip/internal/output"
	"github.com/telegraf-mip/telegraf-mip/internal/stderrlog"
)

// good is a well-formed scenario that every hostile response below carries
// next to a bad one: it must still be emitted.
const good = `{"measure": {"id": 100, "name": "good"}, "metricInfo": {"m": {"alias": "Total", "unit": "ms"}}, "results": {"2026-11-25T10:00:00Z": ` +
	`{"state": {"type": "OK"}, "metrics": {"m": 1}}}}`

// requireSerializable checks that points are what the execd shim can write
// and Telegraf can read back: one line each, under 64 KiB, parsed whole.
func requireSerializable(t *testing.T, points []telegraf.Metric) {
	t.Helper()
	s := &serializer.Serializer{}
	require.NoError(t, s.Init())
	p := &influx.Parser{}
	require.NoError(t, p.Init())
	for _, m := range points {
		b, err := s.Serialize(m)
		require.NoError(t, err, "%v", m)
		require.Less(t, len(b), 64*1024)
		require.Equal(t, 1, bytes.Count(b, []byte("\n")), "one line: %q", b)
		back, err := p.Parse(b)
		require.NoError(t, err, "%q", b)
		require.Len(t, back, 1)
		require.Equal(t, m.Name(), back[0].Name())
		require.Len(t, back[0].FieldList(), len(m.FieldList()))
	}
}

func scenarioIDs(points []telegraf.Metric) []string {
	var ids []string
	for _, m := range points {
		if m.Name() == "mip_scenario" {
			id, _ := m.GetTag("scenario_id")
			ids = append(ids, id)
		}
	}
	return ids
}

func TestHostileResponses(t *testing.T) {
	huge := strings.Repeat("x", 1<<20)
	deep := strings.Repeat(`{"a":`, 20000) + "1" + strings.Repeat("}", 20000)
	tests := []struct {
		name     string
		bad      string   // an entry placed after the good one
		contains string   // in the error; empty: no error
		ids      []string // scenarios emitted
	}{
		{
			name:     "measure id is an object",
			bad:      `{"measure": {"id": {"x": 1}, "name": "b"}}`,
			contains: `results[1]: field "measure.id": expected string, got a JSON object`,
			ids:      []string{"100"},
		},
		{name: "measure is a string", bad: `{"measure": "nope"}`, contains: "results[1]: field \"measure\"", ids: []string{"100"}},
		{
			name:     "results is an array",
			bad:      `{"measure": {"id": 7, "name": "b"}, "results": [1, 2]}`,
			contains: `scenario id 7 (results[1]): field "results"`,
			ids:      []string{"100"},
		},
		{
			name:     "metricInfo is a string",
			bad:      `{"measure": {"id": 7, "name": "b"}, "metricInfo": "x", "results": {}}`,
			contains: `scenario id 7 (results[1]): field "metricInfo"`,
			ids:      []string{"100"},
		},
		{
			name:     "state is a string",
			bad:      `{"measure": {"id": 7, "name": "b"}, "results": {"2026-11-25T10:00:00Z": {"state": "OK"}}}`,
			contains: `scenario id 7: field "results.2026-11-25T10:00:00Z.state": expected mip.runState, got a JSON string`,
			ids:      []string{"100"},
		},
		{
			name:     "metrics is an array",
			bad:      `{"measure": {"id": 7, "name": "b"}, "results": {"2026-11-25T10:00:00Z": {"metrics": [1]}}}`,
			contains: `scenario id 7: field "results.2026-11-25T10:00:00Z.metrics": expected map[string]mip.number, got a JSON array`,
			ids:      []string{"100"},
		},
		{
			name:     "formatted metrics is a number",
			bad:      `{"measure": {"id": 7, "name": "b"}, "results": {"2026-11-25T10:00:00Z": {"formatedMetrics": 3}}}`,
			contains: `scenario id 7: field "results.2026-11-25T10:00:00Z.formatedMetrics": expected map[string]json.RawMessage, got a JSON number`,
			ids:      []string{"100"},
		},
		{name: "entry is an array", bad: `[1, 2, 3]`, contains: "results[1]: expected an object, got a JSON array", ids: []string{"100"}},
		{name: "entry is null", bad: `null`, contains: `results[1]: no "measure" object`, ids: []string{"100"}},
		{
			name: "state type is a number",
			bad:  `{"measure": {"id": 7, "name": "b"}, "results": {"2026-11-25T10:00:00Z": {"state": {"type": 2}}}}`,
			ids:  []string{"100", "7"},
		},
		{
			name: "values of every wrong type",
			bad: `{"measure": {"id": 7, "name": "b"}, "metricInfo": {"a": {"alias": "A"}, "b": {"alias": "B"}, "c": {"alias": "C"}, "d": {"alias": "D"}}, ` +
				`"results": {"2026-11-25T10:00:00Z": {"metrics": {"a": {"x": 1}, "b": [1], "c": true, "d": -1e308}}}}`,
			ids: []string{"100", "7"},
		},
		{
			name: "duplicate keys",
			bad: `{"measure": {"id": 7, "id": 8, "name": "b"}, "results": {"2026-11-25T10:00:00Z": {"state": {"type": "OK"}}, "2026-11-25T10:00:00Z": ` +
				`{"state": {"type": "WARNING"}}}}`,
			ids: []string{"100", "8"},
		},
		{
			name: "huge and negative numbers",
			bad: `{"measure": {"id": 7, "name": "b", "frequency": -5}, "metricInfo": {"a": {"alias": "A"}}, "results": {"2026-11-25T10:00:00Z": ` +
				`{"metrics": {"a": 123456789012345678901234567890}}, "-1": {}}}`,
			contains: `scenario id 7: run time "-1" is neither RFC 3339 nor a Unix epoch`,
			ids:      []string{"100", "7"},
		},
		{
			name:     "unparseable timestamps",
			bad:      `{"measure": {"id": 7, "name": "b"}, "results": {"soon": {}, "2026-02-30T10:00:00Z": {}}}`,
			contains: `scenario id 7: run time "2026-02-30T10:00:00Z"`,
			ids:      []string{"100"},
		},
		{
			name:     "one enormous string",
			bad:      `{"measure": {"id": 7, "name": "b", "displayName": "` + huge + `"}, "results": {"2026-11-25T10:00:00Z": {"state": {"type": "OK"}}}}`,
			contains: `scenario id 7 (results[1]): field "measure.displayName": a text over 32768 bytes, more than a point can carry`,
			ids:      []string{"100"},
		},
		{
			name: "one enormous formatted metric",
			bad: `{"measure": {"id": 7, "name": "b"}, "results": {"2026-11-25T10:00:00Z": {"state": {"type": "OK"}, ` +
				`"formatedMetrics": {"x": "` + huge + `"}}}}`,
			contains: `scenario id 7, run 2026-11-25T10:00:00Z: mip_formatted_metric "x" not emitted: the point would be over 32768 bytes`,
			ids:      []string{"100", "7"},
		},
		{
			name:     "one enormous state",
			bad:      `{"measure": {"id": 7, "name": "b"}, "results": {"2026-11-25T10:00:00Z": {"state": {"type": "` + huge + `"}}}}`,
			contains: `scenario id 7: field "results.2026-11-25T10:00:00Z.state.type": a text over 32768 bytes, more than a point can carry`,
			ids:      []string{"100"},
		},
		{
			name: "enormous escaped names and texts",
			bad: `{"measure": {"id": 7, "name": "b"}, "metricInfo": {"m": {"alias": "M"}}, "results": {"2026-11-25T10:00:00Z": {"state": {"type": "OK"}, ` +
				`"metrics": {"m": 1, "` + strings.Repeat(`\u00e9\\`, 40000) + `": 2}, ` +
				`"formatedMetrics": {"x": "` + strings.Repeat(`\"\u00e9\\`, 40000) + `"}}}}`,
			contains: `scenario id 7, run 2026-11-25T10:00:00Z: mip_formatted_metric "x" not emitted: the point would be over 32768 bytes`,
			ids:      []string{"100", "7"},
		},
		{
			name: "a long escaped text that fits",
			bad: `{"measure": {"id": 7, "name": "b"}, "results": {"2026-11-25T10:00:00Z": {"state": {"type": "OK"}, ` +
				`"formatedMetrics": {"x": "` + strings.Repeat(`\u00e9`, 6000) + `"}}}}`,
			ids: []string{"100", "7"},
		},
		{
			name:     "one enormous run key",
			bad:      `{"measure": {"id": 7, "name": "b"}, "results": {"` + huge + `": {}}}`,
			contains: `scenario id 7: run time "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"… (1048576 bytes) is neither RFC 3339 nor a Unix epoch`,
			ids:      []string{"100"},
		},
		{
			name: "line breaks and backslashes",
			bad: `{"measure": {"id": 7, "name": "b\\", "displayName": "line\nbreak"}, "metricInfo": {"a": {"alias": "A\\"}, "z": {"alias": "\\"}}, ` +
				`"results": {"2026-11-25T10:00:00Z": {"state": {"type": "OK\r\nNOT"}, "metrics": {"a": 1, "z": 2}, "formatedMetrics": {"t": "two\nlines", ` +
				`"\\": 1}}}}`,
			ids: []string{"100", "7"},
		},
		{name: "deeply nested junk", bad: `{"measure": {"id": 7, "name": "b"}, "junk": ` + deep + `}`, contains: "exceeded max depth", ids: []string{"100"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := `{"results": [` + good + `, ` + tt.bad + `]}`
			srv := serve(t, func(w http.ResponseWriter, _ *http.Request) { writeBody(w, []byte(body)) })
			got, err := gather(t, newPlugin(t, srv.URL))
			if tt.contains == "" {
				require.NoError(t, err)
			} else {
				require.ErrorContains(t, err, tt.contains)
			}
			require.Equal(t, tt.ids, scenarioIDs(got))
			requireSerializable(t, got)
		})
	}
}

func TestLineBreaksBecomeSpaces(t *testing.T) {
	body := `{"results": [{"measure": {"id": 7, "name": "b\\"}, "metricInfo": {"z": {"alias": "\\"}}, "results": {"2026-11-25T10:00:00Z": {"state": ` +
		`{"type": "OK\r\nNOT"}, "metrics": {"z": 2}, "formatedMetrics": {"t": "two\nlines"}}}}]}`
	srv := serve(t, func(w http.ResponseWriter, _ *http.Request) { writeBody(w, []byte(body)) })
	got, err := gather(t, newPlugin(t, srv.URL))
	require.NoError(t, err)
	tags := map[string]string{"source": srv.host(), "scenario_id": "7", "scenario": "b"}
	run := at("2026-11-25T10:00:00Z")
	// A metric whose name is only a backslash has no name line protocol can
	// carry: it is skipped.
	testutil.RequireMetricsEqual(t, []telegraf.Metric{
		testutil.MustMetric("mip_scenario", tags, map[string]any{"status": "OK NOT", "status_code": int64(3)}, run),
		testutil.MustMetric("mip_formatted_metric", tagSet(tags, "metric", "t"), map[string]any{"text": "two lines"}, run),
	}, runPointsOnly(got))
}

// TestDecoderBoundsTextsAsPointsAre: the decoder cuts the texts no point
// can carry, by the bound the points are checked against.
func TestDecoderBoundsTextsAsPointsAre(t *testing.T) {
	require.Equal(t, output.MaxPointBytes, mipapi.TextLimit)
}

func TestMaxBodySize(t *testing.T) {
	first := strings.Replace(good, `"name": "good"`, `"name": "good", "displayName": "`+strings.Repeat("d", 2000)+`"`, 1)
	body := `{"results": [` + first + `, ` + strings.Replace(good, `"id": 100`, `"id": 101`, 1) + `]}`
	srv := serve(t, func(w http.ResponseWriter, _ *http.Request) { writeBody(w, []byte(body)) })
	limit := len(first) + 100
	p := newPlugin(t, srv.URL, func(p *MIP) { p.MaxBodySize = config.Size(limit) })
	got, err := gather(t, p)
	require.ErrorContains(t, err, fmt.Sprintf("the response is larger than max_body_size (%d bytes): raise max_body_size", limit))
	require.Equal(t, []string{"100"}, scenarioIDs(got), "what was read whole before the limit is emitted")

	p = newPlugin(t, srv.URL, func(p *MIP) { p.MaxBodySize = config.Size(len(body)) })
	got, err = gather(t, p)
	require.NoError(t, err, "a body of exactly max_body_size is fine")
	require.Equal(t, []string{"100", "101"}, scenarioIDs(got))
}

func TestSelfSignedCertificate(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if _, err := w.Write([]byte(`{"results": [` + good + `]}`)); err != nil {
			t.Error(err)
		}
	}))
	defer srv.Close()

	t.Run("verified by default", func(t *testing.T) {
		_, err := gather(t, newPlugin(t, srv.URL))
		require.ErrorContains(t, err, "the server's TLS certificate is not trusted: set tls_ca to the CA that signed it (or, for a test instance only, "+
			"insecure_skip_verify = true)")
	})
	t.Run("tls_ca", func(t *testing.T) {
		ca := filepath.Join(t.TempDir(), "ca.pem")
		pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
		require.NoError(t, os.WriteFile(ca, pemBytes, 0o600))
		_, err := x509.ParseCertificate(srv.Certificate().Raw)
		require.NoError(t, err)
		got, err := gather(t, newPlugin(t, srv.URL, func(p *MIP) { p.TLSCA = ca }))
		require.NoError(t, err)
		require.Equal(t, []string{"100"}, scenarioIDs(got))
	})
	t.Run("insecure_skip_verify warns", func(t *testing.T) {
		log := &testutil.CaptureLogger{}
		got, err := gather(t, newPlugin(t, srv.URL, func(p *MIP) { p.InsecureSkipVerify = true; p.Log = log }))
		require.NoError(t, err)
		require.Equal(t, []string{"100"}, scenarioIDs(got))
		require.Len(t, log.Warnings(), 1)
		require.Contains(t, log.Warnings()[0], "insecure_skip_verify is set")
	})
}

func TestRetryAfter(t *testing.T) {
	tests := []struct {
		name       string
		status     int
		retryAfter string
		failures   int // answers before the good one
		timeout    time.Duration
		requests   int
		contains   string
	}{
		{name: "503 then success", status: 503, retryAfter: "1", failures: 1, timeout: 5 * time.Second, requests: 2},
		{
			name:       "429 as an HTTP date",
			status:     429,
			retryAfter: time.Now().Add(3 * time.Second).UTC().Format(http.TimeFormat),
			failures:   1,
			timeout:    8 * time.Second,
			requests:   2,
		},
		{
			name:       "wait longer than the timeout",
			status:     503,
			retryAfter: "120",
			failures:   1,
			timeout:    2 * time.Second,
			requests:   1,
			contains:   "503 Service Unavailable (MIP asked to retry after 2m0s",
		},
		{name: "no Retry-After", status: 429, failures: 1, timeout: 5 * time.Second, requests: 1, contains: "returned HTTP status 429 Too Many Requests"},
		{
			name:       "attempts are bounded",
			status:     503,
			retryAfter: "0",
			failures:   100,
			timeout:    5 * time.Second,
			requests:   3, // the client's most attempts of one request
			contains:   "503 Service Unavailable",
		},
		{name: "500 is not retried", status: 500, retryAfter: "1", failures: 1, timeout: 5 * time.Second, requests: 1, contains: "500 Internal Server Error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var n atomic.Int32
			srv := serve(t, func(w http.ResponseWriter, _ *http.Request) {
				if int(n.Add(1)) <= tt.failures {
					if tt.retryAfter != "" {
						w.Header().Set("Retry-After", tt.retryAfter)
					}
					w.WriteHeader(tt.status)
					return
				}
				if _, err := w.Write([]byte(`{"results": [` + good + `]}`)); err != nil {
					t.Error(err)
				}
			})
			p := newPlugin(t, srv.URL, func(p *MIP) { p.Timeout = config.Duration(tt.timeout) })
			// The waits are counted, not slept: the request's time is the
			// real time plus the waits.
			var slept time.Duration
			p.client.Sleep = func(ctx context.Context, d time.Duration) bool {
				slept += d
				return ctx.Err() == nil
			}
			start := time.Now()
			got, err := gather(t, p)
			elapsed := time.Since(start) + slept
			require.Equal(t, tt.requests, int(n.Load()))
			require.Less(t, elapsed, tt.timeout, "never past the timeout")
			if tt.contains != "" {
				require.ErrorContains(t, err, tt.contains)
				return
			}
			require.NoError(t, err)
			require.Equal(t, []string{"100"}, scenarioIDs(got))
			require.GreaterOrEqual(t, elapsed, 500*time.Millisecond, "Retry-After was honoured")
		})
	}
}

func TestAPIKeyFile(t *testing.T) {
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "key")
	require.NoError(t, os.WriteFile(keyFile, []byte(testKey+"\n"), 0o600))
	srv := serveFixture(t, "details_basic.json")

	got, err := gather(t, newPlugin(t, srv.URL, func(p *MIP) { p.APIKey = config.Secret{}; p.APIKeyFile = keyFile }))
	require.NoError(t, err)
	require.NotEmpty(t, got)

	empty := filepath.Join(dir, "empty")
	require.NoError(t, os.WriteFile(empty, []byte("\n"), 0o600))
	for name, tt := range map[string]struct {
		configure func(*MIP)
		contains  string
	}{
		"both":    {func(p *MIP) { p.APIKeyFile = keyFile }, "both api_key and api_key_file are set"},
		"missing": {func(p *MIP) { p.APIKey = config.Secret{}; p.APIKeyFile = filepath.Join(dir, "nope") }, "api_key_file: open " + filepath.Join(dir, "nope")},
		"empty":   {func(p *MIP) { p.APIKey = config.Secret{}; p.APIKeyFile = empty }, "api_key_file " + empty + " is empty"},
	} {
		t.Run(name, func(t *testing.T) {
			requireInitRefuses(t, srv.URL, tt.configure, tt.contains)
		})
	}
}

// TestSoak gathers many times, alternating success and failure, and checks
// that goroutines, open files and the heap stay flat. It runs 200 gathers,
// 2,000 with MIP_SOAK=long (make test sets it), or MIP_SOAK_GATHERS.
func TestSoak(t *testing.T) {
	soakGathers := 200
	if os.Getenv("MIP_SOAK") == "long" {
		soakGathers = 2000
	}
	if v := os.Getenv("MIP_SOAK_GATHERS"); v != "" {
		_, err := fmt.Sscan(v, &soakGathers)
		require.NoError(t, err)
	}
	var n atomic.Int64
	body := readFixture(t, "details_basic.json")
	// Not serve(): it keeps every request for the tests that inspect them.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		switch n.Add(1) % 4 {
		case 0:
			w.WriteHeader(http.StatusInternalServerError)
		case 1:
			writeBody(w, body[:len(body)/2]) // truncated
		default:
			writeBody(w, body)
		}
	}))
	defer srv.Close()
	// A logger that keeps nothing: testutil's loggers feed Telegraf's
	// early-log buffer, which would be the only thing growing here.
	p := newPlugin(t, srv.URL, func(p *MIP) {
		p.StateFile = filepath.Join(t.TempDir(), "state")
		p.Log = stderrlog.New(io.Discard, telegraf.Debug)
	})

	measure := func() (goroutines, fds int, heap uint64) {
		runtime.GC() //nolint:revive // the heap is compared before and after: only a collection makes the figures comparable
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		entries, err := os.ReadDir("/proc/self/fd")
		require.NoError(t, err)
		return runtime.NumGoroutine(), len(entries), ms.HeapAlloc
	}
	acc := &testutil.Accumulator{}
	failed := 0 // half the responses are a 500 or truncated, on purpose
	gatherSome := func(count int) {
		for range count {
			if err := p.Gather(acc); err != nil {
				failed++
			}
			deliver(t, p, acc)
			acc.ClearMetrics()
		}
	}
	gatherSome(100) // warm up: connections, buffers
	g0, f0, h0 := measure()
	gatherSome(soakGathers)
	g1, f1, h1 := measure()
	t.Logf("after %d gathers (%d failed since the start): goroutines %d -> %d, fds %d -> %d, heap %d -> %d KiB",
		soakGathers, failed, g0, g1, f0, f1, h0>>10, h1>>10)
	require.LessOrEqual(t, g1, g0+2, "goroutines")
	require.LessOrEqual(t, f1, f0+2, "file descriptors")
	require.Less(t, h1, h0+1<<20, "heap")
}

func TestDNSFailure(t *testing.T) {
	p := newPlugin(t, "https://mip.invalid")
	// A resolver whose server refuses: the lookup fails at once, on
	// loopback, whatever this machine's DNS.
	dialer := &net.Dialer{Resolver: &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "udp", "127.0.0.1:1")
	}}}
	p.transport.DialContext = dialer.DialContext
	_, err := gather(t, p)
	require.ErrorContains(t, err, `GET https://mip.invalid/api/measures/details: cannot resolve "mip.invalid": check url and the DNS of this machine`)
}

func TestInitRefusesWhatNoRequestCouldUse(t *testing.T) {
	dir := t.TempDir()
	twoLines := filepath.Join(dir, "two-lines")
	require.NoError(t, os.WriteFile(twoLines, []byte(testKey+"\n"+testKey+"\n"), 0o600))
	tests := []struct {
		name      string
		url       string
		configure func(*MIP)
		contains  string
	}{
		{
			name:      "line break in api_key",
			configure: func(p *MIP) { p.APIKey = config.NewSecret([]byte(testKey + "\n" + testKey)) },
			contains:  "api_key holds a control character",
		},
		{
			name:      "tab in api_key",
			configure: func(p *MIP) { p.APIKey = config.NewSecret([]byte(testKey + "\t" + testKey)) },
			contains:  "api_key holds a control character",
		},
		{
			name:      "line break in api_key_file",
			configure: func(p *MIP) { p.APIKey = config.Secret{}; p.APIKeyFile = twoLines },
			contains:  "api_key_file " + twoLines + " holds a control character",
		},
		{
			name:     "host and port without scheme",
			url:      "127.0.0.1:8080",
			contains: `url "127.0.0.1:8080" must start with "https://" (or "http://"), e.g. url = "https://127.0.0.1:8080"`,
		},
		{
			name:     "credentials without scheme",
			url:      "user:" + testKey + "@mip.example.com:443",
			contains: `url "…@mip.example.com:443" must start with "https://"`,
		},
		{name: "empty port", url: "http://mip.example.com:", contains: `url "http://mip.example.com:" has an empty port`},
		{name: "port out of range", url: "https://mip.example.com:70000", contains: "has port 70000, not a port between 1 and 65535"},
		{name: "port zero", url: "https://mip.example.com:0", contains: "has port 0"},
		{name: "bad port with credentials", url: "https://user:" + testKey + "@mip.example.com:x", contains: "url is not a URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := tt.url
			if url == "" {
				url = "https://mip.example.com"
			}
			configure := tt.configure
			if configure == nil {
				configure = func(*MIP) {}
			}
			requireInitRefuses(t, url, configure, tt.contains)
		})
	}
}

func TestBodiesThatAreNotSilentlyMisread(t *testing.T) {
	var deflated, gzipped bytes.Buffer
	zw := zlib.NewWriter(&deflated)
	_, err := zw.Write([]byte(`{"results": [` + good + `]}`))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	gw := gzip.NewWriter(&gzipped)
	_, err = gw.Write([]byte(`{"results": [` + good + `]}`))
	require.NoError(t, err)
	require.NoError(t, gw.Close())
	second := strings.Replace(good, `"id": 100`, `"id": 101`, 1)
	tests := []struct {
		name     string
		encoding string
		body     []byte
		contains string
		ids      []string
	}{
		{
			name:     "deflate, said",
			encoding: "deflate",
			body:     deflated.Bytes(),
			contains: `the response is compressed with Content-Encoding "deflate", which the plugin does not read`,
		},
		{
			name:     "deflate, unsaid",
			body:     deflated.Bytes(),
			contains: "the response is compressed (zlib, as HTTP's deflate encoding), which the plugin does not read",
		},
		{name: "gzip, unsaid", body: gzipped.Bytes(), contains: "the response is compressed (gzip), which the plugin does not read"},
		{name: "br, said", encoding: "br", body: []byte("\x1b\x00"), contains: `Content-Encoding "br"`},
		{
			name:     "results twice",
			body:     []byte(`{"results": [` + good + `], "results": [` + second + `]}`),
			contains: `the response has "results" twice: the scenarios of the first were read, the second is refused`,
			ids:      []string{"100"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := serve(t, func(w http.ResponseWriter, _ *http.Request) {
				if tt.encoding != "" {
					w.Header().Set("Content-Encoding", tt.encoding)
				}
				writeBody(w, tt.body)
			})
			got, err := gather(t, newPlugin(t, srv.URL))
			require.ErrorContains(t, err, tt.contains)
			require.Equal(t, tt.ids, scenarioIDs(got))
		})
	}
}

func TestWarnsOnceWhenTheFiltersKeepNothing(t *testing.T) {
	srv := serveFixture(t, "details_basic.json")
	tests := []struct {
		name      string
		configure func(*MIP)
		warning   string // empty: none
	}{
		{name: "some kept", configure: func(p *MIP) { p.ScenarioInclude = []string{"*"} }},
		{name: "a typo", configure: func(p *MIP) { p.ApplicationInclude = []string{"CMR"} }, warning: "the filters keep none of the"},
		{
			name:      "a regex",
			configure: func(p *MIP) { p.DisplayNameInclude = []string{"^Login.*$"} },
			warning:   `display_name_include "^Login.*$" looks like a regular expression, but filters are globs: try "Login*"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			log := &testutil.CaptureLogger{}
			p := newPlugin(t, srv.URL, tt.configure, func(p *MIP) { p.Log = log })
			for range 2 {
				_, err := gather(t, p)
				require.NoError(t, err)
			}
			if tt.warning == "" {
				require.Empty(t, log.Warnings())
				return
			}
			require.Len(t, log.Warnings(), 1, "once")
			require.Contains(t, log.Warnings()[0], tt.warning)
		})
	}
}

func TestGlobFromRegex(t *testing.T) {
	tests := []struct {
		regex, glob string
		ok          bool
	}{
		{regex: "^crm_.*", glob: "crm_*", ok: true},
		{regex: "^crm_.*$", glob: "crm_*", ok: true},
		{regex: "login", glob: "*login*", ok: true},
		{regex: `^www\.example\.com$`, glob: "www.example.com", ok: true},
		{regex: ".+_prod$", glob: "?*_prod", ok: true},
		{regex: "^(crm|erp)_.*"},
		{regex: `^\d+$`},
	}
	for _, tt := range tests {
		t.Run(tt.regex, func(t *testing.T) {
			require.True(t, looksLikeRegex(tt.regex) || tt.regex == "login")
			glob, ok := globFromRegex(tt.regex)
			require.Equal(t, tt.ok, ok)
			require.Equal(t, tt.glob, glob)
		})
	}
}
