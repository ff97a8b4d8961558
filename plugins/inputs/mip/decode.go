package mip

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode"
)

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
func decodeMeasureDetails(r io.Reader, fn func(*measureEntry, error)) error {
	br := bufio.NewReaderSize(r, 64*1024)
	if err := expectJSONObject(br); err != nil {
		return err
	}
	dec := json.NewDecoder(br)
	dec.UseNumber()
	if _, err := dec.Token(); err != nil { // the opening '{', checked above
		return syntaxError(err)
	}
	foundResults := false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return syntaxError(err)
		}
		key, _ := tok.(string)
		if key != "results" || foundResults {
			var skipped json.RawMessage
			if err := dec.Decode(&skipped); err != nil {
				return syntaxError(err)
			}
			continue
		}
		foundResults = true
		if err := decodeResults(dec, fn); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil { // the closing '}'
		return syntaxError(err)
	}
	if !foundResults {
		return errors.New(`the response has no "results" array`)
	}
	return nil
}

func decodeResults(dec *json.Decoder, fn func(*measureEntry, error)) error {
	tok, err := dec.Token()
	if err != nil {
		return syntaxError(err)
	}
	if tok == nil {
		return nil // "results": null is an empty list
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return fmt.Errorf(`"results" is %v, expected an array`, tokenKind(tok))
	}
	for i := 0; dec.More(); i++ {
		var entry measureEntry
		if err := dec.Decode(&entry); err != nil {
			var typeErr *json.UnmarshalTypeError
			if !errors.As(err, &typeErr) {
				// Bad syntax, an early end, a failed read: the decoder
				// cannot go on.
				return syntaxError(err)
			}
			// The entry was read whole but does not fit: report it and go on.
			fn(nil, &entryError{Index: i, ID: entry.id(), Err: describeTypeError(typeErr)})
			continue
		}
		if entry.Measure == nil {
			fn(nil, &entryError{Index: i, Err: errors.New(`no "measure" object`)})
			continue
		}
		if entry.Measure.ID == "" {
			fn(nil, &entryError{Index: i, Err: errors.New(`the measure has no "id"`)})
			continue
		}
		fn(&entry, nil)
	}
	_, err = dec.Token() // the closing ']'
	if err != nil {
		return syntaxError(err)
	}
	return nil
}

func (e *measureEntry) id() string {
	if e.Measure == nil {
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

func syntaxError(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("the response ends early (truncated JSON)")
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("invalid JSON at byte %d: %w", se.Offset, err)
	}
	return fmt.Errorf("reading the response: %w", err)
}

func describeTypeError(e *json.UnmarshalTypeError) error {
	if e.Field != "" {
		return fmt.Errorf("field %q: expected %s, got a JSON %s", e.Field, e.Type, e.Value)
	}
	return fmt.Errorf("expected %s, got a JSON %s", e.Type, e.Value)
}

func tokenKind(tok json.Token) string {
	switch v := tok.(type) {
	case json.Delim:
		if v == '{' {
			return "an object"
		}
		return "an array"
	case string:
		return "a string"
	case json.Number, float64:
		return "a number"
	case bool:
		return "a boolean"
	}
	return "null"
}
