package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/telegraf-mip/telegraf-mip/internal/mipsim"
)

// TestWindowBackfillWritesTheWholeFirstAnswer runs telegraf-mip as
// inputs.execd does (a line on stdin per interval) on a first start in
// first_gather = "window" mode, 300 scenarios a run every 20 s whose oldest
// runs in the first answer sit within 20 s of lookback. The first answer is
// slow and cut after 150 scenarios (a gather timeout on a busy machine, a
// dropped connection): no answer was read whole, and lookback passes the
// oldest runs it listed before their scenario's turn. Every run of the
// first answer is written, once, and nothing is reported lost.
func TestWindowBackfillWritesTheWholeFirstAnswer(t *testing.T) {
	t.Parallel()
	const (
		count, listed = 300, 150
		frequency     = 20 * time.Second
		lookback      = 4 * time.Minute
	)
	scenarios := mipsim.Generate(count, 6, frequency)
	for i := range scenarios {
		// Runs recorded at most 31 s late: once two later runs are
		// written, the oldest run is settled, written or not.
		scenarios[i].Timeout = time.Second
	}
	sim := mipsim.New(testKey, scenarios)
	var mu sync.Mutex
	cut := false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		first := !cut && strings.HasSuffix(r.URL.Path, "/details")
		cut = cut || first
		mu.Unlock()
		if !first {
			sim.ServeHTTP(w, r)
			return
		}
		sim.SetScenarios(scenarios[:listed])
		rec := httptest.NewRecorder()
		sim.ServeHTTP(rec, r)
		sim.SetScenarios(scenarios)
		w.Write(bytes.TrimSuffix(rec.Body.Bytes(), []byte("]}"))) //nolint:errcheck // the client sees what it sees
		w.(http.Flusher).Flush()
		time.Sleep(8 * time.Second) // slow, then cut: lookback passes the oldest runs listed
	}))
	t.Cleanup(srv.Close)
	state := filepath.Join(t.TempDir(), "mip.state")
	conf := pluginConfig(t, srv.URL, "  state_file = "+strconv.Quote(state), `  lookback = "4m"`, `  first_gather = "window"`)

	// The process ends when its stdin closes: once every run owed is
	// written, or once stallLimit passed with none more written (how long
	// the backfill takes depends on the machine, not what it must write),
	// and is killed well after that.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, "-config", conf, "-poll_interval_disabled", "-catch_up_interval", "1s")
	cmd.Env = append(os.Environ(), "MIP_API_KEY="+testKey)
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())

	// The runs the first answer listed, once it is sent.
	var owed map[string]map[int64]bool
	written := map[string]map[int64]int{}
	left := func() int {
		if owed == nil {
			answers := sim.Answers()
			if len(answers) == 0 {
				return -1
			}
			first := answers[0]
			require.Equal(t, lookback, first.At.Sub(first.From), "the first window is lookback")
			owed = map[string]map[int64]bool{}
			for _, sc := range scenarios[:listed] {
				runs := map[int64]bool{}
				for _, r := range mipsim.Recorded(sc, first.From, first.At) {
					runs[r.Time.UnixMilli()] = true
				}
				require.Len(t, runs, int(lookback/frequency))
				owed[strconv.FormatInt(sc.ID, 10)] = runs
			}
		}
		n := 0
		for id, runs := range owed {
			for ms := range runs {
				if written[id][ms] == 0 {
					n++
				}
			}
		}
		return n
	}
	// Telegraf's interval is 2 s here.
	interval := time.NewTicker(2 * time.Second)
	defer interval.Stop()
	_, err = stdin.Write([]byte("\n"))
	require.NoError(t, err)
	lines := scanLines(stdout)
	leftBefore, progress := -1, time.Now()
	for open := true; lines != nil; {
		select {
		case line, ok := <-lines:
			if !ok {
				lines = nil
				break
			}
			if id, ms, ok := scenarioRun(line); ok {
				if written[id] == nil {
					written[id] = map[int64]int{}
				}
				written[id][ms]++
			}
			if open && strings.HasPrefix(line, "mip_api") && left() == 0 {
				open = false
				stdin.Close()
			}
		case <-interval.C:
			if !open {
				break
			}
			if n := left(); n != leftBefore {
				leftBefore, progress = n, time.Now()
			} else if time.Since(progress) > stallLimit {
				open = false
				stdin.Close()
				break
			}
			stdin.Write([]byte("\n")) //nolint:errcheck // a process gone shows in Wait
		}
	}
	require.NoError(t, cmd.Wait())
	twice := 0
	for _, runs := range written {
		for _, n := range runs {
			if n > 1 {
				twice++
			}
		}
	}
	require.Zero(t, left(), "runs of the first answer not written; stderr:\n%s", stderr.String())
	require.Zero(t, twice, "runs written twice")
	require.NotRegexp(t, `(?m)^W! .*(lost|before every window asked)`, stderr.String(), "no run reported lost or out of the windows")
}

// scanLines sends the lines of r, then closes the channel.
func scanLines(r io.Reader) chan string {
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	return lines
}

var scenarioIDTag = regexp.MustCompile(`,scenario_id=(\d+)[, ]`)

// scenarioRun reads the scenario id and run time, in milliseconds, of a
// mip_scenario point.
func scenarioRun(line string) (id string, ms int64, ok bool) {
	if !strings.HasPrefix(line, "mip_scenario,") {
		return "", 0, false
	}
	m := scenarioIDTag.FindStringSubmatch(line)
	ns, err := strconv.ParseInt(line[strings.LastIndexByte(line, ' ')+1:], 10, 64)
	if m == nil || err != nil {
		return "", 0, false
	}
	return m[1], time.Unix(0, ns).UnixMilli(), true
}
