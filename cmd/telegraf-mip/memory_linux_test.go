package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The responses below are written as they are served, so that this test,
// race detector included, does not hold them.

// writeHugeScenario writes a response with one scenario of n runs, one a
// millisecond, the newest sent first: the shape that once took seven times
// its size.
func writeHugeScenario(w io.Writer, n int) error {
	// A bufio.Writer keeps its first error: Flush returns it.
	bw := bufio.NewWriter(w)
	fmt.Fprint(bw, `{"results": [{"measure": {"id": 42, "name": "huge", "frequency": 60, "scenario": {"name": "huge"}}, `+
		`"metricInfo": {"m1": {"alias": "Step 1", "unit": "ms"}}, "results": {`)
	for i := range n {
		t := hugeScenarioStart.Add(time.Duration((i+n-1)%n) * time.Millisecond) // newest first, then oldest to newest
		if i > 0 {
			fmt.Fprint(bw, ", ")
		}
		fmt.Fprintf(bw, `"%s": {"state": {"type": "OK"}, "metrics": {"m1": %d}}`, t.Format("2006-01-02T15:04:05.000Z07:00"), i%5000)
	}
	fmt.Fprint(bw, "}}]}")
	return bw.Flush()
}

var hugeScenarioStart = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)

// writeHugeString writes a response whose second scenario carries a 100 MiB
// text in the place given: a display name, or a formatted metric of its run.
func writeHugeString(w io.Writer, where string) error {
	var err error // the first one: the writes after it do nothing
	write := func(b []byte) {
		if err == nil {
			_, err = w.Write(b)
		}
	}
	huge := func() {
		chunk := bytes.Repeat([]byte("x"), 64<<10)
		for range (100 << 20) / len(chunk) {
			write(chunk)
		}
	}
	write([]byte(`{"results": [{"measure": {"id": 100, "name": "good"}, "results": {"2026-11-25T10:00:00Z": {"state": {"type": "OK"}}}}, ` +
		`{"measure": {"id": 7, "name": "s"`))
	if where == "displayName" {
		write([]byte(`, "displayName": "`))
		huge()
		write([]byte(`"`))
	}
	write([]byte(`}, "results": {"2026-11-25T10:00:00Z": {"state": {"type": "OK"}, "formatedMetrics": {`))
	if where == "formatedMetrics" {
		write([]byte(`"x": "`))
		huge()
		write([]byte(`"`))
	}
	write([]byte(`}}}}]}`))
	return err
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n *atomic.Int64
}

func (c countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n.Add(int64(n))
	return n, err
}

// TestMemoryBoundedByTheResponse runs gathers of responses shaped to cost
// memory (one scenario with a million runs, a 100 MiB text) and checks the
// process's peak memory against a multiple of the response plus 64 MiB:
// twice, except for one huge string, which the JSON tokenizer holds whole
// while it reads it, in a buffer that grows by doubling (about three times).
//
//nolint:tparallel // beside the other tests, its subtests one at a time: each holds up to a million runs
func TestMemoryBoundedByTheResponse(t *testing.T) {
	t.Parallel()
	const runs = 1_000_000
	newest := strconv.FormatInt(hugeScenarioStart.Add((runs-1)*time.Millisecond).UnixNano(), 10)
	tests := []struct {
		name     string
		write    func(io.Writer) error
		extra    []string
		factor   int64  // of the response, in the bound
		written  int    // mip_scenario points
		last     string // the timestamp of the last one
		contains string // in stderr, on exit 1; empty: exit 0
	}{
		{
			name:    "a million runs, window",
			write:   func(w io.Writer) error { return writeHugeScenario(w, runs) },
			extra:   []string{`  first_gather = "window"`, `  max_points_per_gather = 0`},
			factor:  2,
			written: runs,
			last:    newest,
		},
		{name: "a million runs, latest", write: func(w io.Writer) error { return writeHugeScenario(w, runs) }, factor: 2, written: 1, last: newest},
		{
			name:     "a 100 MiB display name",
			write:    func(w io.Writer) error { return writeHugeString(w, "displayName") },
			factor:   3,
			written:  1,
			last:     "1795600800000000000",
			contains: `field "measure.displayName": a text over 32768 bytes`,
		},
		{
			name:     "a 100 MiB formatted metric",
			write:    func(w io.Writer) error { return writeHugeString(w, "formatedMetrics") },
			factor:   3,
			written:  2,
			last:     "1795600800000000000",
			contains: `mip_formatted_metric "x" not emitted: the point would be over 32768 bytes`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var size atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Header.Get("MIP_API_KEY") != testKey {
					w.WriteHeader(http.StatusUnauthorized)
					return
				}
				if err := tt.write(countingWriter{w: w, n: &size}); err != nil {
					t.Logf("the response was cut short: %v", err)
				}
			}))
			defer srv.Close()

			// Bounds for a process gone wrong, which the work of these
			// answers on a busy machine never reaches: peak memory, not
			// time, is what is measured.
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
			defer cancel()
			extra := append(slices.Clone(tt.extra), `  timeout = "10m"`, `  response_timeout = "10m"`)
			cmd := exec.CommandContext(ctx, binary, "-config", pluginConfig(t, srv.URL, extra...), "-once")
			cmd.Env = append(os.Environ(), "MIP_API_KEY="+testKey)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			stdout, err := cmd.StdoutPipe()
			require.NoError(t, err)
			require.NoError(t, cmd.Start())

			peak := watchPeakRSS(cmd.Process.Pid)
			written, last := scenarioPoints(t, stdout)
			peakKiB := peak()
			err = cmd.Wait()
			if tt.contains == "" {
				require.NoError(t, err, stderr.String())
			} else {
				require.Error(t, err)
				require.Contains(t, stderr.String(), tt.contains)
			}
			require.Equal(t, tt.written, written)
			require.Equal(t, tt.last, last, "the newest run is written last")

			limitKiB := (tt.factor*size.Load() + 64<<20) >> 10
			t.Logf("response %d MiB, peak RSS %d MiB, bound %d MiB", size.Load()>>20, peakKiB>>10, limitKiB>>10)
			require.Less(t, peakKiB, limitKiB, "peak RSS (KiB) under %d times the response plus 64 MiB", tt.factor)
			require.NotContains(t, stderr.String(), testKey)
		})
	}
}

// watchPeakRSS samples the peak resident size (VmHWM) of a process until
// the returned function is called, which returns it in KiB. The rusage of
// a child is no use here: it counts this test's memory at the fork.
func watchPeakRSS(pid int) func() int64 {
	var peak int64
	read := func() {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
		if err != nil {
			return
		}
		for line := range strings.SplitSeq(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
				var kib int64
				if _, err := fmt.Sscan(strings.TrimSuffix(strings.TrimSpace(v), " kB"), &kib); err == nil {
					peak = max(peak, kib)
				}
			}
		}
	}
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			read()
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() int64 {
		close(done)
		<-stopped
		read() // the process has written everything: its peak is behind it
		return peak
	}
}

// scenarioPoints counts the mip_scenario lines of r and returns the
// timestamp of the last one.
func scenarioPoints(t *testing.T, r io.Reader) (n int, last string) {
	t.Helper()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 64*1024)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "mip_scenario,") {
			n++
			last = line[strings.LastIndexByte(line, ' ')+1:]
		}
	}
	require.NoError(t, sc.Err())
	return n, last
}

// writeManyScenarios writes a response of n scenarios with one run each,
// a minute old.
func writeManyScenarios(w io.Writer, n int) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	run := strconv.FormatInt(time.Now().Add(-time.Minute).Truncate(time.Second).Unix(), 10)
	if _, err := bw.WriteString(`{"results":[`); err != nil {
		return err
	}
	for i := range n {
		if i > 0 {
			bw.WriteByte(',') //nolint:errcheck // bufio keeps the error for Flush
		}
		fmt.Fprintf(bw, `{"measure":{"id":%d,"name":"scenario %d","displayName":"Scenario %d","frequency":3600,"timeout":60,`+
			`"scenario":{"name":"scenario %d","application":{"name":"app %d"}}},"metricInfo":{"m1":{"alias":"Step 1","unit":"ms"}},`+
			`"results":{"%s":{"state":{"type":"OK"},"metrics":{"m1":%d}}}}`, 100000+i, i, i, i, i%100, run, i)
	}
	if _, err := bw.WriteString(`]}`); err != nil {
		return err
	}
	return bw.Flush()
}

// TestMemoryOfManyScenariosWithStateFile: 100,000 scenarios with a
// state_file, the second start reading the state the first saved: the peak
// stays under twice the response plus 64 MiB plus 2.5 KiB per scenario, as
// docs/hardening.md says: 339 MiB of 365 here, for a 28 MiB response (389
// MiB when the state was read in three copies and the cache kept the JSON).
func TestMemoryOfManyScenariosWithStateFile(t *testing.T) {
	t.Parallel()
	const n = 100_000
	var size atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("MIP_API_KEY") != testKey {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		size.Store(0)
		if err := writeManyScenarios(countingWriter{w: w, n: &size}, n); err != nil {
			t.Logf("the response was cut short: %v", err)
		}
	}))
	defer srv.Close()
	// Bounds for a process gone wrong (a timeout, a deadline) that the work
	// on a busy machine never reaches: peak memory is what is measured.
	conf := pluginConfig(t, srv.URL, `  state_file = "`+t.TempDir()+`/mip.state"`, `  replay_on_restart = "10m"`,
		`  max_points_per_gather = 0`, `  timeout = "10m"`, `  response_timeout = "10m"`)
	for _, start := range []string{"first", "second, the state read"} {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		cmd := exec.CommandContext(ctx, binary, "-config", conf, "-once")
		cmd.Env = append(os.Environ(), "MIP_API_KEY="+testKey)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		stdout, err := cmd.StdoutPipe()
		require.NoError(t, err)
		require.NoError(t, cmd.Start())
		peak := watchPeakRSS(cmd.Process.Pid)
		written, _ := scenarioPoints(t, stdout)
		peakKiB := peak()
		require.NoError(t, cmd.Wait(), stderr.String())
		cancel()
		require.Equal(t, n, written, "%s start", start)
		limitKiB := (2*size.Load() + 64<<20 + n*2560) >> 10
		t.Logf("%s start: response %d MiB, peak RSS %d MiB, bound %d MiB", start, size.Load()>>20, peakKiB>>10, limitKiB>>10)
		require.Less(t, peakKiB, limitKiB, "%s start: peak RSS (KiB) under twice the response plus 64 MiB plus 2.5 KiB per scenario", start)
	}
}
