package safefile

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/gofrs/flock"
)

// ErrNoProgress is a lock whose holder showed no sign of progress (Beat)
// for the time its waiter allows.
var ErrNoProgress = errors.New("no progress")

// A waiter tries the lock again after lockRetry, doubled at each try up to
// maxLockRetry: a short wait costs little, and thirty checks waiting for a
// long download do not keep the CPU they wait for.
const (
	lockRetry    = 5 * time.Millisecond
	maxLockRetry = 100 * time.Millisecond
)

// beatEvery bounds how often Beat writes.
const beatEvery = 100 * time.Millisecond

// Held is a lock taken by Lock or LockWhileProgress, until Unlock. Its
// methods are for one goroutine at a time.
type Held struct {
	fl   *flock.Flock
	beat *os.File // the lock file opened for writing; nil if it cannot be
	last time.Time
}

// Lock takes the exclusive lock of the lock file at path, waiting for
// another process (or goroutine) to release it until ctx ends; the error
// then wraps ctx's. The lock goes with the process, however it ends:
// a lock file left by a dead process locks nothing.
//
// The lock file is created if missing (mode 0600; when run as root, owned
// by the directory's owner) and never reached through a symbolic link.
// What is at path and cannot serve is replaced: anything but a regular
// file (a link, a FIFO), or a file of another user this one cannot open (a
// lock file left by a run as root). One replaced while a process holds it
// costs at most one more holder at a time; the lock orders work, it does
// not protect data: Write keeps every file whole by itself.
func Lock(ctx context.Context, path string) (*Held, error) {
	return acquire(ctx, path, 0)
}

// LockWhileProgress is Lock for a lock held while a long task runs (a
// download): it also gives up, with an error wrapping ErrNoProgress, when
// the holder has not called Beat for idle, whatever ctx allows. The
// holder's progress is read from the lock file's modification time.
func LockWhileProgress(ctx context.Context, path string, idle time.Duration) (*Held, error) {
	return acquire(ctx, path, idle)
}

func acquire(ctx context.Context, path string, idle time.Duration) (*Held, error) {
	var seen time.Time
	last := time.Now()
	replace, failures := false, 0
	retry := lockRetry
	for {
		if err := prepare(path, replace); err != nil {
			return nil, err
		}
		replace = false
		fl := flock.New(path, flock.SetFlag(lockOpenFlag), flock.SetPermissions(0o600))
		ok, err := fl.TryLock()
		switch {
		case err != nil:
			// Replaced since prepare (by another process replacing what
			// it could not use), or not ours to open: prepare again, a few
			// times.
			info, lerr := os.Lstat(path)
			switch {
			case lerr != nil && !errors.Is(lerr, fs.ErrNotExist):
				return nil, lerr
			case lerr == nil && (!info.Mode().IsRegular() || foreign(info) && errors.Is(err, fs.ErrPermission)):
				replace = true
			case failures >= 3:
				return nil, fmt.Errorf("locking %s: %w", path, err)
			}
			failures++
		case ok:
			h, err := held(fl, path)
			if h != nil || err != nil {
				return h, err
			}
			continue // replaced while it was being locked: lock the new one
		}
		if idle > 0 {
			if info, err := os.Lstat(path); err == nil && !info.ModTime().Equal(seen) {
				seen, last = info.ModTime(), time.Now()
			}
			if since := time.Since(last); since >= idle {
				return nil, fmt.Errorf("%s: %w for %s", path, ErrNoProgress, since.Round(time.Millisecond))
			}
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("%s: held by another process: %w", path, ctx.Err())
		case <-time.After(retry):
		}
		retry = min(2*retry, maxLockRetry)
	}
}

// prepare makes the lock file if it is missing, or in place of what is
// there when it is not a regular file, or, when replace, another user's.
// (Another process may have replaced it since the caller looked: a
// regular file of this user's is kept.)
func prepare(path string, replace bool) error {
	info, err := os.Lstat(path)
	switch {
	case err == nil && info.Mode().IsRegular() && !(replace && foreign(info)):
		return nil
	case err == nil:
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("lock file %s cannot be used (a %s, owner not this user or not a regular file) nor replaced: %w", path, Kind(info.Mode()), err)
		}
	case !errors.Is(err, fs.ErrNotExist):
		return err
	}
	f, err := os.OpenFile(path, createFlag, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil // another process made it first
	}
	if err != nil {
		return err
	}
	err = keepOwner(f, filepath.Dir(path))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// held checks the lock just taken: the locked file must be a regular file,
// still the one at path. (nil, nil) means it was replaced meanwhile.
func held(fl *flock.Flock, path string) (*Held, error) {
	info, err := fl.Stat() // the locked handle's
	cur, lerr := os.Lstat(path)
	if err != nil || lerr != nil || !info.Mode().IsRegular() || !os.SameFile(info, cur) {
		_ = fl.Unlock() //nolint:errcheck // closing the handle lets it go anyway
		if err != nil {
			return nil, err
		}
		return nil, nil
	}
	h := &Held{fl: fl}
	if f, err := os.OpenFile(path, beatFlag, 0); err == nil {
		if finfo, err := f.Stat(); err == nil && os.SameFile(finfo, info) {
			h.beat = f
		} else {
			f.Close()
		}
	}
	return h, nil
}

// Beat tells the processes waiting in LockWhileProgress that the work
// under the lock progresses: it writes the lock file (at most every 100
// ms), which moves its modification time. A lock file this process cannot
// write (another user's) gets no beat.
func (h *Held) Beat() {
	if h == nil || h.beat == nil || time.Since(h.last) < beatEvery {
		return
	}
	h.last = time.Now()
	// Byte 1, not 0: on Windows the lock covers byte 0 and refuses the
	// writes of any other handle.
	_, _ = h.beat.WriteAt([]byte{'.'}, 1) //nolint:errcheck // a beat lost only makes a waiter give up sooner
}

// Unlock releases the lock.
func (h *Held) Unlock() {
	if h.beat != nil {
		h.beat.Close()
	}
	// Unlock fails only if the system refuses to unlock a handle we hold;
	// closing it, which Unlock does anyway, lets the lock go.
	_ = h.fl.Unlock() //nolint:errcheck // see above
}
