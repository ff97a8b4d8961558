//go:build unix

package safefile

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// within fails the test if fn has not returned within 5 s: nothing here
// may wait for a FIFO's writer.
func within(t *testing.T, fn func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- fn() }()
	select {
	case err := <-done:
		return err
	case <-time.After(5 * time.Second):
		t.Fatal("blocked")
		return nil
	}
}

// TestReadRefusesWhatIsNotARegularFile: a FIFO, a device, a symbolic link
// to a device or to a regular file, a directory are refused at once and
// named; a file over the bound is refused; a regular file is read.
func TestReadRefusesWhatIsNotARegularFile(t *testing.T) {
	dir := t.TempDir()
	regular := filepath.Join(dir, "regular")
	require.NoError(t, os.WriteFile(regular, []byte("content"), 0o600))
	fifo := filepath.Join(dir, "fifo")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	toZero := filepath.Join(dir, "zero")
	require.NoError(t, os.Symlink("/dev/zero", toZero))
	toRegular := filepath.Join(dir, "link")
	require.NoError(t, os.Symlink(regular, toRegular))
	for path, kind := range map[string]string{
		fifo: "named pipe (FIFO)", "/dev/zero": "character device", toZero: "symbolic link", toRegular: "symbolic link", dir: "directory",
	} {
		for _, read := range []func(string, int64) ([]byte, error){Read, ReadOwn} {
			err := within(t, func() error { _, err := read(path, 1<<20); return err })
			var nr *NotRegularError
			require.ErrorAs(t, err, &nr, path)
			require.EqualError(t, err, path+" is not a regular file but a "+kind)
		}
	}
	b, err := Read(regular, 7)
	require.NoError(t, err)
	require.Equal(t, "content", string(b))
	_, err = Read(regular, 6)
	var tl *TooLargeError
	require.ErrorAs(t, err, &tl)
	_, err = Read(filepath.Join(dir, "missing"), 1)
	require.ErrorIs(t, err, fs.ErrNotExist)
}

// TestReadOwnTrustsOnlyThisUser: a file of another owner, or one group or
// others may write, is refused by ReadOwn (and read by Read).
func TestReadOwnTrustsOnlyThisUser(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	require.NoError(t, os.WriteFile(path, []byte("x"), 0o600))
	_, err := ReadOwn(path, 10)
	require.NoError(t, err)

	require.NoError(t, os.Chmod(path, 0o664)) //nolint:gosec // the group-writable file the trust check refuses
	_, err = ReadOwn(path, 10)
	require.EqualError(t, err, path+" is writable by group or others (mode 0664)")
	require.NoError(t, os.Chmod(path, 0o600))

	if os.Geteuid() == 0 {
		require.NoError(t, os.Chown(path, 65534, 65534))
		_, err = ReadOwn(path, 10)
		require.EqualError(t, err, path+" is owned by uid 65534, not by this user (uid 0)")
		_, err = Read(path, 10)
		require.NoError(t, err)
	}
}

// TestWriteReplacesALinkWithoutFollowingIt: whatever is planted at the
// file's name or at any predictable name beside it is not written through.
func TestWriteReplacesALinkWithoutFollowingIt(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(t.TempDir(), "passwd")
	require.NoError(t, os.WriteFile(victim, []byte("root:x:0:0"), 0o644)) //nolint:gosec // a world-readable file, as /etc/passwd is
	path := filepath.Join(dir, "state")
	for _, name := range []string{path, path + ".tmp", filepath.Join(dir, ".state.tmp")} {
		require.NoError(t, os.Symlink(victim, name))
	}
	require.NoError(t, Write(path, []byte("new"), 0o600))
	b, err := os.ReadFile(victim)
	require.NoError(t, err)
	require.Equal(t, "root:x:0:0", string(b), "the link's target is untouched")
	info, err := os.Lstat(path)
	require.NoError(t, err)
	require.True(t, info.Mode().IsRegular())
	require.Equal(t, fs.FileMode(0o600), info.Mode().Perm())
	b, err = Read(path, 10)
	require.NoError(t, err)
	require.Equal(t, "new", string(b))
}

// TestLockNeverFollowsALink: a symbolic link or a FIFO at the lock's name
// is replaced by a lock file, and the link's target is neither created nor
// changed.
func TestLockNeverFollowsALink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target")
	lockPath := filepath.Join(dir, "x.lock")
	require.NoError(t, os.Symlink(target, lockPath))
	h, err := Lock(context.Background(), lockPath)
	require.NoError(t, err)
	h.Beat()
	h.Unlock()
	require.NoFileExists(t, target)
	info, err := os.Lstat(lockPath)
	require.NoError(t, err)
	require.True(t, info.Mode().IsRegular())

	require.NoError(t, os.Remove(lockPath))
	require.NoError(t, syscall.Mkfifo(lockPath, 0o600))
	err = within(t, func() error {
		h, err := Lock(context.Background(), lockPath)
		if err == nil {
			h.Unlock()
		}
		return err
	})
	require.NoError(t, err)
	info, err = os.Lstat(lockPath)
	require.NoError(t, err)
	require.True(t, info.Mode().IsRegular())
}

// TestLockWaits: a second Lock waits for the first, until its context
// ends; LockWhileProgress waits as long as the holder beats, and gives up
// once it stops.
func TestLockWaits(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.lock")
	h, err := Lock(context.Background(), path)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = Lock(ctx, path)
	require.ErrorIs(t, err, context.DeadlineExceeded)

	// The holder beats for 1.5 s, three times the waiter's idle time,
	// then stops: the waiter is still there after 1.5 s, then gives up.
	stop := time.Now().Add(1500 * time.Millisecond)
	go func() {
		for time.Now().Before(stop) {
			h.Beat()
			time.Sleep(20 * time.Millisecond)
		}
	}()
	start := time.Now()
	_, err = LockWhileProgress(context.Background(), path, 500*time.Millisecond)
	require.ErrorIs(t, err, ErrNoProgress)
	require.GreaterOrEqual(t, time.Since(start), 1500*time.Millisecond, "waited while the holder beat")

	done := make(chan error, 1)
	go func() {
		h2, err := LockWhileProgress(context.Background(), path, time.Hour)
		if err == nil {
			h2.Unlock()
		}
		done <- err
	}()
	h.Unlock()
	require.NoError(t, <-done)
	require.NotErrorIs(t, err, context.Canceled)
}
