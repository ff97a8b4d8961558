package mip

import (
	"math"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/influxdata/telegraf"
	"github.com/influxdata/telegraf/testutil"
	"github.com/stretchr/testify/require"
)

func centreon(host string) func(*MIP) {
	return func(p *MIP) {
		p.Schema = schemaCentreon
		p.CentreonHost = host
	}
}

// check is the expected state and perfdata points of one Centreon check.
func check(service string, state int64, at string, perfdata ...telegraf.Metric) []telegraf.Metric {
	t := testutil.MustMetric("mip", map[string]string{"host": "mip-host", "service": service}, map[string]any{"state": state}, atTime(at))
	return append([]telegraf.Metric{t}, perfdata...)
}

func atTime(s string) time.Time { return at(s) }

func perf(service, label, unit string, value float64, at string, extra ...any) telegraf.Metric {
	tags := map[string]string{"host": "mip-host", "service": service, "perfdata": label}
	if unit != "" {
		tags["unit"] = unit
	}
	fields := map[string]any{"value": value, "min": 0.0}
	for i := 0; i+1 < len(extra); i += 2 {
		fields[extra[i].(string)] = extra[i+1]
	}
	return testutil.MustMetric("mip", tags, fields, atTime(at))
}

func TestCentreonShape(t *testing.T) {
	srv := serveFixture(t, "details_basic.json")
	got, err := gather(t, newPlugin(t, srv.URL, centreon("mip-host")))
	require.NoError(t, err)

	crm, intranet, erp := "2026-11-25T09:55:00Z", "2026-11-25T09:52:30Z", "2026-11-25T09:45:00Z"
	var expected []telegraf.Metric
	expected = append(expected, check("crm_login", 0, crm,
		perf("crm_login", "'Step 1 - Home page#scenario.metric.usage.milliseconds'", "ms", 1234.5, crm),
		perf("crm_login", "'Page size#scenario.metric.usage.bytes'", "B", 456789, crm),
		perf("crm_login", "Throughput#scenario.metric.usage.bitspersecond", "b/s", 1200.25, crm),
		perf("crm_login", "Requests#scenario.metric.usage.requests", "", 42, crm),
		perf("crm_login", "'HTTP status#scenario.metric.usage.count'", "", 200, crm),
		perf("crm_login", "'Temps total#scenario.formatted_metric.usage.count'", "", 1234.5, crm),
	)...)
	expected = append(expected, check("intranet_home", 1, intranet,
		perf("intranet_home", "Launch#scenario.metric.usage.milliseconds", "ms", 2500, intranet),
	)...)
	// DOWNTIME is in no state list: OK, as with the Centreon plugin.
	expected = append(expected, check("erp_desktop", 0, erp,
		perf("erp_desktop", "'Open customer file#scenario.metric.usage.milliseconds'", "ms", 15000, erp),
	)...)
	// No mip_api or mip_freshness: without host and service they would be
	// noise in Centreon.
	testutil.RequireMetricsEqual(t, expected, got, testutil.SortMetrics())
	requireSerializable(t, got)
}

func TestCentreonBothSchemas(t *testing.T) {
	srv := serveFixture(t, "details_basic.json")
	got, err := gather(t, newPlugin(t, srv.URL, centreon("mip-host"), func(p *MIP) { p.Schema = schemaBoth }))
	require.NoError(t, err)
	names := map[string]int{}
	for _, m := range got {
		names[m.Name()]++
	}
	require.Equal(t, map[string]int{"mip": 3 + 8, "mip_scenario": 3, "mip_metric": 7, "mip_formatted_metric": 2, "mip_freshness": 3, "mip_api": 1}, names)
}

func TestCentreonStatusRules(t *testing.T) {
	tests := []struct {
		name       string
		state      string
		value      float64
		configure  func(*MIP)
		expected   int64
		thresholds map[string]any // fields expected on the perfdata point
	}{
		{name: "OK", state: "OK", expected: 0},
		{name: "WARNING", state: "WARNING", expected: 1},
		{name: "CRITICAL", state: "CRITICAL", expected: 2},
		{name: "UNKNOWN", state: "UNKNOWN", expected: 3},
		{name: "case-insensitive", state: "critical", expected: 2},
		{name: "unlisted state", state: "DOWNTIME", expected: 0},
		{name: "no state", state: "", expected: 0},
		{name: "custom lists", state: "DOWNTIME", configure: func(p *MIP) { p.WarningStates = []string{"WARNING", "downtime"} }, expected: 1},
		{name: "state left out of the lists", state: "CRITICAL", configure: func(p *MIP) { p.CriticalStates = nil }, expected: 0},
		{
			name: "under the warning", state: "OK", value: 900,
			configure: func(p *MIP) { p.Thresholds = []Threshold{{Metric: "Step*", Warning: "1000", Critical: "2000"}} },
			expected:  0, thresholds: map[string]any{"warning_lt": 0.0, "warning_gt": 1000.0, "critical_lt": 0.0, "critical_gt": 2000.0},
		},
		{
			name: "over the warning", state: "OK", value: 1500,
			configure: func(p *MIP) { p.Thresholds = []Threshold{{Metric: "Step*", Warning: "1000", Critical: "2000"}} },
			expected:  1, thresholds: map[string]any{"warning_lt": 0.0, "warning_gt": 1000.0, "critical_lt": 0.0, "critical_gt": 2000.0},
		},
		{
			name: "over the critical", state: "WARNING", value: 2500,
			configure: func(p *MIP) { p.Thresholds = []Threshold{{Metric: "Step*", Warning: "1000", Critical: "2000"}} },
			expected:  2, thresholds: map[string]any{"warning_lt": 0.0, "warning_gt": 1000.0, "critical_lt": 0.0, "critical_gt": 2000.0},
		},
		{
			name: "MIP critical beats fine thresholds", state: "CRITICAL", value: 10,
			configure: func(p *MIP) { p.Thresholds = []Threshold{{Metric: "Step 1", Warning: "1000"}} },
			expected:  2, thresholds: map[string]any{"warning_lt": 0.0, "warning_gt": 1000.0},
		},
		{
			name: "warning beats unknown", state: "UNKNOWN", value: 1500,
			configure: func(p *MIP) { p.Thresholds = []Threshold{{Metric: "*", Warning: "1000"}} },
			expected:  1, thresholds: map[string]any{"warning_lt": 0.0, "warning_gt": 1000.0},
		},
		{
			name: "minimum range", state: "OK", value: 5,
			configure: func(p *MIP) { p.Thresholds = []Threshold{{Metric: "*", Critical: "10:"}} },
			expected:  2, thresholds: map[string]any{"critical_lt": 10.0, "critical_gt": math.MaxFloat64},
		},
		{
			name: "negative infinity", state: "OK", value: 5,
			configure: func(p *MIP) { p.Thresholds = []Threshold{{Metric: "*", Warning: "~:0"}} },
			expected:  1, thresholds: map[string]any{"warning_lt": -math.MaxFloat64, "warning_gt": 0.0},
		},
		{
			name: "inside range alerts inside", state: "OK", value: 15,
			configure: func(p *MIP) { p.Thresholds = []Threshold{{Metric: "*", Critical: "@10:20"}} },
			expected:  2, thresholds: map[string]any{"critical_le": 10.0, "critical_ge": 20.0},
		},
		{
			name: "threshold on another metric", state: "OK", value: 5000,
			configure: func(p *MIP) { p.Thresholds = []Threshold{{Metric: "Login*", Warning: "1"}} },
			expected:  0, thresholds: map[string]any{},
		},
		{
			name: "first matching threshold applies", state: "OK", value: 50,
			configure: func(p *MIP) {
				p.Thresholds = []Threshold{{Metric: "Step 1", Warning: "100"}, {Metric: "*", Warning: "10"}}
			},
			expected: 0, thresholds: map[string]any{"warning_lt": 0.0, "warning_gt": 100.0},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			state := `{"type": "` + tt.state + `"}`
			if tt.state == "" {
				state = "null"
			}
			body := `{"results": [{"measure": {"id": 1, "name": "s"}, "metricInfo": {"m": {"alias": "Step 1", "unit": "ms"}},
				"results": {"2026-11-25T10:00:00Z": {"state": ` + state + `, "metrics": {"m": ` + strconv.FormatFloat(tt.value, 'f', -1, 64) + `}}}}]}`
			srv := serve(t, func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(body)) })
			configure := []func(*MIP){centreon("mip-host")}
			if tt.configure != nil {
				configure = append(configure, tt.configure)
			}
			got, err := gather(t, newPlugin(t, srv.URL, configure...))
			require.NoError(t, err)
			require.Len(t, got, 2)
			stateValue, _ := got[0].GetField("state")
			require.Equal(t, tt.expected, stateValue)
			if tt.thresholds != nil {
				fields := got[1].Fields()
				delete(fields, "value")
				delete(fields, "min")
				require.Equal(t, tt.thresholds, fields)
			}
			requireSerializable(t, got)
		})
	}
}

func TestParseNagiosRange(t *testing.T) {
	inf := math.Inf(1)
	tests := []struct {
		in       string
		expected *nagiosRange
	}{
		{"", nil},
		{"10", &nagiosRange{start: 0, end: 10}},
		{"10:", &nagiosRange{start: 10, end: inf}},
		{"~:10", &nagiosRange{start: math.Inf(-1), end: 10}},
		{"10:20", &nagiosRange{start: 10, end: 20}},
		{"@10:20", &nagiosRange{start: 10, end: 20, inside: true}},
		{"-5:5.5", &nagiosRange{start: -5, end: 5.5}},
	}
	for _, tt := range tests {
		got, err := parseNagiosRange(tt.in)
		require.NoError(t, err, tt.in)
		require.Equal(t, tt.expected, got, tt.in)
	}
	for _, bad := range []string{"abc", "20:10", "1:2:3", "NaN", "@", "10:x", "Inf"} {
		_, err := parseNagiosRange(bad)
		require.Error(t, err, bad)
	}
}

func TestCentreonServiceNames(t *testing.T) {
	c := &centreonConfig{service: "%{app_name} / %{display_name} (%{id}) %{name}"}
	m := &measure{ID: "42", Name: "login", DisplayName: `Login "portal", step=1`, Scenario: &scenario{Application: &application{Name: "CRM"}}}
	require.Equal(t, `CRM / Login _portal__ step_1 _42_ login`, c.serviceName(m))
	c.service = "%{name}"
	require.Equal(t, "fallback", c.serviceName(&measure{ID: "1", Scenario: &scenario{Name: "fallback"}}), "the scenario name when the measure has none")
}

func TestPerfdataLabelQuoting(t *testing.T) {
	for in, out := range map[string]string{
		"Throughput#scenario.metric.usage.bitspersecond": "Throughput#scenario.metric.usage.bitspersecond",
		"Temps total#x":   "'Temps total#x'",
		"a=b":             "'a=b'",
		"l'accueil#x":     "'l''accueil#x'",
		"d'un coup de 2'": "'d''un coup de 2'''",
	} {
		require.Equal(t, out, perfdataLabel(in), in)
	}
}

func TestCentreonConfigRefusals(t *testing.T) {
	tests := []struct {
		name      string
		configure func(*MIP)
		contains  string
	}{
		{"bad schema", func(p *MIP) { p.Schema = "prometheus" }, `schema "prometheus" is not`},
		{"no host", func(p *MIP) { p.Schema = schemaCentreon }, "centreon_host is empty"},
		{"illegal host", func(p *MIP) { p.Schema = schemaCentreon; p.CentreonHost = "mip(prod)" }, "characters Centreon refuses"},
		{"measurement with underscore", func(p *MIP) { p.Schema = schemaBoth; p.CentreonHost = "h"; p.CentreonMeasurement = "mip_check" }, "without '_'"},
		{"empty service", func(p *MIP) { p.Schema = schemaCentreon; p.CentreonHost = "h"; p.CentreonService = "" }, "centreon_service is empty"},
		{"state twice", func(p *MIP) { p.Schema = schemaCentreon; p.CentreonHost = "h"; p.WarningStates = []string{"CRITICAL"} }, `critical_states: state "CRITICAL" is already in another list`},
		{"bad range", func(p *MIP) {
			p.Schema = schemaCentreon
			p.CentreonHost = "h"
			p.Thresholds = []Threshold{{Metric: "*", Warning: "20:10"}}
		}, "threshold 1 (*): warning: \"20:10\" starts after its end"},
		{"no range", func(p *MIP) {
			p.Schema = schemaCentreon
			p.CentreonHost = "h"
			p.Thresholds = []Threshold{{Metric: "*"}}
		}, "set warning, critical or both"},
		{"no metric", func(p *MIP) {
			p.Schema = schemaCentreon
			p.CentreonHost = "h"
			p.Thresholds = []Threshold{{Warning: "1"}}
		}, "is not a glob"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			requireInitRefuses(t, "https://mip.example.com", tt.configure, tt.contains)
		})
	}
}
