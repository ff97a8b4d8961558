//go:build unix

package centreonplugin

import (
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/telegraf-mip/telegraf-mip/internal/mipsim"
)

// TestConcurrentChecksShareOneDownload starts many checks at once, as
// Centreon Engine runs the services of one poller: one of them downloads,
// the others wait for its answer (the lock) and read it from the cache.
// Without the lock (lockFile returning an error, as on systems without
// flock), each check whose cache is stale downloads: 24 requests.
func TestConcurrentChecksShareOneDownload(t *testing.T) {
	scenarios := mipsim.Generate(50, 4, time.Minute)
	s := newSimCheck(t, scenarios)
	now := time.Now()
	const checks = 24
	var wg sync.WaitGroup
	codes := make([]int, checks)
	outs := make([]string, checks)
	for i := range checks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i], outs[i] = s.check(now, "--filter-id=^"+strconv.FormatInt(scenarios[i].ID, 10)+"$")
		}()
	}
	wg.Wait()
	require.Equal(t, 1, s.sim.Requests(), "one MIP request for all the checks")
	for i := range checks {
		require.NotContains(t, outs[i], "No scenario found", "check %d", i)
		require.Contains(t, outs[i], "Scenario '", "check %d: %s", i, outs[i])
	}
	// Within the cache duration, later checks ask nothing either.
	_, out := s.check(now.Add(59 * time.Second))
	require.Equal(t, 1, s.sim.Requests(), out)
}
