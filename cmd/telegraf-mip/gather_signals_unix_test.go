//go:build unix

package main

import (
	"context"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestSignalsAskForAGather checks the signals inputs.execd can send in
// place of a stdin line: each asks for a gather and none ends the process.
func TestSignalsAskForAGather(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGHUP, syscall.SIGUSR1, syscall.SIGUSR2} {
		t.Run(sig.String(), func(t *testing.T) {
			sim, srv := startSim(t)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, binary, "-config", pluginConfig(t, srv.URL), "-poll_interval_disabled", "-debug")
			cmd.Env = append(os.Environ(), "MIP_API_KEY="+testKey)
			stdin, err := cmd.StdinPipe()
			require.NoError(t, err)
			var stdout, stderr lockedBuffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			require.NoError(t, cmd.Start())

			// A gather asked on stdin first: the signals are handled by then.
			_, err = stdin.Write([]byte("\n"))
			require.NoError(t, err)
			require.Eventually(t, func() bool { return sim.Requests() == 1 }, 10*time.Second, 10*time.Millisecond)
			for i := 2; i <= 3; i++ {
				require.NoError(t, cmd.Process.Signal(sig))
				require.Eventually(t, func() bool { return sim.Requests() == i }, 10*time.Second, 10*time.Millisecond, stderr.String())
			}
			require.NoError(t, stdin.Close())
			require.NoError(t, cmd.Wait(), "the process ends on stdin EOF, not on the signal: %s", stderr.String())
			require.Contains(t, stderr.String(), "D! signal \""+sig.String()+"\" received: gathering")
			require.NotContains(t, stdout.String()+stderr.String(), testKey)
			requireNewestRuns(t, parseLines(t, stdout.String()))
		})
	}
}
