package main

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/influxdata/telegraf"
	"github.com/stretchr/testify/require"
)

// TestTelegrafExecdToFile runs a real Telegraf whose inputs.execd drives
// telegraf-mip against the simulator, the way the README tells users to, and
// checks the points outputs.file writes.
func TestTelegrafExecdToFile(t *testing.T) {
	t.Parallel()
	sim, srv := startSim(t)
	out := filepath.Join(t.TempDir(), "metrics.out")
	conf := telegrafConfig(pluginConfig(t, srv.URL), fmt.Sprintf(`[[outputs.file]]
  files = [%q]
  data_format = "influx"`, out), "omit_hostname = true")
	tg := startTelegraf(t, conf, "MIP_API_KEY="+testKey)

	points := readPoints(t, tg, out, func(points []telegraf.Metric) bool {
		return len(scenariosIn(points)) == 5
	})
	tg.stop(t)

	// Telegraf gathered once or more: the newest runs arrive once.
	require.GreaterOrEqual(t, sim.Requests(), 1)
	requireNewestRuns(t, points)
	log := tg.stderr.String()
	require.Empty(t, tg.execdErrors(), "no error from our process reached Telegraf's log")
	require.NotContains(t, log, testKey)
}

func scenariosIn(points []telegraf.Metric) map[string]bool {
	names := map[string]bool{}
	for _, m := range points {
		if m.Name() == "mip_scenario" {
			name, _ := m.GetTag("scenario")
			names[name] = true
		}
	}
	return names
}
