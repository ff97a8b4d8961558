package mip

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/influxdata/telegraf/testutil"
	"github.com/stretchr/testify/require"
)

// entry is a details entry of measure id with one run.
func entry(id int) string {
	return strings.Replace(good, `"id": 100`, fmt.Sprintf(`"id": %d`, id), 1)
}

// TestPagesFollowed: the "next" of a paged answer is followed on url's
// origin, with the key; a next to another origin (the key would go with
// it), to a page read before, or that is not a URL is refused, and the
// gather is then not complete; a "count" that disagrees with what was read
// is a warning.
func TestPagesFollowed(t *testing.T) {
	other := startKeyRecorder(t)
	otherOrigin := "http://localhost:" + other.port()
	tests := []struct {
		name     string
		page     func(origin string, page string) string // the answer to ?page=page ("" the first)
		ids      []string                                // written; nil: the gather fails
		contains string                                  // in the error
		warning  string                                  // logged
	}{
		{
			name: "three pages, relative and absolute links",
			page: func(origin, page string) string {
				switch page {
				case "":
					return `{"count": 3, "next": "` + origin + `/api/measures/details?page=2", "previous": null, "results": [` + entry(1) + `]}`
				case "2":
					return `{"results": [` + entry(2) + `], "next": "/api/measures/details?page=3", "count": 3}`
				}
				return `{"count": 3, "next": null, "previous": "x", "results": [` + entry(3) + `]}`
			},
			ids: []string{"1", "2", "3"},
		},
		{
			name: "count disagrees",
			page: func(origin, page string) string {
				if page == "" {
					return `{"count": 5, "next": "` + origin + `/api/measures/details?page=2", "results": [` + entry(1) + `]}`
				}
				return `{"count": 5, "next": null, "results": [` + entry(2) + `]}`
			},
			ids:     []string{"1", "2"},
			warning: `"count": 5, and 2 scenarios were read in 2 pages`,
		},
		{
			name: "another origin",
			page: func(string, string) string {
				return `{"next": "` + otherOrigin + `/api/measures/details?page=2", "results": [` + entry(1) + `]}`
			},
			contains: "refused to follow the next page, " + otherOrigin + "/api/measures/details: the API key is only sent to",
		},
		{
			name: "a loop",
			page: func(origin, page string) string {
				next := map[string]string{"": "2", "2": "3", "3": "2"}[page]
				return `{"next": "` + origin + `/api/measures/details?page=` + next + `", "results": [` + entry(1) + `]}`
			},
			contains: "a page read before (the pages loop)",
		},
		{
			name:     "next is not a string",
			page:     func(string, string) string { return `{"next": 2, "results": [` + entry(1) + `]}` },
			contains: `"next" is a number, expected the URL of the next page or null`,
		},
		{
			name: "a page fails",
			page: func(origin, page string) string {
				if page == "" {
					return `{"next": "` + origin + `/api/measures/details?page=2", "results": [` + entry(1) + `]}`
				}
				return `{"results": [`
			},
			contains: "the response ends early",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var srv *mipServer
			srv = serve(t, func(w http.ResponseWriter, r *http.Request) {
				writeBody(w, []byte(tt.page(srv.URL, r.URL.Query().Get("page"))))
			})
			log := &testutil.CaptureLogger{}
			p := newPlugin(t, srv.URL, func(p *MIP) { p.Log = log })
			before := other.requests.Load()
			got, err := gather(t, p)
			require.Equal(t, before, other.requests.Load(), "no request to another origin")
			require.Zero(t, other.keys.Load())
			if tt.ids == nil {
				require.ErrorContains(t, err, tt.contains)
				require.False(t, p.ledger.State().LastSuccess.Equal(testNow), "a gather whose last page was not read is not complete")
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.ids, scenarioIDs(got))
			warnings := strings.Join(log.Warnings(), "\n")
			if tt.warning == "" {
				require.Empty(t, warnings)
			} else {
				require.Contains(t, warnings, tt.warning)
			}
		})
	}
}
