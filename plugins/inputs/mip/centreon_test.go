package mip

import (
	"fmt"
	"math"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/influxdata/telegraf"
	"github.com/influxdata/telegraf/testutil"
	"github.com/stretchr/testify/require"

	"github.com/telegraf-mip/telegraf-mip/internal/mipapi"
)

// centreon configures the Centreon schema for the host "mip-host".
func centreon(p *MIP) {
	p.Schema = schemaCentreon
	p.CentreonHost = "mip-host"
}

// check is the expected state and perfdata points of one Centreon check.
func check(service string, state int64, at string, perfdata ...telegraf.Metric) []telegraf.Metric {
	t := testutil.MustMetric("mip", map[string]string{"host": "mip-host", "service": service}, map[string]any{"state": state}, atTime(at))
	return append([]telegraf.Metric{t}, perfdata...)
}

func atTime(s string) time.Time { return at(s) }

func perf(service, label, unit string, value float64, at string) telegraf.Metric {
	tags := map[string]string{"host": "mip-host", "service": service, "perfdata": label}
	if unit != "" {
		tags["unit"] = unit
	}
	return testutil.MustMetric("mip", tags, map[string]any{"value": value}, atTime(at))
}

func TestCentreonShape(t *testing.T) {
	srv := serveFixture(t, "details_basic.json")
	got, err := gather(t, newPlugin(t, srv.URL, centreon))
	require.NoError(t, err)

	crm, intranet, erp := "2026-11-25T09:55:00Z", "2026-11-25T09:52:30Z", "2026-11-25T09:45:00Z"
	var expected []telegraf.Metric
	expected = append(expected, check("crm_login", 0, crm,
		perf("crm_login", "'crm_login~Step 1 - Home page#scenario.metric.usage.milliseconds'", "ms", 1234.5, crm),
		perf("crm_login", "'crm_login~Page size#scenario.metric.usage.bytes'", "bytes", 456789, crm),
		perf("crm_login", "'crm_login~Throughput#scenario.metric.usage.bitspersecond'", "bps", 1200.25, crm),
		perf("crm_login", "'crm_login~Requests#scenario.metric.usage.requests'", "requests", 42, crm),
		perf("crm_login", "'crm_login~HTTP status#scenario.metric.usage.count'", "status", 200, crm),
		perf("crm_login", "'crm_login~Temps total#scenario.formatted_metric.usage.count'", "", 1234.5, crm),
	)...)
	expected = append(expected, check("intranet_home", 1, intranet,
		perf("intranet_home", "'intranet_home~Launch#scenario.metric.usage.milliseconds'", "ms", 2500, intranet),
	)...)
	// DOWNTIME matches no status rule: OK, as with the Centreon plugin.
	expected = append(expected, check("erp_desktop", 0, erp,
		perf("erp_desktop", "'erp_desktop~Open customer file#scenario.metric.usage.milliseconds'", "ms", 15000, erp),
	)...)
	// No mip_api or mip_freshness: without host and service they would be
	// noise in Centreon.
	testutil.RequireMetricsEqual(t, expected, got, testutil.SortMetrics())
	requireSerializable(t, got)
}

func TestCentreonBothSchemas(t *testing.T) {
	srv := serveFixture(t, "details_basic.json")
	got, err := gather(t, newPlugin(t, srv.URL, centreon, func(p *MIP) { p.Schema = schemaBoth }))
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
		{name: "a state containing critical", state: "CRITICAL_TIMEOUT", expected: 2},
		{name: "a state containing warning", state: "Warning_Slow", expected: 1},
		{name: "critical is checked before warning", state: "WARNING_THEN_CRITICAL", expected: 2},
		{name: "warning is checked before unknown", state: "unknown warning", expected: 1},
		{name: "no rule matches", state: "DOWNTIME", expected: 0},
		{name: "no state", state: "", expected: 0},
		{name: "custom rules", state: "DOWNTIME", configure: func(p *MIP) { p.WarningStates = []string{"warning", "^down"} }, expected: 1},
		{name: "anchored rule", state: "CRITICAL_TIMEOUT", configure: func(p *MIP) { p.CriticalStates = []string{"^critical$"} }, expected: 0},
		{name: "rule turned off", state: "CRITICAL", configure: func(p *MIP) { p.CriticalStates = nil }, expected: 0},
		{name: "a state in two rules takes the first", state: "TIMEOUT", configure: func(p *MIP) {
			p.CriticalStates, p.UnknownStates = []string{"timeout"}, []string{"timeout"}
		}, expected: 2},
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
			srv := serve(t, func(w http.ResponseWriter, _ *http.Request) {
				if _, err := w.Write([]byte(body)); err != nil {
					t.Error(err)
				}
			})
			configure := []func(*MIP){centreon}
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
	m := &mipapi.Measure{ID: "42", Name: "login", DisplayName: `Login "portal", step=1`,
		Scenario: &mipapi.Scenario{Application: &mipapi.Application{Name: "CRM"}}}
	require.Equal(t, `CRM / Login _portal__ step_1 _42_ login`, c.serviceName(m))
	c.service = "%{name}"
	require.Equal(t, "fallback", c.serviceName(&mipapi.Measure{ID: "1", Scenario: &mipapi.Scenario{Name: "fallback"}}),
		"the scenario name when the measure has none")
	c.service = "%{app_name} %{name}"
	require.Equal(t, "- intranet", c.serviceName(&mipapi.Measure{ID: "2", Name: "intranet"}), `"-" without an application, as discovery lists it`)
}

func TestCentreonInstanceNames(t *testing.T) {
	m := &mipapi.Measure{ID: "42", Name: "login", DisplayName: `Login "portal", step=1`,
		Scenario: &mipapi.Scenario{Application: &mipapi.Application{Name: "CRM"}}}
	for template, expected := range map[string]string{
		"%{name}":                 "login",
		"%{app_name}/%{id}":       "CRM/42",
		"%{display_name}":         `Login "portal", step=1`, // a label, not an object name: kept as is
		"MIP %{name} %{name}":     "MIP login login",
		"no placeholder":          "no placeholder",
		"%{app_name}-%{name}-app": "CRM-login-app",
	} {
		c := &centreonConfig{instance: template}
		require.Equal(t, expected, c.instanceName(m), template)
	}
	c := &centreonConfig{instance: "%{app_name}~%{name}"}
	require.Equal(t, "-~intranet", c.instanceName(&mipapi.Measure{ID: "2", Name: "intranet"}))
}

func TestPerfdataLabelQuoting(t *testing.T) {
	for in, out := range map[string]string{
		"s~Throughput#scenario.metric.usage.bitspersecond": "'s~Throughput#scenario.metric.usage.bitspersecond'",
		"Temps total#x":   "'Temps total#x'",
		"a=b":             "'a=b'",
		"two\nlines\tx":   "'two lines x'",
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
		{"bad status rule", func(p *MIP) {
			p.Schema = schemaCentreon
			p.CentreonHost = "h"
			p.WarningStates = []string{"warn(ing"}
		}, `warning_states: "warn(ing" is not a regular expression`},
		{"empty instance", func(p *MIP) { p.Schema = schemaCentreon; p.CentreonHost = "h"; p.CentreonInstance = "" }, "centreon_instance is empty"},
		{"unknown placeholder", func(p *MIP) {
			p.Schema = schemaCentreon
			p.CentreonHost = "h"
			p.CentreonInstance = "%{app}"
		}, "centreon_instance: %{app} is not one of"},
		{"unknown placeholder in service", func(p *MIP) {
			p.Schema = schemaCentreon
			p.CentreonHost = "h"
			p.CentreonService = "%{names}"
		}, "centreon_service: %{names} is not one of"},
		{"negative stale runs", func(p *MIP) { p.Schema = schemaCentreon; p.CentreonHost = "h"; p.CentreonStaleRuns = -1 }, "centreon_stale_runs must be 0"},
		{"bad stale state", func(p *MIP) {
			p.Schema = schemaCentreon
			p.CentreonHost = "h"
			p.CentreonStaleState = "down"
		}, `centreon_stale_state "down" is not`},
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

// TestCentreonMatchesPerlPlugin compares each scenario's check with what the
// Centreon plugin (centreon-plugins, apps::monitoring::mip::restapi, run
// with --mode=scenarios --filter-id=^<id>$ against the same response, some
// runs with --display-instance or status options, set here as the README's
// migration table says) printed: testdata/centreon_perl_scenarios.txt, made by
// scripts/centreon-goldens.sh. The state is its exit
// code; the perfdata are the same labels, values and units, except the
// formatted metrics whose value is text, which Centreon cannot graph.
func TestCentreonMatchesPerlPlugin(t *testing.T) {
	golden := perlChecks(t, string(readFixture(t, "centreon_perl_scenarios.txt")))
	require.Len(t, golden, 9)
	srv := serveFixture(t, "details_centreon.json")
	for _, perl := range golden {
		t.Run(perl.command, func(t *testing.T) {
			id, err := strconv.ParseInt(perl.id, 10, 64)
			require.NoError(t, err)
			got, err := gather(t, newPlugin(t, srv.URL, centreon, func(p *MIP) {
				p.ScenarioIDs = []int64{id}
				migrate(t, p, perl.options)
			}))
			require.NoError(t, err)
			require.NotEmpty(t, got)
			state, _ := got[0].GetField("state")
			require.Equal(t, perl.exit, state, perl.output)
			var perfdata []string
			for _, m := range got[1:] {
				perfdata = append(perfdata, perfdataOf(m))
			}
			slices.Sort(perfdata)
			require.Equal(t, perl.perfdata, perfdata, perl.output)
		})
	}
}

type perlCheck struct {
	command  string
	id       string
	options  map[string]string // the options after --filter-id
	output   string
	exit     int64
	perfdata []string // 'label'=value<unit>;warn;crit;min;max, sorted
}

// perlChecks reads the transcript of the Centreon plugin's runs: a "$"
// command line (other options after --filter-id), the plugin's output line,
// "exit <code>".
func perlChecks(t *testing.T, transcript string) []perlCheck {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(transcript), "\n")
	require.Zero(t, len(lines)%3, "command, output, exit")
	var checks []perlCheck
	for i := 0; i < len(lines); i += 3 {
		_, command, ok := strings.Cut(lines[i], "--mode=scenarios ")
		require.True(t, ok, lines[i])
		options := strings.Split(command, " --")
		id, ok := strings.CutPrefix(options[0], "--filter-id=^")
		require.True(t, ok, lines[i])
		c := perlCheck{command: command, id: strings.TrimSuffix(id, "$"), options: map[string]string{}, output: lines[i+1]}
		for _, o := range options[1:] {
			name, value, _ := strings.Cut(o, "=")
			c.options[name] = value
		}
		exit, err := strconv.ParseInt(strings.TrimPrefix(lines[i+2], "exit "), 10, 64)
		require.NoError(t, err, lines[i+2])
		c.exit = exit
		_, perfdata, _ := strings.Cut(c.output, " | ")
		for perfdata != "" {
			var label string
			if rest, quoted := strings.CutPrefix(perfdata, "'"); quoted {
				for {
					j := strings.IndexByte(rest, '\'')
					require.GreaterOrEqual(t, j, 0, perfdata)
					label += rest[:j]
					if rest = rest[j+1:]; !strings.HasPrefix(rest, "'") {
						break
					}
					label, rest = label+"'", rest[1:]
				}
				perfdata = rest
			} else {
				j := strings.IndexByte(perfdata, '=')
				label, perfdata = perfdata[:j], perfdata[j:]
			}
			// =value[unit];warn;crit;min;max, the value possibly text with spaces
			fields := strings.SplitN(strings.TrimPrefix(perfdata, "="), ";", 5)
			require.Len(t, fields, 5, perfdata)
			maximum, rest, _ := strings.Cut(fields[4], " ")
			perfdata = rest
			number := strings.TrimRight(fields[0], "abcdefghijklmnopqrstuvwxyz%/")
			if _, err := strconv.ParseFloat(number, 64); err != nil {
				continue // a text formatted metric
			}
			// Quoted again, as the plugin prints every label.
			label = "'" + strings.ReplaceAll(label, "'", "''") + "'"
			c.perfdata = append(c.perfdata, fmt.Sprintf("%s=%s;%s;%s;%s;%s", label, fields[0], fields[1], fields[2], fields[3], maximum))
		}
		slices.Sort(c.perfdata)
		checks = append(checks, c)
	}
	return checks
}

// migrate sets p as the README's migration table maps the Centreon
// plugin's options.
func migrate(t *testing.T, p *MIP, options map[string]string) {
	t.Helper()
	rule := regexp.MustCompile(`^%\{status\} =~ /(.*)/i$`)
	patterns := func(name, value string) []string {
		var out []string
		for _, expression := range strings.Split(value, " || ") {
			if expression == "" {
				continue
			}
			m := rule.FindStringSubmatch(expression)
			require.NotNil(t, m, "--%s=%s has no equivalent", name, value)
			out = append(out, m[1])
		}
		return out
	}
	for name, value := range options {
		switch name {
		case "display-instance":
			p.CentreonInstance = value
		case "critical-status":
			p.CriticalStates = patterns(name, value)
		case "warning-status":
			p.WarningStates = patterns(name, value)
		case "unknown-status":
			p.UnknownStates = patterns(name, value)
		default:
			t.Fatalf("no mapping for --%s", name)
		}
	}
}

// perfdataOf writes a perfdata point as the Centreon plugin prints it.
func perfdataOf(m telegraf.Metric) string {
	label, _ := m.GetTag("perfdata")
	unit, _ := m.GetTag("unit")
	field := func(name string) string {
		if v, ok := m.GetField(name); ok {
			return strconv.FormatFloat(v.(float64), 'f', -1, 64)
		}
		return ""
	}
	return fmt.Sprintf("%s=%s%s;%s;%s;%s;%s", label, field("value"), unit, field("warning_gt"), field("critical_gt"), field("min"), field("max"))
}

func TestCentreonStaleCheck(t *testing.T) {
	const newest = `{"2026-11-25T09:55:00Z": {"state": {"type": "OK"}, "metrics": {}}}`
	stale := func(state int64, now string, age float64) []telegraf.Metric {
		return []telegraf.Metric{
			testutil.MustMetric("mip", map[string]string{"host": "mip-host", "service": "s"}, map[string]any{"state": state}, at(now)),
			testutil.MustMetric("mip",
				map[string]string{"host": "mip-host", "service": "s", "perfdata": "'s~newest_run#scenario.run.age.seconds'", "unit": "s"},
				map[string]any{"value": age}, at(now)),
		}
	}
	tests := []struct {
		name      string
		measure   string // the measure's frequency and timeout
		runs      string
		now       string
		configure func(*MIP)
		expected  []telegraf.Metric // the points at gather time
	}{
		{name: "fresh", measure: `"frequency": 300, "timeout": 60`, runs: newest, now: "2026-11-25T10:00:00Z"},
		{name: "at the limit: 3 frequencies plus the timeout", measure: `"frequency": 300, "timeout": 60`, runs: newest, now: "2026-11-25T10:11:00Z"},
		{
			name: "past the limit", measure: `"frequency": 300, "timeout": 60`, runs: newest, now: "2026-11-25T10:11:01Z",
			expected: stale(statusUnknown, "2026-11-25T10:11:01Z", 961),
		},
		{
			name: "without a timeout", measure: `"frequency": 300`, runs: newest, now: "2026-11-25T10:10:01Z",
			expected: stale(statusUnknown, "2026-11-25T10:10:01Z", 901),
		},
		{
			name: "state and multiple configured", measure: `"frequency": 300, "timeout": 60`, runs: newest, now: "2026-11-25T10:05:00Z",
			configure: func(p *MIP) { p.CentreonStaleRuns, p.CentreonStaleState = 1, "critical" },
			expected:  stale(statusCritical, "2026-11-25T10:05:00Z", 600),
		},
		{name: "turned off", measure: `"frequency": 300`, runs: newest, now: "2026-11-26T10:00:00Z", configure: func(p *MIP) { p.CentreonStaleRuns = 0 }},
		{name: "no frequency", measure: `"timeout": 60`, runs: newest, now: "2026-11-26T10:00:00Z"},
		{
			name: "no run in the window: at least the window", measure: `"frequency": 300, "timeout": 60`, runs: `{}`, now: "2026-11-25T10:00:00Z",
			expected: stale(statusUnknown, "2026-11-25T10:00:00Z", 3600),
		},
		{name: "no run in a window shorter than the limit", measure: `"frequency": 3600`, runs: `{}`, now: "2026-11-25T10:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := `{"results": [{"measure": {"id": 1, "name": "s", ` + tt.measure + `}, "metricInfo": {}, "results": ` + tt.runs + `}]}`
			srv := serve(t, func(w http.ResponseWriter, _ *http.Request) {
				if _, err := w.Write([]byte(body)); err != nil {
					t.Error(err)
				}
			})
			configure := []func(*MIP){centreon}
			if tt.configure != nil {
				configure = append(configure, tt.configure)
			}
			p := newPlugin(t, srv.URL, configure...)
			p.now = func() time.Time { return at(tt.now) }
			got, err := gather(t, p)
			require.NoError(t, err)
			var atGather []telegraf.Metric
			for _, m := range got {
				if m.Time().Equal(at(tt.now)) {
					atGather = append(atGather, m)
				}
			}
			testutil.RequireMetricsEqual(t, tt.expected, atGather)
			requireSerializable(t, got)
		})
	}
}

// TestCentreonStaleUntilARunArrives follows one scenario over gathers: a
// stale result at each gather while no run comes, none once one has.
func TestCentreonStaleUntilARunArrives(t *testing.T) {
	runs := `{"2026-11-25T09:55:00Z": {"state": {"type": "OK"}, "metrics": {}}}`
	srv := serve(t, func(w http.ResponseWriter, _ *http.Request) {
		body := `{"results": [{"measure": {"id": 1, "name": "s", "frequency": 300, "timeout": 60}, "metricInfo": {}, "results": ` + runs + `}]}`
		if _, err := w.Write([]byte(body)); err != nil {
			t.Error(err)
		}
	})
	p := newPlugin(t, srv.URL, centreon)
	states := func(now string) []int64 {
		p.now = func() time.Time { return at(now) }
		got, err := gather(t, p)
		require.NoError(t, err)
		var out []int64
		for _, m := range got {
			if v, ok := m.GetField("state"); ok {
				out = append(out, v.(int64))
			}
		}
		return out
	}
	require.Equal(t, []int64{statusOK}, states("2026-11-25T10:00:00Z"), "the run")
	require.Empty(t, states("2026-11-25T10:10:00Z"), "late, not yet stale")
	require.Equal(t, []int64{statusUnknown}, states("2026-11-25T10:12:00Z"))
	require.Equal(t, []int64{statusUnknown}, states("2026-11-25T10:13:00Z"), "once per gather")
	runs = `{"2026-11-25T10:13:30Z": {"state": {"type": "OK"}, "metrics": {}}}`
	require.Equal(t, []int64{statusOK}, states("2026-11-25T10:14:00Z"), "the new run, no stale result")
}
