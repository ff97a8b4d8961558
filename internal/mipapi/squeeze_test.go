package mipapi

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"testing/iotest"

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
		{"json", bytes.Repeat([]byte(`{"measure": {"id": 42, "name": "crm_login", "displayName": "CRM login"}, "results": {"1795600800000": {"state": {"type": "OK"}, "metrics": {"m1": 1234.5, "m2": 98905}}}}, `), 8<<20/150)},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(int64(len(tc.data)))
			buf := make([]byte, 64<<10)
			for b.Loop() {
				s := &squeezedInput{r: bytes.NewReader(tc.data)}
				for {
					if _, err := s.Read(buf); err == io.EOF {
						break
					}
				}
			}
		})
	}
}
