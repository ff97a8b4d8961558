package mipapi

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// The paths and queries of the reference plugin; "limit=-1" asks for every
// measure at once.
const (
	measureDetailsPath   = "/api/measures/details"
	measureDetailsFields = "displayName,frequency,timeout,scenario.name,scenario.application.name"
)

// Client talks HTTP to one MIP instance. It knows MIP's endpoints and
// authentication, and nothing about Telegraf.
type Client struct {
	http    *http.Client
	baseURL *url.URL
	apiKey  func() (string, error)
	// maxBodySize bounds a response body; larger ones are an error.
	maxBodySize int64
	// silence is the longest the server may send nothing once the
	// response has begun; the transport bounds the wait for its headers.
	silence time.Duration
	// lastEndpoint is where the last response came from, after redirects,
	// without its query: what messages about its body name.
	lastEndpoint string
	// Sleep waits d, the Retry-After of an answer, and reports false if ctx
	// ends first. Tests replace it so as not to wait for real.
	Sleep func(ctx context.Context, d time.Duration) bool
}

// NewClient returns the client of the MIP API at base. apiKey is asked for
// the key at each request; a response body is refused past maxBodySize
// bytes, and cut when the server sends nothing for silence.
func NewClient(transport http.RoundTripper, base *url.URL, apiKey func() (string, error), maxBodySize int64, silence time.Duration) *Client {
	return &Client{
		http:        newHTTPClient(transport, base),
		baseURL:     base,
		apiKey:      apiKey,
		maxBodySize: maxBodySize,
		silence:     silence,
		Sleep:       sleep,
	}
}

// sleep waits d, or until ctx ends, reporting whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// LastEndpoint is where the last response came from, after redirects,
// without its query: what messages about its body name.
func (c *Client) LastEndpoint() string { return c.lastEndpoint }

// MeasureDetailsEndpoint is the URL MeasureDetails asks, without its query.
func (c *Client) MeasureDetailsEndpoint() string { return c.baseURL.Redacted() + measureDetailsPath }

// newHTTPClient returns the client for base's origin: it follows the
// redirects that stay there (Django's APPEND_SLASH answers 301 to the same
// path with a trailing slash) and refuses any other, since net/http would
// copy MIP_API_KEY to any host.
func newHTTPClient(transport http.RoundTripper, base *url.URL) *http.Client {
	return &http.Client{Transport: transport, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		return checkRedirect(base, req.URL, len(via))
	}}
}

// maxRedirects is net/http's own limit.
const maxRedirects = 10

// redirectError is a redirect the client refused to follow.
type redirectError struct {
	Target string // redacted, without its query
	Reason string
}

func (e *redirectError) Error() string {
	return fmt.Sprintf("refused to follow the redirect to %s: %s", e.Target, e.Reason)
}

// checkRedirect lets a request go to target only on base's scheme, host and
// port, and without credentials of the server's choice.
func checkRedirect(base, target *url.URL, redirects int) error {
	refuse := func(reason string) error {
		return &redirectError{Target: endpointOf(target), Reason: reason}
	}
	switch {
	case redirects >= maxRedirects:
		return refuse(fmt.Sprintf("stopped after %d redirects", maxRedirects))
	case target.User != nil:
		return refuse("the target carries credentials (user:password@), which would be sent as an Authorization header; " +
			"MIP authenticates with api_key only")
	case base.Scheme == "https" && target.Scheme != "https":
		return refuse(fmt.Sprintf("it leaves https, and the API key would travel in clear text; if MIP is really served there, set url = %q", originOf(target)))
	case !sameOrigin(base, target):
		return refuse(fmt.Sprintf("the API key is only sent to the scheme, host and port of url (%s); if MIP now lives there, set url = %q",
			originOf(base), originOf(target)))
	}
	return nil
}

// sameOrigin compares scheme, host and port, with the scheme's default port.
func sameOrigin(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) &&
		strings.EqualFold(a.Hostname(), b.Hostname()) &&
		portOf(a) == portOf(b)
}

func portOf(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if strings.EqualFold(u.Scheme, "https") {
		return "443"
	}
	return "80"
}

// originOf is scheme://host[:port] of u.
func originOf(u *url.URL) string {
	return (&url.URL{Scheme: u.Scheme, Host: u.Host}).String()
}

// endpointOf is u as messages name it: no credentials, query or fragment,
// which may carry anything.
func endpointOf(u *url.URL) string {
	v := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path, RawPath: u.RawPath}
	return v.String()
}

// maxAttempts bounds the requests of one call when MIP answers 429 or 503
// with a Retry-After that fits in the time left.
const maxAttempts = 3

// MeasureDetails asks for the runs of every measure recorded in the last
// lookback and returns the open response, which the caller closes.
func (c *Client) MeasureDetails(ctx context.Context, lookback time.Duration) (*Response, error) {
	q := url.Values{}
	q.Set("fields", measureDetailsFields)
	q.Set("scenario.name__neq", "null")
	q.Set("limit", "-1")
	q.Set("from", "now-"+RelativeDuration(lookback))
	q.Set("to", "now")
	return c.get(ctx, measureDetailsPath, q)
}

// get asks for the first page of an answer.
func (c *Client) get(ctx context.Context, path string, query url.Values) (*Response, error) {
	u := c.baseURL.JoinPath(path)
	u.RawQuery = query.Encode()
	body, err := c.getURL(ctx, u)
	if err != nil {
		return nil, err
	}
	return newResponse(ctx, c, u, body), nil
}

// getURL asks for one page, at u.
func (c *Client) getURL(ctx context.Context, u *url.URL) (io.ReadCloser, error) {
	v := *u
	v.RawQuery = ""
	endpoint := v.Redacted() // without the query: messages never carry it

	for attempt := 1; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
		if err != nil {
			return nil, fmt.Errorf("building request for %s: %w", endpoint, err)
		}
		key, err := c.apiKey()
		if err != nil {
			return nil, fmt.Errorf("reading api_key: %w", err)
		}
		req.Header.Set("MIP_API_KEY", key)
		req.Header.Set("Accept", "application/json")

		resp, err := c.http.Do(req)
		if err != nil {
			return nil, requestError(endpoint, err)
		}
		// After a redirect, messages name where the answer came from.
		c.lastEndpoint = endpoint
		if resp.Request != nil && resp.Request.URL != nil {
			c.lastEndpoint = endpointOf(resp.Request.URL)
		}
		if resp.StatusCode >= 200 && resp.StatusCode < 300 {
			if enc := resp.Header.Get("Content-Encoding"); enc != "" && !strings.EqualFold(enc, "identity") {
				resp.Body.Close()
				// net/http decodes the gzip it asks for and removes the header:
				// this encoding was not asked for.
				return nil, getFailed(c.lastEndpoint, fmt.Errorf("the response is compressed with Content-Encoding %q, which the plugin does not read: "+
					"the server, or a proxy in front of it, compresses without being asked", enc))
			}
			return c.watch(resp.Body, resp.Uncompressed), nil
		}
		// Drain a little so the connection can be reused, then report.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096)) //nolint:errcheck // best effort: the status is the error reported
		resp.Body.Close()
		statusErr := statusError(c.lastEndpoint, resp)
		statusErr.ThroughProxy, statusErr.ProxyAnswered = proxyInPath(c.http.Transport, resp.Request, resp)
		wait, retry := retryAfter(resp, time.Now())
		if !retry {
			return nil, statusErr
		}
		statusErr.RetryAfter = wait
		// Honour Retry-After only when the answer can still come in time:
		// never a busy loop, never past the request's deadline.
		if deadline, ok := ctx.Deadline(); attempt >= maxAttempts || (ok && time.Until(deadline) < wait+time.Second) {
			return nil, statusErr
		}
		if !c.Sleep(ctx, wait) {
			return nil, statusErr
		}
	}
}

// retryAfter reads the Retry-After of a 429 or 503 answer: seconds or an
// HTTP date. Other answers, or none, are not retried.
func retryAfter(resp *http.Response, now time.Time) (time.Duration, bool) {
	if resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusServiceUnavailable {
		return 0, false
	}
	v := strings.TrimSpace(resp.Header.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 || secs > 86400 {
			return 0, false
		}
		return time.Duration(secs) * time.Second, true
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(at.Sub(now), 0), true
	}
	return 0, false
}

// watch wraps a response body with max_body_size and with the silence
// limit: a body that stalls is cut after the silence, not at the end of
// the whole timeout, so a large answer may take long while a dead server is
// still found quickly. The body is read decompressed when net/http
// inflated the gzip it asked for (compressed tells): max_body_size bounds
// what is decoded, not what crossed the network.
func (c *Client) watch(body io.ReadCloser, compressed bool) io.ReadCloser {
	w := &watchedBody{ReadCloser: http.MaxBytesReader(nil, body, c.maxBodySize), silence: c.silence, compressed: compressed}
	// Closing the body is how a read in progress is interrupted.
	w.timer = time.AfterFunc(c.silence, func() {
		w.silent.Store(true)
		body.Close()
	})
	return w
}

// watchedBody is a response body under the silence limit.
type watchedBody struct {
	io.ReadCloser // the body under max_body_size
	silence       time.Duration
	timer         *time.Timer
	silent        atomic.Bool
	compressed    bool
}

// BodyTooLargeError is a response body over the client's limit, counted
// decompressed: a few megabytes of gzip can inflate to gigabytes.
type BodyTooLargeError struct {
	Limit int64
	// Compressed tells that MIP sent it gzip-compressed.
	Compressed bool
}

func (e *BodyTooLargeError) Error() string {
	if e.Compressed {
		return fmt.Sprintf("the response, sent gzip-compressed, is larger than max_body_size (%d bytes) once decompressed: "+
			"raise max_body_size if MIP's answers really are that large", e.Limit)
	}
	return fmt.Sprintf("the response is larger than max_body_size (%d bytes): raise max_body_size", e.Limit)
}

func (w *watchedBody) Read(p []byte) (int, error) {
	n, err := w.ReadCloser.Read(p)
	if n > 0 {
		w.timer.Reset(w.silence)
	}
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		err = &BodyTooLargeError{Limit: tooLarge.Limit, Compressed: w.compressed}
	}
	if err != nil && w.silent.Load() {
		err = fmt.Errorf("MIP stopped sending the response: nothing for %s (response_timeout)", w.silence) //nolint:revive // MIP is the product's name
	} else if errors.Is(err, context.DeadlineExceeded) {
		err = fmt.Errorf("the response did not come whole within timeout, though MIP kept sending: raise timeout for a slow link: %w", err)
	}
	return n, err
}

// Close stops the silence watchdog and closes the response body.
func (w *watchedBody) Close() error {
	w.timer.Stop()
	return w.ReadCloser.Close()
}

// requestError removes the URL that net/http repeats in its errors (it
// carries the query) and credentials of any URL in them, and says what the
// user can do.
func requestError(endpoint string, err error) error {
	return RedactError(describeRequestError(endpoint, err))
}

func describeRequestError(endpoint string, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var re *redirectError
	if errors.As(err, &re) {
		return getFailed(endpoint, re)
	}
	// A request that failed after a redirect is named by where it went.
	if ue != nil {
		if u, perr := url.Parse(ue.URL); perr == nil {
			if final := endpointOf(u); final != endpoint {
				endpoint = final + " (redirected from " + endpoint + ")"
			}
		}
	}
	if strings.Contains(err.Error(), "TLS handshake timeout") {
		return getFailed(endpoint, fmt.Errorf("the server did not complete the TLS handshake within response_timeout: "+
			"is it serving https on this port? %w", err))
	}
	if strings.Contains(err.Error(), "timeout awaiting response headers") {
		return getFailed(endpoint, fmt.Errorf("no answer within response_timeout: %w", err))
	}
	if errors.Is(err, context.DeadlineExceeded) || (ue != nil && ue.Timeout()) {
		return getFailed(endpoint, fmt.Errorf("no complete answer within the timeout: %w", err))
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return getFailed(endpoint, fmt.Errorf("cannot resolve %q: check url and the DNS of this machine: %w", dnsErr.Name, err))
	}
	if advice := certificateAdvice(err); advice != "" {
		return getFailed(endpoint, fmt.Errorf("%s: %w", advice, err))
	}
	return getFailed(endpoint, err)
}

// getFailed names the request that failed, as the status errors do.
func getFailed(endpoint string, err error) error {
	return fmt.Errorf("GET %s: %w", endpoint, err) //nolint:revive // GET is the HTTP method, written as net/http writes it
}

// certificateAdvice says what to do about a certificate the client refused,
// by what is wrong with it: only an unknown signer is tls_ca's business.
func certificateAdvice(err error) string {
	var unknownAuthority x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	var verification *tls.CertificateVerificationError
	switch {
	case errors.As(err, &hostname):
		return "the server's TLS certificate is not valid for the host name in url: write in url a name the certificate holds " +
			"(or set tls_server_name to one)"
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		return "the server's TLS certificate has expired or is not valid yet: renew it on the server, and check this machine's clock; " +
			"tls_ca does not change this"
	case errors.As(err, &invalid):
		return "the server's TLS certificate chain is not valid for a server"
	case errors.As(err, &unknownAuthority):
		return "the server's TLS certificate is not trusted: set tls_ca to the CA that signed it (or, for a test instance only, " +
			"insecure_skip_verify = true); a tls_ca already set is not that CA"
	case errors.As(err, &verification):
		return "the server's TLS certificate was refused"
	}
	return ""
}

// StatusError is a non-2xx answer, worded so a user can act on it.
type StatusError struct {
	// Endpoint is the URL that answered, without its query.
	Endpoint string
	// Status is the status line's text, or the code when it has none.
	Status string
	// Code is the HTTP status code.
	Code int
	// RetryAfter is what MIP asked to wait, when it did.
	RetryAfter time.Duration
	// ThroughProxy tells that the request went in clear text through a
	// proxy, which may have answered in MIP's place; ProxyAnswered, that
	// the answer says it is the proxy's.
	ThroughProxy, ProxyAnswered bool
}

// Error says what failed and what the user can do about it.
func (e *StatusError) Error() string {
	msg := fmt.Sprintf("GET %s returned HTTP status %s", e.Endpoint, e.Status)
	switch e.Code {
	case http.StatusUnauthorized, http.StatusForbidden:
		switch {
		case e.ProxyAnswered:
			msg += " from the proxy, not MIP (it sent Proxy-* headers): check the proxy's access rules for this host"
		case e.ThroughProxy:
			msg += ": MIP rejected the API key, or the proxy in between refused the request; check api_key, and the proxy's access rules"
		default:
			msg += ": MIP rejected the API key; check api_key"
		}
	case http.StatusNotFound:
		msg += ": no MIP API at this address; check url"
	}
	if e.RetryAfter > 0 {
		msg += fmt.Sprintf(" (MIP asked to retry after %s, which did not fit in this gather's timeout or attempts)", e.RetryAfter)
	}
	return msg
}

func statusError(endpoint string, resp *http.Response) *StatusError {
	status := resp.Status
	if status == "" {
		status = strconv.Itoa(resp.StatusCode)
	}
	return &StatusError{Endpoint: endpoint, Status: status, Code: resp.StatusCode}
}

// RelativeDuration writes d in MIP's relative time syntax (now-1h), in the
// largest unit that divides it. It counts whole seconds, rounded up: the
// window asked covers at least d, never half a second less, which would
// leave out runs the caller needs.
func RelativeDuration(d time.Duration) string {
	s := int64((d + time.Second - 1) / time.Second)
	switch {
	case s <= 0:
		return "1s"
	case s%86400 == 0:
		return strconv.FormatInt(s/86400, 10) + "d"
	case s%3600 == 0:
		return strconv.FormatInt(s/3600, 10) + "h"
	case s%60 == 0:
		return strconv.FormatInt(s/60, 10) + "m"
	}
	return strconv.FormatInt(s, 10) + "s"
}

// measuresPath and measuresFields are the reference's list-scenarios query.
const (
	measuresPath   = "/api/measures/"
	measuresFields = "name,alias,displayName,frequency,scenario.name,scenario.application.name,timeout,agent.id,agent.name,activated,engineActivated"
)

// Measures asks for the measures the reference plugin's discovery lists and
// returns the open response, which the caller closes.
func (c *Client) Measures(ctx context.Context) (*Response, error) {
	q := url.Values{}
	q.Set("type", "ASA_DESKTOP")
	q.Set("engineActivated", "true")
	q.Set("fields", measuresFields)
	q.Set("limit", "-1")
	return c.get(ctx, measuresPath, q)
}
