//go:build !windows

package main

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/telegraf-mip/telegraf-mip/dashboards"
	"github.com/telegraf-mip/telegraf-mip/internal/mipsim"
)

// TestWideLayoutToInfluxDB runs the plugin with metric_layout = "wide"
// through a real Telegraf into a real InfluxDB: each run is one
// mip_scenario point holding the simulator's values as <alias>_<unit>
// fields, a scenario is two series (mip_scenario and mip_freshness), and
// the wide dashboard's queries find the data, "All" selected or a scenario
// without an application.
func TestWideLayoutToInfluxDB(t *testing.T) {
	t.Parallel()
	metrics := []mipsim.Metric{
		{Key: "m1", Alias: "Step 1 - Home page", Unit: "ms"}, {Key: "m2", Alias: "Page size", Unit: "bytes"},
		{Key: "m3", Alias: "Throughput", Unit: "bps"}, {Key: "m4", Alias: "Requests", Unit: "requests"},
	}
	scenarios := []mipsim.Scenario{
		{ID: 1, Name: "fast", Application: "E2E", Frequency: time.Second, Metrics: metrics, Formatted: []string{"Temps total"}},
		{ID: 2, Name: "medium", Application: "E2E", Frequency: 2 * time.Second, Metrics: metrics},
		{ID: 3, Name: "slow", Frequency: 3 * time.Second, Metrics: metrics},
	}
	rig := newRig(t, scenarios, rigOptions{plugin: []string{`  metric_layout = "wide"`}})
	db := rig.db
	tg := rig.startTelegraf(t)
	rig.waitForRunsAfter(t, tg, time.Now().Add(4*time.Second))
	tg.stop(t)
	require.Empty(t, tg.execdErrors())

	require.Empty(t, db.query(t, `SHOW MEASUREMENTS WITH MEASUREMENT =~ /^mip_(metric|formatted_metric)$/`), "no narrow point")
	series := db.query(t, `SHOW SERIES`)
	require.Len(t, series, 1)
	require.Len(t, series[0].Values, 2*len(scenarios)+1, "mip_scenario and mip_freshness per scenario, and mip_api: %v", series[0].Values)

	stored := db.storedRuns(t)
	for _, sc := range scenarios {
		ts := stored[strconv.FormatInt(sc.ID, 10)]
		require.NotEmpty(t, ts)
		want := map[string]string{}
		for _, r := range mipsim.Runs(sc, ts[0].Add(-time.Nanosecond), ts[len(ts)-1]) {
			// As InfluxDB's JSON writes them: no exponent below 1e21.
			f := func(name string) string { return strconv.FormatFloat(r.Metrics[name], 'f', -1, 64) }
			want[r.Time.Format(time.RFC3339Nano)] = strings.Join([]string{f("m1"), f("m2"), f("m3"), f("m4")}, " ")
		}
		rows := db.query(t, fmt.Sprintf(`SELECT "step_1_home_page_ms", "page_size_bytes", "throughput_bps", "requests_requests" `+
			`FROM "mip_scenario" WHERE "scenario_id" = '%d'`, sc.ID))
		require.Len(t, rows, 1)
		got := map[string]string{}
		for i, at := range rows[0].times(t) {
			v := rows[0].Values[i]
			got[at.Format(time.RFC3339Nano)] = fmt.Sprintf("%v %v %v %v", v[1], v[2], v[3], v[4])
		}
		require.Equal(t, want, got, "scenario %d: every run, the simulator's values", sc.ID)
	}
	total := db.query(t, `SELECT count("temps_total") FROM "mip_scenario" WHERE "scenario" = 'fast'`)
	require.Equal(t, strconv.Itoa(len(stored["1"])), fmt.Sprint(total[0].Values[0][1]), "the formatted metric of every run")

	nonOK := regexp.MustCompile(`"status_code" (?:= [12]|>= 3)`)
	unitFields := map[string][]string{
		"/_ms$/": {"mean_step_1_home_page_ms"}, "/_bytes$/": {"mean_page_size_bytes"},
		"/_bps$/": {"mean_throughput_bps"}, "/_requests$/": {"mean_requests_requests"},
	}
	for _, sel := range []struct{ application, scenario string }{{".*", ".*"}, {"E2E", "slow"}} {
		for _, q := range dashboards.WideQueries() {
			q = strings.NewReplacer(
				"$source", ".*", "$application", sel.application, "$scenario", sel.scenario,
				"$timeFilter", "time > now() - 1h", "$__interval", "5s",
			).Replace(q)
			rows := db.query(t, q)
			switch {
			case strings.Contains(q, `WITH KEY = "scenario"`):
				var offered []string
				for _, s := range rows {
					for _, v := range s.Values {
						offered = append(offered, fmt.Sprint(v[1]))
					}
				}
				require.ElementsMatch(t, []string{"fast", "medium", "slow"}, offered, q)
			case !nonOK.MatchString(q):
				require.NotEmpty(t, rows, "no data for the dashboard query %s", q)
			}
			for re, columns := range unitFields {
				if strings.Contains(q, "mean("+re+")") {
					require.Equal(t, append([]string{"time"}, columns...), rows[0].Columns, q)
					if sel.scenario == "slow" {
						require.Len(t, rows, 1, q)
						require.Equal(t, "slow", rows[0].Tags["scenario"], q)
					}
				}
			}
		}
	}
}
