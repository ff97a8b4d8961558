package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/telegraf-mip/telegraf-mip/internal/mipsim"
)

// TestDemoTour checks that -demo's stdout is line protocol only and that its
// stderr says, per measurement, how many points stdout holds.
func TestDemoTour(t *testing.T) {
	r := runBinary(t, "", "-demo")
	require.Equal(t, 0, r.code, r.stderr)
	points := parseLines(t, r.stdout)
	require.Len(t, points, strings.Count(r.stdout, "\n"), "every stdout line is a point")
	counts := map[string]int{}
	scenarios := map[string]bool{}
	for _, m := range points {
		counts[m.Name()]++
		if id, ok := m.GetTag("scenario_id"); ok {
			scenarios[id] = true
		}
	}
	require.Len(t, scenarios, len(mipsim.Demo()))
	require.Contains(t, r.stderr, fmt.Sprintf("%d points of InfluxDB line protocol about %d scenarios and %d runs\n",
		len(points), len(scenarios), counts["mip_scenario"]))
	require.Len(t, counts, len(measurementRoles), "every measurement printed is explained")
	for _, m := range measurementRoles {
		require.NotZero(t, counts[m.name], m.name)
		require.Regexp(t, `(?m)^  `+m.name+` +`+strconv.Itoa(counts[m.name])+`  \S`, r.stderr)
	}
	require.Contains(t, r.stderr, "plugins/inputs/mip/README.md, section Metrics")
	readme, err := os.ReadFile(filepath.Join("..", "..", "plugins", "inputs", "mip", "README.md"))
	require.NoError(t, err)
	require.Contains(t, string(readme), "\n## Metrics\n")
	require.Contains(t, r.stderr, "MIP_API_KEY=demo-key go run ./cmd/mipsim -listen "+demoSimListen+"\n")
	require.Contains(t, r.stderr, "[[inputs.execd]]")
	require.Contains(t, r.stderr, "telegraf --config telegraf.conf "+demoTelegrafTest+"\n")
}

func TestPointTallyJoinsSplitLines(t *testing.T) {
	var out bytes.Buffer
	tally := newPointTally(&out)
	lp := "mip_scenario,display_name=a\\ b\\,c,scenario_id=7 status=\"OK\" 1\n" +
		"mip_metric,metric=x\\ y,scenario_id=7,unit=ms value=1 1\n" +
		"mip_metric,scenario_id=8 value=2 1\n" +
		"mip_api,source=s points=3i 2\n"
	for i := 0; i < len(lp); i += 5 {
		_, err := tally.Write([]byte(lp[i:min(i+5, len(lp))]))
		require.NoError(t, err)
	}
	require.Equal(t, lp, out.String())
	require.Equal(t, map[string]int{"mip_scenario": 1, "mip_metric": 2, "mip_api": 1}, tally.points)
	require.Equal(t, map[string]bool{"7": true, "8": true}, tally.scenarios)
}

// TestDemoNextStepUnderTelegraf runs the tour's next step as printed, with
// the test's simulator and binary in place of cmd/mipsim and ./telegraf-mip:
// Telegraf's --test with --test-wait shows the points.
func TestDemoNextStepUnderTelegraf(t *testing.T) {
	t.Parallel()
	_, srv := startSim(t)
	pluginConf := strings.Replace(demoPluginConf, "http://"+demoSimListen, srv.URL, 1)
	require.NotEqual(t, demoPluginConf, pluginConf)
	mipConf := writeFile(t, "mip.conf", pluginConf)
	execdConf := strings.Replace(demoExecdConf, `"./telegraf-mip", "-config", "mip.conf"`,
		fmt.Sprintf("%q, \"-config\", %q", binary, mipConf), 1)
	require.NotEqual(t, demoExecdConf, execdConf)
	conf := writeFile(t, "telegraf.conf", execdConf)

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	args := append([]string{"--config", conf}, strings.Fields(demoTelegrafTest)...)
	cmd := exec.CommandContext(ctx, telegrafBinary(t), args...)
	cmd.Env = append(os.Environ(), "MIP_API_KEY="+testKey)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	requireTelegrafTestOK(t, cmd.Run(), stderr.String())
	require.NotContains(t, stdout.String()+stderr.String(), testKey)
	for _, sc := range mipsim.Demo() {
		require.Regexp(t, `(?m)^> mip_scenario,.*scenario_id=`+strconv.FormatInt(sc.ID, 10)+`[, ]`, stdout.String(), stderr.String())
	}
	require.Regexp(t, `(?m)^> mip_api,`, stdout.String())
}
