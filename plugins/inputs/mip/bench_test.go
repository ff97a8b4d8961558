package mip

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/influxdata/telegraf"
	"github.com/influxdata/telegraf/config"

	"github.com/telegraf-mip/telegraf-mip/internal/mipsim"
	"github.com/telegraf-mip/telegraf-mip/internal/stderrlog"
)

// bench10k adds the 10,000-scenario size (about 140 MB) to the benchmarks.
var bench10k = flag.Bool("bench10k", false, "also benchmark 10,000 scenarios × 60 runs")

// benchRuns and benchMetrics give the response shape of the scale issue:
// scenarios × 60 runs × 6 metrics.
const (
	benchRuns    = 60
	benchMetrics = 6
)

var (
	benchBodiesMu sync.Mutex
	benchBodies   = map[int][]byte{}
)

// benchBody is the /api/measures/details answer for n scenarios that ran
// every minute for the last hour: the same bytes for the same n.
func benchBody(b *testing.B, n int) []byte {
	b.Helper()
	benchBodiesMu.Lock()
	defer benchBodiesMu.Unlock()
	if body, ok := benchBodies[n]; ok {
		return body
	}
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	var buf bytes.Buffer
	scenarios := mipsim.Generate(n, benchMetrics, time.Minute)
	if err := mipsim.WriteDetails(&buf, scenarios, now.Add(-benchRuns*time.Minute), now); err != nil {
		b.Fatal(err)
	}
	benchBodies[n] = buf.Bytes()
	return buf.Bytes()
}

func benchSizes() []int {
	if *bench10k {
		return []int{100, 1000, 10000}
	}
	return []int{100, 1000}
}

// discardAcc counts points and keeps none, as the shim's writer would.
type discardAcc struct{ points int }

func (a *discardAcc) AddMetric(telegraf.Metric) { a.points++ }
func (a *discardAcc) AddFields(string, map[string]any, map[string]string, ...time.Time) {
	a.points++
}
func (a *discardAcc) AddGauge(string, map[string]any, map[string]string, ...time.Time) {
	a.points++
}
func (a *discardAcc) AddCounter(string, map[string]any, map[string]string, ...time.Time) {
	a.points++
}
func (a *discardAcc) AddSummary(string, map[string]any, map[string]string, ...time.Time) {
	a.points++
}
func (a *discardAcc) AddHistogram(string, map[string]any, map[string]string, ...time.Time) {
	a.points++
}
func (*discardAcc) AddError(error)                                {}
func (*discardAcc) SetPrecision(time.Duration)                    {}
func (*discardAcc) WithTracking(int) telegraf.TrackingAccumulator { return nil }

// BenchmarkDecodeAndConvert is the work of a gather after the download:
// decode the response, filter, select the runs and convert them to points.
// "latest" is a first gather (the newest run of each scenario), "window"
// converts every run.
func BenchmarkDecodeAndConvert(b *testing.B) {
	for _, mode := range []string{firstGatherLatest, firstGatherWindow} {
		for _, n := range benchSizes() {
			b.Run(fmt.Sprintf("%s/scenarios=%d", mode, n), func(b *testing.B) {
				body := benchBody(b, n)
				p := New()
				p.URL = "https://mip.example.com"
				p.APIKey = config.NewSecret([]byte("bench"))
				p.FirstGather = mode
				p.Log = discardLogger()
				if err := p.Init(); err != nil {
					b.Fatal(err)
				}
				p.now = func() time.Time { return time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC) }
				b.SetBytes(int64(len(body)))
				b.ReportAllocs()
				b.ResetTimer()
				for b.Loop() {
					p.progress = newProgress()
					g := p.newGatherPass()
					acc := &discardAcc{}
					if problems := p.consume(bytes.NewReader(body), &g, acc); len(problems) > 0 {
						b.Fatal(problems)
					}
					if g.stats.kept != n {
						b.Fatalf("%d scenarios kept, want %d", g.stats.kept, n)
					}
				}
			})
		}
	}
}

// BenchmarkJSONValid is the floor: merely scanning the same bytes with the
// standard library.
func BenchmarkJSONValid(b *testing.B) {
	for _, n := range benchSizes() {
		b.Run(fmt.Sprintf("scenarios=%d", n), func(b *testing.B) {
			body := benchBody(b, n)
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if !json.Valid(body) {
					b.Fatal("invalid")
				}
			}
		})
	}
}

// BenchmarkUnmarshalMaps is the straightforward decoder: the whole
// response into maps, as a first version would.
func BenchmarkUnmarshalMaps(b *testing.B) {
	for _, n := range benchSizes() {
		b.Run(fmt.Sprintf("scenarios=%d", n), func(b *testing.B) {
			body := benchBody(b, n)
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				var v map[string]any
				if err := json.Unmarshal(body, &v); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func discardLogger() telegraf.Logger { return stderrlog.New(io.Discard, telegraf.Info) }
