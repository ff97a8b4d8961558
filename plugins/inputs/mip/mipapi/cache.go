package mipapi

import (
	"github.com/telegraf-mip/telegraf-mip/internal/jsonscan"
)

// Cache keeps, from one response to the next, the measures and metricInfo
// as decoded, by their JSON: a scenario's come back the same at every
// gather, and are decoded once (many scenarios often share one
// metricInfo). What a response no longer holds is forgotten at the end of
// the next response read whole, so the cache holds one response's worth of
// measures at most. The zero Cache is ready; a nil *Cache keeps nothing.
type Cache struct {
	measures map[string]*cachedMeasure
	infos    map[string]*cachedInfo
	gen      uint64           // the response being read
	sub      jsonscan.Decoder // decodes a value read whole
}

type cachedMeasure struct {
	m       *Measure
	problem error
	gen     uint64 // the last response that held it
}

type cachedInfo struct {
	info    map[string]MetricInfo
	problem error
	gen     uint64
}

// maxCachedBytes bounds the JSON of a value kept: larger ones, which MIP
// does not send, are decoded every time.
const maxCachedBytes = 4096

// begin starts a response.
func (c *Cache) begin() {
	if c == nil {
		return
	}
	c.gen++
	if c.measures == nil {
		c.measures = make(map[string]*cachedMeasure)
		c.infos = make(map[string]*cachedInfo)
	}
}

// end forgets what the response read whole did not hold.
func (c *Cache) end() {
	if c == nil {
		return
	}
	for k, v := range c.measures {
		if v.gen != c.gen {
			delete(c.measures, k)
		}
	}
	for k, v := range c.infos {
		if v.gen != c.gen {
			delete(c.infos, k)
		}
	}
}

// measure reads the "measure" member of an entry.
func (c *Cache) measure(dec *jsonscan.Decoder, probs *problems, entry *MeasureEntry) (*Measure, error) {
	if c == nil {
		return decodeMeasure(dec, probs, &entry.store, &entry.names)
	}
	raw, err := dec.ReadValue()
	if err != nil {
		return nil, err
	}
	if cached, ok := c.measures[string(raw)]; ok {
		cached.gen = c.gen
		probs.keep(cached.problem)
		return cached.m, nil
	}
	// Decoded into storage of its own: it may be kept, and shared.
	var own problems
	c.sub.ResetBytes(raw)
	m, err := decodeMeasure(&c.sub, &own, new(measureStore), &entry.names)
	c.sub.ResetBytes(nil) // raw is the response's buffer: not kept past the gather
	if err != nil {
		return nil, err
	}
	probs.keep(own.first)
	if len(raw) <= maxCachedBytes {
		c.measures[string(raw)] = &cachedMeasure{m: m, problem: own.first, gen: c.gen}
	}
	return m, nil
}

// metricInfo reads the "metricInfo" member of an entry.
func (c *Cache) metricInfo(dec *jsonscan.Decoder, probs *problems, entry *MeasureEntry) (map[string]MetricInfo, error) {
	if c == nil {
		return decodeMetricInfo(dec, probs, &entry.names, &entry.infos)
	}
	raw, err := dec.ReadValue()
	if err != nil {
		return nil, err
	}
	if cached, ok := c.infos[string(raw)]; ok {
		cached.gen = c.gen
		probs.keep(cached.problem)
		return cached.info, nil
	}
	var own problems
	var info map[string]MetricInfo
	c.sub.ResetBytes(raw)
	info, err = decodeMetricInfo(&c.sub, &own, &entry.names, &info)
	c.sub.ResetBytes(nil)
	if err != nil {
		return nil, err
	}
	probs.keep(own.first)
	if len(raw) <= maxCachedBytes {
		c.infos[string(raw)] = &cachedInfo{info: info, problem: own.first, gen: c.gen}
	}
	return info, nil
}
