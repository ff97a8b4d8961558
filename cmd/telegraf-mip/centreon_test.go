package main

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestCentreonDispatch: `telegraf-mip centreon ...` is the Centreon Perl
// plugin's command line (internal/centreonplugin), not telegraf-mip's flags.
func TestCentreonDispatch(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run([]string{"centreon", "--plugin=apps::monitoring::mip::restapi::plugin", "--mode=scenarios", "--hostname=x"}, &stdout, &stderr)
	require.Equal(t, 3, code)
	require.Equal(t, "UNKNOWN: Need to specify --api-key option. \n", stdout.String())
	require.Empty(t, stderr.String())
}
