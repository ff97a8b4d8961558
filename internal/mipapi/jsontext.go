package mipapi

import (
	"bytes"
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

// newDecoder returns a decoder that reads from r.
func newDecoder(r io.Reader) *decoder {
	d := new(decoder)
	d.Reset(r, decoderOptions...)
	return d
}

// resetBytes makes d read b from the start, in place: jsontext reads a
// bytes.Buffer without copying it. A nil b lets go of the last one.
func (d *decoder) resetBytes(b []byte) {
	d.in = *bytes.NewBuffer(b)
	d.Reset(&d.in, decoderOptions...)
}
