package mip

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"

	"github.com/go-json-experiment/json/jsontext"
)

// The response is scanned with jsontext, a streaming tokenizer several times
// faster than encoding/json's, and only the small parts a gather needs (the
// measure, its metricInfo, the runs it emits) are decoded into Go values with
// encoding/json: the runs of a measure stay raw bytes until they are chosen.

// decoderOptions make the scanner as tolerant as encoding/json: MIP is not
// known to guarantee unique names or valid UTF-8.
var decoderOptions = []jsontext.Options{jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true)}

// entryError is a scenario of the response that could not be read; the
// other scenarios of the same response are not affected by it.
type entryError struct {
	Index int    // position in the "results" array
	ID    string // measure id, when it could be read
	Err   error
}

func (e *entryError) Error() string {
	if e.ID != "" {
		return fmt.Sprintf("scenario id %s (results[%d]): %v", e.ID, e.Index, e.Err)
	}
	return fmt.Sprintf("results[%d]: %v", e.Index, e.Err)
}

func (e *entryError) Unwrap() error { return e.Err }

// decodeMeasureDetails reads a /api/measures/details response and calls fn
// with each entry of its "results" array as soon as the entry is read, so
// that memory is bounded by the largest entry, not by the response. An entry
// that cannot be decoded is passed to fn as an *entryError and the stream
// goes on; a response that is not JSON or ends early is a returned error.
// The entry's memory is reused for the next one: fn must not keep it.
func decodeMeasureDetails(r io.Reader, fn func(*measureEntry, error)) error {
	br := bufio.NewReaderSize(r, 64*1024)
	if err := expectJSONObject(br); err != nil {
		return err
	}
	dec := jsontext.NewDecoder(br, decoderOptions...)
	if _, err := dec.ReadToken(); err != nil { // the opening '{', checked above
		return syntaxError(err)
	}
	foundResults := false
	for dec.PeekKind() == jsontext.KindString {
		name, err := dec.ReadToken()
		if err != nil {
			return syntaxError(err)
		}
		if name.String() != "results" || foundResults {
			if err := dec.SkipValue(); err != nil {
				return syntaxError(err)
			}
			continue
		}
		foundResults = true
		if err := decodeResults(dec, fn); err != nil {
			return err
		}
	}
	if _, err := dec.ReadToken(); err != nil { // the closing '}'
		return syntaxError(err)
	}
	if !foundResults {
		return errors.New(`the response has no "results" array`)
	}
	return nil
}

func decodeResults(dec *jsontext.Decoder, fn func(*measureEntry, error)) error {
	switch dec.PeekKind() {
	case jsontext.KindNull:
		_, err := dec.ReadToken() // "results": null is an empty list
		return syntaxError(err)
	case jsontext.KindBeginArray:
	case jsontext.KindInvalid:
		_, err := dec.ReadToken()
		return syntaxError(err)
	default:
		return fmt.Errorf(`"results" is %s, expected an array`, kindName(dec.PeekKind()))
	}
	if _, err := dec.ReadToken(); err != nil {
		return syntaxError(err)
	}
	entry := &measureEntry{}
	for i := 0; ; i++ {
		switch dec.PeekKind() {
		case jsontext.KindEndArray:
			_, err := dec.ReadToken()
			return syntaxError(err)
		case jsontext.KindInvalid:
			_, err := dec.ReadToken()
			return syntaxError(err)
		}
		entry.reset()
		problem, err := decodeEntry(dec, entry)
		if err != nil {
			return syntaxError(err)
		}
		switch {
		case problem != nil:
			fn(nil, &entryError{Index: i, ID: entry.id(), Err: problem})
		case entry.Measure == nil:
			fn(nil, &entryError{Index: i, Err: errors.New(`no "measure" object`)})
		case entry.Measure.ID == "":
			fn(nil, &entryError{Index: i, Err: errors.New(`the measure has no "id"`)})
		default:
			fn(entry, nil)
		}
	}
}

// decodeEntry reads one element of "results". A problem is an entry that
// was read whole but does not have the expected shape; err is a stream the
// decoder cannot go on with.
func decodeEntry(dec *jsontext.Decoder, entry *measureEntry) (problem, err error) {
	if open, problem, err := openObject(dec, "expected an object"); !open {
		return problem, err
	}
	for dec.PeekKind() == jsontext.KindString {
		name, err := dec.ReadToken()
		if err != nil {
			return nil, err
		}
		var fieldProblem error
		var probs problems
		switch n := name.String(); {
		case strings.EqualFold(n, "measure"):
			entry.Measure, err = decodeMeasure(dec, &probs)
		case strings.EqualFold(n, "metricInfo"):
			entry.MetricInfo, err = decodeMetricInfo(dec, &probs)
		case strings.EqualFold(n, "results"):
			fieldProblem, err = decodeRuns(dec, entry)
		default:
			err = dec.SkipValue()
		}
		if fieldProblem == nil {
			fieldProblem = probs.first
		}
		if err != nil {
			return nil, err
		}
		if problem == nil {
			problem = fieldProblem
		}
	}
	_, err = dec.ReadToken() // the closing '}'
	return problem, err
}

// openObject reads the '{' of an object where one is expected. A null is
// an empty object; any other value is skipped and reported as a problem,
// worded from expected. open tells whether members follow.
func openObject(dec *jsontext.Decoder, expected string) (open bool, problem, err error) {
	switch kind := dec.PeekKind(); kind {
	case jsontext.KindBeginObject:
		_, err = dec.ReadToken()
		return err == nil, nil, err
	case jsontext.KindNull:
		_, err = dec.ReadToken()
		return false, nil, err
	default:
		if err := dec.SkipValue(); err != nil {
			return false, nil, err
		}
		return false, fmt.Errorf("%s, got a JSON %s", expected, kindWord(kind)), nil
	}
}

// decodeRuns keeps the runs of an entry as raw bytes, keyed by their time.
func decodeRuns(dec *jsontext.Decoder, entry *measureEntry) (problem, err error) {
	if open, problem, err := openObject(dec, `field "results": expected an object of runs`); !open {
		return problem, err
	}
	for dec.PeekKind() == jsontext.KindString {
		// Read as a raw value: no string is made for the sixty keys of a
		// scenario, of which a gather usually needs one.
		name, err := dec.ReadValue()
		if err != nil {
			return nil, err
		}
		// The key is copied before the next read, which voids name.
		start := len(entry.runBytes)
		if bytes.IndexByte(name, '\\') < 0 {
			entry.runBytes = append(entry.runBytes, name[1:len(name)-1]...)
		} else if entry.runBytes, err = jsontext.AppendUnquote(entry.runBytes, name); err != nil {
			return nil, err
		}
		keyEnd := len(entry.runBytes)
		raw, err := dec.ReadValue()
		if err != nil {
			return nil, err
		}
		entry.runBytes = append(entry.runBytes, raw...)
		entry.Results = append(entry.Results, rawRun{keyStart: start, keyEnd: keyEnd, start: keyEnd, end: len(entry.runBytes)})
	}
	_, err = dec.ReadToken() // the closing '}'
	return nil, err
}

func (e *measureEntry) id() string {
	if e == nil || e.Measure == nil {
		return ""
	}
	return string(e.Measure.ID)
}

// expectJSONObject fails early, with a useful message, on the most common
// wrong answer: an HTML page from a proxy or a login portal.
func expectJSONObject(br *bufio.Reader) error {
	for {
		c, _, err := br.ReadRune()
		if errors.Is(err, io.EOF) {
			return errors.New("the response body is empty")
		}
		if err != nil {
			return fmt.Errorf("reading the response: %w", err)
		}
		if unicode.IsSpace(c) || c == '\uFEFF' {
			continue
		}
		if err := br.UnreadRune(); err != nil {
			return err
		}
		switch c {
		case '{':
			return nil
		case '<':
			return errors.New("the response is HTML, not JSON: is url the MIP API (and not a proxy or login page)?")
		}
		return fmt.Errorf("the response is not a JSON object (it starts with %q)", c)
	}
}

// syntaxError words an error that stops the stream; nil stays nil.
func syntaxError(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("the response ends early (truncated JSON)")
	}
	var se *jsontext.SyntacticError
	if errors.As(err, &se) {
		if errors.Is(se.Err, io.ErrUnexpectedEOF) {
			return errors.New("the response ends early (truncated JSON)")
		}
		return fmt.Errorf("invalid JSON at byte %d: %w", se.ByteOffset, se.Err)
	}
	return fmt.Errorf("reading the response: %w", err)
}

// kindName names a kind with its article, for messages.
func kindName(k jsontext.Kind) string {
	switch w := kindWord(k); w {
	case "null":
		return w
	case "object", "array":
		return "an " + w
	default:
		return "a " + w
	}
}

func kindWord(k jsontext.Kind) string {
	switch k {
	case jsontext.KindBeginObject:
		return "object"
	case jsontext.KindBeginArray:
		return "array"
	case jsontext.KindString:
		return "string"
	case '0':
		return "number"
	case 't', 'f':
		return "boolean"
	}
	return "null"
}
