package main

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/telegraf-mip/telegraf-mip/internal/mipsim"
)

// TestCentreonPathologicalRegexpEndsUnknown: a filter that backtracks
// catastrophically (about 2 s per name here: some 5 hours over 10,000
// scenarios) ends the real binary's check at its --timeout with UNKNOWN and
// a sentence naming the option, against the simulator's 10,000 scenarios;
// the other check of the same poller, with a Perl look-ahead, answers.
func TestCentreonPathologicalRegexpEndsUnknown(t *testing.T) {
	sim := mipsim.New(testKey, mipsim.Generate(10000, 1, 30*time.Minute))
	sim.SetClock(func() time.Time { return fixedNow })
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	host, port, _ := strings.Cut(strings.TrimPrefix(srv.URL, "http://"), ":")
	args := []string{"centreon", "--plugin=apps::monitoring::mip::restapi::plugin", "--mode=scenarios",
		"--hostname=" + host, "--port=" + port, "--proto=http", "--api-key=" + testKey,
		"--statefile-dir=" + t.TempDir(), "--timeout=3"}

	start := time.Now()
	r := runBinary(t, testKey, append(args, `--filter-name=^((\w+)+)+!`)...)
	elapsed := time.Since(start)
	require.Equal(t, 3, r.code, "%s", r.stdout)
	require.Equal(t, `UNKNOWN: --filter-name '^((\w+)+)+!' took too long to match (catastrophic backtracking): simplify it. `+"\n", r.stdout)
	t.Logf("ended after %s", elapsed)

	start = time.Now()
	r = runBinary(t, testKey, append(args, `--filter-name=^(?!scenario_0[0-8])scenario_0999[0-2]$`, "--filter-counters=^status$", "--verbose")...)
	require.Contains(t, []int{0, 1, 2, 3}, r.code)
	var checked []string
	for _, line := range strings.Split(r.stdout, "\n") {
		if name, ok := strings.CutPrefix(line, "checking scenario '"); ok {
			checked = append(checked, strings.TrimSuffix(name, "'"))
		}
	}
	require.Equal(t, []string{"scenario_09990", "scenario_09991", "scenario_09992"}, checked, "%s", r.stdout)
	require.NotContains(t, r.stdout, "too long")
	t.Logf("a look-ahead filter: %s", time.Since(start))
}
