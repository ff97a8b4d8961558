package mip

import (
	"encoding/pem"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// keyRecorder is a server on another origin that counts the requests that
// reach it and those that carry the API key.
type keyRecorder struct {
	*httptest.Server
	requests, keys atomic.Int32
}

func startKeyRecorder(t *testing.T) *keyRecorder {
	t.Helper()
	r := &keyRecorder{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.requests.Add(1)
		if req.Header.Get("MIP_API_KEY") != "" || req.Header.Get("Authorization") != "" {
			r.keys.Add(1)
		}
		if _, err := w.Write([]byte(`{"results": [` + good + `]}`)); err != nil {
			t.Error(err)
		}
	}))
	t.Cleanup(r.Close)
	return r
}

// port is the recorder's port, to address it as localhost, the other
// loopback origin.
func (r *keyRecorder) port() string {
	return strconv.Itoa(r.Listener.Addr().(*net.TCPAddr).Port)
}

func TestRedirects(t *testing.T) {
	other := startKeyRecorder(t)
	otherOrigin := "http://localhost:" + other.port()
	tests := []struct {
		name string
		tls  bool
		// location answers a request for path at origin; empty: serve the body.
		location func(origin, path string) string
		contains []string // in the error; none: the gather succeeds
		absent   []string // never in the error
	}{
		{
			name: "same origin, trailing slash (Django APPEND_SLASH)",
			location: func(_, path string) string {
				if strings.HasSuffix(path, "/") {
					return ""
				}
				return path + "/?fields=x"
			},
		},
		{
			name:     "another loopback origin",
			location: func(string, string) string { return otherOrigin + "/api/measures/details?x=1" },
			contains: []string{"refused to follow the redirect to " + otherOrigin + "/api/measures/details:", `set url = "` + otherOrigin + `"`},
			absent:   []string{"x=1"},
		},
		{
			name:     "https to http",
			tls:      true,
			location: func(string, string) string { return other.URL + "/api/measures/details" },
			contains: []string{"refused to follow the redirect to " + other.URL + "/api/measures/details: it leaves https", "clear text"},
		},
		{
			name: "credentials of the server's choice",
			location: func(origin, _ string) string {
				return strings.Replace(origin, "://", "://mallory:hunter2@", 1) + "/api/measures/details/"
			},
			contains: []string{"carries credentials"},
			absent:   []string{"mallory", "hunter2"},
		},
		{
			name:     "a loop",
			location: func(_, path string) string { return path },
			contains: []string{"stopped after 10 redirects"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var origin string
			var served atomic.Int32
			handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				assert.Equal(t, testKey, r.Header.Get("MIP_API_KEY"), "the key reaches every request to url's origin")
				if loc := tt.location(origin, r.URL.Path); loc != "" {
					http.Redirect(w, r, loc, http.StatusMovedPermanently)
					return
				}
				served.Add(1)
				if _, err := w.Write([]byte(`{"results": [` + good + `]}`)); err != nil {
					t.Error(err)
				}
			})
			var srv *httptest.Server
			var configure []func(*MIP)
			if tt.tls {
				srv = httptest.NewTLSServer(handler)
				ca := filepath.Join(t.TempDir(), "ca.pem")
				require.NoError(t, os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600))
				configure = append(configure, func(p *MIP) { p.TLSCA = ca })
			} else {
				srv = httptest.NewServer(handler)
			}
			defer srv.Close()
			origin = srv.URL
			before := other.requests.Load()

			got, err := gather(t, newPlugin(t, srv.URL, configure...))
			require.Zero(t, other.keys.Load(), "the key never leaves url's origin")
			require.Equal(t, before, other.requests.Load(), "no request to another origin")
			if len(tt.contains) == 0 {
				require.NoError(t, err)
				require.Equal(t, []string{"100"}, scenarioIDs(got))
				require.Equal(t, int32(1), served.Load())
				return
			}
			require.Error(t, err)
			for _, c := range tt.contains {
				require.ErrorContains(t, err, c)
			}
			require.ErrorContains(t, err, "GET "+srv.URL+"/api/measures/details: ", "the message starts at the configured URL")
			for _, a := range tt.absent {
				require.NotContains(t, err.Error(), a)
			}
			require.Zero(t, served.Load())
		})
	}
}

// TestMessagesNameTheFinalURL checks that after a followed redirect, what
// goes wrong is said of the URL that answered.
func TestMessagesNameTheFinalURL(t *testing.T) {
	tests := []struct {
		name     string
		final    http.HandlerFunc
		contains string
	}{
		{
			name:     "HTTP status",
			final:    func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNotFound) },
			contains: "GET %s/api/measures/details/ returned HTTP status 404 Not Found",
		},
		{
			name:     "body",
			final:    func(w http.ResponseWriter, _ *http.Request) { writeBody(w, []byte(`{"results": [`)) },
			contains: "reading %s/api/measures/details/: the response ends early",
		},
		{
			name: "connection",
			final: func(w http.ResponseWriter, _ *http.Request) {
				if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
					conn.Close()
				}
			},
			contains: "GET %s/api/measures/details/ (redirected from %s/api/measures/details): ",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
				if !strings.HasSuffix(r.URL.Path, "/") {
					http.Redirect(w, r, r.URL.Path+"/", http.StatusMovedPermanently)
					return
				}
				tt.final(w, r)
			})
			_, err := gather(t, newPlugin(t, srv.URL))
			require.ErrorContains(t, err, strings.ReplaceAll(tt.contains, "%s", srv.URL))
		})
	}
}
