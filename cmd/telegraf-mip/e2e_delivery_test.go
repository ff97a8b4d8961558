//go:build !windows

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/telegraf-mip/telegraf-mip/internal/mipsim"
)

// count returns the single number an InfluxQL count query answers, 0 when
// there is no data.
func (db *influxDB) count(t testing.TB, q string) int64 {
	t.Helper()
	rows := db.query(t, q)
	if len(rows) == 0 {
		return 0
	}
	n, err := rows[0].Values[0][1].(json.Number).Int64()
	require.NoError(t, err)
	return n
}

// requireNoBufferOverflow checks Telegraf's log for the line it writes when
// its output buffer drops points.
func requireNoBufferOverflow(t testing.TB, tg *telegrafProcess) {
	t.Helper()
	for _, line := range strings.Split(tg.stderr.String(), "\n") {
		require.NotContains(t, line, "buffer overflow", "Telegraf dropped points")
	}
}

// TestBackfillBurstReachesInfluxDB is the burst of a one-hour backfill,
// first_gather = "window" at 300 scenarios × 60 runs (144,000 run points),
// through a real Telegraf with its default metric_buffer_limit (10,000),
// metric_batch_size and flush_interval into a real InfluxDB: every run the
// simulator served is stored, once, and Telegraf drops nothing.
func TestBackfillBurstReachesInfluxDB(t *testing.T) {
	t.Parallel()
	now := time.Now().Truncate(time.Second)
	scenarios := mipsim.Generate(300, 6, time.Minute)
	state := filepath.Join(t.TempDir(), "mip.state")
	// A catch-up gather a second after the last: Telegraf's defaults drain
	// 5,000 points from a local InfluxDB well within that.
	rig := newRig(t, scenarios, rigOptions{
		plugin: []string{`  first_gather = "window"`, fmt.Sprintf("  state_file = %q", state)},
		args:   []string{"-catch_up_interval", "1s"},
		clock:  func() time.Time { return now },
	})
	sim, db := rig.sim, rig.db
	tg := rig.startTelegraf(t)

	total := 0
	for _, sc := range scenarios {
		total += len(mipsim.Runs(sc, now.Add(-time.Hour), now))
	}
	require.Equal(t, 300*60, total)
	var count int64
	rig.waitWhileStoring(t, tg, "every run of the window", func() bool {
		count = rig.storedCount(t)
		return count >= int64(total)
	})
	tg.stop(t)

	requireNoBufferOverflow(t, tg)
	require.Empty(t, tg.execdErrors())
	require.Contains(t, tg.stderr.String(), "backfill: wrote ", "the plugin logged its progress")
	// The first answer held the hour of lookback; later ones, asked with a
	// margin, may hold older runs that first_gather = "window" leaves out.
	served := sim.Served()
	stored := db.storedRuns(t)
	for _, sc := range scenarios {
		id := strconv.FormatInt(sc.ID, 10)
		var first []time.Time
		for _, r := range mipsim.Runs(sc, now.Add(-time.Hour), now) {
			first = append(first, r.Time)
		}
		require.Equal(t, formatTimes(first), formatTimes(stored[id]), "scenario %s", id)
		require.Subset(t, formatTimes(served[sc.ID]), formatTimes(first), "scenario %s", id)
	}
	require.Equal(t, int64(total), count, "runs stored; telegraf log:\n%s", tg.stderr)
	require.Equal(t, int64(total*6), db.count(t, `SELECT count("value") FROM "mip_metric"`), "every metric of every run")
}

// TestUncleanStopsLoseNoRun kills Telegraf with SIGKILL at two moments of its
// 10 s flush cycle (its default), restarting it each time, then kills the
// plugin under inputs.execd, which restarts it: with state_file, InfluxDB
// ends up holding every run of the covered time, once.
func TestUncleanStopsLoseNoRun(t *testing.T) {
	t.Parallel()
	metrics := []mipsim.Metric{{Key: "m1", Alias: "Total", Unit: "ms"}, {Key: "m2", Alias: "Page size", Unit: "bytes"}}
	scenarios := []mipsim.Scenario{
		{ID: 1, Name: "fast", Frequency: time.Second, Metrics: metrics},
		{ID: 2, Name: "medium", Frequency: 2 * time.Second, Metrics: metrics},
		{ID: 3, Name: "slow", Frequency: 3 * time.Second, Metrics: metrics},
	}
	state := filepath.Join(t.TempDir(), "mip.state")
	rig := newRig(t, scenarios, rigOptions{plugin: []string{fmt.Sprintf("  state_file = %q", state)}})

	// Killed 4 s, then 9 s after a flush: what Telegraf held is lost with it.
	for _, sinceFlush := range []time.Duration{4 * time.Second, 9 * time.Second} {
		tg := rig.startTelegraf(t)
		rig.waitForRunsAfter(t, tg, time.Now())
		time.Sleep(sinceFlush)
		child := childOf(t, tg.cmd.Process.Pid)
		require.NoError(t, tg.cmd.Process.Kill())
		<-tg.done
		waitGone(t, child) // the plugin stops on stdin EOF
	}

	tg := rig.startTelegraf(t)
	rig.waitForRunsAfter(t, tg, time.Now())
	// The plugin killed mid-cycle: execd starts it again after restart_delay.
	child := childOf(t, tg.cmd.Process.Pid)
	time.Sleep(1500 * time.Millisecond)
	require.NoError(t, syscall.Kill(child, syscall.SIGKILL))
	require.Eventually(t, func() bool {
		next, ok := findChild(tg.cmd.Process.Pid)
		return ok && next != child
	}, 2*time.Minute, 100*time.Millisecond, "execd restarts the plugin")
	rig.waitForRunsAfter(t, tg, time.Now().Add(3*time.Second))
	tg.stop(t)
	requireNoBufferOverflow(t, tg)

	stored := rig.db.storedRuns(t)
	for _, sc := range scenarios {
		id := strconv.FormatInt(sc.ID, 10)
		ts := stored[id]
		var want []time.Time
		for _, r := range mipsim.Runs(sc, ts[0].Add(-time.Nanosecond), ts[len(ts)-1]) {
			want = append(want, r.Time)
		}
		require.Equal(t, formatTimes(want), formatTimes(ts), "scenario %s: every run, once", id)
	}
}

// findChild returns the process whose parent is pid, read from /proc.
func findChild(pid int) (int, bool) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0, false
	}
	for _, e := range entries {
		child, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces, so read after ')'.
		fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		if len(fields) > 1 && fields[1] == strconv.Itoa(pid) {
			return child, true
		}
	}
	return 0, false
}

func childOf(t *testing.T, pid int) int {
	t.Helper()
	var child int
	require.Eventually(t, func() bool {
		var ok bool
		child, ok = findChild(pid)
		return ok
	}, 10*time.Second, 50*time.Millisecond, "telegraf started no process")
	return child
}

// waitGone waits for a process to end.
func waitGone(t *testing.T, pid int) {
	t.Helper()
	require.Eventually(t, func() bool {
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		// Gone, or a zombie waiting for its dead parent's reaper.
		return err != nil || strings.Contains(string(stat), ") Z ")
	}, 10*time.Second, 50*time.Millisecond, "process %d still running", pid)
}

// BenchmarkBackfillThroughTelegraf measures how long a one-hour backfill
// (first_gather = "window", N scenarios × 60 runs × 6 metrics) takes to
// reach a real InfluxDB through a real Telegraf with the README's
// [[inputs.execd]] block (interval = "1m") and Telegraf's and the plugin's
// defaults otherwise (max_points_per_gather = 5000), from the first request
// to the last run stored: without output_health_url (a catch-up gather every
// 10 s, -catch_up_interval's default), and with it and the documented
// health blocks (examples/output-health.conf; catch-up gathers 3 s apart
// while the endpoint answers 200). make bench-delivery.
func BenchmarkBackfillThroughTelegraf(b *testing.B) {
	for _, n := range []int{300, 1000} {
		for _, health := range []bool{false, true} {
			b.Run(fmt.Sprintf("scenarios=%d/output_health_url=%t", n, health), func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					elapsed, requests := backfillThroughTelegraf(b, n, health)
					b.ReportMetric(elapsed.Seconds(), "s/backfill")
					b.ReportMetric(float64(requests), "gathers/backfill")
				}
			})
		}
	}
}

func backfillThroughTelegraf(b *testing.B, n int, health bool) (time.Duration, int) {
	db := startInfluxDB(b)
	now := time.Now().Truncate(time.Second)
	scenarios := mipsim.Generate(n, 6, time.Minute)
	sim := mipsim.New(testKey, scenarios)
	sim.SetClock(func() time.Time { return now })
	srv := httptest.NewServer(sim)
	defer srv.Close()
	pluginExtra := []string{`  first_gather = "window"`}
	output := influxDBOutput(db)
	if health {
		addr := freeAddr(b)
		pluginExtra = append(pluginExtra, fmt.Sprintf("  output_health_url = %q", "http://"+addr))
		output += "\n\n" + healthBlocks(b, addr)
	}
	conf := fmt.Sprintf(`
[agent]
  omit_hostname = true

[[inputs.execd]]
  interval = "1m"
  command = [%q, "-config", %q, "-poll_interval_disabled"]
  signal = "STDIN"
  restart_delay = "10s"
  data_format = "influx"

%s
`, binary, pluginConfig(b, srv.URL, pluginExtra...), output)
	tg := startTelegraf(b, conf, "MIP_API_KEY="+testKey)
	defer tg.stop(b)

	total := int64(n * 60)
	for deadline := time.Now().Add(3 * time.Minute); sim.Requests() == 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			b.Fatalf("no request after 3 min; telegraf log:\n%s", tg.stderr)
		}
	}
	start := time.Now()
	for db.count(b, `SELECT count("status_code") FROM "mip_scenario"`) < total {
		if time.Since(start) > 45*time.Minute {
			b.Fatalf("backfill not done after 45 min; telegraf log:\n%s", tg.stderr)
		}
		time.Sleep(time.Second)
	}
	elapsed := time.Since(start)
	requireNoBufferOverflow(b, tg)
	return elapsed, sim.Requests()
}
