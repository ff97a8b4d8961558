//go:build linux

package main

import (
	"bytes"
	"fmt"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/telegraf-mip/telegraf-mip/internal/mipsim"
)

// processCPU is the CPU time (user and system) process pid used so far,
// from /proc/<pid>/stat, in clock ticks of 10 ms (Linux's USER_HZ).
func processCPU(t testing.TB, pid int) time.Duration {
	t.Helper()
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	require.NoError(t, err)
	// pid (comm) state ppid ...: utime and stime are the 14th and 15th.
	fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
	utime, err := strconv.ParseInt(fields[11], 10, 64)
	require.NoError(t, err)
	stime, err := strconv.ParseInt(fields[12], 10, 64)
	require.NoError(t, err)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// BenchmarkPipelineLayouts is the CPU of the whole pipeline, the plugin
// (under inputs.execd), a real Telegraf and a real InfluxDB, per 1,000
// runs written, narrow and wide side by side in one run: an hour of runs of
// N scenarios a minute apart (6 metrics and a formatted metric each),
// first_gather = "window" and no max_points_per_gather, Telegraf's buffer
// sized to hold them and batches of 5,000 (timeouts long enough that no
// write is retried), until InfluxDB holds every run.
// It reports the series per scenario too. make bench-layouts.
func BenchmarkPipelineLayouts(b *testing.B) {
	for _, n := range []int{1000} {
		for _, layout := range []string{"narrow", "wide"} {
			b.Run(fmt.Sprintf("scenarios=%d/%s", n, layout), func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					pipelineCPU(b, n, layout)
				}
			})
		}
	}
}

func pipelineCPU(b *testing.B, n int, layout string) {
	db := startInfluxDB(b)
	now := time.Now().Truncate(time.Second)
	scenarios := mipsim.Generate(n, 6, time.Minute)
	sim := mipsim.New(testKey, scenarios)
	sim.SetClock(func() time.Time { return now })
	srv := httptest.NewServer(sim)
	defer srv.Close()
	conf := fmt.Sprintf(`
[agent]
  omit_hostname = true
  metric_batch_size = 5000
  metric_buffer_limit = 1000000

[[inputs.execd]]
  interval = "10s"
  command = [%q, "-config", %q, "-poll_interval_disabled"]
  signal = "STDIN"
  data_format = "influx"

%s
`, binary, pluginConfig(b, srv.URL, `  first_gather = "window"`, `  max_points_per_gather = 0`, `  timeout = "10m"`,
		fmt.Sprintf("  metric_layout = %q", layout)),
		// No write retried on a loaded machine: the CPU of one write each.
		influxDBOutput(db)+"\n  timeout = \"10m\"")
	influxBefore := processCPU(b, db.pid)
	tg := startTelegraf(b, conf, "MIP_API_KEY="+testKey) // killed at the end, once measured
	child := 0
	for deadline := time.Now().Add(time.Minute); child == 0; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			b.Fatalf("no plugin process; telegraf log:\n%s", tg.stderr)
		}
		child, _ = findChild(tg.cmd.Process.Pid)
	}
	total := int64(0)
	for _, sc := range scenarios {
		total += int64(len(mipsim.Runs(sc, now.Add(-time.Hour), now)))
	}
	for start := time.Now(); db.count(b, `SELECT count("status_code") FROM "mip_scenario"`) < total; time.Sleep(time.Second) {
		if time.Since(start) > 20*time.Minute {
			b.Fatalf("not stored after 20 min; telegraf log:\n%s", tg.stderr)
		}
	}
	plugin, telegraf, influx := processCPU(b, child), processCPU(b, tg.cmd.Process.Pid), processCPU(b, db.pid)-influxBefore
	requireNoBufferOverflow(b, tg)
	per := func(d time.Duration) float64 { return d.Seconds() * 1000 / float64(total) }
	b.ReportMetric(per(plugin), "plugin-cpu-s/1000runs")
	b.ReportMetric(per(telegraf), "telegraf-cpu-s/1000runs")
	b.ReportMetric(per(influx), "influxdb-cpu-s/1000runs")
	b.ReportMetric(per(plugin+telegraf+influx), "pipeline-cpu-s/1000runs")
	series := db.query(b, `SHOW SERIES`)
	b.ReportMetric(float64(len(series[0].Values))/float64(n), "series/scenario")
}
