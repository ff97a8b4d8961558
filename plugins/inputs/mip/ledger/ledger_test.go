package ledger

import (
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var t0 = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

// at is t0 plus minutes.
func at(minutes float64) time.Time {
	return t0.Add(time.Duration(minutes * float64(time.Minute)))
}

func TestRecordAdvanceKeepsTheInvariant(t *testing.T) {
	tests := []struct {
		name     string
		rec      Record
		mark     time.Time
		settled  time.Time
		horizon  time.Duration
		wrote    []time.Time
		notAfter time.Time
		want     Record
	}{
		{
			name: "first runs: settled up to the horizon before the newest",
			mark: at(10), horizon: 5 * time.Minute, wrote: []time.Time{at(2), at(6), at(10)},
			want: Record{Watermark: at(10), Settled: at(5), Written: []time.Time{at(6), at(10)}},
		},
		{
			name: "a late run fills a gap: the watermark stays",
			rec:  Record{Watermark: at(10), Settled: at(5), Written: []time.Time{at(6), at(10)}},
			mark: at(10), settled: at(5), horizon: 5 * time.Minute, wrote: []time.Time{at(8)},
			want: Record{Watermark: at(10), Settled: at(5), Written: []time.Time{at(6), at(8), at(10)}},
		},
		{
			name: "the horizon passes: older runs written are settled",
			rec:  Record{Watermark: at(10), Settled: at(5), Written: []time.Time{at(6), at(8), at(10)}},
			mark: at(20), settled: at(5), horizon: 5 * time.Minute, wrote: []time.Time{at(20)},
			want: Record{Watermark: at(20), Settled: at(15), Written: []time.Time{at(20)}},
		},
		{
			name: "a scenario back after a gap settles nothing past what it had",
			rec:  Record{Watermark: at(10), Settled: at(5)},
			mark: at(20), settled: at(5), horizon: 5 * time.Minute, wrote: []time.Time{at(20)}, notAfter: at(6),
			want: Record{Watermark: at(20), Settled: at(6), Written: []time.Time{at(20)}},
		},
		{
			name: "never settled past the watermark, never back",
			rec:  Record{Watermark: at(10), Settled: at(9)},
			mark: at(3), settled: at(30),
			want: Record{Watermark: at(10), Settled: at(10)},
		},
		{
			name: "a run written twice is kept once",
			mark: at(4), settled: at(1), wrote: []time.Time{at(2), at(4), at(2)}, horizon: time.Hour,
			want: Record{Watermark: at(4), Settled: at(1), Written: []time.Time{at(2), at(4)}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.rec.advance(tt.mark, tt.settled, tt.horizon, tt.wrote, tt.notAfter)
			require.Equal(t, tt.want, got)
			require.True(t, got.Valid())
		})
	}
}

func TestRecordValid(t *testing.T) {
	require.True(t, (&Record{}).Valid())
	require.True(t, (&Record{Covered: at(1), LastSeen: at(1)}).Valid())
	require.False(t, (&Record{Settled: at(1)}).Valid(), "settled without a watermark")
	require.False(t, (&Record{Watermark: at(1), Settled: at(2)}).Valid(), "settled after the watermark")
	require.False(t, (&Record{Watermark: at(3), Settled: at(1), Written: []time.Time{at(1)}}).Valid(), "a run written at settled")
	require.False(t, (&Record{Watermark: at(3), Settled: at(1), Written: []time.Time{at(4)}}).Valid(), "a run written after the watermark")
	require.False(t, (&Record{Watermark: at(3), Settled: at(1), Written: []time.Time{at(3), at(2)}}).Valid(), "unsorted")
}

// gather is one gather on a fake clock: for each scenario, the runs the
// response holds; it writes those owed, each of points points, and
// returns them.
type gatherSpec struct {
	now     time.Time
	runs    map[string][]time.Time
	points  int
	horizon time.Duration
	cut     bool // the response is not read whole
}

func run(l *Ledger, g gatherSpec) (*Pass, map[string][]time.Time) {
	p := l.Begin(g.now)
	written := map[string][]time.Time{}
	for _, id := range slices.Sorted(mapsKeys(g.runs)) {
		s := p.Scenario(id, g.horizon, 1)
		owed := s.Owed()
		var candidates []time.Time
		for _, r := range g.runs[id] {
			if r.After(owed.After) && !r.After(owed.Until) {
				candidates = append(candidates, r)
			}
		}
		slices.SortFunc(candidates, time.Time.Compare)
		if owed.NewestOnly && len(candidates) > 0 {
			candidates = candidates[len(candidates)-1:]
		}
		candidates = slices.DeleteFunc(candidates, func(t time.Time) bool { return !s.Owes(t) })
		for i, r := range candidates {
			if !s.Take(g.points) {
				s.Defer(r, len(candidates)-i)
				break
			}
			s.Wrote(r, g.points)
			written[id] = append(written[id], r)
		}
		s.Close()
	}
	if !g.cut {
		p.Complete()
	}
	return p, written
}

func mapsKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// every returns a run a minute from from to to.
func every(from, to time.Time) []time.Time {
	var out []time.Time
	for t := from; !t.After(to); t = t.Add(time.Minute) {
		out = append(out, t)
	}
	return out
}

func TestCommitIsTheOnlyChange(t *testing.T) {
	l := New(Config{Lookback: time.Hour, Replay: time.Minute, NewestFirst: true}, "telegraf-1")
	p, written := run(l, gatherSpec{now: at(0), runs: map[string][]time.Time{"1": every(at(-30), at(0))}, points: 1, horizon: time.Minute})
	require.Equal(t, map[string][]time.Time{"1": {at(0)}}, written, `"latest": the newest run only`)
	_, known := l.Record("1")
	require.False(t, known, "nothing changes before the commit")
	require.True(t, l.State().LastSuccess.IsZero())

	l.Commit(p)
	r, _ := l.Record("1")
	require.Equal(t, at(0), r.Watermark)
	require.Equal(t, at(0), r.Settled, "the older runs are left out on purpose")
	require.Equal(t, at(0), l.State().LastSuccess)
}

func TestOwedRunsAcrossGathers(t *testing.T) {
	tests := []struct {
		name      string
		cfg       Config
		gathers   []gatherSpec
		want      []time.Time // every run written, in order
		behindOne bool        // after the first gather
	}{
		{
			name: "window mode writes every run once",
			cfg:  Config{Lookback: time.Hour},
			gathers: []gatherSpec{
				{now: at(0), runs: map[string][]time.Time{"1": every(at(-5), at(0))}, points: 1, horizon: time.Minute},
				{now: at(3), runs: map[string][]time.Time{"1": every(at(-5), at(3))}, points: 1, horizon: time.Minute},
			},
			want: every(at(-5), at(3)),
		},
		{
			name: "a run recorded late, before the watermark, is written once",
			cfg:  Config{Lookback: time.Hour},
			gathers: []gatherSpec{
				{now: at(0), runs: map[string][]time.Time{"1": {at(-5), at(-1)}}, points: 1, horizon: 10 * time.Minute},
				{now: at(1), runs: map[string][]time.Time{"1": {at(-5), at(-3), at(-1)}}, points: 1, horizon: 10 * time.Minute},
				{now: at(2), runs: map[string][]time.Time{"1": {at(-5), at(-3), at(-1), at(1)}}, points: 1, horizon: 10 * time.Minute},
			},
			want: []time.Time{at(-5), at(-1), at(-3), at(1)},
		},
		{
			name: "the budget defers runs, the next gathers write them in order",
			cfg:  Config{Lookback: time.Hour, MaxPoints: 3},
			gathers: []gatherSpec{
				{now: at(0), runs: map[string][]time.Time{"1": every(at(-7), at(0))}, points: 1, horizon: time.Minute},
				{now: at(0.1), runs: map[string][]time.Time{"1": every(at(-7), at(0))}, points: 1, horizon: time.Minute},
				{now: at(0.2), runs: map[string][]time.Time{"1": every(at(-7), at(0))}, points: 1, horizon: time.Minute},
				{now: at(0.3), runs: map[string][]time.Time{"1": every(at(-7), at(0))}, points: 1, horizon: time.Minute},
			},
			want:      every(at(-7), at(0)),
			behindOne: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := New(tt.cfg, "r")
			var all []time.Time
			for i, g := range tt.gathers {
				p, written := run(l, g)
				l.Commit(p)
				all = append(all, written["1"]...)
				if i == 0 {
					require.Equal(t, tt.behindOne, l.Behind())
				}
				r, _ := l.Record("1")
				require.True(t, r.Valid(), "%+v", r)
			}
			require.Equal(t, tt.want, all)
		})
	}
}

// TestReplayOnlyForAnotherReader: the journal is rewound at a start under
// another reader, or one unknown, and not under the same one.
func TestReplayOnlyForAnotherReader(t *testing.T) {
	for _, tt := range []struct {
		name, reader string
		replayed     int
	}{
		{"same reader", "telegraf-1", 0},
		{"another reader", "telegraf-2", 1},
		{"unknown reader", "", 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			l := New(Config{Lookback: time.Hour, Replay: time.Minute}, "telegraf-1")
			runs := map[string][]time.Time{"1": every(at(-3), at(0))}
			p, _ := run(l, gatherSpec{now: at(0), runs: runs, points: 1, horizon: time.Minute})
			l.Commit(p)
			runs["1"] = append(runs["1"], at(0.5))
			p, _ = run(l, gatherSpec{now: at(0.75), runs: runs, points: 1, horizon: time.Minute})
			l.Commit(p)
			require.Len(t, l.State().Journal, 2)
			require.Equal(t, "telegraf-1", l.State().Journal[1].Reader)

			restarted := New(Config{Lookback: time.Hour, Replay: time.Minute}, tt.reader)
			replayed, _ := restarted.Restore(l.State(), at(1))
			require.Equal(t, tt.replayed, replayed)
			p, written := run(restarted, gatherSpec{now: at(1), runs: runs, points: 1, horizon: time.Minute})
			replayedRuns := 0
			if tt.replayed > 0 {
				require.Equal(t, every(at(-3), at(0)), written["1"][:4], "the journal's runs again")
				replayedRuns = 5
			} else {
				require.Empty(t, written["1"])
			}
			_, again := p.Runs()
			require.Equal(t, replayedRuns, again)
		})
	}
}

func TestJournalKeepsReplayOnly(t *testing.T) {
	l := New(Config{Lookback: time.Hour, Replay: time.Minute}, "r")
	for i := range 5 {
		now := at(float64(i))
		p, _ := run(l, gatherSpec{now: now, runs: map[string][]time.Time{"1": {now}}, points: 1, horizon: time.Minute})
		l.Commit(p)
	}
	require.Len(t, l.State().Journal, 1, "gathers older than a minute leave the journal")
	require.Equal(t, at(4), l.State().Journal[0].At)
}

// TestForgetPrunesEveryTrace: records and the journal's; a scenario from a
// file without last_seen counts as seen at the first gather after the
// start; an incomplete response (zero cutoff) forgets nothing.
func TestForgetPrunesEveryTrace(t *testing.T) {
	long := t0.Add(-2 * time.Hour)
	st := NewState()
	st.Scenarios = map[string]*Record{
		"gone":         {Watermark: t0, Settled: t0, Written: []time.Time{t0}, Covered: t0, LastSeen: long},
		"old-file":     {Watermark: t0, Settled: t0},
		"listed":       {Watermark: t0, Settled: t0, Written: []time.Time{t0}, Covered: t0, LastSeen: long},
		"no-runs-gone": {Covered: t0, LastSeen: long},
	}
	st.Journal = []Entry{
		{At: t0, Before: map[string]Before{"gone": {Watermark: t0}, "listed": {Watermark: t0}}},
		{At: t0, Before: map[string]Before{"gone": {Watermark: t0}}},
	}
	now := t0.Add(time.Minute)
	seen := map[string]time.Duration{"listed": 0, "no-runs": 0}

	require.Zero(t, st.forget(seen, now, time.Time{}), "no cutoff: nothing forgotten")
	require.Len(t, st.Scenarios, 5)

	require.Equal(t, 2, st.forget(seen, now, now.Add(-65*time.Minute)))
	require.Equal(t, []string{"listed", "no-runs", "old-file"}, slices.Sorted(mapsKeys(st.Scenarios)))
	require.Equal(t, Record{Watermark: t0, Settled: t0, Written: []time.Time{t0}, Covered: t0, LastSeen: now}, *st.Scenarios["listed"])
	require.Equal(t, now, st.Scenarios["old-file"].LastSeen)
	require.Equal(t, map[string]Before{"listed": {Watermark: t0}}, st.Journal[0].Before)
	require.Empty(t, st.Journal[1].Before)

	// The old file's scenario and the one without runs, never listed
	// again, go 65 minutes later.
	later := now.Add(65*time.Minute + time.Second)
	require.Equal(t, 2, st.forget(map[string]time.Duration{"listed": 0}, later, later.Add(-65*time.Minute)))
	require.Equal(t, []string{"listed"}, slices.Sorted(mapsKeys(st.Scenarios)))
	require.Equal(t, later, st.Scenarios["listed"].LastSeen)
}

func TestBacklogCountsGathersLeft(t *testing.T) {
	tests := []struct {
		name      string
		limit     int
		scenarios int
	}{
		{name: "every scenario behind", limit: 10, scenarios: 2},
		// The first gather of a window backfill writes a few scenarios
		// whole: their runs are no steady share the next gathers must
		// leave them (the estimate was 9 gathers where 4 followed).
		{name: "some scenarios caught up at once", limit: 30, scenarios: 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := New(Config{Lookback: time.Hour, MaxPoints: tt.limit}, "r")
			runs := make(map[string][]time.Time)
			for i := range tt.scenarios {
				runs[strconv.Itoa(i+1)] = every(at(-19), at(0))
			}
			p, _ := run(l, gatherSpec{now: at(0), runs: runs, points: 1, horizon: time.Minute})
			l.Commit(p)
			estimate := l.Backlog().Gathers
			gathers := 0
			for ; l.Behind(); gathers++ {
				require.Less(t, gathers, 40)
				p, _ := run(l, gatherSpec{now: at(0.1 * float64(gathers+1)), runs: runs, points: 1, horizon: time.Minute})
				l.Commit(p)
			}
			require.InDelta(t, gathers, estimate, 1, "the first estimate of the gathers left")
		})
	}
}

// TestBacklogAfterRestartUsesTheLayoutsPointsPerRun restores a backlog,
// before any run is written: the gathers left are counted with the points
// a run is expected to bring, one in the wide layout, not the narrow
// layout's eight.
func TestBacklogAfterRestartUsesTheLayoutsPointsPerRun(t *testing.T) {
	for guess, gathers := range map[float64]int{0: 16, 1: 2} {
		l := New(Config{Lookback: time.Hour, MaxPoints: 50, PointsPerRun: guess}, "r")
		st := NewState()
		st.Backlog = &Left{Runs: 100, Scenarios: []string{"1", "2"}}
		l.Restore(st, at(0))
		require.Equal(t, gathers, l.Backlog().Gathers, "points per run %v", guess)
	}
}

// TestWindowReachesTheOldestRunOwed: a first answer cut (a gather timeout)
// leaves a scenario's runs owed, its oldest run within seconds of lookback,
// and no success to start the next window from: the next windows reach
// that run, in whole seconds (MIP's relative times count seconds, and a
// pass must know the window asked), also after another cut answer that did
// not list the scenario.
func TestWindowReachesTheOldestRunOwed(t *testing.T) {
	l := New(Config{Lookback: 10 * time.Minute, MaxPoints: 10}, "r")
	oldest := at(-9.99)
	runs := map[string][]time.Time{"a": every(oldest, at(0)), "b": every(oldest, at(0))}
	p, written := run(l, gatherSpec{now: at(0), runs: runs, points: 1, horizon: time.Minute, cut: true})
	require.Len(t, written["a"], 10)
	require.Empty(t, written["b"], "left for later")
	l.Commit(p)
	require.True(t, l.State().LastSuccess.IsZero(), "no answer read whole")

	reaches := func(now time.Time) {
		t.Helper()
		w, capped := l.Window(now)
		require.False(t, capped)
		require.Zero(t, w%time.Second, "whole seconds: %s", w)
		require.False(t, now.Add(-w).After(oldest.Add(-LateSlack)), "the window %s reaches the oldest run owed", w)
	}
	reaches(at(0.25))
	p, _ = run(l, gatherSpec{now: at(0.25), runs: map[string][]time.Time{"a": every(oldest, at(0.25))}, points: 1, horizon: time.Minute, cut: true})
	l.Commit(p)
	require.True(t, l.Behind(), "a cut answer keeps the backlog of the scenarios it did not list")
	reaches(at(9))
}
