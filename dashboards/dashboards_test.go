package dashboards

import (
	"encoding/json"
	"regexp"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/telegraf-mip/telegraf-mip/plugins/inputs/mip"
)

var (
	fromRe   = regexp.MustCompile(`FROM "(\w+)"`)
	fieldRe  = regexp.MustCompile(`(?:mean|last|max|min|sum|count)\("(\w+)"\)`)
	whereRe  = regexp.MustCompile(`"(\w+)" (?:=~|=|!=|!~|>=|<=|>|<) `)
	keyRe    = regexp.MustCompile(`WITH KEY = "(\w+)"`)
	groupRe  = regexp.MustCompile(`GROUP BY (.*?)(?: fill\(|$)`)
	quotedRe = regexp.MustCompile(`"(\w+)"`)
)

// TestDashboardQueriesTheSchema checks that every measurement, field and tag
// the dashboard queries is one the plugin emits, as mip.Schema() declares.
func TestDashboardQueriesTheSchema(t *testing.T) {
	schema := map[string]mip.Measurement{}
	for _, m := range mip.Schema() {
		schema[m.Name] = m
	}
	qs := Queries()
	require.GreaterOrEqual(t, len(qs), 10)
	measured := map[string]bool{}
	for _, q := range qs {
		from := fromRe.FindStringSubmatch(q)
		require.NotNil(t, from, "no measurement in %s", q)
		m, ok := schema[from[1]]
		require.True(t, ok, "unknown measurement %q in %s", from[1], q)
		measured[m.Name] = true
		for _, f := range fieldRe.FindAllStringSubmatch(q, -1) {
			require.Contains(t, m.Fields, f[1], "field in %s", q)
		}
		// A condition may be on a tag or a field; grouping only on a tag.
		for _, w := range whereRe.FindAllStringSubmatch(q, -1) {
			require.True(t, slices.Contains(m.Tags, w[1]) || slices.Contains(m.Fields, w[1]), "%q is neither a tag nor a field of %s in %s", w[1], m.Name, q)
		}
		var tags []string
		for _, k := range keyRe.FindAllStringSubmatch(q, -1) {
			tags = append(tags, k[1])
		}
		if g := groupRe.FindStringSubmatch(q); g != nil {
			for _, tag := range quotedRe.FindAllStringSubmatch(g[1], -1) {
				tags = append(tags, tag[1])
			}
		}
		for _, tag := range tags {
			require.Contains(t, m.Tags, tag, "tag in %s", q)
		}
	}
	for _, name := range []string{"mip_scenario", "mip_metric", "mip_freshness", "mip_api"} {
		require.True(t, measured[name], "the dashboard shows %s", name)
	}
}

// TestDashboardCatchesUnknownNames proves the check above can fail.
func TestDashboardCatchesUnknownNames(t *testing.T) {
	q := `SELECT mean("latency") FROM "mip_metric" WHERE "host" = 'x'`
	schema := mip.Schema()
	var metric mip.Measurement
	for _, m := range schema {
		if m.Name == "mip_metric" {
			metric = m
		}
	}
	require.NotContains(t, metric.Fields, fieldRe.FindStringSubmatch(q)[1])
	require.NotContains(t, metric.Tags, whereRe.FindStringSubmatch(q)[1])
	require.NotContains(t, metric.Fields, whereRe.FindStringSubmatch(q)[1])
}

// TestDashboardDataSourceIsTheVariable keeps what the README says about
// importing the dashboard: no __inputs to prompt for, and every panel, query
// and variable reads the InfluxDB data source picked in the "datasource"
// variable.
func TestDashboardDataSourceIsTheVariable(t *testing.T) {
	for name, dashboard := range map[string][]byte{"narrow": Grafana, "wide": GrafanaWide} {
		t.Run(name, func(t *testing.T) { requireDataSourceIsTheVariable(t, dashboard) })
	}
}

func requireDataSourceIsTheVariable(t *testing.T, dashboard []byte) {
	var model map[string]any
	require.NoError(t, json.Unmarshal(dashboard, &model))
	require.NotContains(t, model, "__inputs")
	vars := model["templating"].(map[string]any)["list"].([]any)
	first := vars[0].(map[string]any)
	require.Equal(t, "datasource", first["name"])
	require.Equal(t, "datasource", first["type"])
	require.Equal(t, "influxdb", first["query"])

	var refs int
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, child := range v {
				if k == "datasource" {
					require.Equal(t, map[string]any{"type": "influxdb", "uid": "${datasource}"}, child)
					refs++
					continue
				}
				walk(child)
			}
		case []any:
			for _, child := range v {
				walk(child)
			}
		}
	}
	walk(model)
	require.GreaterOrEqual(t, refs, len(panelQueries(dashboard)), "every query names its data source")
}
