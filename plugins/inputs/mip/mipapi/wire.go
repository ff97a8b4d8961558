package mipapi

import (
	"bytes"
	"encoding/json"
	"fmt"

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

// add keeps, if it is the first, the problem of a value of the given kind
// found where expected was, at path ("" for a whole entry).
func (p *problems) add(path, expected string, kind jsontext.Kind) {
	switch {
	case p.first != nil:
	case path == "":
		p.first = fmt.Errorf("expected %s, got a JSON %s", expected, kindWord(kind))
	default:
		p.first = fmt.Errorf("field %q: expected %s, got a JSON %s", path, expected, kindWord(kind))
	}
}

// openObject reads the '{' of an object where one is expected, at path. A
// null is an empty object; any other value is skipped and reported to
// probs. open tells whether members follow.
func openObject(dec *jsontext.Decoder, path, expected string, probs *problems) (open bool, err error) {
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
func members(dec *jsontext.Decoder, path, expected string, probs *problems, fn func(name []byte) error) error {
	if open, err := openObject(dec, path, expected, probs); !open {
		return err
	}
	var name []byte
	for dec.PeekKind() == jsontext.KindString {
		raw, err := dec.ReadValue()
		if err != nil {
			return err
		}
		if name, err = unquoteName(name[:0], raw); err != nil {
			return err
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
func readText(dec *jsontext.Decoder, path string, probs *problems) (Text, error) {
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
			probs.first = fmt.Errorf("field %q: a text over %d bytes, more than a point can carry", path, TextLimit)
		}
		return "", nil
	}
	return parseText(raw)
}

// readNumber reads a member as a metric value; it never fails on content.
func readNumber(dec *jsontext.Decoder) (Number, error) {
	raw, err := dec.ReadValue()
	if err != nil {
		return Number{}, err
	}
	return ParseNumber(raw), nil
}

func is(name []byte, want string) bool { return bytes.EqualFold(name, []byte(want)) }

// decodeMeasure reads the "measure" member of an entry.
func decodeMeasure(dec *jsontext.Decoder, probs *problems) (*Measure, error) {
	if dec.PeekKind() == jsontext.KindNull {
		_, err := dec.ReadToken()
		return nil, err
	}
	m := &Measure{}
	err := members(dec, "measure", "mip.measure", probs, func(name []byte) (err error) {
		switch {
		case is(name, "id"):
			m.ID, err = readText(dec, "measure.id", probs)
		case is(name, "name"):
			m.Name, err = readText(dec, "measure.name", probs)
		case is(name, "displayName"):
			m.DisplayName, err = readText(dec, "measure.displayName", probs)
		case is(name, "frequency"):
			m.Frequency, err = readNumber(dec)
		case is(name, "timeout"):
			m.Timeout, err = readNumber(dec)
		case is(name, "scenario"):
			m.Scenario, err = decodeScenario(dec, probs)
		default:
			err = dec.SkipValue()
		}
		return err
	})
	return m, err
}

func decodeScenario(dec *jsontext.Decoder, probs *problems) (*Scenario, error) {
	if dec.PeekKind() == jsontext.KindNull {
		_, err := dec.ReadToken()
		return nil, err
	}
	s := &Scenario{}
	err := members(dec, "measure.scenario", "mip.scenario", probs, func(name []byte) (err error) {
		switch {
		case is(name, "name"):
			s.Name, err = readText(dec, "measure.scenario.name", probs)
		case is(name, "application"):
			if dec.PeekKind() == jsontext.KindNull {
				s.Application = nil
				_, err = dec.ReadToken()
				return err
			}
			app := &Application{}
			err = members(dec, "measure.scenario.application", "mip.application", probs, func(name []byte) (err error) {
				if is(name, "name") {
					app.Name, err = readText(dec, "measure.scenario.application.name", probs)
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
func decodeMetricInfo(dec *jsontext.Decoder, probs *problems) (map[string]MetricInfo, error) {
	info := make(map[string]MetricInfo)
	err := members(dec, "metricInfo", "map[string]mip.metricInfo", probs, func(key []byte) error {
		var mi MetricInfo
		k := string(key)
		path := "metricInfo." + k
		err := members(dec, path, "mip.metricInfo", probs, func(name []byte) (err error) {
			switch {
			case is(name, "alias"):
				mi.Alias, err = readText(dec, path+".alias", probs)
			case is(name, "label"):
				mi.Label, err = readText(dec, path+".label", probs)
			case is(name, "unit"):
				mi.Unit, err = readText(dec, path+".unit", probs)
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
// reusing its buffers.
type RunDecoder struct {
	dec *jsontext.Decoder
}

// Decode sets tr.Run from tr.Raw.
func (d *RunDecoder) Decode(tr *TimedRun) error {
	// From a bytes.Buffer, jsontext reads the run in place, without a copy.
	in := bytes.NewBuffer(tr.Raw)
	if d.dec == nil {
		d.dec = jsontext.NewDecoder(in, decoderOptions...)
	} else {
		d.dec.Reset(in, decoderOptions...)
	}
	r, err := decodeRun(d.dec, tr.Key)
	if err != nil {
		return err
	}
	tr.Run = r
	return nil
}

// decodeRun reads one run, kept raw until a gather emits it.
func decodeRun(dec *jsontext.Decoder, key string) (*Run, error) {
	var probs problems
	r := &Run{}
	path := "results." + key
	err := members(dec, path, "mip.run", &probs, func(name []byte) (err error) {
		switch {
		case is(name, "state"):
			if dec.PeekKind() == jsontext.KindNull {
				r.State = nil
				_, err = dec.ReadToken()
				return err
			}
			state := &RunState{}
			err = members(dec, path+".state", "mip.runState", &probs, func(name []byte) (err error) {
				if is(name, "type") {
					state.Type, err = readText(dec, path+".state.type", &probs)
					return err
				}
				return dec.SkipValue()
			})
			r.State = state
		case is(name, "metrics"):
			r.Metrics = make(map[string]Number)
			err = members(dec, path+".metrics", "map[string]mip.number", &probs, func(key []byte) error {
				n, err := readNumber(dec)
				r.Metrics[string(key)] = n
				return err
			})
		case is(name, "formatedMetrics"):
			r.FormatedMetrics = make(map[string]json.RawMessage)
			err = members(dec, path+".formatedMetrics", "map[string]json.RawMessage", &probs, func(key []byte) error {
				k := string(key)
				raw, err := dec.ReadValue()
				if len(raw) > maxTextBytes {
					// No point can carry it: runPoints needs to know that much only.
					raw = tooLongText
				}
				r.FormatedMetrics[k] = bytes.Clone(raw)
				return err
			})
		default:
			err = dec.SkipValue()
		}
		return err
	})
	if err != nil {
		return nil, syntaxError(err)
	}
	if probs.first != nil {
		return nil, probs.first
	}
	return r, nil
}
