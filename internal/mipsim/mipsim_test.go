package mipsim

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
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

// cutWriter is a connection that breaks after limit bytes: a client gone in
// the middle of an answer.
type cutWriter struct {
	httptest.ResponseRecorder
	limit int
}

func (c *cutWriter) Write(p []byte) (int, error) {
	if room := c.limit - c.Body.Len(); len(p) > room {
		c.ResponseRecorder.Write(p[:max(room, 0)]) //nolint:errcheck // a recorder does not fail
		return max(room, 0), errors.New("connection reset by peer")
	}
	return c.ResponseRecorder.Write(p)
}

// TestServedCountsWhatWasSent: an answer cut in the middle still served the
// runs of every entry whose bytes reached the client (a streaming reader
// writes them), and none of the entries never sent.
func TestServedCountsWhatWasSent(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 30, 0, time.UTC)
	scenarios := Generate(1000, 2, time.Minute)
	sim := New("k", scenarios)
	sim.SetClock(func() time.Time { return now })
	req := httptest.NewRequest(http.MethodGet, "/api/measures/details?from=now-10m", http.NoBody)
	req.Header.Set("MIP_API_KEY", "k")
	w := &cutWriter{ResponseRecorder: *httptest.NewRecorder(), limit: 200_000}
	sim.ServeHTTP(w, req)
	received := w.Body.String()
	require.Len(t, received, w.limit, "the answer was cut")

	served := sim.Served()
	reached := 0
	for _, sc := range scenarios {
		if !strings.Contains(received, fmt.Sprintf(`{"measure":{"id":%d,`, sc.ID)) {
			continue
		}
		reached++
		var want []time.Time
		for _, r := range Recorded(sc, now.Add(-10*time.Minute), now) {
			want = append(want, r.Time)
		}
		require.Equal(t, want, served[sc.ID], "scenario %d reached the client", sc.ID)
	}
	require.Positive(t, reached)
	require.Empty(t, served[scenarios[len(scenarios)-1].ID], "the last entry was never sent")
	require.Equal(t, []Answer{{From: now.Add(-10 * time.Minute), At: now}}, sim.Answers())
}

// TestOutage: SetOutage fails every request with its status until cleared,
// and serves nothing meanwhile.
func TestOutage(t *testing.T) {
	sim := New("k", Generate(3, 2, time.Minute))
	get := func() int {
		req := httptest.NewRequest(http.MethodGet, "/api/measures/details", http.NoBody)
		req.Header.Set("MIP_API_KEY", "k")
		rec := httptest.NewRecorder()
		sim.ServeHTTP(rec, req)
		return rec.Code
	}
	sim.SetOutage(http.StatusServiceUnavailable)
	require.Equal(t, http.StatusServiceUnavailable, get())
	require.Empty(t, sim.Served())
	sim.SetOutage(0)
	require.Equal(t, http.StatusOK, get())
	require.Len(t, sim.Served(), 3)
	require.Equal(t, 2, sim.Requests())
}
