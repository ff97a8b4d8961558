package main

import (
	"bytes"
	"compress/gzip"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func splitHostPort(hostport string) (host, port string, err error) {
	return net.SplitHostPort(hostport)
}

// gzipMember is one gzip member of s; members one after another are one
// gzip stream, as net/http reads it.
func gzipMember(t *testing.T, s []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw, err := gzip.NewWriterLevel(&b, gzip.BestCompression)
	require.NoError(t, err)
	_, err = zw.Write(s)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return b.Bytes()
}

// TestGzipBombIsUnknown: an answer of about 1 MB of gzip holding a GiB of
// JSON whitespace inside a scenario, to a check under an address-space
// limit that leaves it about half a GiB of heap. It crashed the check (Go
// runtime out of memory, exit 2, no output line: the tokenizer held the
// whitespace, in a buffer doubling past the GiB); now the whitespace costs
// nothing and the answer stops at the decompressed limit: UNKNOWN and a
// sentence.
func TestGzipBombIsUnknown(t *testing.T) {
	spaces := gzipMember(t, bytes.Repeat([]byte(" "), 16<<20))
	head := gzipMember(t, []byte(`{"results": [{"measure": `))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("MIP_API_KEY") != testKey || !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Encoding", "gzip")
		_, _ = w.Write(head) //nolint:errcheck // the check may stop reading
		for range 64 {
			if _, err := w.Write(spaces); err != nil {
				return
			}
		}
	}))
	defer srv.Close()

	// A Go program reserves about 1 GiB of address space at start.
	limit := []string{"prlimit", "--as=1610612736", "--"}
	out, code := runCheck(t, limit, checkArgs(t, "http", strings.TrimPrefix(srv.URL, "http://"))...)
	require.Equal(t, 3, code, out)
	require.Regexp(t, `^UNKNOWN: Cannot decode response: MIP's answer, sent gzip-compressed, is over 512 MiB once decompressed, `+
		`more than any MIP answer of one hour \(10,000 scenarios: about 131 MB\): it was not read further \n$`, out)
}

// proxyPassword is the password of the proxies of these tests; no output
// may contain it.
const proxyPassword = "Sekr3t-proxy"

// TestProxyPasswordIsNeverShown: a --proxyurl with a password, malformed
// or well formed, on every error path a proxy reaches: the option refused,
// the proxy refused (a closed port), the proxy asking for credentials
// (through a tunnel for https, answering for http). The output names the
// proxy, not MIP, when the proxy is at fault, and never holds the password
// (the malformed one was echoed whole).
func TestProxyPasswordIsNeverShown(t *testing.T) {
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closedAddr := closed.Addr().String()
	closed.Close()
	askCredentials := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Proxy-Authenticate", `Basic realm="proxy"`)
		w.WriteHeader(http.StatusProxyAuthRequired)
	}))
	defer askCredentials.Close()
	authAddr := strings.TrimPrefix(askCredentials.URL, "http://")
	const mip = "mip.example.invalid:443"

	tests := []struct {
		name, proto, proxy, want string
	}{
		{"no scheme", "https", "puser:" + proxyPassword + "@127.0.0.1:1",
			"UNKNOWN: Bad value provided for option --proxyurl: 'xxxxx@127.0.0.1:1'. It must be a URL such as http://[user:password@]host:port. \n"},
		{"bad escape", "https", "http://puser:" + proxyPassword + "%zz@127.0.0.1:1",
			"UNKNOWN: Bad value provided for option --proxyurl: 'http://xxxxx@127.0.0.1:1'. It must be a URL such as http://[user:password@]host:port. \n"},
		{"no host", "http", "http://puser:" + proxyPassword + "@",
			"UNKNOWN: Bad value provided for option --proxyurl: 'http://xxxxx@'. It must be a URL such as http://[user:password@]host:port. \n"},
		{"refused, https", "https", "http://puser:" + proxyPassword + "@" + closedAddr,
			"UNKNOWN: Can't connect to the proxy " + closedAddr + " given by --proxyurl (Connection refused) \n"},
		{"refused, http", "http", "http://puser:" + proxyPassword + "@" + closedAddr,
			"UNKNOWN: Can't connect to the proxy " + closedAddr + " given by --proxyurl (Connection refused) \n"},
		{"credentials refused, tunnel", "https", "http://puser:" + proxyPassword + "@" + authAddr,
			"UNKNOWN: Proxy " + authAddr + " refused to open a tunnel to " + mip + " (407 Proxy Authentication Required): " +
				"the proxy asks for credentials: put them in --proxyurl, http://user:password@host:port \n"},
		{"credentials refused, http", "http", "http://puser:" + proxyPassword + "@" + authAddr,
			"UNKNOWN: 407 Proxy Authentication Required (the proxy asks for credentials: put them in --proxyurl, http://user:password@host:port) \n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, code := runCheck(t, nil, checkArgs(t, tt.proto, mip, "--proxyurl="+tt.proxy, "--timeout=5")...)
			require.Equal(t, 3, code, out)
			require.Equal(t, tt.want, out)
			require.NotContains(t, out, proxyPassword)
		})
	}
}

// TestSelfSignedCertificateAdvice: a MIP with a certificate no CA of the
// poller signed gets advice in the check's own options, not the Telegraf
// side's tls_ca and insecure_skip_verify; --insecure then reads it.
func TestSelfSignedCertificateAdvice(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"results": []}`)) //nolint:errcheck // a test server
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "https://")

	out, code := runCheck(t, nil, checkArgs(t, "https", addr)...)
	require.Equal(t, 3, code, out)
	require.Equal(t, "UNKNOWN: Can't connect to "+addr+" (x509: certificate signed by unknown authority: add the CA that signed MIP's certificate "+
		"to this poller's trusted CAs (or name it in SSL_CERT_FILE); "+
		"for a test instance only, --insecure or --ssl-opt='SSL_verify_mode => SSL_VERIFY_NONE') \n", out)

	out, code = runCheck(t, nil, checkArgs(t, "https", addr, "--insecure")...)
	require.Equal(t, "UNKNOWN: No scenario found \n", out)
	require.Equal(t, 3, code)
}

// TestControlCharactersFromMIP: names, aliases, units, states and text
// values with line breaks, CR, NUL and "|" give one status line and the
// perfdata whole: each such character is a space. Before, a name with a
// line break and "OK: injected line|'x'=1;;;;" added a line that read as a
// status and split the perfdata.
func TestControlCharactersFromMIP(t *testing.T) {
	const answer = `{"results": [{
		"measure": {"id": 7, "name": "crm\nOK: injected line|'x'=1;;;;", "displayName": "CRM\r\nlogin\u0000", "frequency": 300,
			"scenario": {"name": "crm", "application": {"name": "ERP|prod\n"}}},
		"metricInfo": {"m1": {"alias": "Step\n1|'y'=2", "unit": "ms\r"}},
		"results": {"2026-12-07T10:00:00Z": {"state": {"type": "WARNING\nOK: fine"},
			"metrics": {"m1": 1234.5},
			"formatedMetrics": {"Result\r\n": "done\nOK: also|'z'=3", "Count|": 4}}}}]}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(answer)) //nolint:errcheck // a test server
	}))
	defer srv.Close()

	for _, extra := range [][]string{nil, {"--verbose"}} {
		out, code := runCheck(t, nil, checkArgs(t, "http", strings.TrimPrefix(srv.URL, "http://"), extra...)...)
		require.Equal(t, 1, code, out)
		require.NotContains(t, out, "\r")
		require.NotContains(t, out, "\x00")
		require.Equal(t, 1, strings.Count(out, "|"), "one perfdata separator: %q", out)
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		require.True(t, strings.HasPrefix(lines[0], "WARNING: Scenario 'crm OK: injected line 'x'=1;;;;' status: WARNING OK: fine | "), "%q", out)
		perfdata := lines[0][strings.Index(lines[0], " | ")+3:]
		require.Equal(t, "'crm OK: injected line ''x''=1;;;;~Step 1 ''y''=2#scenario.metric.usage.milliseconds'=1234.5ms;;;; "+
			"'crm OK: injected line ''x''=1;;;;~Count #scenario.formatted_metric.usage.count'=4;;;;", strings.TrimSpace(perfdata))
		for _, line := range lines[1:] {
			require.False(t, strings.HasPrefix(line, "OK:"), "a line from MIP's data reads as a status: %q", out)
		}
	}
}
