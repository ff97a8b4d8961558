package ledger

import (
	"bytes"
	"context"
	encjson "encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/telegraf-mip/telegraf-mip/internal/safefile"
)

// Version is the version of the state file's format: 2 keeps one record per
// scenario; 1, read and upgraded, kept parallel maps.
const Version = 2

// file is the content of a state file: the state of every plugin instance
// that shares it, each under the key of its configuration.
type file struct {
	Version   int               `json:"version"`
	Instances map[string]*State `json:"instances"`
}

// The lock beside the state file orders every read and write of it, among
// the goroutines of one process and across processes. The state file itself
// cannot be locked: each save replaces it by a rename, which Windows also
// refuses while another process has the file open.
const lockSuffix = ".lock"

// LockWait bounds the wait for another instance's lock.
var LockWait = 10 * time.Second

// Lock takes the lock of the state file path, waiting at most LockWait for
// another instance to release it.
func Lock(path string) (unlock func(), err error) {
	ctx, cancel := context.WithTimeout(context.Background(), LockWait)
	defer cancel()
	held, err := safefile.Lock(ctx, path+lockSuffix)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return nil, fmt.Errorf("state file %s: another process has held %s for more than %s", path, path+lockSuffix, LockWait)
		}
		return nil, fmt.Errorf("locking state file %s: %w", path, err)
	}
	return held.Unlock, nil
}

// ErrDamaged marks a state file of ours that cannot be read: it is reported
// and set aside, and the plugin starts without state.
var ErrDamaged = errors.New("damaged")

// ErrNewer marks a state file written by a newer telegraf-mip: it is left
// as it is, and the plugin does not start, rather than lose its progress.
var ErrNewer = errors.New("written by a newer telegraf-mip")

// Read reads the state file path: a missing or empty file is an empty
// state. A file that is not a state file of ours is an error; one of ours
// that cannot be read wraps ErrDamaged, one of a newer format ErrNewer. The
// caller holds the lock.
func Read(path string) (map[string]*State, error) {
	b, err := readBytes(path)
	if errors.Is(err, fs.ErrNotExist) {
		return make(map[string]*State), nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading state file: %w", err)
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return make(map[string]*State), nil
	}
	instances, err := decode(b)
	if err == nil {
		return instances, nil
	}
	// Only a file that does not read is told apart from another program's:
	// the check copies the file over, which a large state need not pay.
	if serr := checkShape(b); serr != nil {
		return nil, fmt.Errorf("state_file %s exists and is not a telegraf-mip state file (%w): "+
			"it is left as it is; point state_file at a file of its own", path, serr)
	}
	if errors.Is(err, ErrNewer) {
		return nil, fmt.Errorf("state file %s: %w; it is left as it is: "+
			"run that version, or point state_file at another file to start without its progress", path, err)
	}
	return nil, fmt.Errorf("state file %s is %w: %w", path, ErrDamaged, err)
}

// decode reads a state file of any version known. The current version is
// decoded in place, with no copy of the file: a state of 100,000 scenarios
// is tens of megabytes.
func decode(b []byte) (map[string]*State, error) {
	version, err := peekVersion(b)
	if err != nil {
		return nil, err
	}
	var instances map[string]*State
	switch {
	case version > Version:
		return nil, fmt.Errorf("%w: format version %d, this one reads up to %d", ErrNewer, version, Version)
	case version == 1:
		var top struct {
			Instances jsontext.Value `json:"instances"`
		}
		if err := json.Unmarshal(b, &top); err != nil {
			return nil, err
		}
		if instances, err = decodeV1(top.Instances); err != nil {
			return nil, err
		}
	case version == Version:
		var f file
		if err := json.Unmarshal(b, &f); err != nil {
			return nil, err
		}
		instances = f.Instances
	default:
		return nil, fmt.Errorf("version %d, expected %d", version, Version)
	}
	for key, st := range instances {
		if st == nil {
			delete(instances, key)
			continue
		}
		if err := st.check(); err != nil {
			return nil, fmt.Errorf("instance %s: %w", key, err)
		}
	}
	if instances == nil {
		instances = make(map[string]*State)
	}
	return instances, nil
}

// peekVersion reads the version of a state file, and checks that it has
// instances, without decoding them.
func peekVersion(b []byte) (int, error) {
	dec := jsontext.NewDecoder(bytes.NewBuffer(b))
	if tok, err := dec.ReadToken(); err != nil || tok.Kind() != '{' {
		return 0, errors.New("not a JSON object")
	}
	var version *int
	instances := false
	for dec.PeekKind() == '"' {
		name, err := dec.ReadToken()
		if err != nil {
			return 0, err
		}
		switch name.String() {
		case "version":
			raw, err := dec.ReadValue()
			if err != nil {
				return 0, err
			}
			version = new(int)
			if err := json.Unmarshal(raw, version); err != nil {
				return 0, fmt.Errorf(`"version": %w`, err)
			}
		case "instances":
			instances = dec.PeekKind() == '{' || dec.PeekKind() == 'n'
			if err := dec.SkipValue(); err != nil {
				return 0, err
			}
		default:
			if err := dec.SkipValue(); err != nil {
				return 0, err
			}
		}
	}
	switch {
	case version == nil:
		return 0, errors.New(`no "version"`)
	case !instances:
		return 0, errors.New(`no "instances" object`)
	}
	return *version, nil
}

// check makes the maps of a state read from a file and refuses a record
// that breaks the invariant.
func (st *State) check() error {
	if st.Scenarios == nil {
		st.Scenarios = make(map[string]*Record)
	}
	for id, r := range st.Scenarios {
		if r == nil {
			st.Scenarios[id] = &Record{}
			continue
		}
		if !r.Valid() {
			return fmt.Errorf("scenario %s: settled after the watermark, or a run written outside them", id)
		}
	}
	return nil
}

// checkShape tells a state file of ours, whole or cut short, from any other
// file: ours is a JSON object with a numeric "version" and an "instances"
// object, written in that order. A file of NUL bytes is one whose content a
// crash lost.
func checkShape(b []byte) error {
	if len(bytes.Trim(b, "\x00")) == 0 {
		return nil
	}
	if !encjson.Valid(b) {
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
	var top map[string]encjson.RawMessage
	if err := encjson.Unmarshal(b, &top); err != nil {
		return errors.New("not a JSON object")
	}
	var version encjson.Number
	if err := encjson.Unmarshal(top["version"], &version); err != nil || version == "" {
		return errors.New(`no numeric "version"`)
	}
	var instances map[string]encjson.RawMessage
	if raw, ok := top["instances"]; !ok || encjson.Unmarshal(raw, &instances) != nil {
		return errors.New(`no "instances" object`)
	}
	return nil
}

// encode writes the state file: its members and map keys in a fixed order,
// so that the same state always makes the same bytes.
func encode(instances map[string]*State, sizeHint int) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(sizeHint)
	err := json.MarshalWrite(&buf, file{Version: Version, Instances: instances}, json.Deterministic(true))
	return buf.Bytes(), err
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
func readOrSetAside(path string, readOnly bool) (instances map[string]*State, damaged, err error) {
	instances, err = Read(path)
	if !errors.Is(err, ErrDamaged) {
		return instances, nil, err
	}
	if readOnly {
		return make(map[string]*State), fmt.Errorf("%w; left as it is (read-only)", err), nil
	}
	aside, rerr := setAside(path, time.Now())
	if rerr != nil {
		// Not ErrDamaged: without a place to write, the plugin must not
		// start.
		return nil, nil, fmt.Errorf("%s, and cannot be set aside: %w", err.Error(), rerr)
	}
	return make(map[string]*State), fmt.Errorf("%w; set aside as %s", err, aside), nil
}

// KeyVersion marks each entry saved: 1 since the plugin's instance key
// names a schema other than the default (see Load's legacy).
const KeyVersion = 1

// Load returns the state of instance key from path. A missing file or
// instance is a first start. A damaged file is set aside (left as it is
// when readOnly) and reported in an error that wraps ErrDamaged, with a
// fresh state; any other error means the plugin must not start.
//
// Without an entry under key, the entry under legacy, the key of the same
// configuration before KeyVersion 1, is resumed when no telegraf-mip of
// that version saved it since: an upgrade keeps the progress of an
// instance whose key changed, while a new instance does not take over the
// progress of the other one still under legacy. Empty: none.
func Load(path, key, legacy string, readOnly bool) (*State, error) {
	if readOnly {
		// Nothing to read, and nothing to create: not even the lock.
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return NewState(), nil
		}
	}
	unlock, err := Lock(path)
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
	instances, damaged, err := readOrSetAside(path, readOnly)
	if err != nil {
		return nil, err
	}
	if damaged != nil {
		return NewState(), damaged
	}
	if st := instances[key]; st != nil {
		return st, nil
	}
	if st := instances[legacy]; legacy != "" && st != nil && st.KeyVersion < KeyVersion {
		return st, nil
	}
	return NewState(), nil
}

// Store saves an instance's state and remembers the file it wrote: a save
// that finds that very file (no other instance wrote since, the usual case)
// need not read and decode it again to keep the others' entries.
type Store struct {
	Path, Key string
	written   fs.FileInfo       // the file as this store last wrote it
	others    map[string]*State // the other instances' entries in it
	size      int               // its size, to size the next
}

// Save writes st into the file under the store's key, keeping the other
// instances' entries, atomically: a crash leaves the old or the new file.
// The lock makes the read-modify-write whole, so that instances sharing the
// file never undo each other's saves. A file damaged since the start is
// set aside and reported with warnf.
func (s *Store) Save(st *State, warnf func(string, ...any)) error {
	unlock, err := Lock(s.Path)
	if err != nil {
		return err
	}
	defer unlock()
	instances := maps.Clone(s.others)
	if !s.unchanged() {
		var damaged error
		if instances, damaged, err = readOrSetAside(s.Path, false); err != nil {
			return fmt.Errorf("not saving the state: %w", err)
		}
		if damaged != nil {
			warnf("%v; the other instances sharing it lost their state", damaged)
		}
	}
	if instances == nil {
		instances = make(map[string]*State)
	}
	st.KeyVersion = KeyVersion
	instances[s.Key] = st
	if s.size == 0 {
		// The first save: sized on the file read at start, as a buffer grown
		// by doubling would cost twice it.
		if info, err := os.Stat(s.Path); err == nil {
			s.size = int(min(info.Size(), MaxFileSize))
		}
	}
	b, err := encode(instances, s.size+s.size/8)
	if err != nil {
		return fmt.Errorf("encoding the state: %w", err)
	}
	s.size = len(b)
	s.written = nil
	if err := writeAtomically(s.Path, b); err != nil {
		return fmt.Errorf("writing state file: %w", err)
	}
	s.written, _ = os.Stat(s.Path) //nolint:errcheck // nil on an error: the next save reads the file
	delete(instances, s.Key)
	s.others = instances
	return nil
}

// unchanged tells whether the file is still the one this store last wrote.
func (s *Store) unchanged() bool {
	cur, err := os.Stat(s.Path)
	return s.written != nil && err == nil && os.SameFile(s.written, cur) &&
		cur.Size() == s.written.Size() && cur.ModTime().Equal(s.written.ModTime())
}

// writeAtomically replaces path with b through a temporary file beside it,
// private and with path's owner, synced before the rename.
func writeAtomically(path string, b []byte) error {
	return safefile.Write(path, b, 0o600)
}
