package mip

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/influxdata/telegraf/plugins/parsers/influx"
	serializer "github.com/influxdata/telegraf/plugins/serializers/influx"
	"github.com/influxdata/telegraf/testutil"

	"github.com/telegraf-mip/telegraf-mip/internal/mipapi"
	"github.com/telegraf-mip/telegraf-mip/internal/output"
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
// response to a plugin writing both schemas, InfluxDB (in both layouts) and Centreon, and
// gathers once through the plugin's real path (decoder, filters, emitEntry,
// run points, Centreon points, stale checks, mip_freshness, mip_api):
// nothing may panic, no error may carry the API key, and every point emitted
// that passes output.CheckPoint must be one line the influx serializer writes and
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
		for _, layout := range []string{layoutNarrow, layoutWide} {
			p := newPlugin(t, srv.URL, centreon, func(p *MIP) {
				p.Schema = schemaBoth
				p.FirstGather = firstGatherWindow
				p.MetricLayout = layout
			})
			var acc flushingAccumulator
			if err := p.Gather(&acc); err != nil && strings.Contains(err.Error(), testKey) {
				t.Fatalf("an error carries the API key: %v", err)
			}
			for _, m := range acc.GetTelegrafMetrics() {
				if output.CheckPoint(m) != nil {
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
			requireStableTypes(t, acc.GetTelegrafMetrics())
		}
	})
}

// FuzzMeasureFields varies the fields of a measure (id, frequency,
// timeout, names, application: each any JSON value, or a text) in an answer
// that holds it twice, with runs, and gathers twice, the second time a day
// later so that lookback cuts the window: nothing may panic, every point
// must be one line Telegraf reads back, and frequency_seconds, when
// written, lies in the range a frequency is taken in.
func FuzzMeasureFields(f *testing.F) {
	f.Add("42", "300", "60", "login", "Login", "crm_login", "CRM")
	f.Add("42", "1e-10", "60", "login", "Login", "crm_login", "CRM")
	f.Add(`"42"`, "300", "1e300", "login", "Login", "crm_login", "null")
	f.Add(`"42"`, "1e-10", "1e300", `"a\nb"`, "null", "{}", `[1]`)
	f.Add("-1", "1e300", "-1", `""`, `"=,\" "`, "true", "null")
	f.Add(`"42 "`, `"1e300"`, "0", "9e999", "-0", `"\u0000"`, `{"name": null}`)

	s := &serializer.Serializer{}
	if err := s.Init(); err != nil {
		f.Fatal(err)
	}
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
		writeBody(w, body)
	}))
	f.Cleanup(srv.Close)

	value := func(v string) string {
		if json.Valid([]byte(v)) {
			return v
		}
		b, _ := json.Marshal(v) //nolint:errcheck // a string always encodes
		return string(b)
	}
	f.Fuzz(func(t *testing.T, id, frequency, timeout, name, displayName, scenario, application string) {
		m := fmt.Sprintf(`{"id": %s, "name": %s, "displayName": %s, "frequency": %s, "timeout": %s, "scenario": {"name": %s, "application": {"name": %s}}}`,
			value(id), value(name), value(displayName), value(frequency), value(timeout), value(scenario), value(application))
		entry := `{"measure": ` + m + `, "metricInfo": {"m": {"alias": "Total", "unit": "ms"}}, "results": {` +
			`"2026-11-25T09:58:00Z": {"state": {"type": "OK"}, "metrics": {"m": 1}}, ` +
			`"2026-11-25T09:59:00Z": {"state": {"type": "CRITICAL"}, "metrics": {"m": 2}}}}`
		mu.Lock()
		current = []byte(`{"count": 2, "results": [` + entry + `,` + entry + `]}`)
		mu.Unlock()

		parser := &influx.Parser{}
		if err := parser.Init(); err != nil {
			t.Fatal(err)
		}
		p := newPlugin(t, srv.URL, centreon, func(p *MIP) {
			p.Schema = schemaBoth
			p.Log = testutil.Logger{Quiet: true}
		})
		for _, now := range []time.Time{testNow, testNow.Add(24 * time.Hour)} {
			p.now = func() time.Time { return now }
			var acc flushingAccumulator
			if err := p.Gather(&acc); err != nil && strings.Contains(err.Error(), testKey) {
				t.Fatalf("an error carries the API key: %v", err)
			}
			for _, m := range acc.GetTelegrafMetrics() {
				if v, ok := m.GetField("frequency_seconds"); ok && (v.(int64) < mipapi.MinMeasureSeconds || v.(int64) > mipapi.MaxMeasureSeconds) {
					t.Fatalf("frequency_seconds=%d from frequency %q", v, frequency)
				}
				if output.CheckPoint(m) != nil {
					continue
				}
				line, err := s.Serialize(m)
				if err != nil {
					t.Fatalf("a checked point does not serialize: %v: %v", err, m)
				}
				if back, err := parser.Parse(line); err != nil || len(back) != 1 {
					t.Fatalf("line %q does not parse back whole: %v", line, err)
				}
			}
		}
	})
}
