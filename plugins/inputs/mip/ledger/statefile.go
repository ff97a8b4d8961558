package ledger

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// MaxFileSize bounds the state file read at start and at each save.
// The state of 10,000 scenarios is about 2.3 MB (BenchmarkLoadState's), so
// the bound leaves room for about 250,000, while a file that is not ours,
// or one grown without bound, can neither exhaust memory nor hold the start
// for minutes: 36 MB of state (210,000 scenarios) loaded in 2.6 s here.
const MaxFileSize = 64 << 20

// CheckFile refuses, at start, a state_file the plugin cannot use: it
// must be a regular file, or nothing yet, in a directory where the plugin
// can create files (unless readOnly), since each save replaces the file
// by a rename. It looks at the file without opening it, so a FIFO cannot
// block the start, and it changes nothing.
func CheckFile(path string, readOnly bool) error {
	if err := checkRegular(path, "state_file "+path); err != nil {
		return err
	}
	if err := checkRegular(path+lockSuffix, "the lock file of state_file, "+path+lockSuffix+","); err != nil {
		return err
	}
	if readOnly {
		return nil
	}
	return checkWritableDir(path)
}

// checkRegular refuses a path that exists and is not a regular file of at
// most MaxFileSize bytes; what names it in messages.
func checkRegular(path, what string) error {
	info, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("%s cannot be examined: %w", what, err)
	}
	mode := info.Mode()
	switch {
	case mode&fs.ModeSymlink != 0:
		target, _ := os.Readlink(path) //nolint:errcheck // only named in the message; empty if unreadable
		return fmt.Errorf("%s is a symbolic link (to %q): each save replaces the file by a rename, which would replace the link; "+
			"point state_file at a regular file itself", what, target)
	case mode.IsDir():
		return fmt.Errorf("%s is a directory: point state_file at a file in it, e.g. %s", what, filepath.Join(path, "mip.state"))
	case !mode.IsRegular():
		return fmt.Errorf("%s is not a regular file but a %s: point state_file at a regular file of its own, or leave it unset to keep no state",
			what, fileKind(mode))
	case info.Size() > MaxFileSize:
		return fmt.Errorf("%s is %d bytes, more than the %d MiB a state file may hold: it is no state file of this plugin's, or one out of control; "+
			"move it away to start without state", what, info.Size(), MaxFileSize>>20)
	}
	return nil
}

func fileKind(mode fs.FileMode) string {
	switch {
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

// checkWritableDir creates and removes a file beside path, as a save
// does, so that a directory where saves would fail stops the start, before
// any point is written, rather than failing every gather after its points.
func checkWritableDir(path string) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".check-*")
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // it names a random file name
		}
		return fmt.Errorf("state_file %s cannot be saved: no file can be created in %s (%w); "+
			"make the directory writable by the user telegraf-mip runs as, or choose another state_file", path, dir, err)
	}
	name := f.Name()
	cerr := f.Close()
	if err := os.Remove(name); err != nil {
		return fmt.Errorf("state_file %s: removing the test file %s: %w", path, name, err)
	}
	return cerr
}

// readBytes reads the state file through the checks of CheckFile,
// done again on the open file: opened without blocking (a FIFO put there
// since the start), it must be a regular file, read up to
// MaxFileSize. A missing file is fs.ErrNotExist.
func readBytes(path string) ([]byte, error) {
	f, err := openNoBlock(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("state_file %s is not a regular file but a %s: point state_file at a regular file of its own",
			path, fileKind(info.Mode()))
	}
	// Sized on the file: a buffer grown by doubling would cost twice it.
	buf := bytes.NewBuffer(make([]byte, 0, min(info.Size(), MaxFileSize)+bytes.MinRead))
	if _, err := buf.ReadFrom(io.LimitReader(f, MaxFileSize+1)); err != nil {
		return nil, err
	}
	b := buf.Bytes()
	if len(b) > MaxFileSize {
		return nil, fmt.Errorf("state_file %s is more than the %d MiB a state file may hold: move it away to start without state",
			path, MaxFileSize>>20)
	}
	return b, nil
}
