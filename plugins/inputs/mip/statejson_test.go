package mip

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The state file is written by hand as encoding/json would write it, byte
// for byte, whatever the progress holds.
func TestStateFileJSONIsEncodingJSONs(t *testing.T) {
	at := time.Date(2026, 11, 25, 10, 0, 0, 123456789, time.UTC)
	full := newProgress()
	full.LastSuccess = at
	for i, id := range []string{"1", "42", "9999", `quote"d`, `back\slash`, "<html>&", "tab\tnew\nline", "ünïcødé", "\xff\xfe invalid", ""} {
		ti := at.Add(time.Duration(i) * time.Minute)
		full.Watermarks[id] = ti
		full.Settled[id] = ti.Add(-time.Second)
		full.Covered[id] = ti.Add(time.Second)
		full.LastSeen[id] = ti
		switch i % 3 {
		case 0:
			full.Written[id] = []time.Time{ti, ti.Add(time.Nanosecond)}
		case 1:
			full.Written[id] = make([]time.Time, 0)
		default:
			full.Written[id] = nil
		}
	}
	full.Watermarks["not seen"] = at // a key of one map only: sorted apart
	full.Recent = []commitRecord{
		{At: at, LastSuccess: at.Add(-time.Minute), Watermarks: map[string]time.Time{"1": at}},
		{At: at, Watermarks: map[string]time.Time{}, Settled: map[string]time.Time{"2": at}, Written: map[string][]time.Time{"2": {at}}},
		{At: at},
	}
	local := newProgress()
	local.LastSuccess = at.In(time.FixedZone("CET", 3600))
	local.Watermarks["x"] = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	local.Watermarks["y"] = time.Date(2262, 4, 11, 23, 47, 16, 854775807, time.UTC)

	for name, sf := range map[string]*stateFile{
		"empty":          {Version: stateVersion, Instances: map[string]*progress{}},
		"nil instances":  {Version: stateVersion},
		"fresh progress": {Version: stateVersion, Instances: map[string]*progress{"k": newProgress()}},
		"zero progress":  {Version: stateVersion, Instances: map[string]*progress{"k": {}}},
		"nil progress":   {Version: stateVersion, Instances: map[string]*progress{"k": nil}},
		"full":           {Version: stateVersion, Instances: map[string]*progress{"b": full, "a<&>": local, "c": newProgress()}},
	} {
		t.Run(name, func(t *testing.T) {
			want, err := json.Marshal(sf)
			require.NoError(t, err)
			require.Equal(t, string(want), string(appendStateFile(nil, sf)))
		})
	}
}

// BenchmarkStateFileJSON is the state file after a gather of 10,000
// scenarios.
func BenchmarkStateFileJSON(b *testing.B) {
	sf := benchStateFile()
	b.Run("appendStateFile", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			appendStateFile(nil, sf)
		}
	})
	b.Run("json.Marshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(sf); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkLoadState reads the state file of 10,000 scenarios, as a start
// does.
func BenchmarkLoadState(b *testing.B) {
	path := filepath.Join(b.TempDir(), "mip.state")
	require.NoError(b, os.WriteFile(path, appendStateFile(nil, benchStateFile()), 0o600))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := loadProgress(path, "k", false); err != nil {
			b.Fatal(err)
		}
	}
}

// benchStateFile is the state of 10,000 scenarios after a gather.
func benchStateFile() *stateFile {
	pr := newProgress()
	at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	before := commitRecord{At: at, Watermarks: map[string]time.Time{}, Settled: map[string]time.Time{}, Written: map[string][]time.Time{}}
	for i := range 10000 {
		id := strconv.Itoa(100000 + i)
		pr.Watermarks[id], pr.Settled[id], pr.Covered[id], pr.LastSeen[id] = at, at.Add(-time.Minute), at, at
		pr.Written[id] = []time.Time{at}
		before.Watermarks[id], before.Settled[id] = at.Add(-time.Minute), at.Add(-2*time.Minute)
	}
	pr.Recent = []commitRecord{before}
	return &stateFile{Version: stateVersion, Instances: map[string]*progress{"k": pr}}
}
