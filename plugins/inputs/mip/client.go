package mip

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// The paths and queries of the reference plugin; "limit=-1" asks for every
// measure at once.
const (
	measureDetailsPath   = "/api/measures/details"
	measureDetailsFields = "displayName,frequency,timeout,scenario.name,scenario.application.name"
)

// client talks HTTP to one MIP instance. It knows MIP's endpoints and
// authentication, and nothing about Telegraf.
type client struct {
	http    *http.Client
	baseURL *url.URL
	apiKey  func() (string, error)
}

// measureDetails asks for the runs of every measure recorded in the last
// lookback and returns the open response body, which the caller closes.
func (c *client) measureDetails(ctx context.Context, lookback time.Duration) (io.ReadCloser, error) {
	q := url.Values{}
	q.Set("fields", measureDetailsFields)
	q.Set("scenario.name__neq", "null")
	q.Set("limit", "-1")
	q.Set("from", "now-"+relativeDuration(lookback))
	q.Set("to", "now")
	return c.get(ctx, measureDetailsPath, q)
}

func (c *client) get(ctx context.Context, path string, query url.Values) (io.ReadCloser, error) {
	u := c.baseURL.JoinPath(path)
	endpoint := u.Redacted() // taken before the query: messages never carry it
	u.RawQuery = query.Encode()

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
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return resp.Body, nil
	}
	// Drain a little so the connection can be reused, then report.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
	resp.Body.Close()
	return nil, statusError(endpoint, resp)
}

// requestError removes the URL that net/http repeats in its errors (it
// carries the query) and says what the user can do.
func requestError(endpoint string, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if errors.Is(err, context.DeadlineExceeded) || (ue != nil && ue.Timeout()) {
		return fmt.Errorf("GET %s: no complete answer within the timeout: %w", endpoint, err)
	}
	return fmt.Errorf("GET %s: %w", endpoint, err)
}

// httpStatusError is a non-2xx answer, worded so a user can act on it.
type httpStatusError struct {
	Endpoint string
	Status   string
	Code     int
}

func (e *httpStatusError) Error() string {
	msg := fmt.Sprintf("GET %s returned HTTP status %s", e.Endpoint, e.Status)
	switch e.Code {
	case http.StatusUnauthorized, http.StatusForbidden:
		msg += ": MIP rejected the API key; check api_key"
	case http.StatusNotFound:
		msg += ": no MIP API at this address; check url"
	}
	return msg
}

func statusError(endpoint string, resp *http.Response) error {
	status := resp.Status
	if status == "" {
		status = strconv.Itoa(resp.StatusCode)
	}
	return &httpStatusError{Endpoint: endpoint, Status: status, Code: resp.StatusCode}
}

// countingReader counts the bytes read through it, for self-monitoring.
type countingReader struct {
	io.ReadCloser
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p)
	c.n += int64(n)
	return n, err
}

// relativeDuration writes d in MIP's relative time syntax (now-1h), in the
// largest unit that divides it.
func relativeDuration(d time.Duration) string {
	s := int64(d.Round(time.Second) / time.Second)
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

// measures asks for the measures the reference plugin's discovery lists.
func (c *client) measures(ctx context.Context) (io.ReadCloser, error) {
	q := url.Values{}
	q.Set("type", "ASA_DESKTOP")
	q.Set("engineActivated", "true")
	q.Set("fields", measuresFields)
	q.Set("limit", "-1")
	return c.get(ctx, measuresPath, q)
}
