package centreonrules

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestDiscoveryAttribute: each value as the Perl plugin's --disco-show
// writes it (display_disco_show's s/([[:cntrl:]])/&#xN;/, then libxml2),
// but for the characters no XML parser reads.
func TestDiscoveryAttribute(t *testing.T) {
	for in, out := range map[string]string{
		"plain":                  "plain",
		`a "b" & <c>`:            "a &quot;b&quot; &amp; &lt;c&gt;",
		"it's":                   "it's",
		"tab\tnl\ncr\r":          "tab&amp;#x9;nl&amp;#xA;cr&amp;#xD;",
		"bell\a del\x7f":         "bell&amp;#x7; del&amp;#x7F;",
		"nel\u0085 apc\u009f":    "nel&amp;#x85; apc&amp;#x9F;",
		"Durée étape 2":          "Durée étape 2",
		"bad \xff utf-8":         "bad \uFFFD utf-8",
		"non-character \uFFFE":   "non-character \uFFFD",
		"non-character \uFFFF":   "non-character \uFFFD",
		"last \uFFFD \U0001F600": "last \uFFFD \U0001F600",
	} {
		require.Equal(t, out, discoveryAttribute(in), in)
	}
}

// TestWriteDiscoveryXML: sorted by lower-cased name, ties by id, the
// attributes in name order whatever the entry holds.
func TestWriteDiscoveryXML(t *testing.T) {
	var b strings.Builder
	require.NoError(t, WriteDiscoveryXML(&b, []map[string]string{
		{"name": "beta", "id": "12", "service": "s12"},
		{"name": "Beta", "id": "11", "service": "s11"},
		{"name": "alpha", "id": "13", "service": "s13"},
	}))
	require.Equal(t, `<?xml version="1.0" encoding="utf-8"?>
<data>
  <label id="13" name="alpha" service="s13"/>
  <label id="11" name="Beta" service="s11"/>
  <label id="12" name="beta" service="s12"/>
</data>
`, b.String())
	b.Reset()
	require.NoError(t, WriteDiscoveryXML(&b, nil))
	require.Equal(t, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<data/>\n", b.String())
}
