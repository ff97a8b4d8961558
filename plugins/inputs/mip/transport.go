package mip

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/telegraf-mip/telegraf-mip/internal/mipapi"
)

// newTransport checks the proxy, TLS and connection settings that
// Telegraf's code takes too readily (or reports with the proxy's password
// in the message), then builds the HTTP transport from them: HTTP/2 when
// the server offers it, TLS options or not, and response_timeout bounding
// the connection and the TLS handshake as it bounds the answer.
func (p *MIP) newTransport() (*http.Transport, error) {
	if err := p.checkProxy(); err != nil {
		return nil, err
	}
	if err := p.checkTLSFiles(); err != nil {
		return nil, err
	}
	if p.IdleConnTimeout < 0 {
		return nil, fmt.Errorf("idle_conn_timeout must not be negative, got %s (0: idle connections are kept until the next gather)",
			time.Duration(p.IdleConnTimeout))
	}
	if p.MaxIdleConns < 0 || p.MaxIdleConnsPerHost < 0 {
		return nil, fmt.Errorf("max_idle_conn (%d) and max_idle_conn_per_host (%d) must not be negative", p.MaxIdleConns, p.MaxIdleConnsPerHost)
	}
	transport, err := p.TransportConfig.CreateTransport()
	if err != nil {
		return nil, mipapi.RedactError(err)
	}
	// net/http speaks HTTP/2 by itself only with its own TLS settings:
	// with Telegraf's (any tls_* option), it must be asked to.
	transport.ForceAttemptHTTP2 = true
	silence := time.Duration(p.ResponseHeaderTimeout)
	transport.DialContext = (&net.Dialer{Timeout: silence, KeepAlive: 30 * time.Second}).DialContext
	transport.TLSHandshakeTimeout = silence
	transport.OnProxyConnectResponse = mipapi.CheckProxyConnect
	return transport, nil
}

// checkProxy refuses a proxy setting that would fail every gather, or be
// ignored: Telegraf's code takes "proxy:3128" for a URL without a host
// (every request then fails with "dial tcp :0"), and with use_system_proxy
// ignores http_proxy_url. Messages never show the proxy's password.
func (p *MIP) checkProxy() error {
	raw := p.HTTPProxyURL
	if raw == "" {
		return nil
	}
	if p.UseSystemProxy {
		return errors.New("both use_system_proxy and http_proxy_url are set, and use_system_proxy would win: " +
			"keep http_proxy_url alone for this proxy, or use_system_proxy alone for the environment's HTTPS_PROXY/HTTP_PROXY/NO_PROXY")
	}
	if !strings.Contains(raw, "://") {
		shown := mipapi.RedactRawURL(raw)
		return fmt.Errorf(`http_proxy_url %q has no scheme: write it as "http://%s"`, shown, shown)
	}
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // it repeats the URL, password included
		}
		return fmt.Errorf("http_proxy_url %q is not a URL: %w", mipapi.RedactRawURL(raw), mipapi.RedactError(err))
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "socks5" && u.Scheme != "socks5h":
		return fmt.Errorf(`http_proxy_url %q must start with "http://" (or "https://", "socks5://")`, u.Redacted())
	case u.Hostname() == "":
		return fmt.Errorf("http_proxy_url %q has no host name", u.Redacted())
	case u.Port() != "" && !validPort(u.Port()):
		return fmt.Errorf("http_proxy_url %q has port %s, not a port between 1 and 65535", u.Redacted(), u.Port())
	}
	return nil
}

// checkTLSFiles refuses what Telegraf's TLS code accepts and fails on
// later, or reports badly: a client certificate without its key (or the
// reverse), and a tls_ca that holds no PEM certificate.
func (p *MIP) checkTLSFiles() error {
	switch {
	case p.TLSCert != "" && p.TLSKey == "":
		return fmt.Errorf("tls_cert is set (%s) but not tls_key: a client certificate needs its private key", p.TLSCert)
	case p.TLSKey != "" && p.TLSCert == "":
		return fmt.Errorf("tls_key is set (%s) but not tls_cert: a private key needs its client certificate", p.TLSKey)
	}
	if p.TLSCA == "" {
		return nil
	}
	b, err := os.ReadFile(p.TLSCA)
	if err != nil {
		return fmt.Errorf("tls_ca: %w", err)
	}
	if !x509.NewCertPool().AppendCertsFromPEM(b) {
		return fmt.Errorf("tls_ca %s holds no PEM certificate (a block that starts with -----BEGIN CERTIFICATE-----): "+
			"a DER file converts with openssl x509 -inform der -in ca.der -out ca.pem", p.TLSCA)
	}
	return nil
}
