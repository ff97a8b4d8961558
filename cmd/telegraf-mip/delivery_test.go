//go:build !windows

package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/telegraf-mip/telegraf-mip/internal/mipsim"
)

func TestTestModeNeverWritesTheStateFile(t *testing.T) {
	_, srv := startSim(t)
	state := filepath.Join(t.TempDir(), "mip.state")
	conf := pluginConfig(t, srv.URL, fmt.Sprintf("  state_file = %q", state))

	r := runBinary(t, testKey, "-config", conf, "-test")
	require.Equal(t, 0, r.code, r.stderr)
	requireNewestRuns(t, parseLines(t, r.stdout))
	require.NoFileExists(t, state, "-test writes no state file")

	// -once is the production one-shot: the same runs, and the state saved.
	r = runBinary(t, testKey, "-config", conf, "-once")
	require.Equal(t, 0, r.code, r.stderr)
	requireNewestRuns(t, parseLines(t, r.stdout))
	before, err := os.ReadFile(state)
	require.NoError(t, err)
	info, err := os.Stat(state)
	require.NoError(t, err)

	r = runBinary(t, testKey, "-config", conf, "-test")
	require.Equal(t, 0, r.code, r.stderr)
	after, err := os.ReadFile(state)
	require.NoError(t, err)
	require.Equal(t, string(before), string(after))
	info2, err := os.Stat(state)
	require.NoError(t, err)
	require.Equal(t, info.ModTime(), info2.ModTime())

	r = runBinary(t, testKey, "-config", conf, "-test", "-once")
	require.Equal(t, 2, r.code)
	require.Contains(t, r.stderr,
		"E! -test and -once do not go together: -test gathers once without writing state_file, -once gathers once and saves state_file")
}

// TestClosedStdout: a reader that went away gives an error line and exit 1,
// not a silent death by SIGPIPE, and the runs stay owed.
func TestClosedStdout(t *testing.T) {
	_, srv := startSim(t)
	state := filepath.Join(t.TempDir(), "mip.state")
	w := readerGone(t)

	cmd := exec.Command(binary, "-config", pluginConfig(t, srv.URL, fmt.Sprintf("  state_file = %q", state)), "-once")
	cmd.Env = append(os.Environ(), "MIP_API_KEY="+testKey)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = w, &stderr
	err := cmd.Run()
	var exitErr *exec.ExitError
	require.ErrorAs(t, err, &exitErr)
	require.Equal(t, 1, exitErr.ExitCode(), stderr.String())
	require.Regexp(t,
		`(?m)^E! gather failed: writing the points of 5 runs: write /dev/stdout: broken pipe; `+
			`the watermarks stay where they were, so these runs are written again$`,
		stderr.String())
	require.NoFileExists(t, state)
}

// TestSignalWhileStdoutIsBlocked: a stop while nobody reads stdout ends the
// process with an error line that counts the points written, whole lines
// only, and the state file does not move.
func TestSignalWhileStdoutIsBlocked(t *testing.T) {
	testSignalWhileWriting(t, nil)
}

// TestSignalWhileStdoutIsReadSlowly: a stop while Telegraf reads stdout
// slowly ends the writing at a line boundary: what was read is whole lines,
// as many as the error line counts.
func TestSignalWhileStdoutIsReadSlowly(t *testing.T) {
	testSignalWhileWriting(t, func(r *os.File, out *lockedBuffer) {
		buf := make([]byte, 700) // not a multiple of any line's length
		for {
			n, err := r.Read(buf)
			out.Write(buf[:n]) //nolint:errcheck // a lockedBuffer takes everything
			if err != nil {
				return
			}
			time.Sleep(20 * time.Millisecond) // about 35 KB/s: 5,000 points take many seconds
		}
	})
}

// testSignalWhileWriting sends SIGTERM to a -once gather of 5,000 points
// while read reads its stdout (nil: nobody reads), then checks that stdout
// holds whole lines only, as many as the error line says.
func testSignalWhileWriting(t *testing.T, read func(r *os.File, out *lockedBuffer)) {
	now := time.Now()
	sim := mipsim.New(testKey, mipsim.Generate(100, 6, time.Minute))
	sim.SetClock(func() time.Time { return now })
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	state := filepath.Join(t.TempDir(), "mip.state")
	r, w, err := os.Pipe()
	require.NoError(t, err)
	defer r.Close()

	cmd := exec.Command(binary, "-config", pluginConfig(t, srv.URL, fmt.Sprintf("  state_file = %q", state), `  first_gather = "window"`), "-once", "-debug")
	cmd.Env = append(os.Environ(), "MIP_API_KEY="+testKey)
	var stdout, stderr lockedBuffer
	cmd.Stdout, cmd.Stderr = w, &stderr
	require.NoError(t, cmd.Start())
	w.Close()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() { killProcess(t, cmd) })
	readDone := make(chan struct{})
	if read != nil {
		go func() { defer close(readDone); read(r, &stdout) }()
	}

	// The stop comes once the gather is writing its last points, however
	// long this machine took to get there (a stop before would cut the
	// gather, not its writing). Nobody reading: the pipe is full, less
	// one whole-lines write, so the writes block (5,000 points fill it many
	// times). Read slowly: the gather has read the whole answer (its debug
	// line), and what is left to write takes the reader many seconds.
	if read == nil {
		require.Eventually(t, func() bool { return pipeFull(r) }, 2*time.Minute, 10*time.Millisecond, "stdout never filled; stderr:\n%s", &stderr)
	} else {
		decoded := regexp.MustCompile(`(?m)^D! .*GET \S+ \(from=now-`)
		require.Eventually(t, func() bool { return decoded.MatchString(stderr.String()) }, 2*time.Minute, 10*time.Millisecond,
			"the answer was never read whole; stderr:\n%s", &stderr)
	}
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	select {
	case err := <-done:
		var exitErr *exec.ExitError
		require.ErrorAs(t, err, &exitErr)
		require.Equal(t, 1, exitErr.ExitCode())
	case <-time.After(10 * time.Second):
		t.Fatalf("still running 10s after SIGTERM; stderr:\n%s", stderr.String())
	}
	if read != nil {
		<-readDone
	} else {
		rest, err := io.ReadAll(r)
		require.NoError(t, err)
		stdout.Write(rest)
	}
	m := regexp.MustCompile(`(?m)^E! terminated while stdout was blocked: ` +
		`(\d+) of the (\d+) points of this gather were written, whole lines, the others not; ` +
		`state_file is unchanged, so the next start writes these runs again$`).FindStringSubmatch(stderr.String())
	require.NotNil(t, m, stderr.String())
	written, err := strconv.Atoi(m[1])
	require.NoError(t, err)
	queued, err := strconv.Atoi(m[2])
	require.NoError(t, err)
	require.Positive(t, written)
	require.Less(t, written, queued)

	out := stdout.String()
	require.True(t, strings.HasSuffix(out, "\n"), "stdout ends with a whole line: ...%q", out[max(0, len(out)-80):])
	require.Len(t, parseLines(t, out), written, "every line whole, as many as the message says")
	require.NoFileExists(t, state)
}

// TestCatchUpGathers: one line from execd starts a backfill larger than
// max_points_per_gather; the process gathers again by itself every
// -catch_up_interval until every run is written, then waits for execd.
func TestCatchUpGathers(t *testing.T) {
	now := time.Now()
	scenarios := mipsim.Generate(20, 2, time.Minute)
	sim := mipsim.New(testKey, scenarios)
	sim.SetClock(func() time.Time { return now })
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)

	cmd := exec.Command(binary, "-config", pluginConfig(t, srv.URL, `  first_gather = "window"`, "  max_points_per_gather = 500"),
		"-poll_interval_disabled", "-catch_up_interval", "100ms")
	cmd.Env = append(os.Environ(), "MIP_API_KEY="+testKey)
	var stdout, stderr lockedBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { killAndWait(t, cmd) })
	_, err = stdin.Write([]byte("\n"))
	require.NoError(t, err)

	runs := func() int { return strings.Count(stdout.String(), "mip_scenario,") }
	require.Eventually(t, func() bool { return runs() == 20*60 }, 30*time.Second, 50*time.Millisecond, "stderr:\n%s", &stderr)
	requests := sim.Requests()
	require.Greater(t, requests, 9, "1,200 runs of 4 points, 500 points a gather")
	time.Sleep(time.Second)
	require.Equal(t, requests, sim.Requests(), "caught up: no more gathers until execd asks")
	require.Equal(t, 20*60, runs(), "each run once")
	require.NoError(t, stdin.Close())
	require.NoError(t, cmd.Wait())
	require.NotContains(t, stderr.String(), "E! ")
}

// TestClosedStdoutUnderExecd: under execd, a stdout nobody reads any more
// ends the process with an error line (execd starts it again), rather
// than failing every gather until stdin closes; the state stays.
func TestClosedStdoutUnderExecd(t *testing.T) {
	_, srv := startSim(t)
	state := filepath.Join(t.TempDir(), "mip.state")
	w := readerGone(t)

	cmd := exec.Command(binary, "-config", pluginConfig(t, srv.URL, fmt.Sprintf("  state_file = %q", state)), "-poll_interval_disabled")
	cmd.Env = append(os.Environ(), "MIP_API_KEY="+testKey)
	var stderr lockedBuffer
	cmd.Stdout, cmd.Stderr = w, &stderr
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	defer stdin.Close()
	_, err = stdin.Write([]byte("\n"))
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var exitErr *exec.ExitError
		require.ErrorAs(t, err, &exitErr)
		require.Equal(t, 1, exitErr.ExitCode())
	case <-time.After(20 * time.Second):
		killProcess(t, cmd)
		t.Fatalf("still running; stderr:\n%s", stderr.String())
	}
	require.Contains(t, stderr.String(),
		"E! gather failed: writing the points of 5 runs: write /dev/stdout: broken pipe; "+
			"the watermarks stay where they were, so these runs are written again; stopping")
	require.NoFileExists(t, state)
}

// readerGone returns the write end of a pipe whose reader is closed: a
// stdout nobody reads any more.
func readerGone(t *testing.T) *os.File {
	t.Helper()
	r, w, err := os.Pipe()
	require.NoError(t, err)
	require.NoError(t, r.Close())
	t.Cleanup(func() { _ = w.Close() })
	return w
}
