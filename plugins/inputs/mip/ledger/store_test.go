package ledger

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestStateLockHeldTooLong: a save waits for another instance's lock, but
// not forever.
func TestStateLockHeldTooLong(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mip.state")
	unlock, err := Lock(path)
	require.NoError(t, err)
	go func() {
		time.Sleep(100 * time.Millisecond)
		unlock()
	}()
	start := time.Now()
	require.NoError(t, (&Store{Path: path, Key: "k"}).Save(NewState(), t.Errorf), "waits for the lock")
	require.GreaterOrEqual(t, time.Since(start), 100*time.Millisecond)

	held, err := Lock(path)
	require.NoError(t, err)
	defer held()
	defer func(wait time.Duration) { LockWait = wait }(LockWait)
	LockWait = 200 * time.Millisecond
	err = (&Store{Path: path, Key: "k"}).Save(NewState(), t.Errorf)
	require.EqualError(t, err, "state file "+path+": another process has held "+path+".lock for more than 200ms")
}

// TestManyScenariosOnceShrinkBack: after one answer listing a hundred
// thousand measures, the state file is back to the size of the real ones
// once they are forgotten.
func TestManyScenariosOnceShrinkBack(t *testing.T) {
	st := NewState()
	seen := map[string]time.Duration{}
	for i := range 100_000 {
		id := strconv.Itoa(i)
		st.Scenarios[id] = &Record{Watermark: t0, Settled: t0}
		seen[id] = 0
	}
	st.forget(seen, t0, time.Time{})
	store := &Store{Path: filepath.Join(t.TempDir(), "mip.state"), Key: "k"}
	require.NoError(t, store.Save(st, t.Errorf))

	st.Scenarios["real"] = &Record{Watermark: t0, Settled: t0}
	later := t0.Add(66 * time.Minute)
	require.Equal(t, 100_000, st.forget(map[string]time.Duration{"real": 0}, later, later.Add(-65*time.Minute)))
	require.NoError(t, store.Save(st, t.Errorf))
	info, err := os.Stat(store.Path)
	require.NoError(t, err)
	require.Less(t, info.Size(), int64(300))
}

// TestStateFileIsDeterministic: the same state makes the same bytes, its
// members and keys in a fixed order, whatever order its maps were filled in.
func TestStateFileIsDeterministic(t *testing.T) {
	fill := func(ids ...string) map[string]*State {
		st := NewState()
		st.LastSuccess = t0
		for _, id := range ids {
			st.Scenarios[id] = &Record{Watermark: t0, Settled: t0.Add(-time.Minute), Written: []time.Time{t0}, Covered: t0, LastSeen: t0}
		}
		st.Journal = []Entry{{At: t0, Reader: "linux:b:1:2", Before: map[string]Before{"2": {Watermark: at(-1), Settled: at(-2)}}}}
		return map[string]*State{"k": st, "a": NewState()}
	}
	a, err := encode(fill("1", "2", "10", "x"), 0)
	require.NoError(t, err)
	b, err := encode(fill("x", "10", "2", "1"), 0)
	require.NoError(t, err)
	require.Equal(t, string(a), string(b))
	record := `{"watermark":"2026-11-25T10:00:00Z","settled":"2026-11-25T09:59:00Z",` +
		`"written":["2026-11-25T10:00:00Z"],"covered":"2026-11-25T10:00:00Z","last_seen":"2026-11-25T10:00:00Z"}`
	want := `{"version":2,"instances":{"a":{"scenarios":{}},"k":{"last_success":"2026-11-25T10:00:00Z","scenarios":{` +
		`"1":` + record + `,"10":` + record + `,"2":` + record + `,"x":` + record + `},` +
		`"journal":[{"at":"2026-11-25T10:00:00Z","reader":"linux:b:1:2",` +
		`"before":{"2":{"watermark":"2026-11-25T09:59:00Z","settled":"2026-11-25T09:58:00Z"}}}]}}}`
	require.Equal(t, want, string(a))

	path := filepath.Join(t.TempDir(), "mip.state")
	require.NoError(t, os.WriteFile(path, a, 0o600))
	back, err := Read(path)
	require.NoError(t, err)
	require.Equal(t, fill("1", "2", "10", "x"), back)
}

// v1File is a state file of version 1 as telegraf-mip wrote it before
// version 2: parallel maps, settled times and runs written only for some
// scenarios, a journal ("recent") of what the gathers changed.
const v1File = `{"version":1,"instances":{"abc":{"last_success":"2026-11-25T10:00:00Z",` +
	`"watermarks":{"1":"2026-11-25T09:59:00Z","2":"2026-11-25T09:58:30.5Z","3":"2026-11-25T09:40:00Z"},` +
	`"settled":{"1":"2026-11-25T09:54:00Z","2":"2026-11-25T09:58:30.5Z"},` +
	`"written":{"1":["2026-11-25T09:56:00Z","2026-11-25T09:59:00Z"]},` +
	`"covered":{"1":"2026-11-25T10:00:00Z","2":"2026-11-25T10:00:00Z","3":"2026-11-25T09:45:00Z"},` +
	`"recent":[{"at":"2026-11-25T10:00:00Z","last_success":"2026-11-25T09:59:00Z","watermarks":{"1":"2026-11-25T09:58:00Z"},` +
	`"settled":{"1":"2026-11-25T09:53:00Z"},"written":{"1":["2026-11-25T09:56:00Z","2026-11-25T09:58:00Z"]}}],` +
	`"last_seen":{"1":"2026-11-25T10:00:00Z","2":"2026-11-25T10:00:00Z","3":"2026-11-25T09:45:00Z","4":"2026-11-25T10:00:00Z"}}}}`

// TestUpgradeFromVersion1 keeps every watermark, settled time, run written,
// coverage and journal entry of a version 1 file, and the next save writes
// version 2.
func TestUpgradeFromVersion1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mip.state")
	require.NoError(t, os.WriteFile(path, []byte(v1File), 0o600))
	st, err := Load(path, "abc", "", false)
	require.NoError(t, err)
	ts := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339Nano, s)
		require.NoError(t, err)
		return v
	}
	want := &State{
		LastSuccess: ts("2026-11-25T10:00:00Z"),
		Scenarios: map[string]*Record{
			"1": {Watermark: ts("2026-11-25T09:59:00Z"), Settled: ts("2026-11-25T09:54:00Z"),
				Written: []time.Time{ts("2026-11-25T09:56:00Z"), ts("2026-11-25T09:59:00Z")},
				Covered: ts("2026-11-25T10:00:00Z"), LastSeen: ts("2026-11-25T10:00:00Z")},
			"2": {Watermark: ts("2026-11-25T09:58:30.5Z"), Settled: ts("2026-11-25T09:58:30.5Z"),
				Covered: ts("2026-11-25T10:00:00Z"), LastSeen: ts("2026-11-25T10:00:00Z")},
			// No settled time: the watermark is settled, as version 1 read it.
			"3": {Watermark: ts("2026-11-25T09:40:00Z"), Settled: ts("2026-11-25T09:40:00Z"),
				Covered: ts("2026-11-25T09:45:00Z"), LastSeen: ts("2026-11-25T09:45:00Z")},
			"4": {LastSeen: ts("2026-11-25T10:00:00Z")},
		},
		Journal: []Entry{{At: ts("2026-11-25T10:00:00Z"), LastSuccess: ts("2026-11-25T09:59:00Z"), Before: map[string]Before{
			"1": {Watermark: ts("2026-11-25T09:58:00Z"), Settled: ts("2026-11-25T09:53:00Z"),
				Written: []time.Time{ts("2026-11-25T09:56:00Z"), ts("2026-11-25T09:58:00Z")}},
		}}},
	}
	require.Equal(t, want, st)

	require.NoError(t, (&Store{Path: path, Key: "abc"}).Save(st, t.Errorf))
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Contains(t, string(b), `{"version":2,`)
	again, err := Load(path, "abc", "", true)
	require.NoError(t, err)
	want.KeyVersion = KeyVersion // saved by this version
	require.Equal(t, want, again)
}

// TestNewerVersionIsRefused: a state file of a format this version does not
// know is left as it is, not set aside as damaged, and nothing starts.
func TestNewerVersionIsRefused(t *testing.T) {
	for _, readOnly := range []bool{false, true} {
		path := filepath.Join(t.TempDir(), "mip.state")
		content := `{"version": 3, "instances": {"abc": {"records": []}}}`
		require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
		_, err := Load(path, "abc", "", readOnly)
		require.ErrorIs(t, err, ErrNewer)
		require.NotErrorIs(t, err, ErrDamaged)
		require.EqualError(t, err, "state file "+path+": written by a newer telegraf-mip: format version 3, this one reads up to 2; "+
			"it is left as it is: run that version, or point state_file at another file to start without its progress")
		err = (&Store{Path: path, Key: "abc"}).Save(NewState(), t.Errorf)
		require.ErrorIs(t, err, ErrNewer, "nor is it overwritten later")
		b, rerr := os.ReadFile(path)
		require.NoError(t, rerr)
		require.Equal(t, content, string(b))
		aside, gerr := filepath.Glob(path + ".damaged-*")
		require.NoError(t, gerr)
		require.Empty(t, aside)
	}
}

// TestRecordBreakingTheInvariantIsDamage: a version 2 file whose record
// settles past its watermark is not ours as written: damaged.
func TestRecordBreakingTheInvariantIsDamage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mip.state")
	content := `{"version":2,"instances":{"k":{"scenarios":{"1":{"watermark":"2026-11-25T10:00:00Z","settled":"2026-11-25T10:01:00Z"}}}}}`
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	_, err := Read(path)
	require.ErrorIs(t, err, ErrDamaged)
	require.ErrorContains(t, err, "scenario 1: settled after the watermark")
}

// BenchmarkEncode is the state file's bytes after a gather of 10,000
// scenarios, without the write.
func BenchmarkEncode(b *testing.B) {
	instances := map[string]*State{"k": benchState()}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := encode(instances, 0); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSave is the save after a gather of 10,000 scenarios.
func BenchmarkSave(b *testing.B) {
	st := benchState()
	store := &Store{Path: filepath.Join(b.TempDir(), "mip.state"), Key: "k"}
	b.ReportAllocs()
	for b.Loop() {
		if err := store.Save(st, b.Errorf); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoad reads the state file of 10,000 scenarios, as a start does.
func BenchmarkLoad(b *testing.B) {
	store := &Store{Path: filepath.Join(b.TempDir(), "mip.state"), Key: "k"}
	require.NoError(b, store.Save(benchState(), b.Errorf))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(store.Path, "k", "", false); err != nil {
			b.Fatal(err)
		}
	}
}

func benchState() *State {
	st := NewState()
	before := Entry{At: t0, Before: map[string]Before{}}
	for i := range 10000 {
		id := strconv.Itoa(100000 + i)
		st.Scenarios[id] = &Record{Watermark: t0, Settled: at(-1), Written: []time.Time{t0}, Covered: t0, LastSeen: t0}
		before.Before[id] = Before{Watermark: at(-1), Settled: at(-2)}
	}
	st.Journal = []Entry{before}
	return st
}
