package mipapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/go-json-experiment/json/jsontext"
)

// The wire types are decoded by hand from jsontext tokens rather than by
// encoding/json's reflection, which cost a fifth of a gather's time. The
// tolerance is encoding/json's: member names match case-insensitively,
// unknown members are skipped, a member sent twice counts last, null leaves
// a value empty. A value of the wrong type is a problem worded as
// encoding/json words it ("field "measure.id": expected string, got a JSON
// object"); the decoding goes on past it and the first problem is kept.

// problems keeps the first problem met while decoding one value.
type problems struct{ first error }

// keep keeps err if it is the first problem.
func (p *problems) keep(err error) {
	if p.first == nil {
		p.first = err
	}
}

// fieldPath names a member for messages, as "metricInfo.m1.alias" or
// "results.2026-11-25T10:00:00Z.metrics" (the key of a run is its time,
// written out only for a message): its parts are joined only when a
// problem is reported, not for every member read. The zero fieldPath is a
// whole entry.
type fieldPath struct {
	prefix, key, suffix string
	run                 time.Time
}

func (p fieldPath) String() string {
	key := p.key
	if !p.run.IsZero() {
		key = TimedRun{Time: p.run}.Key()
	}
	return p.prefix + key + p.suffix
}

// pathOf is the path of a fixed member.
func pathOf(s string) fieldPath { return fieldPath{prefix: s} }

// add keeps, if it is the first, the problem of a value of the given kind
// found where expected was, at path ("" for a whole entry).
func (p *problems) add(path fieldPath, expected string, kind jsontext.Kind) {
	switch {
	case p.first != nil:
	case path == fieldPath{}:
		p.first = fmt.Errorf("expected %s, got a JSON %s", expected, kindWord(kind))
	default:
		p.first = fmt.Errorf("field %q: expected %s, got a JSON %s", path.String(), expected, kindWord(kind))
	}
}

// openObject reads the '{' of an object where one is expected, at path. A
// null is an empty object; any other value is skipped and reported to
// probs. open tells whether members follow.
func openObject(dec *decoder, path fieldPath, expected string, probs *problems) (open bool, err error) {
	switch kind := dec.PeekKind(); kind {
	case jsontext.KindBeginObject:
		_, err = dec.ReadToken()
		return err == nil, err
	case jsontext.KindNull:
		_, err = dec.ReadToken()
		return false, err
	default:
		probs.add(path, expected, kind)
		return false, dec.SkipValue()
	}
}

// members calls fn for each member of the object dec is at, with the
// member's name, unquoted; what is not an object is as openObject takes it.
// The name is valid until fn reads from dec: fn looks at it first.
func members(dec *decoder, path fieldPath, expected string, probs *problems, fn func(name []byte) error) error {
	if open, err := openObject(dec, path, expected, probs); !open {
		return err
	}
	var unquoted []byte
	for dec.PeekKind() == jsontext.KindString {
		raw, err := dec.ReadValue()
		if err != nil {
			return err
		}
		// A name without escapes is read in place, not copied.
		name := raw[1 : len(raw)-1]
		if bytes.IndexByte(name, '\\') >= 0 {
			if unquoted, err = jsontext.AppendUnquote(unquoted[:0], raw); err != nil {
				return err
			}
			name = unquoted
		}
		if err := fn(name); err != nil {
			return err
		}
	}
	_, err := dec.ReadToken() // the closing '}'
	return err
}

// unquoteName appends the unquoted JSON string raw to dst.
func unquoteName(dst, raw []byte) ([]byte, error) {
	if bytes.IndexByte(raw, '\\') < 0 {
		return append(dst, raw[1:len(raw)-1]...), nil
	}
	return jsontext.AppendUnquote(dst, raw)
}

// readText reads a member as text: a string, or a number or boolean as
// written; null is empty.
// Plain short strings are taken from names, when given.
func readText(dec *decoder, path fieldPath, probs *problems, names *interner) (Text, error) {
	kind := dec.PeekKind()
	raw, err := dec.ReadValue()
	if err != nil {
		return "", err
	}
	switch kind {
	case jsontext.KindBeginObject, jsontext.KindBeginArray:
		probs.add(path, "string", kind)
		return "", nil
	}
	if len(raw) > maxTextBytes {
		// No point could carry it: it is not copied, only reported.
		if probs.first == nil {
			probs.first = fmt.Errorf("field %q: a text over %d bytes, more than a point can carry", path.String(), TextLimit)
		}
		return "", nil
	}
	if s, ok := names.quoted(raw); ok {
		return Text(s), nil
	}
	return parseText(raw)
}

// readNumber reads a member as a metric value; it never fails on content.
func readNumber(dec *decoder) (Number, error) {
	raw, err := dec.ReadValue()
	if err != nil {
		return Number{}, err
	}
	return ParseNumber(raw), nil
}

func is(name []byte, want string) bool { return bytes.EqualFold(name, []byte(want)) }

// measureStore is a measure with its scenario and application, allocated
// together.
type measureStore struct {
	measure     Measure
	scenario    Scenario
	application Application
}

// decodeMeasure reads the "measure" member of an entry; warn is told of a
// frequency or timeout out of range.
func decodeMeasure(dec *decoder, probs *problems, names *interner, warn func(string)) (*Measure, error) {
	if dec.PeekKind() == jsontext.KindNull {
		_, err := dec.ReadToken()
		return nil, err
	}
	st := new(measureStore)
	m := &st.measure
	err := members(dec, pathOf("measure"), "mip.measure", probs, func(name []byte) (err error) {
		switch {
		case is(name, "id"):
			m.ID, err = readText(dec, pathOf("measure.id"), probs, nil)
		case is(name, "name"):
			m.Name, err = readText(dec, pathOf("measure.name"), probs, nil)
		case is(name, "displayName"):
			m.DisplayName, err = readText(dec, pathOf("measure.displayName"), probs, nil)
		case is(name, "frequency"):
			m.Frequency, err = readNumber(dec)
		case is(name, "timeout"):
			m.Timeout, err = readNumber(dec)
		case is(name, "scenario"):
			m.Scenario, err = decodeScenario(dec, probs, st, names)
		default:
			err = dec.SkipValue()
		}
		return err
	})
	if err == nil {
		inSaneRange(&m.Frequency, m.ID, "frequency", warn)
		inSaneRange(&m.Timeout, m.ID, "timeout", warn)
	}
	return m, err
}

// The range of seconds a measure's frequency or timeout is taken in: MIP
// replays scenarios every few minutes, with timeouts of a minute or so;
// outside it, a value is a mistake that would divide by nearly zero or
// overflow a conversion, and is treated as unknown (as when MIP sends
// none). A timeout of 0 is MIP's "none", unknown without a word.
const (
	MinMeasureSeconds = 1
	MaxMeasureSeconds = 7 * 24 * 3600 // a week
)

// inSaneRange makes n, a frequency or timeout in seconds, unknown when it
// lies outside MinMeasureSeconds..MaxMeasureSeconds, and tells warn.
func inSaneRange(n *Number, id Text, what string, warn func(string)) {
	if !n.Valid || (what == "timeout" && n.Value == 0) || (n.Value >= MinMeasureSeconds && n.Value <= MaxMeasureSeconds) {
		return
	}
	problem := fmt.Sprintf("%s %g s is outside 1 s to 1 week: treated as unknown", what, n.Value)
	if warn != nil {
		warn(fmt.Sprintf("scenario id %s: %s", id, problem))
	}
	*n = Number{Problem: problem}
}

func decodeScenario(dec *decoder, probs *problems, st *measureStore, names *interner) (*Scenario, error) {
	if dec.PeekKind() == jsontext.KindNull {
		_, err := dec.ReadToken()
		return nil, err
	}
	s := &st.scenario
	*s = Scenario{}
	err := members(dec, pathOf("measure.scenario"), "mip.scenario", probs, func(name []byte) (err error) {
		switch {
		case is(name, "name"):
			s.Name, err = readText(dec, pathOf("measure.scenario.name"), probs, nil)
		case is(name, "application"):
			if dec.PeekKind() == jsontext.KindNull {
				s.Application = nil
				_, err = dec.ReadToken()
				return err
			}
			app := &st.application
			*app = Application{}
			err = members(dec, pathOf("measure.scenario.application"), "mip.application", probs, func(name []byte) (err error) {
				if is(name, "name") {
					app.Name, err = readText(dec, pathOf("measure.scenario.application.name"), probs, names)
					return err
				}
				return dec.SkipValue()
			})
			s.Application = app
		default:
			err = dec.SkipValue()
		}
		return err
	})
	return s, err
}

// decodeMetricInfo reads the "metricInfo" member of an entry.
func decodeMetricInfo(dec *decoder, probs *problems, names *interner) (map[string]MetricInfo, error) {
	info := make(map[string]MetricInfo)
	err := members(dec, pathOf("metricInfo"), "map[string]mip.metricInfo", probs, func(key []byte) error {
		var mi MetricInfo
		k := names.get(key)
		path := fieldPath{prefix: "metricInfo.", key: k, suffix: ""}
		err := members(dec, path, "mip.metricInfo", probs, func(name []byte) (err error) {
			switch {
			case is(name, "alias"):
				mi.Alias, err = readText(dec, fieldPath{prefix: "metricInfo.", key: k, suffix: ".alias"}, probs, names)
			case is(name, "label"):
				mi.Label, err = readText(dec, fieldPath{prefix: "metricInfo.", key: k, suffix: ".label"}, probs, names)
			case is(name, "unit"):
				mi.Unit, err = readText(dec, fieldPath{prefix: "metricInfo.", key: k, suffix: ".unit"}, probs, names)
			default:
				err = dec.SkipValue()
			}
			return err
		})
		info[k] = mi
		return err
	})
	return info, err
}

// RunDecoder decodes the raw runs a gather emits, one after the other,
// reusing its buffers: a decoded run is valid until the next Decode.
type RunDecoder struct {
	dec   *decoder
	run   Run
	state RunState
	// metrics and formatted are the maps of run, emptied for each run;
	// texts holds the raw formatted values.
	metrics   map[string]Number
	formatted map[string]json.RawMessage
	texts     []byte
	names     interner
}

// Decode sets tr.Run from tr.Raw. The run, its maps and values are reused
// by the next Decode.
func (d *RunDecoder) Decode(tr *TimedRun) error {
	// The run is read in place, without a copy.
	if d.dec == nil {
		d.dec = new(decoder)
	}
	d.dec.resetBytes(tr.Raw)
	if err := d.decodeRun(tr.Time); err != nil {
		return err
	}
	tr.Run = &d.run
	return nil
}

// decodeRun reads one run, kept raw until a gather emits it, into d.run.
func (d *RunDecoder) decodeRun(run time.Time) error {
	dec := d.dec
	var probs problems
	r := &d.run
	*r = Run{}
	d.texts = d.texts[:0]
	err := members(dec, fieldPath{prefix: "results.", run: run}, "mip.run", &probs, func(name []byte) (err error) {
		switch {
		case is(name, "state"):
			if dec.PeekKind() == jsontext.KindNull {
				r.State = nil
				_, err = dec.ReadToken()
				return err
			}
			d.state = RunState{}
			err = members(dec, fieldPath{prefix: "results.", suffix: ".state", run: run}, "mip.runState", &probs, func(name []byte) (err error) {
				if is(name, "type") {
					d.state.Type, err = readText(dec, fieldPath{prefix: "results.", suffix: ".state.type", run: run}, &probs, &d.names)
					return err
				}
				return dec.SkipValue()
			})
			r.State = &d.state
		case is(name, "metrics"):
			// Sent twice, the last counts.
			r.Metrics = reuse(&d.metrics)
			err = members(dec, fieldPath{prefix: "results.", suffix: ".metrics", run: run}, "map[string]mip.number", &probs, func(key []byte) error {
				k := d.names.get(key)
				n, err := readNumber(dec)
				r.Metrics[k] = n
				return err
			})
		case is(name, "formatedMetrics"):
			r.FormatedMetrics = reuse(&d.formatted)
			path := fieldPath{prefix: "results.", suffix: ".formatedMetrics", run: run}
			err = members(dec, path, "map[string]json.RawMessage", &probs, func(key []byte) error {
				k := d.names.get(key)
				raw, err := dec.ReadValue()
				if len(raw) > maxTextBytes {
					// No point can carry it: runPoints needs to know that much only.
					raw = tooLongText
				}
				at := len(d.texts)
				d.texts = append(d.texts, raw...)
				r.FormatedMetrics[k] = d.texts[at:len(d.texts):len(d.texts)]
				return err
			})
		default:
			err = dec.SkipValue()
		}
		return err
	})
	if err != nil {
		return syntaxError(err)
	}
	return probs.first
}

// reuse empties the map *m, made on first use, and returns it.
func reuse[V any](m *map[string]V) map[string]V {
	if *m == nil {
		*m = make(map[string]V)
	}
	clear(*m)
	return *m
}

// interner keeps one copy of the short texts that come back with every run
// and every scenario (metric keys, aliases, units, states), so that
// reading them again allocates nothing.
type interner struct{ texts map[string]string }

// Bounds of an interner: texts longer are not kept, and it starts afresh
// when full.
const (
	maxInternedLen = 64
	maxInterned    = 4096
)

// get returns b as a string, the kept copy when there is one.
func (in *interner) get(b []byte) string {
	if len(b) > maxInternedLen {
		return string(b)
	}
	if s, ok := in.texts[string(b)]; ok {
		return s
	}
	if in.texts == nil || len(in.texts) >= maxInterned {
		in.texts = make(map[string]string)
	}
	s := string(b)
	in.texts[s] = s
	return s
}

// quoted returns the text of the JSON string raw when it is plain (no
// escape, valid UTF-8, short), as unquote would, and false otherwise.
func (in *interner) quoted(raw []byte) (string, bool) {
	if in == nil || len(raw) > maxInternedLen+2 {
		return "", false
	}
	inner, ok := plainString(raw)
	if !ok {
		return "", false
	}
	return in.get(inner), true
}
