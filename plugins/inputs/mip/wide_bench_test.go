package mip

import (
	"fmt"
	"io"
	"runtime"
	"testing"
	"time"

	"github.com/influxdata/telegraf"
	"github.com/influxdata/telegraf/config"

	"github.com/telegraf-mip/telegraf-mip/internal/output"
	"github.com/telegraf-mip/telegraf-mip/plugins/inputs/mip/ledger"
)

// runCountingAcc counts the runs written too: their mip_scenario points
// (a run too long for one line has none here).
type runCountingAcc struct {
	countingAcc
	runs int
}

func (a *runCountingAcc) AddMetric(m telegraf.Metric) {
	if m.Name() == measurementScenario {
		a.runs++
	}
	a.countingAcc.AddMetric(m)
}

// countingWriter counts the bytes of line protocol written.
type countingWriter struct{ n int64 }

func (w *countingWriter) Write(b []byte) (int, error) {
	w.n += int64(len(b))
	return len(b), nil
}

var _ io.Writer = (*countingWriter)(nil)

// BenchmarkLayouts is the plugin's part of the pipeline in both layouts,
// side by side in one run: a gather of N scenarios × 60 runs × 6 metrics
// and one formatted metric, every run written (first_gather = "window"),
// through the binary's writer. It reports the process CPU per 1,000 runs,
// the points and the bytes of line protocol per run (what Telegraf reads,
// and sends on to InfluxDB).
func BenchmarkLayouts(b *testing.B) {
	for _, n := range benchSizes()[1:] {
		body := benchBody(b, n)
		url := benchServer(b, &body)
		for _, layout := range []string{layoutNarrow, layoutWide} {
			b.Run(fmt.Sprintf("scenarios=%d/%s", n, layout), func(b *testing.B) {
				p := New()
				p.URL = url
				p.APIKey = config.NewSecret([]byte("bench"))
				p.MetricLayout = layout
				p.FirstGather = firstGatherWindow
				p.MaxPointsPerGather = 0
				p.Log = discardLogger()
				if err := p.Init(); err != nil {
					b.Fatal(err)
				}
				b.Cleanup(p.Stop)
				p.now = func() time.Time { return benchNow }
				var cpu time.Duration
				var runs, points, written int64
				for b.Loop() {
					b.StopTimer()
					p.ledger.Restore(ledger.NewState(), benchNow)
					cw := &countingWriter{}
					w := output.NewWriter(cw, discardLogger())
					counter := &runCountingAcc{countingAcc: countingAcc{Accumulator: w.Accumulator()}}
					runtime.GC()
					before := processCPU()
					b.StartTimer()
					if err := p.Gather(counter); err != nil {
						b.Fatal(err)
					}
					b.StopTimer()
					runtime.GC()
					cpu += processCPU() - before
					runs += int64(counter.runs)
					points += int64(counter.points)
					written += cw.n
					b.StartTimer()
				}
				b.ReportMetric(cpu.Seconds()*1000/float64(runs), "cpu-s/1000runs")
				b.ReportMetric(float64(points)/float64(runs), "points/run")
				b.ReportMetric(float64(written)/float64(runs), "bytes/run")
			})
		}
	}
}
