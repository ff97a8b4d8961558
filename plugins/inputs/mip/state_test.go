package mip

import (
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/influxdata/telegraf/testutil"
	"github.com/stretchr/testify/require"

	"github.com/telegraf-mip/telegraf-mip/internal/mipsim"
	"github.com/telegraf-mip/telegraf-mip/plugins/inputs/mip/ledger"
)

// TestMain lets the test binary play a second process saving the state
// file (see TestConcurrentSavesAcrossProcesses).
func TestMain(m *testing.M) {
	if path := os.Getenv("MIP_TEST_STATE_SAVER"); path != "" {
		if err := saveRepeatedly(path, os.Getenv("MIP_TEST_STATE_KEY"), os.Getenv("MIP_TEST_STATE_OTHER")); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// concurrentSaves is how many times each instance saves in the
// concurrency tests.
const concurrentSaves = 100

// saveRepeatedly saves key's progress concurrentSaves times, the i-th save
// with LastSuccess at i seconds, while another instance, other, saves into
// the same file. After each save, the file must hold this save, and the
// other instance's entry must be no older than before: a lost update shows
// as one or the other going back.
//
// Each instance saves through its own stateStore, as a plugin does: the
// store's memory of the file it wrote must never hide the other's saves.
func saveRepeatedly(path, key, other string) error {
	st := ledger.NewState()
	store := ledger.Store{Path: path, Key: key}
	otherSaves := 0
	for i := 1; i <= concurrentSaves; i++ {
		st.LastSuccess = time.Unix(int64(i), 0).UTC()
		st.Scenarios[key] = &ledger.Record{Watermark: st.LastSuccess, Settled: st.LastSuccess}
		if err := store.Save(st, func(format string, args ...any) {
			panic(fmt.Sprintf("unexpected warning: "+format, args...))
		}); err != nil {
			return err
		}
		saves, err := savesOf(path)
		if err != nil {
			return err
		}
		if saves[key] != i || saves[other] < otherSaves {
			return fmt.Errorf("after save %d of %s: the file holds %v, %s had saved %d times before", i, key, saves, other, otherSaves)
		}
		otherSaves = saves[other]
	}
	return nil
}

// savesOf reads the state file, under its lock, and returns how many saves
// each instance made, from its LastSuccess.
func savesOf(path string) (map[string]int, error) {
	unlock, err := ledger.Lock(path)
	if err != nil {
		return nil, err
	}
	defer unlock()
	instances, err := ledger.Read(path)
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	for key, pr := range instances {
		out[key] = int(pr.LastSuccess.Unix())
	}
	return out, nil
}

// TestConcurrentSavesAcrossGoroutines: two instances sharing one state file
// save 100 times each at the same time; no save undoes the other's.
func TestConcurrentSavesAcrossGoroutines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mip.state")
	keys := []string{"instance-a", "instance-b"}
	errs := make([]error, len(keys))
	var wg sync.WaitGroup
	for n, key := range keys {
		wg.Go(func() { errs[n] = saveRepeatedly(path, key, keys[1-n]) })
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	saves, err := savesOf(path)
	require.NoError(t, err)
	require.Equal(t, map[string]int{"instance-a": concurrentSaves, "instance-b": concurrentSaves}, saves)
}

// TestConcurrentSavesAcrossProcesses: the same with two processes, as two
// telegraf-mip instances of one Telegraf sharing state_file.
func TestConcurrentSavesAcrossProcesses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mip.state")
	keys := []string{"process-a", "process-b"}
	cmds := make([]*exec.Cmd, 0, len(keys))
	for n, key := range keys {
		other := keys[1-n]
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "MIP_TEST_STATE_SAVER="+path, "MIP_TEST_STATE_KEY="+key, "MIP_TEST_STATE_OTHER="+other)
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		require.NoError(t, cmd.Start())
		cmds = append(cmds, cmd)
	}
	for _, cmd := range cmds {
		require.NoError(t, cmd.Wait())
	}
	saves, err := savesOf(path)
	require.NoError(t, err)
	require.Equal(t, map[string]int{"process-a": concurrentSaves, "process-b": concurrentSaves}, saves)
}

// TestForeignStateFileIsRefused: state_file naming a file that is not ours
// stops the start with a message naming it, and the file is left untouched.
func TestForeignStateFileIsRefused(t *testing.T) {
	for name, content := range map[string]string{
		"telegraf.conf":      "[agent]\n  interval = \"10s\"\n\n[[inputs.execd]]\n  command = [\"telegraf-mip\"]\n",
		"text":               "not json at all",
		"other JSON":         `{"name": "x", "instances": {}}`,
		"other version key":  `{"version": "3.8", "services": {}}`,
		"no instances":       `{"version": 1}`,
		"no instances, v2":   `{"version": 2}`,
		"JSON array":         `[{"version": 1, "instances": {}}]`,
		"broken other JSON":  `{"services": {"a": `,
		"binary":             "\x7fELF\x02\x01\x01\x00",
		"instances not maps": `{"version": 1, "instances": []}`,
	} {
		t.Run(name, func(t *testing.T) {
			for _, readOnly := range []bool{false, true} {
				path := filepath.Join(t.TempDir(), "telegraf.conf")
				require.NoError(t, os.WriteFile(path, []byte(content), 0o640))
				stat, err := os.Stat(path)
				require.NoError(t, err)

				requireInitRefuses(t, "https://mip.example.com", func(p *MIP) {
					p.StateFile = path
					p.SetOptions(Options{ReadOnlyState: readOnly})
				}, "state_file "+path+" exists and is not a telegraf-mip state file")

				after, err := os.ReadFile(path)
				require.NoError(t, err)
				require.Equal(t, content, string(after))
				stat2, err := os.Stat(path)
				require.NoError(t, err)
				require.Equal(t, stat.ModTime(), stat2.ModTime())
				require.Equal(t, os.FileMode(0o640), stat2.Mode().Perm())
				aside, err := filepath.Glob(path + ".damaged-*")
				require.NoError(t, err)
				require.Empty(t, aside)
			}
		})
	}
}

// TestStateFileThatCannotBeRead stops the start too: every later save would
// fail.
func TestStateFileThatCannotBeRead(t *testing.T) {
	dir := t.TempDir()
	requireInitRefuses(t, "https://mip.example.com", func(p *MIP) { p.StateFile = dir }, "state_file "+dir+" is a directory")
}

// TestEmptyStateFileIsAFirstStart: an empty file (touch) is no state yet.
func TestEmptyStateFileIsAFirstStart(t *testing.T) {
	for name, content := range map[string]string{"empty": "", "blank": " \n"} {
		t.Run(name, func(t *testing.T) {
			rig := newWatermarkRig(t)
			require.NoError(t, os.WriteFile(rig.state, []byte(content), 0o600))
			log := &testutil.CaptureLogger{}
			p := rig.plugin(log)
			require.Empty(t, log.Warnings())
			require.NoError(t, rig.gather(p))
			require.Empty(t, log.Warnings())
			instances, err := ledger.Read(rig.state)
			require.NoError(t, err)
			require.Len(t, knownWatermarks(instances[p.instanceKey()]), 3)
			aside, err := filepath.Glob(rig.state + ".damaged-*")
			require.NoError(t, err)
			require.Empty(t, aside)
		})
	}
}

// TestReadOnlyLeavesADamagedStateFile: telegraf-mip -test reports a damaged
// file but neither moves it nor writes anything beside a missing one.
func TestReadOnlyLeavesADamagedStateFile(t *testing.T) {
	rig := newWatermarkRig(t)
	readOnly := func(p *MIP) { p.SetOptions(Options{ReadOnlyState: true}) }

	rig.plugin(&testutil.CaptureLogger{}, readOnly)
	entries, err := os.ReadDir(filepath.Dir(rig.state))
	require.NoError(t, err)
	require.Empty(t, entries, "no state file, no lock file")

	damaged := `{"version": 1, "instances": {"abc": {"last_s`
	require.NoError(t, os.WriteFile(rig.state, []byte(damaged), 0o600))
	log := &testutil.CaptureLogger{}
	p := rig.plugin(log, readOnly)
	require.Len(t, log.Warnings(), 1)
	require.Contains(t, log.Warnings()[0], "state file "+rig.state+" is damaged")
	require.Contains(t, log.Warnings()[0], "left as it is (read-only)")
	require.NoError(t, rig.gather(p))
	after, err := os.ReadFile(rig.state)
	require.NoError(t, err)
	require.Equal(t, damaged, string(after))
}

// TestStateFileChangedUnderARunningPlugin: a file damaged after the start is
// set aside at the next save, with a warning; one replaced by a file of
// someone else's is not overwritten.
func TestStateFileChangedUnderARunningPlugin(t *testing.T) {
	rig := newWatermarkRig(t)
	log := &testutil.CaptureLogger{}
	p := rig.plugin(log)
	require.NoError(t, rig.gather(p))

	require.NoError(t, os.WriteFile(rig.state, []byte(`{"version": 1, "inst`), 0o600))
	rig.clock.Advance(time.Minute)
	require.NoError(t, rig.gather(p))
	require.Len(t, log.Warnings(), 1)
	require.Contains(t, log.Warnings()[0], "state file "+rig.state+" is damaged")
	require.Contains(t, log.Warnings()[0], "set aside as "+rig.state+".damaged-")
	instances, err := ledger.Read(rig.state)
	require.NoError(t, err)
	require.Len(t, knownWatermarks(instances[p.instanceKey()]), 3, "saved again, whole")

	toml := "[agent]\n  interval = \"10s\"\n"
	require.NoError(t, os.WriteFile(rig.state, []byte(toml), 0o600))
	rig.clock.Advance(time.Minute)
	require.ErrorContains(t, rig.gather(p), "not saving the state: state_file "+rig.state+" exists and is not a telegraf-mip state file")
	after, err := os.ReadFile(rig.state)
	require.NoError(t, err)
	require.Equal(t, toml, string(after))
}

// switchingMIP serves one simulator or another: scenarios deleted in MIP,
// then back.
type switchingMIP struct {
	mu      sync.Mutex
	current http.Handler
}

func (s *switchingMIP) set(h http.Handler) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.current = h
}

func (s *switchingMIP) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	h := s.current
	s.mu.Unlock()
	h.ServeHTTP(w, r)
}

// TestScenariosUnseenAreForgotten: a scenario that MIP stops listing keeps
// its watermark for lookback plus 5 minutes, then leaves the state file;
// back later, it is a new scenario whose runs in the window are written.
func TestScenariosUnseenAreForgotten(t *testing.T) {
	all := scenariosForWatermarks()
	rig := newDeliveryRig(t, all)
	fewer := mipsim.New(testKey, all[:2])
	fewer.SetClock(rig.clock.Now)
	mip := &switchingMIP{current: rig.sim}
	srv := httptest.NewServer(mip)
	t.Cleanup(srv.Close)
	log := &testutil.CaptureLogger{}
	p := rig.plugin(log, noReplay, func(p *MIP) { p.URL = srv.URL })

	stateOf := func() *ledger.State {
		t.Helper()
		instances, err := ledger.Read(rig.state)
		require.NoError(t, err)
		return instances[p.instanceKey()]
	}
	rig.gather(p)
	lastSeen := rig.clock.Now()
	require.Equal(t, map[string]time.Time{"1": lastSeen, "2": lastSeen, "3": lastSeen}, field(stateOf(), lastSeenOf))

	// Scenario 3 is deleted in MIP: kept for lookback (1h) plus 5 minutes.
	mip.set(fewer)
	for rig.clock.Now().Before(lastSeen.Add(time.Hour + 5*time.Minute)) {
		rig.clock.Advance(5 * time.Minute)
		rig.gather(p)
		pr := stateOf()
		require.Contains(t, knownWatermarks(pr), "3", "at %s", rig.clock.Now())
		require.Equal(t, lastSeen, pr.Scenarios["3"].LastSeen)
		require.Equal(t, rig.clock.Now(), pr.Scenarios["1"].LastSeen)
	}
	for _, m := range log.Messages() {
		require.NotContains(t, m.String(), "forgot", "nothing forgotten yet")
	}
	rig.clock.Advance(time.Second)
	rig.gather(p)
	pr := stateOf()
	require.Equal(t, []string{"1", "2"}, slices.Sorted(maps.Keys(knownWatermarks(pr))))
	require.Equal(t, []string{"1", "2"}, slices.Sorted(maps.Keys(field(pr, lastSeenOf))))
	require.Equal(t, []string{"1", "2"}, slices.Sorted(maps.Keys(field(pr, coveredOf))))
	require.NotContains(t, pr.Scenarios, "3", "no settled time, no run written")
	require.Contains(t, log.Messages()[len(log.Messages())-1].String(),
		"forgot 1 scenarios absent from MIP's answers for more than lookback (1h0m0s) plus 5m0s")

	// Back: its runs since the start of the window are written, once.
	before := len(rig.delivered["3"])
	mip.set(rig.sim)
	rig.clock.Advance(10 * time.Minute)
	window, _ := p.ledger.Window(rig.clock.Now())
	rig.gather(p)
	runs := mipsim.Runs(all[2], rig.clock.Now().Add(-window), rig.clock.Now())
	want := make([]time.Time, 0, len(runs))
	for _, run := range runs {
		want = append(want, run.Time)
	}
	require.NotEmpty(t, want)
	require.Equal(t, times(want), times(rig.delivered["3"][before:]))
	require.Contains(t, knownWatermarks(stateOf()), "3")
}

func lastSeenOf(r *ledger.Record) time.Time { return r.LastSeen }
func coveredOf(r *ledger.Record) time.Time  { return r.Covered }

// field returns one time of each record of a state that has it, by
// scenario.
func field(st *ledger.State, of func(*ledger.Record) time.Time) map[string]time.Time {
	out := map[string]time.Time{}
	for id, r := range st.Scenarios {
		if t := of(r); !t.IsZero() {
			out[id] = t
		}
	}
	return out
}
