//go:build !windows

package main

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/telegraf-mip/telegraf-mip/internal/mipsim"
)

// TestMIPOutageBeyondLookbackIsOneLine runs telegraf-mip -once with a
// state_file against 300 scenarios, then MIP fails for longer than a short
// lookback (a -once in the middle of the outage fails), then answers again:
// the runs that fell out of lookback are reported in one W! line for the
// gather, with the number of runs and of scenarios, not in a line per
// scenario; the runs within lookback are written.
func TestMIPOutageBeyondLookbackIsOneLine(t *testing.T) {
	t.Parallel()
	const (
		count     = 300
		frequency = 2 * time.Second
		lookback  = 10 * time.Second
	)
	scenarios := mipsim.Generate(count, 2, frequency)
	sim := mipsim.New(testKey, scenarios)
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	state := filepath.Join(t.TempDir(), "mip.state")
	// No bound on the points of a gather: -once counts on a gather a
	// minute, at which this load would be worth a sizing warning.
	conf := pluginConfig(t, srv.URL, "  state_file = "+strconv.Quote(state), `  lookback = "10s"`, "  max_points_per_gather = 0")

	before := runBinary(t, testKey, "-config", conf, "-once")
	require.Equal(t, 0, before.code, before.stderr)
	require.Empty(t, before.stderr)
	newest := map[string]time.Time{} // per scenario id, the run written before the outage
	for _, m := range parseLines(t, before.stdout) {
		if m.Name() == "mip_scenario" {
			id, _ := m.GetTag("scenario_id")
			newest[id] = m.Time()
		}
	}
	require.Len(t, newest, count)

	sim.SetOutage(http.StatusServiceUnavailable)
	start := time.Now()
	during := runBinary(t, testKey, "-config", conf, "-once")
	require.Equal(t, 1, during.code, during.stderr)
	require.Contains(t, during.stderr, "503 Service Unavailable")
	time.Sleep(lookback + 2*frequency - time.Since(start))
	sim.SetOutage(0)

	after := runBinary(t, testKey, "-config", conf, "-once")
	require.Equal(t, 0, after.code, after.stderr)
	var warnings []string
	for _, line := range strings.Split(after.stderr, "\n") {
		if strings.HasPrefix(line, "W! ") {
			warnings = append(warnings, line)
		}
	}
	require.Len(t, warnings, 1, "one warning for the gather:\n%s", after.stderr)
	m := regexp.MustCompile(`^W! about ([0-9]+) runs of ([0-9]+) scenarios between (\S+) and (\S+) are older than lookback \(10s\) and were lost`).
		FindStringSubmatch(warnings[0])
	require.NotNil(t, m, warnings[0])
	require.Equal(t, strconv.Itoa(count), m[2], "every scenario lost runs")

	// What was lost: per scenario, the runs between the one written before
	// the outage and the first written after it; the rest is written.
	written := map[string][]time.Time{}
	for _, p := range parseLines(t, after.stdout) {
		if p.Name() == "mip_scenario" {
			id, _ := p.GetTag("scenario_id")
			written[id] = append(written[id], p.Time())
		}
	}
	lost := 0
	for _, sc := range scenarios {
		id := strconv.FormatInt(sc.ID, 10)
		ts := written[id]
		require.NotEmpty(t, ts, "scenario %s: the runs within lookback are written", id)
		gap := len(runKeys(sc, newest[id], ts[0].Add(-time.Millisecond)))
		require.Positive(t, gap, "scenario %s: the outage outlasted lookback", id)
		lost += gap
		require.Equal(t, formatTimes(runKeys(sc, ts[0].Add(-time.Millisecond), ts[len(ts)-1])), formatTimes(ts),
			"scenario %s: every run from the first written on", id)
	}
	reported, err := strconv.Atoi(m[1])
	require.NoError(t, err)
	// The count is an estimate from each scenario's frequency: a run at
	// most either way per scenario.
	require.InDelta(t, lost, reported, count, "runs lost: %d counted, %d reported", lost, reported)
	t.Logf("%d runs of %d scenarios lost, reported as: %s", lost, count, warnings[0])
}

// runKeys returns the times of the runs of sc in (after, upTo] as MIP
// writes them, to the millisecond.
func runKeys(sc mipsim.Scenario, after, upTo time.Time) []time.Time {
	var out []time.Time
	for _, r := range mipsim.Runs(sc, after.Add(-time.Millisecond), upTo.Add(time.Millisecond)) {
		if at := r.Time.Truncate(time.Millisecond); at.After(after) && !at.After(upTo) {
			out = append(out, at)
		}
	}
	return out
}
