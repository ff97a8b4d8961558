package mip

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os/user"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/telegraf-mip/telegraf-mip/plugins/inputs/mip/ledger"
)

// restore makes the ledger and, with state_file, resumes it: the gathers
// committed within replay_on_restart before the last stop are rewound when
// another Telegraf reads now, or one the plugin cannot identify.
func (p *MIP) restore() error {
	reader := ledger.Reader
	if p.reader != nil {
		reader = p.reader
	}
	p.ledger = ledger.New(ledger.Config{
		Lookback:    time.Duration(p.Lookback),
		Replay:      time.Duration(p.ReplayOnRestart),
		ClockSkew:   time.Duration(p.ClockSkewTolerance),
		NewestFirst: p.FirstGather == firstGatherLatest,
		MaxPoints:   p.MaxPointsPerGather,
		// A wide run is one point, and its Centreon check a few more.
		PointsPerRun: p.pointsPerRunGuess(),
	}, reader())
	if p.StateFile == "" {
		return nil
	}
	if err := ledger.CheckFile(p.StateFile, p.opts.ReadOnlyState); err != nil {
		return err
	}
	if p.opts.ReadOnlyState {
		p.checkWritable()
	}
	key := p.instanceKey()
	if p.opts.ClaimStateFile && !p.opts.ReadOnlyState {
		claim, err := ledger.Claim(p.StateFile, key)
		if err != nil {
			return err
		}
		p.claim = claim
	}
	st, err := ledger.Load(p.StateFile, key, p.legacyKey(), p.opts.ReadOnlyState)
	if err != nil {
		if !errors.Is(err, ledger.ErrDamaged) {
			return err
		}
		p.Log.Warnf("%v; starting without state: first_gather = %q applies", err, p.FirstGather)
	}
	replayed, ahead := p.ledger.Restore(st, p.now())
	if p.health != nil {
		p.health.since = st.HeldSince
	}
	p.warnAhead(ahead)
	if replayed > 0 && !p.opts.ReadOnlyState {
		p.Log.Infof("writing again the runs of %d scenarios written in the %s before the last stop, in case Telegraf had not sent them (replay_on_restart)",
			replayed, time.Duration(p.ReplayOnRestart))
	}
	if !p.opts.ReadOnlyState {
		p.store = &ledger.Store{Path: p.StateFile, Key: key}
	}
	return nil
}

// checkWritable says, in -test, which writes no state, whether a real run
// could save state_file: not fatal, since -test may run as another user
// than Telegraf's.
func (p *MIP) checkWritable() {
	err := ledger.CheckWritable(p.StateFile)
	if err == nil {
		return
	}
	who := "this user"
	if u, uerr := user.Current(); uerr == nil {
		who = "user " + u.Username
	}
	p.Log.Warnf("%v (checked as %s: a real run, as the user Telegraf runs it as, must be able to)", err, who)
}

// save writes the ledger to state_file, when there is one to write.
func (p *MIP) save() error {
	if p.store == nil {
		return nil
	}
	return p.store.Save(p.ledger.State(), p.Log.Warnf)
}

// instanceKey identifies a configuration whose progress can be resumed: the
// same MIP instance, the same filters, the same metric_layout and the same
// schema. Two plugins with different URLs, filters, layouts or schemas
// never share progress, even in one state file: a narrow and a wide block,
// or an InfluxDB and a Centreon block, may share one. The defaults add
// nothing to the key, so that the keys saved before the layout and the
// schema were part of it stay valid.
func (p *MIP) instanceKey() string {
	parts := p.keyParts()
	if p.Schema != schemaInfluxDB {
		parts = append(parts, p.Schema)
	}
	return hashKey(parts)
}

// legacyKey is the key of the same configuration before the schema was
// part of it: an upgrade resumes a Centreon block's progress saved under
// it (see ledger.Load). Empty when it is instanceKey.
func (p *MIP) legacyKey() string {
	if p.Schema == schemaInfluxDB {
		return ""
	}
	return hashKey(p.keyParts())
}

// keyParts is what a key is made of, but the schema.
func (p *MIP) keyParts() []string {
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
	if p.MetricLayout == layoutWide {
		parts = append(parts, layoutWide)
	}
	return parts
}

func hashKey(parts []string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(sum[:12])
}

// warnAhead says that the state restored lay ahead of the clock, and how
// the plugin resumed.
func (p *MIP) warnAhead(ahead ledger.Ahead) {
	if ahead.By <= 0 {
		return
	}
	also := ""
	if ahead.Watermarks > 0 {
		also = fmt.Sprintf("; the newest runs written of %d scenarios lay ahead too: their runs since lookback are asked for again (some may be written again)",
			ahead.Watermarks)
	}
	p.Log.Warnf("state file %s holds times up to %s ahead of this machine's clock, more than clock_skew_tolerance (%s): "+
		"the clock went back since they were saved; resuming with a window of lookback (%s), so that no run recorded since is lost%s",
		p.StateFile, ahead.By.Round(time.Second), time.Duration(p.ClockSkewTolerance), time.Duration(p.Lookback), also)
}
