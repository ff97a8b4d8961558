package main

import (
	"bufio"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
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
// first_gather = "window" mode, 300 scenarios whose oldest runs in the first
// answer sit within seconds of lookback, behind a slow MIP: the backfill
// takes many gathers, and lookback passes those oldest runs long before
// their scenario's turn. Every run of the first answer is written, once.
func TestWindowBackfillWritesTheWholeFirstAnswer(t *testing.T) {
	t.Parallel()
	const (
		count     = 300
		frequency = 5 * time.Second
		lookback  = 3 * time.Minute
	)
	scenarios := mipsim.Generate(count, 6, frequency)
	sim := mipsim.New(testKey, scenarios)
	var mu sync.Mutex
	var firstAnswer time.Time
	sim.SetClock(func() time.Time {
		now := time.Now()
		mu.Lock()
		defer mu.Unlock()
		if firstAnswer.IsZero() {
			firstAnswer = now
		}
		return now
	})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(700 * time.Millisecond) // a slow MIP, or a busy machine
		sim.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	state := filepath.Join(t.TempDir(), "mip.state")
	conf := pluginConfig(t, srv.URL, "  state_file = "+strconv.Quote(state), `  lookback = "3m"`, `  first_gather = "window"`)

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
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
	_, err = stdin.Write([]byte("\n"))
	require.NoError(t, err)

	written := map[string][]time.Time{}
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	var lp strings.Builder
	quiet := time.NewTimer(time.Minute)
	for done := false; !done; {
		select {
		case line, ok := <-lines:
			if !ok {
				done = true
				break
			}
			lp.WriteString(line + "\n")
			if strings.HasPrefix(line, "mip_api") {
				quiet.Reset(5 * time.Second) // a gather ended; catch-up gathers follow within 2 s
			}
		case <-quiet.C:
			done = true
		case <-ctx.Done():
			done = true
		}
	}
	stdin.Close()
	require.NoError(t, cmd.Wait())
	for _, m := range parseLines(t, lp.String()) {
		if m.Name() == "mip_scenario" {
			id, _ := m.GetTag("scenario_id")
			written[id] = append(written[id], m.Time())
		}
	}
	served := sim.Served()
	missing, twice := 0, 0
	for _, sc := range scenarios {
		id := strconv.FormatInt(sc.ID, 10)
		got := map[int64]int{}
		for _, ts := range written[id] {
			got[ts.UnixMilli()]++
		}
		for _, n := range got {
			if n > 1 {
				twice++
			}
		}
		for _, r := range mipsim.Recorded(sc, firstAnswer.Add(-lookback), firstAnswer) {
			if got[r.Time.UnixMilli()] == 0 {
				missing++
			}
		}
		servedMissing := 0
		for _, r := range served[sc.ID] {
			if got[r.UnixMilli()] == 0 {
				servedMissing++
			}
		}
		if servedMissing > 0 && sc.ID < 1010 {
			t.Logf("scenario %s: %d served runs not written", id, servedMissing)
		}
	}
	t.Logf("stderr:\n%s", stderr.String())
	require.Zero(t, missing, "runs of the first answer not written")
	require.Zero(t, twice, "runs written twice")
}
