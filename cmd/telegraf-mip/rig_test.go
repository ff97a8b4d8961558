//go:build !windows

package main

import (
	"fmt"
	"net/http/httptest"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/telegraf-mip/telegraf-mip/internal/mipsim"
)

// e2eRig is what an end-to-end test runs on: the simulator (in process, on
// loopback) serving its scenarios, a real InfluxDB, and the configuration of
// a real Telegraf whose inputs.execd runs telegraf-mip against the
// simulator and whose outputs.influxdb writes to InfluxDB, with Telegraf's
// default buffer and batch settings. Failures are injected through the
// simulator (SetOutage, SetScenarios) or the processes (SIGSTOP, kill).
type e2eRig struct {
	sim       *mipsim.Sim
	srv       *httptest.Server
	db        *influxDB
	scenarios []mipsim.Scenario
	conf      string // Telegraf's configuration
}

// rigOptions are what an end-to-end test changes in the rig.
type rigOptions struct {
	plugin []string         // more lines for the [[inputs.mip]] block
	args   []string         // more arguments for telegraf-mip
	clock  func() time.Time // the simulator's clock (the real one when nil)
	// health adds output_health_url and the documented health blocks
	// (examples/output-health.conf).
	health bool
}

// newRig starts the simulator with scenarios and InfluxDB, and writes the
// configuration of the Telegraf that startTelegraf runs.
func newRig(t testing.TB, scenarios []mipsim.Scenario, opts rigOptions) *e2eRig {
	t.Helper()
	r := &e2eRig{sim: mipsim.New(testKey, scenarios), db: startInfluxDB(t), scenarios: scenarios}
	if opts.clock != nil {
		r.sim.SetClock(opts.clock)
	}
	r.srv = httptest.NewServer(r.sim)
	t.Cleanup(r.srv.Close)
	output := influxDBOutput(r.db)
	plugin := opts.plugin
	if opts.health {
		addr := freeAddr(t)
		plugin = append(plugin, fmt.Sprintf("  output_health_url = %q", "http://"+addr))
		output += "\n\n" + healthBlocks(t, addr)
	}
	r.conf = telegrafConfigArgs(pluginConfig(t, r.srv.URL, plugin...), output, opts.args, "omit_hostname = true")
	return r
}

// startTelegraf starts a Telegraf with the rig's configuration.
func (r *e2eRig) startTelegraf(t testing.TB) *telegrafProcess {
	t.Helper()
	return startTelegraf(t, r.conf, "MIP_API_KEY="+testKey)
}

// storedCount is the number of runs (mip_scenario points) InfluxDB holds.
func (r *e2eRig) storedCount(t testing.TB) int64 {
	t.Helper()
	return r.db.count(t, `SELECT count("status_code") FROM "mip_scenario"`)
}

// waitWhileStoring waits until done holds, for as long as InfluxDB keeps
// storing runs: the deadline follows the work left, not the clock. It
// fails when no run was stored for stallLimit, or Telegraf exits.
func (r *e2eRig) waitWhileStoring(t testing.TB, tg *telegrafProcess, what string, done func() bool) {
	t.Helper()
	count, progress := r.storedCount(t), time.Now()
	for !done() {
		select {
		case err := <-tg.done:
			require.Failf(t, "telegraf exited", "waiting for %s: %v; log:\n%s", what, err, tg.stderr)
		case <-time.After(250 * time.Millisecond):
		}
		if n := r.storedCount(t); n != count {
			count, progress = n, time.Now()
		}
		if time.Since(progress) > stallLimit {
			require.Failf(t, "no progress", "waiting for %s: no run stored for %s (%d stored); telegraf log:\n%s", what, stallLimit, count, tg.stderr)
		}
	}
}

// runsStoredAfter tells whether InfluxDB holds, for every scenario of the
// rig, a run after the given time.
func (r *e2eRig) runsStoredAfter(t testing.TB, after time.Time) bool {
	t.Helper()
	newest := map[string]time.Time{}
	for _, s := range r.db.query(t, `SELECT last("status_code") FROM "mip_scenario" GROUP BY "scenario_id"`) {
		newest[s.Tags["scenario_id"]] = s.times(t)[0]
	}
	for _, sc := range r.scenarios {
		if !newest[strconv.FormatInt(sc.ID, 10)].After(after) {
			return false
		}
	}
	return true
}

// waitForRunsAfter waits until InfluxDB holds, for every scenario, a run
// after the given time, for as long as runs keep being stored.
func (r *e2eRig) waitForRunsAfter(t testing.TB, tg *telegrafProcess, after time.Time) {
	t.Helper()
	r.waitWhileStoring(t, tg, "a run of every scenario after "+after.Format(time.RFC3339Nano), func() bool {
		return r.runsStoredAfter(t, after)
	})
}

// waitForLines waits until Telegraf's log holds n lines matching re, for as
// long as new ones come: it fails when none came for stallLimit, or
// Telegraf exits.
func (p *telegrafProcess) waitForLines(t testing.TB, re *regexp.Regexp, n int) {
	t.Helper()
	seen, progress := 0, time.Now()
	for {
		found := len(re.FindAllString(p.stderr.String(), -1))
		if found >= n {
			return
		}
		if found != seen {
			seen, progress = found, time.Now()
		}
		if time.Since(progress) > stallLimit {
			require.Failf(t, "no progress", "%d of %d lines matching %s, none for %s; telegraf log:\n%s", found, n, re, stallLimit, p.stderr)
		}
		select {
		case err := <-p.done:
			require.Failf(t, "telegraf exited", "waiting for lines matching %s: %v; log:\n%s", re, err, p.stderr)
		case <-time.After(100 * time.Millisecond):
		}
	}
}
