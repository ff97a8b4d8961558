package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// stalledMIP accepts requests and never answers, like a MIP stuck on a
// huge query.
func stalledMIP(t *testing.T) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var requests atomic.Int32
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(release); srv.Close() })
	return srv, &requests
}

// TestStopsPromptlyDuringASlowRequest checks the ways inputs.execd stops a
// plugin (stopWays), while a request with a long timeout is in flight.
func TestStopsPromptlyDuringASlowRequest(t *testing.T) {
	for _, how := range stopWays {
		t.Run(how, func(t *testing.T) {
			srv, requests := stalledMIP(t)
			const requestTimeout = time.Minute
			ctx, cancel := context.WithTimeout(context.Background(), 2*requestTimeout)
			defer cancel()
			cmd := exec.CommandContext(ctx, binary, "-config", pluginConfig(t, srv.URL, fmt.Sprintf(`  timeout = %q`, requestTimeout.String())),
				"-poll_interval_disabled")
			cmd.Env = append(os.Environ(), "MIP_API_KEY="+testKey)
			var stderr lockedBuffer
			cmd.Stderr = &stderr
			stdin, err := cmd.StdinPipe()
			require.NoError(t, err)
			started := time.Now()
			require.NoError(t, cmd.Start())
			_, err = stdin.Write([]byte("\n"))
			require.NoError(t, err)
			require.Eventually(t, func() bool { return requests.Load() == 1 }, requestTimeout, 10*time.Millisecond)
			// Stopping is less work than starting and sending the request:
			// execd's 5 s, plus three times what that took here, holds on
			// a busy machine and stays far below the request's timeout,
			// which a stop that waited for the request would reach.
			limit := 5*time.Second + 3*time.Since(started)
			require.Less(t, limit, requestTimeout/2, "this machine is too busy to tell a prompt stop from a request's timeout")

			start := time.Now()
			if how == "SIGTERM" {
				require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
			} else {
				require.NoError(t, stdin.Close())
			}
			// Its exit status is not the point here, the time it took is.
			if err := cmd.Wait(); err != nil {
				t.Logf("stopped by %s: %v", how, err)
			}
			require.Less(t, time.Since(start), limit, "execd kills a plugin 5 s after asking it to stop (%s on this machine)", limit)
			// A stop is no failure: an info line, no error for Telegraf's log.
			require.Contains(t, stderr.String(), "I! gather cut short by a stop; its unwritten runs are written by the next start: ")
			require.NotContains(t, stderr.String(), "E! ")
		})
	}
}

// TestProcessSoak runs the binary through many gathers alternating success
// and failure, as execd would for weeks, and checks that its memory and
// open files stay flat: 500 gathers, 3,000 with MIP_SOAK=long (make test
// sets it), or MIP_SOAK_GATHERS.
func TestProcessSoak(t *testing.T) {
	t.Parallel()
	gathers := int32(500)
	if os.Getenv("MIP_SOAK") == "long" {
		gathers = 3000
	}
	if v := os.Getenv("MIP_SOAK_GATHERS"); v != "" {
		n, err := strconv.ParseInt(v, 10, 32)
		require.NoError(t, err)
		gathers = int32(n)
	}
	_, good := startSim(t)
	target, err := url.Parse(good.URL)
	require.NoError(t, err)
	proxy := httputil.NewSingleHostReverseProxy(target)
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if requests.Add(1)%2 == 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, "-config", pluginConfig(t, srv.URL), "-poll_interval_disabled")
	cmd.Env = append(os.Environ(), "MIP_API_KEY="+testKey)
	cmd.Stdout = io.Discard
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	var errorLines, leaks atomic.Int32
	go func() {
		scanner := bufio.NewScanner(stderr)
		for scanner.Scan() {
			line := scanner.Text()
			if strings.HasPrefix(line, "E! ") {
				errorLines.Add(1)
			}
			if strings.Contains(line, testKey) {
				leaks.Add(1)
			}
		}
	}()

	status := func() (rssKiB, fds int) {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(cmd.Process.Pid) + "/status")
		require.NoError(t, err)
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
				rssKiB, err = strconv.Atoi(strings.Fields(v)[0])
				require.NoError(t, err)
			}
		}
		entries, err := os.ReadDir("/proc/" + strconv.Itoa(cmd.Process.Pid) + "/fd")
		require.NoError(t, err)
		return rssKiB, len(entries)
	}
	// A gather asked on stdin as soon as the last one reached the server
	// (or 100 ms passed): gathers back to back, under -poll_interval's
	// minimum of 1s.
	asking := make(chan struct{})
	asked := make(chan struct{})
	go func() {
		defer close(asked)
		last, at := int32(-1), time.Now()
		for {
			select {
			case <-asking:
				return
			case <-time.After(time.Millisecond):
			}
			if n := requests.Load(); n != last || time.Since(at) > 100*time.Millisecond {
				last, at = n, time.Now()
				if _, err := stdin.Write([]byte("\n")); err != nil {
					return
				}
			}
		}
	}()
	waitFor := func(n int32) {
		require.Eventually(t, func() bool { return requests.Load() >= n }, 4*time.Minute, 20*time.Millisecond)
	}
	waitFor(gathers / 5)
	rss0, fds0 := status()
	waitFor(gathers)
	rss1, fds1 := status()
	close(asking)
	<-asked
	require.NoError(t, stdin.Close())
	require.NoError(t, cmd.Wait())

	t.Logf("%d gathers: RSS %d -> %d KiB, fds %d -> %d, %d error lines", requests.Load(), rss0, rss1, fds0, fds1, errorLines.Load())
	require.Less(t, rss1-rss0, 8*1024, "RSS growth")
	require.LessOrEqual(t, fds1, fds0+2, "open files")
	require.Greater(t, errorLines.Load(), gathers/4, "failures are logged")
	require.Zero(t, leaks.Load(), "the API key leaked into the log")
}
