package centreonplugin

import (
	"bytes"
	"encoding/json"
	"flag"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// updateDifferences rewrites the <case>.ours files of the cases that already
// have one (the documented differences), after a change was reviewed.
var updateDifferences = flag.Bool("update-differences", false, "rewrite the existing <case>.ours golden files")

const goldenDir = "../../testdata/goldens/centreon"

// goldenServer answers as scripts/centreon-goldens.sh's server does, by the
// MIP_API_KEY a case gives, and counts the requests.
func goldenServer(t *testing.T) (*httptest.Server, *int) {
	t.Helper()
	requests := new(int)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		*requests++
		key := r.Header.Get("MIP_API_KEY")
		kind := "measures"
		if strings.HasPrefix(r.URL.Path, "/api/measures/details") {
			kind = "details"
		}
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.HasPrefix(key, "status-"):
			code, err := strconv.Atoi(key[7:])
			if err != nil {
				code = http.StatusBadRequest
			}
			w.WriteHeader(code)
			_, _ = w.Write([]byte(`{"detail": "refused"}`)) //nolint:errcheck // a test server
		case key == "empty":
		default:
			body, err := os.ReadFile(filepath.Join(goldenDir, kind+"_"+filepath.Base(key)+".json"))
			if err != nil {
				http.Error(w, err.Error(), http.StatusNotFound)
				return
			}
			_, _ = w.Write(body) //nolint:errcheck // a test server
		}
	}))
	t.Cleanup(srv.Close)
	return srv, requests
}

type goldenCase struct {
	name string
	args []string
}

func readCases(t *testing.T) []goldenCase {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(goldenDir, "cases.txt"))
	require.NoError(t, err)
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	cases := make([]goldenCase, 0, len(lines))
	for _, line := range lines {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Split(line, "\t")
		cases = append(cases, goldenCase{name: fields[0], args: fields[1:]})
	}
	return cases
}

// TestGoldens runs every case of testdata/goldens/centreon/cases.txt, in
// order and in one state directory, as scripts/centreon-goldens.sh ran the
// Perl plugin, and compares the output and the exit code with the Perl
// plugin's (<case>.perl), or, where this command is documented to differ,
// with <case>.ours. The state files --memory left must be the Perl plugin's.
func TestGoldens(t *testing.T) {
	srv, _ := goldenServer(t)
	_, port, err := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	require.NoError(t, err)
	state := t.TempDir()
	base := []string{"--plugin=" + PluginName, "--hostname=127.0.0.1", "--port=" + port, "--proto=http", "--statefile-dir=" + state}
	for _, c := range readCases(t) {
		var args []string
		for _, a := range c.args {
			switch a {
			case "@BASE":
				args = append(args, base...)
			case "@LIST":
				args = append(args, base[:len(base)-1]...)
			default:
				args = append(args, a)
			}
		}
		var stdout bytes.Buffer
		code := Run(args, &stdout, &stdout)
		got := strings.TrimSuffix(stdout.String(), "\n") + "\nexit " + strconv.Itoa(code) + "\n"
		got = strings.ReplaceAll(got, state, "<dir>")
		got = strings.ReplaceAll(got, "127.0.0.1:"+port, "127.0.0.1:<port>")
		wantFile := filepath.Join(goldenDir, c.name+".ours")
		if _, err := os.Stat(wantFile); err != nil {
			wantFile = filepath.Join(goldenDir, c.name+".perl")
		} else if *updateDifferences {
			require.NoError(t, os.WriteFile(wantFile, []byte(got), 0o600))
		}
		want, err := os.ReadFile(wantFile)
		require.NoError(t, err)
		if got != string(want) {
			t.Errorf("%s: %s differs:\n--- want\n%s--- got\n%s", c.name, filepath.Base(wantFile), want, got)
		}
	}

	// The state files: the same names, the same runs.
	b, err := os.ReadFile(filepath.Join(goldenDir, "statefiles.txt"))
	require.NoError(t, err)
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	require.Len(t, lines, 4)
	for i := 0; i < len(lines); i += 2 {
		name := strings.Replace(lines[i], "_<port>_", "_"+port+"_", 1)
		got, err := os.ReadFile(filepath.Join(state, name))
		require.NoError(t, err, "the state file %s", lines[i])
		var wantRuns, gotRuns map[string]*string
		require.NoError(t, json.Unmarshal([]byte(lines[i+1]), &wantRuns))
		require.NoError(t, json.Unmarshal(got, &gotRuns))
		require.Equal(t, wantRuns, gotRuns)
	}
}
