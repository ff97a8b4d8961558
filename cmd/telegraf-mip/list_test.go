package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/telegraf-mip/telegraf-mip/plugins/inputs/mip"
)

// serveDiscovery answers MIP's discovery endpoint with plugins/inputs/mip/testdata/<name>.
func serveDiscovery(t *testing.T, name string) *httptest.Server {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("..", "..", "plugins", "inputs", "mip", "testdata", name))
	require.NoError(t, err)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("MIP_API_KEY") != testKey || r.URL.Path != "/api/measures/" {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if _, err := w.Write(body); err != nil {
			t.Error(err)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestListXML compares -list -format xml with what the Centreon plugin's
// list-scenarios mode printed with --disco-show for the same answer
// (plugins/inputs/mip/testdata/discovery_perl.xml, made by
// scripts/centreon-goldens.sh): what Centreon's service discovery parses.
func TestListXML(t *testing.T) {
	srv := serveDiscovery(t, "measures_centreon.json")
	perl, err := os.ReadFile(filepath.Join("..", "..", "plugins", "inputs", "mip", "testdata", "discovery_perl.xml"))
	require.NoError(t, err)

	tests := []struct {
		name     string
		config   []string
		expected string
	}{
		{name: "the Centreon plugin's output", expected: string(perl)},
		{
			name:   "after the filters",
			config: []string{`  scenario_exclude = ["ERP*"]`},
			expected: `<?xml version="1.0" encoding="utf-8"?>
<data>
  <label alias="crm_login_alias" app_name="CRM" display_name="CRM - Login" id="301" name="crm_login"/>
  <label alias="intranet_home_alias" app_name="-" display_name="Intranet home" id="302" name="intranet_home"/>
</data>
`,
		},
		{
			name:   "with the centreon schema, the service name",
			config: []string{`  schema = "centreon"`, `  centreon_host = "MIP"`, `  centreon_service = "MIP-%{app_name}-%{name}"`},
			expected: `<?xml version="1.0" encoding="utf-8"?>
<data>
  <label alias="crm_login_alias" app_name="CRM" display_name="CRM - Login" id="301" name="crm_login" service="MIP-CRM-crm_login"/>
  <label alias="erp" app_name="ERP" display_name="ERP &quot;rich&quot; client &amp; &lt;co&gt;" id="303" name="ERP_desktop" service="MIP-ERP-ERP_desktop"/>
  <label alias="intranet_home_alias" app_name="-" display_name="Intranet home" id="302" name="intranet_home" service="MIP---intranet_home"/>
</data>
`,
		},
		{
			name:   "nothing left",
			config: []string{`  scenario_ids = [999]`},
			expected: `<?xml version="1.0" encoding="utf-8"?>
<data/>
`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runBinary(t, testKey, "-config", pluginConfig(t, srv.URL, tt.config...), "-list", "-format", "xml")
			require.Equal(t, 0, r.code, r.stderr)
			require.Equal(t, tt.expected, r.stdout)
		})
	}
}

func TestXMLAttribute(t *testing.T) {
	for in, out := range map[string]string{
		"plain":                "plain",
		`a "b" & <c>`:          "a &quot;b&quot; &amp; &lt;c&gt;",
		"it's":                 "it's",
		"tab\tnl\ncr\r":        "tab&#9;nl&#10;cr&#13;",
		"bell\a":               "bell\uFFFD",
		"Durée étape 2":        "Durée étape 2",
		"bad \xff utf-8":       "bad \uFFFD utf-8",
		"non-character \uFFFE": "non-character \uFFFD",
	} {
		require.Equal(t, out, xmlAttribute(in), in)
	}
}

// TestListTableEscapesControlCharacters: what MIP sends reaches the
// terminal as text: an escape sequence, a tab, a line break, a
// bidirectional override or a byte that is not UTF-8 is written escaped,
// one scenario one row.
func TestListTableEscapesControlCharacters(t *testing.T) {
	var out strings.Builder
	require.NoError(t, writeScenarios(&out, []mip.Scenario{{
		ID: "1", Name: "evil\x1b]0;owned\x07", Alias: "tab\there", DisplayName: "red \x1b[31mtext\x1b[0m\nsecond line",
		Application: "rtl\u202etxt.exe", Agent: "bad\xffbyte\u0085",
	}, {ID: "2", Name: "plain", Alias: "plain", DisplayName: "Ünïcode ok", Application: "app", Agent: "robot"}}, "table"))
	require.Equal(t, strings.Join([]string{
		`ID  NAME                  ALIAS        DISPLAY NAME                            APPLICATION       AGENT`,
		`1   evil\x1b]0;owned\x07  tab\x09here  red \x1b[31mtext\x1b[0m\x0asecond line  rtl\u202etxt.exe  bad\xffbyte\u0085`,
		`2   plain                 plain        Ünïcode ok                              app               robot`,
		``,
	}, "\n"), out.String())
}
