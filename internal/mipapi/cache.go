package mipapi

import (
	"fmt"
	"hash/maphash"
)

// Cache keeps, from one response to the next, the measures and metricInfo
// as decoded, by a hash of their JSON: a scenario's come back the same at every
// gather, and are decoded once (many scenarios often share one
// metricInfo). What a response no longer holds is forgotten at the end of
// the next response read whole, so the cache holds one response's worth of
// measures at most. The zero Cache is ready.
type Cache struct {
	measures map[jsonKey]*cached[*Measure]
	infos    map[jsonKey]*cached[map[string]MetricInfo]
	seeds    [2]maphash.Seed
	gen      uint64  // the response being read
	sub      decoder // decodes a value read whole
	// warnings gets what a measure decoded afresh warns about: once per
	// measure while it is kept. Nil: said to no one.
	warnings *[]string
	// ids counts the entries of each measure id in the response being
	// read: the first is read, the others left out. duplicated are the
	// ids sent more than once, in order; warned those said so before.
	ids        map[string]int
	duplicated []string
	warned     map[string]bool
	// details is the decoder of the answer being read.
	details DetailsDecoder
}

// cached is a value decoded, with the problem its decoding found.
type cached[T any] struct {
	v       T
	problem error
	gen     uint64 // the last response that held it
}

// maxCachedBytes bounds the JSON of a value kept: larger ones, which MIP
// does not send, are decoded every time.
const maxCachedBytes = 4096

// begin starts a response.
func (c *Cache) begin() {
	c.gen++
	if c.measures == nil {
		c.measures = make(map[jsonKey]*cached[*Measure])
		c.infos = make(map[jsonKey]*cached[map[string]MetricInfo])
		c.seeds = [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}
		c.ids = make(map[string]int)
	}
	clear(c.ids)
	c.duplicated = c.duplicated[:0]
}

// firstOf tells whether an entry of measure id is the first of the
// response, and counts it.
func (c *Cache) firstOf(id Text) bool {
	n := c.ids[string(id)]
	c.ids[string(id)] = n + 1
	if n == 1 {
		c.duplicated = append(c.duplicated, string(id))
	}
	return n == 0
}

// warnDuplicates says which measure ids the response read whole sent more
// than once, each once for as long as it keeps doing so.
func (c *Cache) warnDuplicates() {
	warned := make(map[string]bool, len(c.duplicated))
	for _, id := range c.duplicated {
		if !c.warned[id] {
			c.warn(fmt.Sprintf("scenario id %s is sent %d times in one answer: its first entry is read, the others are left out", id, c.ids[id]))
		}
		warned[id] = true
	}
	c.warned = warned
}

// warn keeps a warning for the response being read.
func (c *Cache) warn(s string) {
	if c.warnings != nil {
		*c.warnings = append(*c.warnings, s)
	}
}

// end forgets what the response read whole did not hold.
func (c *Cache) end() {
	forget(c.measures, c.gen)
	forget(c.infos, c.gen)
}

func forget[T any](m map[jsonKey]*cached[T], gen uint64) {
	for k, v := range m {
		if v.gen != gen {
			delete(m, k)
		}
	}
}

// measure reads the "measure" member of an entry.
func (c *Cache) measure(dec *decoder, probs *problems, entry *MeasureEntry) (*Measure, error) {
	return lookup(c, c.measures, dec, probs, func(sub *decoder, own *problems) (*Measure, error) {
		return decodeMeasure(sub, own, &entry.names, c.warn)
	})
}

// metricInfo reads the "metricInfo" member of an entry.
func (c *Cache) metricInfo(dec *decoder, probs *problems, entry *MeasureEntry) (map[string]MetricInfo, error) {
	return lookup(c, c.infos, dec, probs, func(sub *decoder, own *problems) (map[string]MetricInfo, error) {
		return decodeMetricInfo(sub, own, &entry.names)
	})
}

// lookup reads the value dec is at whole, and returns it as decoded before
// when m has it, or decodes it and keeps it in m.
func lookup[T any](c *Cache, m map[jsonKey]*cached[T], dec *decoder, probs *problems,
	decode func(*decoder, *problems) (T, error),
) (T, error) {
	var zero T
	raw, err := dec.ReadValue()
	if err != nil {
		return zero, err
	}
	key := c.key(raw)
	if hit, ok := m[key]; ok {
		hit.gen = c.gen
		probs.keep(hit.problem)
		return hit.v, nil
	}
	var own problems
	c.sub.resetBytes(raw)
	v, err := decode(&c.sub, &own)
	c.sub.resetBytes(nil) // raw is the response's buffer: not kept past the gather
	if err != nil {
		return zero, err
	}
	probs.keep(own.first)
	if len(raw) <= maxCachedBytes {
		m[key] = &cached[T]{v: v, problem: own.first, gen: c.gen}
	}
	return v, nil
}

// jsonKey identifies a value's JSON by two 64-bit hashes of random seeds:
// 16 bytes a scenario instead of its JSON, some 250 bytes (25 MB for
// 100,000 scenarios), and values no one can make collide without the seeds,
// made at each start.
type jsonKey [2]uint64

func (c *Cache) key(raw []byte) jsonKey {
	return jsonKey{maphash.Bytes(c.seeds[0], raw), maphash.Bytes(c.seeds[1], raw)}
}
