//go:build unix

package safefile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// openNoFollow opens path for reading without following a symbolic link
// and without waiting for a FIFO's writer; the caller checks what it opened.
func openNoFollow(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOFOLLOW, 0)
}

// clearNonblock puts the file back in blocking mode once it is known to be
// a regular file.
func clearNonblock(f *os.File) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) { serr = syscall.SetNonblock(int(fd), false) }); err != nil {
		return err
	}
	return serr
}

// lockOpenFlag is how gofrs/flock opens a lock file Lock made: never
// through a symbolic link, never waiting on a FIFO, never creating one.
const lockOpenFlag = os.O_RDONLY | syscall.O_NOFOLLOW | syscall.O_NONBLOCK

// createFlag creates a file exclusively (a symbolic link at its name is
// not followed but refused).
const createFlag = os.O_CREATE | os.O_EXCL | os.O_WRONLY | syscall.O_NOFOLLOW

// beatFlag opens a lock file to write its heartbeat.
const beatFlag = os.O_WRONLY | syscall.O_NOFOLLOW | syscall.O_NONBLOCK

// untrusted says why a file may have been written by another user than
// this one, or "" when it cannot.
func untrusted(info fs.FileInfo) string {
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return "of unknown owner"
	}
	if uid := os.Geteuid(); int(st.Uid) != uid {
		return fmt.Sprintf("owned by uid %d, not by this user (uid %d)", st.Uid, uid)
	}
	if perm := info.Mode().Perm(); perm&0o022 != 0 {
		return fmt.Sprintf("writable by group or others (mode %04o)", perm)
	}
	return ""
}

// foreign tells whether a lock file at path, as Lstat saw it, is another
// user's, one this process may replace: never for root, who may open any.
func foreign(info fs.FileInfo) bool {
	st, ok := info.Sys().(*syscall.Stat_t)
	uid := os.Geteuid()
	return ok && uid != 0 && int(st.Uid) != uid
}

// keepOwner gives a new file the owner of the one it replaces, or of its
// directory when there is none yet. Only root can, and only root needs
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

// syncDir makes a rename in dir survive a crash. File systems that cannot
// sync a directory say EINVAL; their renames are as durable as they get.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if errors.Is(err, syscall.EINVAL) || errors.Is(err, syscall.ENOTSUP) {
		return nil
	}
	return err
}
