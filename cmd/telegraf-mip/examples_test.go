package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/stretchr/testify/require"
)

// TestExecdExamples checks the [[inputs.execd]] examples the packages and
// archives ship: each runs the binary from its install path with the
// configuration beside it, gathering on Telegraf's signal; docs/install.md shows
// the Windows one as it is.
func TestExecdExamples(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "docs", "install.md"))
	require.NoError(t, err)
	for _, tc := range []struct {
		file, binary, config string
	}{
		{"inputs.execd.conf", "/usr/bin/telegraf-mip", "/etc/telegraf/mip.conf"},
		{"inputs.execd.windows.conf", `C:\Program Files\Telegraf\telegraf-mip.exe`, `C:\Program Files\Telegraf\mip.conf`},
	} {
		t.Run(tc.file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("..", "..", "examples", tc.file))
			require.NoError(t, err)
			var conf struct {
				Inputs struct {
					Execd []struct {
						Interval     string   `toml:"interval"`
						Command      []string `toml:"command"`
						Signal       string   `toml:"signal"`
						RestartDelay string   `toml:"restart_delay"`
						DataFormat   string   `toml:"data_format"`
					} `toml:"execd"`
				} `toml:"inputs"`
			}
			md, err := toml.Decode(string(b), &conf)
			require.NoError(t, err)
			require.Empty(t, md.Undecoded())
			require.Len(t, conf.Inputs.Execd, 1)
			execd := conf.Inputs.Execd[0]
			require.Equal(t, []string{tc.binary, "-config", tc.config, "-poll_interval_disabled"}, execd.Command)
			require.Equal(t, "STDIN", execd.Signal)
			require.Equal(t, "influx", execd.DataFormat)
			require.Equal(t, "1m", execd.Interval)
			require.Equal(t, "10s", execd.RestartDelay)
			start := bytes.Index(b, []byte("[[inputs.execd]]"))
			require.GreaterOrEqual(t, start, 0, "no [[inputs.execd]] in %s", tc.file)
			block := string(b[start:])
			if strings.Contains(tc.file, "windows") {
				require.Contains(t, string(readme), "```toml\n"+block+"```\n", "docs/install.md shows the Windows example")
			}
		})
	}
}
