//go:build unix

package mip

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/influxdata/telegraf/config"
	"github.com/influxdata/telegraf/testutil"
	"github.com/stretchr/testify/require"

	"github.com/telegraf-mip/telegraf-mip/plugins/inputs/mip/ledger"
)

// initWithin runs Init on a plugin with state_file path and returns its
// error, failing the test if Init does not return within 5 s: a state file
// that blocks the read (a FIFO) must stop the start, not hang it.
func initWithin(t *testing.T, path string, readOnly bool) error {
	t.Helper()
	p := New()
	p.URL = "https://mip.example.com"
	p.APIKey = config.NewSecret([]byte(testKey))
	p.Log = testutil.Logger{}
	p.StateFile = path
	p.SetOptions(Options{ReadOnlyState: readOnly})
	done := make(chan error, 1)
	go func() { done <- p.Init() }()
	select {
	case err := <-done:
		return err
	case <-time.After(5 * time.Second):
		t.Fatalf("Init still running after 5s with state_file %s", path)
		return nil
	}
}

// TestStateFileMustBeARegularFile: a FIFO, a device, a directory, a
// symbolic link (to /dev/zero, or to a regular file a save would replace)
// or a file too large stops the start with a sentence naming the file, at
// once and in every mode, and the file is left as it is.
func TestStateFileMustBeARegularFile(t *testing.T) {
	for _, tc := range []struct {
		name  string
		make  func(t *testing.T) string
		say   string
		isDev bool
	}{
		{"FIFO", func(t *testing.T) string {
			path := filepath.Join(t.TempDir(), "mip.state")
			require.NoError(t, syscall.Mkfifo(path, 0o600))
			return path
		}, "is not a regular file but a named pipe (FIFO)", false},
		{"/dev/null", func(*testing.T) string { return "/dev/null" }, "state_file /dev/null is not a regular file but a character device", true},
		{"directory", func(t *testing.T) string { return t.TempDir() }, "is a directory: point state_file at a file in it", false},
		{"symbolic link to /dev/zero", func(t *testing.T) string {
			path := filepath.Join(t.TempDir(), "mip.state")
			require.NoError(t, os.Symlink("/dev/zero", path))
			return path
		}, `is a symbolic link (to "/dev/zero")`, false},
		{"symbolic link to a state file", func(t *testing.T) string {
			dir := t.TempDir()
			require.NoError(t, os.WriteFile(filepath.Join(dir, "real.state"), []byte(`{"version":1,"instances":{}}`), 0o600))
			path := filepath.Join(dir, "mip.state")
			require.NoError(t, os.Symlink(filepath.Join(dir, "real.state"), path))
			return path
		}, "each save replaces the file by a rename, which would replace the link", false},
		{"too large", func(t *testing.T) string {
			path := filepath.Join(t.TempDir(), "mip.state")
			f, err := os.Create(path)
			require.NoError(t, err)
			require.NoError(t, f.Truncate(ledger.MaxFileSize+1)) // sparse: no disk used
			require.NoError(t, f.Close())
			return path
		}, "is 67108865 bytes, more than the 64 MiB a state file may hold", false},
		{"lock file a FIFO", func(t *testing.T) string {
			path := filepath.Join(t.TempDir(), "mip.state")
			require.NoError(t, syscall.Mkfifo(path+".lock", 0o600))
			return path
		}, "the lock file of state_file, ", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := tc.make(t)
			examined := path // what must be left as it is
			if _, err := os.Lstat(path); os.IsNotExist(err) {
				examined = path + ".lock"
			}
			before, err := os.Lstat(examined)
			require.NoError(t, err)
			entries := dirEntries(t, filepath.Dir(path))
			for _, readOnly := range []bool{false, true} {
				err := initWithin(t, path, readOnly)
				require.Error(t, err)
				require.Contains(t, err.Error(), path)
				require.Contains(t, err.Error(), tc.say)
				after, err := os.Lstat(examined)
				require.NoError(t, err)
				require.Equal(t, before.Mode(), after.Mode(), "left as it was")
				require.Equal(t, before.Size(), after.Size())
				if !tc.isDev {
					require.Equal(t, entries, dirEntries(t, filepath.Dir(path)), "nothing created or set aside beside it")
				}
			}
		})
	}
}

func dirEntries(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// TestStateDirectoryNotWritable: a directory where no file can be created
// stops the start, before any point is written; -test (read-only) may
// still read there. As root, whom permissions do not stop, /sys plays the
// directory: no file can be created in sysfs.
func TestStateDirectoryNotWritable(t *testing.T) {
	dir := "/sys"
	if os.Geteuid() != 0 {
		dir = t.TempDir()
		// A directory needs its x bit: gosec's 0640 is for files.
		require.NoError(t, os.Chmod(dir, 0o500))                       //nolint:gosec // see above
		t.Cleanup(func() { require.NoError(t, os.Chmod(dir, 0o700)) }) //nolint:gosec // see above
	}
	path := filepath.Join(dir, "telegraf-mip-test.state")
	err := initWithin(t, path, false)
	require.ErrorContains(t, err, "state_file "+path+" cannot be saved: no file can be created in "+dir)
	require.ErrorContains(t, err, "make the directory writable by the user telegraf-mip runs as, or choose another state_file")
	require.NoFileExists(t, path)

	require.NoError(t, initWithin(t, path, true), "-test writes nothing: a read-only directory is fine")
}

// TestStateFileBecomesAFIFO: a FIFO put in place of the state file after
// the start is refused at the save, without blocking, and left there.
func TestStateFileBecomesAFIFO(t *testing.T) {
	rig := newWatermarkRig(t)
	p := rig.plugin(&testutil.CaptureLogger{})
	require.NoError(t, rig.gather(p))
	require.NoError(t, os.Remove(rig.state))
	require.NoError(t, syscall.Mkfifo(rig.state, 0o600))
	rig.clock.Advance(time.Minute)

	done := make(chan error, 1)
	go func() { done <- rig.gather(p) }()
	select {
	case err := <-done:
		require.ErrorContains(t, err, "not saving the state: reading state file: state_file "+rig.state+" is not a regular file but a named pipe (FIFO)")
	case <-time.After(5 * time.Second):
		t.Fatal("the save blocked on a FIFO")
	}
	info, err := os.Lstat(rig.state)
	require.NoError(t, err)
	require.NotZero(t, info.Mode()&os.ModeNamedPipe, "still the FIFO")
}
