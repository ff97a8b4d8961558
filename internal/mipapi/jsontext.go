package mipapi

import (
	"bytes"
	"fmt"
	"io"

	"github.com/go-json-experiment/json/jsontext"
)

// decoderOptions make jsontext as tolerant as encoding/json: MIP is not
// known to guarantee unique names or valid UTF-8.
var decoderOptions = []jsontext.Options{jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true)}

// decoder reads JSON tokens and values with jsontext's Decoder, under
// decoderOptions; it also reads a value in memory in place.
type decoder struct {
	jsontext.Decoder
	in bytes.Buffer // what resetBytes reads
}

// newDecoder returns a decoder that reads from r, holding at most
// MaxValueBytes of it at a time.
func newDecoder(r io.Reader) *decoder {
	d := new(decoder)
	d.Reset(&heldInput{r: r, dec: &d.Decoder}, decoderOptions...)
	return d
}

// MaxValueBytes bounds the bytes the tokenizer holds at once: one JSON
// value read whole (a measure, its metricInfo, a run, a text) with the
// whitespace before it. jsontext keeps all of that in a buffer that grows
// by doubling, so without a bound a few megabytes of gzip inflating to
// gigabytes of whitespace before a value cost gigabytes of memory. No value
// of MIP's comes near it (a run is kilobytes); texts up to 100 MiB are
// still read, and reported, as before.
const MaxValueBytes = 128 << 20

// maxValueBytes is the bound heldInput applies: MaxValueBytes, which a
// test lowers to reach it with megabytes instead of pushing 128 MiB
// through the tokenizer under -race (minutes).
var maxValueBytes int64 = MaxValueBytes

// ValueTooLargeError is a JSON value, or the whitespace before one, over
// MaxValueBytes.
type ValueTooLargeError struct {
	Offset int64 // the end of the last token read before it
	Limit  int64 // MaxValueBytes
}

func (e *ValueTooLargeError) Error() string {
	return fmt.Sprintf("the response holds a JSON value, or a run of whitespace, of more than %d MiB after byte %d, which no MIP answer holds",
		e.Limit>>20, e.Offset)
}

// heldInput is the tokenizer's input: it reads no further once the
// tokenizer holds MaxValueBytes not yet returned as a token or value.
type heldInput struct {
	r    io.Reader
	dec  *jsontext.Decoder
	read int64
}

func (h *heldInput) Read(p []byte) (int, error) {
	if done := h.dec.InputOffset(); h.read-done > maxValueBytes {
		return 0, &ValueTooLargeError{Offset: done, Limit: maxValueBytes}
	}
	n, err := h.r.Read(p)
	h.read += int64(n)
	return n, err
}

// resetBytes makes d read b from the start, in place: jsontext reads a
// bytes.Buffer without copying it. A nil b lets go of the last one.
func (d *decoder) resetBytes(b []byte) {
	d.in = *bytes.NewBuffer(b)
	d.Reset(&d.in, decoderOptions...)
}

// maxWhitespaceRun is the longest run of whitespace between JSON tokens
// passed on to the tokenizer; the rest of a longer run is dropped, which
// leaves the JSON's meaning alone. jsontext holds the whitespace before a
// value with the value, so an answer of a few megabytes of gzip holding
// gigabytes of spaces would otherwise cost gigabytes. Runs that long are
// in no answer MIP writes, even indented: the byte offsets of syntax
// errors stay exact for any answer without them.
const maxWhitespaceRun = 1024

// squeezedInput is a JSON text with its runs of whitespace outside strings
// cut to maxWhitespaceRun bytes.
type squeezedInput struct {
	r                 io.Reader
	inString, escaped bool
	run               int // whitespace bytes in a row, outside strings
}

func (s *squeezedInput) Read(p []byte) (int, error) {
	for {
		n, err := s.r.Read(p)
		kept := s.squeeze(p[:n])
		// A read that was all dropped whitespace reads on: a Read that
		// returns nothing too often is an error to bufio.
		if kept > 0 || n == 0 || err != nil {
			return kept, err
		}
	}
}

// squeeze cuts b in place and returns the length kept.
func (s *squeezedInput) squeeze(b []byte) int {
	kept, from := 0, 0 // b[from:i] is kept, not yet moved to b[kept:]
	for i := 0; i < len(b); {
		if s.inString {
			if s.escaped {
				s.escaped = false
				i++
				continue
			}
			for i < len(b) && b[i] != '"' && b[i] != '\\' {
				i++
			}
			if i < len(b) {
				s.escaped, s.inString = b[i] == '\\', b[i] == '\\'
				i++
			}
			continue
		}
		if !isJSONSpace(b[i]) {
			s.run = 0
			s.inString = b[i] == '"'
			i++
			continue
		}
		end := i + 1
		for end < len(b) && isJSONSpace(b[end]) {
			end++
		}
		keep := min(end-i, max(maxWhitespaceRun-s.run, 0))
		if s.run += end - i; i+keep < end {
			kept += copy(b[kept:], b[from:i+keep])
			from = end
		}
		i = end
	}
	if from == 0 {
		return len(b)
	}
	return kept + copy(b[kept:], b[from:])
}

func isJSONSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
