package dashboards

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/telegraf-mip/telegraf-mip/plugins/inputs/mip"
)

// unitFieldsRe is how the wide dashboard selects a metric's fields: by the
// unit that ends their names (<alias>_<unit>).
var unitFieldsRe = regexp.MustCompile(`mean\(/_(\w+)\$/\)`)

// TestWideDashboardQueriesTheSchema checks the wide layout's dashboard as
// TestDashboardQueriesTheSchema checks the narrow one: its measurements,
// fields and tags are the plugin's, the metrics are taken from mip_scenario
// by the units MIP sends, and it reads nothing of the narrow layout.
func TestWideDashboardQueriesTheSchema(t *testing.T) {
	schema := map[string]mip.Measurement{}
	for _, m := range mip.Schema() {
		schema[m.Name] = m
	}
	narrow, wide := Queries(), WideQueries()
	require.Len(t, wide, len(narrow), "the same panels and variables")
	var units []string
	for i, q := range wide {
		from := fromRe.FindStringSubmatch(q)
		require.NotNil(t, from, "no measurement in %s", q)
		require.NotContains(t, []string{"mip_metric", "mip_formatted_metric"}, from[1], q)
		m := schema[from[1]]
		for _, f := range fieldRe.FindAllStringSubmatch(q, -1) {
			require.Contains(t, m.Fields, f[1], "field in %s", q)
		}
		for _, w := range whereRe.FindAllStringSubmatch(q, -1) {
			require.True(t, slices.Contains(m.Tags, w[1]) || slices.Contains(m.Fields, w[1]), "%q in %s", w[1], q)
		}
		if u := unitFieldsRe.FindStringSubmatch(q); u != nil {
			require.Equal(t, "mip_scenario", from[1])
			units = append(units, u[1])
			// The narrow panel of the same place shows the same unit.
			require.Contains(t, narrow[i], `"unit" = '`+u[1]+`'`)
			continue
		}
		require.Equal(t, narrow[i], q, "a panel without metrics is the narrow dashboard's")
	}
	require.Equal(t, []string{"ms", "bytes", "bps", "requests"}, units)
	require.Contains(t, strings.Join(wide, "\n"), `FROM "mip_freshness"`)
}
