package mipsim

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestMaxWindowCutsFrom: with SetMaxWindow, an answer holds only the runs of
// the last max-window, however far back from asks.
func TestMaxWindowCutsFrom(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 30, 0, time.UTC)
	sim := New("k", Generate(3, 2, time.Minute))
	sim.SetClock(func() time.Time { return now })
	runs := func() int {
		req := httptest.NewRequest(http.MethodGet, "/api/measures/details?from=now-10m", http.NoBody)
		req.Header.Set("MIP_API_KEY", "k")
		rec := httptest.NewRecorder()
		sim.ServeHTTP(rec, req)
		require.Equal(t, http.StatusOK, rec.Code)
		var answer struct {
			Results []struct {
				Results map[string]json.RawMessage `json:"results"`
			} `json:"results"`
		}
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &answer))
		n := 0
		for _, m := range answer.Results {
			n += len(m.Results)
		}
		return n
	}
	require.Equal(t, 3*10, runs())
	sim.SetMaxWindow(2 * time.Minute)
	require.Equal(t, 3*2, runs())
}
