package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// influxDB is a real InfluxDB 1.x server (Debian package influxdb) started
// for one test on loopback ports, with its data in a temporary directory.
type influxDB struct {
	URL string
	pid int
}

func startInfluxDB(t testing.TB) *influxDB {
	t.Helper()
	bin, err := exec.LookPath("influxd")
	require.NoError(t, err, "influxd not found: install the Debian package influxdb (apt-get install -y influxdb), as .ci/run does")
	base, err := exec.Command(bin, "config").Output()
	require.NoError(t, err)

	dir := t.TempDir()
	conf := strings.ReplaceAll(string(base), "/var/lib/influxdb", dir)
	var httpAddr string
	conf = regexp.MustCompile(`(?m)^(\s*)bind-address = ".*"$`).ReplaceAllStringFunc(conf, func(line string) string {
		addr := freeAddr(t)
		if strings.Contains(line, `":8086"`) {
			httpAddr = addr
		}
		indent := line[:len(line)-len(strings.TrimLeft(line, " \t"))]
		return fmt.Sprintf(`%sbind-address = %q`, indent, addr)
	})
	require.NotEmpty(t, httpAddr, "no [http] bind-address in influxd's default configuration")
	conf = strings.Replace(conf, "reporting-enabled = true", "reporting-enabled = false", 1)
	confPath := filepath.Join(dir, "influxdb.conf")
	require.NoError(t, os.WriteFile(confPath, []byte(conf), 0o600))

	cmd := exec.Command(bin, "-config", confPath)
	logFile, err := os.Create(filepath.Join(dir, "influxd.log"))
	require.NoError(t, err)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		killAndWait(t, cmd)
		logFile.Close()
	})

	db := &influxDB{URL: "http://" + httpAddr, pid: cmd.Process.Pid}
	require.Eventually(t, func() bool {
		resp, err := http.Get(db.URL + "/ping")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusNoContent
	}, 30*time.Second, 100*time.Millisecond, "influxd did not answer /ping")
	resp, err := http.PostForm(db.URL+"/query", url.Values{"q": {"CREATE DATABASE telegraf"}})
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	return db
}

// freeAddr returns a loopback address with a port free at the time of the call.
func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().String()
}

// series is one series of an InfluxQL answer.
type series struct {
	Name    string            `json:"name"`
	Tags    map[string]string `json:"tags"`
	Columns []string          `json:"columns"`
	Values  [][]any           `json:"values"`
}

// query runs an InfluxQL query on the telegraf database, times in ns.
func (db *influxDB) query(t testing.TB, q string) []series {
	t.Helper()
	resp, err := http.Get(db.URL + "/query?" + url.Values{"db": {"telegraf"}, "epoch": {"ns"}, "q": {q}}.Encode())
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var answer struct {
		Results []struct {
			Series []series `json:"series"`
			Error  string   `json:"error"`
		} `json:"results"`
	}
	dec := json.NewDecoder(resp.Body)
	dec.UseNumber()
	require.NoError(t, dec.Decode(&answer))
	require.Len(t, answer.Results, 1)
	require.Empty(t, answer.Results[0].Error, q)
	return answer.Results[0].Series
}

// times returns the time column of a series.
func (s series) times(t testing.TB) []time.Time {
	t.Helper()
	out := make([]time.Time, 0, len(s.Values))
	for _, row := range s.Values {
		ns, err := row[0].(json.Number).Int64()
		require.NoError(t, err)
		out = append(out, time.Unix(0, ns).UTC())
	}
	return out
}

// storedRuns returns, per scenario id, the run times of the mip_scenario
// points InfluxDB holds.
func (db *influxDB) storedRuns(t testing.TB) map[string][]time.Time {
	t.Helper()
	out := map[string][]time.Time{}
	for _, s := range db.query(t, `SELECT "status_code" FROM "mip_scenario" GROUP BY "scenario_id"`) {
		out[s.Tags["scenario_id"]] = s.times(t)
	}
	return out
}
