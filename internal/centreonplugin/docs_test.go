package centreonplugin

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestDocsCheckCommandTakesTheCLAPIMacros: the check command of
// docs/centreon-plugin.md ends with the same extra-options macros as
// examples/centreon-clapi-mip.txt's, in the same order: the page tells
// admins to put --memory and --statefile-dir in the service's
// EXTRAOPTIONS, which only a command carrying $_SERVICEEXTRAOPTIONS$ reads.
func TestDocsCheckCommandTakesTheCLAPIMacros(t *testing.T) {
	doc, err := os.ReadFile("../../docs/centreon-plugin.md")
	require.NoError(t, err)
	_, after, ok := strings.Cut(string(doc), "## Switching a command")
	require.True(t, ok)
	_, block, ok := strings.Cut(after, "```text\n")
	require.True(t, ok)
	block, _, _ = strings.Cut(block, "```")
	docCommand := strings.Join(strings.Fields(strings.ReplaceAll(block, "\\\n", " ")), " ")

	clapi, err := os.ReadFile("../../examples/centreon-clapi-mip.txt")
	require.NoError(t, err)
	var clapiCommand string
	for _, line := range strings.Split(string(clapi), "\n") {
		if fields := strings.SplitN(line, ";", 5); len(fields) == 5 && fields[0] == "CMD" && fields[3] == "check" {
			clapiCommand = fields[4]
		}
	}
	require.NotEmpty(t, clapiCommand, "the CLAPI file's check command")

	extra := regexp.MustCompile(`\$_(HOST|SERVICE)\w*EXTRAOPTIONS\$`)
	want := extra.FindAllString(clapiCommand, -1)
	require.Equal(t, []string{"$_HOSTMIPAPIEXTRAOPTIONS$", "$_SERVICEEXTRAOPTIONS$"}, want)
	require.Equal(t, want, extra.FindAllString(docCommand, -1), "the docs' check command: %s", docCommand)
	require.True(t, strings.HasSuffix(docCommand, strings.Join(want, " ")), "last on the docs' check command: %s", docCommand)
}
