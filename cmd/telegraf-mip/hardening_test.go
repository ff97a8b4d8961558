package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestKeyProblemsStopAtStart checks that a key no request could carry, or
// none at all, is refused before any request, with a message that says where
// the key comes from and never holds it.
func TestKeyProblemsStopAtStart(t *testing.T) {
	keyFile := writeFile(t, "key", testKey+"\n"+testKey+"\n")
	tests := []struct {
		name     string
		env      string // MIP_API_KEY
		key      string // the api_key line; empty: from the environment
		contains string
	}{
		{name: "line break in TOML", key: `  api_key = "` + testKey + `\n` + testKey + `"`, contains: "api_key holds a control character"},
		{name: "line break in the file", key: `  api_key_file = "` + keyFile + `"`, contains: "api_key_file " + keyFile + " holds a control character"},
		{name: "variable unset or empty", env: "", contains: "api_key comes from the environment variable MIP_API_KEY, which is not set or empty"},
		{name: "line break in the variable", env: testKey + "\n" + testKey, contains: "the environment variable MIP_API_KEY holds a line break"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim, srv := startSim(t)
			conf := pluginConfig(t, srv.URL)
			if tt.key != "" {
				conf = writeFile(t, "mip.conf", "[[inputs.mip]]\n  url = \""+srv.URL+"\"\n"+tt.key+"\n")
			}
			r := runBinary(t, tt.env, "-config", conf, "-once")
			require.Equal(t, 1, r.code, r.stderr)
			require.Contains(t, r.stderr, tt.contains)
			require.Equal(t, 1, strings.Count(r.stderr, "\n"), "one line: %s", r.stderr)
			require.True(t, strings.HasPrefix(r.stderr, "E! "), r.stderr)
			require.Empty(t, r.stdout)
			require.Zero(t, sim.Requests(), "no request is sent")
		})
	}
}

// TestUnsolicitedBytesAreTheServersFault runs two gathers against a server
// that sends bytes after each response: net/http's note about it becomes
// one warning.
func TestUnsolicitedBytesAreTheServersFault(t *testing.T) {
	sim, _ := startSim(t)
	var requests atomic.Int32
	chatty := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		sim.ServeHTTP(rec, r)
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		body := rec.Body.Bytes()
		fmt.Fprintf(buf, "HTTP/1.1 %d OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", rec.Code, len(body))
		// buf keeps its first error: Flush returns it.
		fmt.Fprint(buf, string(body), "HTTP/1.1 200 OK\r\n\r\nmore")
		if err := buf.Flush(); err != nil {
			t.Error(err)
			return
		}
		requests.Add(1)
		time.Sleep(200 * time.Millisecond) // the client sees the extra bytes on an idle connection
	}))
	defer chatty.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, "-config", pluginConfig(t, chatty.URL), "-poll_interval_disabled")
	cmd.Env = append(os.Environ(), "MIP_API_KEY="+testKey)
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	var stdout, stderr lockedBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Start())
	for i := int32(1); i <= 2; i++ {
		_, err = stdin.Write([]byte("\n"))
		require.NoError(t, err)
		require.Eventually(t, func() bool { return requests.Load() == i }, 10*time.Second, 10*time.Millisecond)
		time.Sleep(300 * time.Millisecond)
	}
	require.NoError(t, stdin.Close())
	require.NoError(t, cmd.Wait(), stderr.String())
	require.Equal(t, "W! the MIP server (or a proxy in front of it) sent more bytes than the Content-Length of its response announced; they were ignored "+
		"(reported once)\n", stderr.String())
	requireNewestRuns(t, parseLines(t, stdout.String()))
}

func TestListSaysWhenTheFiltersKeepNothing(t *testing.T) {
	_, srv := startSim(t)
	tests := []struct {
		name   string
		extra  string
		format string
		stdout string
		stderr string
	}{
		{name: "regex pasted as a glob", extra: `  scenario_include = ["^crm_.*"]`, format: "table",
			stdout: "ID  NAME  ALIAS  DISPLAY NAME  APPLICATION  AGENT\n",
			stderr: `W! the filters keep none of the 5 scenarios MIP returned: check scenario_ids and the *_include/*_exclude globs (telegraf-mip -list ` +
				`shows the scenarios they keep); scenario_include "^crm_.*" looks like a regular expression, but filters are globs: try "crm_*"` + "\n"},
		{name: "unknown id, json", extra: `  scenario_ids = [999]`, format: "json", stdout: "[]\n",
			stderr: "W! the filters keep none of the 5 scenarios MIP returned: check scenario_ids and the *_include/*_exclude globs (telegraf-mip -list " +
				"shows the scenarios they keep)\n"},
		{
			name:   "some kept",
			extra:  `  scenario_ids = [101]`,
			format: "json",
			stdout: "[\n  {\n    \"id\": 101,\n    \"name\": \"crm_login\",\n    \"alias\": \"crm_login\",\n    \"display_name\": \"CRM - Login\",\n    " +
				"\"application\": \"CRM\",\n    \"agent_id\": 3,\n    \"agent\": \"robot-03\"\n  }\n]\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runBinary(t, testKey, "-config", pluginConfig(t, srv.URL, tt.extra), "-list", "-format", tt.format)
			require.Equal(t, 0, r.code, r.stderr)
			require.Equal(t, tt.stdout, r.stdout)
			require.Equal(t, tt.stderr, r.stderr)
		})
	}
}
