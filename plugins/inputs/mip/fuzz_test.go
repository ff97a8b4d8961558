package mip

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/influxdata/telegraf/plugins/parsers/influx"
	serializer "github.com/influxdata/telegraf/plugins/serializers/influx"
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
	var decoder runDecoder
	f.Fuzz(func(t *testing.T, body []byte) {
		parser := &influx.Parser{}
		if err := parser.Init(); err != nil {
			t.Fatal(err)
		}
		//nolint:errcheck // random bodies are mostly not JSON: an error is expected, a panic or a bad point is not
		decodeMeasureDetails(bytes.NewReader(body), nil, func(entry *measureEntry, err error) {
			if err != nil {
				return
			}
			tags := scenarioTags("mip.example.com", entry.Measure)
			runs, _ := sortedRuns(entry, time.Time{}, false)
			for _, tr := range runs.all() {
				if decoder.decode(&tr) != nil {
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

// FuzzParseRunTime checks that any run key either parses to a time from 1970
// on whose nanoseconds fit in int64 or is refused, without panicking, and
// that the fast path and the general parser agree.
func FuzzParseRunTime(f *testing.F) {
	for _, seed := range []string{"2026-11-25T10:00:00Z", "2026-11-25T10:00:00.123+02:00", "1795600800", "1795600800123", "1795600800.5", "", "-1",
		"9999999999999999999999", "2026-11-25 10:00:00", "9999-12-31T00:00:00Z", "99999999999", "2262-04-11T23:47:16.854775807Z", "1970-01-01T00:00:00+01:00"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, key string) {
		if fast, ok := fastRFC3339([]byte(key)); ok {
			slow, err := time.Parse(time.RFC3339Nano, key)
			if err != nil || !slow.Equal(fast) {
				t.Fatalf("%q: the fast path reads %s, time.Parse %s (%v)", key, fast, slow, err)
			}
		}
		tm, err := parseRunTime(key)
		if fromBytes, errBytes := parseRunTimeBytes([]byte(key)); (err == nil) != (errBytes == nil) || !fromBytes.Equal(tm) {
			t.Fatalf("%q: parseRunTime reads %s (%v), parseRunTimeBytes %s (%v)", key, tm, err, fromBytes, errBytes)
		}
		if err != nil {
			return
		}
		if !time.Unix(0, tm.UnixNano()).Equal(tm) {
			t.Fatalf("%q parsed to %s, which overflows int64 nanoseconds", key, tm)
		}
		if tm.Before(time.Unix(0, 0)) {
			t.Fatalf("%q parsed to %s, before 1970", key, tm)
		}
	})
}
