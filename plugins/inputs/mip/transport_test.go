package mip

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/influxdata/telegraf/config"
	"github.com/influxdata/telegraf/testutil"
	"github.com/stretchr/testify/require"

	"github.com/telegraf-mip/telegraf-mip/internal/mipapi"
)

// proxyPassword marks the proxy's password: no message may show it.
const proxyPassword = "s3cr3t-proxy-pw"

// initError runs Init for https://mip.example.com and returns its error,
// checked for secrets.
func initError(t *testing.T, configure func(*MIP)) error {
	t.Helper()
	p := New()
	p.URL = "https://mip.example.com"
	p.APIKey = config.NewSecret([]byte(testKey))
	log := &testutil.CaptureLogger{}
	p.Log = log
	configure(p)
	err := p.Init()
	if err == nil {
		p.Stop()
	}
	requireNoSecret(t, log, err)
	return err
}

// requireNoSecret checks that neither err nor anything logged shows the
// API key or the proxy's password.
func requireNoSecret(t *testing.T, log *testutil.CaptureLogger, err error) {
	t.Helper()
	var text strings.Builder
	if err != nil {
		text.WriteString(err.Error())
	}
	for _, m := range log.Messages() {
		text.WriteString(m.Text)
	}
	require.NotContains(t, text.String(), testKey)
	require.NotContains(t, text.String(), proxyPassword)
}

// TestProxySettingsRefusedAtInit: proxy settings that would fail every
// gather, or be ignored, stop the start with a sentence; no message shows
// the password (Telegraf's own error repeats the URL twice).
func TestProxySettingsRefusedAtInit(t *testing.T) {
	for _, tc := range []struct {
		name, proxy string
		system      bool
		say         string
	}{
		{"space in the host", "http://user:" + proxyPassword + "@proxy host:3128", false,
			`http_proxy_url "http://xxxxx@proxy host:3128" is not a URL: invalid character " " in host name`},
		{"bad port", "http://user:" + proxyPassword + "@proxy:31x28", false, `http_proxy_url "http://xxxxx@proxy:31x28" is not a URL`},
		{"port out of range", "http://user:" + proxyPassword + "@proxy:99999", false,
			`http_proxy_url "http://user:xxxxx@proxy:99999" has port 99999, not a port between 1 and 65535`},
		{"no scheme", "proxy.example.com:3128", false, `http_proxy_url "proxy.example.com:3128" has no scheme: write it as "http://proxy.example.com:3128"`},
		{"no scheme, credentials", "user:" + proxyPassword + "@proxy.example.com:3128", false,
			`http_proxy_url "xxxxx@proxy.example.com:3128" has no scheme`},
		{"other scheme", "ftp://proxy.example.com", false, `http_proxy_url "ftp://proxy.example.com" must start with "http://"`},
		{"no host", "http://:3128", false, `http_proxy_url "http://:3128" has no host name`},
		{"both proxies", "http://proxy.example.com:3128", true, "both use_system_proxy and http_proxy_url are set, and use_system_proxy would win"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := initError(t, func(p *MIP) {
				p.HTTPProxyURL = tc.proxy
				p.UseSystemProxy = tc.system
			})
			require.ErrorContains(t, err, tc.say)
		})
	}
}

// TestRedactURLs: the user information of every URL in a text is hidden,
// whatever quotes it.
func TestRedactURLs(t *testing.T) {
	in := `setting up proxy failed: error parsing proxy url "http://user:` + proxyPassword + `@proxy host:3128": parse "http://user:` +
		proxyPassword + `@proxy host:3128": invalid character " " in host name; also socks5://u:p@h:1/x and https://host/path@x`
	require.Equal(t, `setting up proxy failed: error parsing proxy url "http://xxxxx@proxy host:3128": parse "http://xxxxx@proxy host:3128": `+
		`invalid character " " in host name; also socks5://xxxxx@h:1/x and https://host/path@x`, mipapi.RedactURLs(in))
}

// TestTLSSettingsRefusedAtInit: TLS settings Telegraf's code accepts and
// fails on at the gather, or reports as %!w(<nil>), stop the start.
func TestTLSSettingsRefusedAtInit(t *testing.T) {
	dir := t.TempDir()
	cert, caPEM := makeCertificate(t, []string{"127.0.0.1"}, time.Now().Add(time.Hour))
	der := filepath.Join(dir, "ca.der")
	require.NoError(t, os.WriteFile(der, cert.Certificate[0], 0o600))
	pemFile := filepath.Join(dir, "ca.pem")
	require.NoError(t, os.WriteFile(pemFile, caPEM, 0o600))

	err := initError(t, func(p *MIP) { p.TLSCA = der })
	require.ErrorContains(t, err, "tls_ca "+der+" holds no PEM certificate (a block that starts with -----BEGIN CERTIFICATE-----)")
	require.NotContains(t, err.Error(), "%!")

	err = initError(t, func(p *MIP) { p.TLSCert = pemFile })
	require.ErrorContains(t, err, "tls_cert is set ("+pemFile+") but not tls_key")
	err = initError(t, func(p *MIP) { p.TLSKey = pemFile })
	require.ErrorContains(t, err, "tls_key is set ("+pemFile+") but not tls_cert")

	err = initError(t, func(p *MIP) { p.IdleConnTimeout = config.Duration(-time.Second) })
	require.ErrorContains(t, err, "idle_conn_timeout must not be negative, got -1s")

	require.NoError(t, initError(t, func(p *MIP) { p.TLSCA = pemFile }))
}

// makeCertificate returns a self-signed server certificate for hosts, valid
// until notAfter, and itself in PEM, to serve as tls_ca.
func makeCertificate(t *testing.T, hosts []string, notAfter time.Time) (tls.Certificate, []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "mip test"},
		NotBefore:             notAfter.Add(-48 * time.Hour),
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// serveTLS serves handler over TLS with cert, HTTP/2 offered, and returns
// the URL and a tls_ca file that trusts cert.
func serveTLS(t *testing.T, cert tls.Certificate, caPEM []byte, handler http.HandlerFunc) (target, caFile string) {
	t.Helper()
	srv := httptest.NewUnstartedServer(handler)
	srv.EnableHTTP2 = true
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	require.NoError(t, os.WriteFile(ca, caPEM, 0o600))
	return srv.URL, ca
}

// TestHTTP2WithTLSOptions: with a tls_* option the client still speaks
// HTTP/2, which net/http turns off by itself with custom TLS settings.
func TestHTTP2WithTLSOptions(t *testing.T) {
	cert, caPEM := makeCertificate(t, []string{"127.0.0.1"}, time.Now().Add(time.Hour))
	target, ca := serveTLS(t, cert, caPEM, func(w http.ResponseWriter, r *http.Request) {
		if r.ProtoMajor != 2 {
			http.Error(w, "HTTP/2 only", http.StatusHTTPVersionNotSupported)
			return
		}
		writeBody(w, []byte(`{"results": [`+good+`]}`))
	})
	p := newPlugin(t, target, func(p *MIP) { p.TLSCA = ca })
	got, err := gather(t, p)
	require.NoError(t, err)
	require.Equal(t, []string{"100"}, scenarioIDs(got))
}

// TestCertificateAdvice: tls_ca is advised only for a certificate of an
// unknown signer, not for one expired or for another host name.
func TestCertificateAdvice(t *testing.T) {
	ok := func(w http.ResponseWriter, _ *http.Request) { writeBody(w, []byte(`{"results": [`+good+`]}`)) }
	for _, tc := range []struct {
		name     string
		hosts    []string
		notAfter time.Time
		say      string
	}{
		{"expired", []string{"127.0.0.1"}, time.Now().Add(-time.Hour),
			"the server's TLS certificate has expired or is not valid yet: renew it on the server, and check this machine's clock; " +
				"tls_ca does not change this"},
		{"other host name", []string{"other.example.com"}, time.Now().Add(time.Hour),
			"the server's TLS certificate is not valid for the host name in url: write in url a name the certificate holds"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cert, caPEM := makeCertificate(t, tc.hosts, tc.notAfter)
			target, ca := serveTLS(t, cert, caPEM, ok)
			got, err := gather(t, newPlugin(t, target, func(p *MIP) { p.TLSCA = ca }))
			require.ErrorContains(t, err, tc.say)
			require.NotContains(t, err.Error(), "set tls_ca")
			require.Empty(t, runPointsOnly(got))
		})
	}
}

// TestTLSHandshakeBoundByResponseTimeout: a server that accepts the
// connection and never answers the TLS handshake is left after
// response_timeout, as documented, not after the whole timeout.
func TestTLSHandshakeBoundByResponseTimeout(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() }) // silent until the test ends
		}
	}()
	p := newPlugin(t, "https://"+ln.Addr().String(), func(p *MIP) {
		p.ResponseHeaderTimeout = config.Duration(300 * time.Millisecond)
		p.Timeout = config.Duration(time.Minute)
	})
	done := make(chan error, 1)
	go func() {
		var acc testutil.Accumulator
		done <- p.Gather(&acc)
	}()
	select {
	case err := <-done:
		require.ErrorContains(t, err, "the server did not complete the TLS handshake within response_timeout")
	case <-time.After(10 * time.Second):
		t.Fatal("the handshake was not cut by response_timeout (300ms)")
	}
}

// TestTricklingBodyNamesTheTimeout: a body that keeps coming, too slowly to
// end within timeout, fails with a message that names timeout.
func TestTricklingBodyNamesTheTimeout(t *testing.T) {
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		body := []byte(`{"results": [` + good + `]}`)
		for _, b := range body {
			if _, err := w.Write([]byte{b}); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-time.After(20 * time.Millisecond):
			case <-r.Context().Done():
				return
			}
		}
	})
	p := newPlugin(t, srv.URL, func(p *MIP) {
		p.Timeout = config.Duration(500 * time.Millisecond)
		p.ResponseHeaderTimeout = config.Duration(5 * time.Second)
	})
	got, err := gather(t, p)
	require.ErrorContains(t, err, "the response did not come whole within timeout, though MIP kept sending: raise timeout for a slow link")
	require.Empty(t, runPointsOnly(got))
}

// proxyServer answers every request (CONNECT included) with status and
// header, as a proxy refusing it does, and records what it was asked.
func proxyServer(t *testing.T, status int, header http.Header) (string, *[]string) {
	t.Helper()
	var asked []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked = append(asked, r.Method+" "+r.Host)
		for k, v := range header {
			w.Header()[k] = v
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, &asked
}

// TestProxyRefusals: a proxy's refusal is reported as the proxy's, never as
// MIP rejecting the API key, and never shows the proxy's password.
func TestProxyRefusals(t *testing.T) {
	for _, tc := range []struct {
		name, target string
		status       int
		header       http.Header
		say, notSay  string
	}{
		{"CONNECT refused", "https://mip.example.com", http.StatusForbidden, nil,
			"refused to open a tunnel to mip.example.com:443 (its answer to CONNECT: HTTP 403 Forbidden); MIP was not reached: " +
				"check that the proxy lets this machine reach that host and port", "rejected the API key"},
		{"CONNECT needs credentials", "https://mip.example.com", http.StatusProxyAuthRequired, nil,
			"(its answer to CONNECT: HTTP 407 Proxy Authentication Required); MIP was not reached: the proxy asks for credentials", "rejected"},
		{"clear text, the proxy says so", "http://mip.example.com", http.StatusForbidden, http.Header{"Proxy-Status": {"squid; error=http_request_denied"}},
			"returned HTTP status 403 Forbidden from the proxy, not MIP (it sent Proxy-* headers)", "rejected the API key"},
		{"clear text, MIP or the proxy", "http://mip.example.com", http.StatusForbidden, nil,
			"returned HTTP status 403 Forbidden: MIP rejected the API key, or the proxy in between refused the request", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			proxy, asked := proxyServer(t, tc.status, tc.header)
			withCredentials := strings.Replace(proxy, "http://", "http://user:"+proxyPassword+"@", 1)
			log := &testutil.CaptureLogger{}
			p := newPlugin(t, tc.target, func(p *MIP) { p.HTTPProxyURL = withCredentials })
			p.Log = log
			got, err := gather(t, p)
			require.ErrorContains(t, err, tc.say)
			if tc.notSay != "" {
				require.NotContains(t, err.Error(), tc.notSay)
			}
			requireNoSecret(t, log, err)
			require.NotEmpty(t, *asked, "the proxy was asked")
			require.Empty(t, runPointsOnly(got))
		})
	}
}
