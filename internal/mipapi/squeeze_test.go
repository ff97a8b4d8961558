package mipapi

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/stretchr/testify/require"
)

// TestSqueezedInputKeepsTheJSON: runs of whitespace between tokens are cut
// to maxWhitespaceRun, whatever the reads' boundaries; strings, escaped
// quotes and backslashes included, are passed whole.
func TestSqueezedInputKeepsTheJSON(t *testing.T) {
	long := strings.Repeat(" \t\r\n", 3*maxWhitespaceRun)
	spaces := strings.Repeat(" ", 3*maxWhitespaceRun) // JSON strings hold no raw tab or line break
	in := `{"a` + spaces + `\"` + spaces + `\\": [1,` + long + `2, "x\\\"` + spaces + `"],` + long + `"b"` + long + `:` + long + `{}}` + long
	for _, r := range map[string]io.Reader{"whole": strings.NewReader(in), "byte by byte": iotest.OneByteReader(strings.NewReader(in))} {
		out, err := io.ReadAll(&squeezedInput{r: r})
		require.NoError(t, err)
		var want, got any
		require.NoError(t, json.Unmarshal([]byte(in), &want))
		require.NoError(t, json.Unmarshal(out, &got))
		require.Equal(t, want, got)
		require.Less(t, len(out), 3*len(spaces)+7*maxWhitespaceRun+40, "the runs between tokens are cut")
		require.Contains(t, string(out), `"a`+spaces+`\"`+spaces+`\\"`, "a string is kept whole")
		require.Contains(t, string(out), `"x\\\"`+spaces+`"`, "a string is kept whole")
	}
	pretty, err := json.MarshalIndent(map[string]any{"results": []any{map[string]any{"id": 1}}}, "", "    ")
	require.NoError(t, err)
	out, err := io.ReadAll(&squeezedInput{r: bytes.NewReader(pretty)})
	require.NoError(t, err)
	require.Equal(t, string(pretty), string(out), "indented JSON is left as it is")
}

func BenchmarkSqueezedInput(b *testing.B) {
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"spaces", bytes.Repeat([]byte(" "), 8<<20)},
		{"json", bytes.Repeat([]byte(`{"measure": {"id": 42, "name": "crm_login", "displayName": "CRM login"}, `+
			`"results": {"1795600800000": {"state": {"type": "OK"}, "metrics": {"m1": 1234.5, "m2": 98905}}}}, `), 8<<20/150)},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(int64(len(tc.data)))
			buf := make([]byte, 64<<10)
			for b.Loop() {
				s := &squeezedInput{r: bytes.NewReader(tc.data)}
				for {
					if _, err := s.Read(buf); errors.Is(err, io.EOF) {
						break
					}
				}
			}
		})
	}
}

// TestCompressedAnswerOverTheLimit: max_body_size counts the bytes decoded,
// not those sent: a small gzip answer of a large body is refused at the
// limit, with an error that says it came compressed; whitespace between
// tokens, however long, costs nothing.
func TestCompressedAnswerOverTheLimit(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, err := zw.Write([]byte(`{"results": [{"measure": ` + strings.Repeat(" ", 8<<20) + `{"id": 1}}]}`))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		_, _ = w.Write(gz.Bytes()) //nolint:errcheck // a test server
	}))
	defer srv.Close()
	base, err := url.Parse(srv.URL)
	require.NoError(t, err)

	for _, tt := range []struct {
		limit   int64
		entries int
		err     string
	}{
		{limit: 1 << 20, err: "the response, sent gzip-compressed, is larger than max_body_size (1048576 bytes) once decompressed: " +
			"raise max_body_size if MIP's answers really are that large"},
		{limit: 16 << 20, entries: 1},
	} {
		c := NewClient(http.DefaultTransport, base, func() (string, error) { return "k", nil }, tt.limit, 10*time.Second)
		body, err := c.MeasureDetails(t.Context(), time.Hour)
		require.NoError(t, err)
		entries := 0
		err = forEachEntry(DecodeMeasureDetails(body), nil, func(*MeasureEntry, error) { entries++ })
		body.Close()
		if tt.err != "" {
			var tooLarge *BodyTooLargeError
			require.ErrorAs(t, err, &tooLarge)
			require.True(t, tooLarge.Compressed)
			require.EqualError(t, err, tt.err)
			continue
		}
		require.NoError(t, err)
		require.Equal(t, tt.entries, entries)
	}
}

// TestValueOverTheTokenizersBound: a single JSON value larger than the
// tokenizer's bound stops the answer with ValueTooLargeError, whatever the
// body limit, instead of growing the tokenizer's buffer with it. The bound
// is lowered to 1 MiB: MaxValueBytes itself (128 MiB) takes minutes to
// reach under -race, and the reading that stops at it is the same. A value
// just under the bound is still read.
func TestValueOverTheTokenizersBound(t *testing.T) {
	defer func(bound int64) { maxValueBytes = bound }(maxValueBytes)
	maxValueBytes = 1 << 20
	answer := func(name int64) io.Reader {
		return io.MultiReader(strings.NewReader(`{"results": [{"measure": {"id": 7, "name": "`),
			io.LimitReader(repeatReader('a'), name), strings.NewReader(`"}}]}`))
	}
	entries := 0
	require.NoError(t, forEachEntry(DecodeMeasureDetails(answer(maxValueBytes-64<<10)), nil, func(*MeasureEntry, error) { entries++ }))
	require.Equal(t, 1, entries, "a value under the bound is read")

	err := forEachEntry(DecodeMeasureDetails(answer(maxValueBytes+1<<20)), nil, func(*MeasureEntry, error) {})
	var tooLarge *ValueTooLargeError
	require.ErrorAs(t, err, &tooLarge)
	require.EqualError(t, err, "the response holds a JSON value, or a run of whitespace, of more than 1 MiB after byte 23, which no MIP answer holds")
}

// repeatReader reads as an endless run of one byte.
func repeatReader(c byte) io.Reader { return repeated{bytes.Repeat([]byte{c}, 64<<10)} }

type repeated struct{ block []byte }

func (r repeated) Read(p []byte) (int, error) { return copy(p, r.block), nil }
