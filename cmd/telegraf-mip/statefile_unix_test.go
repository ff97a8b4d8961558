//go:build unix

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestStateFileNotARegularFile: a FIFO as state_file, or /dev/null, stops
// -once, -test and -list at once (they hung in the read of a FIFO), with a
// message naming it, nothing written, and the file left as it was.
func TestStateFileNotARegularFile(t *testing.T) {
	_, srv := startSim(t)
	fifo := filepath.Join(t.TempDir(), "mip.state")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	for path, say := range map[string]string{
		fifo:        "is not a regular file but a named pipe (FIFO)",
		"/dev/null": "is not a regular file but a character device",
	} {
		conf := pluginConfig(t, srv.URL, fmt.Sprintf("  state_file = %q", path))
		for _, mode := range []string{"-once", "-test", "-list"} {
			t.Run(filepath.Base(path)+mode, func(t *testing.T) {
				r := runBinary(t, testKey, "-config", conf, mode)
				require.Equal(t, 1, r.code, r.stderr)
				require.Contains(t, r.stderr, "E! configuration "+conf+": state_file "+path+" "+say)
				require.Empty(t, r.stdout)
				info, err := os.Lstat(path)
				require.NoError(t, err)
				require.Zero(t, info.Mode()&os.ModeType&^(os.ModeNamedPipe|os.ModeDevice|os.ModeCharDevice), "still what it was")
				require.False(t, info.Mode().IsRegular())
			})
		}
	}
}
