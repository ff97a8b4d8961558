//go:build !windows

package mip

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/influxdata/telegraf/testutil"
	"github.com/stretchr/testify/require"
)

// TestStateFileKeepsItsOwner: run as root (telegraf-mip -once by hand), the
// state file stays the telegraf user's: the owner of the file it replaces,
// or of its directory. Run as anyone else, it is theirs.
func TestStateFileKeepsItsOwner(t *testing.T) {
	const nobody = 65534
	want := os.Geteuid()
	dir := filepath.Join(t.TempDir(), "telegraf")
	require.NoError(t, os.Mkdir(dir, 0o750))
	if os.Geteuid() == 0 {
		require.NoError(t, os.Chown(dir, nobody, nobody))
		want = nobody
	}
	rig := newDeliveryRig(t, scenariosForWatermarks())
	rig.state = filepath.Join(dir, "mip.state")
	ownerOf := func(path string) int {
		info, err := os.Stat(path)
		require.NoError(t, err)
		return int(info.Sys().(*syscall.Stat_t).Uid)
	}
	owner := func() int { return ownerOf(rig.state) }
	p := rig.plugin(&testutil.CaptureLogger{})
	rig.gather(p)
	require.Equal(t, want, owner(), "a new state file: its directory's owner")
	require.Equal(t, want, ownerOf(rig.state+".lock"), "its lock file too")
	rig.clock.Advance(5 * time.Minute)
	rig.gather(p)
	require.Equal(t, want, owner(), "a replaced state file: its owner")
}
