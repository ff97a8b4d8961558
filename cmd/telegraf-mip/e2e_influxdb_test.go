//go:build !windows

package main

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/telegraf-mip/telegraf-mip/dashboards"
	"github.com/telegraf-mip/telegraf-mip/internal/mipsim"
)

// TestTelegrafRestartToInfluxDB runs a real Telegraf writing to a real
// InfluxDB, restarts Telegraf while the simulator keeps recording runs, and
// checks that InfluxDB holds every run of the covered time exactly once.
func TestTelegrafRestartToInfluxDB(t *testing.T) {
	t.Parallel()

	// Robots that run every 1, 2 and 3 seconds, on the real clock.
	metrics := []mipsim.Metric{
		{Key: "m1", Alias: "Total", Unit: "ms"}, {Key: "m2", Alias: "Page size", Unit: "bytes"},
		{Key: "m3", Alias: "Throughput", Unit: "bps"}, {Key: "m4", Alias: "Requests", Unit: "requests"},
	}
	scenarios := []mipsim.Scenario{
		{ID: 1, Name: "fast", Application: "E2E", Frequency: time.Second, Metrics: metrics},
		{ID: 2, Name: "medium", Application: "E2E", Frequency: 2 * time.Second, Metrics: metrics},
		{ID: 3, Name: "slow", Frequency: 3 * time.Second, Metrics: metrics},
	}
	state := filepath.Join(t.TempDir(), "mip.state")
	rig := newRig(t, scenarios, rigOptions{plugin: []string{fmt.Sprintf("  state_file = %q", state)}})
	db := rig.db

	first := rig.startTelegraf(t)
	rig.waitForRunsAfter(t, first, time.Now().Add(3*time.Second))
	first.stop(t)

	// Down for a while: the robots keep running.
	down := time.Now()
	time.Sleep(4 * time.Second)

	second := rig.startTelegraf(t)
	rig.waitForRunsAfter(t, second, time.Now().Add(3*time.Second))
	second.stop(t)
	for _, tg := range []*telegrafProcess{first, second} {
		require.Empty(t, tg.execdErrors())
	}

	got := db.storedRuns(t)
	for _, sc := range scenarios {
		id := strconv.FormatInt(sc.ID, 10)
		ts := got[id]
		require.NotEmpty(t, ts, "scenario %s", id)
		// Exactly the simulator's runs from the first stored to the last: no
		// gap across the restart, and the downtime's runs backfilled.
		var want []time.Time
		for _, r := range mipsim.Runs(sc, ts[0].Add(-time.Nanosecond), ts[len(ts)-1]) {
			want = append(want, r.Time)
		}
		require.Equal(t, formatTimes(want), formatTimes(ts), "scenario %s", id)
		require.True(t, ts[0].Before(down) && ts[len(ts)-1].After(down.Add(4*time.Second)), "scenario %s: the series spans the restart", id)
	}

	// The metrics of the runs are stored too, with their tags and values.
	series := db.query(t, `SELECT count("value") FROM "mip_metric" GROUP BY "scenario_id", "metric", "unit"`)
	require.Len(t, series, len(scenarios)*len(metrics))
	for _, s := range series {
		count := s.Values[0][1]
		require.Equal(t, strconv.Itoa(len(got[s.Tags["scenario_id"]])), fmt.Sprint(count), "every run's metrics: %v", s.Tags)
	}
	for _, sc := range scenarios {
		ts := got[strconv.FormatInt(sc.ID, 10)]
		want := map[string]string{}
		for _, r := range mipsim.Runs(sc, ts[0].Add(-time.Nanosecond), ts[len(ts)-1]) {
			want[r.Time.Format(time.RFC3339Nano)] = fmt.Sprint(r.Metrics["m1"])
		}
		rows := db.query(t, fmt.Sprintf(`SELECT "value" FROM "mip_metric" WHERE "scenario_id" = '%d' AND "metric" = 'Total' AND "unit" = 'ms'`, sc.ID))
		require.Len(t, rows, 1)
		stored := map[string]string{}
		for i, at := range rows[0].times(t) {
			stored[at.Format(time.RFC3339Nano)] = fmt.Sprint(rows[0].Values[i][1])
		}
		require.Equal(t, want, stored, "scenario %d: the simulator's values", sc.ID)
	}

	// The Grafana dashboard's own queries run and find data, with "All"
	// selected. Which non-OK states the robots hit is up to chance: those
	// counts need only run.
	nonOK := regexp.MustCompile(`"status_code" (?:= [12]|>= 3)`)
	for _, q := range dashboards.Queries() {
		q = strings.NewReplacer(
			"$source", ".*", "$application", ".*", "$scenario", ".*",
			"$timeFilter", "time > now() - 1h", "$__interval", "5s",
		).Replace(q)
		rows := db.query(t, q)
		if !nonOK.MatchString(q) {
			require.NotEmpty(t, rows, "no data for the dashboard query %s", q)
		}
	}

	// A scenario without an application ("slow") stays selectable when an
	// application is: the Scenario list offers it, and the panels show it.
	for _, q := range dashboards.Queries() {
		q = strings.NewReplacer(
			"$source", ".*", "$application", "E2E", "$scenario", "slow",
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
		case strings.Contains(q, `"scenario" =~ /^slow$/`) && !nonOK.MatchString(q):
			require.NotEmpty(t, rows, "no data for the scenario without an application: %s", q)
		}
	}
}

func formatTimes(ts []time.Time) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.UTC().Format(time.RFC3339Nano)
	}
	return out
}
