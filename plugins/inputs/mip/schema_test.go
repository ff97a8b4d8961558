package mip

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/influxdata/telegraf"
	"github.com/stretchr/testify/require"
)

// requireWithinSchema checks that points use only what Schema declares.
func requireWithinSchema(t *testing.T, points []telegraf.Metric) {
	t.Helper()
	schema := map[string]Measurement{}
	for _, m := range Schema() {
		schema[m.Name] = m
	}
	for _, p := range points {
		m, ok := schema[p.Name()]
		require.True(t, ok, "measurement %q is not in Schema()", p.Name())
		for _, tag := range p.TagList() {
			require.Contains(t, m.Tags, tag.Key, "%s: tag", p.Name())
		}
		for _, f := range p.FieldList() {
			require.Contains(t, m.Fields, f.Key, "%s: field", p.Name())
		}
	}
}

func TestEmittedPointsStayWithinSchema(t *testing.T) {
	for _, fixture := range []string{"details_basic.json", "details_values.json", "details_label.json", "details_empty.json", "details_time_formats.json"} {
		t.Run(fixture, func(t *testing.T) {
			srv := serveFixture(t, fixture)
			got, err := gather(t, newPlugin(t, srv.URL))
			require.NoError(t, err)
			requireWithinSchema(t, got)
		})
	}
}

// TestREADMEDocumentsTheSchema keeps the README's Metrics section and
// Schema() in step: every measurement, tag and field is documented.
func TestREADMEDocumentsTheSchema(t *testing.T) {
	b, err := os.ReadFile("README.md")
	require.NoError(t, err)
	readme := string(b)
	_, metrics, ok := strings.Cut(readme, "## Metrics")
	require.True(t, ok)
	metrics, _, _ = strings.Cut(metrics, "## Errors")
	for _, m := range Schema() {
		require.Contains(t, metrics, "- `"+m.Name+"`", "measurement")
		for _, name := range slices.Concat(m.Tags, m.Fields) {
			require.Contains(t, metrics, "`"+name+"`", "%s: %s", m.Name, name)
		}
	}
}
