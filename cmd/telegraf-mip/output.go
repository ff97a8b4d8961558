package main

import (
	"bufio"
	"fmt"
	"io"
	"sync/atomic"
	"time"

	"github.com/influxdata/telegraf"
	"github.com/influxdata/telegraf/metric"
	"github.com/influxdata/telegraf/plugins/serializers/influx"
)

// pointWriter writes points as line protocol through one buffer, flushed
// once per gather. The execd shim's own writer makes a write call per point
// (twice the cost of a large gather) and stops for good on a point it cannot
// serialize; this one drops that point with an error and goes on.
type pointWriter struct {
	serializer *influx.Serializer
	out        *bufio.Writer
	log        telegraf.Logger
	err        error       // the first write error, kept until flush
	writing    atomic.Bool // a write to the underlying writer is under way
}

func newPointWriter(w io.Writer, log telegraf.Logger) (*pointWriter, error) {
	s := &influx.Serializer{}
	if err := s.Init(); err != nil {
		return nil, err
	}
	pw := &pointWriter{serializer: s, log: log}
	pw.out = bufio.NewWriterSize(watchedWriter{w: w, writing: &pw.writing}, 256*1024)
	return pw, nil
}

// blocked reports whether a write to the output is under way, for a stop
// that finds the output not reading.
func (pw *pointWriter) blocked() bool { return pw.writing.Load() }

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

func (pw *pointWriter) write(m telegraf.Metric) {
	b, err := pw.serializer.Serialize(m)
	if err != nil {
		pw.log.Errorf("dropping a point that cannot be written: %v", err)
		return
	}
	if pw.err == nil {
		_, pw.err = pw.out.Write(b)
	}
}

// flush writes out what is buffered and reports the first write error.
func (pw *pointWriter) flush() error {
	err := pw.err
	pw.err = nil
	if ferr := pw.out.Flush(); err == nil {
		err = ferr
	}
	if err != nil {
		return &writeError{err}
	}
	return nil
}

// writeError is a failed write to the output: it does not heal (bufio
// keeps it), so the process stops.
type writeError struct{ err error }

func (e *writeError) Error() string { return e.err.Error() }
func (e *writeError) Unwrap() error { return e.err }

// gatherOnce runs one gather and writes its points to pw. Points are written
// even when the gather also reports an error. The plugin flushes the points
// itself (pointAccumulator.Flush) before it moves its watermarks; the flush
// here writes what a gather that stopped early left in the buffer.
func gatherOnce(input telegraf.Input, pw *pointWriter) error {
	gatherErr := input.Gather(pointAccumulator{pw})
	if err := pw.flush(); err != nil && gatherErr == nil {
		return fmt.Errorf("writing points: %w", err)
	}
	return gatherErr
}

// pointAccumulator hands every point straight to a pointWriter.
type pointAccumulator struct{ pw *pointWriter }

func (a pointAccumulator) AddMetric(m telegraf.Metric) { a.pw.write(m) }

func (a pointAccumulator) AddFields(name string, fields map[string]any, tags map[string]string, t ...time.Time) {
	a.add(name, fields, tags, telegraf.Untyped, t)
}

func (a pointAccumulator) AddGauge(name string, fields map[string]any, tags map[string]string, t ...time.Time) {
	a.add(name, fields, tags, telegraf.Gauge, t)
}

func (a pointAccumulator) AddCounter(name string, fields map[string]any, tags map[string]string, t ...time.Time) {
	a.add(name, fields, tags, telegraf.Counter, t)
}

func (a pointAccumulator) AddSummary(name string, fields map[string]any, tags map[string]string, t ...time.Time) {
	a.add(name, fields, tags, telegraf.Summary, t)
}

func (a pointAccumulator) AddHistogram(name string, fields map[string]any, tags map[string]string, t ...time.Time) {
	a.add(name, fields, tags, telegraf.Histogram, t)
}

func (a pointAccumulator) add(name string, fields map[string]any, tags map[string]string, vt telegraf.ValueType, t []time.Time) {
	at := time.Now()
	if len(t) > 0 {
		at = t[0]
	}
	a.pw.write(metric.New(name, tags, fields, at, vt))
}

func (a pointAccumulator) AddError(err error) { a.pw.log.Errorf("%v", err) }

// Flush writes the points out; the plugin moves its watermarks only when it
// succeeds.
func (a pointAccumulator) Flush() error { return a.pw.flush() }

func (pointAccumulator) SetPrecision(time.Duration) {}

// WithTracking is not offered: nothing here waits for delivery.
func (pointAccumulator) WithTracking(int) telegraf.TrackingAccumulator { return nil }
