package mip

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestParseRunTime(t *testing.T) {
	tests := []struct {
		key      string
		expected time.Time
	}{
		{key: "2026-11-25T10:00:00Z", expected: at("2026-11-25T10:00:00Z")},
		{key: "2026-11-25T10:00:00.123Z", expected: at("2026-11-25T10:00:00.123Z")},
		{key: "2026-11-25T10:00:00.123456789Z", expected: at("2026-11-25T10:00:00.123456789Z")},
		{key: "2026-11-25T12:00:00+02:00", expected: at("2026-11-25T10:00:00Z")},
		{key: "2026-11-25T05:00:00.5-05:00", expected: at("2026-11-25T10:00:00.5Z")},
		{key: "2026-11-25T12:00:00+0200", expected: at("2026-11-25T10:00:00Z")},
		{key: "2026-11-25T10:00:00", expected: at("2026-11-25T10:00:00Z")},
		{key: "2026-11-25 10:00:00", expected: at("2026-11-25T10:00:00Z")},
		{key: "2026-11-25 10:00:00.250+01:00", expected: at("2026-11-25T09:00:00.25Z")},
		{key: " 2026-11-25T10:00:00Z ", expected: at("2026-11-25T10:00:00Z")},
		{key: "1795600800", expected: at("2026-11-25T10:00:00Z")},
		{key: "1795600800.25", expected: at("2026-11-25T10:00:00.25Z")},
		{key: "1795600800123", expected: at("2026-11-25T10:00:00.123Z")},
		{key: "1795600800123456", expected: at("2026-11-25T10:00:00.123456Z")},
		{key: "1795600800123456789", expected: at("2026-11-25T10:00:00.123456789Z")},
		{key: "0", expected: time.Unix(0, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			got, err := parseRunTime(tt.key)
			require.NoError(t, err)
			require.True(t, tt.expected.Equal(got), "got %s, want %s", got, tt.expected)
		})
	}
}

func TestParseRunTimeRefuses(t *testing.T) {
	for _, key := range []string{"", "yesterday", "2026-13-45T10:00:00Z", "-1795600800", "1.2.3", "99999999999999999999999", "1e10", "NaN", "."} {
		t.Run(key, func(t *testing.T) {
			_, err := parseRunTime(key)
			require.Error(t, err)
		})
	}
}

func TestSortedRunsOrdersByTime(t *testing.T) {
	results := map[string]run{
		"1000000000":                  {},
		"999999999":                   {},
		"2001-09-09T01:46:40.5Z":      {},
		"2001-09-09T03:46:39.5+02:00": {},
		"bad":                         {},
	}
	runs, bad := sortedRuns(results)
	keys := make([]string, 0, len(runs))
	for _, r := range runs {
		keys = append(keys, r.Key)
	}
	require.Equal(t, []string{"999999999", "2001-09-09T03:46:39.5+02:00", "1000000000", "2001-09-09T01:46:40.5Z"}, keys)
	require.Len(t, bad, 1)
}
