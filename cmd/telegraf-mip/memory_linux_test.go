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
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// hugeScenario is a response with one scenario of n runs, one a millisecond,
// the newest sent first: the shape that once took seven times its size.
func hugeScenario(n int) (body []byte, newest time.Time) {
	var b bytes.Buffer
	b.WriteString(`{"results": [{"measure": {"id": 42, "name": "huge", "frequency": 60, "scenario": {"name": "huge"}}, "metricInfo": {"m1": {"alias": "Step 1", "unit": "ms"}}, "results": {`)
	start := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	newest = start.Add(time.Duration(n-1) * time.Millisecond)
	for i := range n {
		t := start.Add(time.Duration((i+n-1)%n) * time.Millisecond) // newest first, then oldest to newest
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, `"%s": {"state": {"type": "OK"}, "metrics": {"m1": %d}}`, t.Format("2006-01-02T15:04:05.000Z07:00"), i%5000)
	}
	b.WriteString("}}]}")
	return b.Bytes(), newest
}

// hugeString is a response whose second scenario carries a 100 MB text in
// the place given: a display name, or a formatted metric of its run.
func hugeString(where string) []byte {
	huge := strings.Repeat("x", 100<<20)
	measure, formatted := `{"id": 7, "name": "s"}`, `{}`
	if where == "displayName" {
		measure = `{"id": 7, "name": "s", "displayName": "` + huge + `"}`
	} else {
		formatted = `{"x": "` + huge + `"}`
	}
	return []byte(`{"results": [{"measure": {"id": 100, "name": "good"}, "results": {"2026-11-25T10:00:00Z": {"state": {"type": "OK"}}}}, ` +
		`{"measure": ` + measure + `, "results": {"2026-11-25T10:00:00Z": {"state": {"type": "OK"}, "formatedMetrics": ` + formatted + `}}}]}`)
}

// TestMemoryBoundedByTheResponse runs gathers of responses shaped to cost
// memory (one scenario with a million runs, a 100 MB text) and checks the
// process's peak memory against twice the response plus 64 MiB.
func TestMemoryBoundedByTheResponse(t *testing.T) {
	const runs = 1_000_000
	manyRuns, newest := hugeScenario(runs)
	tests := []struct {
		name     string
		body     []byte
		extra    []string
		written  int    // mip_scenario points
		last     string // the timestamp of the last one
		contains string // in stderr, on exit 1; empty: exit 0
	}{
		{name: "a million runs, window", body: manyRuns, extra: []string{`  first_gather = "window"`, `  max_points_per_gather = 0`}, written: runs, last: fmt.Sprint(newest.UnixNano())},
		{name: "a million runs, latest", body: manyRuns, written: 1, last: fmt.Sprint(newest.UnixNano())},
		{name: "a 100 MB display name", body: hugeString("displayName"), written: 1, last: "1795600800000000000", contains: `field "measure.displayName": a text over 32768 bytes`},
		{name: "a 100 MB formatted metric", body: hugeString("formatedMetrics"), written: 2, last: "1795600800000000000", contains: `mip_formatted_metric "x" not emitted: the point would be over 32768 bytes`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Header.Get("MIP_API_KEY") != testKey {
					w.WriteHeader(http.StatusUnauthorized)
					return
				}
				_, _ = w.Write(tt.body)
			}))
			defer srv.Close()
			limitKiB := (2*int64(len(tt.body)) + 64<<20) >> 10

			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, binary, "-config", pluginConfig(t, srv.URL, tt.extra...), "-once")
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

			t.Logf("response %d MiB, peak RSS %d MiB, bound %d MiB", len(tt.body)>>20, peakKiB>>10, limitKiB>>10)
			require.Less(t, peakKiB, limitKiB, "peak RSS (KiB) under twice the response plus 64 MiB")
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
