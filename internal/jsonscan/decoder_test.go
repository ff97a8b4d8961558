package jsonscan

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/require"
)

// readAll reads every value of in with ReadValue and returns them, and
// the error that ended the reading (nil for io.EOF).
func readAll(in string, r func([]byte) io.Reader) ([]string, error) {
	d := NewDecoder(r([]byte(in)))
	var out []string
	for {
		v, err := d.ReadValue()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, string(v))
	}
}

func TestValid(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{``, nil},
		{" \t\r\n", nil},
		{`0`, []string{`0`}},
		{`-0`, []string{`-0`}},
		{`-12.5e+3 1E-2 0.0e0`, []string{`-12.5e+3`, `1E-2`, `0.0e0`}},
		{`01`, []string{`0`, `1`}}, // as jsontext: two top-level values
		{`"a""b"`, []string{`"a"`, `"b"`}},
		{`truefalse null`, []string{`true`, `false`, `null`}},
		{`"\" \\ \/ \b \f \n \r \t \u00e9 \uD83D\uDE00 \ud800"`, []string{`"\" \\ \/ \b \f \n \r \t \u00e9 \uD83D\uDE00 \ud800"`}},
		{"\"\xff\xfe invalid UTF-8 \xc3\"", []string{"\"\xff\xfe invalid UTF-8 \xc3\""}},
		{` { "a" : [ 1 , { } , [ ] , "x" ] , "a" : null } `, []string{`{ "a" : [ 1 , { } , [ ] , "x" ] , "a" : null }`}},
		{`{}{}[]`, []string{`{}`, `{}`, `[]`}},
		{`[[[[[]]]]]`, []string{`[[[[[]]]]]`}},
		{`{"a":{"b":{"c":-1.5}}}`, []string{`{"a":{"b":{"c":-1.5}}}`}},
	} {
		for _, r := range readers {
			got, err := readAll(tc.in, r.make)
			if err != nil || strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("%s: %q: got %q, %v; want %q", r.name, tc.in, got, err, tc.want)
			}
		}
	}
}

func TestInvalid(t *testing.T) {
	for _, tc := range []struct {
		in     string
		offset int64 // -1: truncated
	}{
		{`[`, -1},
		{`{"a":`, -1},
		{`{"a"`, -1},
		{`"abc`, -1},
		{`"\u12`, -1},
		{`-`, -1},
		{`1.`, -1},
		{`1e+`, -1},
		{`tru`, -1},
		{`[1,`, -1},
		{`x`, 0},
		{` +1`, 1},
		{`.5`, 0},
		{`1.x`, 2},
		{`-a`, 1},
		{`[1,]`, 3},
		{`{"a":1,}`, 7},
		{`{1:2}`, 1},
		{`{"a"}`, 4},
		{`{"a":}`, 5},
		{`{"a" 1}`, 5},
		{`[1 2]`, 3},
		{`[01]`, 2},
		{`[1}`, 2},
		{`{"a":1]`, 6},
		{`]`, 0},
		{`"\x"`, 1},
		{`"\u12g4"`, 1},
		{"\"a\x01\"", 2},
		{"\"a\n\"", 2},
		{`nul!`, 3},
		{`[true,fals]`, 10},
		{`1,2`, 1},
		{"\v1", 0},
	} {
		for _, r := range readers {
			_, err := readAll(tc.in, r.make)
			var se *SyntacticError
			switch {
			case err == nil:
				t.Errorf("%s: %q: no error", r.name, tc.in)
			case tc.offset < 0:
				if !errors.Is(err, io.ErrUnexpectedEOF) {
					t.Errorf("%s: %q: %v, want a truncation", r.name, tc.in, err)
				}
			case !errors.As(err, &se) || se.ByteOffset != tc.offset || errors.Is(err, io.ErrUnexpectedEOF):
				t.Errorf("%s: %q: %v, want a syntax error at %d", r.name, tc.in, err, tc.offset)
			}
		}
	}
}

// TestWalkMIP walks a response as mipapi's decoder does, with each call.
func TestWalkMIP(t *testing.T) {
	in := `{"count":2,"results":[{"measure":{"id":1},"results":{"k1":{"a":1},"k\u0032":{"b":[2]}}},null],"x":{}}`
	d := NewDecoder(iotest.OneByteReader(strings.NewReader(in)))
	expect := func(want string) {
		t.Helper()
		tok, err := d.ReadToken()
		if err != nil || tok.String() != want {
			t.Fatalf("ReadToken: %q, %v; want %q", tok.String(), err, want)
		}
	}
	expect("{")
	if d.PeekKind() != KindString {
		t.Fatal("no name")
	}
	expect("count")
	if err := d.SkipValue(); err != nil {
		t.Fatal(err)
	}
	expect("results")
	expect("[")
	expect("{")
	expect("measure")
	if v, err := d.ReadValue(); err != nil || string(v) != `{"id":1}` {
		t.Fatalf("ReadValue %q %v", v, err)
	}
	expect("results")
	expect("{")
	var keys []string
	for d.PeekKind() == KindString {
		k, err := d.ReadValue()
		if err != nil {
			t.Fatal(err)
		}
		name, err := AppendUnquote(nil, k)
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, string(name))
		if err := d.SkipValue(); err != nil {
			t.Fatal(err)
		}
	}
	if strings.Join(keys, ",") != "k1,k2" {
		t.Fatalf("keys %q", keys)
	}
	expect("}")
	expect("}")
	if d.PeekKind() != KindNull {
		t.Fatal("no null")
	}
	expect("null")
	if d.PeekKind() != KindEndArray {
		t.Fatal("no ]")
	}
	expect("]")
	expect("x")
	if err := d.SkipValue(); err != nil {
		t.Fatal(err)
	}
	expect("}")
	if off := d.InputOffset(); off != int64(len(in)) {
		t.Fatalf("InputOffset %d, want %d", off, len(in))
	}
	if d.PeekKind() != KindInvalid {
		t.Fatal("more after the end")
	}
	_, err := d.ReadToken()
	require.ErrorIs(t, err, io.EOF, "after the end")
}

func TestMaxDepth(t *testing.T) {
	deep := strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth)
	tooDeep := "[" + deep + "]"
	for _, skip := range []bool{false, true} {
		d := NewDecoder(strings.NewReader(deep))
		var err error
		if skip {
			err = d.SkipValue()
		} else {
			_, err = d.ReadValue()
		}
		if err != nil {
			t.Errorf("depth %d: %v", maxDepth, err)
		}
		d.Reset(strings.NewReader(tooDeep))
		if skip {
			err = d.SkipValue()
		} else {
			_, err = d.ReadValue()
		}
		var se *SyntacticError
		if !errors.As(err, &se) || !errors.Is(se.Err, errMaxDepth) || se.ByteOffset != maxDepth {
			t.Errorf("depth %d: %v", maxDepth+1, err)
		}
	}
	// Token by token too.
	d := NewDecoder(strings.NewReader(tooDeep))
	for i := 0; ; i++ {
		_, err := d.ReadToken()
		if err != nil {
			var se *SyntacticError
			if i != maxDepth || !errors.As(err, &se) || !errors.Is(se.Err, errMaxDepth) {
				t.Errorf("token %d: %v", i, err)
			}
			break
		}
	}
}

// countingReader counts the bytes read.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// TestSkipBoundedMemory checks SkipValue does not hold a value, nor a
// long string, whole.
func TestSkipBoundedMemory(t *testing.T) {
	long := strings.Repeat("x", 10<<20)
	in := `[{"a":"` + long + `","b":[` + strings.Repeat(`"y",`, 1<<20) + `1]}, "` + long + `"] 7`
	cr := &countingReader{r: strings.NewReader(in)}
	d := NewDecoder(cr)
	if err := d.SkipValue(); err != nil {
		t.Fatal(err)
	}
	if cap(d.buf) > 2*bufSize {
		t.Errorf("the buffer grew to %d bytes", cap(d.buf))
	}
	if v, err := d.ReadValue(); err != nil || string(v) != "7" {
		t.Fatalf("after: %q, %v", v, err)
	}
	if cr.n != len(in) {
		t.Fatalf("read %d of %d bytes", cr.n, len(in))
	}
	// ReadValue grows the buffer to the value, no more than twice over.
	d.Reset(strings.NewReader(in))
	v, err := d.ReadValue()
	if err != nil || len(v) != len(in)-2 {
		t.Fatalf("ReadValue: %d bytes, %v", len(v), err)
	}
	if cap(d.buf) > 2*len(in)+bufSize {
		t.Errorf("the buffer grew to %d bytes for %d", cap(d.buf), len(in))
	}
}

// TestDelimiterSpaceBoundedMemory checks the whitespace after a ',' or
// ':' is not kept, by ReadToken nor by SkipValue (whose PeekKind scans it),
// and that a delimiter that is wrong after it is still reported where it is.
func TestDelimiterSpaceBoundedMemory(t *testing.T) {
	sp := strings.Repeat(" ", 10<<20)
	for _, in := range []string{`[1,` + sp + `2]`, `{"a":` + sp + `1}`, `{"a":1,` + sp + `"b":2}`} {
		for _, skip := range []bool{false, true} {
			d := NewDecoder(strings.NewReader(in))
			_, err := d.ReadToken()
			require.NoError(t, err)
			for {
				if skip && d.PeekKind() != KindEndArray && d.PeekKind() != KindEndObject {
					err = d.SkipValue()
				} else {
					_, err = d.ReadToken()
				}
				if errors.Is(err, io.EOF) {
					break
				}
				require.NoErrorf(t, err, "%.8q", in)
			}
			if cap(d.buf) > 2*bufSize {
				t.Errorf("%.8q (skip %v): the buffer grew to %d bytes", in, skip, cap(d.buf))
			}
		}
	}
	for _, tc := range []struct {
		in     string
		offset int64
	}{
		{`[1:` + sp + `2]`, 2},
		{`{"a",` + sp + `1}`, 4},
		{`{"a":1,` + sp + `]`, 6},
		{`[1,` + sp, -1},
		{`[1:` + sp, 2},
	} {
		d := NewDecoder(strings.NewReader(tc.in))
		var err error
		for err == nil {
			_, err = d.ReadToken()
		}
		var se *SyntacticError
		switch {
		case tc.offset < 0:
			if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("%.8q: %v, want a truncation", tc.in, err)
			}
		case !errors.As(err, &se) || se.ByteOffset != tc.offset || errors.Is(err, io.ErrUnexpectedEOF):
			t.Errorf("%.8q: %v, want a syntax error at %d", tc.in, err, tc.offset)
		}
	}
}

// TestNameNoAlloc checks the name of a member read with ReadToken and
// compared with String does not allocate (up to 32 bytes, as the
// compiler makes a string(b) that does not escape on the stack up to
// 32 bytes only; Bytes never allocates).
func TestNameNoAlloc(t *testing.T) {
	in := []byte(`{"results":1,"measure":2,"a long name of more than thirty-two bytes":3}`)
	d := NewDecoder(bytes.NewReader(in))
	var r bytes.Reader
	allocs := testing.AllocsPerRun(100, func() {
		r.Reset(in)
		d.Reset(&r)
		if _, err := d.ReadToken(); err != nil {
			t.Fatal(err)
		}
		n := 0
		for d.PeekKind() == KindString {
			name, err := d.ReadToken()
			if err != nil {
				t.Fatal(err)
			}
			if len(name.Bytes()) > 32 {
				// string(b) is made on the stack up to 32 bytes only.
				if bytes.Equal(name.Bytes(), []byte("results")) {
					n += 10
				}
			} else if name.String() == "results" || strings.EqualFold(name.String(), "measure") {
				n++
			}
			if err := d.SkipValue(); err != nil {
				t.Fatal(err)
			}
		}
		if n != 2 {
			t.Fatal("names not found")
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations", allocs)
	}
}

func TestTokenString(t *testing.T) {
	d := NewDecoder(strings.NewReader(`["a\u00e9\ud800\n", "` + "\xff" + `", -1.5, true, {}]`))
	var got []string
	for {
		tok, err := d.ReadToken()
		if err != nil {
			break
		}
		got = append(got, tok.String())
	}
	want := []string{"[", "a\u00e9\uFFFD\n", "\uFFFD", "-1.5", "true", "{", "}", "]"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got %q, want %q", got, want)
	}
}

// errReader fails after its data.
type errReader struct {
	data []byte
	err  error
}

func (e *errReader) Read(p []byte) (int, error) {
	if len(e.data) == 0 {
		return 0, e.err
	}
	n := copy(p, e.data)
	e.data = e.data[n:]
	return n, nil
}

func TestReaderError(t *testing.T) {
	boom := errors.New("boom")
	d := NewDecoder(&errReader{data: []byte(`{"a":[1,`), err: boom})
	// The reader's error is returned as is, not wrapped.
	require.Same(t, boom, d.SkipValue(), "SkipValue")
	d.Reset(&errReader{data: []byte(`{"a":1}`), err: boom})
	_, err := d.ReadValue()
	require.NoError(t, err, "ReadValue")
	_, err = d.ReadValue()
	require.Same(t, boom, err, "after")
}

// TestReaderWrappedEOF checks a reader's error that wraps io.EOF ends the
// input as io.EOF does: at the top level, within a value, and after a
// number the input may end with (which must not be waited on for ever).
func TestReaderWrappedEOF(t *testing.T) {
	wrapped := fmt.Errorf("read: %w", io.EOF)
	for _, tc := range []struct {
		in       string
		want     []string
		err      error // after the values
		skipOnly bool  // SkipValue only (ReadValue refuses the name at once)
	}{
		{``, nil, io.EOF, false},
		{`1 [2] 34`, []string{`1`, `[2]`, `34`}, io.EOF, false},
		{`{"a":[1,23]}`, []string{`{"a":[1,23]}`}, io.EOF, false},
		{`[1,23`, nil, io.ErrUnexpectedEOF, false},
		{`{"a":12`, nil, io.ErrUnexpectedEOF, false},
		{`"ab`, nil, io.ErrUnexpectedEOF, false},
		// SkipValue reads a number where a name is due before it refuses it.
		{`{12`, nil, ErrNonStringName, true},
	} {
		for _, skip := range []bool{false, true} {
			if tc.skipOnly && !skip {
				continue
			}
			r := iotest.OneByteReader(&errReader{data: []byte(tc.in), err: wrapped})
			d := NewDecoder(r)
			var got []string
			var err error
			for {
				if skip {
					start := d.InputOffset()
					if err = d.SkipValue(); err == nil {
						got = append(got, strings.TrimSpace(tc.in[start:d.InputOffset()]))
					}
				} else {
					var v []byte
					if v, err = d.ReadValue(); err == nil {
						got = append(got, string(v))
					}
				}
				if err != nil {
					break
				}
			}
			require.Equalf(t, tc.want, got, "%q (skip %v)", tc.in, skip)
			require.ErrorIsf(t, err, tc.err, "%q (skip %v)", tc.in, skip)
			if errors.Is(tc.err, io.EOF) {
				require.Samef(t, io.EOF, err, "%q (skip %v): io.EOF itself", tc.in, skip)
			}
		}
	}
}
