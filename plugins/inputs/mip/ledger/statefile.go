package ledger

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/telegraf-mip/telegraf-mip/internal/safefile"
)

// MaxFileSize bounds the state file read at start and at each save.
// The state of 10,000 scenarios is about 2.3 MB (BenchmarkLoadState's), so
// the bound leaves room for about 250,000, while a file that is not ours,
// or one grown without bound, can neither exhaust memory nor hold the start
// for minutes: 36 MB of state (210,000 scenarios) loaded in 2.6 s here.
const MaxFileSize = 64 << 20

// CheckFile refuses, at start, a state_file the plugin cannot use: it
// must be a regular file, or nothing yet, in a directory that exists and
// where the plugin can create files (readOnly: that exists; see
// CheckWritable), since each save replaces the file by a rename. It looks
// at the file without opening it, so a FIFO cannot block the start, and it
// changes nothing.
func CheckFile(path string, readOnly bool) error {
	if err := checkRegular(path, "state_file "+path); err != nil {
		return err
	}
	if err := checkRegular(path+lockSuffix, "the lock file of state_file, "+path+lockSuffix+","); err != nil {
		return err
	}
	if readOnly {
		return checkDir(path)
	}
	return CheckWritable(path)
}

// checkDir refuses a state_file whose directory is missing, or no
// directory: no run could save it.
func checkDir(path string) error {
	dir := filepath.Dir(path)
	info, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("state_file %s cannot be saved: its directory %s does not exist; "+
			"create it, writable by the user Telegraf runs telegraf-mip as (see docs/install.md), or choose another state_file", path, dir)
	case err != nil:
		return fmt.Errorf("state_file %s: its directory %s cannot be examined: %w", path, dir, err)
	case !info.IsDir():
		return fmt.Errorf("state_file %s cannot be saved: %s is not a directory", path, dir)
	}
	return nil
}

// checkRegular refuses a path that exists and is not a regular file of at
// most MaxFileSize bytes; what names it in messages.
func checkRegular(path, what string) error {
	info, err := safefile.Examine(path, MaxFileSize)
	var nr *safefile.NotRegularError
	var tl *safefile.TooLargeError
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case errors.As(err, &nr) && nr.Mode&fs.ModeSymlink != 0:
		target, _ := os.Readlink(path) //nolint:errcheck // only named in the message; empty if unreadable
		return fmt.Errorf("%s is a symbolic link (to %q): each save replaces the file by a rename, which would replace the link; "+
			"point state_file at a regular file itself", what, target)
	case errors.As(err, &nr) && nr.Mode.IsDir():
		return fmt.Errorf("%s is a directory: point state_file at a file in it, e.g. %s", what, filepath.Join(path, "mip.state"))
	case errors.As(err, &nr):
		return fmt.Errorf("%s is not a regular file but a %s: point state_file at a regular file of its own, or leave it unset to keep no state",
			what, safefile.Kind(nr.Mode))
	case errors.As(err, &tl):
		return fmt.Errorf("%s is %d bytes, more than the %d MiB a state file may hold: it is no state file of this plugin's, or one out of control; "+
			"move it away to start without state", what, info.Size(), MaxFileSize>>20)
	case err != nil:
		return fmt.Errorf("%s cannot be examined: %w", what, err)
	}
	return nil
}

// CheckWritable creates and removes a file beside path, as a save
// does, so that a directory where saves would fail stops the start, before
// any point is written, rather than failing every gather after its points.
func CheckWritable(path string) error {
	dir := filepath.Dir(path)
	if err := safefile.WritableDir(dir); err != nil {
		return fmt.Errorf("state_file %s cannot be saved: no file can be created in %s (%w); "+
			"make the directory writable by the user telegraf-mip runs as, or choose another state_file", path, dir, err)
	}
	return nil
}

// readBytes reads the state file through the checks of CheckFile,
// done again on the open file: opened without blocking (a FIFO put there
// since the start) and without following a link, it must be a regular
// file, read up to MaxFileSize. A missing file is fs.ErrNotExist.
func readBytes(path string) ([]byte, error) {
	b, err := safefile.Read(path, MaxFileSize)
	var nr *safefile.NotRegularError
	var tl *safefile.TooLargeError
	switch {
	case errors.As(err, &nr):
		return nil, fmt.Errorf("state_file %s is not a regular file but a %s: point state_file at a regular file of its own",
			path, safefile.Kind(nr.Mode))
	case errors.As(err, &tl):
		return nil, fmt.Errorf("state_file %s is more than the %d MiB a state file may hold: move it away to start without state",
			path, MaxFileSize>>20)
	}
	return b, err
}
