package centreonplugin

import (
	"bytes"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/telegraf-mip/telegraf-mip/internal/mipsim"
)

// The test key: `make test` fails if it appears in any output.
const testKey = "s3cr3t-mip-k3y-centreon"

type simCheck struct {
	sim   *mipsim.Sim
	state string
	args  []string
}

func newSimCheck(t *testing.T, scenarios []mipsim.Scenario) *simCheck {
	t.Helper()
	sim := mipsim.New(testKey, scenarios)
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	host, port, err := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	require.NoError(t, err)
	state := t.TempDir()
	return &simCheck{sim: sim, state: state, args: []string{
		"--plugin=" + PluginName, "--mode=scenarios", "--hostname=" + host, "--port=" + port, "--proto=http",
		"--api-key=" + testKey, "--statefile-dir=" + state,
	}}
}

// check runs one check at now and returns its exit code and output.
func (s *simCheck) check(now time.Time, extra ...string) (int, string) {
	var out bytes.Buffer
	code := runAt(append(append(make([]string, 0, len(s.args)+len(extra)), s.args...), extra...), &out, &out, func() time.Time { return now })
	return code, out.String()
}

func (s *simCheck) cacheFile(t *testing.T) string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(s.state, "mip_cache_*[^k]")) // not the .lock
	require.NoError(t, err)
	require.Len(t, files, 1, "one cache file")
	return files[0]
}

// TestCacheFallsBack: an expired, damaged or half-written cache, or none,
// only means a new download, and the check's answer is the same.
func TestCacheFallsBack(t *testing.T) {
	s := newSimCheck(t, mipsim.Demo())
	now := time.Now()
	code, first := s.check(now)
	require.Equal(t, 1, s.sim.Requests())
	file := s.cacheFile(t)
	good, err := os.ReadFile(file)
	require.NoError(t, err)

	_, again := s.check(now.Add(30 * time.Second))
	require.Equal(t, 1, s.sim.Requests(), "a fresh cache is read")
	require.Equal(t, first, again)

	steps := []struct {
		name   string
		damage func()
	}{
		{"expired", func() {}},
		{"a byte changed", func() {
			b := bytes.Clone(good)
			b[len(b)-10] ^= 0x55
			require.NoError(t, os.WriteFile(file, b, 0o600))
		}},
		{"half written", func() { require.NoError(t, os.WriteFile(file, good[:len(good)/2], 0o600)) }},
		{"header only", func() { require.NoError(t, os.WriteFile(file, good[:len(cacheMagic)+5], 0o600)) }},
		{"empty", func() { require.NoError(t, os.WriteFile(file, nil, 0o600)) }},
		{"removed", func() { require.NoError(t, os.Remove(file)) }},
		{"from the future", func() {}},
	}
	at := now
	for i, step := range steps {
		switch step.name {
		case "expired":
			at = at.Add(defaultCacheDuration)
		case "from the future":
			at = at.Add(-time.Hour)
		default:
			// Rewrite a fresh cache first, then damage it.
		}
		step.damage()
		c, out := s.check(at)
		require.Equal(t, i+2, s.sim.Requests(), "%s: a new download", step.name)
		require.Equal(t, code, c, "%s: %s", step.name, out)
		require.Contains(t, out, "#scenario.metric.usage.", step.name)
		good, err = os.ReadFile(file)
		require.NoError(t, err, "%s: the cache is written again", step.name)
	}

	// --cache-duration=0: no cache, a download each check.
	before := s.sim.Requests()
	s.check(at, "--cache-duration=0")
	s.check(at, "--cache-duration=0")
	require.Equal(t, before+2, s.sim.Requests())
}

// TestCacheHoldsNoKey: the cache and its lock are the owner's only, and
// neither holds the API key (nor does a --memory state file).
func TestCacheHoldsNoKey(t *testing.T) {
	s := newSimCheck(t, mipsim.Demo())
	s.check(time.Now(), "--memory")
	entries, err := os.ReadDir(s.state)
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(entries), 3, "cache, lock and state files")
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(s.state, e.Name()))
		require.NoError(t, err)
		require.False(t, bytes.Contains(b, []byte(testKey)), "%s holds the key", e.Name())
		require.NotContains(t, e.Name(), testKey)
		if strings.HasPrefix(e.Name(), "mip_cache_") {
			info, err := e.Info()
			require.NoError(t, err)
			require.Equal(t, os.FileMode(0o600), info.Mode().Perm(), e.Name())
		}
	}
	// Another key, another cache: two keys never share an answer.
	other := newSimCheck(t, mipsim.Demo())
	other.state = s.state
	other.args[len(other.args)-2] = "--api-key=another-key"
	other.args[len(other.args)-1] = "--statefile-dir=" + s.state
	code, out := other.check(time.Now())
	require.Equal(t, 3, code, "the simulator refuses another key")
	require.Contains(t, out, "401")
}

// TestFailedDownloadIsShared: while MIP fails, the checks that follow a
// failed download report its error, each with its own HTTP status rules,
// instead of each asking MIP again in turn; after errorHold (30 s at the
// default --cache-duration) a check asks again, and a success clears it.
func TestFailedDownloadIsShared(t *testing.T) {
	s := newSimCheck(t, mipsim.Demo())
	failing := true
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if failing {
			s.sim.ServeHTTP(httptest.NewRecorder(), r) // counted
			http.Error(w, "down", http.StatusInternalServerError)
			return
		}
		s.sim.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	_, port, err := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	require.NoError(t, err)
	for i, a := range s.args {
		if strings.HasPrefix(a, "--port=") {
			s.args[i] = "--port=" + port
		}
	}
	now := time.Now()
	code, out := s.check(now)
	require.Equal(t, 3, code)
	require.Equal(t, "UNKNOWN: 500 Internal Server Error \n", out)
	require.Equal(t, 1, s.sim.Requests())

	code, out = s.check(now.Add(10*time.Second), "--critical-http-status=%{http_code} == 500")
	require.Equal(t, 2, code, "the check's own rules")
	require.Equal(t, "CRITICAL: 500 Internal Server Error \n", out)
	require.Equal(t, 1, s.sim.Requests(), "the failure is remembered")

	failing = false
	code, out = s.check(now.Add(29 * time.Second))
	require.Equal(t, 3, code, out)
	require.Equal(t, 1, s.sim.Requests())
	_, out = s.check(now.Add(30 * time.Second))
	require.Contains(t, out, "#scenario.metric.usage.")
	require.Equal(t, 2, s.sim.Requests(), "asked again after errorHold")
	_, err = os.Stat(filepath.Join(s.state, filepath.Base(s.cacheFile(t))+".failed"))
	require.ErrorIs(t, err, os.ErrNotExist, "a success clears the failure")
}

// TestCacheNameCoversWhatAnAnswerIsTrustedFor: certificate verification,
// the proxy, the key and the peer address each name another cache; the
// timeout does not (it changes the wait, not the answer), and no name
// holds the key.
func TestCacheNameCoversWhatAnAnswerIsTrustedFor(t *testing.T) {
	base := connection{proto: "https", hostname: "mip.example.com", port: "443", apiKey: testKey, timeout: 10 * time.Second}
	name := func(conn connection) string {
		return filepath.Base(newSharedCache("/state", time.Minute, conn.cacheIdentity()...).path)
	}
	names := map[string]string{"base": name(base)}
	for what, change := range map[string]func(*connection){
		"--insecure":       func(c *connection) { c.insecure = true },
		"--proxyurl":       func(c *connection) { c.proxy = "http://proxy.example.com:3128" },
		"another key":      func(c *connection) { c.apiKey = "another" },
		"--http-peer-addr": func(c *connection) { c.peerAddr = "192.0.2.1" },
		"--proto":          func(c *connection) { c.proto = "http" },
	} {
		conn := base
		change(&conn)
		for other, n := range names {
			require.NotEqual(t, n, name(conn), "%s names the cache of %s", what, other)
		}
		names[what] = name(conn)
	}
	conn := base
	conn.timeout = time.Minute
	require.Equal(t, names["base"], name(conn), "--timeout")
	for _, n := range names {
		require.NotContains(t, n, testKey)
	}
}
