package mip

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/influxdata/telegraf"
	"github.com/influxdata/telegraf/config"

	"github.com/telegraf-mip/telegraf-mip/internal/mipapi"
	"github.com/telegraf-mip/telegraf-mip/internal/mipsim"
	"github.com/telegraf-mip/telegraf-mip/internal/output"
	"github.com/telegraf-mip/telegraf-mip/internal/stderrlog"
	"github.com/telegraf-mip/telegraf-mip/plugins/inputs/mip/ledger"
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
					if err := p.restore(); err != nil { // an empty ledger
						b.Fatal(err)
					}
					p.decoded = mipapi.Cache{} // a first gather
					g := p.begin()
					acc := &discardAcc{}
					if problems := p.consume(bytes.NewReader(body), g, acc); len(problems) > 0 {
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

// benchNow is the time of the benchmarks' responses and gathers.
var benchNow = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

// benchRange is the /api/measures/details answer for n scenarios with the
// runs in (from, to], cached like benchBody.
func benchRange(b *testing.B, n int, from, to time.Time) []byte {
	b.Helper()
	key := fmt.Sprintf("%d/%s/%s", n, from.Format(time.RFC3339), to.Format(time.RFC3339))
	benchBodiesMu.Lock()
	defer benchBodiesMu.Unlock()
	if body, ok := benchRanges[key]; ok {
		return body
	}
	var buf bytes.Buffer
	if err := mipsim.WriteDetails(&buf, mipsim.Generate(n, benchMetrics, time.Minute), from, to); err != nil {
		b.Fatal(err)
	}
	benchRanges[key] = buf.Bytes()
	return buf.Bytes()
}

var benchRanges = map[string][]byte{}

// benchServer serves whatever body holds as the answer to every request,
// on loopback, as a MIP that has its answer ready would.
func benchServer(b *testing.B, body *[]byte) string {
	b.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(*body)))
		w.Write(*body) //nolint:errcheck // a benchmark's server; the client reports a short body
	}))
	b.Cleanup(srv.Close)
	return srv.URL
}

// benchScenarios is the size of the end-to-end benchmark: the scale the
// plugin is made for.
const benchScenarios = 10000

// BenchmarkGather is a whole gather of 10,000 scenarios as telegraf-mip runs
// it: the request over loopback HTTP, decoding, points, and line protocol
// through the binary's writer (to io.Discard). "first" is a first gather of
// a response of 60 runs per scenario ("latest": the newest run of each is
// written); "steady" a gather whose response holds two runs per scenario,
// one of them new. max_points_per_gather is sized for 10,000 scenarios as
// the README says. The baselines read the same bytes over the same
// loopback: json.Valid merely scans them, "naive" unmarshals them into maps.
func BenchmarkGather(b *testing.B) {
	steady := func(p *MIP) {
		// The gather a minute before wrote the run then.
		body := benchRange(b, benchScenarios, benchNow.Add(-3*time.Minute), benchNow.Add(-time.Minute))
		p.now = func() time.Time { return benchNow.Add(-time.Minute) }
		g := p.begin()
		if problems := p.consume(bytes.NewReader(body), g, &discardAcc{}); len(problems) > 0 {
			b.Fatal(problems)
		}
		p.ledger.Commit(g.pass)
		p.now = func() time.Time { return benchNow }
	}
	steadyBody := func() []byte { return benchRange(b, benchScenarios, benchNow.Add(-2*time.Minute), benchNow) }
	shapes := []struct {
		name      string
		body      func() []byte
		setup     func(p *MIP) // brings the plugin to where the gather starts
		stateFile bool         // the gather saves its progress to a state_file
	}{
		{"first/10000x60", func() []byte { return benchBody(b, benchScenarios) }, nil, false},
		{"steady/10000x2", steadyBody, steady, false},
		{"steady+state_file/10000x2", steadyBody, steady, true},
	}
	for _, shape := range shapes {
		body := shape.body()
		url := benchServer(b, &body)
		b.Run("telegraf-mip/"+shape.name, func(b *testing.B) {
			// The progress at the start of the gather, restored before each.
			var state string
			if shape.stateFile {
				state = filepath.Join(b.TempDir(), "mip.state")
			}
			p := benchPlugin(b, url, state)
			if shape.setup != nil {
				shape.setup(p)
			}
			start, err := jsonv2.Marshal(p.ledger.State())
			if err != nil {
				b.Fatal(err)
			}
			w := output.NewWriter(io.Discard, discardLogger())
			counter := &countingAcc{Accumulator: w.Accumulator()}
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			b.ResetTimer()
			var cpu time.Duration
			for b.Loop() {
				b.StopTimer()
				st := ledger.NewState()
				if err := jsonv2.Unmarshal(start, st); err != nil {
					b.Fatal(err)
				}
				p.ledger.Restore(st, benchNow)
				if shape.setup == nil {
					p.decoded = mipapi.Cache{} // a first gather knows no measure
				}
				counter.points = 0
				runtime.GC() // the setup's garbage is not the gather's
				before := processCPU()
				b.StartTimer()
				if err := p.Gather(counter); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				runtime.GC() // the gather's garbage is
				cpu += processCPU() - before
				b.StartTimer()
			}
			b.ReportMetric(float64(counter.points), "points/op")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*counter.points), "ns/point")
			b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
			b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N*counter.points), "cpu-ns/point")
		})
		if shape.stateFile {
			continue // the same bytes as steady's
		}
		b.Run("json.Valid/"+shape.name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if !json.Valid(benchGet(b, url)) {
					b.Fatal("invalid")
				}
			}
		})
		b.Run("naive/"+shape.name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				var v map[string]any
				if err := json.Unmarshal(benchGet(b, url), &v); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// benchPlugin is a plugin configured for the end-to-end benchmark, on
// benchNow's clock.
func benchPlugin(b *testing.B, url, state string) *MIP {
	b.Helper()
	p := New()
	p.URL = url
	p.StateFile = state
	p.APIKey = config.NewSecret([]byte("bench"))
	p.MaxPointsPerGather = 108000 // the README's sizing for 10,000 scenarios
	p.Log = discardLogger()
	p.reader = func() string { return "bench" }
	if err := p.Init(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(p.Stop)
	p.now = func() time.Time { return benchNow }
	return p
}

// benchGet downloads the benchmark server's answer whole.
func benchGet(b *testing.B, url string) []byte {
	b.Helper()
	resp, err := http.Get(url + "/api/measures/details") //nolint:noctx // a benchmark on loopback
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.Fatal(err)
	}
	return body
}

// countingAcc counts the points that pass through to the writer.
type countingAcc struct {
	output.Accumulator
	points int
}

func (a *countingAcc) AddMetric(m telegraf.Metric) {
	a.points++
	a.Accumulator.AddMetric(m)
}
