package ledger

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestResumeAheadOfTheClock(t *testing.T) {
	l := New(Config{Lookback: time.Hour, ClockSkew: time.Minute}, "r")
	year := 365 * 24 * time.Hour
	st := NewState()
	st.LastSuccess = at(0).Add(year)
	st.Scenarios["real"] = &Record{Watermark: at(-1), Settled: at(-2), Covered: at(0).Add(year), LastSeen: at(0).Add(year)}
	st.Scenarios["ahead"] = &Record{Watermark: at(5), Settled: at(4), Written: []time.Time{at(5)}, Covered: at(0).Add(year)}
	st.Scenarios["fine"] = &Record{Watermark: at(0.5), Settled: at(0.5)}
	st.Scenarios["written"] = &Record{Watermark: at(10), Settled: at(-70), Written: []time.Time{at(-60), at(-1), at(0.5), at(10)}}
	_, ahead := l.Restore(st, at(0))
	require.Equal(t, Ahead{By: year, Watermarks: 2}, ahead)
	safe := at(-55)
	require.Equal(t, safe, st.LastSuccess)
	require.Equal(t, Record{Watermark: at(-1), Settled: at(-2), Covered: safe, LastSeen: at(0)}, *st.Scenarios["real"])
	// Settled up to the safe point only: the runs since are owed again, but
	// those written.
	require.Equal(t, Record{Watermark: safe, Settled: safe, Covered: safe}, *st.Scenarios["ahead"])
	require.Equal(t, Record{Watermark: at(-1), Settled: at(-70), Written: []time.Time{at(-60), at(-1)}}, *st.Scenarios["written"])
	require.Equal(t, Record{Watermark: at(0.5), Settled: at(0.5)}, *st.Scenarios["fine"], "within the tolerance")
	w, capped := l.Window(at(0))
	require.Equal(t, time.Hour, w)
	require.False(t, capped)

	_, ahead = New(Config{Lookback: time.Hour, ClockSkew: time.Minute}, "r").Restore(st, at(0))
	require.Zero(t, ahead, "nothing ahead any more")
}
