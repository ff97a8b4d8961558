package mip

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/influxdata/telegraf/plugins/parsers/influx"
	serializer "github.com/influxdata/telegraf/plugins/serializers/influx"

	"github.com/telegraf-mip/telegraf-mip/plugins/inputs/mip/mipapi"
)

// FuzzGatherResponse feeds arbitrary bytes to the response decoder and the
// run-to-points conversion: nothing may panic, and every point that passes
// checkPoint must be one line the influx serializer writes and the influx
// parser reads back whole.
func FuzzGatherResponse(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("..", "..", "..", "testdata", "*.json"))
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
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	var decoder mipapi.RunDecoder
	f.Fuzz(func(t *testing.T, body []byte) {
		parser := &influx.Parser{}
		if err := parser.Init(); err != nil {
			t.Fatal(err)
		}
		//nolint:errcheck // random bodies are mostly not JSON: an error is expected, a panic or a bad point is not
		mipapi.DecodeMeasureDetails(bytes.NewReader(body), nil, func(entry *mipapi.MeasureEntry, err error) {
			if err != nil {
				return
			}
			tags := scenarioTags("mip.example.com", entry.Measure)
			runs, _, _ := entry.Runs(time.Time{}, mipapi.MaxRunTime, false)
			for _, tr := range runs.All() {
				if decoder.Decode(&tr) != nil {
					continue
				}
				points := runPoints(tags, entry.MetricInfo, metricTags(entry.MetricInfo), tr, func(string, ...any) {})
				points = append(points, freshnessPoint(tags, entry.Measure, tr.Time, now))
				for _, m := range points {
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
			}
		})
	})
}
