package mip

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"iter"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofrs/flock"
)

// stateVersion is the version of the state file's format.
const stateVersion = 1

// progress is what the plugin knows of the runs it already emitted.
type progress struct {
	// LastSuccess is when the last gather whose response was read whole sent
	// its request; the next window starts there. Zero: no such gather yet.
	LastSuccess time.Time `json:"last_success"`
	// Watermarks holds, per measure id, the time of the newest run emitted.
	Watermarks map[string]time.Time `json:"watermarks"`
	// Settled holds, per measure id, the time up to which every run is
	// settled: written, or left out on purpose (older than the first run of
	// "latest" mode); Written, the runs written after it, which runs
	// recorded late may fall between. Missing from older files: the
	// watermark is settled.
	Settled map[string]time.Time   `json:"settled,omitempty"`
	Written map[string][]time.Time `json:"written,omitempty"`
	// Covered holds, per measure id, the request time of the last response
	// read whole that held it, with no gap in what MIP was asked before it.
	Covered map[string]time.Time `json:"covered,omitempty"`
	// Recent holds the gathers committed within replay_on_restart before the
	// last save, oldest first, each with what it changed: their runs may
	// still have been in Telegraf's memory when it stopped.
	Recent []commitRecord `json:"recent,omitempty"`
	// LastSeen holds, per measure id, when a response last listed it: a
	// scenario unseen for too long is forgotten.
	LastSeen map[string]time.Time `json:"last_seen,omitempty"`
}

// commitRecord is a committed gather and the progress before it.
type commitRecord struct {
	At          time.Time `json:"at"`
	LastSuccess time.Time `json:"last_success"`
	// Watermarks holds the watermarks the gather moved, as they were before
	// it; for a scenario it wrote first, just before its first run. Settled
	// and Written hold the rest of those scenarios' progress before it, so
	// that a late run they still waited for is not given up by a rewind.
	Watermarks map[string]time.Time   `json:"watermarks"`
	Settled    map[string]time.Time   `json:"settled,omitempty"`
	Written    map[string][]time.Time `json:"written,omitempty"`
}

// record adds a committed gather to Recent and forgets those older than
// replay before now.
func (pr *progress) record(c commitRecord, now time.Time, replay time.Duration) {
	if replay <= 0 {
		pr.Recent = nil
		return
	}
	if len(c.Watermarks) > 0 || !c.LastSuccess.Equal(pr.LastSuccess) {
		pr.Recent = append(pr.Recent, c)
	}
	keep := 0
	for keep < len(pr.Recent) && !pr.Recent[keep].At.After(now.Add(-replay)) {
		keep++
	}
	pr.Recent = slices.Delete(pr.Recent, 0, keep)
}

// rewind puts the progress back to where it was before the gathers in
// Recent, so that their runs are written again, and returns, per measure id
// it moved, the newest run those gathers wrote.
func (pr *progress) rewind() map[string]time.Time {
	written := make(map[string]time.Time)
	for i := len(pr.Recent) - 1; i >= 0; i-- {
		c := pr.Recent[i]
		for id, before := range c.Watermarks {
			if _, seen := written[id]; !seen {
				written[id] = pr.Watermarks[id]
			}
			pr.Watermarks[id] = before
			settled, ok := c.Settled[id]
			if !ok || settled.After(before) {
				settled = before // a file from before Settled was recorded
			}
			pr.Settled[id] = settled
			if w := c.Written[id]; len(w) > 0 {
				pr.Written[id] = w
			} else {
				delete(pr.Written, id)
			}
		}
		pr.LastSuccess = c.LastSuccess
	}
	pr.Recent = nil
	// Back before the first gather: the next one is no first gather, which
	// in "latest" mode would write only the newest runs, but one whose
	// window reaches the oldest run to write again.
	if pr.LastSuccess.IsZero() && len(written) > 0 {
		for id := range written {
			if w := pr.Watermarks[id]; pr.LastSuccess.IsZero() || w.Before(pr.LastSuccess) {
				pr.LastSuccess = w
			}
		}
	}
	return written
}

// forgetMargin is how long after lookback a scenario that no response
// lists is forgotten: the margin of the first request windows.
const forgetMargin = 5 * time.Minute

// forget records that the scenarios in seen were listed by a response sent
// at now, and forgets every trace of those that no response listed since
// before cutoff: deleted in MIP, or filtered out since. A scenario without
// LastSeen (from a file written before it existed) counts as seen now. It
// returns how many scenarios it forgot.
func (pr *progress) forget(seen map[string]bool, now, cutoff time.Time) int {
	for id := range seen {
		pr.LastSeen[id] = now
	}
	for _, ids := range []iter.Seq[string]{maps.Keys(pr.Watermarks), maps.Keys(pr.Settled), maps.Keys(pr.Written), maps.Keys(pr.Covered)} {
		for id := range ids {
			if _, ok := pr.LastSeen[id]; !ok {
				pr.LastSeen[id] = now
			}
		}
	}
	forgotten := 0
	for id, last := range pr.LastSeen {
		if !last.Before(cutoff) {
			continue
		}
		delete(pr.LastSeen, id)
		delete(pr.Watermarks, id)
		delete(pr.Settled, id)
		delete(pr.Written, id)
		delete(pr.Covered, id)
		for _, c := range pr.Recent {
			delete(c.Watermarks, id)
		}
		forgotten++
	}
	return forgotten
}

func newProgress() *progress {
	pr := &progress{}
	pr.init()
	return pr
}

// init makes the maps of a progress read from a file of any version.
func (pr *progress) init() {
	if pr.Watermarks == nil {
		pr.Watermarks = make(map[string]time.Time)
	}
	if pr.Settled == nil {
		pr.Settled = make(map[string]time.Time)
	}
	if pr.Written == nil {
		pr.Written = make(map[string][]time.Time)
	}
	if pr.Covered == nil {
		pr.Covered = make(map[string]time.Time)
	}
	if pr.LastSeen == nil {
		pr.LastSeen = make(map[string]time.Time)
	}
}

// settled returns the time up to which a measure's runs are settled.
func (pr *progress) settled(id string) time.Time {
	if t, ok := pr.Settled[id]; ok {
		return t
	}
	return pr.Watermarks[id]
}

// stateFile is the content of state_file: the progress of every plugin
// instance that shares it, each under the key of its configuration.
type stateFile struct {
	Version   int                  `json:"version"`
	Instances map[string]*progress `json:"instances"`
}

// instanceKey identifies a configuration whose progress can be resumed: the
// same MIP instance and the same filters. Two plugins with different URLs
// or filters never share progress, even in one state file.
func (p *MIP) instanceKey() string {
	ids := make([]string, 0, len(p.ScenarioIDs))
	for _, id := range p.ScenarioIDs {
		ids = append(ids, strconv.FormatInt(id, 10))
	}
	slices.Sort(ids)
	parts := []string{
		strings.TrimSuffix(p.URL, "/"), strings.Join(ids, ","),
		strings.Join(p.ScenarioInclude, ","), strings.Join(p.ScenarioExclude, ","),
		strings.Join(p.DisplayNameInclude, ","), strings.Join(p.DisplayNameExclude, ","),
		strings.Join(p.ApplicationInclude, ","), strings.Join(p.ApplicationExclude, ","),
	}
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(sum[:12])
}

// The lock beside the state file orders every read and write of it, among
// the goroutines of one process and across processes. The state file itself
// cannot be locked: each save replaces it by a rename, which Windows also
// refuses while another process has the file open.
const (
	stateLockSuffix = ".lock"
	stateLockRetry  = 5 * time.Millisecond
)

// stateLockWait bounds the wait for another instance's lock.
var stateLockWait = 10 * time.Second

// lockState takes the lock of the state file path, waiting at most
// stateLockWait for another instance to release it.
func lockState(path string) (unlock func(), err error) {
	// Created here first, to give it the state file's owner, as a save does.
	if f, err := os.OpenFile(path+stateLockSuffix, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600); err == nil {
		err = keepOwner(f, path)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, fmt.Errorf("locking state file %s: %w", path, err)
		}
	}
	lock := flock.New(path+stateLockSuffix, flock.SetPermissions(0o600))
	ctx, cancel := context.WithTimeout(context.Background(), stateLockWait)
	defer cancel()
	if _, err := lock.TryLockContext(ctx, stateLockRetry); err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return nil, fmt.Errorf("state file %s: another process has held %s for more than %s", path, lock.Path(), stateLockWait)
		}
		return nil, fmt.Errorf("locking state file %s: %w", path, err)
	}
	// Unlock fails only if flock(2) refuses LOCK_UN on a descriptor we hold;
	// the lock then goes with the process, and the caller, done with the
	// file, has nothing to do about it.
	return func() { _ = lock.Unlock() }, nil //nolint:errcheck // nothing to do with the error, see above
}

// errStateDamaged marks a state file of ours that cannot be read: it is
// reported and set aside, and the plugin starts without state.
var errStateDamaged = errors.New("damaged")

// readStateFile reads path; a missing or empty file is an empty state. A
// file that is not a state file of ours is an error; one of ours that
// cannot be read is an error that wraps errStateDamaged. The caller holds
// the lock.
func readStateFile(path string) (*stateFile, error) {
	empty := &stateFile{Version: stateVersion, Instances: make(map[string]*progress)}
	b, err := readStateBytes(path)
	if errors.Is(err, fs.ErrNotExist) {
		return empty, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading state file: %w", err)
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return empty, nil
	}
	if err := checkStateFileShape(b); err != nil {
		return nil, fmt.Errorf("state_file %s exists and is not a telegraf-mip state file (%w): "+
			"it is left as it is; point state_file at a file of its own", path, err)
	}
	var sf stateFile
	if err := json.Unmarshal(b, &sf); err != nil {
		return nil, fmt.Errorf("state file %s is %w: %w", path, errStateDamaged, err)
	}
	if sf.Version != stateVersion {
		return nil, fmt.Errorf("state file %s is %w: version %d, expected %d", path, errStateDamaged, sf.Version, stateVersion)
	}
	if sf.Instances == nil {
		sf.Instances = make(map[string]*progress)
	}
	for key, pr := range sf.Instances {
		if pr == nil {
			delete(sf.Instances, key)
			continue
		}
		pr.init()
	}
	return &sf, nil
}

// checkStateFileShape tells a state file of ours, whole or cut short, from
// any other file: ours is a JSON object with a numeric "version" and an
// "instances" object, which json.Marshal writes first. A file of NUL bytes
// is one whose content a crash lost.
func checkStateFileShape(b []byte) error {
	if len(bytes.Trim(b, "\x00")) == 0 {
		return nil
	}
	if !json.Valid(b) {
		rest := bytes.TrimSpace(b)
		if len(rest) > 0 && rest[0] == '{' {
			rest = bytes.TrimSpace(rest[1:])
			for _, key := range []string{`"version"`, `"instances"`} {
				if bytes.HasPrefix(rest, []byte(key)) || bytes.HasPrefix([]byte(key), rest) {
					return nil // ours, cut short
				}
			}
		}
		return errors.New("not JSON written by it")
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(b, &top); err != nil {
		return errors.New("not a JSON object")
	}
	var version json.Number
	if err := json.Unmarshal(top["version"], &version); err != nil || version == "" {
		return errors.New(`no numeric "version"`)
	}
	var instances map[string]json.RawMessage
	if raw, ok := top["instances"]; !ok || json.Unmarshal(raw, &instances) != nil {
		return errors.New(`no "instances" object`)
	}
	return nil
}

// setAside renames a damaged state file out of the way, keeping it for a
// post-mortem, and returns its new name.
func setAside(path string, now time.Time) (string, error) {
	aside := path + ".damaged-" + now.UTC().Format("20060102T150405Z")
	for n := 2; ; n++ {
		if _, err := os.Lstat(aside); errors.Is(err, fs.ErrNotExist) {
			break
		}
		aside = fmt.Sprintf("%s.damaged-%s-%d", path, now.UTC().Format("20060102T150405Z"), n)
	}
	if err := os.Rename(path, aside); err != nil {
		return "", err
	}
	return aside, nil
}

// readOrSetAside reads the state file; a damaged one is set aside, unless
// readOnly, and reported in damaged, the state then being empty.
func readOrSetAside(path string, readOnly bool) (sf *stateFile, damaged, err error) {
	sf, err = readStateFile(path)
	if !errors.Is(err, errStateDamaged) {
		return sf, nil, err
	}
	if readOnly {
		return &stateFile{Version: stateVersion, Instances: make(map[string]*progress)}, fmt.Errorf("%w; left as it is (read-only)", err), nil
	}
	aside, rerr := setAside(path, time.Now())
	if rerr != nil {
		// Not errStateDamaged: without a place to write, the plugin must
		// not start.
		return nil, nil, fmt.Errorf("%s, and cannot be set aside: %w", err.Error(), rerr)
	}
	return &stateFile{Version: stateVersion, Instances: make(map[string]*progress)}, fmt.Errorf("%w; set aside as %s", err, aside), nil
}

// loadProgress returns this instance's progress from path. A missing file or
// instance is a first start. A damaged file is set aside (left as it is when
// readOnly) and reported in an error that wraps errStateDamaged, with a
// fresh progress; any other error means the plugin must not start.
func loadProgress(path, key string, readOnly bool) (*progress, error) {
	if readOnly {
		// Nothing to read, and nothing to create: not even the lock.
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return newProgress(), nil
		}
	}
	unlock, err := lockState(path)
	switch {
	case readOnly && errors.Is(err, fs.ErrPermission):
		// A user who may read the file but not write beside it (say,
		// telegraf-mip -test run by hand): a rename replaces the file whole,
		// so a read without the lock sees one save or the next.
		unlock = func() {}
	case err != nil:
		return nil, err
	}
	defer unlock()
	sf, damaged, err := readOrSetAside(path, readOnly)
	if err != nil {
		return nil, err
	}
	if damaged != nil {
		return newProgress(), damaged
	}
	if pr := sf.Instances[key]; pr != nil {
		return pr, nil
	}
	return newProgress(), nil
}

// stateStore saves an instance's progress and remembers the file it wrote:
// a save that finds that very file (no other instance wrote since, the
// usual case) need not read and decode it again to keep the others'
// entries.
type stateStore struct {
	written fs.FileInfo          // the file as this instance last wrote it
	others  map[string]*progress // the other instances' entries in it
	size    int                  // its size, to size the next
}

// save writes this instance's progress into path, keeping the other
// instances' entries, atomically: a crash leaves the old or the new file.
// The lock makes the read-modify-write whole, so that instances sharing the
// file never undo each other's saves. A file damaged since the start is set
// aside and reported with warnf.
func (s *stateStore) save(path, key string, pr *progress, warnf func(string, ...any)) error {
	unlock, err := lockState(path)
	if err != nil {
		return err
	}
	defer unlock()
	sf := &stateFile{Instances: maps.Clone(s.others)}
	if !s.unchanged(path) {
		var damaged error
		if sf, damaged, err = readOrSetAside(path, false); err != nil {
			return fmt.Errorf("not saving the state: %w", err)
		}
		if damaged != nil {
			warnf("%v; the other instances sharing it lost their state", damaged)
		}
	}
	if sf.Instances == nil {
		sf.Instances = make(map[string]*progress)
	}
	sf.Version = stateVersion
	sf.Instances[key] = pr
	b := appendStateFile(make([]byte, 0, s.size+s.size/8), sf)
	s.size = len(b)
	s.written = nil
	if err := writeAtomically(path, b); err != nil {
		return fmt.Errorf("writing state file: %w", err)
	}
	s.written, _ = os.Stat(path) //nolint:errcheck // nil on an error: the next save reads the file
	delete(sf.Instances, key)
	s.others = sf.Instances
	return nil
}

// unchanged tells whether path is still the file this store last wrote.
func (s *stateStore) unchanged(path string) bool {
	cur, err := os.Stat(path)
	return s.written != nil && err == nil && os.SameFile(s.written, cur) &&
		cur.Size() == s.written.Size() && cur.ModTime().Equal(s.written.ModTime())
}

// writeAtomically replaces path with b through a temporary file beside it,
// private and with path's owner, synced before the rename.
func writeAtomically(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op once renamed
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if err := keepOwner(tmp, path); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
