package centreonplugin

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/telegraf-mip/telegraf-mip/internal/mipapi"
	"github.com/telegraf-mip/telegraf-mip/internal/safefile"
)

// maxCacheBytes bounds a cache file: a larger answer is used by the check
// that downloaded it and not kept.
const maxCacheBytes = 256 << 20

// cacheHeader is the magic line, the download time (Unix nanoseconds), the
// payload's length and the CRC-32C of all that precedes it and of the
// payload: the whole file, its time included.
const cacheHeader = len(cacheMagic) + 8 + 8 + 4

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// sharedCache is the answer of one MIP, as reached by one set of
// connection options, shared by the checks of a poller for a while.
type sharedCache struct {
	path     string
	duration time.Duration
	// idle is how long a check waits for another's download with no sign
	// of progress; errorHold is how long a failed download is reported to
	// the checks that follow.
	idle, errorHold time.Duration
	now             func() time.Time
	// notice says, in one line, why the shared cache could not be used,
	// when it could not: the check's output adds it.
	notice string
}

// newSharedCache names the cache under dir: the name is a hash of what
// decides whether an answer may be trusted for this check (protocol, host,
// port, peer address, key, TLS verification, proxy), so that a check that
// verifies certificates never reads an answer fetched without, and two
// keys never share one; the key itself is in no file and no name.
func newSharedCache(dir string, duration time.Duration, identity ...string) *sharedCache {
	h := sha256.New()
	h.Write([]byte("telegraf-mip centreon cache\x00"))
	for _, part := range identity {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(part)))
		h.Write(n[:])
		h.Write([]byte(part))
	}
	name := "mip_cache_" + hex.EncodeToString(h.Sum(nil)[:16])
	return &sharedCache{path: filepath.Join(dir, name), duration: duration, idle: time.Minute, errorHold: min(duration, 30*time.Second), now: time.Now}
}

// notef keeps the first reason the shared cache could not be used.
func (c *sharedCache) notef(format string, a ...any) {
	if c.notice == "" {
		c.notice = fmt.Sprintf(format, a...)
	}
}

// describe words why a file of the cache could not be made: the usual
// reasons, a directory missing or not writable, in the admin's words.
func (c *sharedCache) describe(err error) string {
	dir := filepath.Dir(c.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if _, serr := os.Stat(dir); serr != nil {
			return "directory " + dir + " does not exist"
		}
	case errors.Is(err, fs.ErrPermission):
		return "this user may not create files in " + dir
	}
	return err.Error()
}

// read returns the cached scenarios when the cache is this user's, whole
// and fresh. A cache another user may have written, or anything but a
// regular file, is not read, and noted.
func (c *sharedCache) read() (entries, bool) {
	b, err := safefile.ReadOwn(c.path, int64(cacheHeader+maxCacheBytes))
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			c.notef("%v", err)
		}
		return entries{}, false
	}
	if len(b) < cacheHeader || string(b[:len(cacheMagic)]) != cacheMagic {
		return entries{}, false
	}
	h := b[len(cacheMagic):]
	fetched := time.Unix(0, int64(binary.BigEndian.Uint64(h)))
	size := binary.BigEndian.Uint64(h[8:])
	sum := binary.BigEndian.Uint32(h[16:])
	payload := b[cacheHeader:]
	if uint64(len(payload)) != size || cacheSum(b[:cacheHeader-4], payload) != sum {
		return entries{}, false
	}
	if age := c.now().Sub(fetched); age < -time.Second || age >= c.duration {
		return entries{}, false
	}
	return entries{payload: payload}, true
}

// cacheSum is the CRC-32C of a cache file's header (without the sum) and
// payload.
func cacheSum(header, payload []byte) uint32 {
	return crc32.Update(crc32.Checksum(header, castagnoli), castagnoli, payload)
}

// write keeps list for the next checks, through safefile.Write: a reader
// sees the old cache or the new one, never half of one.
func (c *sharedCache) write(list []scenario, fetched time.Time) error {
	payload := encodeScenarios(list)
	if len(payload) > maxCacheBytes {
		return errors.New("answer too large to cache")
	}
	b := make([]byte, 0, cacheHeader+len(payload))
	b = append(b, cacheMagic...)
	b = binary.BigEndian.AppendUint64(b, uint64(fetched.UnixNano()))
	b = binary.BigEndian.AppendUint64(b, uint64(len(payload)))
	b = binary.BigEndian.AppendUint32(b, cacheSum(b, payload))
	b = append(b, payload...)
	return safefile.Write(c.path, b, 0o600)
}

// load returns the scenarios of the cache when it is fresh; otherwise it
// takes the cache's lock, so that concurrent checks wait for one download
// instead of each making one, reads the cache again (another check may have
// just written it), and else downloads with fetch, which calls progress as
// the answer comes, and keeps the answer. A check waits for another's
// download as long as it progresses (idle), and, past that, downloads
// itself. A download that failed is remembered for errorHold: the checks
// that waited for it report its error instead of each trying again in turn
// while MIP does not answer. A cache that cannot be read, locked or
// written only costs a download, and a notice.
func (c *sharedCache) load(ctx context.Context, fetch func(ctx context.Context, progress func()) ([]scenario, error)) (entries, error) {
	if e, ok := c.read(); ok {
		return e, nil
	}
	held, err := safefile.LockWhileProgress(ctx, c.path+".lock", c.idle)
	progress := func() {}
	switch {
	case err == nil:
		defer held.Unlock()
		if e, ok := c.read(); ok {
			return e, nil
		}
		if failed, ok := c.readFailure(); ok {
			return entries{}, failed.err()
		}
		progress = held.Beat
		held.Beat()
	case errors.Is(err, safefile.ErrNoProgress):
		c.notef("another check's download made no progress for %s", c.idle)
	default:
		c.notef("%s", c.describe(err))
	}
	fetched := c.now()
	list, err := fetch(ctx, progress)
	if err != nil {
		c.writeFailure(err, fetched)
		return entries{}, err
	}
	if err := safefile.Remove(c.path + ".failed"); err != nil {
		c.notef("%v", err)
	}
	if err := c.write(list, fetched); err != nil {
		c.notef("the answer cannot be kept: %s", c.describe(err))
	}
	return entries{list: list}, nil
}

// failureMagic starts the file of a failed download: its time, its kind
// (an HTTP status, an answer not decoded, or another error), the HTTP code
// and status line or the message (which never holds the key), one a line.
// Each check words it with its own --*-http-status rules.
const failureMagic = "telegraf-mip centreon failure 1"

func (c *sharedCache) writeFailure(failure error, at time.Time) {
	kind, code, text := "other", 0, failure.Error()
	var se *mipapi.StatusError
	var de *decodeError
	switch {
	case errors.As(failure, &se):
		kind, code, text = "status", se.Code, se.Status
	case errors.As(failure, &de):
		kind, text = "decode", de.err.Error()
	}
	var ne *netError
	if errors.As(failure, &ne) {
		text = ne.msg
	}
	b := fmt.Appendf(nil, "%s\n%d\n%s\n%d\n%s", failureMagic, at.UnixNano(), kind, code, strings.ReplaceAll(text, "\n", " "))
	if err := safefile.Write(c.path+".failed", b, 0o600); err != nil {
		c.notef("the failure cannot be kept: %v", err)
	}
}

// maxFailureBytes bounds a failure file: a status line or a message.
const maxFailureBytes = 64 << 10

// failure is a download that failed, as remembered.
type failure struct {
	kind string // status, decode or other
	code int
	text string
}

// err is the error the download returned, for requestError to word.
func (f failure) err() error {
	switch f.kind {
	case "status":
		return &mipapi.StatusError{Code: f.code, Status: f.text}
	case "decode":
		return &decodeError{errors.New(f.text)}
	}
	return &netError{f.text}
}

// readFailure returns the download that failed less than errorHold ago,
// when there is one.
func (c *sharedCache) readFailure() (failure, bool) {
	b, err := safefile.ReadOwn(c.path+".failed", maxFailureBytes)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		c.notef("%v", err)
	}
	lines := strings.SplitN(string(b), "\n", 5)
	if err != nil || len(lines) != 5 || lines[0] != failureMagic {
		return failure{}, false
	}
	ns, errTime := strconv.ParseInt(lines[1], 10, 64)
	code, errCode := strconv.Atoi(lines[3])
	age := c.now().Sub(time.Unix(0, ns))
	if errTime != nil || errCode != nil || age < -time.Second || age >= c.errorHold {
		return failure{}, false
	}
	return failure{kind: lines[2], code: code, text: lines[4]}, true
}
