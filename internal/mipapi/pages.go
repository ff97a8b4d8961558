package mipapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
)

// MIP's API is a Django REST framework API: an answer may come in pages,
// {"count": 5, "next": "https://…&page=2", "previous": null, "results": […]},
// when MIP, or a proxy in front of it, caps limit=-1. The decoders follow
// "next" through a Response, page after page, as one answer.

// MaxPages bounds the pages of one answer: at 100 scenarios a page, a
// million scenarios. A "next" that points back to a page read before is
// refused at once.
const MaxPages = 10000

// Response is an answer of the MIP API: it reads as the body of its
// current page, and DecodeMeasureDetails and DecodeMeasures follow the
// pages its answer links with "next". The caller closes it.
type Response struct {
	body    io.ReadCloser
	client  *Client
	ctx     context.Context
	page    *url.URL // the current page, as asked
	visited map[string]bool
	pages   int
	bytes   int64
	warn    []string
}

func newResponse(ctx context.Context, c *Client, page *url.URL, body io.ReadCloser) *Response {
	return &Response{body: body, client: c, ctx: ctx, page: page, visited: map[string]bool{page.String(): true}, pages: 1}
}

// Read reads the current page.
func (r *Response) Read(p []byte) (int, error) {
	n, err := r.body.Read(p)
	r.bytes += int64(n)
	return n, err
}

// Close closes the current page.
func (r *Response) Close() error { return r.body.Close() }

// Bytes is the size of the pages read so far.
func (r *Response) Bytes() int64 { return r.bytes }

// Pages is the number of pages asked for so far.
func (r *Response) Pages() int { return r.pages }

// Warnings are what the answer's pages said that does not stop a gather:
// a "count" other than the entries read, a measure's frequency or timeout
// out of range (said once per measure while the Cache keeps it).
func (r *Response) Warnings() []string { return r.warn }

// follow closes the current page and opens the next, at link, which must be
// on the origin of url, as a redirect must: the API key goes with it.
func (r *Response) follow(link string) error {
	next, err := r.page.Parse(link)
	if err != nil {
		return fmt.Errorf(`the next page's link %.80q is not a URL`, link)
	}
	refuse := func(reason string) error {
		return fmt.Errorf("refused to follow the next page, %s: %s", endpointOf(next), reason)
	}
	switch {
	case r.visited[next.String()]:
		return refuse("a page read before (the pages loop)")
	case r.pages >= MaxPages:
		return refuse(fmt.Sprintf("the answer has more than %d pages", MaxPages))
	}
	if err := checkRedirect(r.client.baseURL, next, 0); err != nil {
		var re *redirectError
		if errors.As(err, &re) {
			return refuse(re.Reason)
		}
		return err
	}
	r.body.Close()
	r.body = io.NopCloser(eofReader{})
	body, err := r.client.getURL(r.ctx, next)
	if err != nil {
		return err
	}
	r.body, r.page = body, next
	r.visited[next.String()] = true
	r.pages++
	return nil
}

// checkCount compares the "count" of the last page, when it has one, with
// the entries read on every page.
func (r *Response) checkCount(count *int64, read int) {
	if count != nil && *count != int64(read) {
		r.warn = append(r.warn, fmt.Sprintf(`%s: the answer says "count": %d, and %d scenarios were read in %d pages`,
			r.client.LastEndpoint(), *count, read, r.pages))
	}
}

// eofReader stands for a page closed before the next opened.
type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }
