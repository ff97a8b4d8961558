package mip

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// stateVersion is the version of the state file's format.
const stateVersion = 1

// progress is what the plugin knows of the runs it already emitted.
type progress struct {
	// LastSuccess is when the last gather whose response was read whole sent
	// its request; the next window starts there. Zero: no such gather yet.
	LastSuccess time.Time `json:"last_success"`
	// Watermarks holds, per measure id, the time of the newest run emitted.
	Watermarks map[string]time.Time `json:"watermarks"`
	// Settled holds, per measure id, the time up to which every run is
	// settled: written, or left out on purpose (older than the first run of
	// "latest" mode); Written, the runs written after it, which runs
	// recorded late may fall between. Missing from older files: the
	// watermark is settled.
	Settled map[string]time.Time   `json:"settled,omitempty"`
	Written map[string][]time.Time `json:"written,omitempty"`
	// Covered holds, per measure id, the request time of the last response
	// read whole that held it, with no gap in what MIP was asked before it.
	Covered map[string]time.Time `json:"covered,omitempty"`
	// Recent holds the gathers committed within replay_on_restart before the
	// last save, oldest first, each with what it changed: their runs may
	// still have been in Telegraf's memory when it stopped.
	Recent []commitRecord `json:"recent,omitempty"`
}

// commitRecord is a committed gather and the progress before it.
type commitRecord struct {
	At          time.Time `json:"at"`
	LastSuccess time.Time `json:"last_success"`
	// Watermarks holds the watermarks the gather moved, as they were before
	// it; for a scenario it wrote first, just before its first run. Settled
	// and Written hold the rest of those scenarios' progress before it, so
	// that a late run they still waited for is not given up by a rewind.
	Watermarks map[string]time.Time   `json:"watermarks"`
	Settled    map[string]time.Time   `json:"settled,omitempty"`
	Written    map[string][]time.Time `json:"written,omitempty"`
}

// record adds a committed gather to Recent and forgets those older than
// replay before now.
func (pr *progress) record(c commitRecord, now time.Time, replay time.Duration) {
	if replay <= 0 {
		pr.Recent = nil
		return
	}
	if len(c.Watermarks) > 0 || !c.LastSuccess.Equal(pr.LastSuccess) {
		pr.Recent = append(pr.Recent, c)
	}
	keep := 0
	for keep < len(pr.Recent) && !pr.Recent[keep].At.After(now.Add(-replay)) {
		keep++
	}
	pr.Recent = slices.Delete(pr.Recent, 0, keep)
}

// rewind puts the progress back to where it was before the gathers in
// Recent, so that their runs are written again, and returns, per measure id
// it moved, the newest run those gathers wrote.
func (pr *progress) rewind() map[string]time.Time {
	written := map[string]time.Time{}
	for i := len(pr.Recent) - 1; i >= 0; i-- {
		c := pr.Recent[i]
		for id, before := range c.Watermarks {
			if _, seen := written[id]; !seen {
				written[id] = pr.Watermarks[id]
			}
			pr.Watermarks[id] = before
			settled, ok := c.Settled[id]
			if !ok || settled.After(before) {
				settled = before // a file from before Settled was recorded
			}
			pr.Settled[id] = settled
			if w := c.Written[id]; len(w) > 0 {
				pr.Written[id] = w
			} else {
				delete(pr.Written, id)
			}
		}
		pr.LastSuccess = c.LastSuccess
	}
	pr.Recent = nil
	// Back before the first gather: the next one is no first gather, which
	// in "latest" mode would write only the newest runs, but one whose
	// window reaches the oldest run to write again.
	if pr.LastSuccess.IsZero() && len(written) > 0 {
		for id := range written {
			if w := pr.Watermarks[id]; pr.LastSuccess.IsZero() || w.Before(pr.LastSuccess) {
				pr.LastSuccess = w
			}
		}
	}
	return written
}

func newProgress() *progress {
	pr := &progress{}
	pr.init()
	return pr
}

// init makes the maps of a progress read from a file of any version.
func (pr *progress) init() {
	if pr.Watermarks == nil {
		pr.Watermarks = map[string]time.Time{}
	}
	if pr.Settled == nil {
		pr.Settled = map[string]time.Time{}
	}
	if pr.Written == nil {
		pr.Written = map[string][]time.Time{}
	}
	if pr.Covered == nil {
		pr.Covered = map[string]time.Time{}
	}
}

// settled returns the time up to which a measure's runs are settled.
func (pr *progress) settled(id string) time.Time {
	if t, ok := pr.Settled[id]; ok {
		return t
	}
	return pr.Watermarks[id]
}

// stateFile is the content of state_file: the progress of every plugin
// instance that shares it, each under the key of its configuration.
type stateFile struct {
	Version   int                  `json:"version"`
	Instances map[string]*progress `json:"instances"`
}

// instanceKey identifies a configuration whose progress can be resumed: the
// same MIP instance and the same filters. Two plugins with different URLs
// or filters never share progress, even in one state file.
func (p *MIP) instanceKey() string {
	ids := make([]string, 0, len(p.ScenarioIDs))
	for _, id := range p.ScenarioIDs {
		ids = append(ids, strconv.FormatInt(id, 10))
	}
	slices.Sort(ids)
	parts := []string{
		strings.TrimSuffix(p.URL, "/"), strings.Join(ids, ","),
		strings.Join(p.ScenarioInclude, ","), strings.Join(p.ScenarioExclude, ","),
		strings.Join(p.DisplayNameInclude, ","), strings.Join(p.DisplayNameExclude, ","),
		strings.Join(p.ApplicationInclude, ","), strings.Join(p.ApplicationExclude, ","),
	}
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(sum[:12])
}

// readStateFile reads path; a missing file is an empty state.
func readStateFile(path string) (*stateFile, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &stateFile{Version: stateVersion, Instances: map[string]*progress{}}, nil
	}
	if err != nil {
		return nil, err
	}
	var sf stateFile
	if err := json.Unmarshal(b, &sf); err != nil {
		return nil, fmt.Errorf("state file %s is not valid: %w", path, err)
	}
	if sf.Version != stateVersion {
		return nil, fmt.Errorf("state file %s has version %d, expected %d", path, sf.Version, stateVersion)
	}
	if sf.Instances == nil {
		sf.Instances = map[string]*progress{}
	}
	for _, pr := range sf.Instances {
		if pr != nil {
			pr.init()
		}
	}
	return &sf, nil
}

// loadProgress returns this instance's progress from path. A missing file or
// instance is a first start; an unreadable file is an error the caller
// reports before starting afresh.
func loadProgress(path, key string) (*progress, error) {
	sf, err := readStateFile(path)
	if err != nil {
		return newProgress(), err
	}
	if pr := sf.Instances[key]; pr != nil {
		return pr, nil
	}
	return newProgress(), nil
}

// saveProgress writes this instance's progress into path, keeping the other
// instances' entries, atomically: a crash leaves the old or the new file.
func saveProgress(path, key string, pr *progress) error {
	sf, err := readStateFile(path)
	if err != nil {
		// Unreadable: it was reported at start; replace it.
		sf = &stateFile{Instances: map[string]*progress{}}
	}
	sf.Version = stateVersion
	sf.Instances[key] = pr
	b, err := json.Marshal(sf)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("writing state file: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op once renamed
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("writing state file: %w", err)
	}
	if err := keepOwner(tmp, path); err != nil {
		tmp.Close()
		return fmt.Errorf("writing state file: %w", err)
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("writing state file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("writing state file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing state file: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing state file: %w", err)
	}
	return nil
}
