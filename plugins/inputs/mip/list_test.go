package mip

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestListTableEscapesControlCharacters: what MIP sends reaches the
// terminal as text: an escape sequence, a tab, a line break, a
// bidirectional override or a byte that is not UTF-8 is written escaped,
// one scenario one row.
func TestListTableEscapesControlCharacters(t *testing.T) {
	var out strings.Builder
	require.NoError(t, WriteScenarios(&out, []Scenario{{
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
