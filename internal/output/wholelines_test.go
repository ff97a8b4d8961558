package output

import (
	"bytes"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/influxdata/telegraf"
	"github.com/influxdata/telegraf/metric"
	"github.com/stretchr/testify/require"

	"github.com/telegraf-mip/telegraf-mip/internal/stderrlog"
)

// recordingWriter keeps each write apart; gate, when set, holds every
// write until a value arrives.
type recordingWriter struct {
	mu     sync.Mutex
	writes [][]byte
	gate   chan struct{}
}

func (rw *recordingWriter) Write(b []byte) (int, error) {
	if rw.gate != nil {
		<-rw.gate
	}
	rw.mu.Lock()
	defer rw.mu.Unlock()
	rw.writes = append(rw.writes, bytes.Clone(b))
	return len(b), nil
}

func (rw *recordingWriter) all() string {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	return string(bytes.Join(rw.writes, nil))
}

// TestWritesAreWholeLines: every write to the output is whole lines of at
// most AtomicWrite bytes, which a pipe takes whole; a longer line goes
// alone, in parts, and the buffer never cuts a line between two writes.
func TestWritesAreWholeLines(t *testing.T) {
	var rw recordingWriter
	pw := NewWriter(&rw, stderrlog.New(io.Discard, telegraf.Info))
	at := time.Unix(1795600800, 0)
	long := strings.Repeat("x", 3*AtomicWrite)
	var want int
	for i := range 20000 {
		text := "short"
		if i%997 == 0 {
			text = long
		}
		pw.Write(metric.New("m", map[string]string{"i": "v"}, map[string]any{"text": text}, at))
		want++
	}
	require.NoError(t, pw.Flush())
	require.Equal(t, want, strings.Count(rw.all(), "\n"))
	longParts := 0
	for i, w := range rw.writes {
		require.LessOrEqual(t, len(w), AtomicWrite)
		if bytes.HasSuffix(w, []byte("\n")) {
			continue
		}
		// A part of a long line: the line goes on in the next write, which
		// holds nothing of another line before its end.
		longParts++
		require.Less(t, i+1, len(rw.writes))
		next := rw.writes[i+1]
		if j := bytes.IndexByte(next, '\n'); j >= 0 {
			require.Equal(t, len(next)-1, j, "a long line's end is written alone")
		}
	}
	require.Positive(t, longParts)
}

// TestStopEndsAtALineBoundary: a stop during a gather's flush lets the
// write under way end, begins no other, and counts the lines written.
func TestStopEndsAtALineBoundary(t *testing.T) {
	rw := recordingWriter{gate: make(chan struct{})}
	pw := NewWriter(&rw, stderrlog.New(io.Discard, telegraf.Info))
	for _, m := range samplePoints(1000) { // less than the buffer: written at the flush
		pw.Write(m)
	}
	flushed := make(chan error, 1)
	go func() { flushed <- pw.Flush() }()
	rw.gate <- struct{}{} // the first write goes out; the next waits
	require.Eventually(t, func() bool { return pw.lines.lines.Load() > 0 }, 5*time.Second, time.Millisecond)
	require.True(t, pw.Blocked())

	written, queued, cut := pw.Stop(time.Second)
	require.Equal(t, int64(1000), queued, "points taken")
	require.False(t, cut)
	require.Equal(t, strings.Count(string(rw.writes[0]), "\n"), int(written), "the lines of the first write")
	close(rw.gate) // a write under way ends; no other begins
	require.ErrorIs(t, <-flushed, ErrStopped)
	require.LessOrEqual(t, len(rw.writes), 2, "at most the write under way at the stop")
	out := rw.all()
	require.True(t, strings.HasSuffix(out, "\n"))
	require.Less(t, strings.Count(out, "\n"), 1000)
}

// TestStopFinishesALongLine: a stop while a line longer than AtomicWrite is
// half written waits for its end.
func TestStopFinishesALongLine(t *testing.T) {
	rw := recordingWriter{gate: make(chan struct{})}
	pw := NewWriter(&rw, stderrlog.New(io.Discard, telegraf.Info))
	pw.Write(metric.New("m", nil, map[string]any{"text": strings.Repeat("x", 3*AtomicWrite)}, time.Unix(1, 0)))
	pw.Write(metric.New("m", nil, map[string]any{"text": "after"}, time.Unix(2, 0)))
	flushed := make(chan error, 1)
	go func() { flushed <- pw.Flush() }()
	rw.gate <- struct{}{} // the first part of the long line
	require.Eventually(t, func() bool { return pw.lines.partial.Load() }, 5*time.Second, time.Millisecond)

	stopped := make(chan bool, 1)
	go func() {
		written, _, cut := pw.Stop(5 * time.Second)
		stopped <- cut || written != 1
	}()
	require.Eventually(t, pw.lines.stopping.Load, 5*time.Second, time.Millisecond)
	for range 3 { // the rest of the long line
		rw.gate <- struct{}{}
	}
	require.False(t, <-stopped, "the long line finished, counted, not cut")
	close(rw.gate)
	require.ErrorIs(t, <-flushed, ErrStopped)
	require.Equal(t, 1, strings.Count(rw.all(), "\n"), "the short line after it not begun")
	require.True(t, strings.HasSuffix(rw.all(), "xxx\" 1000000000\n"), "the long line whole")
}
