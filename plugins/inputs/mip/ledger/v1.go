package ledger

import (
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// progressV1 is an instance's entry in a state file of version 1: parallel
// maps keyed by scenario id.
type progressV1 struct {
	LastSuccess time.Time              `json:"last_success"`
	Watermarks  map[string]time.Time   `json:"watermarks"`
	Settled     map[string]time.Time   `json:"settled"`
	Written     map[string][]time.Time `json:"written"`
	Covered     map[string]time.Time   `json:"covered"`
	Recent      []commitV1             `json:"recent"`
	LastSeen    map[string]time.Time   `json:"last_seen"`
}

type commitV1 struct {
	At          time.Time              `json:"at"`
	LastSuccess time.Time              `json:"last_success"`
	Watermarks  map[string]time.Time   `json:"watermarks"`
	Settled     map[string]time.Time   `json:"settled"`
	Written     map[string][]time.Time `json:"written"`
}

// decodeV1 reads the instances of a version 1 file into records. A missing
// settled time is the watermark's, as version 1 read it; its journal's
// gathers carry no reader, so a start after the upgrade replays them.
func decodeV1(raw jsontext.Value) (map[string]*State, error) {
	var old map[string]*progressV1
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &old); err != nil {
			return nil, err
		}
	}
	instances := make(map[string]*State, len(old))
	for key, pr := range old {
		if pr != nil {
			instances[key] = pr.upgrade()
		}
	}
	return instances, nil
}

func (pr *progressV1) upgrade() *State {
	st := NewState()
	st.LastSuccess = pr.LastSuccess
	for id, w := range pr.Watermarks {
		r := st.record(id)
		r.Watermark = w
		r.Settled = w
		if s, ok := pr.Settled[id]; ok {
			r.Settled = s
		}
		r.Written = pr.Written[id]
		r.normalize()
	}
	for id, t := range pr.Covered {
		st.record(id).Covered = t
	}
	for id, t := range pr.LastSeen {
		st.record(id).LastSeen = t
	}
	for _, c := range pr.Recent {
		e := Entry{At: c.At, LastSuccess: c.LastSuccess}
		for id, w := range c.Watermarks {
			if e.Before == nil {
				e.Before = make(map[string]Before)
			}
			settled, ok := c.Settled[id]
			if !ok || settled.After(w) {
				settled = w
			}
			e.Before[id] = Before{Watermark: w, Settled: settled, Written: c.Written[id]}
		}
		st.Journal = append(st.Journal, e)
	}
	return st
}
