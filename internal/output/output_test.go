package output

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/influxdata/telegraf"
	"github.com/influxdata/telegraf/metric"
	"github.com/influxdata/telegraf/plugins/serializers/influx"
	"github.com/stretchr/testify/require"

	"github.com/telegraf-mip/telegraf-mip/internal/stderrlog"
)

// samplePoints are n points shaped like the plugin's mip_metric points.
func samplePoints(n int) []telegraf.Metric {
	points := make([]telegraf.Metric, n)
	at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	for i := range points {
		points[i] = metric.New("mip_metric", map[string]string{
			"source": "mip.example.com", "scenario_id": strconv.Itoa(1000 + i/8), "scenario": fmt.Sprintf("scenario_%05d", i/8),
			"display_name": fmt.Sprintf("Scenario %d", i/8), "application": "App 07", "metric": fmt.Sprintf("Step %d", i%8), "unit": "ms",
		}, map[string]any{"value": float64(i)}, at)
	}
	return points
}

func TestPointWriterDropsWhatCannotBeWritten(t *testing.T) {
	var out, log bytes.Buffer
	pw := NewWriter(&out, stderrlog.New(&log, telegraf.Info))
	at := time.Unix(1795600800, 0)
	pw.Write(metric.New("ok", map[string]string{"t": "v"}, map[string]any{"value": 1.0}, at))
	pw.Write(metric.New("no_fields", nil, map[string]any{}, at))
	pw.Write(metric.New("ok2", nil, map[string]any{"value": 2.0}, at))
	require.Empty(t, out.String(), "buffered until the gather ends")
	require.NoError(t, pw.Flush())
	require.Equal(t, "ok,t=v value=1 1795600800000000000\nok2 value=2 1795600800000000000\n", out.String())
	require.Contains(t, log.String(), "E! dropping a point that cannot be written")
}

// BenchmarkWritePoints measures serializing and writing points to a real
// file (/dev/null) through the buffered writer the binary uses...
func BenchmarkWritePoints(b *testing.B) {
	points := samplePoints(10000)
	devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	require.NoError(b, err)
	defer devNull.Close()
	pw := NewWriter(devNull, stderrlog.New(io.Discard, telegraf.Error))
	b.ReportAllocs()
	for b.Loop() {
		for _, m := range points {
			pw.Write(m)
		}
		require.NoError(b, pw.Flush())
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(points)), "ns/point")
}

// ...and the execd shim's way: one write call per point.
func BenchmarkWritePointsUnbuffered(b *testing.B) {
	points := samplePoints(10000)
	devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	require.NoError(b, err)
	defer devNull.Close()
	s := &influx.Serializer{}
	require.NoError(b, s.Init())
	b.ReportAllocs()
	for b.Loop() {
		for _, m := range points {
			line, err := s.Serialize(m)
			require.NoError(b, err)
			_, err = fmt.Fprint(devNull, string(line))
			require.NoError(b, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(points)), "ns/point")
}

// TestAccumulatorIsDelivering checks the delivery contract as the plugin
// sees it: the writer's accumulator, handed to a gather as a plain
// telegraf.Accumulator, is an output.Delivering whose Flush writes the
// points added and reports a write that failed.
func TestAccumulatorIsDelivering(t *testing.T) {
	at := time.Unix(1795600800, 0)
	var out bytes.Buffer
	var acc telegraf.Accumulator = NewWriter(&out, stderrlog.New(io.Discard, telegraf.Info)).Accumulator()
	d, ok := acc.(Delivering)
	require.True(t, ok, "the plugin would commit its gathers before the points are written")
	acc.AddFields("ok", map[string]any{"value": 1.0}, nil, at)
	require.Empty(t, out.String(), "buffered until the flush")
	require.NoError(t, d.Flush())
	require.Equal(t, "ok value=1 1795600800000000000\n", out.String())

	acc = NewWriter(failingWriter{}, stderrlog.New(io.Discard, telegraf.Info)).Accumulator()
	acc.AddFields("ok", map[string]any{"value": 1.0}, nil, at)
	d, ok = acc.(Delivering)
	require.True(t, ok)
	require.ErrorContains(t, d.Flush(), "broken pipe")
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("write |1: broken pipe") }
