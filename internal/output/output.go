// Package output is telegraf-mip's writer of points to stdout: line
// protocol through one buffer, flushed once per gather, so that the plugin
// moves its watermarks only past points that were written.
package output

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
	"time"

	"github.com/influxdata/telegraf"
	"github.com/influxdata/telegraf/metric"
)

// Writer writes points as line protocol through one buffer, flushed
// once per gather. The execd shim's own writer makes a write call per point
// (twice the cost of a large gather) and stops for good on a point it cannot
// serialize; this one drops that point with an error and goes on.
//
// It writes whole lines only: the buffer goes out in writes of whole lines
// of at most AtomicWrite bytes, which a pipe takes whole or not at all, so
// a process that ends during a write (a stop while Telegraf reads slowly)
// leaves no half line on stdout.
type Writer struct {
	enc       encoder
	out       *bufio.Writer
	lines     *lineWriter
	log       telegraf.Logger
	err       error // the first write error, kept until flush
	dropField func(key string, err error)
	queued    atomic.Int64 // points taken since the last flush
}

// NewWriter returns a Writer to w that reports the points it drops to log.
func NewWriter(w io.Writer, log telegraf.Logger) *Writer {
	pw := &Writer{log: log, lines: &lineWriter{w: w}}
	pw.dropField = pw.logDroppedField
	pw.out = bufio.NewWriterSize(pw.lines, bufferSize)
	return pw
}

// bufferSize is the Writer's buffer: at least four times the longest
// line (the plugin bounds a point to 64 KiB), so that a line never waits
// for a buffer of its own.
const bufferSize = 256 * 1024

// Blocked reports whether a write to the output is under way, for a stop
// that finds the output not reading.
func (pw *Writer) Blocked() bool { return pw.lines.writing.Load() }

// Stop ends the writing at the next line boundary: no write begins after
// it, and a line longer than AtomicWrite being written is finished first,
// for at most wait. It returns how many of the points taken since the last
// flush were written whole, out of how many, and whether a line was left
// cut (wait passed with a long line half written).
func (pw *Writer) Stop(wait time.Duration) (written, queued int64, cut bool) {
	pw.lines.stopping.Store(true)
	deadline := time.Now().Add(wait)
	for pw.lines.partial.Load() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	return pw.lines.lines.Load(), pw.queued.Load(), pw.lines.partial.Load()
}

// ErrStopped is the write error after Stop.
var ErrStopped = errors.New("writing stopped at a line boundary")

// AtomicWrite is the largest write a pipe takes whole (PIPE_BUF, POSIX's
// minimum and Linux's value): ended during such a write, a process leaves
// all of it in the pipe or none of it.
const AtomicWrite = 4096

// lineWriter writes what the buffer hands it, whole lines always (see
// Writer.Write), in writes of whole lines of at most AtomicWrite bytes; a
// longer line goes in several, and partial tells that one is half written.
type lineWriter struct {
	w        io.Writer
	writing  atomic.Bool  // a write to w is under way
	partial  atomic.Bool  // part of a line is out, not its end
	stopping atomic.Bool  // Stop was called: no write begins
	lines    atomic.Int64 // lines written whole since the last flush
}

func (lw *lineWriter) Write(b []byte) (int, error) {
	lw.writing.Store(true)
	defer lw.writing.Store(false)
	done := 0
	for done < len(b) {
		if lw.stopping.Load() && !lw.partial.Load() {
			return done, ErrStopped
		}
		chunk := b[done:min(len(b), done+AtomicWrite)]
		ends := false // chunk ends a line
		if lw.partial.Load() {
			// The rest of a long line, up to its end.
			if i := bytes.IndexByte(chunk, '\n'); i >= 0 {
				chunk, ends = chunk[:i+1], true
			}
		} else if i := bytes.LastIndexByte(chunk, '\n'); i >= 0 {
			chunk, ends = chunk[:i+1], true
		}
		if !ends {
			lw.partial.Store(true)
		}
		n, err := lw.w.Write(chunk)
		done += n
		if n == len(chunk) && ends {
			lw.lines.Add(int64(bytes.Count(chunk, []byte{'\n'})))
			lw.partial.Store(false)
		}
		if err != nil {
			return done, err
		}
		if n < len(chunk) {
			return done, io.ErrShortWrite
		}
	}
	return done, nil
}

func (pw *Writer) Write(m telegraf.Metric) {
	if pw.err != nil {
		return // the output is broken: nothing more gets through
	}
	// The line is made in the buffer's free space: no copy when it fits.
	line, err := pw.enc.appendPoint(pw.out.AvailableBuffer(), m, pw.dropField)
	if err != nil {
		pw.log.Errorf("dropping a point that cannot be written: %v", err)
		return
	}
	if len(line) > pw.out.Available() {
		// The buffer goes out before the line, which bufio would cut
		// between two writes: the writes are of whole lines.
		if pw.err = pw.out.Flush(); pw.err != nil {
			return
		}
	}
	pw.queued.Add(1)
	_, pw.err = pw.out.Write(line)
}

// dropField logs a field left out of its point, as the serializer does.
func (pw *Writer) logDroppedField(key string, err error) {
	pw.log.Debugf("could not serialize field %q: %v; discarding field", key, err)
}

// Flush writes out what is buffered and reports the first write error.
func (pw *Writer) Flush() error {
	err := pw.err
	pw.err = nil
	if ferr := pw.out.Flush(); err == nil {
		err = ferr
	}
	if !pw.lines.stopping.Load() { // a stop counts what this gather wrote
		pw.queued.Store(0)
		pw.lines.lines.Store(0)
	}
	if err != nil {
		return &WriteError{err}
	}
	return nil
}

// WriteError is a failed write to the output: it does not heal (bufio
// keeps it), so the process stops.
type WriteError struct{ err error }

func (e *WriteError) Error() string { return e.err.Error() }
func (e *WriteError) Unwrap() error { return e.err }

// Gather runs one gather and writes its points to pw. Points are written
// even when the gather also reports an error. The plugin flushes the points
// itself (Accumulator.Flush) before it moves its watermarks; the flush
// here writes what a gather that stopped early left in the buffer.
func Gather(input telegraf.Input, pw *Writer) error {
	gatherErr := input.Gather(pw.Accumulator())
	if err := pw.Flush(); err != nil && gatherErr == nil {
		return fmt.Errorf("writing points: %w", err)
	}
	return gatherErr
}

// Delivering is the delivery contract between the writer and the plugin:
// an accumulator whose Flush writes out every point added since the last
// flush and reports whether they were written. The plugin moves its
// watermarks past a gather's runs only when Flush returns nil; an
// accumulator that does not offer it gets them moved at once (at most
// once), so the writer's accumulator must keep implementing it, which the
// assertion below holds at compile time.
type Delivering interface {
	telegraf.Accumulator
	Flush() error
}

var _ Delivering = Accumulator{}

// Accumulator hands every point straight to a Writer.
type Accumulator struct{ pw *Writer }

// Accumulator returns the accumulator a gather writes its points through.
func (pw *Writer) Accumulator() Accumulator { return Accumulator{pw} }

func (a Accumulator) AddMetric(m telegraf.Metric) { a.pw.Write(m) }

func (a Accumulator) AddFields(name string, fields map[string]any, tags map[string]string, t ...time.Time) {
	a.add(name, fields, tags, telegraf.Untyped, t)
}

func (a Accumulator) AddGauge(name string, fields map[string]any, tags map[string]string, t ...time.Time) {
	a.add(name, fields, tags, telegraf.Gauge, t)
}

func (a Accumulator) AddCounter(name string, fields map[string]any, tags map[string]string, t ...time.Time) {
	a.add(name, fields, tags, telegraf.Counter, t)
}

func (a Accumulator) AddSummary(name string, fields map[string]any, tags map[string]string, t ...time.Time) {
	a.add(name, fields, tags, telegraf.Summary, t)
}

func (a Accumulator) AddHistogram(name string, fields map[string]any, tags map[string]string, t ...time.Time) {
	a.add(name, fields, tags, telegraf.Histogram, t)
}

func (a Accumulator) add(name string, fields map[string]any, tags map[string]string, vt telegraf.ValueType, t []time.Time) {
	at := time.Now()
	if len(t) > 0 {
		at = t[0]
	}
	a.pw.Write(metric.New(name, tags, fields, at, vt))
}

func (a Accumulator) AddError(err error) { a.pw.log.Errorf("%v", err) }

// Flush writes the points out; the plugin moves its watermarks only when it
// succeeds.
func (a Accumulator) Flush() error { return a.pw.Flush() }

func (Accumulator) SetPrecision(time.Duration) {}

// WithTracking is not offered: nothing here waits for delivery.
func (Accumulator) WithTracking(int) telegraf.TrackingAccumulator { return nil }
