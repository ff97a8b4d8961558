// Package mipapi is the MIP API as the plugin uses it: the HTTP client of
// a MIP instance (key header, redirects, retries, size and silence limits,
// status errors), the types of its JSON, the streaming decoder of
// /api/measures/details and the decoder of /api/measures/, and the parsing
// of run times. It knows nothing about Telegraf.
package mipapi

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
)

// This file describes MIP's JSON and reads its values. MIP has no public API
// documentation, so every type here is tolerant where the reference plugin's code shows MIP
// to be loose: numbers may arrive as strings, texts as numbers, objects as
// null, and metricInfo may say "label" instead of "alias".

// MeasureEntry is one element of the "results" array of /api/measures/details.
type MeasureEntry struct {
	// Measure is the measure the runs are of; nil when the entry has none.
	Measure *Measure
	// MetricInfo describes the metrics of the runs, by metric key.
	MetricInfo map[string]MetricInfo
	// results are the runs a gather may emit, in the order MIP sent them
	// (in newest-only mode, the newest last), still raw: a gather decodes
	// only those it emits.
	results []rawRun
	runs    runArena // the JSON of results
	// badKeys are the first run keys that are not times, of badKeyCount.
	badKeys     []error
	badKeyCount int
	behind      Behind
	keyBuf      []byte // the key of the run being read
	newest      []byte // the newest run, in newest-only mode
	newestKey   []byte // its key, as MIP wrote it
	shrunk      []byte // the run being read, its long texts cut
	names       interner
}

// rawRun is one member of an entry's "results" object: its key read as a
// time, and where its value is kept in the entry's arena. It is small, and
// the key is not kept: a response may hold millions of runs.
type rawRun struct {
	ns  int64  // the run's time, in nanoseconds since 1970
	pos uint64 // arena chunk << 32 | offset in the chunk
}

// time is when the run started.
func (r rawRun) time() time.Time { return time.Unix(0, r.ns).UTC() }

func (r rawRun) chunk() int { return int(r.pos >> 32) }

// reset empties e for the next entry, keeping its buffers.
func (e *MeasureEntry) reset() {
	*e = MeasureEntry{
		results: e.results[:0], runs: e.runs, badKeys: e.badKeys[:0], keyBuf: e.keyBuf, newest: e.newest, newestKey: e.newestKey[:0], shrunk: e.shrunk,
		names: e.names,
	}
	e.runs.reset()
}

// addRun keeps a run for the gather.
func (e *MeasureEntry) addRun(ns int64, value []byte) {
	e.results = append(e.results, rawRun{ns: ns, pos: e.runs.add(value)})
}

// NewestKey is the key, as MIP wrote it, of the run kept as the newest in
// newest-only mode ("" without one): what the Centreon Perl plugin's
// --memory keeps, and compares as text.
func (e *MeasureEntry) NewestKey() string { return string(e.newestKey) }

// raw returns the JSON of r.
func (e *MeasureEntry) raw(r rawRun) []byte { return e.runs.get(r.pos) }

// runArena holds the values of runs back to back, each behind its length,
// in chunks that are filled and never moved: a buffer that grew by copying
// would, for a moment, take twice the memory of a scenario with millions
// of runs.
type runArena struct {
	chunks [][]byte
	used   int // chunks[:used] hold runs; the others are kept for reuse
}

// arenaChunk is the size of an arena chunk; a larger run gets its own.
const arenaChunk = 1 << 20

func (a *runArena) reset() {
	for i := range a.chunks[:a.used] {
		a.chunks[i] = a.chunks[i][:0]
	}
	a.used = 0
}

// add keeps value and returns where it is.
func (a *runArena) add(value []byte) (pos uint64) {
	need := binary.MaxVarintLen64 + len(value)
	if a.used == 0 || cap(a.chunks[a.used-1])-len(a.chunks[a.used-1]) < need {
		if a.used == len(a.chunks) {
			a.chunks = append(a.chunks, make([]byte, 0, max(arenaChunk, need)))
		} else if cap(a.chunks[a.used]) < need { // too small, or released
			a.chunks[a.used] = make([]byte, 0, max(arenaChunk, need))
		}
		a.used++
	}
	c := &a.chunks[a.used-1]
	// A run starts within arenaChunk of its chunk's start, or at 0.
	pos = uint64(a.used-1)<<32 | uint64(len(*c))
	*c = binary.AppendUvarint(*c, uint64(len(value)))
	*c = append(*c, value...)
	return pos
}

// release lets the memory of a chunk go: none of its runs is used again.
// Raw slices of its runs already handed out stay valid.
func (a *runArena) release(chunk int) { a.chunks[chunk] = nil }

func (a *runArena) get(pos uint64) []byte {
	b := a.chunks[pos>>32][pos&(1<<32-1):]
	n, w := binary.Uvarint(b)
	return b[w : w+int(n) : w+int(n)]
}

// Measure is a MIP measure: one scenario replayed by one robot.
type Measure struct {
	// ID identifies the measure; an entry without one is not read.
	ID Text
	// Name is the measure's name, which may be empty.
	Name Text
	// DisplayName is the name MIP's screens show.
	DisplayName Text
	// Frequency is how often the robot replays the scenario, in seconds.
	Frequency Number
	// Timeout is the measure's timeout, as MIP sends it.
	Timeout Number
	// Scenario is what the measure replays; nil when MIP sends none.
	Scenario *Scenario
}

// Scenario is what a measure replays.
type Scenario struct {
	Name        Text         `json:"name"`
	Application *Application `json:"application"`
}

// Application is what a scenario tests.
type Application struct {
	Name Text `json:"name"`
}

// MetricInfo describes one metric key of a measure; MIP before 6.x sends
// "label" where newer versions send "alias".
type MetricInfo struct {
	Alias Text
	Label Text
	Unit  Text
}

// Name is what users know the metric of the given key by.
func (i MetricInfo) Name(key string) string {
	switch {
	case i.Alias != "":
		return string(i.Alias)
	case i.Label != "":
		return string(i.Label)
	}
	return key
}

// ScenarioName is what the scenario tag and the filters call the measure:
// its name, or its scenario's when it has none.
func (m *Measure) ScenarioName() string {
	if m.Name == "" && m.Scenario != nil {
		return string(m.Scenario.Name)
	}
	return string(m.Name)
}

// ApplicationName is the name of the application of the measure's
// scenario, or empty.
func (m *Measure) ApplicationName() string {
	if m.Scenario == nil || m.Scenario.Application == nil {
		return ""
	}
	return string(m.Scenario.Application.Name)
}

// Run is one replay of a scenario, keyed by its time in a MeasureEntry.
type Run struct {
	// State is how the run ended; nil when MIP sends none.
	State *RunState
	// Metrics are the run's measured values, by metric key.
	Metrics map[string]Number
	// FormatedMetrics are the run's formatted values, by label, still raw.
	FormatedMetrics map[string]json.RawMessage //nolint:misspell // MIP's spelling
}

// RunState is how a run ended: its Type is OK, WARNING, CRITICAL or UNKNOWN.
type RunState struct {
	Type Text
}

// Text is a JSON string that also accepts numbers and booleans (kept as
// written) and null (empty).
type Text string

// UnmarshalJSON reads a string, a number or a boolean as written, and null as
// empty; an object or an array is an error.
func (t *Text) UnmarshalJSON(b []byte) error {
	v, err := parseText(b)
	if err != nil {
		return err
	}
	*t = v
	return nil
}

// parseText reads the JSON value b as a Text: a string unquoted, a number
// or a boolean as written, null as empty; an object or an array is an
// error.
func parseText(b []byte) (Text, error) {
	b = bytes.TrimSpace(b)
	switch kind := kindOf(b); kind {
	case jsontext.KindNull:
		return "", nil
	case jsontext.KindString:
		s, err := unquote(b)
		return Text(s), err
	case jsontext.KindBeginObject, jsontext.KindBeginArray:
		return "", &json.UnmarshalTypeError{Value: kindWord(kind), Type: reflect.TypeFor[string]()}
	}
	return Text(b), nil
}

// Number is a JSON value read as a metric value. It never fails to decode:
// a null, a non-numeric string, or a number beyond float64 leaves it invalid,
// with the reason kept for the debug log, so that one bad value does not cost
// the whole scenario.
type Number struct {
	// Value is the number, when Valid.
	Value float64
	// Valid tells whether the JSON value was a finite number.
	Valid bool
	// Problem says why the value is not valid, for the debug log.
	Problem string
}

// ParseNumber reads a JSON number, or a JSON string holding one.
func ParseNumber(b []byte) Number {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		return Number{Problem: "null"}
	}
	if b[0] == '"' {
		s, err := unquote(b)
		if err != nil {
			return Number{Problem: "invalid string"}
		}
		return parseFloat(strings.TrimSpace(s))
	} else if b[0] != '-' && (b[0] < '0' || b[0] > '9') {
		return Number{Problem: "a " + kindWord(kindOf(b)) + " is not a number"}
	}
	// The conversion does not escape (ParseFloat copies what its error
	// keeps): no allocation for a number.
	if v, err := strconv.ParseFloat(string(b), 64); err == nil && !math.IsNaN(v) && !math.IsInf(v, 0) {
		return Number{Value: v, Valid: true}
	}
	return parseFloat(string(b))
}

// parseFloat reads a number literal.
func parseFloat(literal string) Number {
	v, err := strconv.ParseFloat(literal, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return Number{Problem: fmt.Sprintf("%.40q is not a finite number", literal)}
	}
	return Number{Value: v, Valid: true}
}

// kindOf is the kind of the JSON value b, told by its first byte: anything
// else than a string, an object, an array, a boolean or null is a number.
// Nothing (an empty b) is jsontext.KindInvalid.
func kindOf(b []byte) jsontext.Kind {
	if len(b) == 0 {
		return jsontext.KindInvalid
	}
	switch k := jsontext.Kind(b[0]); k {
	case jsontext.KindBeginObject, jsontext.KindBeginArray, jsontext.KindString, jsontext.KindTrue, jsontext.KindFalse, jsontext.KindNull:
		return k
	}
	return jsontext.KindNumber
}

// Kind names the kind of the JSON value raw for messages: "object",
// "array", "string", "number", "boolean" or "null".
func Kind(raw []byte) string { return kindWord(kindOf(bytes.TrimSpace(raw))) }

// FormattedText reads a formatted metric as text: a string as is, a number
// or boolean as written. Null, objects and arrays have no text.
func FormattedText(raw json.RawMessage) (string, bool) {
	raw = bytes.TrimSpace(raw)
	switch kindOf(raw) {
	case jsontext.KindInvalid, jsontext.KindNull, jsontext.KindBeginObject, jsontext.KindBeginArray:
		return "", false
	}
	t, err := parseText(raw)
	return string(t), err == nil
}

// DiscoveredMeasure is one element of the "results" array of /api/measures/.
type DiscoveredMeasure struct {
	ID          Text      `json:"id"`
	Name        Text      `json:"name"`
	Alias       Text      `json:"alias"`
	DisplayName Text      `json:"displayName"`
	Scenario    *Scenario `json:"scenario"`
	Agent       *Agent    `json:"agent"`
}

// Agent is the robot that replays a measure.
type Agent struct {
	ID   Text `json:"id"`
	Name Text `json:"name"`
}

// plainString returns the text of the JSON string b when it reads as it is
// written (no escape, valid UTF-8), and false otherwise.
func plainString(b []byte) ([]byte, bool) {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return nil, false
	}
	inner := b[1 : len(b)-1]
	return inner, bytes.IndexByte(inner, '\\') < 0 && bytes.IndexByte(inner, '"') < 0 && utf8.Valid(inner)
}

// unquote reads a JSON string. Most of MIP's strings have no escape: those
// are read without a second pass of encoding/json.
func unquote(b []byte) (string, error) {
	if inner, ok := plainString(b); ok {
		return string(inner), nil
	}
	var s string
	err := json.Unmarshal(b, &s)
	return s, err
}
