//go:build !windows

package main

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/telegraf-mip/telegraf-mip/internal/mipsim"
)

// TestTelegrafRestartMidBackfill stops a real Telegraf gracefully (SIGTERM,
// as a service manager does) in the middle of a backfill that
// max_points_per_gather spreads over several gathers, then starts it again
// with the same configuration and state_file, writing to a real InfluxDB
// with Telegraf's default [agent] buffer settings: every run of the
// backfill's window, and every one after it, is in InfluxDB, and no line
// says runs were lost.
func TestTelegrafRestartMidBackfill(t *testing.T) {
	const (
		count     = 100
		frequency = 5 * time.Second
		lookback  = 5 * time.Minute
	)
	t.Parallel()
	// 100 scenarios with a run every 5 s: the first gather's window of
	// lookback holds 6,000 runs, about 24,000 points, that gathers of at
	// most 3,000 points write over 8 gathers, one every 2 s.
	scenarios := mipsim.Generate(count, 2, frequency)
	state := filepath.Join(t.TempDir(), "mip.state")
	rig := newRig(t, scenarios, rigOptions{
		plugin: []string{"  state_file = " + strconv.Quote(state), `  first_gather = "window"`,
			fmt.Sprintf("  lookback = %q", lookback), "  max_points_per_gather = 3000"},
		args: []string{"-catch_up_interval", "2s"},
	})
	sim, db := rig.sim, rig.db

	backfill := regexp.MustCompile(`backfill: wrote [0-9]+ runs .*; ([0-9]+) runs of ([0-9]+) scenarios left`)
	started := time.Now()
	tg := rig.startTelegraf(t)
	// Stopped once the backfill has run for longer than a run's period:
	// the runs at the start of its window are then older than lookback.
	tg.waitForLines(t, backfill, 4)
	tg.stop(t)
	restarted := time.Now()
	left := backfill.FindAllStringSubmatch(tg.stderr.String(), -1)
	t.Logf("stopped %s after the start: %s", restarted.Sub(started).Round(time.Millisecond), left[len(left)-1][0])
	require.NotEqual(t, "0", left[len(left)-1][1], "stopped in the middle of the backfill")

	again := rig.startTelegraf(t)
	rig.waitForRunsAfter(t, again, time.Now().Add(frequency))
	again.stop(t)
	// Another Telegraf: the runs written in the minute before the stop are
	// written again, which InfluxDB overwrites.
	require.Contains(t, again.stderr.String(), "writing again the runs of")
	t.Logf("caught up %s after the restart", time.Since(restarted).Round(time.Millisecond))

	for _, p := range []*telegrafProcess{tg, again} {
		require.Empty(t, p.execdErrors())
		requireNoBufferOverflow(t, p)
		for _, line := range strings.Split(p.stderr.String(), "\n") {
			require.NotContains(t, line, "were lost", "the runs were stored; log:\n%s", p.stderr)
			if strings.Contains(line, "writing again") || backfill.MatchString(line) {
				t.Log(line)
			}
		}
	}

	// Every run from the first gather's window on, up to the newest stored,
	// is stored (InfluxDB keeps a run written twice once): nothing was lost
	// across the restart, nothing older than the window was written.
	// The first answer's window starts lookback before it.
	window := sim.Answers()[0].At.Add(-lookback)
	stored := db.storedRuns(t)
	served := sim.Served()
	total := 0
	for _, sc := range scenarios {
		id := strconv.FormatInt(sc.ID, 10)
		ts := stored[id]
		require.NotEmpty(t, ts, "scenario %s", id)
		// MIP's run keys are to the millisecond.
		require.True(t, ts[0].After(window.Add(-time.Millisecond)), "scenario %s: run %s is older than the window", id, ts[0])
		require.False(t, ts[0].After(runKeys(sc, window, window.Add(2*frequency))[0]), "scenario %s: the window's first run is stored", id)
		want := runKeys(sc, ts[0].Add(-time.Millisecond), ts[len(ts)-1])
		require.Equal(t, formatTimes(want), formatTimes(ts), "scenario %s: every run from the window's first to the newest stored", id)
		require.True(t, ts[len(ts)-1].After(restarted), "scenario %s: stored after the restart", id)
		var sent []time.Time
		for _, r := range served[sc.ID] {
			if r = r.Truncate(time.Millisecond); !r.Before(ts[0]) && !r.After(ts[len(ts)-1]) {
				sent = append(sent, r)
			}
		}
		require.Equal(t, formatTimes(sent), formatTimes(ts), "scenario %s: the runs stored are the runs the simulator served", id)
		total += len(ts)
	}
	t.Logf("%d runs stored", total)
}
