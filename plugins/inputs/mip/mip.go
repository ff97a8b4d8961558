// Package mip is a Telegraf input plugin that reads scenario statuses and
// metrics from a MIP (Maltem Insight Performances) instance over its REST API.
package mip

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/influxdata/telegraf"
	"github.com/influxdata/telegraf/config"
	httpconfig "github.com/influxdata/telegraf/plugins/common/http"
	"github.com/influxdata/telegraf/plugins/inputs"

	"github.com/telegraf-mip/telegraf-mip/plugins/inputs/mip/mipapi"
)

//go:embed sample.conf
var sampleConfig string

// Defaults.
const (
	// defaultTimeout bounds a whole gather: long enough for the 100 MB
	// answer of a large instance on a slow link...
	defaultTimeout = 60 * time.Second
	// ...while defaultSilence, the response_timeout default, finds a dead
	// or stalled server in 10 s, the reference plugin's timeout.
	defaultSilence  = 10 * time.Second
	defaultLookback = time.Hour
	// defaultMaxBodySize leaves room for about 40,000 scenarios × 60 runs.
	defaultMaxBodySize = 512 << 20
	// defaultReplayOnRestart covers Telegraf's default flush_interval (10s)
	// several times over.
	defaultReplayOnRestart = time.Minute
	// defaultClockSkewTolerance lets robots' clocks run a minute ahead.
	defaultClockSkewTolerance = time.Minute
	// defaultMaxPointsPerGather is half of Telegraf's default
	// metric_buffer_limit (10,000), leaving the other half to the other
	// inputs and to what the output has not written yet.
	defaultMaxPointsPerGather = 5000
)

// MIP records a run under its start time once it ends, so a run may appear
// up to its measure's timeout later. lateSlack is added to the timeout for
// the time MIP takes to record it, and windowMargin stands for the whole
// when the timeout is unknown.
const (
	lateSlack    = 30 * time.Second
	windowMargin = 5 * time.Minute
)

// lateHorizon is how long after its start a run of m may appear; no longer
// than lookback, which bounds every window.
func (p *MIP) lateHorizon(m *mipapi.Measure) time.Duration {
	if !m.Timeout.Valid || m.Timeout.Value <= 0 {
		return windowMargin
	}
	timeout := time.Duration(min(m.Timeout.Value, time.Duration(p.Lookback).Seconds()) * float64(time.Second))
	return timeout + lateSlack
}

// First-gather modes.
const (
	firstGatherLatest = "latest"
	firstGatherWindow = "window"
)

// maxReportedProblems bounds the problems one gather returns, so a response
// where every scenario is broken yields a readable error, not thousands of lines.
const maxReportedProblems = 10

// MIP is the plugin's configuration and state.
type MIP struct {
	URL        string          `toml:"url"`
	APIKey     config.Secret   `toml:"api_key"`
	APIKeyFile string          `toml:"api_key_file"`
	Timeout    config.Duration `toml:"timeout"`
	Lookback   config.Duration `toml:"lookback"`
	// MaxBodySize bounds a response; a larger one is an error, not an
	// exhausted machine.
	MaxBodySize config.Size `toml:"max_body_size"`

	ScenarioIDs        []int64  `toml:"scenario_ids"`
	ScenarioInclude    []string `toml:"scenario_include"`
	ScenarioExclude    []string `toml:"scenario_exclude"`
	DisplayNameInclude []string `toml:"display_name_include"`
	DisplayNameExclude []string `toml:"display_name_exclude"`
	ApplicationInclude []string `toml:"application_include"`
	ApplicationExclude []string `toml:"application_exclude"`

	// FirstGather is what the first gather without state emits: "latest",
	// the newest run of each scenario, or "window", every run in lookback.
	FirstGather string `toml:"first_gather"`
	// StateFile, when set, keeps the watermarks across restarts.
	StateFile string `toml:"state_file"`
	// ReplayOnRestart is how long before a restart the runs written are
	// written again after it: Telegraf may have held them in memory, unsent,
	// when it stopped. The points carry the runs' own times, so InfluxDB
	// overwrites what it already has.
	ReplayOnRestart config.Duration `toml:"replay_on_restart"`
	// ClockSkewTolerance is how far in the future, by the plugin's clock, a
	// run may be stamped and still be written: a robot whose clock is ahead.
	// A later run waits until its time comes within it.
	ClockSkewTolerance config.Duration `toml:"clock_skew_tolerance"`
	// MaxPointsPerGather bounds the points one gather writes, so that a
	// backfill never overflows Telegraf's metric buffer; the runs left are
	// written by the next gathers, oldest first. 0: no bound.
	MaxPointsPerGather int `toml:"max_points_per_gather"`
	// OutputHealthURL is a Telegraf [[outputs.health]] endpoint watching the
	// output's buffer: while it does not answer 200 the plugin does not
	// gather, and the runs wait in MIP (see health.go).
	OutputHealthURL string `toml:"output_health_url"`

	// Schema selects the points: "influxdb" (the default), "centreon" (the
	// shape Centreon's OpenTelemetry module turns into check results) or
	// "both".
	Schema              string      `toml:"schema"`
	CentreonHost        string      `toml:"centreon_host"`
	CentreonMeasurement string      `toml:"centreon_measurement"`
	CentreonService     string      `toml:"centreon_service"`
	UnknownStates       []string    `toml:"unknown_states"`
	WarningStates       []string    `toml:"warning_states"`
	CriticalStates      []string    `toml:"critical_states"`
	Thresholds          []Threshold `toml:"threshold"`

	// CentreonInstance is the <instance>~ prefix of the perfdata labels,
	// the Centreon plugin's --display-instance.
	CentreonInstance string `toml:"centreon_instance"`
	// A scenario whose newest run is older than CentreonStaleRuns times its
	// frequency (plus its timeout) gets a check result with
	// CentreonStaleState at each gather; 0 turns the check off.
	CentreonStaleRuns  int64  `toml:"centreon_stale_runs"`
	CentreonStaleState string `toml:"centreon_stale_state"`

	// LogLevel is read by the telegraf-mip binary, which owns the logger.
	LogLevel string `toml:"log_level"`

	// StateReadOnly makes the plugin read state_file but never write it
	// (telegraf-mip -test).
	StateReadOnly bool `toml:"-"`
	// GatherInterval is how often gathers come, when the binary knows it,
	// and CatchUpInterval how soon it gathers again when runs are left:
	// they size the steady state (see reportBacklog).
	GatherInterval  time.Duration `toml:"-"`
	CatchUpInterval time.Duration `toml:"-"`

	httpconfig.TransportConfig

	Log telegraf.Logger `toml:"-"`

	client *mipapi.Client
	// transport is the client's, which tests dial differently.
	transport *http.Transport
	filter    scenarioFilter
	influx    bool            // emit the InfluxDB schema
	centreon  *centreonConfig // emit the Centreon schema, when set
	source    string
	stateKey  string
	store     stateStore // state_file as this instance last saved it
	progress  *progress
	// replayed holds, per measure id, the newest run written before a
	// restart: runs up to it are written again for InfluxDB only.
	replayed map[string]time.Time
	backlog  backlog
	health   *outputHealth // nil without output_health_url
	// present holds the measures of the last response read whole, with how
	// late their runs may be recorded: the next window is sized on them.
	present map[string]time.Duration
	// futureWarned holds the runs from the future already warned about, by
	// measure id and run time.
	futureWarned map[string]bool
	// badReported holds the run keys that are no time already reported.
	badReported map[string]bool
	runs        mipapi.RunDecoder
	decoded     mipapi.Cache // measures and metricInfo, decoded once
	now         func() time.Time
	ctx         context.Context
	cancel      context.CancelFunc
}

// New returns the plugin with its defaults, as Telegraf's registry does.
func New() *MIP {
	return &MIP{
		Timeout: config.Duration(defaultTimeout),
		TransportConfig: httpconfig.TransportConfig{
			ResponseHeaderTimeout: config.Duration(defaultSilence),
		},
		Lookback:           config.Duration(defaultLookback),
		MaxBodySize:        config.Size(defaultMaxBodySize),
		FirstGather:        firstGatherLatest,
		ReplayOnRestart:    config.Duration(defaultReplayOnRestart),
		ClockSkewTolerance: config.Duration(defaultClockSkewTolerance),
		MaxPointsPerGather: defaultMaxPointsPerGather,

		Schema:              schemaInfluxDB,
		CentreonMeasurement: "mip",
		CentreonService:     "%{name}",
		UnknownStates:       []string{"unknown"}, // the Centreon plugin's /unknown/i
		WarningStates:       []string{"warning"},
		CriticalStates:      []string{"critical"},
		CentreonInstance:    "%{name}",
		CentreonStaleRuns:   3,
		CentreonStaleState:  "UNKNOWN",
	}
}

func init() {
	inputs.Add("mip", func() telegraf.Input { return New() })
}

// SampleConfig returns the documented configuration.
func (*MIP) SampleConfig() string {
	return sampleConfig
}

// Init checks the configuration and builds the HTTP client, so that every
// mistake known at start-up is reported then, not at the first gather.
func (p *MIP) Init() error {
	base, err := parseBaseURL(p.URL)
	if err != nil {
		return err
	}
	if err := p.loadAPIKeyFile(); err != nil {
		return err
	}
	if p.APIKey.Empty() {
		return errors.New(`api_key is empty: set it to your MIP API key, e.g. api_key = "${MIP_API_KEY}", or set api_key_file`)
	}
	if len(p.APIKey.GetUnlinked()) > 0 {
		return errors.New("api_key refers to a secret store (@{store:key}), which telegraf-mip cannot reach: " +
			"use an environment variable, e.g. \"${MIP_API_KEY}\"")
	}
	if err := p.checkAPIKey(); err != nil {
		return err
	}
	if p.Timeout <= 0 {
		return fmt.Errorf("timeout must be positive, got %s", time.Duration(p.Timeout))
	}
	if p.ResponseHeaderTimeout <= 0 {
		return fmt.Errorf("response_timeout must be positive, got %s", time.Duration(p.ResponseHeaderTimeout))
	}
	if p.MaxBodySize < 1024 {
		return fmt.Errorf("max_body_size must be at least 1KiB, got %d bytes", p.MaxBodySize)
	}
	if p.Lookback < config.Duration(time.Second) {
		return fmt.Errorf("lookback must be at least 1s, got %s", time.Duration(p.Lookback))
	}
	switch strings.ToLower(p.LogLevel) {
	case "", "error", "warn", "info", "debug", "trace":
	default:
		return fmt.Errorf("log_level %q is not one of error, warn, info, debug, trace", p.LogLevel)
	}
	if p.ReplayOnRestart < 0 {
		return fmt.Errorf("replay_on_restart must not be negative, got %s", time.Duration(p.ReplayOnRestart))
	}
	if p.ClockSkewTolerance < 0 {
		return fmt.Errorf("clock_skew_tolerance must not be negative, got %s", time.Duration(p.ClockSkewTolerance))
	}
	if p.MaxPointsPerGather < 0 {
		return fmt.Errorf("max_points_per_gather must not be negative, got %d (0: no bound)", p.MaxPointsPerGather)
	}
	if p.FirstGather != firstGatherLatest && p.FirstGather != firstGatherWindow {
		return fmt.Errorf(`first_gather %q is not "latest" or "window"`, p.FirstGather)
	}
	if p.filter, err = newScenarioFilter(p); err != nil {
		return err
	}
	if err := p.initOutputHealth(); err != nil {
		return err
	}
	switch p.Schema {
	case schemaInfluxDB, schemaCentreon, schemaBoth:
	default:
		return fmt.Errorf(`schema %q is not "influxdb", "centreon" or "both"`, p.Schema)
	}
	p.influx = p.Schema != schemaCentreon
	if p.Schema != schemaInfluxDB {
		if p.centreon, err = newCentreonConfig(p); err != nil {
			return err
		}
	}
	transport, err := p.TransportConfig.CreateTransport()
	if err != nil {
		return err
	}
	if p.InsecureSkipVerify {
		p.Log.Warn("insecure_skip_verify is set: the MIP server's certificate is not verified")
	}
	p.transport = transport
	p.client = mipapi.NewClient(transport, base, p.apiKey, int64(p.MaxBodySize), time.Duration(p.ResponseHeaderTimeout))
	p.source = base.Host
	p.now = time.Now
	p.stateKey = p.instanceKey()
	p.progress = newProgress()
	if p.StateFile != "" {
		if p.progress, err = loadProgress(p.StateFile, p.stateKey, p.StateReadOnly); err != nil {
			if !errors.Is(err, errStateDamaged) {
				return err
			}
			p.Log.Warnf("%v; starting without state: first_gather = %q applies", err, p.FirstGather)
		}
		p.replayed = p.progress.rewind()
		if len(p.replayed) > 0 && !p.StateReadOnly {
			p.Log.Infof("writing again the runs of %d scenarios written in the %s before the last stop, in case Telegraf had not sent them (replay_on_restart)",
				len(p.replayed), time.Duration(p.ReplayOnRestart))
		}
	}
	p.ctx, p.cancel = context.WithCancel(context.Background())
	return nil
}

func parseBaseURL(raw string) (*url.URL, error) {
	if raw == "" {
		return nil, errors.New(`url is empty: set it to your MIP instance, e.g. url = "https://mip.example.com"`)
	}
	if !strings.Contains(raw, "://") {
		// url.Parse would take "host:8080" for a scheme and a path.
		shown := raw
		if strings.Contains(raw, "@") {
			shown = "…@" + raw[strings.LastIndex(raw, "@")+1:]
		}
		return nil, fmt.Errorf(`url %q must start with "https://" (or "http://"), e.g. url = "https://%s"`, shown, shown)
	}
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // it repeats the URL, credentials included
		}
		return nil, fmt.Errorf("url is not a URL: %w", err)
	}
	port := u.Port()
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf(`url %q must start with "https://" (or "http://")`, u.Redacted())
	case u.Hostname() == "":
		return nil, fmt.Errorf("url %q has no host name", u.Redacted())
	case strings.HasSuffix(u.Host, ":"):
		return nil, fmt.Errorf("url %q has an empty port: write the port after the colon, or drop the colon for the default port of %s", u.Redacted(), u.Scheme)
	case port != "" && !validPort(port):
		return nil, fmt.Errorf("url %q has port %s, not a port between 1 and 65535", u.Redacted(), port)
	case u.User != nil:
		return nil, fmt.Errorf("url %q must not carry credentials: MIP authenticates with api_key", u.Redacted())
	case u.RawQuery != "" || u.Fragment != "":
		return nil, fmt.Errorf("url %q must not have a query or fragment: give the base address only", u.Redacted())
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	return u, nil
}

func validPort(port string) bool {
	n, err := strconv.Atoi(port)
	return err == nil && n >= 1 && n <= 65535
}

// loadAPIKeyFile reads api_key_file into api_key. Messages name the file,
// never its content.
func (p *MIP) loadAPIKeyFile() error {
	if p.APIKeyFile == "" {
		return nil
	}
	if !p.APIKey.Empty() {
		return errors.New("both api_key and api_key_file are set: keep one")
	}
	b, err := os.ReadFile(p.APIKeyFile)
	if err != nil {
		return fmt.Errorf("api_key_file: %w", err)
	}
	key := bytes.TrimSpace(b)
	if len(key) == 0 {
		return fmt.Errorf("api_key_file %s is empty", p.APIKeyFile)
	}
	if bytes.ContainsFunc(key, isControl) {
		return fmt.Errorf("api_key_file %s holds a control character, such as a line break inside the key: "+
			"it must hold the key alone, on one line", p.APIKeyFile)
	}
	p.APIKey = config.NewSecret(key)
	return nil
}

// checkAPIKey refuses a key that no HTTP header can carry, which would
// fail every gather; the message never holds the key.
func (p *MIP) checkAPIKey() error {
	key, err := p.apiKey()
	if err != nil {
		return fmt.Errorf("api_key: %w", err)
	}
	if strings.ContainsFunc(key, isControl) {
		return errors.New("api_key holds a control character, such as a line break (\\n in TOML, or in the environment variable it comes from): " +
			"an HTTP header cannot carry it")
	}
	return nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

func (p *MIP) apiKey() (string, error) {
	buf, err := p.APIKey.Get()
	if err != nil {
		return "", err
	}
	defer buf.Destroy()
	return strings.TrimSpace(buf.String()), nil
}

// Gather reads the runs of every measure in one request and emits, for each
// scenario that passes the filters, the runs newer than its watermark, in
// time order, oldest first, at most max_points_per_gather points in all.
// Scenarios that cannot be read are reported in the returned error; the
// others are emitted.
//
// The watermarks move only past points that were delivered: when the
// accumulator can flush (telegraf-mip's writer to stdout), they move after a
// successful flush, and a failed one leaves them, and state_file, unchanged.
func (p *MIP) Gather(acc telegraf.Accumulator) error {
	acc, held := p.holdForOutput(acc)
	if held {
		return nil
	}
	err := p.gatherOnce(acc)
	if err != nil && p.ctx.Err() != nil {
		return fmt.Errorf("%w: %w", ErrStopped, err)
	}
	return err
}

// ErrStopped marks the error of a gather that Stop cut short: no fault of
// MIP's, and nothing lost, since the runs it did not write stay owed.
var ErrStopped = errors.New("gather cut short by a stop; its unwritten runs are written by the next start")

// gatherOnce is one gather, bounded by timeout; Gather marks its error when a
// stop cut it short.
func (p *MIP) gatherOnce(acc telegraf.Accumulator) error {
	ctx, cancel := context.WithTimeout(p.ctx, time.Duration(p.Timeout))
	defer cancel()

	started := time.Now()
	g := p.newGatherPass()
	addStats := func() {
		if p.influx {
			acc.AddMetric(g.stats.point(p.source, g.requested, time.Since(started)))
		}
	}

	body, err := p.client.MeasureDetails(ctx, g.window)
	if err != nil {
		g.stats.fail(err)
		addStats()
		return err
	}
	g.stats.httpStatus = http.StatusOK
	counted := &countingReader{ReadCloser: body}
	problems := p.consume(counted, &g, acc)
	body.Close()
	g.stats.responseBytes = counted.n
	g.stats.errors = len(problems)

	p.Log.Debugf("GET %s (from=now-%s): %d scenarios, %d kept by the filters, %d new runs, %d points",
		p.client.MeasureDetailsEndpoint(), mipapi.RelativeDuration(g.window), g.stats.scenarios, g.stats.kept, g.stats.runs, g.stats.points)
	addStats()
	if f, ok := acc.(flusher); ok {
		if err := f.Flush(); err != nil {
			return fmt.Errorf("writing the points of %d runs: %w; the watermarks stay where they were, so these runs are written again", g.stats.runs, err)
		}
	}
	p.commit(&g)
	if p.StateFile != "" && !p.StateReadOnly {
		if err := p.store.save(p.StateFile, p.stateKey, p.progress, p.Log.Warnf); err != nil {
			problems = append(problems, err)
		}
	}
	p.reportBacklog(&g)
	p.futureWarned = g.future
	if g.complete {
		p.badReported = g.bad
	}
	return summarize(problems)
}

// flusher is an accumulator that can tell whether its points were
// delivered: telegraf-mip's writer, which flushes them to stdout.
type flusher interface {
	Flush() error
}

// gatherPass is what one gather knows before reading the response, and the
// progress it makes, committed once its points are delivered.
type gatherPass struct {
	requested time.Time     // when the request was sent, by the plugin's clock
	window    time.Duration // how far back MIP is asked for runs
	capped    bool          // lookback cut the window short
	first     bool          // no gather succeeded before, here or in the state
	stats     gatherStats

	// Progress, applied by commit.
	complete   bool                 // the response was read whole
	watermarks map[string]time.Time // new watermarks, per measure id
	firstRuns  map[string]time.Time // the first run written of a scenario without a watermark
	settled    map[string]time.Time // new settled times, per measure id
	written    map[string][]time.Time
	horizons   map[string]time.Duration // how late each measure's runs may appear
	anchor     time.Time                // the next window starts here (minus the margin)

	budget    budget
	runPoints int             // points of runs written, mip_freshness excluded
	future    map[string]bool // runs from the future met, see warnFuture
	bad       map[string]bool // run keys that are no time met, by measure
	seen      map[string]bool // measure ids in the response that passed the filters

	scratch pointScratch // reused from run to run
}

func (p *MIP) newGatherPass() gatherPass {
	g := gatherPass{
		requested:  p.now(),
		first:      p.progress.LastSuccess.IsZero(),
		watermarks: make(map[string]time.Time),
		firstRuns:  make(map[string]time.Time),
		settled:    make(map[string]time.Time),
		written:    make(map[string][]time.Time),
		horizons:   make(map[string]time.Duration),
		future:     make(map[string]bool),
		bad:        make(map[string]bool),
		seen:       make(map[string]bool),
	}
	g.window, g.capped = p.window(g.requested)
	g.stats.window = g.window
	g.anchor = g.requested
	g.budget = p.backlog.plan(p.MaxPointsPerGather)
	return g
}

// consume reads a /api/measures/details response and emits the new runs of
// the scenarios that pass the filters. It returns the problems met; the
// window moves on only when the response was read whole.
func (p *MIP) consume(body io.Reader, g *gatherPass, acc telegraf.Accumulator) []error {
	var problems []error
	err := p.decoded.DecodeMeasureDetails(body, func(m *mipapi.Measure) mipapi.RunSelection {
		if !p.filter.match(m) {
			return mipapi.RunSelection{Skip: true}
		}
		return p.runsWanted(string(m.ID), g)
	}, func(entry *mipapi.MeasureEntry, err error) {
		g.stats.scenarios++
		if err != nil {
			problems = append(problems, err)
			return
		}
		if !p.filter.match(entry.Measure) {
			return
		}
		g.stats.kept++
		g.seen[string(entry.Measure.ID)] = true
		problems = p.emitEntry(entry, g, acc, problems)
	})
	if err != nil {
		return append(problems, fmt.Errorf("reading %s: %w", p.client.LastEndpoint(), err))
	}
	p.filter.warnNoneKept(p.Log, g.stats.scenarios, g.stats.kept)
	g.complete = true
	return problems
}

// emitEntry emits the runs of one measure newer than its watermark, as many
// as the gather's budget allows, oldest first.
func (p *MIP) emitEntry(entry *mipapi.MeasureEntry, g *gatherPass, acc telegraf.Accumulator, problems []error) []error {
	id := string(entry.Measure.ID)
	watermark, known := p.progress.Watermarks[id]
	settled := p.progress.settled(id)
	horizon := p.lateHorizon(entry.Measure)
	g.horizons[id] = horizon
	if known && g.capped {
		p.warnLost(entry.Measure, watermark, g.requested.Add(-g.window))
	}
	// Runs not settled yet, in order: after the watermark, and the late ones
	// before it not written yet; on a first gather in "latest" mode, the
	// newest run only. Runs stamped in the future wait for their time.
	sel := p.runsWanted(id, g)
	newestOnly := sel.NewestOnly
	candidates, future, bad := entry.Runs(sel.After, sel.Until, newestOnly)
	for _, b := range bad {
		// Reported once: the same key comes back at every gather while it is
		// in the window.
		key := id + "\x00" + b.Error()
		g.bad[key] = true
		if !p.badReported[key] {
			problems = append(problems, fmt.Errorf("scenario id %s: %w", id, b))
		}
	}
	p.warnFuture(g, entry.Measure, future)
	written := p.progress.Written[id]
	newRuns := candidates.Keep(func(t time.Time) bool {
		return t.After(watermark) || !slices.ContainsFunc(written, t.Equal)
	})
	tags := g.scratch.scenarioTags(p.source, entry.Measure)
	var names map[string]string
	if p.influx && newRuns.Len() > 0 {
		names = metricTags(entry.MetricInfo)
	}
	skip := func(format string, args ...any) {
		p.Log.Debugf("scenario id %s: skipped "+format, append([]any{id}, args...)...)
	}
	share := g.budget.scenario(id)
	g.budget.steadyRuns += p.steadyRuns(entry.Measure)
	replayedUpTo, replaying := p.replayed[id]
	deferred := false
	wrote := make([]time.Time, 0, newRuns.Len())
	for i, tr := range newRuns.All() {
		// A run that cannot be read is reported and settled: it would not
		// read better at the next gather.
		if err := p.runs.Decode(&tr); err != nil {
			problems = append(problems, fmt.Errorf("scenario id %s: %w", id, err))
			wrote = append(wrote, tr.Time)
			continue
		}
		var points []telegraf.Metric
		if p.influx {
			points = g.scratch.runPoints(tags, entry.MetricInfo, names, tr, skip)
		}
		// Centreon takes a check as the service's current state: not for a
		// run written before a restart (it would notify a state change
		// twice), nor for one recorded late, older than a check it has.
		current := tr.Time.After(watermark) && (!replaying || tr.Time.After(replayedUpTo))
		if p.centreon != nil && current {
			points = append(points, p.centreon.centreonPoints(entry.Measure, entry.MetricInfo, tr)...)
		}
		if !share.take(len(points)) {
			deferred = true
			g.budget.deferRuns(id, newRuns.Len()-i)
			// The next window must reach this run, older than the
			// watermark when it was recorded late.
			g.anchor = minTime(g.anchor, tr.Time.Add(-time.Nanosecond))
			if !known && len(wrote) == 0 {
				// Never written: this run and the later ones are owed, and
				// no older one (in "latest" mode, the newest run only).
				settled = tr.Time.Add(-time.Nanosecond)
				watermark, known = settled, true
			}
			break
		}
		for _, m := range points {
			if err := checkPoint(m); err != nil {
				metricTag, _ := m.GetTag("metric")
				problems = append(problems, fmt.Errorf("scenario id %s, run %s: %s %q not emitted: %w", id, tr.Key(), m.Name(), metricTag, err))
				continue
			}
			acc.AddMetric(m)
			g.stats.points++
			g.runPoints++
		}
		g.stats.runs++
		wrote = append(wrote, tr.Time)
	}
	if len(wrote) > 0 {
		if !known {
			g.firstRuns[id] = wrote[0]
		}
		if newest := slices.MaxFunc(wrote, time.Time.Compare); !known || newest.After(watermark) {
			watermark, known = newest, true
		}
		if newestOnly {
			settled = watermark // the older runs are left out on purpose
		}
	}
	if !known {
		p.emitStale(entry.Measure, time.Time{}, g, share, acc)
		return problems
	}
	g.watermarks[id] = watermark
	// A measure missing from MIP's answers for a while: what it missed is
	// before this window, and comes with the next, which reaches back for
	// it; until then nothing after what it had is settled.
	notAfter := mipapi.MaxRunTime
	if covered, ok := p.progress.Covered[id]; ok && !g.capped && g.requested.Add(-g.window).After(covered.Add(-horizon)) {
		notAfter = covered.Add(-horizon)
	}
	g.settle(id, settled, watermark, horizon, append(slices.Clone(written), wrote...), notAfter)
	if deferred {
		return problems
	}
	if replaying && watermark.After(replayedUpTo) {
		delete(p.replayed, id)
	}
	if p.influx && share.take(1) {
		if m := freshnessPoint(tags, entry.Measure, watermark, g.requested); checkPoint(m) == nil {
			acc.AddMetric(m)
			g.stats.points++
		}
	}
	p.emitStale(entry.Measure, watermark, g, share, acc)
	return problems
}

// runsWanted is which runs of a measure a gather considers: those not
// settled yet (after the watermark, and the late ones before it); on a
// first gather in "latest" mode, the newest only. Runs stamped in the
// future are kept apart, to wait for their time.
func (p *MIP) runsWanted(id string, g *gatherPass) mipapi.RunSelection {
	_, known := p.progress.Watermarks[id]
	return mipapi.RunSelection{
		After:      p.progress.settled(id),
		Until:      g.requested.Add(time.Duration(p.ClockSkewTolerance)),
		NewestOnly: !known && g.first && p.FirstGather == firstGatherLatest,
	}
}

// commit applies the progress of a gather whose points were delivered.
func (p *MIP) commit(g *gatherPass) {
	before := commitRecord{At: g.requested, LastSuccess: p.progress.LastSuccess,
		Watermarks: make(map[string]time.Time), Settled: make(map[string]time.Time), Written: make(map[string][]time.Time),
	}
	for id, w := range g.watermarks {
		old, known := p.progress.Watermarks[id]
		settled, written := p.progress.settled(id), p.progress.Written[id]
		if !known {
			// A replay of this gather writes its runs from the first one;
			// a measure it wrote nothing of (left for later) has no replay.
			first, wrote := g.firstRuns[id]
			if !wrote {
				p.progress.Watermarks[id] = w
				continue
			}
			old = first.Add(-time.Nanosecond)
			settled, written = old, nil
		}
		if !w.After(old) {
			continue
		}
		before.Watermarks[id] = old
		before.Settled[id] = settled
		if len(written) > 0 {
			before.Written[id] = written
		}
		p.progress.Watermarks[id] = w
	}
	for id, t := range g.settled {
		p.progress.Settled[id] = t
		if w := g.written[id]; len(w) > 0 {
			p.progress.Written[id] = w
		} else {
			delete(p.progress.Written, id)
		}
	}
	// Only a response read whole tells which scenarios are gone.
	var cutoff time.Time
	if g.complete {
		p.progress.LastSuccess = g.anchor
		p.cover(g)
		cutoff = g.requested.Add(-time.Duration(p.Lookback) - forgetMargin)
	}
	if n := p.progress.forget(g.seen, g.requested, cutoff); n > 0 {
		p.Log.Infof("forgot %d scenarios absent from MIP's answers for more than lookback (%s) plus %s", n, time.Duration(p.Lookback), forgetMargin)
	}
	p.progress.record(before, g.requested, time.Duration(p.ReplayOnRestart))
	p.backlog.update(g)
}

// cover records, for each measure of a response read whole, that its runs
// recorded before this request were all seen, unless the window started
// too late to see those recorded since the previous cover: then the next
// window reaches back for them (a measure that was missing from MIP's
// answers for a while, then came back). A window that lookback cut short
// covers anyway: warnLost counted what it could not reach.
func (p *MIP) cover(g *gatherPass) {
	from := g.requested.Add(-g.window)
	for id, horizon := range g.horizons {
		old, known := p.progress.Covered[id]
		if !known || g.capped || !from.After(old.Add(-horizon)) {
			p.progress.Covered[id] = g.requested
		}
	}
	p.present = g.horizons
}

// settle records, for a measure, the time up to which every run is settled
// (written, or left out on purpose) and the runs written after it, which
// runs recorded late may still fall between.
func (g *gatherPass) settle(id string, settled, watermark time.Time, horizon time.Duration, written []time.Time, notAfter time.Time) {
	if t := minTime(watermark.Add(-horizon), notAfter); t.After(settled) {
		settled = t
	}
	slices.SortFunc(written, time.Time.Compare)
	written = slices.CompactFunc(written, time.Time.Equal)
	keep := written[:0]
	for _, t := range written {
		if t.After(settled) {
			keep = append(keep, t)
		}
	}
	g.settled[id] = settled
	g.written[id] = keep
}

// warnFuture warns, once per run, about the runs of a measure stamped
// later than the clock skew tolerance allows: they wait for their time.
func (p *MIP) warnFuture(g *gatherPass, m *mipapi.Measure, future []mipapi.TimedRun) {
	for _, tr := range future {
		key := string(m.ID) + "\x00" + tr.Time.String()
		g.future[key] = true
		if !p.futureWarned[key] {
			p.Log.Warnf("scenario id %s: run %s is stamped %s ahead of this machine's clock, more than clock_skew_tolerance (%s): "+
				"it is written once its time comes, and no later run waits for it; check the clocks of MIP and its robots",
				m.ID, tr.Time.UTC().Format(time.RFC3339Nano), tr.Time.Sub(g.requested).Round(time.Second), time.Duration(p.ClockSkewTolerance))
		}
	}
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// window is how far back to ask for runs at now: back to where every
// measure of the last response still needs runs (its runs may appear up to
// its timeout late, and one missing from earlier answers needs what it
// missed), and to the last success or the oldest run left to write, or
// lookback when nothing succeeded yet. capped tells that lookback cut the
// window short, so that runs may have been lost. While a backlog is being
// written, the window may reach one more lookback back: those runs were
// seen, only not written yet.
func (p *MIP) window(now time.Time) (window time.Duration, capped bool) {
	lookback := time.Duration(p.Lookback)
	if p.progress.LastSuccess.IsZero() {
		return lookback, false
	}
	from := p.progress.LastSuccess.Add(-lateSlack)
	need := func(id string, horizon time.Duration) {
		if covered, ok := p.progress.Covered[id]; ok && covered.Add(-horizon).Before(from) {
			from = covered.Add(-horizon)
		}
	}
	if p.present != nil {
		for id, horizon := range p.present {
			need(id, horizon)
		}
	} else {
		// Since the start, no response read whole: every measure of the state.
		for id := range p.progress.Covered {
			need(id, windowMargin)
		}
		if len(p.progress.Covered) == 0 {
			from = p.progress.LastSuccess.Add(-windowMargin)
		}
	}
	limit := lookback
	if p.Behind() {
		limit *= 2
	}
	window = now.Sub(from)
	if window > limit {
		return limit, true
	}
	return window, false
}

// warnLost reports the runs of a measure recorded between its watermark and
// the start of a window that lookback cut short: MIP was not asked for them.
func (p *MIP) warnLost(m *mipapi.Measure, watermark, windowStart time.Time) {
	gap := windowStart.Sub(watermark)
	if gap <= 0 {
		return
	}
	count := "an unknown number of"
	if m.Frequency.Valid && m.Frequency.Value > 0 {
		n := int64(gap / time.Duration(m.Frequency.Value*float64(time.Second)))
		if n == 0 {
			return
		}
		count = "about " + strconv.FormatInt(n, 10)
	}
	p.Log.Warnf("scenario id %s: %s runs between %s and %s are older than lookback (%s) and were lost; raise lookback to backfill longer outages",
		m.ID, count, watermark.UTC().Format(time.RFC3339), windowStart.UTC().Format(time.RFC3339), time.Duration(p.Lookback))
}

// summarize joins the first problems of a gather and counts the rest.
func summarize(problems []error) error {
	if len(problems) <= maxReportedProblems {
		return errors.Join(problems...)
	}
	more := fmt.Errorf("and %d more problems", len(problems)-maxReportedProblems)
	return errors.Join(append(problems[:maxReportedProblems:maxReportedProblems], more)...)
}

// Stop aborts a request in flight, so the process can exit promptly, and
// closes the idle connections.
func (p *MIP) Stop() {
	if p.cancel != nil {
		p.cancel()
	}
	if p.transport != nil {
		// Idle connections are kept with no time limit unless
		// idle_conn_timeout is set: a reload would leave them open.
		p.transport.CloseIdleConnections()
	}
}
