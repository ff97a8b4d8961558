package centreonplugin

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/telegraf-mip/telegraf-mip/internal/centreonrules"
	"github.com/telegraf-mip/telegraf-mip/internal/mipapi"
)

// scenario is what a check needs of one MIP measure: its names and its
// newest run, with each value already written as the Perl plugin writes it.
type scenario struct {
	id, name, displayName, app string
	hasApp                     bool
	// hasRun tells whether MIP sent a run in the window; runKey is the
	// newest run's key as MIP wrote it, what --memory remembers, as the
	// Perl plugin does.
	hasRun    bool
	runKey    string
	hasStatus bool
	status    string
	metrics   []metricValue // by alias, in byte order
	formatted []metricValue // by label, in byte order, without API_VERSION and SCRIPT_VERSION
}

// Value kinds: no value (JSON null, absent, an object), a number (written
// as Perl prints it) or a text.
const (
	noValue byte = iota
	numberValue
	textValue
)

type metricValue struct {
	label, unit string
	kind        byte
	value       string
}

// field is a --display-instance and filter variable of s, as the Perl
// plugin's mapping: app_name is "-" without an application.
func (s *scenario) field(name string) string {
	switch name {
	case "id":
		return s.id
	case "name":
		return s.name
	case "display_name":
		return s.displayName
	case "app_name":
		if !s.hasApp {
			return "-"
		}
		return s.app
	}
	return ""
}

// lookback is the window the Perl plugin reads: MIP's default, the last
// hour.
const lookback = time.Hour

// download asks MIP for every measure's runs of the last hour and keeps,
// of each, its newest run; progress is called as the answer comes.
func download(ctx context.Context, client *mipapi.Client, progress func()) ([]scenario, error) {
	body, err := client.MeasureDetails(ctx, lookback)
	if err != nil {
		return nil, err
	}
	defer body.Close()
	progress()
	var list []scenario
	var scenarioErr error // the first: the answer is still read to its end, whose errors come first
	details := mipapi.DecodeMeasureDetails(progressReader{body, progress})
	for details.Next() {
		e, err := details.Entry(mipapi.RunSelection{NewestOnly: true})
		if e == nil || err != nil || scenarioErr != nil {
			continue
		}
		s, err := newScenario(e)
		if err != nil {
			scenarioErr = err
			continue
		}
		list = append(list, s)
	}
	if err := cmp.Or(details.Err(), scenarioErr); err != nil {
		return nil, &decodeError{limitError(err)}
	}
	return list, nil
}

// progressReader calls progress after each read that brought bytes.
type progressReader struct {
	r        io.Reader
	progress func()
}

func (r progressReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if n > 0 {
		r.progress()
	}
	return n, err
}

// limitError words the limits of mipapi's reading for the check, which has
// no max_body_size option to raise; other errors are returned as they are.
func limitError(err error) error {
	var body *mipapi.BodyTooLargeError
	var value *mipapi.ValueTooLargeError
	switch {
	case errors.As(err, &body) && body.Compressed:
		return fmt.Errorf("MIP's answer, sent gzip-compressed, is over %d MiB once decompressed, more than any MIP answer of one hour "+
			"(10,000 scenarios: about 131 MB): it was not read further", body.Limit>>20)
	case errors.As(err, &body):
		return fmt.Errorf("MIP's answer is over %d MiB, more than any MIP answer of one hour (10,000 scenarios: about 131 MB): "+
			"it was not read further", body.Limit>>20)
	case errors.As(err, &value):
		return fmt.Errorf("MIP's answer holds a JSON value, or a run of whitespace, of more than %d MiB (after byte %d), "+
			"which no MIP answer holds: it was not read further", mipapi.MaxValueBytes>>20, value.Offset)
	}
	return err
}

// decodeError is an answer that is not what MIP sends.
type decodeError struct{ err error }

func (e *decodeError) Error() string { return "cannot decode response: " + e.err.Error() }

func (e *decodeError) Unwrap() error { return e.err }

// rawRun is a run as the Perl plugin reads it.
type rawRun struct {
	State *struct {
		Type json.RawMessage `json:"type"`
	} `json:"state"`
	Metrics         map[string]json.RawMessage `json:"metrics"`
	FormatedMetrics map[string]json.RawMessage `json:"formatedMetrics"` //nolint:misspell // MIP's spelling
}

func newScenario(e *mipapi.MeasureEntry) (scenario, error) {
	m := e.Measure
	s := scenario{id: nagiosText(string(m.ID)), name: nagiosText(string(m.Name)), displayName: nagiosText(string(m.DisplayName))}
	if m.Scenario != nil && m.Scenario.Application != nil {
		s.app, s.hasApp = nagiosText(string(m.Scenario.Application.Name)), true
	}
	runs, _, _ := e.Runs(time.Time{}, mipapi.MaxRunTime, true)
	var run rawRun
	for _, tr := range runs.All() {
		s.hasRun = true
		s.runKey = e.NewestKey()
		if err := json.Unmarshal(tr.Raw, &run); err != nil {
			return s, fmt.Errorf("run %s of measure %s: %w", s.runKey, s.id, err)
		}
	}
	if !s.hasRun {
		return s, nil
	}
	if run.State != nil {
		if kind, v := perlValue(run.State.Type); kind != noValue {
			s.hasStatus, s.status = true, nagiosText(v)
		}
	}
	// The Perl plugin keys metrics by alias: of two keys with one alias,
	// one is shown (here, the last key in byte order).
	keys := make([]string, 0, len(e.MetricInfo))
	for key := range e.MetricInfo {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	byAlias := make(map[string]metricValue, len(keys))
	for _, key := range keys {
		info := e.MetricInfo[key]
		mv := metricValue{label: nagiosText(info.Name(key)), unit: nagiosUnit(string(info.Unit))}
		mv.kind, mv.value = perlValue(run.Metrics[key])
		mv.value = nagiosText(mv.value)
		byAlias[mv.label] = mv
	}
	for _, mv := range byAlias {
		s.metrics = append(s.metrics, mv)
	}
	sort.Slice(s.metrics, func(i, j int) bool { return s.metrics[i].label < s.metrics[j].label })
	for label, raw := range run.FormatedMetrics {
		if centreonrules.VersionLabel(label) {
			continue
		}
		mv := metricValue{label: nagiosText(label)}
		mv.kind, mv.value = perlValue(raw)
		mv.value = nagiosText(mv.value)
		s.formatted = append(s.formatted, mv)
	}
	sort.Slice(s.formatted, func(i, j int) bool { return s.formatted[i].label < s.formatted[j].label })
	return s, nil
}

// nagiosText makes a text from MIP safe in a plugin's output, which Nagios
// and Centreon Engine read as a status line, long output lines, and
// perfdata after a "|": a line break would add a line that reads as a
// status or as perfdata, a "|" would start perfdata, a NUL ends the text
// in C, and the other control characters reach Centreon's pages raw. Each
// becomes a space, as line breaks do in the Telegraf side's string fields;
// a tab, harmless in a line, is kept as the Perl plugin keeps it. The Perl
// plugin passes them all through (output.pm only chomps a final line
// break); a clean text is returned as it is. The discovery XML needs none
// of this: its escaping keeps them, as the Perl plugin's does.
func nagiosText(s string) string {
	if strings.IndexFunc(s, unsafeInOutput) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if unsafeInOutput(r) {
			return ' '
		}
		return r
	}, s)
}

// nagiosUnit is a unit without the characters nagiosText replaces: a unit
// is written in the perfdata, where a space would end the value.
func nagiosUnit(s string) string {
	if strings.IndexFunc(s, unsafeInOutput) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if unsafeInOutput(r) {
			return -1
		}
		return r
	}, s)
}

func unsafeInOutput(r rune) bool { return (r < 0x20 && r != '\t') || r == 0x7f || r == '|' }

// perlValue reads a JSON value as the Perl plugin prints it: a number as
// Perl writes it, a string holding a number as it is, true and false as 1
// and 0; another string is a text; null, absent, objects and arrays are no
// value.
func perlValue(raw json.RawMessage) (byte, string) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return noValue, ""
	}
	switch raw[0] {
	case 'n', '{', '[':
		return noValue, ""
	case 't':
		return numberValue, "1"
	case 'f':
		return numberValue, "0"
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return noValue, ""
		}
		if _, err := strconv.ParseFloat(s, 64); err == nil && s != "" && !isNamedFloat(s) {
			return numberValue, s
		}
		return textValue, s
	}
	return numberValue, centreonrules.PerlNumber(string(raw))
}

// isNamedFloat tells the texts ParseFloat reads that Perl does not see as
// numbers in perfdata (Inf, NaN and the like) or that are hexadecimal.
func isNamedFloat(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && c != '.' && c != '-' && c != '+' && c != 'e' && c != 'E' {
			return true
		}
	}
	return false
}

// The cache file: a magic line, the download time, the length and CRC of
// the payload, then the payload: the scenarios, each as its index (names)
// and its body (run), length-prefixed, so that a check decodes the names
// of all and the runs of the ones it shows only. Version 2 keeps the run
// keys as MIP wrote them (version 1, RFC 3339 times, is downloaded again).
const cacheMagic = "telegraf-mip centreon cache 2\n"

type encoder struct{ buf []byte }

func (e *encoder) str(s string) {
	e.buf = binary.AppendUvarint(e.buf, uint64(len(s)))
	e.buf = append(e.buf, s...)
}

func (e *encoder) flag(b bool) {
	if b {
		e.buf = append(e.buf, 1)
	} else {
		e.buf = append(e.buf, 0)
	}
}

func encodeScenarios(list []scenario) []byte {
	e := &encoder{}
	e.buf = binary.AppendUvarint(e.buf, uint64(len(list)))
	var body encoder
	for i := range list {
		s := &list[i]
		e.str(s.id)
		e.str(s.name)
		e.str(s.displayName)
		e.str(s.app)
		e.flag(s.hasApp)
		body.buf = body.buf[:0]
		body.flag(s.hasRun)
		body.str(s.runKey)
		body.flag(s.hasStatus)
		body.str(s.status)
		for _, values := range [][]metricValue{s.metrics, s.formatted} {
			body.buf = binary.AppendUvarint(body.buf, uint64(len(values)))
			for _, v := range values {
				body.str(v.label)
				body.str(v.unit)
				body.buf = append(body.buf, v.kind)
				body.str(v.value)
			}
		}
		e.str(string(body.buf))
	}
	return e.buf
}

var errDamaged = errors.New("damaged cache")

type decoder struct {
	buf []byte
	err error
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.buf)
	if n <= 0 {
		d.err = errDamaged
		d.buf = nil
		return 0
	}
	d.buf = d.buf[n:]
	return v
}

func (d *decoder) bytes() []byte {
	n := d.uvarint()
	if n > uint64(len(d.buf)) {
		d.err = errDamaged
		d.buf = nil
		return nil
	}
	b := d.buf[:n:n]
	d.buf = d.buf[n:]
	return b
}

func (d *decoder) str() string { return string(d.bytes()) }

func (d *decoder) byte() byte {
	if len(d.buf) == 0 {
		d.err = errDamaged
		return 0
	}
	b := d.buf[0]
	d.buf = d.buf[1:]
	return b
}

// indexEntry is a scenario's names, read in place in the cache file (a
// check reads the names of all the scenarios and decodes the few it shows:
// no string is made for the others), and its still encoded run; or a
// scenario just downloaded, whole.
type indexEntry struct {
	id, name, displayName, app []byte
	hasApp                     bool
	body                       []byte
	full                       *scenario // set for a download
}

// field is a filter variable of the entry, as scenario.field.
func (ie *indexEntry) field(name string) []byte {
	if ie.full != nil {
		return []byte(ie.full.field(name))
	}
	switch name {
	case "id":
		return ie.id
	case "name":
		return ie.name
	case "display_name":
		return ie.displayName
	case "app_name":
		if !ie.hasApp {
			return []byte("-")
		}
		return ie.app
	}
	return nil
}

// entries are the scenarios a check reads: the payload of a cache file,
// read in place, or a list just downloaded.
type entries struct {
	payload []byte
	list    []scenario
}

// each calls fn with every scenario's entry, in MIP's order. The entry is
// reused: fn keeps nothing of it but what decodeBody returns.
func (e entries) each(fn func(*indexEntry) error) error {
	var ie indexEntry
	if e.payload == nil {
		for i := range e.list {
			ie = indexEntry{full: &e.list[i]}
			if err := fn(&ie); err != nil {
				return err
			}
		}
		return nil
	}
	d := &decoder{buf: e.payload}
	n := d.uvarint()
	for range n {
		ie.id = d.bytes()
		ie.name = d.bytes()
		ie.displayName = d.bytes()
		ie.app = d.bytes()
		ie.hasApp = d.byte() == 1
		ie.body = d.bytes()
		if d.err != nil {
			return d.err
		}
		if err := fn(&ie); err != nil {
			return err
		}
	}
	if d.err == nil && len(d.buf) != 0 {
		return errDamaged
	}
	return d.err
}

// decodeBody returns the whole scenario of an entry.
func decodeBody(ie *indexEntry) (scenario, error) {
	if ie.full != nil {
		return *ie.full, nil
	}
	s := scenario{id: string(ie.id), name: string(ie.name), displayName: string(ie.displayName), app: string(ie.app), hasApp: ie.hasApp}
	d := &decoder{buf: ie.body}
	s.hasRun = d.byte() == 1
	s.runKey = d.str()
	s.hasStatus = d.byte() == 1
	s.status = d.str()
	for _, values := range []*[]metricValue{&s.metrics, &s.formatted} {
		n := d.uvarint()
		if n > uint64(len(ie.body)) {
			return s, errDamaged
		}
		for range n {
			var v metricValue
			v.label = d.str()
			v.unit = d.str()
			v.kind = d.byte()
			v.value = d.str()
			*values = append(*values, v)
		}
	}
	if d.err != nil {
		return s, d.err
	}
	return s, nil
}
