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

// TestMemoryOfAHugeScenario runs a gather of one scenario with a million
// runs (an 80 MB response) and checks the process's peak memory against
// twice the response plus 64 MiB, and that the newest run is written.
func TestMemoryOfAHugeScenario(t *testing.T) {
	const runs = 1_000_000
	body, newest := hugeScenario(runs)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("MIP_API_KEY") != testKey {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	limitKiB := (2*int64(len(body)) + 64<<20) >> 10

	tests := []struct {
		name    string
		extra   []string
		written int // mip_scenario points
	}{
		{name: "window", extra: []string{`  first_gather = "window"`, `  max_points_per_gather = 0`}, written: runs},
		{name: "latest", written: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
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
			require.NoError(t, cmd.Wait(), stderr.String())
			require.Equal(t, tt.written, written)
			require.Equal(t, fmt.Sprint(newest.UnixNano()), last, "the newest run is written last")

			t.Logf("response %d MiB, peak RSS %d MiB, bound %d MiB", len(body)>>20, peakKiB>>10, limitKiB>>10)
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
