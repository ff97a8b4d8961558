package ledger

import (
	"slices"
	"time"
)

// Record is what the ledger knows of one scenario. It keeps the invariant
// Settled <= Watermark, and Written sorted, each after Settled and not after
// Watermark.
type Record struct {
	// Watermark is the time of the newest run written; zero: none yet.
	Watermark time.Time `json:"watermark,omitzero"`
	// Settled is the time up to which every run is settled: written, or
	// left out on purpose (older than the first run of "latest" mode).
	Settled time.Time `json:"settled,omitzero"`
	// Written holds the runs written after Settled, which runs recorded late
	// may fall between.
	Written []time.Time `json:"written,omitempty"`
	// Covered is the request time of the last response read whole that
	// listed the scenario, with no gap in what MIP was asked before it.
	Covered time.Time `json:"covered,omitzero"`
	// LastSeen is when a response last listed the scenario: one unseen for
	// too long is forgotten.
	LastSeen time.Time `json:"last_seen,omitzero"`
}

// Known tells whether a run of the scenario was written.
func (r *Record) Known() bool { return !r.Watermark.IsZero() }

// Owes tells whether run t, later than Settled, is still to be written:
// newer than the watermark, or recorded late and not written yet.
func (r *Record) Owes(t time.Time) bool {
	return t.After(r.Watermark) || !slices.ContainsFunc(r.Written, t.Equal)
}

// Valid tells whether r keeps its invariant.
func (r *Record) Valid() bool {
	if !r.Known() {
		return r.Settled.IsZero() && len(r.Written) == 0
	}
	if r.Settled.After(r.Watermark) || !slices.IsSortedFunc(r.Written, time.Time.Compare) {
		return false
	}
	for _, t := range r.Written {
		if !t.After(r.Settled) || t.After(r.Watermark) {
			return false
		}
	}
	return true
}

// advance is the progress of r after a gather: its watermark moved to
// watermark (never back), every run up to settled is settled, and the runs
// in wrote were written. A run older than watermark minus horizon (how late
// a run may appear) cannot appear any more, so that far is settled too, but
// never past notAfter, before which runs may still come (zero: no bound).
func (r Record) advance(watermark, settled time.Time, horizon time.Duration, wrote []time.Time, notAfter time.Time) Record {
	if watermark.After(r.Watermark) {
		r.Watermark = watermark
	}
	t := r.Watermark.Add(-horizon)
	if !notAfter.IsZero() && notAfter.Before(t) {
		t = notAfter
	}
	if t.After(settled) {
		settled = t
	}
	if settled.After(r.Watermark) {
		settled = r.Watermark
	}
	written := append(slices.Clone(r.Written), wrote...)
	slices.SortFunc(written, time.Time.Compare)
	written = slices.CompactFunc(written, time.Time.Equal)
	keep := written[:0]
	for _, w := range written {
		if w.After(settled) && !w.After(r.Watermark) {
			keep = append(keep, w)
		}
	}
	r.Settled = settled
	r.Written = nil
	if len(keep) > 0 {
		r.Written = keep
	}
	return r
}

// normalize restores the invariant of a record read from an older file:
// settled no later than the watermark, the runs written between them.
func (r *Record) normalize() {
	if r.Settled.After(r.Watermark) {
		r.Settled = r.Watermark
	}
	written := slices.Clone(r.Written)
	slices.SortFunc(written, time.Time.Compare)
	written = slices.CompactFunc(written, time.Time.Equal)
	r.Written = slices.DeleteFunc(written, func(t time.Time) bool { return !t.After(r.Settled) || t.After(r.Watermark) })
	if len(r.Written) == 0 {
		r.Written = nil
	}
}
