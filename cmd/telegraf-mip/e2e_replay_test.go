//go:build linux

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/influxdata/telegraf"
	"github.com/stretchr/testify/require"

	"github.com/telegraf-mip/telegraf-mip/internal/mipsim"
)

// TestOnceUnderOneParentWritesEachRunOnce runs telegraf-mip -once three
// times with a state_file, each started by this test process, as
// inputs.exec of one Telegraf starts it: the reader (the parent process)
// is the same, so no start writes runs again, no run appears twice across
// the three stdouts, and mip_api counts each run once. A start under
// another parent (a shell between) is a new reader: it writes the runs of
// the last replay_on_restart again, counted apart in runs_replayed, and
// says so.
func TestOnceUnderOneParentWritesEachRunOnce(t *testing.T) {
	t.Parallel()
	// Robots that run every second, on the real clock: each -once finds
	// new runs, and the earlier ones are within replay_on_restart.
	scenarios := mipsim.Generate(20, 2, time.Second)
	sim := mipsim.New(testKey, scenarios)
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	state := filepath.Join(t.TempDir(), "mip.state")
	conf := pluginConfig(t, srv.URL, "  state_file = "+strconv.Quote(state))

	written := map[string]bool{} // scenario id and run time of every run written
	newRuns := int64(0)
	for i := range 3 {
		if i > 0 {
			time.Sleep(1500 * time.Millisecond) // new runs for every scenario
		}
		r := runBinary(t, testKey, "-config", conf, "-once")
		require.Equal(t, 0, r.code, r.stderr)
		require.NotContains(t, r.stderr, "writing again", "start %d: the same parent, no replay", i+1)
		points := parseLines(t, r.stdout)
		require.Zero(t, apiCount(t, points, "runs_replayed"), "start %d", i+1)
		runs := runsIn(points)
		require.NotEmpty(t, runs, "start %d", i+1)
		for _, run := range runs {
			require.False(t, written[run], "start %d wrote run %s again", i+1, run)
			written[run] = true
		}
		require.Equal(t, int64(len(runs)), apiCount(t, points, "runs"), "start %d: mip_api counts the runs it wrote", i+1)
		newRuns += apiCount(t, points, "runs")
	}
	require.Equal(t, int64(len(written)), newRuns, "the sum of runs is the number of distinct runs written")
	self := strconv.Itoa(os.Getpid())
	for _, reader := range journalReaders(t, state) {
		require.Equal(t, self, readerPid(t, reader), "the ledger saw this test process as the reader")
	}

	// Another parent: sh runs the binary as a child (the command after it
	// keeps sh from exec'ing it in its place).
	time.Sleep(1500 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-c", `"$0" "$@"; exit $?`, binary, "-config", conf, "-once")
	cmd.Env = append(os.Environ(), "MIP_API_KEY="+testKey)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Run(), stderr.String())
	require.NotContains(t, stdout.String()+stderr.String(), testKey)
	readers := journalReaders(t, state)
	require.Equal(t, strconv.Itoa(cmd.Process.Pid), readerPid(t, readers[len(readers)-1]), "the ledger saw the shell as the reader")
	require.NotEqual(t, self, strconv.Itoa(cmd.Process.Pid))

	require.Contains(t, stderr.String(), "I! writing again the runs of 20 scenarios written in the 1m0s before the last stop")
	points := parseLines(t, stdout.String())
	replayed := apiCount(t, points, "runs_replayed")
	require.Positive(t, replayed)
	again := int64(0)
	runs := runsIn(points)
	for _, run := range runs {
		if written[run] {
			again++
		}
	}
	require.Equal(t, again, replayed, "runs_replayed counts the runs written again")
	require.Equal(t, int64(len(runs)), replayed+apiCount(t, points, "runs"), "runs and runs_replayed add up to the runs written")
}

// runsIn returns the runs of mip_scenario points, as scenario id and time.
func runsIn(points []telegraf.Metric) []string {
	var runs []string
	for _, m := range points {
		if m.Name() == "mip_scenario" {
			id, _ := m.GetTag("scenario_id")
			runs = append(runs, id+"@"+m.Time().UTC().Format(time.RFC3339Nano))
		}
	}
	return runs
}

// apiCount returns an integer field of the one mip_api point.
func apiCount(t *testing.T, points []telegraf.Metric, field string) int64 {
	t.Helper()
	var found []int64
	for _, m := range points {
		if m.Name() == "mip_api" {
			v, ok := m.GetField(field)
			require.True(t, ok, "mip_api has no field %s", field)
			found = append(found, v.(int64))
		}
	}
	require.Len(t, found, 1, "one mip_api point")
	return found[0]
}

// journalReaders returns the readers of the gathers the state file's
// journal keeps, oldest first.
func journalReaders(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var st struct {
		Instances map[string]struct {
			Journal []struct {
				Reader string `json:"reader"`
			} `json:"journal"`
		} `json:"instances"`
	}
	require.NoError(t, json.Unmarshal(b, &st))
	require.Len(t, st.Instances, 1)
	var readers []string
	for _, inst := range st.Instances {
		for _, e := range inst.Journal {
			readers = append(readers, e.Reader)
		}
	}
	require.NotEmpty(t, readers)
	return readers
}

// readerPid returns the pid of a Linux reader, linux:<boot id>:<pid>:<start>.
func readerPid(t *testing.T, reader string) string {
	t.Helper()
	parts := strings.Split(reader, ":")
	if len(parts) != 4 || parts[0] != "linux" {
		require.Fail(t, "not a Linux reader", "%q", reader)
	}
	return parts[2]
}
