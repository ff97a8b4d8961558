package centreonplugin

import (
	"bytes"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/telegraf-mip/telegraf-mip/internal/mipsim"
)

// readSwitchState reads a switch_<step>_state.txt golden: the state file's
// name (with <port>) and its runs by scenario id.
func readSwitchState(t *testing.T, step string) (string, map[string]any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(goldenDir, "switch_"+step+"_state.txt"))
	require.NoError(t, err)
	name, content, ok := strings.Cut(strings.TrimRight(string(b), "\n"), "\n")
	require.True(t, ok, "switch_%s_state.txt: a name, then the content", step)
	var runs map[string]any
	require.NoError(t, json.Unmarshal([]byte(content), &runs))
	return name, runs
}

// TestSwitchAndSwitchBack follows docs/centreon-plugin.md's "Switch and
// switch back" with --memory on one state directory and the same
// arguments: the Perl plugin ran first (switch_1, a real run made by
// scripts/centreon-goldens.sh on the simulator's answer at 10:00), then
// this command at 10:00 and at 10:01, then the Perl plugin again at 10:01
// (switch_4, read from the state this command left). This command reports
// no run the Perl plugin reported, and leaves the state file the Perl
// plugin would have: MIP's keys as MIP wrote them (with their
// milliseconds), so that the Perl plugin reports no run twice either.
func TestSwitchAndSwitchBack(t *testing.T) {
	srv := goldenServer(t)
	_, port, err := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	require.NoError(t, err)
	state := t.TempDir()
	args := []string{"--plugin=" + PluginName, "--hostname=127.0.0.1", "--port=" + port, "--proto=http",
		"--statefile-dir=" + state, "--mode=scenarios", "--memory", "--verbose"}

	// 1. The Perl plugin's state after its check at 10:00.
	name, perlRuns := readSwitchState(t, "1")
	file := filepath.Join(state, strings.Replace(name, "_<port>_", "_"+port+"_", 1))
	b, err := json.Marshal(perlRuns)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(file, b, 0o600))

	for _, step := range []struct{ name, key string }{{"2", "switch1"}, {"3", "switch2"}} {
		var out bytes.Buffer
		code := Run(append(args, "--api-key="+step.key), &out, &out)
		got := strings.TrimSuffix(out.String(), "\n") + "\nexit " + strconv.Itoa(code) + "\n"
		want, err := os.ReadFile(filepath.Join(goldenDir, "switch_"+step.name+"_ours.txt"))
		require.NoError(t, err)
		require.Equal(t, string(want), got, "step %s", step.name)
		require.NotContains(t, got, "UNKNOWN", "step %s", step.name)

		_, wantRuns := readSwitchState(t, step.name)
		b, err := os.ReadFile(file)
		require.NoError(t, err)
		var gotRuns map[string]any
		require.NoError(t, json.Unmarshal(b, &gotRuns))
		require.Equal(t, wantRuns, gotRuns, "step %s: the state file the Perl plugin reads next", step.name)
	}
	// Step 2 saw the Perl plugin's runs again: nothing new, as the Perl
	// plugin would have said.
	two, err := os.ReadFile(filepath.Join(goldenDir, "switch_2_ours.txt"))
	require.NoError(t, err)
	require.Equal(t, 5, strings.Count(string(two), "status: noNewValue"))
	_, after2 := readSwitchState(t, "2")
	require.Equal(t, perlRuns, after2, "this command's state, on the Perl plugin's data, is the Perl plugin's")

	// 4. The Perl plugin, back, read that state: no run twice, no UNKNOWN.
	four, err := os.ReadFile(filepath.Join(goldenDir, "switch_4_perl.txt"))
	require.NoError(t, err)
	require.Equal(t, 5, strings.Count(string(four), "status: noNewValue"), "%s", four)
	require.NotContains(t, string(four), "UNKNOWN")
	require.True(t, strings.HasSuffix(string(four), "exit 0\n"))
}

// TestMemoryKeepsMIPKeys: --memory saves each scenario's newest run under
// the key MIP sent (the simulator writes milliseconds, as MIP 6.4 does),
// not as a time written again.
func TestMemoryKeepsMIPKeys(t *testing.T) {
	s := newSimCheck(t, mipsim.Demo())
	s.check(time.Now(), "--memory") // the states vary with the clock
	files, err := filepath.Glob(filepath.Join(s.state, "mip_scenarios_*"))
	require.NoError(t, err)
	require.Len(t, files, 1)
	b, err := os.ReadFile(files[0])
	require.NoError(t, err)
	var runs map[string]string
	require.NoError(t, json.Unmarshal(b, &runs))
	require.Len(t, runs, 5)
	for id, key := range runs {
		_, err := time.Parse("2006-01-02T15:04:05.000Z", key)
		require.NoError(t, err, "scenario %s: %q is not MIP's key", id, key)
	}
}

// TestMemoryReadsItsOldState: a state file written by this command before
// it kept MIP's keys (RFC 3339 times without the milliseconds) still
// tells the same runs apart: no run is reported twice after an upgrade.
func TestMemoryReadsItsOldState(t *testing.T) {
	m := &memory{saved: map[string]*string{}}
	old := "2026-11-25T09:55:17Z"
	m.saved["101"] = &old
	require.True(t, m.seen("101", "2026-11-25T09:55:17.000Z"))
	require.False(t, m.seen("101", "2026-11-25T10:00:17.000Z"))
	require.False(t, m.seen("102", "2026-11-25T09:55:17.000Z"))
}

// TestCacheDurationFromEnvironment: TELEGRAF_MIP_CACHE_DURATION sets the
// shared cache's duration without an option the Perl plugin refuses;
// --cache-duration, when given, wins; a bad value is an UNKNOWN naming it.
func TestCacheDurationFromEnvironment(t *testing.T) {
	s := newSimCheck(t, mipsim.Demo())
	now := time.Now()
	t.Setenv(CacheDurationVariable, "0")
	s.check(now)
	s.check(now)
	require.Equal(t, 2, s.sim.Requests(), "0: no cache")

	t.Setenv(CacheDurationVariable, "3600")
	s.check(now)
	s.check(now.Add(30 * time.Minute))
	require.Equal(t, 3, s.sim.Requests(), "3600: one download for both")
	s.check(now, "--cache-duration=0")
	require.Equal(t, 4, s.sim.Requests(), "the option wins")

	t.Setenv(CacheDurationVariable, "soon")
	code, out := s.check(now)
	require.Equal(t, 3, code)
	require.Equal(t, "UNKNOWN: Bad value provided for environment variable TELEGRAF_MIP_CACHE_DURATION: 'soon'. "+
		"It must be a number of seconds, 0 for no cache. \n", out)
}
