//go:build unix

package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/telegraf-mip/telegraf-mip/internal/mipsim"
)

// TestREADMETelegrafCheck runs the check by hand of the README's "The
// Telegraf side" as it is written, through a real Telegraf, with the files
// that section recommends: its inputs.execd and health blocks in
// telegraf.d/mip.conf, its state_file and output_health_url in mip.conf,
// and an outputs.influxdb to a real InfluxDB in telegraf.conf. Only paths,
// the health endpoint's port and the key are substituted, and sudo dropped
// (the test's user owns the files). The plugin has a state file from an
// earlier run and MIP has newer runs: the check shows a new run of every
// scenario, although Telegraf's --test starts no output and the endpoint
// does not answer, and it leaves state_file as it was and InfluxDB empty.
func TestREADMETelegrafCheck(t *testing.T) {
	t.Parallel()
	readme := readRepo(t, "README.md")
	const heading = "## The Telegraf side"
	command := strings.TrimSpace(recipeScript(t, readme, heading))
	blocks := fencedBlocks(t, readme, heading, "toml")
	require.Len(t, blocks, 2, "the section's files: telegraf.d/mip.conf, then mip.conf's lines")

	start := fixedNow
	var now atomic.Pointer[time.Time]
	now.Store(&start)
	sim := mipsim.New(testKey, mipsim.Demo())
	sim.SetClock(func() time.Time { return *now.Load() })
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	db := startInfluxDB(t)

	dir := t.TempDir()
	etc := filepath.Join(dir, "etc", "telegraf")
	lib := filepath.Join(dir, "var", "lib", "telegraf")
	bin := filepath.Join(dir, "bin")
	for _, d := range []string{filepath.Join(etc, "telegraf.d"), lib, bin} {
		require.NoError(t, os.MkdirAll(d, 0o750))
	}
	require.NoError(t, os.Symlink(telegrafBinary(t), filepath.Join(bin, "telegraf")))
	health := freeAddr(t)
	place := func(text string) string {
		return strings.NewReplacer(
			"/usr/bin/telegraf-mip", binary,
			"/etc/telegraf", etc,
			"/var/lib/telegraf", lib,
			"127.0.0.1:8081", health,
		).Replace(text)
	}
	for _, s := range []string{"/usr/bin/telegraf-mip", "/etc/telegraf/mip.conf", "127.0.0.1:8081"} {
		require.Contains(t, blocks[0], s, "the execd and health blocks no longer use %s", s)
	}
	for _, s := range []string{"/var/lib/telegraf/", "127.0.0.1:8081"} {
		require.Contains(t, blocks[1], s, "mip.conf's lines no longer use %s", s)
	}
	require.NoError(t, os.WriteFile(filepath.Join(etc, "telegraf.d", "mip.conf"), []byte(place(blocks[0])), 0o600))
	mipConf := filepath.Join(etc, "mip.conf")
	require.NoError(t, os.WriteFile(mipConf, []byte("[[inputs.mip]]\n  url = \""+srv.URL+"\"\n  api_key = \"${MIP_API_KEY}\"\n"+place(blocks[1])), 0o600))
	// telegraf.conf as the README asks it to be: an output that keeps
	// internal_write out.
	require.NoError(t, os.WriteFile(filepath.Join(etc, "telegraf.conf"), []byte("[agent]\n  omit_hostname = true\n\n"+
		influxDBOutput(db)+"\n  namedrop = [\"internal_write\"]\n"), 0o600))

	stateFile := earlierRun(t, mipConf, lib, health)
	before, err := os.ReadFile(stateFile)
	require.NoError(t, err)
	later := start.Add(20 * time.Minute) // a new run of every demo scenario (every 5 to 15 min)
	now.Store(&later)

	command = substitute(t, "check", command,
		"sudo -u telegraf ", "",
		"MIP_API_KEY=...", `MIP_API_KEY="$TEST_MIP_API_KEY"`,
		"/etc/telegraf", etc)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-euo", "pipefail", "-c", command)
	cmd.Env = append(os.Environ(), "TEST_MIP_API_KEY="+testKey, "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	requireTelegrafTestOK(t, cmd.Run(), stderr.String())
	require.NotContains(t, stdout.String()+stderr.String(), testKey)

	shown := map[string]bool{}
	for _, line := range strings.Split(stdout.String(), "\n") {
		if !strings.HasPrefix(line, "> mip_scenario,") {
			continue
		}
		for _, m := range parseLines(t, strings.TrimPrefix(line, "> ")) {
			if m.Time().After(start) {
				id, _ := m.GetTag("scenario_id")
				shown[id] = true
			}
		}
	}
	for _, sc := range mipsim.Demo() {
		require.True(t, shown[strconv.FormatInt(sc.ID, 10)], "no run of scenario %d after the earlier run shown;\nstdout:\n%s\nstderr:\n%s",
			sc.ID, stdout.String(), stderr.String())
	}
	require.Contains(t, stderr.String(), "TELEGRAF_MIP_DRY_RUN is set: a dry run")
	require.Contains(t, stderr.String(), "nothing answers at output_health_url")
	after, err := os.ReadFile(stateFile)
	require.NoError(t, err)
	require.Equal(t, string(before), string(after), "the check moved state_file")
	require.Empty(t, db.storedRuns(t), "the check wrote to InfluxDB")
}

// earlierRun runs telegraf-mip -once with mip.conf, whose state_file is in
// lib, while an endpoint at health answers 200, as Telegraf's
// outputs.health does when its output has room, and returns the state
// file it wrote.
func earlierRun(t *testing.T, mipConf, lib, health string) string {
	t.Helper()
	l, err := net.Listen("tcp", health)
	require.NoError(t, err)
	room := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	room.Listener.Close()
	room.Listener = l
	room.Start()
	r := runBinary(t, testKey, "-config", mipConf, "-once")
	room.Close()
	require.Equal(t, 0, r.code, r.stderr)
	require.Contains(t, r.stdout, "mip_scenario,", r.stderr)
	paths, err := filepath.Glob(filepath.Join(lib, "*.state"))
	require.NoError(t, err)
	require.Len(t, paths, 1, "the state file -once wrote")
	return paths[0]
}
