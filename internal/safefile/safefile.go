// Package safefile is the one owner of the product's files: the ledger's
// state file, the Centreon check's shared cache, its failure marker, its
// lock and its --memory state all go through it. It is written for a
// directory other local users may write to (a Centreon poller's
// /var/lib/centreon/centplugins is group-writable):
//
//   - Write replaces a file atomically through a temporary file with an
//     unpredictable name, created exclusively beside it, synced, then
//     renamed, with the directory synced: a crash leaves the old file or the
//     new one, and nothing planted at a predictable name is followed.
//   - Read and ReadOwn read only regular files, bounded in size; a FIFO, a
//     device, or a symbolic link (to anything) is refused without blocking.
//     ReadOwn also refuses a file another user may have written.
//   - Lock takes an exclusive lock (github.com/gofrs/flock, on every
//     platform) on a lock file it creates itself and never reaches through a
//     symbolic link; the wait is bounded by a context and, for a lock held
//     by a download, by the holder's signs of progress (Held.Beat).
//   - WritableDir probes that files can be created in a directory.
//
// On Windows, where O_NOFOLLOW and O_NONBLOCK do not exist, a file is
// examined with Lstat before it is opened and again through the open handle
// (a link swapped in between is the remaining window), and ReadOwn trusts
// the directory's ACL: file modes and owners there do not say who may write.
package safefile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// NotRegularError is a path that names something other than a regular file:
// a symbolic link (never followed), a directory, a FIFO, a device, a socket.
type NotRegularError struct {
	Path string
	Mode fs.FileMode
}

func (e *NotRegularError) Error() string {
	return fmt.Sprintf("%s is not a regular file but a %s", e.Path, Kind(e.Mode))
}

// TooLargeError is a file larger than the caller's bound; Size is what the
// file's metadata said, or Max+1 when it grew while read.
type TooLargeError struct {
	Path      string
	Size, Max int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s is more than the %d bytes it may hold", e.Path, e.Max)
}

// UntrustedError is a file ReadOwn refuses: it may have been written by
// another user than this one.
type UntrustedError struct {
	Path   string
	Reason string // "owned by uid 65534, not by this user (uid 105)", "writable by group or others (mode 0666)"
}

func (e *UntrustedError) Error() string { return e.Path + " is " + e.Reason }

// Kind names a file type for messages.
func Kind(mode fs.FileMode) string {
	switch {
	case mode&fs.ModeSymlink != 0:
		return "symbolic link"
	case mode.IsDir():
		return "directory"
	case mode&fs.ModeNamedPipe != 0:
		return "named pipe (FIFO)"
	case mode&fs.ModeCharDevice != 0:
		return "character device"
	case mode&fs.ModeDevice != 0:
		return "device"
	case mode&fs.ModeSocket != 0:
		return "socket"
	}
	return "special file (" + mode.Type().String() + ")"
}

// Examine looks at path without opening it (a FIFO cannot block it) and
// returns its metadata when it is a regular file of at most max bytes;
// otherwise a *NotRegularError (a symbolic link is not followed) or a
// *TooLargeError. A missing file is fs.ErrNotExist.
func Examine(path string, maxSize int64) (fs.FileInfo, error) {
	info, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return info, &NotRegularError{Path: path, Mode: info.Mode()}
	}
	if info.Size() > maxSize {
		return info, &TooLargeError{Path: path, Size: info.Size(), Max: maxSize}
	}
	return info, nil
}

// Read returns the content of the regular file at path, at most maxSize
// bytes. It opens without following a symbolic link and without waiting
// for a FIFO's writer, then checks the open file: anything but a regular
// file is a *NotRegularError, a larger one a *TooLargeError. A missing
// file is fs.ErrNotExist.
func Read(path string, maxSize int64) ([]byte, error) {
	return readFile(path, maxSize, false)
}

// ReadOwn is Read for a file that only this user may have written: owned
// by the effective user and writable by nobody else (group or others).
// Another file is an *UntrustedError, and is not read.
func ReadOwn(path string, maxSize int64) ([]byte, error) {
	return readFile(path, maxSize, true)
}

func readFile(path string, maxSize int64, own bool) ([]byte, error) {
	f, info, err := openRegular(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if own {
		if reason := untrusted(info); reason != "" {
			return nil, &UntrustedError{Path: path, Reason: reason}
		}
	}
	if info.Size() > maxSize {
		return nil, &TooLargeError{Path: path, Size: info.Size(), Max: maxSize}
	}
	// Sized on the file: a buffer grown by doubling would cost twice it.
	buf := bytes.NewBuffer(make([]byte, 0, min(info.Size(), maxSize)+bytes.MinRead))
	if _, err := buf.ReadFrom(io.LimitReader(f, maxSize+1)); err != nil {
		return nil, err
	}
	if int64(buf.Len()) > maxSize {
		return nil, &TooLargeError{Path: path, Size: maxSize + 1, Max: maxSize}
	}
	return buf.Bytes(), nil
}

// openRegular opens path for reading, refusing anything but a regular file
// without blocking, and returns the open file's metadata.
func openRegular(path string) (*os.File, fs.FileInfo, error) {
	f, err := openNoFollow(path)
	if err != nil {
		// A symbolic link is refused by the open: say so rather than
		// "too many levels of symbolic links".
		if info, lerr := os.Lstat(path); lerr == nil && info.Mode()&fs.ModeSymlink != 0 {
			return nil, nil, &NotRegularError{Path: path, Mode: info.Mode()}
		}
		return nil, nil, err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !info.Mode().IsRegular() {
		f.Close()
		return nil, nil, &NotRegularError{Path: path, Mode: info.Mode()}
	}
	if err := clearNonblock(f); err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, info, nil
}

// Write replaces path with b, atomically: through a temporary file with an
// unpredictable name created exclusively in path's directory (so nothing
// planted beside it is followed or truncated), given mode perm and, when
// run as root, the owner of the file it replaces or else of the directory
// (so that a run by hand as root leaves a file the service's user can
// still use), synced, then renamed over path, and the directory synced.
// Whatever was at path, a symbolic link included, is replaced, not
// followed.
func Write(path string, b []byte, perm fs.FileMode) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op once renamed
	err = tmp.Chmod(perm)
	if err == nil {
		err = keepOwner(tmp, path)
	}
	if err == nil {
		_, err = tmp.Write(b)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	return syncDir(dir)
}

// Remove removes path if it is there; a symbolic link is removed, not
// followed.
func Remove(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// WritableDir tells whether files can be created in dir, by creating and
// removing one, as Write does; the error says why not, without the random
// name.
func WritableDir(dir string) error {
	f, err := os.CreateTemp(dir, ".write-test-*")
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return err
	}
	name := f.Name()
	cerr := f.Close()
	if err := os.Remove(name); err != nil {
		return fmt.Errorf("removing the test file %s: %w", name, err)
	}
	return cerr
}
