package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// proxyPassword marks the proxy's password: no output may show it.
const proxyPassword = "s3cr3t-proxy-pw"

// TestProxyPasswordNeverShown: the proxy's password appears in no message,
// whether the proxy URL is refused at start (Telegraf's own error repeats
// it twice) or the proxy, from the configuration or the environment,
// refuses the tunnel to MIP.
func TestProxyPasswordNeverShown(t *testing.T) {
	refusing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusProxyAuthRequired)
	}))
	t.Cleanup(refusing.Close)
	withPassword := strings.Replace(refusing.URL, "http://", "http://user:"+proxyPassword+"@", 1)

	for _, tc := range []struct {
		name   string
		config []string
		env    []string
		code   int
		say    string
	}{
		{"not a URL", []string{`  http_proxy_url = "http://user:` + proxyPassword + `@proxy host:3128"`}, nil, 1,
			`E! configuration %s: http_proxy_url "http://xxxxx@proxy host:3128" is not a URL: invalid character " " in host name`},
		{"bad port", []string{`  http_proxy_url = "http://user:` + proxyPassword + `@proxy:31x28"`}, nil, 1,
			`E! configuration %s: http_proxy_url "http://xxxxx@proxy:31x28" is not a URL: invalid port ":31x28" after host`},
		{"refused, http_proxy_url", []string{fmt.Sprintf("  http_proxy_url = %q", withPassword)}, nil, 1,
			"E! gather failed: GET https://mip.example.com/api/measures/details: the proxy " + refusing.URL +
				" refused to open a tunnel to mip.example.com:443 (its answer to CONNECT: HTTP 407 Proxy Authentication Required)"},
		{"refused, environment", []string{"  use_system_proxy = true"}, []string{"HTTPS_PROXY=" + withPassword, "NO_PROXY="}, 1,
			"E! gather failed: GET https://mip.example.com/api/measures/details: the proxy " + refusing.URL + " refused to open a tunnel"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conf := pluginConfig(t, "https://mip.example.com", tc.config...)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, binary, "-config", conf, "-once")
			cmd.Env = append(append(os.Environ(), "MIP_API_KEY="+testKey), tc.env...)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			var exitErr *exec.ExitError
			require.ErrorAs(t, err, &exitErr)
			require.Equal(t, tc.code, exitErr.ExitCode(), stderr.String())
			say := tc.say
			if strings.Contains(say, "%s") {
				say = fmt.Sprintf(say, conf)
			}
			require.Contains(t, stderr.String(), say)
			require.NotContains(t, stdout.String()+stderr.String(), proxyPassword)
			require.NotContains(t, stdout.String()+stderr.String(), testKey)
			require.NotContains(t, stdout.String(), "mip_scenario", "no run written")
		})
	}
}
