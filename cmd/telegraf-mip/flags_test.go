package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestHelp: -h says what the program is, its modes, where the API key comes
// from and where the documentation is, before the flags.
func TestHelp(t *testing.T) {
	var stdout, stderr bytes.Buffer
	require.Equal(t, 0, run([]string{"-h"}, &stdout, &stderr))
	help := stderr.String()
	for _, want := range []string{
		"external Telegraf input plugin, run by Telegraf's [[inputs.execd]]",
		"MIP (Maltem Insight Performances)",
		"telegraf-mip -demo\n", "-config mip.conf -test\n", "-config mip.conf -once\n", "-config mip.conf -list",
		"-config mip.conf -poll_interval_disabled\n", `signal = "STDIN"`,
		"MIP_API_KEY", "api_key_file",
		"README.md", "/usr/share/doc/telegraf-mip/",
		"Flags:\n  -catch_up_interval duration",
	} {
		require.Contains(t, help, want)
	}
}

// TestFlagsThatDoNotGoTogether are refused, exit 2, with a sentence naming
// both and why, before anything runs.
func TestFlagsThatDoNotGoTogether(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{
			[]string{"-list", "-once"},
			"-once and -list do not go together: -once gathers once and saves state_file, -list lists the scenarios and gathers nothing; use one",
		},
		{[]string{"-demo", "-test"}, "-demo and -test do not go together"},
		{
			[]string{"-format", "json", "-test", "-config", "x"},
			"-format applies only with -list, not with -test, which gathers once without writing state_file",
		},
		{[]string{"-format", "xml", "-config", "x"}, "-format applies only with -list"},
		{[]string{"-demo", "-config", "x"}, "-demo reads no configuration: it runs against the built-in simulator; drop -config"},
		{
			[]string{"-poll_interval", "5s", "-once", "-config", "x"},
			"-poll_interval applies only under inputs.execd (no -demo, -test, -once or -list), not with -once",
		},
		{[]string{"-poll_interval_disabled", "-test", "-config", "x"}, "-poll_interval_disabled applies only under inputs.execd"},
		{
			[]string{"-catch_up_interval", "1s", "-list", "-config", "x"},
			"-catch_up_interval applies only under inputs.execd (no -demo, -test, -once or -list), not with -list",
		},
		{
			[]string{"-poll_interval", "5s", "-poll_interval_disabled", "-config", "x"},
			"-poll_interval and -poll_interval_disabled do not go together",
		},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		require.Equal(t, 2, run(tt.args, &stdout, &stderr), "%v: %s", tt.args, stderr.String())
		require.True(t, strings.HasPrefix(stderr.String(), "E! "+tt.want), "%v: %s", tt.args, stderr.String())
		require.Empty(t, stdout.String())
	}
	// What goes together still runs.
	var stdout, stderr bytes.Buffer
	require.Equal(t, 0, run([]string{"-debug", "-version"}, &stdout, &stderr), stderr.String())
}
