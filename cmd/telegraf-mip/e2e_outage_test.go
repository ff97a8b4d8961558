//go:build !windows

package main

import (
	"fmt"
	"os"
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

// outageLoad is the outage tests' load: 300 scenarios of 5 metrics with a
// run every 5 s, gathered every second, write about 660 points a second,
// so Telegraf's default 10,000-point buffer lasts about 15 s of an output
// outage.
const (
	outageScenarios = 300
	outageFrequency = 5 * time.Second
)

// healthBlocks returns examples/output-health.conf, the documented
// inputs.internal and outputs.health blocks, with the endpoint on addr.
func healthBlocks(t testing.TB, addr string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "examples", "output-health.conf"))
	require.NoError(t, err)
	const documented = "127.0.0.1:8081"
	require.Contains(t, string(b), `service_address = "http://`+documented+`"`)
	return strings.ReplaceAll(string(b), documented, addr)
}

// TestOutputOutageLosesNoRun stops InfluxDB (SIGSTOP) for longer than
// Telegraf's memory buffer lasts at this load, then resumes it, under a real
// Telegraf with its default [agent] buffer settings. With
// output_health_url and the documented health blocks, the plugin holds its
// gathers while the output has no room: every run the simulator served,
// from the first stored on, is in InfluxDB, and Telegraf drops nothing.
// Without it, the same outage overflows Telegraf's buffer and runs are
// lost: the scenario is hard enough. The outage lasts until what it must
// cause is seen, not for a set time: Telegraf dropping more than the
// points of a gather beside its runs without the endpoint, the plugin's
// hold (one W! line, after 30 s) with it.
func TestOutputOutageLosesNoRun(t *testing.T) {
	t.Parallel()
	t.Run("without output_health_url", func(t *testing.T) {
		t.Parallel()
		_, missing := outputOutage(t, false, overflowDroppedRuns)
		require.Positive(t, missing, "runs were lost")
	})
	t.Run("with output_health_url", func(t *testing.T) {
		t.Parallel()
		tg, missing := outputOutage(t, true, func(log string) bool { return strings.Contains(log, "not gathering for ") })
		requireNoBufferOverflow(t, tg)
		require.Zero(t, missing)
		log := tg.stderr.String()
		for _, line := range strings.Split(log, "\n") {
			if strings.Contains(line, "output has") || strings.Contains(line, "backfill") {
				t.Log(line)
			}
		}
		require.Equal(t, 1, strings.Count(log, "not gathering for "), "one warning per hold:\n%s", log)
		require.Equal(t, 1, strings.Count(log, "Telegraf's output has room again after "), log)
	})
}

// overflowDroppedRuns tells whether Telegraf's log says its buffer dropped
// more points than one gather writes beside its runs (a mip_freshness point
// per scenario and mip_api): the oldest points go first, and a first
// overflow can drop only those, losing no run.
func overflowDroppedRuns(log string) bool {
	dropped := 0
	for _, m := range regexp.MustCompile(`Metric buffer overflow; (\d+) metrics have been dropped`).FindAllStringSubmatch(log, -1) {
		n, err := strconv.Atoi(m[1])
		if err == nil {
			dropped += n
		}
	}
	return dropped > 2*(outageScenarios+1)
}

// outputOutage runs the outage, which ends once Telegraf's log shows
// outcome, and returns Telegraf, stopped, and the number of runs served but
// missing from InfluxDB, per scenario from its first stored run to its
// last; each scenario's stored runs must be among those served, once.
func outputOutage(t *testing.T, health bool, outcome func(log string) bool) (*telegrafProcess, int) {
	// A gather's timeout far above its work on a busy machine: a gather
	// cut by it is an error line, and delivery is what is tested (at load
	// 70 on 2 cores, answers took over the default 60 s).
	rig := newRig(t, mipsim.Generate(outageScenarios, 5, outageFrequency), rigOptions{health: health, plugin: []string{`  timeout = "10m"`}})
	tg := rig.startTelegraf(t)
	rig.waitForRunsAfter(t, tg, time.Now())

	require.NoError(t, syscall.Kill(rig.db.pid, syscall.SIGSTOP))
	resumed := false
	resume := func() {
		if !resumed {
			require.NoError(t, syscall.Kill(rig.db.pid, syscall.SIGCONT))
			resumed = true
		}
	}
	t.Cleanup(resume)
	stopped := time.Now()
	for !outcome(tg.stderr.String()) {
		select {
		case err := <-tg.done:
			require.Failf(t, "telegraf exited", "during the outage: %v; log:\n%s", err, tg.stderr)
		case <-time.After(100 * time.Millisecond):
		}
		// A bound for a test gone wrong only: the outcome comes after
		// about 15 s (the buffer) or 30 s (the hold) on an idle machine.
		require.Less(t, time.Since(stopped), 10*time.Minute, "the outage's outcome is not in Telegraf's log; log:\n%s", tg.stderr)
	}
	resume()
	resumedAt := time.Now()
	t.Logf("InfluxDB stopped for %s", resumedAt.Sub(stopped).Round(time.Second))
	// MIP records no run after a period past the outage: the catch-up has
	// an end even on a machine too slow to keep up with this load.
	frozen := resumedAt.Add(5*time.Second + outageFrequency)
	rig.sim.SetClock(func() time.Time {
		if now := time.Now(); now.Before(frozen) {
			return now
		}
		return frozen
	})

	// Caught up when every scenario has a run stored from after the
	// outage: the plugin writes each scenario's runs oldest first.
	rig.waitForRunsAfter(t, tg, resumedAt.Add(5*time.Second))
	tg.stop(t)
	require.Empty(t, tg.execdErrors())

	served := rig.sim.Served()
	stored := rig.db.storedRuns(t)
	missing := 0
	for _, sc := range rig.scenarios {
		ts := stored[strconv.FormatInt(sc.ID, 10)]
		var want []string
		for _, r := range served[sc.ID] {
			r = r.Truncate(time.Millisecond) // MIP's run keys, as the simulator writes them
			if !r.Before(ts[0]) && !r.After(ts[len(ts)-1]) {
				want = append(want, r.UTC().Format(time.RFC3339Nano))
			}
		}
		got := formatTimes(ts)
		require.Subset(t, want, got, "scenario %d: every stored run was served", sc.ID)
		missing += len(want) - len(got)
		if health {
			require.Equal(t, want, got, "scenario %d: every run served from the first stored on, once", sc.ID)
		}
	}
	t.Logf("%d runs served and not stored", missing)
	return tg, missing
}

// TestDiskBufferIsAnAgentSetting holds docs/outages.md's advice on
// Telegraf's disk buffer to the real Telegraf: its [agent] block turns the
// write-ahead log on (a warning, a directory per output), and the same keys
// on an output block are ignored without a word.
func TestDiskBufferIsAnAgentSetting(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "outages.md"))
	require.NoError(t, err)
	var agent string
	for _, block := range strings.Split(string(doc), "```toml\n")[1:] {
		block, _, _ = strings.Cut(block, "```")
		if strings.Contains(block, "buffer_strategy") {
			agent = block
		}
	}
	require.True(t, strings.HasPrefix(agent, "[agent]\n"), "docs/outages.md shows buffer_strategy in an [agent] block: %q", agent)
	const documentedDir = `buffer_directory = "/var/lib/telegraf/buffer"`
	require.Contains(t, agent, documentedDir)
	// Telegraf runs until its file output has written, then stops as a
	// service does (1.37.2 panics at the end of --once with the disk buffer).
	run := func(agentBlock, outputKeys string) string {
		t.Helper()
		out := filepath.Join(t.TempDir(), "metrics.out")
		conf := agentBlock + `  interval = "1s"
  flush_interval = "1s"
  omit_hostname = true

[[inputs.internal]]
  collect_memstats = false

[[outputs.file]]
  files = [` + strconv.Quote(out) + `]
` + outputKeys
		tg := startTelegraf(t, conf)
		require.Eventually(t, func() bool {
			b, err := os.ReadFile(out)
			return err == nil && len(b) > 0
		}, 30*time.Second, 100*time.Millisecond, "telegraf log:\n%s", tg.stderr)
		tg.stop(t)
		return tg.stderr.String()
	}

	inAgent := t.TempDir()
	log := run(strings.Replace(agent, documentedDir, fmt.Sprintf("buffer_directory = %q", inAgent), 1), "")
	require.Contains(t, log, "W! Using disk-write-through buffer strategy for plugin outputs.file, this is an experimental feature")
	entries, err := os.ReadDir(inAgent)
	require.NoError(t, err)
	require.Len(t, entries, 1, "the output's write-ahead log")
	require.True(t, entries[0].IsDir())

	onOutput := t.TempDir()
	log = run("[agent]\n", fmt.Sprintf("  buffer_strategy = \"disk\"\n  buffer_directory = %q\n", onOutput))
	require.NotContains(t, log, "disk-write-through")
	require.NotContains(t, log, "buffer_strategy")
	entries, err = os.ReadDir(onOutput)
	require.NoError(t, err)
	require.Empty(t, entries, "no write-ahead log: the memory buffer")
}
