//go:build unix

package centreonplugin

import (
	"bytes"
	"context"
	"crypto/md5" //nolint:gosec // the Perl plugin's state file names are MD5 sums
	"encoding/binary"
	"encoding/hex"
	"errors"
	"hash/crc32"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/telegraf-mip/telegraf-mip/internal/mipsim"
)

// These tests run the real telegraf-mip-centreon, as Centreon Engine does,
// in a state directory where another local user planted files.

// nobody is the user the tests run checks as when they need a user other
// than root (CI runs as root).
const nobody = 65534

var (
	binaryOnce sync.Once
	binaryPath string
	errBinary  error
)

// TestMain removes the binary the tests built.
func TestMain(m *testing.M) {
	code := m.Run()
	if binaryPath != "" {
		os.RemoveAll(filepath.Dir(binaryPath))
	}
	os.Exit(code)
}

// centreonBinary builds telegraf-mip-centreon once, in a directory any
// user may read, so that checks can also run as nobody.
func centreonBinary(t *testing.T) string {
	t.Helper()
	binaryOnce.Do(func() {
		dir, err := os.MkdirTemp("", "telegraf-mip-centreon-test") //nolint:usetesting // t.TempDir sits in a 0700 directory nobody cannot reach
		if err != nil {
			errBinary = err
			return
		}
		if errBinary = os.Chmod(dir, 0o755); errBinary != nil { //nolint:gosec // nobody runs the binary in it
			return
		}
		binaryPath = filepath.Join(dir, "telegraf-mip-centreon")
		out, err := exec.Command("go", "build", "-o", binaryPath, "../../cmd/telegraf-mip-centreon").CombinedOutput()
		if err != nil {
			errBinary = errors.New("building telegraf-mip-centreon: " + err.Error() + ": " + string(out))
		}
	})
	require.NoError(t, errBinary)
	return binaryPath
}

// hostileSim is a MIP whose answers can fail, hang or come slowly, and the
// command line of a check against it.
type hostileSim struct {
	sim      *mipsim.Sim
	requests atomic.Int64
	failing  atomic.Bool
	hang     atomic.Bool
	slow     atomic.Int64 // spread the answer over this long (a time.Duration)
	release  chan struct{}
	host     string
	port     string
	state    string
	args     []string
}

func newHostileSim(t *testing.T, tlsServer bool) *hostileSim {
	t.Helper()
	h := &hostileSim{sim: mipsim.New(testKey, mipsim.Demo()), release: make(chan struct{})}
	handler := http.HandlerFunc(h.serve)
	srv := httptest.NewUnstartedServer(handler)
	if tlsServer {
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(func() {
		close(h.release)
		srv.Close()
	})
	var err error
	h.host, h.port, err = net.SplitHostPort(srv.Listener.Addr().String())
	require.NoError(t, err)
	h.state, err = os.MkdirTemp("", "centplugins") //nolint:usetesting // t.TempDir sits in a 0700 directory nobody cannot reach
	require.NoError(t, err)
	require.NoError(t, os.Chmod(h.state, 0o755)) //nolint:gosec // a directory: its x bit
	t.Cleanup(func() { os.RemoveAll(h.state) })
	proto := "http"
	if tlsServer {
		proto = "https"
	}
	h.args = []string{"--plugin=" + PluginName, "--mode=scenarios", "--hostname=" + h.host, "--port=" + h.port, "--proto=" + proto,
		"--api-key=" + testKey, "--statefile-dir=" + h.state, "--timeout=2"}
	return h
}

func (h *hostileSim) serve(w http.ResponseWriter, r *http.Request) {
	h.requests.Add(1)
	switch {
	case h.hang.Load():
		<-h.release
		return
	case h.failing.Load():
		http.Error(w, "down", http.StatusInternalServerError)
		return
	case h.slow.Load() > 0:
		rec := httptest.NewRecorder()
		h.sim.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(rec.Code)
		const chunks = 100
		for i := range chunks {
			_, _ = w.Write(body[i*len(body)/chunks : (i+1)*len(body)/chunks]) //nolint:errcheck // a test server
			w.(http.Flusher).Flush()
			time.Sleep(time.Duration(h.slow.Load()) / chunks)
		}
		return
	}
	h.sim.ServeHTTP(w, r)
}

// memoryFile is the --memory state file's name, as the Perl plugin names it
// for a check without filters.
func (h *hostileSim) memoryFile() string {
	sum := md5.Sum([]byte("all")) //nolint:gosec // a name
	all := hex.EncodeToString(sum[:])
	return filepath.Join(h.state, "mip_scenarios_"+h.host+"_"+h.port+"_"+strings.Repeat(all+"_", 4)+all)
}

// cacheFile is the shared cache's name, found in the state directory.
func (h *hostileSim) cacheFile(t *testing.T) string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(h.state, "mip_cache_*"))
	require.NoError(t, err)
	for _, f := range files {
		if !strings.Contains(filepath.Base(f), ".") {
			return f
		}
	}
	require.Fail(t, "no cache file", "%v", files)
	return ""
}

// clear removes what the checks left in the state directory.
func (h *hostileSim) clear(t *testing.T) {
	t.Helper()
	entries, err := os.ReadDir(h.state)
	require.NoError(t, err)
	for _, e := range entries {
		require.NoError(t, os.Remove(filepath.Join(h.state, e.Name())))
	}
}

type checkResult struct {
	code     int
	out      string
	timedOut bool
}

// run runs one check, killed after limit; as uid when it is not 0.
func (h *hostileSim) run(t *testing.T, limit time.Duration, uid int, extra ...string) checkResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, centreonBinary(t), append(slices.Clone(h.args), extra...)...)
	if uid != 0 {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(uid)}}
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	r := checkResult{out: out.String(), timedOut: ctx.Err() != nil}
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		r.code = exitErr.ExitCode()
	} else {
		require.NoError(t, err)
	}
	require.NotContains(t, r.out, testKey, "the API key leaked")
	return r
}

// requireAnswered: the check answered with the scenarios' status and
// metrics, in time (the simulator's states change with the time: "All
// scenarios are ok" or each scenario named).
func requireAnswered(t *testing.T, r checkResult) {
	t.Helper()
	require.False(t, r.timedOut, "the check was still running: %s", r.out)
	require.Regexp(t, `^(OK|WARNING|CRITICAL|UNKNOWN): `, r.out)
	require.Contains(t, r.out, "#scenario.metric.usage.", "exit %d: %s", r.code, r.out)
}

// TestCheckWritesThroughNoLink: symbolic links planted at every name the
// check writes (the --memory state and its old temporary name, the cache,
// its lock and its failure marker) are replaced, never written through:
// the file they point to is neither changed nor created.
func TestCheckWritesThroughNoLink(t *testing.T) {
	h := newHostileSim(t, false)
	requireAnswered(t, h.run(t, time.Minute, 0, "--memory"))
	cache := h.cacheFile(t)
	h.clear(t)

	victims := t.TempDir()
	passwd := filepath.Join(victims, "passwd")
	const content = "root:x:0:0:root:/root:/bin/bash\n"
	require.NoError(t, os.WriteFile(passwd, []byte(content), 0o644)) //nolint:gosec // a copy of a world-readable file
	created := filepath.Join(victims, "created")
	plant := func() {
		for name, target := range map[string]string{
			h.memoryFile(): passwd, h.memoryFile() + ".tmp": passwd,
			cache: passwd, cache + ".lock": created, cache + ".failed": passwd,
		} {
			if _, err := os.Lstat(name); err == nil {
				require.NoError(t, os.Remove(name))
			}
			require.NoError(t, os.Symlink(target, name))
		}
	}
	plant()
	h.failing.Store(true)
	r := h.run(t, time.Minute, 0, "--memory")
	require.Equal(t, 3, r.code, r.out)
	require.Contains(t, r.out, "500")
	plant()
	h.failing.Store(false)
	requireAnswered(t, h.run(t, time.Minute, 0, "--memory"))

	b, err := os.ReadFile(passwd)
	require.NoError(t, err)
	require.Equal(t, content, string(b), "the file a link pointed to is untouched")
	require.NoFileExists(t, created, "no file created through the lock's link")
	for _, name := range []string{h.memoryFile(), cache, cache + ".lock"} {
		info, err := os.Lstat(name)
		require.NoError(t, err)
		require.True(t, info.Mode().IsRegular(), "%s: %s", name, info.Mode())
	}
}

// TestCheckNeverHangsOnASpecialFile: a FIFO or a link to /dev/zero at every
// name the check reads gets an answer within --timeout (the check hung on a
// FIFO until the engine killed it, and ran out of memory on /dev/zero), and
// the output says, in one line, why the file was not used.
func TestCheckNeverHangsOnASpecialFile(t *testing.T) {
	fifo := func(t *testing.T, path string) { require.NoError(t, syscall.Mkfifo(path, 0o600)) }
	zero := func(t *testing.T, path string) { require.NoError(t, os.Symlink("/dev/zero", path)) }
	for _, tc := range []struct {
		name   string
		suffix string // after the cache's name; "memory": the --memory state
		make   func(*testing.T, string)
		notice string
	}{
		{"FIFO as the cache", "", fifo, "is not a regular file but a named pipe (FIFO)"},
		{"FIFO as the failure marker", ".failed", fifo, "is not a regular file but a named pipe (FIFO)"},
		{"FIFO as the lock", ".lock", fifo, ""},
		{"FIFO as the --memory state", "memory", fifo, "--memory state not used"},
		{"/dev/zero as the cache", "", zero, "is not a regular file but a symbolic link"},
		{"/dev/zero as the failure marker", ".failed", zero, "is not a regular file but a symbolic link"},
		{"/dev/zero as the --memory state", "memory", zero, "--memory state not used"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHostileSim(t, false)
			requireAnswered(t, h.run(t, time.Minute, 0, "--memory"))
			path := h.memoryFile()
			if tc.suffix != "memory" {
				path = h.cacheFile(t) + tc.suffix
			}
			h.clear(t)
			tc.make(t, path)
			r := h.run(t, 20*time.Second, 0, "--memory")
			requireAnswered(t, r)
			lines := strings.Split(strings.TrimSuffix(r.out, "\n"), "\n")
			if tc.notice != "" {
				require.Contains(t, lines[len(lines)-1], tc.notice)
				require.True(t, strings.HasPrefix(lines[len(lines)-1], "telegraf-mip: "), r.out)
			}
		})
	}
}

// TestCacheAnotherUserMayHaveWrittenIsIgnored: a cache owned by another
// user, or writable by group or others, is not read (a download instead,
// said in one line); an edit whose checksum covers the payload only, or a
// header time moved later, is not read either.
func TestCacheAnotherUserMayHaveWrittenIsIgnored(t *testing.T) {
	crc := crc32.MakeTable(crc32.Castagnoli)
	for _, tc := range []struct {
		name   string
		edit   func(t *testing.T, path string)
		notice string
	}{
		{"another owner", func(t *testing.T, path string) { require.NoError(t, os.Chown(path, nobody, nobody)) },
			"is owned by uid 65534, not by this user"},
		{"writable by others", func(t *testing.T, path string) { require.NoError(t, os.Chmod(path, 0o666)) }, //nolint:gosec // the attack
			"is writable by group or others (mode 0666)"},
		{"a name edited, the payload's CRC recomputed", func(t *testing.T, path string) {
			b, err := os.ReadFile(path)
			require.NoError(t, err)
			header := bytes.IndexByte(b, '\n') + 1 + 8 + 8 + 4
			require.Contains(t, string(b[header:]), "crm_login")
			b = bytes.ReplaceAll(b, []byte("crm_login"), []byte("crm_l0gin"))
			binary.BigEndian.PutUint32(b[header-4:], crc32.Checksum(b[header:], crc))
			require.NoError(t, os.WriteFile(path, b, 0o600))
		}, ""},
		{"the header time moved later", func(t *testing.T, path string) {
			time.Sleep(1500 * time.Millisecond) // past --cache-duration=1
			b, err := os.ReadFile(path)
			require.NoError(t, err)
			at := bytes.IndexByte(b, '\n') + 1
			binary.BigEndian.PutUint64(b[at:], uint64(time.Now().UnixNano()))
			require.NoError(t, os.WriteFile(path, b, 0o600))
		}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHostileSim(t, false)
			requireAnswered(t, h.run(t, time.Minute, 0, "--cache-duration=1"))
			require.Equal(t, int64(1), h.requests.Load())
			tc.edit(t, h.cacheFile(t))
			r := h.run(t, time.Minute, 0, "--cache-duration=1")
			requireAnswered(t, r)
			require.Equal(t, int64(2), h.requests.Load(), "not answered from that cache: %s", r.out)
			require.NotContains(t, r.out, "crm_l0gin")
			if tc.notice != "" {
				require.Contains(t, r.out, "\ntelegraf-mip: shared cache not used ("+h.cacheFile(t)+" "+tc.notice)
			}
		})
	}
}

// TestCacheKeyCoversCertificateVerification: a check that verifies the
// server's certificate is not answered from a download made with
// --insecure: it fails on the certificate, as it would alone.
func TestCacheKeyCoversCertificateVerification(t *testing.T) {
	h := newHostileSim(t, true)
	requireAnswered(t, h.run(t, time.Minute, 0, "--insecure"))
	r := h.run(t, time.Minute, 0)
	require.Equal(t, 3, r.code, r.out)
	require.NotContains(t, r.out, "#scenario.metric.usage.")
	require.Contains(t, r.out, "certificate")
	require.Equal(t, int64(1), h.requests.Load(), "no answer for the verifying check")
}

// runConcurrently runs n checks at once and requires each to answer.
func (h *hostileSim) runConcurrently(t *testing.T, n, uid int) {
	t.Helper()
	results := make([]checkResult, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { results[i] = h.run(t, 2*time.Minute, uid) })
	}
	wg.Wait()
	for _, r := range results {
		requireAnswered(t, r)
	}
}

// TestSlowAnswerIsDownloadedOnce: 30 checks at once while MIP takes 20 s to
// send its answer (--timeout=3 bounds its silences, not its length): one
// downloads, the others wait as long as the download progresses, and MIP
// gets one request (before: the waiters gave up after 2 × --timeout + 5 s
// and each downloaded).
func TestSlowAnswerIsDownloadedOnce(t *testing.T) {
	h := newHostileSim(t, false)
	h.slow.Store(int64(20 * time.Second))
	h.args = append(h.args, "--timeout=3")
	h.runConcurrently(t, 30, 0)
	require.Equal(t, int64(1), h.requests.Load())
}

// TestStaleLockDoesNotSplitTheDownloads: a lock file left by a check run as
// root (mode 0600, which the engine's user cannot open: 10 requests
// before), or by a check killed while it held the lock, leaves the checks
// that follow, started while MIP sends its answer, one download between
// them.
func TestStaleLockDoesNotSplitTheDownloads(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("this test runs checks as nobody: run it as root, as CI does")
	}
	t.Run("root's lock file", func(t *testing.T) {
		h := newHostileSim(t, false)
		require.NoError(t, os.Chown(h.state, nobody, nobody))
		requireAnswered(t, h.run(t, time.Minute, nobody))
		cache := h.cacheFile(t)
		h.clear(t)
		require.NoError(t, os.WriteFile(cache+".lock", nil, 0o600)) // root's
		h.requests.Store(0)
		h.slow.Store(int64(5 * time.Second)) // all start while the first downloads
		h.runConcurrently(t, 10, nobody)
		require.Equal(t, int64(1), h.requests.Load())
	})
	t.Run("a killed check's lock", func(t *testing.T) {
		h := newHostileSim(t, false)
		h.hang.Store(true)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		cmd := exec.CommandContext(ctx, centreonBinary(t), append(slices.Clone(h.args), "--timeout=60")...)
		require.NoError(t, cmd.Start())
		for h.requests.Load() == 0 { // it holds the lock while it asks
			time.Sleep(10 * time.Millisecond)
		}
		require.NoError(t, cmd.Process.Kill())
		_ = cmd.Wait() //nolint:errcheck // killed
		h.hang.Store(false)
		h.requests.Store(0)
		h.slow.Store(int64(5 * time.Second))
		h.runConcurrently(t, 10, 0)
		require.Equal(t, int64(1), h.requests.Load())
	})
}

// TestStateDirectoryNotWritableIsSaid: a check whose user may not create
// files in the state directory still answers, and says why it asked MIP
// itself in one line after its output.
func TestStateDirectoryNotWritableIsSaid(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("this test runs checks as nobody: run it as root, as CI does")
	}
	h := newHostileSim(t, false)
	r := h.run(t, time.Minute, nobody)
	requireAnswered(t, r)
	require.True(t, strings.HasSuffix(r.out, "\ntelegraf-mip: shared cache not used (this user may not create files in "+h.state+
		"): this check asked MIP itself\n"), r.out)
	require.Equal(t, 1, strings.Count(r.out, "telegraf-mip:"))
}
