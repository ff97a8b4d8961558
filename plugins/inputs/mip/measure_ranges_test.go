package mip

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/influxdata/telegraf/testutil"
	"github.com/stretchr/testify/require"
)

// TestMeasureNumbersOutOfRange: a frequency or timeout out of 1 s to a
// week (1e-10, 1e300, negative, zero) is treated as unknown and said once
// per measure, not at every gather: no divide by zero when lookback cuts
// the window (the gather a day later below), no frequency_seconds
// overflowed into the minimum int64, no absurd sizing advice.
func TestMeasureNumbersOutOfRange(t *testing.T) {
	measure := func(id int, frequency, timeout string) string {
		return fmt.Sprintf(`{"measure": {"id": %d, "name": "m%d", "frequency": %s, "timeout": %s}, `+
			`"results": {"2026-11-25T09:59:00Z": {"state": {"type": "OK"}, "metrics": {}}}}`, id, id, frequency, timeout)
	}
	body := `{"results": [` + strings.Join([]string{
		measure(1, "1e-10", "60"),
		measure(2, "1e300", "1e300"),
		measure(3, "-300", "-1"),
		measure(4, "0", "0"),
		measure(5, "300", "1e-10"),
		measure(6, `"1e300"`, "604801"),
		measure(7, "300", "60"), // in range
	}, ",") + `]}`
	srv := serve(t, func(w http.ResponseWriter, _ *http.Request) { writeBody(w, []byte(body)) })
	log := &testutil.CaptureLogger{}
	p := newPlugin(t, srv.URL, func(p *MIP) { p.Log = log })

	var acc flushingAccumulator
	require.NoError(t, p.Gather(&acc))
	frequencies := map[string]any{}
	for _, m := range acc.GetTelegrafMetrics() {
		if m.Name() == "mip_freshness" {
			id, _ := m.GetTag("scenario_id")
			frequencies[id], _ = m.GetField("frequency_seconds")
		}
	}
	require.Equal(t, map[string]any{"1": nil, "2": nil, "3": nil, "4": nil, "5": int64(300), "6": nil, "7": int64(300)}, frequencies)
	require.ElementsMatch(t, []string{
		"scenario id 1: frequency 1e-10 s is outside 1 s to 1 week: treated as unknown",
		"scenario id 2: frequency 1e+300 s is outside 1 s to 1 week: treated as unknown",
		"scenario id 2: timeout 1e+300 s is outside 1 s to 1 week: treated as unknown",
		"scenario id 3: frequency -300 s is outside 1 s to 1 week: treated as unknown",
		"scenario id 3: timeout -1 s is outside 1 s to 1 week: treated as unknown",
		"scenario id 4: frequency 0 s is outside 1 s to 1 week: treated as unknown",
		"scenario id 5: timeout 1e-10 s is outside 1 s to 1 week: treated as unknown",
		"scenario id 6: frequency 1e+300 s is outside 1 s to 1 week: treated as unknown",
		"scenario id 6: timeout 604801 s is outside 1 s to 1 week: treated as unknown",
	}, warnings(log))

	// A day later, past lookback: the runs in between are reported lost, in
	// one line for the gather, counted where the frequency is known (276
	// runs of 5 minutes each for ids 5 and 7); nothing is said again.
	before := len(log.Warnings())
	p.now = func() time.Time { return testNow.Add(24 * time.Hour) }
	acc = flushingAccumulator{}
	require.NoError(t, p.Gather(&acc))
	lost := log.Warnings()[before:]
	require.Len(t, lost, 1, "%q", lost)
	require.Contains(t, lost[0], "about 552 runs (and an unknown number for 5 scenarios of unknown frequency) of 7 scenarios")
	require.Contains(t, lost[0], "were lost")
}

// warnings are the warnings logged, without their prefix.
func warnings(log *testutil.CaptureLogger) []string {
	all := log.Warnings()
	out := make([]string, 0, len(all))
	for _, w := range all {
		_, after, _ := strings.Cut(w, "scenario id")
		out = append(out, "scenario id"+after)
	}
	return out
}

// TestLossOfUnknownFrequencyIsNotCounted: when no scenario of the loss has a
// known frequency, the line says the number is unknown, not "about 0 runs".
func TestLossOfUnknownFrequencyIsNotCounted(t *testing.T) {
	body := `{"results": [{"measure": {"id": 1, "name": "m1", "frequency": 0}, ` +
		`"results": {"2026-11-25T09:59:00Z": {"state": {"type": "OK"}, "metrics": {}}}}]}`
	srv := serve(t, func(w http.ResponseWriter, _ *http.Request) { writeBody(w, []byte(body)) })
	log := &testutil.CaptureLogger{}
	p := newPlugin(t, srv.URL, func(p *MIP) { p.Log = log })
	require.NoError(t, p.Gather(&flushingAccumulator{}))

	before := len(log.Warnings())
	p.now = func() time.Time { return testNow.Add(24 * time.Hour) }
	require.NoError(t, p.Gather(&flushingAccumulator{}))
	lost := log.Warnings()[before:]
	require.Len(t, lost, 1, "%q", lost)
	require.Contains(t, lost[0], "an unknown number of runs (their frequency is unknown) of 1 scenarios between")
	require.NotContains(t, lost[0], "about 0 runs")
}
