package mip

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
)

// This file only describes MIP's JSON. MIP has no public API documentation,
// so every type here is tolerant where the reference plugin's code shows MIP
// to be loose: numbers may arrive as strings, texts as numbers, objects as
// null, and metricInfo may say "label" instead of "alias".

// measureEntry is one element of the "results" array of /api/measures/details.
type measureEntry struct {
	Measure    *measure
	MetricInfo map[string]metricInfo
	// Results are the runs a gather may emit, in the order MIP sent them
	// (in newest-only mode, the newest last), still raw: a gather decodes
	// only those it emits.
	Results []rawRun
	runs    runArena // the JSON of Results
	// badKeys are the first run keys that are not times, of badKeyCount.
	badKeys     []error
	badKeyCount int
	keyBuf      []byte // the key of the run being read
	newest      []byte // the newest run, in newest-only mode
	shrunk      []byte // the run being read, its long texts cut
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
func (e *measureEntry) reset() {
	*e = measureEntry{Results: e.Results[:0], runs: e.runs, badKeys: e.badKeys[:0], keyBuf: e.keyBuf, newest: e.newest, shrunk: e.shrunk}
	e.runs.reset()
}

// addRun keeps a run for the gather.
func (e *measureEntry) addRun(ns int64, value []byte) {
	e.Results = append(e.Results, rawRun{ns: ns, pos: e.runs.add(value)})
}

// raw returns the JSON of r.
func (e *measureEntry) raw(r rawRun) []byte { return e.runs.get(r.pos) }

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

// measure is a MIP measure: one scenario replayed by one robot.
type measure struct {
	ID          text      `json:"id"`
	Name        text      `json:"name"`
	DisplayName text      `json:"displayName"`
	Frequency   number    `json:"frequency"`
	Timeout     number    `json:"timeout"`
	Scenario    *scenario `json:"scenario"`
}

type scenario struct {
	Name        text         `json:"name"`
	Application *application `json:"application"`
}

type application struct {
	Name text `json:"name"`
}

// metricInfo describes one metric key of a measure; MIP before 6.x sends
// "label" where newer versions send "alias".
type metricInfo struct {
	Alias text `json:"alias"`
	Label text `json:"label"`
	Unit  text `json:"unit"`
}

// name is what users know the metric by.
func (i metricInfo) name(key string) string {
	switch {
	case i.Alias != "":
		return string(i.Alias)
	case i.Label != "":
		return string(i.Label)
	}
	return key
}

// run is one replay of a scenario, keyed by its time in measureEntry.Results.
type run struct {
	State           *runState                  `json:"state"`
	Metrics         map[string]number          `json:"metrics"`
	FormatedMetrics map[string]json.RawMessage `json:"formatedMetrics"` //nolint:misspell // MIP's spelling
}

type runState struct {
	Type text `json:"type"`
}

// text is a JSON string that also accepts numbers and booleans (kept as
// written) and null (empty).
type text string

// UnmarshalJSON reads a string, a number or a boolean as written, and null as
// empty; an object or an array is an error.
func (t *text) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*t = ""
	case b[0] == '"':
		s, err := unquote(b)
		if err != nil {
			return err
		}
		*t = text(s)
	case b[0] == '{' || b[0] == '[':
		return &json.UnmarshalTypeError{Value: jsonKind(b), Type: reflect.TypeFor[string]()}
	default:
		*t = text(b)
	}
	return nil
}

// number is a JSON value read as a metric value. It never fails to decode:
// a null, a non-numeric string, or a number beyond float64 leaves it invalid,
// with the reason kept for the debug log, so that one bad value does not cost
// the whole scenario.
type number struct {
	Value float64
	Valid bool
	// Problem says why the value is not valid, for the debug log.
	Problem string
}

// UnmarshalJSON never fails: a value that is not a number leaves n invalid.
func (n *number) UnmarshalJSON(b []byte) error {
	*n = parseNumber(b)
	return nil
}

// parseNumber reads a JSON number, or a JSON string holding one.
func parseNumber(b []byte) number {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		return number{Problem: "null"}
	}
	literal := string(b)
	if b[0] == '"' {
		s, err := unquote(b)
		if err != nil {
			return number{Problem: "invalid string"}
		}
		literal = strings.TrimSpace(s)
	} else if b[0] != '-' && (b[0] < '0' || b[0] > '9') {
		return number{Problem: "a " + jsonKind(b) + " is not a number"}
	}
	v, err := strconv.ParseFloat(literal, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return number{Problem: fmt.Sprintf("%.40q is not a finite number", literal)}
	}
	return number{Value: v, Valid: true}
}

// jsonKind names the kind of the JSON value b for messages.
func jsonKind(b []byte) string {
	if len(b) == 0 {
		return "nothing"
	}
	switch b[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

// discoveredMeasure is one element of the "results" array of /api/measures/.
type discoveredMeasure struct {
	ID          text      `json:"id"`
	Name        text      `json:"name"`
	Alias       text      `json:"alias"`
	DisplayName text      `json:"displayName"`
	Scenario    *scenario `json:"scenario"`
	Agent       *agent    `json:"agent"`
}

type agent struct {
	ID   text `json:"id"`
	Name text `json:"name"`
}

// unquote reads a JSON string. Most of MIP's strings have no escape: those
// are read without a second pass of encoding/json.
func unquote(b []byte) (string, error) {
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' {
		if inner := b[1 : len(b)-1]; bytes.IndexByte(inner, '\\') < 0 && bytes.IndexByte(inner, '"') < 0 && utf8.Valid(b) {
			return string(inner), nil
		}
	}
	var s string
	err := json.Unmarshal(b, &s)
	return s, err
}
