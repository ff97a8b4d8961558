//go:build !unix

package safefile

import (
	"io/fs"
	"os"
)

// openNoFollow opens path for reading. There is no O_NOFOLLOW here: a
// symbolic link seen by Lstat is refused before the open, and the open
// file is checked after it; opening a named pipe does not wait here.
func openNoFollow(path string) (*os.File, error) {
	info, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if info.Mode()&fs.ModeSymlink != 0 {
		return nil, &NotRegularError{Path: path, Mode: info.Mode()}
	}
	return os.Open(path)
}

func clearNonblock(*os.File) error { return nil }

// The open flags of lock files: no O_NOFOLLOW or O_NONBLOCK here; Lock
// looks at the file with Lstat first and checks the open handle after.
const (
	lockOpenFlag = os.O_RDONLY
	createFlag   = os.O_CREATE | os.O_EXCL | os.O_WRONLY
	beatFlag     = os.O_WRONLY
)

// untrusted: on Windows a file's mode and owner do not say who may write
// it; its folder's ACL does, which the installer sets.
func untrusted(fs.FileInfo) string { return "" }

// foreign: no owner to compare here.
func foreign(fs.FileInfo) bool { return false }

// keepOwner has nothing to do on Windows, where a replaced file's access
// comes from its folder.
func keepOwner(*os.File, string) error { return nil }

// syncDir: a directory cannot be opened for syncing here; NTFS journals
// the rename.
func syncDir(string) error { return nil }
