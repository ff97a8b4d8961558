package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/telegraf-mip/telegraf-mip/plugins/inputs/mip"
)

// TestStdinFloodIsCoalesced: 10,000 lines 1 ms apart (a runaway parent)
// make a gather every mip.MinAskGap at most, not one request per line; the
// process still stops on stdin EOF.
func TestStdinFloodIsCoalesced(t *testing.T) {
	t.Parallel()
	sim, srv := startSim(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, "-config", pluginConfig(t, srv.URL), "-poll_interval_disabled")
	cmd.Env = append(os.Environ(), "MIP_API_KEY="+testKey)
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	var stdout, stderr lockedBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { killAndWait(t, cmd) })

	start := time.Now()
	for range 10000 {
		_, err := stdin.Write([]byte("\n"))
		require.NoError(t, err)
		time.Sleep(time.Millisecond)
	}
	elapsed := time.Since(start)
	require.Eventually(t, func() bool { return sim.Requests() >= 1 }, 10*time.Second, 10*time.Millisecond)
	require.NoError(t, stdin.Close())
	require.NoError(t, cmd.Wait(), stderr.String())
	// One gather at once, then one per minAskGap of the flood at most, and
	// the last lines' gather.
	limit := int(elapsed/mip.MinAskGap) + 2
	t.Logf("10,000 lines in %s: %d requests", elapsed.Round(time.Millisecond), sim.Requests())
	require.LessOrEqual(t, sim.Requests(), limit)
	require.NotContains(t, stderr.String(), "E! ")
	requireNewestRuns(t, parseLines(t, stdout.String()))
}

// TestLongStdinLine: a line longer than the execd shim's 64 KiB scanner
// buffer is one ask like any other; the process goes on gathering, and
// ends on stdin EOF with status 0.
func TestLongStdinLine(t *testing.T) {
	sim, srv := startSim(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, "-config", pluginConfig(t, srv.URL), "-poll_interval_disabled")
	cmd.Env = append(os.Environ(), "MIP_API_KEY="+testKey)
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	var stdout, stderr lockedBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { killAndWait(t, cmd) })

	_, err = stdin.Write(append(bytes.Repeat([]byte("x"), 200<<10), '\n'))
	require.NoError(t, err)
	require.Eventually(t, func() bool { return sim.Requests() == 1 }, 10*time.Second, 10*time.Millisecond, stderr.String())
	_, err = stdin.Write([]byte("\n"))
	require.NoError(t, err)
	require.Eventually(t, func() bool { return sim.Requests() == 2 }, 10*time.Second, 10*time.Millisecond, stderr.String())
	require.Nil(t, cmd.ProcessState, "still running")
	require.NoError(t, stdin.Close())
	require.NoError(t, cmd.Wait(), stderr.String())
	require.NotContains(t, stderr.String(), "E! ")
}
