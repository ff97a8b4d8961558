package output

import (
	"io"
	"log"
	"math"
	"os"
	"testing"
	"time"

	"github.com/influxdata/telegraf"
	"github.com/influxdata/telegraf/metric"
	"github.com/influxdata/telegraf/plugins/serializers/influx"
	"github.com/stretchr/testify/require"
)

// requireSameAsTelegraf checks that the encoder writes m as Telegraf's influx
// serializer (with the defaults the execd shim uses) does, byte for byte,
// or refuses it with the same words; twice, so that the escape cache is
// checked too.
func requireSameAsTelegraf(t testing.TB, enc *encoder, m telegraf.Metric) {
	t.Helper()
	s := &influx.Serializer{}
	require.NoError(t, s.Init())
	want, wantErr := s.Serialize(m)
	for range 2 {
		var dropped []string
		got, err := enc.appendPoint([]byte("kept|"), m, func(key string, _ error) { dropped = append(dropped, key) })
		if wantErr != nil {
			require.EqualError(t, err, wantErr.Error())
			require.Equal(t, "kept|", string(got), "a refused point leaves the buffer as it was")
			continue
		}
		require.NoError(t, err)
		require.Equal(t, "kept|"+string(want), string(got))
	}
}

func TestMain(m *testing.M) {
	// The serializer logs the fields it drops through the standard logger.
	log.SetOutput(io.Discard)
	os.Exit(m.Run())
}

func TestEncoderWritesWhatTelegrafWrites(t *testing.T) {
	at := time.Date(2026, 11, 25, 10, 0, 0, 123456789, time.UTC)
	odd := []string{
		"plain", "with space", "comma,here", "equals=here", "tab\there", "new\nline", "cr\rx", "ff\fx",
		`back\slash`, `trailing\`, `trailing\\`, `\`, `\\`, `"quoted"`, "Ünïcødé ✓ 日本", " ", ",", "=", "", "a\\ b",
	}
	enc := &encoder{}
	for _, s := range odd {
		requireSameAsTelegraf(t, enc, metric.New(s, map[string]string{"k": "v"}, map[string]any{"value": 1.0}, at))
		requireSameAsTelegraf(t, enc, metric.New("m", map[string]string{s: "v", "other": s, "z" + s: s + "z"}, map[string]any{"value": 1.0}, at))
		requireSameAsTelegraf(t, enc, metric.New("m", nil, map[string]any{s: 2.5, "text": s, "n" + s: int64(-3)}, at))
	}
	values := []any{
		0.0, math.Copysign(0, -1), 1.5, -1e-7, 1e21, 123456789012345678901234567890.0, math.MaxFloat64, math.SmallestNonzeroFloat64,
		math.NaN(), math.Inf(1), math.Inf(-1), int64(0), int64(math.MinInt64), int64(math.MaxInt64),
		uint64(0), uint64(math.MaxInt64), uint64(math.MaxUint64), true, false, "", "x", `a "b" \ c`, "line\nbreak\ttab",
	}
	for _, v := range values {
		requireSameAsTelegraf(t, enc, metric.New("m", map[string]string{"t": "v"}, map[string]any{"value": v}, at))
		requireSameAsTelegraf(t, enc, metric.New("m", nil, map[string]any{"a": v, "b": 1.0}, at))
	}
	// Points Telegraf refuses: no name, no field it can write, only bad ones.
	requireSameAsTelegraf(t, enc, metric.New("m", map[string]string{"t": "v w"}, map[string]any{}, at))
	requireSameAsTelegraf(t, enc, metric.New("m", map[string]string{"t": "v "}, map[string]any{"nan": math.NaN(), "": 1.0}, at))
	requireSameAsTelegraf(t, enc, metric.New("", nil, map[string]any{"value": 1.0}, at))
	// Times before 1970 and at the ends of what line protocol holds.
	for _, tm := range []time.Time{time.Unix(0, 0), time.Unix(-1, 5), time.Unix(0, math.MaxInt64), time.Unix(0, math.MinInt64)} {
		requireSameAsTelegraf(t, enc, metric.New("m", nil, map[string]any{"value": 1.0}, tm))
	}
}

// A field the serializer cannot write is left out, and said so.
func TestEncoderReportsDroppedFields(t *testing.T) {
	enc := &encoder{}
	var dropped []string
	line, err := enc.appendPoint(nil, metric.New("m", nil, map[string]any{"a": math.NaN(), "b": 1.0}, time.Unix(1, 0)),
		func(key string, err error) { dropped = append(dropped, key+": "+err.Error()) })
	require.NoError(t, err)
	require.Equal(t, "m b=1 1000000000\n", string(line))
	require.Equal(t, []string{"a: is NaN"}, dropped)
}

// The escape cache is bounded: a new map once it is full.
func TestEncoderEscapeCacheIsBounded(t *testing.T) {
	enc := &encoder{}
	for i := range maxEscapeCache + 10 {
		require.Equal(t, `a\ b`+string(rune('0'+i%10)), enc.tagText("a b"+string(rune('0'+i%10))))
		enc.tagText("x y" + string(rune(i)))
	}
	require.LessOrEqual(t, len(enc.cache), maxEscapeCache)
}

func FuzzEncoderWritesWhatTelegrafWrites(f *testing.F) {
	f.Add("mip_metric", "display_name", "Login page", "metric", `Step 1\`, "value", "text \"x\"",
		1.5, int64(-2), uint64(math.MaxUint64), true, int64(1795600800000000000))
	f.Add("a,b c", "k=1", "v\n", "", ",", "", "", math.NaN(), int64(0), uint64(0), false, int64(-1))
	enc := &encoder{}
	f.Fuzz(func(t *testing.T, name, k1, v1, k2, v2, fieldKey, s string, fl float64, i int64, u uint64, b bool, ns int64) {
		tags := map[string]string{k1: v1, k2: v2}
		fields := map[string]any{fieldKey: fl, fieldKey + "_s": s, fieldKey + "_i": i, fieldKey + "_u": u, fieldKey + "_b": b}
		requireSameAsTelegraf(t, enc, metric.New(name, tags, fields, time.Unix(0, ns)))
		requireSameAsTelegraf(t, enc, metric.New(name, tags, map[string]any{fieldKey: s}, time.Unix(0, ns)))
	})
}
