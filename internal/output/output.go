// Package output is telegraf-mip's writer of points to stdout: line
// protocol through one buffer, flushed once per gather, so that the plugin
// moves its watermarks only past points that were written.
package output

import (
	"bufio"
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
type Writer struct {
	enc       encoder
	out       *bufio.Writer
	log       telegraf.Logger
	err       error // the first write error, kept until flush
	dropField func(key string, err error)
	writing   atomic.Bool // a write to the underlying writer is under way
}

// NewWriter returns a Writer to w that reports the points it drops to log.
func NewWriter(w io.Writer, log telegraf.Logger) *Writer {
	pw := &Writer{log: log}
	pw.dropField = pw.logDroppedField
	pw.out = bufio.NewWriterSize(watchedWriter{w: w, writing: &pw.writing}, 256*1024)
	return pw
}

// Blocked reports whether a write to the output is under way, for a stop
// that finds the output not reading.
func (pw *Writer) Blocked() bool { return pw.writing.Load() }

// watchedWriter marks the time spent in each write.
type watchedWriter struct {
	w       io.Writer
	writing *atomic.Bool
}

func (ww watchedWriter) Write(b []byte) (int, error) {
	ww.writing.Store(true)
	defer ww.writing.Store(false)
	return ww.w.Write(b)
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
