package main

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"net"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/influxdata/telegraf"
	"github.com/stretchr/testify/require"
	collectorpb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	metricspb "go.opentelemetry.io/proto/otlp/metrics/v1"
	"google.golang.org/grpc"
	_ "google.golang.org/grpc/encoding/gzip" // outputs.opentelemetry compresses with gzip
	"google.golang.org/protobuf/proto"

	"github.com/telegraf-mip/telegraf-mip/internal/mipsim"
)

// otlpReceiver is an OTLP/gRPC metrics endpoint, as Centreon Engine's
// OpenTelemetry module is, keeping every export request it receives.
type otlpReceiver struct {
	collectorpb.UnimplementedMetricsServiceServer
	mu       sync.Mutex
	requests []*collectorpb.ExportMetricsServiceRequest
}

func (r *otlpReceiver) Export(_ context.Context, req *collectorpb.ExportMetricsServiceRequest) (*collectorpb.ExportMetricsServiceResponse, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests = append(r.requests, proto.Clone(req).(*collectorpb.ExportMetricsServiceRequest))
	return &collectorpb.ExportMetricsServiceResponse{}, nil
}

func (r *otlpReceiver) received() []*collectorpb.ExportMetricsServiceRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.requests)
}

// waitForCount waits until count() reaches want, for as long as it grows:
// the deadline follows the work left, not the clock. It fails when count()
// did not grow for stallLimit (Telegraf's start and first flush included),
// or Telegraf exits.
func waitForCount(t *testing.T, tg *telegrafProcess, what string, want int, count func() int) {
	t.Helper()
	last, progress := count(), time.Now()
	for last < want {
		select {
		case err := <-tg.done:
			require.Failf(t, "telegraf exited", "waiting for %s: %v; log:\n%s", what, err, tg.stderr)
		case <-time.After(200 * time.Millisecond):
		}
		if n := count(); n != last {
			last, progress = n, time.Now()
		}
		if time.Since(progress) > stallLimit {
			require.Failf(t, "no progress", "waiting for %s: %d of %d, none more for %s; telegraf log:\n%s", what, last, want, stallLimit, tg.stderr)
		}
	}
}

func startOTLPReceiver(t *testing.T) (*otlpReceiver, string) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	server := grpc.NewServer()
	r := &otlpReceiver{}
	collectorpb.RegisterMetricsServiceServer(server, r)
	go func() {
		// nil after server.Stop, at the end of the test
		if err := server.Serve(l); err != nil {
			t.Errorf("OTLP receiver: %v", err)
		}
	}()
	t.Cleanup(server.Stop)
	return r, l.Addr().String()
}

// centreonCheck is one passive check result, as Centreon Engine's
// OpenTelemetry module builds it from an export request.
type centreonCheck struct {
	request       int // which export request gave it
	host, service string
	time          uint64 // the state sample's time, the check's
	output        string // STATE|perfdata, the converter's only output
}

// dataPoint is one gauge data point of an export request.
type dataPoint struct {
	time  uint64
	value float64
	attrs map[string]string
}

// centreonChecks turns export requests into check results the way
// Centreon's nagios_telegraf converter does (open_telemetry.cc,
// telegraf/nagios_check_result_builder.cc): per request, the data points
// are grouped by their host and service attributes (none: not a check),
// then by gauge; a group makes one check, whose state is the newest sample
// of the gauge named *_state and whose perfdata are the points with exactly
// that time, by the perfdata attribute, the field read from the gauge
// name's suffix (after the last '_', two words for warning_lt and the like),
// sorted by label, numbers with six significant digits as absl::StrAppend
// prints them. A group without a state is the converter's "fail to
// convert", and a suffix it does not know its warning: both are returned as
// problems.
func convertExports(requests []*collectorpb.ExportMetricsServiceRequest) (checks []centreonCheck, problems []string) {
	for i, req := range requests {
		type hostService struct{ host, service string }
		groups := map[hostService]map[string][]dataPoint{}
		for _, rm := range req.ResourceMetrics {
			for _, sm := range rm.ScopeMetrics {
				for _, m := range sm.Metrics {
					for _, dp := range m.GetGauge().GetDataPoints() {
						p := dataPoint{time: dp.TimeUnixNano, value: dp.GetAsDouble() + float64(dp.GetAsInt()), attrs: attrs(dp.Attributes)}
						key := hostService{p.attrs["host"], p.attrs["service"]}
						if key.host == "" {
							continue
						}
						if groups[key] == nil {
							groups[key] = map[string][]dataPoint{}
						}
						groups[key][m.Name] = append(groups[key][m.Name], p)
					}
				}
			}
		}
		for key, gauges := range groups {
			check := centreonCheck{request: i, host: key.host, service: key.service}
			state := -1.0
			for name, points := range gauges {
				if nagiosSuffix(name) != "state" {
					continue
				}
				newest := slices.MaxFunc(points, func(a, b dataPoint) int { return cmp.Compare(a.time, b.time) })
				check.time, state = newest.time, newest.value
			}
			if state < 0 {
				problems = append(problems, fmt.Sprintf("export %d, %s/%s: perfdata without a state: fail to convert", i, key.host, key.service))
				continue
			}
			type perf struct {
				unit   string
				fields map[string]string // by suffix
			}
			perfs := map[string]*perf{}
			for name, points := range gauges {
				suffix := nagiosSuffix(name)
				if suffix == "state" {
					continue
				}
				if !slices.Contains(converterSuffixes, suffix) {
					problems = append(problems, fmt.Sprintf("export %d, %s/%s: gauge %s: unknown suffix %s", i, key.host, key.service, name, suffix))
				}
				for _, p := range points {
					label := p.attrs["perfdata"]
					if p.time != check.time || label == "" {
						continue
					}
					pd := perfs[label]
					if pd == nil {
						pd = &perf{fields: map[string]string{}}
						perfs[label] = pd
					}
					if u := p.attrs["unit"]; u != "" {
						pd.unit = u
					}
					pd.fields[suffix] = strconv.FormatFloat(p.value, 'g', 6, 64)
				}
			}
			// An inside range (le/ge) wins over an outside one (lt/gt).
			rng := func(f map[string]string, kind string) string {
				switch {
				case f[kind+"_le"] != "":
					return "@" + f[kind+"_le"] + ":" + f[kind+"_ge"]
				case f[kind+"_lt"] != "":
					return f[kind+"_lt"] + ":" + f[kind+"_gt"]
				}
				return ""
			}
			var parts []string
			for _, label := range slices.Sorted(maps.Keys(perfs)) {
				if f := perfs[label].fields; f["value"] != "" {
					parts = append(parts, fmt.Sprintf("%s=%s%s;%s;%s;%s;%s",
						label, f["value"], perfs[label].unit, rng(f, "warning"), rng(f, "critical"), f["min"], f["max"]))
				}
			}
			check.output = [...]string{"OK", "WARNING", "CRITICAL", "UNKNOWN"}[int(state)] + "|" + strings.Join(parts, " ")
			checks = append(checks, check)
		}
	}
	sort.SliceStable(checks, func(i, j int) bool {
		a, b := checks[i], checks[j]
		return a.request < b.request || a.request == b.request && a.host+"/"+a.service < b.host+"/"+b.service
	})
	return checks, problems
}

// centreonChecks converts the export requests, failing the test on any
// problem the converter would log.
func centreonChecks(t *testing.T, requests []*collectorpb.ExportMetricsServiceRequest) []centreonCheck {
	t.Helper()
	checks, problems := convertExports(requests)
	require.Empty(t, problems)
	return checks
}

// nagiosSuffix is the field a gauge carries, as the converter reads it.
func nagiosSuffix(gauge string) string {
	i := strings.LastIndexByte(gauge, '_')
	if i < 0 {
		return ""
	}
	last := gauge[i+1:]
	if last == "lt" || last == "gt" || last == "le" || last == "ge" {
		if j := strings.LastIndexByte(gauge[:i], '_'); j >= 0 {
			return gauge[j+1:]
		}
	}
	return last
}

// TestConverterModel pins the test receiver's conversion to what Centreon's
// converter does with export requests.
func TestConverterModel(t *testing.T) {
	const t1, t2 = 1_000_000_000, 2_000_000_000
	point := func(gauge string, at uint64, value float64, kv ...string) *metricspb.Metric {
		var attributes []*commonpb.KeyValue
		for i := 0; i+1 < len(kv); i += 2 {
			value := &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: kv[i+1]}}
			attributes = append(attributes, &commonpb.KeyValue{Key: kv[i], Value: value})
		}
		return &metricspb.Metric{Name: gauge, Data: &metricspb.Metric_Gauge{Gauge: &metricspb.Gauge{DataPoints: []*metricspb.NumberDataPoint{
			{TimeUnixNano: at, Value: &metricspb.NumberDataPoint_AsDouble{AsDouble: value}, Attributes: attributes},
		}}}}
	}
	export := func(metrics ...*metricspb.Metric) *collectorpb.ExportMetricsServiceRequest {
		return &collectorpb.ExportMetricsServiceRequest{ResourceMetrics: []*metricspb.ResourceMetrics{
			{ScopeMetrics: []*metricspb.ScopeMetrics{{Metrics: metrics}}},
		}}
	}
	hs := []string{"host", "h", "service", "s"}
	with := func(kv ...string) []string { return append(slices.Clone(hs), kv...) }
	tests := []struct {
		name     string
		requests []*collectorpb.ExportMetricsServiceRequest
		checks   []centreonCheck
		problems []string
	}{
		{
			name: "labels sorted, six significant digits, units",
			requests: []*collectorpb.ExportMetricsServiceRequest{export(
				point("mip_state", t1, 2, hs...),
				point("mip_value", t1, 12345678, with("perfdata", "b", "unit", "ms")...),
				point("mip_value", t1, 0.5, with("perfdata", "'a b'")...),
			)},
			checks: []centreonCheck{{host: "h", service: "s", time: t1, output: "CRITICAL|'a b'=0.5;;;; b=1.23457e+07ms;;;;"}},
		},
		{
			name: "suffixes: ranges in pairs, an inside range with @, min and max",
			requests: []*collectorpb.ExportMetricsServiceRequest{export(
				point("mip_state", t1, 0, hs...),
				point("mip_value", t1, 5, with("perfdata", "p")...),
				point("mip_warning_lt", t1, 0, with("perfdata", "p")...),
				point("mip_warning_gt", t1, 10, with("perfdata", "p")...),
				point("mip_critical_le", t1, 20, with("perfdata", "p")...),
				point("mip_critical_ge", t1, 30, with("perfdata", "p")...),
				point("mip_min", t1, 0, with("perfdata", "p")...),
				point("mip_max", t1, 100, with("perfdata", "p")...),
			)},
			checks: []centreonCheck{{host: "h", service: "s", time: t1, output: "OK|p=5;0:10;@20:30;0;100"}},
		},
		{
			name: "two runs in one request: the newest only",
			requests: []*collectorpb.ExportMetricsServiceRequest{export(
				point("mip_state", t1, 2, hs...),
				point("mip_state", t2, 0, hs...),
				point("mip_value", t1, 1, with("perfdata", "p")...),
				point("mip_value", t2, 2, with("perfdata", "p")...),
			)},
			checks: []centreonCheck{{host: "h", service: "s", time: t2, output: "OK|p=2;;;;"}},
		},
		{
			name: "one check per request and service",
			requests: []*collectorpb.ExportMetricsServiceRequest{
				export(point("mip_state", t1, 1, hs...), point("mip_state", t1, 3, "host", "h", "service", "other")),
				export(point("mip_state", t2, 0, hs...)),
			},
			checks: []centreonCheck{
				{request: 0, host: "h", service: "other", time: t1, output: "UNKNOWN|"},
				{request: 0, host: "h", service: "s", time: t1, output: "WARNING|"},
				{request: 1, host: "h", service: "s", time: t2, output: "OK|"},
			},
		},
		{
			name:     "perfdata without a state",
			requests: []*collectorpb.ExportMetricsServiceRequest{export(point("mip_value", t1, 1, with("perfdata", "p")...))},
			problems: []string{"export 0, h/s: perfdata without a state: fail to convert"},
		},
		{
			name: "perfdata in another request than its state",
			requests: []*collectorpb.ExportMetricsServiceRequest{
				export(point("mip_state", t1, 0, hs...)),
				export(point("mip_value", t1, 1, with("perfdata", "p")...)),
			},
			checks:   []centreonCheck{{host: "h", service: "s", time: t1, output: "OK|"}},
			problems: []string{"export 1, h/s: perfdata without a state: fail to convert"},
		},
		{
			name:     "no host: not a check",
			requests: []*collectorpb.ExportMetricsServiceRequest{export(point("mip_state", t1, 0, "service", "s"))},
		},
		{
			name:     "a field the converter does not know",
			requests: []*collectorpb.ExportMetricsServiceRequest{export(point("mip_state", t1, 0, hs...), point("mip_text", t1, 1, with("perfdata", "p")...))},
			checks:   []centreonCheck{{host: "h", service: "s", time: t1, output: "OK|"}},
			problems: []string{"export 0, h/s: gauge mip_text: unknown suffix text"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checks, problems := convertExports(tt.requests)
			require.Equal(t, tt.checks, checks)
			require.Equal(t, tt.problems, problems)
		})
	}
}

// converterSuffixes are the fields the converter reads besides state.
var converterSuffixes = []string{
	"value", "min", "max",
	"warning_lt", "warning_gt", "warning_le", "warning_ge",
	"critical_lt", "critical_gt", "critical_le", "critical_ge",
}

func attrs(kvs []*commonpb.KeyValue) map[string]string {
	out := map[string]string{}
	for _, kv := range kvs {
		out[kv.Key] = kv.Value.GetStringValue()
	}
	return out
}

// checksOf returns the checks of one service, in the order they arrived.
func checksOf(checks []centreonCheck, service string) []centreonCheck {
	var out []centreonCheck
	for _, c := range checks {
		if c.service == service {
			out = append(out, c)
		}
	}
	return out
}

// centreonPluginConfig is the plugin configuration of the Centreon
// end-to-end tests, with the thresholds expectedNagios knows.
func centreonPluginConfig(t *testing.T, url string, extra ...string) string {
	return pluginConfig(t, url, append(extra,
		`  centreon_host = "mip-host"`,
		`  [[inputs.mip.threshold]]`,
		`    metric = "Step*"`,
		`    warning = "2000"`,
		`    critical = "2500"`,
		`  [[inputs.mip.threshold]]`,
		`    metric = "Page size"`,
		`    warning = "1000:"`,
		`    critical = "@0:100"`,
	)...)
}

// TestTelegrafToCentreonOTLP runs a real Telegraf whose outputs.opentelemetry
// exports our Centreon-shaped points over gRPC, and checks the check results
// Centreon's OpenTelemetry module would make of them: one per scenario, the
// newest run's, with the Centreon plugin's labels.
func TestTelegrafToCentreonOTLP(t *testing.T) {
	t.Parallel()
	_, srv := startSim(t)
	receiver, addr := startOTLPReceiver(t)
	pluginConf := centreonPluginConfig(t, srv.URL,
		`  schema = "centreon"`,
		`  centreon_stale_runs = 0`, // the simulator's runs are hours old by the real clock
	)
	// Telegraf's own host tag stays on: ours must win over it.
	conf := telegrafConfig(pluginConf, fmt.Sprintf(`[[outputs.opentelemetry]]
  service_address = %q`, addr), "metric_batch_size = 20000")
	tg := startTelegraf(t, conf, "MIP_API_KEY="+testKey)

	demo := mipsim.Demo()
	waitForCount(t, tg, "a check of every scenario", len(demo), func() int {
		services := map[string]bool{}
		checks, _ := convertExports(receiver.received())
		for _, c := range checks {
			services[c.service] = true
		}
		return len(services)
	})
	tg.stop(t)
	require.Empty(t, tg.execdErrors())

	checks := centreonChecks(t, receiver.received())
	gauges := map[string]bool{}
	for _, req := range receiver.received() {
		for _, rm := range req.ResourceMetrics {
			for _, sm := range rm.ScopeMetrics {
				for _, m := range sm.Metrics {
					gauges[m.Name] = true
				}
			}
		}
	}
	require.Equal(t, map[string]bool{
		"mip_state": true, "mip_value": true,
		"mip_warning_lt": true, "mip_warning_gt": true, "mip_critical_lt": true, "mip_critical_gt": true,
		"mip_critical_le": true, "mip_critical_ge": true,
	}, gauges)
	for _, c := range checks {
		require.Equal(t, "mip-host", c.host, "Telegraf's own host tag must not win over ours")
	}
	require.Len(t, checks, len(demo), "one check per scenario: its newest run, once")
	for _, sc := range demo {
		service := checksOf(checks, sc.Name)
		require.Len(t, service, 1, sc.Name)
		runs := mipsim.Runs(sc, fixedNow.Add(-time.Hour), fixedNow)
		newest := runs[len(runs)-1]
		require.Equal(t, uint64(newest.Time.UnixNano()), service[0].time, "%s: the run's time", sc.Name)
		t.Logf("%s: %s", sc.Name, service[0].output)
		require.Equal(t, expectedNagios(sc, newest), service[0].output, sc.Name)
	}
}

// TestTelegrafToCentreonBackfill has every run of the last hour sent in one
// gather (first_gather = "window", as after an outage): each run becomes its
// own check, in time order, because Telegraf sends one export per timestamp
// and the batch holds the whole gather.
func TestTelegrafToCentreonBackfill(t *testing.T) {
	t.Parallel()
	_, srv := startSim(t)
	receiver, addr := startOTLPReceiver(t)
	pluginConf := centreonPluginConfig(t, srv.URL, `  schema = "centreon"`, `  first_gather = "window"`, `  centreon_stale_runs = 0`)
	conf := telegrafConfig(pluginConf, fmt.Sprintf(`[[outputs.opentelemetry]]
  service_address = %q`, addr), "metric_batch_size = 20000")
	tg := startTelegraf(t, conf, "MIP_API_KEY="+testKey)

	demo := mipsim.Demo()
	total := 0
	for _, sc := range demo {
		total += len(mipsim.Runs(sc, fixedNow.Add(-time.Hour), fixedNow))
	}
	require.Greater(t, total, 2*len(demo))
	waitForCount(t, tg, "a check of every run", total, func() int {
		checks, _ := convertExports(receiver.received())
		return len(checks)
	})
	tg.stop(t)
	require.Empty(t, tg.execdErrors())

	checks := centreonChecks(t, receiver.received())
	require.Len(t, checks, total, "one check per run, none twice")
	for _, sc := range demo {
		runs := mipsim.Runs(sc, fixedNow.Add(-time.Hour), fixedNow)
		service := checksOf(checks, sc.Name)
		require.Len(t, service, len(runs), sc.Name)
		for i, run := range runs {
			require.Equal(t, uint64(run.Time.UnixNano()), service[i].time, "%s run %d: in time order", sc.Name, i)
			require.Equal(t, expectedNagios(sc, run), service[i].output, "%s run %d", sc.Name, i)
		}
	}
}

// TestTelegrafToCentreonBothSchemas sends both schemas through Telegraf with
// the README's namepass on outputs.opentelemetry: only convertible exports
// reach Centreon, and the stale-robot result arrives at each gather (the
// simulator's runs are hours old by the real clock).
func TestTelegrafToCentreonBothSchemas(t *testing.T) {
	t.Parallel()
	_, srv := startSim(t)
	receiver, addr := startOTLPReceiver(t)
	out := filepath.Join(t.TempDir(), "metrics.out")
	pluginConf := centreonPluginConfig(t, srv.URL, `  schema = "both"`)
	conf := telegrafConfig(pluginConf, fmt.Sprintf(`[[outputs.opentelemetry]]
  service_address = %q
  namepass = ["mip"]

[[outputs.file]]
  files = [%q]
  data_format = "influx"`, addr, out), "metric_batch_size = 20000")
	tg := startTelegraf(t, conf, "MIP_API_KEY="+testKey)

	demo := mipsim.Demo()
	stale := func(checks []centreonCheck) int {
		n := 0
		for _, c := range checks {
			if strings.HasPrefix(c.output, "UNKNOWN|") && strings.Contains(c.output, "~newest_run#scenario.run.age.seconds'=") {
				n++
			}
		}
		return n
	}
	waitForCount(t, tg, "two stale-robot results per scenario", 2*len(demo), func() int {
		checks, _ := convertExports(receiver.received())
		return stale(checks)
	})
	tg.stop(t)
	require.Empty(t, tg.execdErrors())

	for _, s := range receiver.received() {
		for _, rm := range s.ResourceMetrics {
			for _, sm := range rm.ScopeMetrics {
				for _, m := range sm.Metrics {
					require.True(t, strings.HasPrefix(m.Name, "mip_"), m.Name)
					for _, dp := range m.GetGauge().GetDataPoints() {
						a := attrs(dp.Attributes)
						require.Equal(t, "mip-host", a["host"], m.Name)
						require.NotEmpty(t, a["service"], m.Name)
					}
				}
			}
		}
	}
	checks := centreonChecks(t, receiver.received())
	for _, sc := range demo {
		service := checksOf(checks, sc.Name)
		require.NotEmpty(t, service, sc.Name)
		runs := mipsim.Runs(sc, fixedNow.Add(-time.Hour), fixedNow)
		require.Equal(t, expectedNagios(sc, runs[len(runs)-1]), service[0].output, "%s: the newest run first", sc.Name)
		for _, c := range service[1:] {
			require.Regexp(t, `^UNKNOWN\|'`+regexp.QuoteMeta(sc.Name)+`~newest_run#scenario\.run\.age\.seconds'=[0-9.e+]+s;;;;$`, c.output, sc.Name)
			require.Greater(t, c.time, service[0].time, "%s: the stale result at gather time", sc.Name)
		}
	}
	// The InfluxDB schema still reaches the other outputs.
	points := readPoints(t, tg, out, func([]telegraf.Metric) bool { return true })
	require.Len(t, scenariosIn(points), len(demo))
}

// expectedNagios is the check result the Centreon plugin's conventions give
// for a simulated run with the thresholds of the test: Step* warning 2000,
// critical 2500; Page size warning 1000: (an open end), critical @0:100 (an
// inside range), which the simulator's page sizes never reach.
func expectedNagios(sc mipsim.Scenario, run mipsim.Run) string {
	suffix := map[string]string{"ms": "milliseconds", "bytes": "bytes", "bps": "bitspersecond", "requests": "requests", "status": "count"}
	state := map[string]int{"OK": 0, "WARNING": 1, "CRITICAL": 2, "UNKNOWN": 3}[run.State]
	worse := func(a, b int) int {
		rank := [...]int{0, 2, 3, 1}
		if rank[b] > rank[a] {
			return b
		}
		return a
	}
	quote := func(l string) string { return "'" + strings.ReplaceAll(l, "'", "''") + "'" }
	g := func(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }
	perfs := make([]string, 0, len(sc.Metrics)+len(sc.Formatted))
	for _, m := range sc.Metrics {
		v := run.Metrics[m.Key]
		warn, crit := "", ""
		switch {
		case strings.HasPrefix(m.Alias, "Step"):
			warn, crit = "0:2000", "0:2500"
			if v > 2500 {
				state = worse(state, 2)
			} else if v > 2000 {
				state = worse(state, 1)
			}
		case m.Alias == "Page size":
			warn, crit = "1000:1.79769e+308", "@0:100"
		}
		perfs = append(perfs, fmt.Sprintf("%s=%s%s;%s;%s;;", quote(sc.Name+"~"+m.Alias+"#scenario.metric.usage."+suffix[m.Unit]), g(v), m.Unit, warn, crit))
	}
	for _, label := range sc.Formatted {
		if v, ok := run.Formatted[label].(float64); ok {
			perfs = append(perfs, fmt.Sprintf("%s=%s;;;;", quote(sc.Name+"~"+label+"#scenario.formatted_metric.usage.count"), g(v)))
		}
	}
	sort.Strings(perfs)
	return [...]string{"OK", "WARNING", "CRITICAL", "UNKNOWN"}[state] + "|" + strings.Join(perfs, " ")
}
