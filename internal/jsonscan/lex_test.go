package jsonscan

import (
	"encoding/binary"
	"math/bits"
	"math/rand/v2"
	"testing"
)

// TestStopBytes checks the lowest byte stopBytes flags is the first byte
// of the word that is not plain, for words of every interesting byte.
func TestStopBytes(t *testing.T) {
	interesting := []byte{0, 1, 0x1f, ' ', '!', '"', '#', '[', '\\', ']', 'a', 0x7f, 0x80, 0x9f, 0xa0, 0xa2, 0xdc, 0xff}
	r := rand.New(rand.NewPCG(1, 2))
	var b [8]byte
	for range 1_000_000 {
		for j := range b {
			if r.IntN(2) == 0 {
				b[j] = interesting[r.IntN(len(interesting))]
			} else {
				b[j] = byte(r.IntN(256))
			}
		}
		want := 8
		for j, c := range b {
			if !strPlain[c] {
				want = j
				break
			}
		}
		got := 8
		if w := stopBytes(binary.LittleEndian.Uint64(b[:])); w != 0 {
			got = bits.TrailingZeros64(w) >> 3
		}
		if got != want {
			t.Fatalf("%q: stopBytes says byte %d, want %d", b, got, want)
		}
	}
}

// TestStopQuote checks stopQuote tells a quote from the other stop bytes.
func TestStopQuote(t *testing.T) {
	interesting := []byte{0, 0x1f, ' ', '!', '"', '#', '\\', 'a', 0x80, 0xa2, 0xdc, 0xff}
	r := rand.New(rand.NewPCG(3, 4))
	var b [8]byte
	for range 1_000_000 {
		for j := range b {
			b[j] = interesting[r.IntN(len(interesting))]
		}
		want, wantQuote := 8, false
		for j, c := range b {
			if !strPlain[c] {
				want, wantQuote = j, c == '"'
				break
			}
		}
		got, gotQuote := 8, false
		if s, q := stopQuote(binary.LittleEndian.Uint64(b[:])); s != 0 {
			got, gotQuote = bits.TrailingZeros64(s)>>3, q&(s&-s) != 0
		}
		if got != want || gotQuote != wantQuote {
			t.Fatalf("%q: stopQuote says byte %d quote %v, want %d %v", b, got, gotQuote, want, wantQuote)
		}
	}
}
