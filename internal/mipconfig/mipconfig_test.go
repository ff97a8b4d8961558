package mipconfig

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/influxdata/telegraf"
	tgconfig "github.com/influxdata/telegraf/config"
	"github.com/influxdata/telegraf/plugins/inputs"
	"github.com/stretchr/testify/require"
)

// telegrafProbe is an input registered in Telegraf's own registry, so that
// Telegraf's config loader reads the same string values as ours.
type telegrafProbe struct {
	Value string `toml:"value"`
}

func (*telegrafProbe) SampleConfig() string              { return "" }
func (*telegrafProbe) Gather(telegraf.Accumulator) error { return nil }

func init() {
	inputs.Add("mipprobe", func() telegraf.Input { return &telegrafProbe{} })
}

// telegrafReads returns what Telegraf v1.37's loader makes of a TOML string
// value, or its error, in its strict mode (--strict-env-handling, the
// default from v1.38) or its non-strict one (the default of v1.37).
func telegrafReads(t *testing.T, value string, strict bool) (string, error) {
	t.Helper()
	old := tgconfig.NonStrictEnvVarHandling
	tgconfig.NonStrictEnvVarHandling = !strict
	defer func() { tgconfig.NonStrictEnvVarHandling = old }()
	c := tgconfig.NewConfig()
	if err := c.LoadConfigData([]byte("[[inputs.mipprobe]]\n  value = "+value+"\n"), "probe.conf"); err != nil {
		return "", err
	}
	require.Len(t, c.Inputs, 1)
	return c.Inputs[0].Input.(*telegrafProbe).Value, nil
}

// TestConfigReadAsTelegrafReadsIt holds the loader to Telegraf's own on
// environment variables in values: each case is loaded by both. Ours is
// Telegraf's strict mode; its non-strict mode (1.37's default, a textual
// replacement before parsing) agrees but on a value that holds a quote or
// a backslash, which it breaks.
func TestConfigReadAsTelegrafReadsIt(t *testing.T) {
	t.Setenv("MIP_T_SET", "set")
	t.Setenv("MIP_T_EMPTY", "")
	t.Setenv("MIP_T_QUOTE", `a"b\c`)
	for _, value := range []string{
		`"${MIP_T_SET}"`,
		`"$MIP_T_SET/x"`,
		`"${MIP_T_UNSET:-default}"`,
		`"${MIP_T_EMPTY:-default}"`,
		`"${MIP_T_SET:-default}"`,
		`"${MIP_T_UNSET-default}"`,
		`"${MIP_T_EMPTY-default}"`,
		`"${MIP_T_SET:+alternative}"`,
		`"a$$b"`,
		`"a$${MIP_T_SET}b"`,
		`'${MIP_T_SET}'`,
		`"${MIP_T_UNSET}"`,
		`"$MIP_T_UNSET"`,
		`"${MIP_T_EMPTY}"`,
		`"${MIP_T_QUOTE}"`,
		`"^x{1}$$"`,
		`"${1}"`,
		`"""multi ${MIP_T_SET}
line"""`,
		`"a # not a comment ${MIP_T_SET}"`,
	} {
		t.Run(value, func(t *testing.T) {
			want, err := telegrafReads(t, value, true)
			require.NoError(t, err)
			if value != `"${MIP_T_QUOTE}"` {
				nonStrict, err := telegrafReads(t, value, false)
				require.NoError(t, err)
				require.Equal(t, want, nonStrict)
			}
			conf := fmt.Sprintf("[[inputs.mip]]\n  url = \"http://127.0.0.1:1\"\n  state_file = %s # ${MIP_T_UNSET:?never read}\n", value)
			p, err := Load(writeFile(t, conf))
			require.NoError(t, err)
			require.Equal(t, want, p.StateFile)
		})
	}
	t.Run("required variable", func(t *testing.T) {
		_, terr := telegrafReads(t, `"${MIP_T_UNSET:?set it}"`, true)
		require.ErrorContains(t, terr, "set it")
		_, err := Load(writeFile(t, "[[inputs.mip]]\n  state_file = \"${MIP_T_UNSET:?set it}\"\n"))
		require.ErrorContains(t, err, "state_file: required variable MIP_T_UNSET is missing a value: set it")
	})
}

// TestConfigMessages checks that what Telegraf users write by habit, and
// what Telegraf itself would refuse, is refused with the fix named.
func TestConfigMessages(t *testing.T) {
	t.Setenv("MIP_T_EMPTY", "")
	tests := []struct {
		name, config, contains string
	}{
		{
			name:     "keys are case-sensitive, as in Telegraf",
			config:   "[[inputs.mip]]\n  url = \"http://127.0.0.1:1\"\n  API_KEY = \"k\"\n",
			contains: "unknown configuration key inputs.mip.API_KEY (keys are case-sensitive: api_key)",
		},
		{
			name: "Telegraf's input settings",
			config: "[[inputs.mip]]\n  url = \"http://127.0.0.1:1\"\n  interval = \"1m\"\n  alias = \"mip\"\n  name_override = \"x\"\n" +
				"  [inputs.mip.tags]\n    env = \"prod\"\n",
			contains: "alias, interval, name_override, tags belong to Telegraf's [[inputs.execd]] block (telegraf.conf), " +
				"not to [[inputs.mip]]: move them there",
		},
		{
			name:     "both kinds",
			config:   "[[inputs.mip]]\n  url = \"http://127.0.0.1:1\"\n  precision = \"1s\"\n  scenario_inclde = [\"a\"]\n",
			contains: "unknown configuration key inputs.mip.scenario_inclde (did you mean scenario_include?) (" + validKeysAt + "); precision belong to",
		},
		{
			name:     "a key of a sub-table",
			config:   "[[inputs.mip]]\n  url = \"http://127.0.0.1:1\"\n  [[inputs.mip.threshold]]\n    metric = \"x\"\n    warn = \"1\"\n",
			contains: "unknown configuration key inputs.mip.threshold.warn (valid keys",
		},
		{
			name:     "single brackets",
			config:   "[inputs.mip]\n  url = \"http://127.0.0.1:1\"\n",
			contains: "line 1: [inputs.mip] is a single table: use [[inputs.mip]], with double brackets, as for every Telegraf plugin",
		},
		{
			name:     "a key outside the block",
			config:   "url = \"http://127.0.0.1:1\"\n[[inputs.mip]]\n",
			contains: "url outside [[inputs.mip]]",
		},
		{
			name:     "another plugin",
			config:   "[[inputs.cpu]]\n",
			contains: "[[inputs.cpu]] is not supported",
		},
		{
			name:     "two blocks",
			config:   "[[inputs.mip]]\n[[inputs.mip]]\n",
			contains: "2 [[inputs.mip]] blocks",
		},
		{
			name:     "no block",
			config:   "# nothing\n",
			contains: "no [[inputs.mip]] block",
		},
		{
			name:     "api_key from an unset variable, kept as written by Telegraf's rules",
			config:   "[[inputs.mip]]\n  url = \"http://127.0.0.1:1\"\n  api_key = \"${MIP_T_UNSET}\"\n",
			contains: "api_key comes from the environment variable MIP_T_UNSET, which is not set or empty",
		},
		{
			name:     "api_key from an empty variable",
			config:   "[[inputs.mip]]\n  url = \"http://127.0.0.1:1\"\n  api_key = \"${MIP_T_EMPTY}\"\n",
			contains: "api_key comes from the environment variable MIP_T_EMPTY, which is not set or empty",
		},
		{
			name:     "a value of the wrong type",
			config:   "[[inputs.mip]]\n  url = 3\n",
			contains: "mip.conf: [[inputs.mip]]: line 2: (mip.MIP.URL) cannot unmarshal TOML integer into string",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(writeFile(t, tt.config))
			require.ErrorContains(t, err, tt.contains)
		})
	}
}

// TestUnknownKeySuggests checks the whole message for misspelt keys: the
// nearest valid key of the same table (embedded TLS and proxy settings
// included), none when nothing is close, and where the valid keys are for a
// package user, who has no file named sample.conf.
func TestUnknownKeySuggests(t *testing.T) {
	tests := []struct {
		name, keys, want string
	}{
		{
			name: "one misspelt key",
			keys: "  lookbak = \"1h\"\n",
			want: "unknown configuration key inputs.mip.lookbak (did you mean lookback?) (valid keys: sample.conf in the archives; " +
				"with the packages, /usr/share/doc/telegraf-mip/plugins/inputs/mip/README.md)",
		},
		{
			name: "two letters swapped, an embedded TLS key, nothing close",
			keys: "  tls_ac = \"/ca.pem\"\n  scenario_exlcude = [\"x\"]\n  colour = \"blue\"\n",
			want: "unknown configuration keys inputs.mip.colour, inputs.mip.scenario_exlcude (did you mean scenario_exclude?), " +
				"inputs.mip.tls_ac (did you mean tls_ca?) (" + validKeysAt + ")",
		},
		{
			name: "a key of a sub-table, against that table's keys",
			keys: "  [[inputs.mip.threshold]]\n    metric = \"x\"\n    criticl = \"1\"\n",
			want: "unknown configuration key inputs.mip.threshold.criticl (did you mean critical?) (" + validKeysAt + ")",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, "[[inputs.mip]]\n  url = \"http://127.0.0.1:1\"\n"+tt.keys)
			_, err := Load(path)
			require.EqualError(t, err, path+": "+tt.want)
		})
	}
}

// TestConfigDefaultsFromTheEnvironment loads a key and a duration through
// Telegraf's ${VAR:-default}: substitution comes before the types.
func TestConfigDefaultsFromTheEnvironment(t *testing.T) {
	t.Setenv("MIP_T_KEY", "k3y")
	p, err := Load(writeFile(t, strings.Join([]string{
		"[[inputs.mip]]",
		`  url = "${MIP_T_URL:-http://127.0.0.1:1}"`,
		`  api_key = "${MIP_T_KEY:-unused}"`,
		`  timeout = "${MIP_T_TIMEOUT:-42s}"`,
	}, "\n")))
	require.NoError(t, err)
	require.Equal(t, "http://127.0.0.1:1", p.URL)
	require.Equal(t, 42*time.Second, time.Duration(p.Timeout))
	key, err := p.APIKey.Get()
	require.NoError(t, err)
	defer key.Destroy()
	require.Equal(t, "k3y", key.String())
}

func writeFile(t testing.TB, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "mip.conf")
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}
