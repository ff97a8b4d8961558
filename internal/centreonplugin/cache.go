package centreonplugin

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/telegraf-mip/telegraf-mip/internal/mipapi"
)

// maxCacheBytes bounds a cache file: a larger answer is used by the check
// that downloaded it and not kept.
const maxCacheBytes = 256 << 20

// cacheHeader is the magic line, the download time (Unix nanoseconds), the
// payload's length and its CRC-32C.
const cacheHeader = len(cacheMagic) + 8 + 8 + 4

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// sharedCache is the answer of one MIP (host, port, protocol, peer address
// and key) shared by the checks of a poller for a while.
type sharedCache struct {
	path     string
	duration time.Duration
	// lockWait bounds the wait for another check's download; errorHold is
	// how long a failed download is reported to the checks that follow.
	lockWait, errorHold time.Duration
	now                 func() time.Time
}

// newSharedCache names the cache of a MIP under dir: the name is a hash of
// what identifies the MIP, the key included, so that two keys never share
// an answer; the key itself is in no file.
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
	return &sharedCache{path: filepath.Join(dir, name), duration: duration, lockWait: time.Minute, errorHold: min(duration, 30*time.Second), now: time.Now}
}

// read returns the cached scenarios when the cache is whole and fresh.
func (c *sharedCache) read() (entries, bool) {
	b, err := os.ReadFile(c.path)
	if err != nil || len(b) < cacheHeader || string(b[:len(cacheMagic)]) != cacheMagic {
		return entries{}, false
	}
	h := b[len(cacheMagic):]
	fetched := time.Unix(0, int64(binary.BigEndian.Uint64(h)))
	size := binary.BigEndian.Uint64(h[8:])
	sum := binary.BigEndian.Uint32(h[16:])
	payload := b[cacheHeader:]
	if uint64(len(payload)) != size || crc32.Checksum(payload, castagnoli) != sum {
		return entries{}, false
	}
	if age := c.now().Sub(fetched); age < -time.Second || age >= c.duration {
		return entries{}, false
	}
	return entries{payload: payload}, true
}

// write keeps list for the next checks: written whole to a temporary file,
// then renamed, so that a reader sees the old cache or the new one, never
// half of one.
func (c *sharedCache) write(list []scenario, fetched time.Time) error {
	payload := encodeScenarios(list)
	if len(payload) > maxCacheBytes {
		return errors.New("answer too large to cache")
	}
	b := make([]byte, 0, cacheHeader+len(payload))
	b = append(b, cacheMagic...)
	b = binary.BigEndian.AppendUint64(b, uint64(fetched.UnixNano()))
	b = binary.BigEndian.AppendUint64(b, uint64(len(payload)))
	b = binary.BigEndian.AppendUint32(b, crc32.Checksum(payload, castagnoli))
	b = append(b, payload...)
	tmp, err := os.CreateTemp(filepath.Dir(c.path), filepath.Base(c.path)+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), c.path)
}

// load returns the scenarios of the cache when it is fresh; otherwise it
// takes the cache's lock, so that concurrent checks wait for one download
// instead of each making one, reads the cache again (another check may have
// just written it), and else downloads with fetch and keeps the answer.
// A download that failed is remembered for errorHold: the checks that
// waited for it report its error instead of each trying again in turn
// while MIP does not answer. The lock is waited for at most lockWait; a
// cache that cannot be read, locked or written only costs a download.
func (c *sharedCache) load(ctx context.Context, fetch func(context.Context) ([]scenario, error)) (entries, error) {
	if e, ok := c.read(); ok {
		return e, nil
	}
	lockCtx, cancel := context.WithTimeout(ctx, c.lockWait)
	unlock, err := lockFile(lockCtx, c.path+".lock")
	cancel()
	if err == nil {
		defer unlock()
		if e, ok := c.read(); ok {
			return e, nil
		}
		if failed, ok := c.readFailure(); ok {
			return entries{}, failed.err()
		}
	}
	fetched := c.now()
	list, err := fetch(ctx)
	if err != nil {
		c.writeFailure(err, fetched)
		return entries{}, err
	}
	os.Remove(c.path + ".failed")
	_ = c.write(list, fetched) //nolint:errcheck // a cache not written costs the next check a download, nothing else
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
	tmp, err := os.CreateTemp(filepath.Dir(c.path), filepath.Base(c.path)+".*.tmp")
	if err != nil {
		return
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(b)
	if cerr := tmp.Close(); err == nil && cerr == nil {
		_ = os.Rename(tmp.Name(), c.path+".failed") //nolint:errcheck // not remembered: the next check tries
	}
}

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
	b, err := os.ReadFile(c.path + ".failed")
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
