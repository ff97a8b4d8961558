package mip

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/influxdata/telegraf"
	"github.com/influxdata/telegraf/testutil"
	"github.com/stretchr/testify/require"

	"github.com/telegraf-mip/telegraf-mip/internal/mipsim"
	"github.com/telegraf-mip/telegraf-mip/plugins/inputs/mip/ledger"
)

// progressV1 is an instance's entry in a state file of version 1, as
// telegraf-mip wrote it before version 2 (encoding/json of these maps).
type progressV1 struct {
	LastSuccess time.Time              `json:"last_success"`
	Watermarks  map[string]time.Time   `json:"watermarks"`
	Settled     map[string]time.Time   `json:"settled,omitempty"`
	Written     map[string][]time.Time `json:"written,omitempty"`
	Covered     map[string]time.Time   `json:"covered,omitempty"`
	LastSeen    map[string]time.Time   `json:"last_seen,omitempty"`
}

// writeV1 writes st as version 1 kept it: parallel maps by scenario id.
func writeV1(t *testing.T, path, key string, st *ledger.State) {
	t.Helper()
	pr := progressV1{LastSuccess: st.LastSuccess, Watermarks: map[string]time.Time{}, Settled: map[string]time.Time{},
		Written: map[string][]time.Time{}, Covered: map[string]time.Time{}, LastSeen: map[string]time.Time{}}
	for id, r := range st.Scenarios {
		if r.Known() {
			pr.Watermarks[id], pr.Settled[id] = r.Watermark, r.Settled
		}
		if len(r.Written) > 0 {
			pr.Written[id] = r.Written
		}
		if !r.Covered.IsZero() {
			pr.Covered[id] = r.Covered
		}
		pr.LastSeen[id] = r.LastSeen
	}
	b, err := json.Marshal(map[string]any{"version": 1, "instances": map[string]progressV1{key: pr}})
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, b, 0o600))
}

// TestUpgradeLosesAndRepeatsNoRun: a plugin stopped with a state file of
// version 1 (runs recorded late still awaited, a backlog left by
// max_points_per_gather), then started by this version, writes every run
// once.
func TestUpgradeLosesAndRepeatsNoRun(t *testing.T) {
	metrics := []mipsim.Metric{{Key: "m1", Alias: "Total", Unit: "ms"}}
	scenarios := append(scenariosForWatermarks(),
		mipsim.Scenario{ID: 9, Name: "late", Frequency: time.Minute, Phase: 7 * time.Second, Timeout: 10 * time.Minute,
			Durations: []time.Duration{7 * time.Minute, 10 * time.Second, 30 * time.Second}, Metrics: metrics})
	rig := newDeliveryRig(t, scenarios)
	configure := func(p *MIP) {
		p.FirstGather = firstGatherWindow
		p.MaxPointsPerGather = 60
		p.ReplayOnRestart = 0 // a replay repeats runs on purpose: not this test's subject
	}
	start := rig.clock.Now()
	p := rig.plugin(&testutil.CaptureLogger{}, configure)
	for range 2 {
		rig.gather(p)
		rig.clock.Advance(20 * time.Second)
	}
	require.True(t, p.behind(), "stopped in the middle of a backfill")
	p.Stop()
	writeV1(t, rig.state, p.instanceKey(), p.ledger.State())

	upgraded := rig.plugin(&testutil.CaptureLogger{}, configure)
	require.Equal(t, knownWatermarks(p.ledger.State()), watermarksOf(upgraded), "every watermark kept")
	for i := 0; i < 60; i++ {
		rig.gather(upgraded)
		rig.clock.Advance(20 * time.Second)
	}
	b, err := os.ReadFile(rig.state)
	require.NoError(t, err)
	require.Contains(t, string(b), `{"version":2,`)
	require.False(t, upgraded.behind())
	// Runs recorded late come after newer ones, and the newest may not be
	// recorded yet.
	rig.requireNoneLostNoneTwice(start.Add(-time.Hour), rig.clock.Now().Add(-10*time.Minute), false)
}

// requireNoneLostNoneTwice checks that every run of the simulator in
// (from, to] was delivered, and no run twice unless replayed is set.
func (r *deliveryRig) requireNoneLostNoneTwice(from, to time.Time, replayed bool) {
	r.t.Helper()
	for _, sc := range r.scenarios {
		id := strconv.FormatInt(sc.ID, 10)
		seen := map[time.Time]bool{}
		for _, ts := range r.delivered[id] {
			require.False(r.t, seen[ts] && !replayed, "scenario %s: run %s written twice", id, ts)
			seen[ts] = true
		}
		for _, run := range mipsim.Runs(sc, from, to) {
			require.True(r.t, seen[run.Time], "scenario %s: run %s lost", id, run.Time)
		}
	}
}

// TestNewerStateFileRefusedAtStart: a state file of a later format is left
// as it is and the plugin does not start, rather than lose its progress.
func TestNewerStateFileRefusedAtStart(t *testing.T) {
	for _, readOnly := range []bool{false, true} {
		path := filepath.Join(t.TempDir(), "mip.state")
		content := `{"version": 3, "instances": {}}`
		require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
		requireInitRefuses(t, "https://mip.example.com", func(p *MIP) {
			p.StateFile = path
			p.SetOptions(Options{ReadOnlyState: readOnly})
		}, "state file "+path+": written by a newer telegraf-mip: format version 3, this one reads up to 2; it is left as it is")
		after, err := os.ReadFile(path)
		require.NoError(t, err)
		require.Equal(t, content, string(after))
		aside, err := filepath.Glob(path + ".damaged-*")
		require.NoError(t, err)
		require.Empty(t, aside)
	}
}

// apiField returns a field of the mip_api point among points.
func apiField(t *testing.T, points []telegraf.Metric, field string) int64 {
	t.Helper()
	for _, m := range points {
		if m.Name() == "mip_api" {
			v, ok := m.GetField(field)
			require.True(t, ok, field)
			return v.(int64)
		}
	}
	t.Fatal("no mip_api point")
	return 0
}

// TestOnceUnderOneTelegrafWritesEachRunOnce is telegraf-mip -once run three
// times by inputs.exec of one Telegraf: the reader is the same, so no
// start replays, and every run is written once; mip_api counts them as
// new. A start under another Telegraf replays the last minute's runs,
// counted apart as replayed.
func TestOnceUnderOneTelegrafWritesEachRunOnce(t *testing.T) {
	rig := newDeliveryRig(t, scenariosForWatermarks())
	start := rig.clock.Now()
	sameTelegraf := func(p *MIP) { p.reader = func() string { return "linux:boot:4242:1000" } }
	newRuns := int64(0)
	for range 3 {
		log := &testutil.CaptureLogger{}
		p := rig.plugin(log, sameTelegraf, func(p *MIP) { p.FirstGather = firstGatherWindow })
		points := rig.gather(p)
		p.Stop()
		require.Zero(t, apiField(t, points, "runs_replayed"))
		newRuns += apiField(t, points, "runs")
		for _, m := range messages(log) {
			require.NotContains(t, m, "writing again")
		}
		rig.clock.Advance(6 * time.Second)
	}
	rig.requireNoneLostNoneTwice(start.Add(-time.Hour), rig.clock.Now().Add(-time.Minute), false)
	total := 0
	for _, ts := range rig.delivered {
		total += len(ts)
	}
	require.Equal(t, int64(total), newRuns, "mip_api counts each run once")

	// Telegraf restarted: another reader.
	log := &testutil.CaptureLogger{}
	p := rig.plugin(log, func(p *MIP) { p.reader = func() string { return "linux:boot:5151:2000" } })
	points := rig.gather(p)
	require.Contains(t, messages(log)[0], "writing again the runs of")
	replayed := apiField(t, points, "runs_replayed")
	require.Positive(t, replayed)
	written := int64(0)
	for _, m := range points {
		if m.Name() == "mip_scenario" {
			written++
		}
	}
	require.Equal(t, written, replayed+apiField(t, points, "runs"), "runs and runs_replayed add up to the runs written")
}

// TestSchemasShareAStateFile runs an InfluxDB, a Centreon and a "both"
// plugin of the same configuration on one state file, as blocks side by
// side: each keeps its own progress, so that none takes another's runs for
// its own. The InfluxDB block's entry is under the key the others had
// before the schema was part of it: saved by this version, it is not theirs
// to resume.
func TestSchemasShareAStateFile(t *testing.T) {
	srv := serveFixture(t, "details_basic.json")
	state := filepath.Join(t.TempDir(), "mip.state")
	influx := newPlugin(t, srv.URL, func(p *MIP) { p.StateFile = state })
	got, err := gather(t, influx)
	require.NoError(t, err)
	require.NotEmpty(t, runPointsOnly(got))
	for _, schema := range []string{schemaCentreon, schemaBoth} {
		p := newPlugin(t, srv.URL, centreon, func(p *MIP) {
			p.Schema = schema
			p.StateFile = state
		})
		got, err := gather(t, p)
		require.NoError(t, err)
		require.NotEmpty(t, runPointsOnly(got), "schema %q writes the runs the InfluxDB block wrote", schema)
		require.NotEqual(t, influx.instanceKey(), p.instanceKey())
	}
}

// TestUpgradeResumesAKeyWithoutSchema: a block with schema = "both",
// stopped with its progress under the key of the version before the
// schema was part of it, is resumed by this version and writes every run
// once, those of its stop included; it saves under its new key.
func TestUpgradeResumesAKeyWithoutSchema(t *testing.T) {
	rig := newDeliveryRig(t, scenariosForWatermarks())
	configure := func(p *MIP) {
		centreon(p)
		p.Schema = schemaBoth
		p.FirstGather = firstGatherWindow
		p.ReplayOnRestart = 0 // a replay repeats runs on purpose: not this test's subject
	}
	start := rig.clock.Now()
	p := rig.plugin(&testutil.CaptureLogger{}, configure)
	for range 3 {
		rig.gather(p)
		rig.clock.Advance(time.Minute)
	}
	p.Stop()
	saveWithoutSchema(t, rig.state, p)
	rig.clock.Advance(5 * time.Minute) // runs while stopped

	upgraded := rig.plugin(&testutil.CaptureLogger{}, configure)
	require.Equal(t, knownWatermarks(p.ledger.State()), watermarksOf(upgraded), "every watermark kept")
	for range 3 {
		rig.gather(upgraded)
		rig.clock.Advance(time.Minute)
	}
	rig.requireNoneLostNoneTwice(start, rig.clock.Now().Add(-time.Minute), false) // up to the last gather
	instances, err := ledger.Read(rig.state)
	require.NoError(t, err)
	require.Contains(t, instances, upgraded.instanceKey())
	require.Equal(t, ledger.KeyVersion, instances[upgraded.instanceKey()].KeyVersion)
}

// saveWithoutSchema rewrites the state file as the version before the
// schema was part of the key saved it: p's entry under p.legacyKey(),
// without key_version.
func saveWithoutSchema(t *testing.T, path string, p *MIP) {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var f struct {
		Version   int                       `json:"version"`
		Instances map[string]map[string]any `json:"instances"`
	}
	require.NoError(t, json.Unmarshal(b, &f))
	entry := f.Instances[p.instanceKey()]
	require.NotNil(t, entry)
	delete(entry, "key_version")
	delete(f.Instances, p.instanceKey())
	f.Instances[p.legacyKey()] = entry
	b, err = json.Marshal(f)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, b, 0o600))
}

// TestKeysOfEarlierVersionsStayValid: with the default schema, an
// instance's key is the one earlier versions saved its progress under
// (sha256 of the URL and filters, then "wide" for the wide layout), and
// that key is what a Centreon block resumes from once.
func TestKeysOfEarlierVersionsStayValid(t *testing.T) {
	p := New()
	p.URL = "https://mip.example.com/"
	p.ScenarioIDs = []int64{3, 1}
	p.ScenarioInclude = []string{"crm.*"}
	const narrow, wideKey = "222686366ac9ea5f5011186a", "0d6a269bb52a31a4aaa4e091"
	require.Equal(t, narrow, p.instanceKey())
	require.Empty(t, p.legacyKey(), "nothing to resume but its own key")
	p.MetricLayout = layoutWide
	require.Equal(t, wideKey, p.instanceKey())
	p.MetricLayout = layoutNarrow
	for _, schema := range []string{schemaCentreon, schemaBoth} {
		p.Schema = schema
		require.Equal(t, narrow, p.legacyKey())
		require.NotEqual(t, narrow, p.instanceKey())
	}
}
