package mipapi

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// ProxyConnectError is a proxy's refusal to open a tunnel to MIP (an
// answer to CONNECT other than 200): MIP was not reached. net/http's own
// error for it is the bare status text ("Forbidden").
type ProxyConnectError struct {
	Proxy  string // the proxy's address, without credentials
	Target string // host:port of the tunnel asked for
	Status string // the proxy's status line, "403 Forbidden"
	Code   int
}

func (e *ProxyConnectError) Error() string {
	msg := fmt.Sprintf("the proxy %s refused to open a tunnel to %s (its answer to CONNECT: HTTP %s); MIP was not reached", e.Proxy, e.Target, e.Status)
	if e.Code == http.StatusProxyAuthRequired {
		return msg + ": the proxy asks for credentials, put them in http_proxy_url (http://user:password@host:port)"
	}
	return msg + ": check that the proxy lets this machine reach that host and port"
}

// CheckProxyConnect is an http.Transport's OnProxyConnectResponse: it turns
// a refused CONNECT into a ProxyConnectError.
func CheckProxyConnect(_ context.Context, proxy *url.URL, connect *http.Request, resp *http.Response) error {
	if resp.StatusCode == http.StatusOK {
		return nil
	}
	status := resp.Status
	if status == "" {
		status = strconv.Itoa(resp.StatusCode)
	}
	return &ProxyConnectError{Proxy: endpointOf(proxy), Target: connect.Host, Status: status, Code: resp.StatusCode}
}

// proxyInPath tells whether a status answer to req may be a proxy's rather
// than MIP's: certainly when it carries a Proxy-Status (RFC 9209) or
// Proxy-Authenticate header; possibly when req went in clear text through
// a proxy, which answers in MIP's place (through an https tunnel, the
// answer is MIP's).
func proxyInPath(transport http.RoundTripper, req *http.Request, resp *http.Response) (possibly, certainly bool) {
	if resp.Header.Get("Proxy-Status") != "" || resp.Header.Get("Proxy-Authenticate") != "" {
		return true, true
	}
	t, ok := transport.(*http.Transport)
	if !ok || t.Proxy == nil || req == nil || !strings.EqualFold(req.URL.Scheme, "http") {
		return false, false
	}
	proxy, err := t.Proxy(req)
	return err == nil && proxy != nil, false
}
