package mipapi

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// decodeWith reads a response through c (nil: DecodeMeasureDetails, a cache
// of its own) and returns its entries' measures and metricInfo by id, and
// the entry errors.
func decodeWith(t *testing.T, c *Cache, body string) (map[string]*Measure, map[string]map[string]MetricInfo, []string) {
	t.Helper()
	measures, infos := map[string]*Measure{}, map[string]map[string]MetricInfo{}
	var problems []string
	decode := DecodeMeasureDetails
	if c != nil {
		decode = c.DecodeMeasureDetails
	}
	err := forEachEntry(decode(strings.NewReader(body)), nil, func(e *MeasureEntry, err error) {
		if err != nil {
			problems = append(problems, err.Error())
			return
		}
		measures[string(e.Measure.ID)] = e.Measure
		infos[string(e.Measure.ID)] = e.MetricInfo
	})
	require.NoError(t, err)
	return measures, infos, problems
}

func TestCacheFollowsTheResponses(t *testing.T) {
	entry := func(id, name, alias string) string {
		return `{"measure": {"id": "` + id + `", "name": "` + name + `"}, "metricInfo": {"m1": {"alias": "` + alias + `", "unit": "ms"}}, "results": {}}`
	}
	var c Cache
	m1, i1, _ := decodeWith(t, &c, `{"results": [`+entry("1", "login", "Load")+`, `+entry("2", "search", "Load")+`]}`)
	require.Equal(t, Text("login"), m1["1"].Name)
	require.Equal(t, Text("Load"), i1["2"]["m1"].Alias)
	require.Len(t, c.measures, 2)
	require.Len(t, c.infos, 1, "one metricInfo, the same bytes for both")

	// The same bytes: the same values, decoded once.
	m2, i2, _ := decodeWith(t, &c, `{"results": [`+entry("1", "login", "Load")+`, `+entry("2", "search", "Load")+`]}`)
	require.Same(t, m1["1"], m2["1"])
	require.Equal(t, i1["1"], i2["1"])

	// A measure renamed, an alias changed: read anew; scenario 2 gone: forgotten.
	m3, i3, _ := decodeWith(t, &c, `{"results": [`+entry("1", "login v2", "Total")+`]}`)
	require.Equal(t, Text("login v2"), m3["1"].Name)
	require.Equal(t, Text("Total"), i3["1"]["m1"].Alias)
	require.Equal(t, Text("login"), m1["1"].Name, "what an earlier gather was given does not change")
	require.Len(t, c.measures, 1)
	require.Len(t, c.infos, 1)

	// A response cut short forgets nothing: its scenarios may still be there.
	err := forEachEntry(c.DecodeMeasureDetails(strings.NewReader(`{"results": [`+entry("3", "new", "Load"))), nil, func(*MeasureEntry, error) {})
	require.ErrorContains(t, err, "ends early")
	require.Len(t, c.measures, 2)
}

// A measure of the wrong shape is reported at every response, cached or not.
func TestCacheKeepsProblems(t *testing.T) {
	body := `{"results": [{"measure": {"id": "7", "name": {"not": "a text"}}, "results": {}}]}`
	var c Cache
	for range 3 {
		_, _, problems := decodeWith(t, &c, body)
		require.Len(t, problems, 1)
		require.Contains(t, problems[0], `field "measure.name": expected string, got a JSON object`)
	}
	_, _, problems := decodeWith(t, nil, body)
	require.Len(t, problems, 1, "and through DecodeMeasureDetails alike")
}

// Values over maxCachedBytes are decoded each time, not kept.
func TestCacheSkipsLargeValues(t *testing.T) {
	long := strings.Repeat("x", maxCachedBytes)
	var c Cache
	m, _, _ := decodeWith(t, &c, `{"results": [{"measure": {"id": "1", "displayName": "`+long+`"}, "results": {}}]}`)
	require.Equal(t, Text(long), m["1"].DisplayName)
	require.Empty(t, c.measures)
}
