package mip

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/influxdata/telegraf/testutil"
	"github.com/stretchr/testify/require"
)

// windowedMIP is a scriptedMIP that answers only the runs that started in
// the window asked for (from=now-<n><unit>, by the test's clock), as MIP
// does, with every measure's timeout set to timeout seconds.
type windowedMIP struct {
	scriptedMIP
	now     func() time.Time
	timeout int
}

func (s *windowedMIP) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	from := strings.TrimPrefix(r.URL.Query().Get("from"), "now-")
	unit := map[byte]time.Duration{'s': time.Second, 'm': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour}[from[len(from)-1]]
	n, err := strconv.Atoi(from[:len(from)-1])
	if err != nil || unit == 0 {
		http.Error(w, "bad from", http.StatusBadRequest)
		return
	}
	start := s.now().Add(-time.Duration(n) * unit)
	s.mu.Lock()
	all := s.entries
	inWindow := make([]scriptedEntry, 0, len(all))
	for _, e := range all {
		kept := e
		kept.runs = nil
		for _, run := range e.runs {
			if !at(run[0]).Before(start) {
				kept.runs = append(kept.runs, run)
			}
		}
		inWindow = append(inWindow, kept)
	}
	s.entries = inWindow
	s.mu.Unlock()
	rec := httptest.NewRecorder()
	s.scriptedMIP.ServeHTTP(rec, r)
	s.mu.Lock()
	s.entries = all
	s.mu.Unlock()
	body := strings.ReplaceAll(rec.Body.String(), `"timeout":60`, `"timeout":`+strconv.Itoa(s.timeout))
	w.Header().Set("Content-Type", "application/json")
	if _, err := w.Write([]byte(body)); err != nil {
		s.t.Error(err)
	}
}

func newWindowedRig(t *testing.T, timeout int) (*windowedMIP, *deliveryRig, func(int) string) {
	rig := newDeliveryRig(t, nil)
	s := &windowedMIP{scriptedMIP: scriptedMIP{t: t}, now: rig.clock.Now, timeout: timeout}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	rig.srv = srv
	t0 := rig.clock.Now()
	return s, rig, func(sec int) string { return rfc(t0.Add(time.Duration(sec) * time.Second)) }
}

// gatherAt moves the rig's clock to sec seconds after its start and gathers.
func (r *deliveryRig) gatherAt(p *MIP, start time.Time, sec int) {
	r.clock.Advance(start.Add(time.Duration(sec) * time.Second).Sub(r.clock.Now()))
	r.gather(p)
}

// A run recorded late, then left for a later gather by the point budget,
// is still in the window that gather asks for.
func TestDeferredLateRunStaysInTheWindow(t *testing.T) {
	mip, rig, ts := newWindowedRig(t, 60)
	p := rig.plugin(&testutil.CaptureLogger{}, func(p *MIP) {
		p.FirstGather = firstGatherWindow
		p.MaxPointsPerGather = 10
	})
	start := rig.clock.Now()
	mip.set(scriptedEntry{id: 1}, scriptedEntry{id: 2})
	rig.gatherAt(p, start, 10)
	mip.set(scriptedEntry{id: 1}, scriptedEntry{id: 2, runs: [][2]string{{ts(60), "OK"}}})
	rig.gatherAt(p, start, 70)
	var busy [][2]string
	for s := 100; s < 130; s += 3 {
		busy = append(busy, [2]string{ts(s), "OK"})
	}
	// Scenario 2's run at +0 took 89 s: recorded after the gather at +70,
	// when scenario 1 takes the whole budget.
	mip.set(scriptedEntry{id: 1, runs: busy}, scriptedEntry{id: 2, runs: [][2]string{{ts(0), "OK"}, {ts(60), "OK"}}})
	for s := 130; s < 800; s += 10 {
		rig.gatherAt(p, start, s)
	}
	requireEachOnce(t, rig.delivered, map[string][]time.Time{"2": {at(ts(0)), at(ts(60))}})
}

// A restart within replay_on_restart does not give up a late run the
// stopped process still waited for.
func TestRestartKeepsWaitingForLateRuns(t *testing.T) {
	mip, rig, ts := newWindowedRig(t, 600)
	configure := func(p *MIP) { p.FirstGather = firstGatherWindow }
	p := rig.plugin(&testutil.CaptureLogger{}, configure)
	start := rig.clock.Now()
	mip.set(scriptedEntry{id: 2})
	for s := 10; s <= 150; s += 10 {
		switch s {
		case 70:
			mip.set(scriptedEntry{id: 2, runs: [][2]string{{ts(60), "OK"}}})
		case 130:
			mip.set(scriptedEntry{id: 2, runs: [][2]string{{ts(60), "OK"}, {ts(120), "OK"}}})
		}
		rig.gatherAt(p, start, s)
	}
	p.Stop()
	restarted := rig.plugin(&testutil.CaptureLogger{}, configure)
	for s := 160; s < 400; s += 10 {
		if s == 250 {
			// The run of +50 took 200 s.
			mip.set(scriptedEntry{id: 2, runs: [][2]string{{ts(50), "OK"}, {ts(60), "OK"}, {ts(120), "OK"}}})
		}
		rig.gatherAt(restarted, start, s)
	}
	require.Contains(t, times(rig.delivered["2"]), times([]time.Time{at(ts(50))})[0], "the late run after the restart")
}

// A measure left for later by the budget of a first gather in "latest"
// mode, then a restart: it gets its newest run, no more, and no warning.
func TestRestartAfterADeferredFirstGather(t *testing.T) {
	mip, rig, ts := newWindowedRig(t, 60)
	configure := func(p *MIP) { p.MaxPointsPerGather = 3 }
	p := rig.plugin(&testutil.CaptureLogger{}, configure)
	var runs [][2]string
	for s := -1800; s < 0; s += 60 {
		runs = append(runs, [2]string{ts(s), "OK"})
	}
	mip.set(scriptedEntry{id: 1, runs: runs}, scriptedEntry{id: 2, runs: runs})
	rig.gather(p)
	require.Empty(t, rig.delivered["2"], "left for later")
	p.Stop()
	rig.clock.Advance(20 * time.Second)
	log := &testutil.CaptureLogger{}
	restarted := rig.plugin(log, configure)
	for i := 0; i < 3; i++ {
		rig.gather(restarted)
	}
	require.Equal(t, []string{runs[len(runs)-1][0]}, times(rig.delivered["2"]))
	for _, w := range log.Warnings() {
		require.NotContains(t, w, "lost")
	}
}
