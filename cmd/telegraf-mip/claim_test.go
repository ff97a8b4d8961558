package main

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestOneProcessPerStateFile starts telegraf-mip as inputs.execd does, and
// while it runs, a second one with the same configuration (two Telegrafs on
// one host, a copied unit, an old process left running): the second exits
// non-zero with one sentence naming the state file and the first process,
// and writes nothing, so no run is written twice. -test, which never writes
// the state file, still runs beside it.
func TestOneProcessPerStateFile(t *testing.T) {
	t.Parallel()
	sim, srv := startSim(t)
	state := filepath.Join(t.TempDir(), "mip.state")
	conf := pluginConfig(t, srv.URL, "  state_file = "+strconv.Quote(state))

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	first := exec.CommandContext(ctx, binary, "-config", conf, "-poll_interval_disabled")
	first.Env = append(os.Environ(), "MIP_API_KEY="+testKey)
	stdin, err := first.StdinPipe()
	require.NoError(t, err)
	stdout, err := first.StdoutPipe()
	require.NoError(t, err)
	var stderr lockedBuffer
	first.Stderr = &stderr
	require.NoError(t, first.Start())
	_, err = stdin.Write([]byte("\n"))
	require.NoError(t, err)
	var lp strings.Builder
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		lp.WriteString(lines.Text() + "\n")
		if strings.HasPrefix(lines.Text(), "mip_api") {
			break // the gather's last point
		}
	}

	for _, mode := range []string{"-once", "-poll_interval_disabled"} {
		second := runBinary(t, testKey, "-config", conf, mode)
		require.Equal(t, 1, second.code, second.stderr)
		require.Empty(t, second.stdout)
		require.Regexp(t, `^E! configuration `+regexp.QuoteMeta(conf)+`: state_file `+regexp.QuoteMeta(state)+
			` is in use by another process \(PID `+strconv.Itoa(first.Process.Pid)+`\) with this configuration \(it holds `+
			regexp.QuoteMeta(state)+`\.[0-9a-f]+\.lock\): two processes would write every run twice, so this one does not start; `+
			`stop the other one, or give this one a state_file of its own\n$`, second.stderr)
	}
	requests := sim.Requests()
	check := runBinary(t, testKey, "-config", conf, "-test")
	require.Equal(t, 0, check.code, check.stderr)
	require.Equal(t, requests+1, sim.Requests(), "-test gathers beside the running process")

	require.NoError(t, stdin.Close())
	for lines.Scan() {
		lp.WriteString(lines.Text() + "\n")
	}
	require.NoError(t, first.Wait(), stderr.String())
	requireNewestRuns(t, parseLines(t, lp.String())) // each run once, in the union of what both wrote

	// The claim goes with the process: the next start gathers.
	again := runBinary(t, testKey, "-config", conf, "-once")
	require.Equal(t, 0, again.code, again.stderr)
}
