package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/stretchr/testify/require"
)

// TestOutputHealthExampleIsTheDocumentedOne: the README's recommended setup
// and docs/outages.md show the blocks of examples/output-health.conf, which
// the end-to-end outage test runs under the real Telegraf.
func TestOutputHealthExampleIsTheDocumentedOne(t *testing.T) {
	read := func(path ...string) string {
		b, err := os.ReadFile(filepath.Join(append([]string{"..", ".."}, path...)...))
		require.NoError(t, err)
		return string(b)
	}
	example := read("examples", "output-health.conf")
	start := strings.Index(example, "[[inputs.internal]]")
	require.GreaterOrEqual(t, start, 0)
	blocks := example[start:]
	require.Contains(t, read("docs", "outages.md"), "```toml\n"+blocks+"```\n", "docs/outages.md shows the example as it is")

	decode := func(text string) map[string]any {
		var conf map[string]any
		_, err := toml.Decode(text, &conf)
		require.NoError(t, err)
		return conf
	}
	want := decode(example)
	var readmeBlock string
	for _, block := range strings.Split(read("README.md"), "```toml\n")[1:] {
		block, _, _ = strings.Cut(block, "```")
		if strings.Contains(block, "[[outputs.health]]") {
			readmeBlock = block
		}
	}
	require.NotEmpty(t, readmeBlock, "the README's recommended setup")
	got := decode(readmeBlock)
	require.Equal(t, want["outputs"], got["outputs"])
	require.Equal(t, want["inputs"].(map[string]any)["internal"], got["inputs"].(map[string]any)["internal"])
}
