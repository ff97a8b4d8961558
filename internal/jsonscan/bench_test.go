package jsonscan

import (
	"bytes"
	"sync"
	"testing"
	"time"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/telegraf-mip/telegraf-mip/internal/mipsim"
)

var benchBody = sync.OnceValue(func() []byte {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	scenarios := mipsim.Generate(1000, 6, time.Minute)
	var buf bytes.Buffer
	if err := mipsim.WriteDetails(&buf, scenarios, now.Add(-60*time.Minute), now); err != nil {
		panic(err)
	}
	return buf.Bytes()
})

// walkJSONText walks a details response as mipapi's decoder does: the
// members of each entry but "results" skipped, each run's key read and
// the run read whole (skip false) or skipped.
func walkJSONText(tb testing.TB, dec *jsontext.Decoder, skip bool) (runs int) {
	must := func(err error) {
		if err != nil {
			tb.Fatal(err)
		}
	}
	_, err := dec.ReadToken()
	must(err)
	for dec.PeekKind() == jsontext.KindString {
		name, err := dec.ReadToken()
		must(err)
		if name.String() != "results" {
			must(dec.SkipValue())
			continue
		}
		_, err = dec.ReadToken() // [
		must(err)
		for dec.PeekKind() == jsontext.KindBeginObject {
			_, err = dec.ReadToken()
			must(err)
			for dec.PeekKind() == jsontext.KindString {
				name, err := dec.ReadToken()
				must(err)
				if name.String() != "results" {
					must(dec.SkipValue())
					continue
				}
				_, err = dec.ReadToken() // {
				must(err)
				for dec.PeekKind() == jsontext.KindString {
					_, err := dec.ReadValue()
					must(err)
					if skip {
						must(dec.SkipValue())
					} else {
						_, err := dec.ReadValue()
						must(err)
					}
					runs++
				}
				_, err = dec.ReadToken() // }
				must(err)
			}
			_, err = dec.ReadToken() // }
			must(err)
		}
		_, err = dec.ReadToken() // ]
		must(err)
	}
	_, err = dec.ReadToken()
	must(err)
	return runs
}

// walkScan is walkJSONText with a Decoder.
func walkScan(tb testing.TB, dec *Decoder, skip bool) (runs int) {
	must := func(err error) {
		if err != nil {
			tb.Fatal(err)
		}
	}
	_, err := dec.ReadToken()
	must(err)
	for dec.PeekKind() == KindString {
		name, err := dec.ReadToken()
		must(err)
		if name.String() != "results" {
			must(dec.SkipValue())
			continue
		}
		_, err = dec.ReadToken() // [
		must(err)
		for dec.PeekKind() == KindBeginObject {
			_, err = dec.ReadToken()
			must(err)
			for dec.PeekKind() == KindString {
				name, err := dec.ReadToken()
				must(err)
				if name.String() != "results" {
					must(dec.SkipValue())
					continue
				}
				_, err = dec.ReadToken() // {
				must(err)
				for dec.PeekKind() == KindString {
					_, err := dec.ReadValue()
					must(err)
					if skip {
						must(dec.SkipValue())
					} else {
						_, err := dec.ReadValue()
						must(err)
					}
					runs++
				}
				_, err = dec.ReadToken() // }
				must(err)
			}
			_, err = dec.ReadToken() // }
			must(err)
		}
		_, err = dec.ReadToken() // ]
		must(err)
	}
	_, err = dec.ReadToken()
	must(err)
	return runs
}

// onlyReader hides bytes.Reader's other methods, so that both decoders
// read through their buffers, as from an HTTP body.
type onlyReader struct{ r *bytes.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

func benchWalk(b *testing.B, skip bool) {
	body := benchBody()
	b.Run("jsontext", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		dec := jsontext.NewDecoder(onlyReader{bytes.NewReader(body)}, jsontextOptions...)
		for b.Loop() {
			dec.Reset(onlyReader{bytes.NewReader(body)}, jsontextOptions...)
			walkJSONText(b, dec, skip)
		}
	})
	b.Run("jsonscan", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		dec := NewDecoder(onlyReader{bytes.NewReader(body)})
		for b.Loop() {
			dec.Reset(onlyReader{bytes.NewReader(body)})
			walkScan(b, dec, skip)
		}
	})
}

func BenchmarkSkip(b *testing.B) { benchWalk(b, true) }
func BenchmarkWalk(b *testing.B) { benchWalk(b, false) }

func TestWalkMatches(t *testing.T) {
	body := benchBody()
	for _, skip := range []bool{false, true} {
		j := walkJSONText(t, jsontext.NewDecoder(bytes.NewReader(body), jsontextOptions...), skip)
		s := walkScan(t, NewDecoder(bytes.NewReader(body)), skip)
		if j != s || j == 0 {
			t.Errorf("skip %v: jsontext %d runs, jsonscan %d", skip, j, s)
		}
	}
	if err := walk(body, []byte{1}, readers[0].make); err != nil {
		t.Error(err)
	}
	// Token by token, and cut short anywhere, through every reader.
	for _, ops := range [][]byte{{0}, {2}, {0, 0, 0x81, 2, 1, 0x80}} {
		for _, cut := range []int{len(body), 100_000, 65_536, 4097, 777} {
			for _, r := range readers {
				if err := walk(body[:cut], ops, r.make); err != nil {
					t.Errorf("%s, ops %v, %d bytes: %v", r.name, ops, cut, err)
				}
			}
		}
	}
}
