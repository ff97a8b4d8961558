package jsonscan

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"testing"
	"testing/iotest"
	"time"

	"github.com/go-json-experiment/json/jsontext"
)

var jsontextOptions = []jsontext.Options{jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true)}

// errClass says how an error reads to a caller: the end of the input, the
// input ending early, or invalid JSON at an offset.
func errClass(err error) string {
	var se *SyntacticError
	var je *jsontext.SyntacticError
	switch {
	case err == nil:
		return "nil"
	case errors.Is(err, io.EOF):
		return "EOF"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "unexpected EOF"
	case errors.As(err, &se):
		return fmt.Sprintf("syntax at %d", se.ByteOffset)
	case errors.As(err, &je):
		return fmt.Sprintf("syntax at %d", je.ByteOffset)
	}
	return "other: " + err.Error()
}

// readers are the ways the fuzz test feeds the input to the Decoder.
var readers = []struct {
	name string
	make func([]byte) io.Reader
}{
	{"bytes.Reader", func(b []byte) io.Reader { return bytes.NewReader(b) }},
	{"OneByteReader", func(b []byte) io.Reader { return iotest.OneByteReader(bytes.NewReader(b)) }},
	{"bytes.Buffer", func(b []byte) io.Reader { return bytes.NewBuffer(b) }},
}

// walk reads data with jsontext and with a Decoder on the same calls,
// chosen by ops, and reports the first difference.
func walk(data, ops []byte, newReader func([]byte) io.Reader) error {
	jd := jsontext.NewDecoder(bytes.NewReader(data), jsontextOptions...)
	sd := NewDecoder(newReader(data))
	for step, over := 0, false; step < 100000 && !over; step++ {
		op := byte(step)
		if len(ops) > 0 {
			op = ops[step%len(ops)]
		}
		if op&0x80 != 0 {
			// PeekKind first.
			jk, sk := jd.PeekKind(), sd.PeekKind()
			if Kind(jk) != sk {
				return fmt.Errorf("step %d: PeekKind: jsontext %q, jsonscan %q", step, jk, sk)
			}
		}
		var jerr, serr error
		switch op % 3 {
		case 0:
			var jt jsontext.Token
			var st Token
			jt, jerr = jd.ReadToken()
			st, serr = sd.ReadToken()
			if jerr == nil && serr == nil {
				if Kind(jt.Kind()) != st.Kind() || jt.String() != st.String() {
					return fmt.Errorf("step %d: ReadToken: jsontext %q %q, jsonscan %q %q", step, jt.Kind(), jt.String(), st.Kind(), st.String())
				}
			}
		case 1:
			var jv jsontext.Value
			var sv []byte
			jv, jerr = jd.ReadValue()
			sv, serr = sd.ReadValue()
			if jerr == nil && serr == nil && !bytes.Equal(jv, sv) {
				return fmt.Errorf("step %d: ReadValue: jsontext %q, jsonscan %q", step, jv, sv)
			}
			if jerr == nil && serr == nil && jv.Kind() == '"' {
				ju, juerr := jsontext.AppendUnquote(nil, jv)
				su, suerr := AppendUnquote(nil, sv)
				if !bytes.Equal(ju, su) || (juerr == nil) != (suerr == nil) {
					return fmt.Errorf("step %d: AppendUnquote(%q): jsontext %q, %w; jsonscan %q, %w", step, jv, ju, juerr, su, suerr)
				}
			}
		case 2:
			jerr = jd.SkipValue()
			serr = sd.SkipValue()
		}
		if jc, sc := errClass(jerr), errClass(serr); jc != sc {
			return fmt.Errorf("step %d (op %d): jsontext error %s (%w), jsonscan %s (%w)", step, op%3, jc, jerr, sc, serr)
		}
		// Both stopped, with errors of the same class: the walk is over.
		over = jerr != nil
		if !over && jd.InputOffset() != sd.InputOffset() {
			return fmt.Errorf("step %d: InputOffset: jsontext %d, jsonscan %d", step, jd.InputOffset(), sd.InputOffset())
		}
	}
	return nil
}

var fuzzSeeds = []string{
	``, ` `, `{}`, `[]`, `null`, `true false`, `0 1 -1 1.5e3 -0.0E+1`, `"a"`, `"\u00e9\ud83d\ude00\n"`,
	`{"a":1,"b":[true,false,null,{"c":"d"}],"e":{}}`, `[1,2,[3,[4]],{"x":[]}]`,
	`{"results":[{"measure":{"id":1,"name":"n"},"metricInfo":{"m":{"alias":"a"}},` +
		`"results":{"2026-01-01T00:00:00.000Z":{"state":{"type":"OK"},"metrics":{"m":1.5},"formatedMetrics":{"m":"1.5 s"}}}}]}`,
	`[1,]`, `{"a":1,}`, `{1:2}`, `{"a"}`, `{"a":}`, `[01]`, `01`, `1.`, `-`, `1e`, `1e+`, `tru`, `nul`, `[nulx]`,
	`"\x"`, "\"\x01\"", "\"\xff\xfe\"", `"\u12"`, `"\u12g4"`, `{"a" 1}`, `[1 2]`, `[1:2]`, `{,}`, `[,1]`, `]`, `}`, `{]`, `[}`,
	`{"a":1]`, `[1}`, `{"a",`, `{"a"::1}`, `{-}`, `{t}`, `{true}`, `{"a":1,2}`, `{"a":1,-x}`, `{{}}`, `{[]}`,
	"{\"a\"\t:\r\n1 } ", `{} {}`, `1 2`, `"a""b"`, `truefalse`, `[1,,2]`, `{"a":1,,"b":2}`, `{"\u00e9\\":1}`,
}

func FuzzMatchesJSONText(f *testing.F) {
	for i, s := range fuzzSeeds {
		f.Add([]byte(s), []byte{byte(i), byte(i * 7), 0x81, 2, 1})
		f.Add([]byte(s), []byte{0})
		f.Add([]byte(s), []byte{2})
		f.Add([]byte(s), []byte{1})
	}
	f.Fuzz(func(t *testing.T, data, ops []byte) {
		// A hang is a crash, for the fuzzer to keep the input.
		hang := time.AfterFunc(5*time.Second, func() { panic(fmt.Sprintf("hang on %q, ops %q", data, ops)) })
		defer hang.Stop()
		for _, r := range readers {
			if err := walk(data, ops, r.make); err != nil {
				t.Fatalf("%s: %v\ninput %q", r.name, err, data)
			}
		}
	})
}
