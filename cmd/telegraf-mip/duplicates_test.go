package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestDuplicateMeasureIDs: one measure id three times in one answer (42,
// "42", 42), each entry with the same two runs and the last with a third:
// its first entry is read, the others are left out with one warning naming
// the id; the runs are written once, and a second -once with the state file
// (without replay_on_restart) writes none of them again.
func TestDuplicateMeasureIDs(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Second)
	key := func(ago time.Duration) string { return now.Add(-ago).Format(time.RFC3339) }
	runs := `"` + key(3*time.Minute) + `": {"state": {"type": "OK"}, "metrics": {"m": 1}}, ` +
		`"` + key(2*time.Minute) + `": {"state": {"type": "OK"}, "metrics": {"m": 2}}`
	entry := func(id, extra string) string {
		return fmt.Sprintf(`{"measure": {"id": %s, "name": "login", "frequency": 60, "timeout": 30}, `+
			`"metricInfo": {"m": {"alias": "Total", "unit": "ms"}}, "results": {%s%s}}`, id, runs, extra)
	}
	body := `{"results": [` + entry("42", "") + "," + entry(`"42"`, "") + "," +
		entry("42", `, "`+key(time.Minute)+`": {"state": {"type": "CRITICAL"}, "metrics": {"m": 3}}`) + "," + entry("43", "") + `]}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("MIP_API_KEY") != testKey {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Write([]byte(body)) //nolint:errcheck // the client is the test
	}))
	t.Cleanup(srv.Close)
	state := filepath.Join(t.TempDir(), "mip.state")
	conf := pluginConfig(t, srv.URL, fmt.Sprintf("  state_file = %q", state), `  first_gather = "window"`,
		`  replay_on_restart = "0s"`) // no replay: what a second run writes is what it owes

	r := runBinary(t, testKey, "-config", conf, "-once")
	require.Equal(t, 0, r.code, r.stderr)
	require.Equal(t, "W! scenario id 42 is sent 3 times in one answer: its first entry is read, the others are left out\n", r.stderr)
	written := map[string][]int64{}
	for _, m := range parseLines(t, r.stdout) {
		if m.Name() == "mip_scenario" {
			id, _ := m.GetTag("scenario_id")
			written[id] = append(written[id], m.Time().UnixNano())
		}
	}
	two := []int64{now.Add(-3 * time.Minute).UnixNano(), now.Add(-2 * time.Minute).UnixNano()}
	require.Equal(t, map[string][]int64{"42": two, "43": two}, written, "each run once, of the first entry")

	r = runBinary(t, testKey, "-config", conf, "-once")
	require.Equal(t, 0, r.code, r.stderr)
	require.NotContains(t, r.stdout, "mip_scenario", "nothing written again")
	require.Equal(t, 1, strings.Count(r.stderr, "scenario id 42 is sent 3 times"), r.stderr)
}
