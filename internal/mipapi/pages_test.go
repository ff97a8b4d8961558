package mipapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestPagesAreBounded: an answer whose pages never end (each links to a
// new one) is refused past MaxPages, not followed until the timeout.
func TestPagesAreBounded(t *testing.T) {
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		page, _ := strconv.Atoi(r.URL.Query().Get("page")) //nolint:errcheck // none is the first page
		next := srv.URL + "/api/measures/details?page=" + strconv.Itoa(page+1)
		w.Write([]byte(`{"next": "` + next + `", "results": []}`)) //nolint:errcheck // the client is the test
	}))
	defer srv.Close()
	base, err := url.Parse(srv.URL)
	require.NoError(t, err)
	c := NewClient(http.DefaultTransport, base, func() (string, error) { return "k", nil }, 1<<20, time.Second)
	resp, err := c.MeasureDetails(context.Background(), time.Hour)
	require.NoError(t, err)
	defer resp.Close()
	resp.pages = MaxPages - 3 // as if that many were read
	err = forEachEntry(new(Cache).DecodeMeasureDetails(resp), nil, func(*MeasureEntry, error) {})
	require.ErrorContains(t, err, "refused to follow the next page, "+srv.URL+"/api/measures/details: the answer has more than 10000 pages")
	require.Equal(t, MaxPages, resp.Pages())
}
