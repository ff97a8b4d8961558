package mip

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/influxdata/telegraf/plugins/parsers/influx"
	serializer "github.com/influxdata/telegraf/plugins/serializers/influx"
	"github.com/influxdata/telegraf/testutil"
)

// flushingAccumulator is a testutil accumulator that reports its points
// delivered, as telegraf-mip's writer does, so a gather commits its
// progress.
type flushingAccumulator struct {
	testutil.Accumulator
}

// Flush reports the points delivered.
func (*flushingAccumulator) Flush() error { return nil }

// FuzzGatherResponse serves arbitrary bytes as MIP's /api/measures/details
// response to a plugin writing both schemas, InfluxDB and Centreon, and
// gathers once through the plugin's real path (decoder, filters, emitEntry,
// run points, Centreon points, stale checks, mip_freshness, mip_api):
// nothing may panic, no error may carry the API key, and every point emitted
// that passes checkPoint must be one line the influx serializer writes and
// the influx parser reads back whole.
func FuzzGatherResponse(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"results": [` + good + `]}`))
	f.Add([]byte(`{"results": [{"measure": {"id": "1\\", "name": "a\nb"}, "metricInfo": {"m": {"alias": "=,\" "}}, "results": {"1795600800": {"state": ` +
		`{"type": "\n"}, "metrics": {"m": "1e308"}, "formatedMetrics": {"x": "\r"}}}}]}`))

	s := &serializer.Serializer{}
	if err := s.Init(); err != nil {
		f.Fatal(err)
	}

	// One server on 127.0.0.1 per fuzzing process, serving the input of the
	// current iteration.
	var (
		mu      sync.Mutex
		current []byte
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("MIP_API_KEY") != testKey {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		mu.Lock()
		body := current
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		writeBody(w, body)
	}))
	f.Cleanup(srv.Close)

	f.Fuzz(func(t *testing.T, body []byte) {
		mu.Lock()
		current = body
		mu.Unlock()

		parser := &influx.Parser{}
		if err := parser.Init(); err != nil {
			t.Fatal(err)
		}
		p := newPlugin(t, srv.URL, centreon, func(p *MIP) {
			p.Schema = schemaBoth
			p.FirstGather = firstGatherWindow
		})
		var acc flushingAccumulator
		if err := p.Gather(&acc); err != nil && strings.Contains(err.Error(), testKey) {
			t.Fatalf("an error carries the API key: %v", err)
		}
		for _, m := range acc.GetTelegrafMetrics() {
			if checkPoint(m) != nil {
				continue
			}
			line, err := s.Serialize(m)
			if err != nil {
				t.Fatalf("a checked point does not serialize: %v: %v", err, m)
			}
			if bytes.Count(line, []byte("\n")) != 1 || len(line) >= 64*1024 {
				t.Fatalf("not one short line: %q", line)
			}
			back, err := parser.Parse(line)
			if err != nil || len(back) != 1 || len(back[0].FieldList()) != len(m.FieldList()) {
				t.Fatalf("line %q does not parse back whole: %v", line, err)
			}
		}
	})
}
