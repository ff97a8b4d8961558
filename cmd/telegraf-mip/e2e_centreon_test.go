package main

import (
	"context"
	"fmt"
	"net"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	collectorpb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
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

func startOTLPReceiver(t *testing.T) (*otlpReceiver, string) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	server := grpc.NewServer()
	r := &otlpReceiver{}
	collectorpb.RegisterMetricsServiceServer(server, r)
	go func() { _ = server.Serve(l) }()
	t.Cleanup(server.Stop)
	return r, l.Addr().String()
}

// sample is one gauge data point as Centreon's converter sees it.
type sample struct {
	gauge   string
	attrs   map[string]string
	time    uint64
	value   float64
	request int // which export request carried it
}

func samples(requests []*collectorpb.ExportMetricsServiceRequest) []sample {
	var out []sample
	for i, req := range requests {
		for _, rm := range req.ResourceMetrics {
			for _, sm := range rm.ScopeMetrics {
				for _, m := range sm.Metrics {
					g := m.GetGauge()
					if g == nil {
						continue
					}
					for _, dp := range g.DataPoints {
						out = append(out, sample{gauge: m.Name, attrs: attrs(dp.Attributes), time: dp.TimeUnixNano, value: dp.GetAsDouble() + float64(dp.GetAsInt()), request: i})
					}
				}
			}
		}
	}
	return out
}

func attrs(kvs []*commonpb.KeyValue) map[string]string {
	out := map[string]string{}
	for _, kv := range kvs {
		out[kv.Key] = kv.Value.GetStringValue()
	}
	return out
}

// nagiosOutput rebuilds a check result from the samples of one service the
// way Centreon's nagios_telegraf converter does: the state from the last
// sample of the *_state gauge; the perfdata from the points with exactly
// that timestamp, each "label=value<unit>;warn;crit;min;max", sorted by
// label, numbers printed as absl::StrAppend prints doubles (six significant
// digits).
func nagiosOutput(t *testing.T, service []sample) string {
	t.Helper()
	var state *sample
	for i := range service {
		if strings.HasSuffix(service[i].gauge, "_state") && (state == nil || service[i].time >= state.time) {
			state = &service[i]
		}
	}
	require.NotNil(t, state, "no state")
	type perf struct{ unit, value, min, max, wlt, wgt, wle, wge, clt, cgt, cle, cge string }
	perfs := map[string]*perf{}
	for _, s := range service {
		label, ok := s.attrs["perfdata"]
		if !ok || s.time != state.time {
			continue
		}
		p := perfs[label]
		if p == nil {
			p = &perf{unit: s.attrs["unit"]}
			perfs[label] = p
		}
		fields := map[string]*string{
			"_value": &p.value, "_min": &p.min, "_max": &p.max,
			"_warning_lt": &p.wlt, "_warning_gt": &p.wgt, "_warning_le": &p.wle, "_warning_ge": &p.wge,
			"_critical_lt": &p.clt, "_critical_gt": &p.cgt, "_critical_le": &p.cle, "_critical_ge": &p.cge,
		}
		for suffix, field := range fields {
			if strings.HasSuffix(s.gauge, suffix) {
				*field = strconv.FormatFloat(s.value, 'g', 6, 64)
			}
		}
	}
	// An inside range (le/ge) wins over an outside one, as in the converter.
	rng := func(le, ge, lt, gt string) string {
		switch {
		case le != "":
			return "@" + le + ":" + ge
		case lt != "":
			return lt + ":" + gt
		}
		return ""
	}
	labels := make([]string, 0, len(perfs))
	for l := range perfs {
		labels = append(labels, l)
	}
	sort.Strings(labels)
	parts := make([]string, 0, len(labels))
	for _, l := range labels {
		p := perfs[l]
		parts = append(parts, fmt.Sprintf("%s=%s%s;%s;%s;%s;%s", l, p.value, p.unit, rng(p.wle, p.wge, p.wlt, p.wgt), rng(p.cle, p.cge, p.clt, p.cgt), p.min, p.max))
	}
	status := [...]string{"OK", "WARNING", "CRITICAL", "UNKNOWN"}[int(state.value)]
	return status + "|" + strings.Join(parts, " ")
}

// TestTelegrafToCentreonOTLP runs a real Telegraf whose outputs.opentelemetry
// exports our Centreon-shaped points over gRPC, and checks what Centreon's
// OpenTelemetry module would receive and make of it.
func TestTelegrafToCentreonOTLP(t *testing.T) {
	_, srv := startSim(t)
	receiver, addr := startOTLPReceiver(t)
	pluginConf := pluginConfig(t, srv.URL,
		`  schema = "centreon"`,
		`  centreon_host = "mip-host"`,
		`  centreon_stale_runs = 0`, // the simulator's runs are hours old by the real clock
		`  [[inputs.mip.threshold]]`,
		`    metric = "Step*"`,
		`    warning = "2000"`,
		`    critical = "2500"`,
		`  [[inputs.mip.threshold]]`,
		`    metric = "Page size"`,
		`    warning = "1000:"`,
		`    critical = "@0:100"`,
	)
	// Telegraf's own host tag stays on: ours must win over it.
	conf := telegrafConfig(pluginConf, fmt.Sprintf(`[[outputs.opentelemetry]]
  service_address = %q`, addr), "metric_batch_size = 1000")
	tg := startTelegraf(t, conf, "MIP_API_KEY="+testKey)

	demo := mipsim.Demo()
	require.Eventually(t, func() bool {
		services := map[string]bool{}
		for _, s := range samples(receiver.received()) {
			if s.gauge == "mip_state" {
				services[s.attrs["service"]] = true
			}
		}
		return len(services) == len(demo)
	}, 60*time.Second, 200*time.Millisecond, "telegraf log:\n%s", tg.stderr.String())
	tg.stop(t)
	require.Empty(t, tg.execdErrors())

	all := samples(receiver.received())
	gauges := map[string]bool{}
	for _, s := range all {
		gauges[s.gauge] = true
		// Telegraf's own host tag must not win over ours.
		require.Equal(t, "mip-host", s.attrs["host"], "%s", s.gauge)
		require.NotEmpty(t, s.attrs["service"], "%s", s.gauge)
	}
	require.Equal(t, map[string]bool{
		"mip_state": true, "mip_value": true,
		"mip_warning_lt": true, "mip_warning_gt": true, "mip_critical_lt": true, "mip_critical_gt": true,
		"mip_critical_le": true, "mip_critical_ge": true,
	}, gauges)

	for _, sc := range demo {
		var service []sample
		for _, s := range all {
			if s.attrs["service"] == sc.Name {
				service = append(service, s)
			}
		}
		require.NotEmpty(t, service, sc.Name)
		// One check: every point at the run's time, in one export request.
		runs := mipsim.Runs(sc, fixedNow.Add(-time.Hour), fixedNow)
		newest := runs[len(runs)-1]
		for _, s := range service {
			require.Equal(t, uint64(newest.Time.UnixNano()), s.time, "%s %s: the run's time", sc.Name, s.gauge)
			require.Equal(t, service[0].request, s.request, "%s: state and perfdata in one export", sc.Name)
		}
		output := nagiosOutput(t, service)
		t.Logf("%s: %s", sc.Name, output)
		require.Equal(t, expectedNagios(sc, newest), output, sc.Name)
	}
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
	quote := func(l string) string {
		if strings.ContainsAny(l, " ='") {
			return "'" + strings.ReplaceAll(l, "'", "''") + "'"
		}
		return l
	}
	g := func(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }
	var perfs []string
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
