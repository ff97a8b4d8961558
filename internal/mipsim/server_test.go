package mipsim

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestStartServesUntilClose: Start answers on its loopback URL until Close.
func TestStartServesUntilClose(t *testing.T) {
	server, err := New("k", Demo()).Start(func(err error) { t.Error(err) })
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(server.URL, "http://127.0.0.1:"), server.URL)
	get := func() (*http.Response, error) {
		req, err := http.NewRequest(http.MethodGet, server.URL+"/api/measures/", http.NoBody)
		require.NoError(t, err)
		req.Header.Set("MIP_API_KEY", "k")
		return http.DefaultClient.Do(req)
	}
	resp, err := get()
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, http.StatusOK, resp.StatusCode)

	require.NoError(t, server.Close())
	http.DefaultClient.CloseIdleConnections()
	resp, err = get()
	if err == nil {
		require.NoError(t, resp.Body.Close())
	}
	require.Error(t, err, "answered after Close")
}
