package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestPagedAnswers: a MIP (or a proxy) that pages its answers despite
// limit=-1, as Django REST framework does, two scenarios a page: -once
// writes the newest run of all five scenarios, -list lists all five, and
// nothing is said, since nothing is wrong.
func TestPagedAnswers(t *testing.T) {
	sim, srv := startSim(t)
	sim.SetPageSize(2)

	r := runBinary(t, testKey, "-config", pluginConfig(t, srv.URL), "-once")
	require.Equal(t, 0, r.code, r.stderr)
	require.Empty(t, r.stderr)
	points := parseLines(t, r.stdout)
	requireNewestRuns(t, points)
	for _, m := range points {
		if m.Name() == "mip_api" {
			scenarios, _ := m.GetField("scenarios")
			require.Equal(t, int64(5), scenarios)
		}
	}
	require.Equal(t, 3, sim.Requests(), "three pages of two")

	r = runBinary(t, testKey, "-config", pluginConfig(t, srv.URL), "-list", "-format", "json")
	require.Equal(t, 0, r.code, r.stderr)
	require.Empty(t, r.stderr)
	var listed []map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &listed))
	ids := make([]string, 0, len(listed))
	for _, s := range listed {
		ids = append(ids, strings.TrimSuffix(strings.TrimSpace(toString(s["id"])), ".0"))
	}
	require.Equal(t, []string{"101", "102", "201", "301", "401"}, ids)
	require.Equal(t, 6, sim.Requests())
}

func toString(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}
