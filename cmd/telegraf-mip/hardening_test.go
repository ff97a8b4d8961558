package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestKeyProblemsStopAtStart checks that a key no request could carry, or
// none at all, is refused before any request, with a message that says where
// the key comes from and never holds it.
func TestKeyProblemsStopAtStart(t *testing.T) {
	keyFile := writeFile(t, "key", testKey+"\n"+testKey+"\n")
	tests := []struct {
		name     string
		env      string // MIP_API_KEY
		key      string // the api_key line; empty: from the environment
		contains string
	}{
		{name: "line break in TOML", key: `  api_key = "` + testKey + `\n` + testKey + `"`, contains: "api_key holds a control character"},
		{name: "line break in the file", key: `  api_key_file = "` + keyFile + `"`, contains: "api_key_file " + keyFile + " holds a control character"},
		{name: "variable unset or empty", env: "", contains: "api_key comes from the environment variable MIP_API_KEY, which is not set or empty"},
		{name: "line break in the variable", env: testKey + "\n" + testKey, contains: "the environment variable MIP_API_KEY holds a line break"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim, srv := startSim(t)
			conf := pluginConfig(t, srv.URL)
			if tt.key != "" {
				conf = writeFile(t, "mip.conf", "[[inputs.mip]]\n  url = \""+srv.URL+"\"\n"+tt.key+"\n")
			}
			r := runBinary(t, tt.env, "-config", conf, "-once")
			require.Equal(t, 1, r.code, r.stderr)
			require.Contains(t, r.stderr, tt.contains)
			require.Equal(t, 1, strings.Count(r.stderr, "\n"), "one line: %s", r.stderr)
			require.True(t, strings.HasPrefix(r.stderr, "E! "), r.stderr)
			require.Empty(t, r.stdout)
			require.Zero(t, sim.Requests(), "no request is sent")
		})
	}
}
