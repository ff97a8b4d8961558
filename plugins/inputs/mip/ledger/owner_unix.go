//go:build !windows

package ledger

import (
	"os"
	"path/filepath"
	"syscall"
)

// keepOwner gives a new state file the owner of the one it replaces, or of
// its directory when there is none yet. Only root can, and only root needs
// to: telegraf-mip -once run by hand as root must not leave a file that the
// telegraf user, which runs it under Telegraf, cannot read.
func keepOwner(f *os.File, path string) error {
	if os.Geteuid() != 0 {
		return nil
	}
	info, err := os.Stat(path)
	if err != nil {
		if info, err = os.Stat(filepath.Dir(path)); err != nil {
			return nil //nolint:nilerr // best effort: with no owner to copy, the file keeps the one it was created with
		}
	}
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok || st.Uid == 0 {
		return nil
	}
	return f.Chown(int(st.Uid), int(st.Gid))
}
