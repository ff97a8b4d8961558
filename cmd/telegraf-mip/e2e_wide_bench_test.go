//go:build linux

package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
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

// bench10k adds 10,000 scenarios to BenchmarkPipelineLayouts (make
// bench-layouts BENCH10K=1): minutes of CPU that make test does not pay.
var bench10k = flag.Bool("bench10k", false, "also measure the pipeline at 10,000 scenarios × 12 and × 24 runs")

// pipelineShape is what one gather writes: the runs of an hour of each
// scenario, its runs evenly spaced.
type pipelineShape struct{ scenarios, runs int }

// BenchmarkPipelineLayouts is the CPU of the whole pipeline, the plugin
// (under inputs.execd), a real Telegraf and a real InfluxDB, per 1,000
// runs written, narrow and wide side by side: each iteration measures one
// then the other, so that -count alternates them on a shared machine. One
// measurement is one gather of an hour of runs of each scenario (6 metrics
// and a formatted metric each), first_gather = "window" and no
// max_points_per_gather, Telegraf's buffer sized to hold them and batches
// of 5,000 (timeouts long enough that no write is retried), until InfluxDB
// holds every run.
// 1,000 scenarios × 60 runs; -bench10k adds 10,000 scenarios × 12 and × 24
// runs (10,000 × 60 would take most of an hour of CPU; the difference
// between 12 and 24 is the cost of a run once its series exist and the
// processes have started) and 1,000 × 12, the same shape as 10,000 × 12.
// Only one gather runs: polling MIP again is a cost per gather, not per
// run, and at 10,000 scenarios the mip_freshness points of a gather every
// 10 s would soon outnumber the runs.
// It reports the series per scenario and the bytes per run Telegraf sends
// InfluxDB too: the line protocol (InfluxDB's count, after gzip is undone)
// and what crosses the wire (gzip, Telegraf's default, and HTTP headers).
// make bench-layouts.
func BenchmarkPipelineLayouts(b *testing.B) {
	shapes := []pipelineShape{{1000, 60}}
	if *bench10k {
		shapes = append(shapes, pipelineShape{1000, 12}, pipelineShape{10000, 12}, pipelineShape{10000, 24})
	}
	for _, shape := range shapes {
		b.Run(fmt.Sprintf("scenarios=%d/runs=%d", shape.scenarios, shape.runs), func(b *testing.B) {
			sums := map[string]map[string]float64{}
			for i := 0; i < b.N; i++ {
				for _, layout := range []string{"narrow", "wide"} {
					if sums[layout] == nil {
						sums[layout] = map[string]float64{}
					}
					for unit, v := range pipelineCPU(b, shape, layout) {
						sums[layout][unit] += v
					}
				}
			}
			for layout, sum := range sums {
				for unit, v := range sum {
					b.ReportMetric(v/float64(b.N), layout+"-"+unit)
				}
			}
			unit := "pipeline-cpu-s/1000runs"
			b.ReportMetric(sums["narrow"][unit]/sums["wide"][unit], "narrow/wide-pipeline-cpu")
		})
	}
}

// pipelineCPU measures one layout, each figure by its unit. Its processes
// stop when it returns, so that the next measurement has the machine to
// itself (InfluxDB compacts in the background).
func pipelineCPU(tb testing.TB, shape pipelineShape, layout string) map[string]float64 {
	b := &scope{TB: tb}
	defer b.close()
	db := startInfluxDB(b)
	now := time.Now().Truncate(time.Second)
	scenarios := mipsim.Generate(shape.scenarios, 6, time.Hour/time.Duration(shape.runs))
	sim := mipsim.New(testKey, scenarios)
	sim.SetClock(func() time.Time { return now })
	srv := httptest.NewServer(sim)
	defer srv.Close()
	wire := startCountingProxy(b, strings.TrimPrefix(db.URL, "http://"))
	total := int64(0)
	for _, sc := range scenarios {
		total += int64(len(mipsim.Runs(sc, now.Add(-time.Hour), now)))
	}
	// One gather: the first tick of an unaligned interval is at the start,
	// the next an hour later.
	conf := fmt.Sprintf(`
[agent]
  omit_hostname = true
  round_interval = false
  metric_batch_size = 5000
  metric_buffer_limit = %d

[[inputs.execd]]
  interval = "1h"
  command = [%q, "-config", %q, "-poll_interval_disabled"]
  signal = "STDIN"
  data_format = "influx"

%s
`, 10*total+100000, binary, pluginConfig(b, srv.URL, `  first_gather = "window"`, `  max_points_per_gather = 0`, `  timeout = "10m"`,
		fmt.Sprintf("  metric_layout = %q", layout)),
		// No write retried on a loaded machine: the CPU of one write each.
		influxDBOutput(&influxDB{URL: "http://" + wire.addr})+"\n  timeout = \"10m\"")
	influxBefore := processCPU(b, db.pid)
	tg := startTelegraf(b, conf, "MIP_API_KEY="+testKey) // killed at the end, once measured
	child := 0
	for deadline := time.Now().Add(time.Minute); child == 0; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			b.Fatalf("no plugin process; telegraf log:\n%s", tg.stderr)
		}
		child, _ = findChild(tg.cmd.Process.Pid)
	}
	waitAllRuns(b, db, tg, total)
	plugin, telegraf, influx := processCPU(b, child), processCPU(b, tg.cmd.Process.Pid), processCPU(b, db.pid)-influxBefore
	requireNoBufferOverflow(b, tg)
	per := func(d time.Duration) float64 { return d.Seconds() * 1000 / float64(total) }
	series := db.query(b, `SHOW SERIES`)
	return map[string]float64{
		"plugin-cpu-s/1000runs":   per(plugin),
		"telegraf-cpu-s/1000runs": per(telegraf),
		"influxdb-cpu-s/1000runs": per(influx),
		"pipeline-cpu-s/1000runs": per(plugin + telegraf + influx),
		"lp-bytes/run":            float64(db.httpStat(b, "writeReqBytes")) / float64(total),
		"wire-bytes/run":          float64(wire.sent.Load()) / float64(total),
		"series/scenario":         float64(len(series[0].Values)) / float64(shape.scenarios),
	}
}

// scope is a test whose cleanups run when close is called.
type scope struct {
	testing.TB
	cleanups []func()
}

func (s *scope) Cleanup(f func()) { s.cleanups = append(s.cleanups, f) }

func (s *scope) close() {
	for i := len(s.cleanups) - 1; i >= 0; i-- {
		s.cleanups[i]()
	}
}

// waitAllRuns waits until InfluxDB holds every one of total runs. It counts
// the runs only when InfluxDB's counter of points written (nearly free to
// read) stopped moving for a second: counting 10,000 scenarios' runs every
// second would add the query's CPU to the ingestion measured.
func waitAllRuns(b testing.TB, db *influxDB, tg *telegrafProcess, total int64) {
	b.Helper()
	written := int64(-1)
	for start := time.Now(); ; time.Sleep(time.Second) {
		if time.Since(start) > 20*time.Minute {
			b.Fatalf("not stored after 20 min; telegraf log:\n%s", tg.stderr)
		}
		before := written
		if written = db.httpStat(b, "pointsWrittenOK"); written != before || written < total {
			continue
		}
		if db.count(b, `SELECT count("status_code") FROM "mip_scenario"`) >= total {
			return
		}
	}
}

// httpStat is one counter of InfluxDB's HTTP service, from /debug/vars.
func (db *influxDB) httpStat(t testing.TB, name string) int64 {
	t.Helper()
	resp, err := http.Get(db.URL + "/debug/vars")
	require.NoError(t, err)
	defer resp.Body.Close()
	var vars map[string]json.RawMessage
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&vars))
	for _, raw := range vars {
		var stat struct {
			Name   string           `json:"name"`
			Values map[string]int64 `json:"values"`
		}
		if json.Unmarshal(raw, &stat) == nil && stat.Name == "httpd" {
			v, ok := stat.Values[name]
			require.True(t, ok, "no %s in InfluxDB's httpd statistics", name)
			return v
		}
	}
	require.FailNow(t, "no httpd statistics in InfluxDB's /debug/vars")
	return 0
}

// countingProxy forwards the TCP connections it accepts on a loopback port
// to a server and counts the bytes sent to it, as they cross the wire.
type countingProxy struct {
	addr string
	sent atomic.Int64
}

func startCountingProxy(t testing.TB, server string) *countingProxy {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	p := &countingProxy{addr: l.Addr().String()}
	var conns sync.WaitGroup
	t.Cleanup(func() {
		l.Close()
		conns.Wait()
	})
	go func() {
		for {
			client, err := l.Accept()
			if err != nil {
				return // closed at the end of the test
			}
			conns.Add(1)
			go func() {
				defer conns.Done()
				p.forward(client, server)
			}()
		}
	}()
	return p
}

// forward copies both ways until either side closes.
func (p *countingProxy) forward(client net.Conn, server string) {
	defer client.Close()
	upstream, err := net.Dial("tcp", server)
	if err != nil {
		return // the client sees its connection closed, as with a dead server
	}
	defer upstream.Close()
	go func() {
		io.Copy(client, upstream) //nolint:errcheck // ends when either side closes
		client.Close()
	}()
	// Counted as it goes: a keep-alive connection may outlive the measurement.
	io.Copy(countingWriter{upstream, &p.sent}, client) //nolint:errcheck // ends when either side closes
}
