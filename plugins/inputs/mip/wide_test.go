package mip

import (
	"bytes"
	"fmt"
	"net/http"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/influxdata/telegraf"
	"github.com/influxdata/telegraf/testutil"
	"github.com/stretchr/testify/require"

	"github.com/telegraf-mip/telegraf-mip/internal/mipsim"
	"github.com/telegraf-mip/telegraf-mip/internal/output"
)

func wide(p *MIP) { p.MetricLayout = layoutWide }

// wideField is the documented name of a metric's field when no other
// metric takes it: <alias>_<unit>.
func wideField(alias, unit string) string {
	return floatField(joinParts(fieldPart(alias), fieldPart(unit)))
}

// runKey identifies a run's points: its scenario and time.
func runKey(m telegraf.Metric) string {
	id, _ := m.GetTag("scenario_id")
	return id + "@" + m.Time().UTC().Format(time.RFC3339Nano)
}

// TestWideHoldsEveryNarrowValue gathers the same simulator answer (an hour
// of runs of the demo scenarios and of generated ones) in both layouts:
// every run is one wide point, at the run's time, with the tags of its
// narrow mip_scenario point, and every value of the narrow layout is a
// field of it; mip_freshness is the same in both.
func TestWideHoldsEveryNarrowValue(t *testing.T) {
	now := at("2026-11-25T10:00:00Z")
	var body bytes.Buffer
	require.NoError(t, mipsim.WriteDetails(&body, append(mipsim.Demo(), mipsim.Generate(30, 6, time.Minute)...), now.Add(-time.Hour), now))
	srv := serve(t, func(w http.ResponseWriter, _ *http.Request) { writeBody(w, body.Bytes()) })
	layouts := map[string][]telegraf.Metric{}
	for _, layout := range []string{layoutNarrow, layoutWide} {
		p := newPlugin(t, srv.URL, func(p *MIP) {
			p.MetricLayout = layout
			p.FirstGather = firstGatherWindow
			p.MaxPointsPerGather = 0
		})
		p.now = func() time.Time { return now }
		got, err := gather(t, p)
		require.NoError(t, err)
		layouts[layout] = got
	}

	wideRuns := map[string]telegraf.Metric{}
	var wideFreshness []telegraf.Metric
	for _, m := range layouts[layoutWide] {
		switch m.Name() {
		case measurementScenario:
			require.NotContains(t, wideRuns, runKey(m), "one wide point per run")
			wideRuns[runKey(m)] = m
		case measurementFreshness:
			wideFreshness = append(wideFreshness, m)
		case measurementAPI:
		default:
			require.Failf(t, "the wide layout emits no "+m.Name(), "%v", m)
		}
	}
	narrowRuns, values := 0, 0
	var narrowFreshness []telegraf.Metric
	for _, m := range layouts[layoutNarrow] {
		if m.Name() == measurementFreshness {
			narrowFreshness = append(narrowFreshness, m)
		}
		if m.Name() != measurementScenario && m.Name() != measurementMetric && m.Name() != measurementFormattedMetric {
			continue
		}
		w, ok := wideRuns[runKey(m)]
		require.True(t, ok, "no wide point for the run of %v", m)
		var field string
		switch m.Name() {
		case measurementScenario:
			narrowRuns++
			require.Equal(t, m.Tags(), w.Tags(), "the tags of mip_scenario")
			for _, f := range m.FieldList() {
				require.Equal(t, f.Value, w.Fields()[f.Key], "%s of %v", f.Key, m)
				values++
			}
			continue
		case measurementMetric:
			name, _ := m.GetTag("metric")
			unit, _ := m.GetTag("unit")
			field = wideField(name, unit)
		case measurementFormattedMetric:
			name, _ := m.GetTag("metric")
			field = fieldPart(name)
			if _, ok := m.GetField("text"); ok {
				field += textSuffix
			}
		}
		require.Len(t, m.FieldList(), 1)
		require.Equal(t, m.FieldList()[0].Value, w.Fields()[field], "%s of %v", field, m)
		values++
	}
	require.Len(t, wideRuns, narrowRuns, "one wide point per run, no more")
	require.Equal(t, 12+12+6+4+12+30*60, narrowRuns, "an hour of runs")
	require.Greater(t, values, 10*narrowRuns)
	testutil.RequireMetricsEqual(t, narrowFreshness, wideFreshness, testutil.SortMetrics())
}

// TestWideFieldNames pins the field names of the wide layout where names
// meet: two aliases giving one name, aliases that are fixed fields, tags
// or time, units without letters, formatted metrics named like a metric or
// a fixed field, and formatted metrics that turn from numbers to texts
// from one run to the next.
func TestWideFieldNames(t *testing.T) {
	srv := serveFixture(t, "details_wide_names.json")
	p := newPlugin(t, srv.URL, wide, func(p *MIP) { p.FirstGather = firstGatherWindow })
	got, err := gather(t, p)
	require.NoError(t, err)
	tags := map[string]string{"source": srv.host(), "scenario_id": "77", "scenario": "names", "display_name": "Names", "application": "CRM"}
	metrics := func(v ...float64) map[string]any {
		names := []string{
			"step_1_home_page_ms", "step_1_home_page_a2_ms", "status_a3", "time_a4", "scenario_a5",
			"availability_percent", "cost_u20ac", "total", "reply_text_value", "étape_2_ms",
		}
		out := map[string]any{}
		for i, name := range names {
			out[name] = v[i]
		}
		return out
	}
	with := func(fields map[string]any, more map[string]any) map[string]any {
		for k, v := range more {
			fields[k] = v
		}
		return fields
	}
	want := []telegraf.Metric{
		testutil.MustMetric("mip_scenario", tags, with(metrics(1, 2, 3, 4, 5, 99.5, 7, 8, 9, 10), map[string]any{
			"status": "OK", "status_code": int64(0), "api_version": "6.4.90",
			"comment_text": "fine", "note_text_value": 13.0, "result": 12.0, "total_formatted": 11.0, "status_formatted": 14.0,
		}), at("2026-11-25T09:50:00Z")),
		testutil.MustMetric("mip_scenario", tags, with(metrics(21, 22, 23, 24, 25, 98, 27, 28, 29, 30), map[string]any{
			"status": "WARNING", "status_code": int64(1),
			"comment": 0.5, "note_text_text": "x", "note_text": "y", "result": 15.0, "result_text": "timeout", "total_text": "n/a", "status_text": "true",
		}), at("2026-11-25T09:55:00Z")),
	}
	testutil.RequireMetricsEqual(t, want, runPointsOnly(got), testutil.SortMetrics())
	requireStableTypes(t, got)
}

// requireStableTypes checks that each field name has one type in all the
// points: InfluxDB refuses a point whose field changed type.
func requireStableTypes(t *testing.T, points []telegraf.Metric) {
	t.Helper()
	types := map[string]reflect.Type{}
	for _, m := range points {
		for _, f := range m.FieldList() {
			key := m.Name() + "." + f.Key
			if seen, ok := types[key]; ok {
				require.Equal(t, seen, reflect.TypeOf(f.Value), "the type of %s", key)
			}
			types[key] = reflect.TypeOf(f.Value)
			if strings.HasSuffix(f.Key, textSuffix) {
				require.IsType(t, "", f.Value, "%s is a text", key)
			}
		}
	}
}

func TestFieldPart(t *testing.T) {
	for in, want := range map[string]string{
		"ms": "ms", "Step 1 - Home page": "step_1_home_page", "  Page   size  ": "page_size", "99%": "99_percent",
		"%CPU": "percent_cpu", "req/s": "req_s", "Étape": "étape", "€": "u20ac", " → ": "u2192", "__a__b__": "a_b",
		"a_b": "a_b", "": "", "HTTP status": "http_status",
	} {
		require.Equal(t, want, fieldPart(in), "%q", in)
	}
}

// TestWidePointTooLongIsSplit makes a run whose fields would not fit in one
// line inputs.execd reads: they are spread over points of the same series
// and time, each within the bound, and all counted; a text too long for
// any point is reported, the other fields written.
func TestWidePointTooLongIsSplit(t *testing.T) {
	var info, metrics strings.Builder
	for i := range 400 {
		sep := ","
		if i == 0 {
			sep = ""
		}
		fmt.Fprintf(&info, `%s"k%03d": {"alias": "A rather long step name for step number %03d", "unit": "ms"}`, sep, i, i)
		fmt.Fprintf(&metrics, `%s"k%03d": %d`, sep, i, i)
	}
	body := fmt.Sprintf(`{"results": [{"measure": {"id": 5, "name": "long", "frequency": 300},
		"metricInfo": {%s}, "results": {"2026-11-25T09:55:00Z": {"state": {"type": "OK"}, "metrics": {%s},
		"formatedMetrics": {"Big": %q}}}}]}`, info.String(), metrics.String(), strings.Repeat("x", 200*1024))
	srv := serve(t, func(w http.ResponseWriter, _ *http.Request) { writeBody(w, []byte(body)) })
	p := newPlugin(t, srv.URL, wide)
	got, err := gather(t, p)
	require.ErrorContains(t, err, `scenario id 5, run 2026-11-25T09:55:00Z: mip_scenario "big_text" not emitted: the point would be over 32768 bytes`)
	runs := runPointsOnly(got)
	require.Greater(t, len(runs), 1)
	fields := 0
	for _, m := range runs {
		require.Equal(t, at("2026-11-25T09:55:00Z"), m.Time())
		require.NoError(t, output.CheckPoint(m))
		fields += len(m.FieldList())
	}
	require.Equal(t, 400+2, fields, "every metric, status and status_code")
	api := got[len(got)-1]
	require.Equal(t, "mip_api", api.Name())
	points, _ := api.GetField("points")
	require.Equal(t, int64(len(got)-1), points)
}

// TestWideLayoutBudget checks that a wide run counts as one point in
// max_points_per_gather: a window of 60 runs of 10 scenarios is 600 points,
// written by one gather of 700 (the narrow layout's 4,800 would take 7).
func TestWideLayoutBudget(t *testing.T) {
	now := at("2026-11-25T10:00:00Z")
	var body bytes.Buffer
	require.NoError(t, mipsim.WriteDetails(&body, mipsim.Generate(10, 6, time.Minute), now.Add(-time.Hour), now))
	srv := serve(t, func(w http.ResponseWriter, _ *http.Request) { writeBody(w, body.Bytes()) })
	p := newPlugin(t, srv.URL, wide, func(p *MIP) {
		p.FirstGather = firstGatherWindow
		p.MaxPointsPerGather = 700
	})
	p.now = func() time.Time { return now }
	got, err := gather(t, p)
	require.NoError(t, err)
	require.Len(t, runPointsOnly(got), 600)
	require.False(t, p.behind(), "nothing left for a catch-up gather")
}

func TestInitRefusesBadLayout(t *testing.T) {
	requireInitRefuses(t, "http://mip.example.com", func(p *MIP) { p.MetricLayout = "tall" }, `metric_layout "tall" is not "narrow" or "wide"`)
	requireInitRefuses(t, "http://mip.example.com", func(p *MIP) {
		p.MetricLayout = layoutWide
		p.Schema = schemaCentreon
		p.CentreonHost = "h"
	}, `schema = "centreon" emits none`)
}

// TestLayoutsShareAStateFile runs a narrow and a wide plugin of the same
// configuration on one state file, as two blocks side by side during a
// migration: each keeps its own progress, so that neither takes the
// other's runs for its own.
func TestLayoutsShareAStateFile(t *testing.T) {
	srv := serveFixture(t, "details_basic.json")
	state := filepath.Join(t.TempDir(), "mip.state")
	narrow := newPlugin(t, srv.URL, func(p *MIP) { p.StateFile = state })
	_, err := gather(t, narrow)
	require.NoError(t, err)
	w := newPlugin(t, srv.URL, wide, func(p *MIP) { p.StateFile = state })
	got, err := gather(t, w)
	require.NoError(t, err)
	require.NotEmpty(t, runPointsOnly(got), "the wide plugin writes the runs the narrow one wrote")
	require.NotEqual(t, narrow.instanceKey(), w.instanceKey())
}
