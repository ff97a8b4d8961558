package mip

import (
	"bytes"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/influxdata/telegraf/config"
	"github.com/stretchr/testify/require"

	"github.com/telegraf-mip/telegraf-mip/internal/mipsim"
	"github.com/telegraf-mip/telegraf-mip/internal/output"
)

var updateGolden = flag.Bool("update", false, "rewrite testdata/golden/*.lp from the current output")

// TestOutputGolden pins, byte for byte, the line protocol telegraf-mip
// writes (the plugin's points through the binary's writer) for fixed
// responses: every schema, every run of the window, names and texts that
// need escaping. The files were written by the code before the
// performance work of issue 16 and must not change with it; regenerate
// them with -update only for a change of output that is meant.
func TestOutputGolden(t *testing.T) {
	now := at("2026-11-25T10:01:00Z")
	generated := func() []byte {
		var buf bytes.Buffer
		require.NoError(t, mipsim.WriteDetails(&buf, mipsim.Generate(40, 6, time.Minute), now.Add(-10*time.Minute), now))
		return buf.Bytes()
	}
	for _, c := range []struct {
		name string
		body func() []byte
	}{
		{"basic", func() []byte { return readFixture(t, "details_basic.json") }},
		{"centreon", func() []byte { return readFixture(t, "details_centreon.json") }},
		{"label", func() []byte { return readFixture(t, "details_label.json") }},
		{"time_formats", func() []byte { return readFixture(t, "details_time_formats.json") }},
		{"values", func() []byte { return readFixture(t, "details_values.json") }},
		{"escapes", func() []byte { return readFixture(t, "details_escapes.json") }},
		{"generated", generated},
	} {
		t.Run(c.name, func(t *testing.T) {
			body := c.body()
			srv := serve(t, func(w http.ResponseWriter, _ *http.Request) { writeBody(w, body) })
			p := New()
			p.URL = srv.URL
			p.APIKey = config.NewSecret([]byte(testKey))
			p.Schema = schemaBoth
			p.CentreonHost = "mip-robots"
			p.FirstGather = firstGatherWindow
			p.MaxPointsPerGather = 0
			p.Log = discardLogger()
			require.NoError(t, p.Init())
			t.Cleanup(p.Stop)
			p.now = func() time.Time { return now }
			p.source = "mip.example.com" // not the test server's random port

			var out bytes.Buffer
			w := output.NewWriter(&out, discardLogger())
			p.Gather(w.Accumulator()) //nolint:errcheck // the fixtures' bad values are reported; the points are what is compared
			require.NoError(t, w.Flush())

			// mip_api tells how long the gather took: not reproducible.
			var got strings.Builder
			for line := range strings.Lines(out.String()) {
				if !strings.HasPrefix(line, measurementAPI+",") && !strings.HasPrefix(line, measurementAPI+" ") {
					got.WriteString(line)
				}
			}
			path := filepath.Join("testdata", "golden", c.name+".lp")
			if *updateGolden {
				require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o750))
				require.NoError(t, os.WriteFile(path, []byte(got.String()), 0o600))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err)
			require.NotEmpty(t, want)
			require.Equal(t, string(want), got.String())
		})
	}
}
