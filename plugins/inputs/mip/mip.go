// Package mip is a Telegraf input plugin that reads scenario statuses and
// metrics from a MIP (Maltem Insight Performances) instance over its REST API.
package mip

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/influxdata/telegraf"
	"github.com/influxdata/telegraf/config"
	httpconfig "github.com/influxdata/telegraf/plugins/common/http"
	"github.com/influxdata/telegraf/plugins/inputs"

	"github.com/telegraf-mip/telegraf-mip/internal/mipapi"
	"github.com/telegraf-mip/telegraf-mip/internal/safefile"
	"github.com/telegraf-mip/telegraf-mip/plugins/inputs/mip/ledger"
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

// First-gather modes.
const (
	firstGatherLatest = "latest"
	firstGatherWindow = "window"
)

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
	Schema string `toml:"schema"`
	// MetricLayout shapes the InfluxDB points: "narrow" (the default), a
	// point per metric, or "wide", a point per run (see wide.go).
	MetricLayout        string      `toml:"metric_layout"`
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

	httpconfig.TransportConfig

	Log telegraf.Logger `toml:"-"`

	// How the binary runs the plugin: SetOptions, and Serve's schedule.
	opts     Options
	schedule Schedule

	// Derived from the configuration in Init.
	filter   scenarioFilter
	influx   bool            // emit the InfluxDB schema
	centreon *centreonConfig // emit the Centreon schema, when set
	source   string

	// HTTP: the client, and its transport, which tests dial differently.
	client    *mipapi.Client
	transport *http.Transport
	runs      mipapi.RunDecoder
	decoded   mipapi.Cache // measures and metricInfo, decoded once

	// Delivery: what was written, and state_file (store nil without it).
	ledger   *ledger.Ledger
	store    *ledger.Store
	claim    *safefile.Held // state_file claimed for the process, kept from the garbage collector
	reader   func() string  // identifies the reader; nil: ledger.Reader
	tracking tracking       // in Telegraf: the delivery the last gather waits for
	health   *outputHealth  // nil without output_health_url
	reach    reach
	warned   warned

	now    func() time.Time
	ctx    context.Context
	cancel context.CancelFunc
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
		MetricLayout:        layoutNarrow,
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

// Options are what the telegraf-mip binary tells the plugin about how it
// runs it; Telegraf's registry sets none.
type Options struct {
	// ReadOnlyState makes the plugin read state_file but never write it
	// (telegraf-mip -test).
	ReadOnlyState bool
	// Once: the process gathers once (-once, -test), or each gather is a
	// check (telegraf-mip's TELEGRAF_MIP_DRY_RUN). A gather that
	// output_health_url holds says so each time; with ReadOnlyState (-test,
	// a dry run) it is not held, only reported.
	Once bool
	// ClaimStateFile: the process claims state_file for this
	// configuration until it ends, and a second process with the same
	// refuses to start (see ledger.Claim).
	ClaimStateFile bool
}

// SetOptions sets how the binary runs the plugin; call it before Init.
func (p *MIP) SetOptions(o Options) { p.opts = o }

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
	if err := p.checkAPIKey(); err != nil {
		return err
	}
	if err := p.checkSettings(); err != nil {
		return err
	}
	if p.filter, err = newScenarioFilter(p); err != nil {
		return err
	}
	if err := p.initOutputHealth(); err != nil {
		return err
	}
	p.influx = p.Schema != schemaCentreon
	if p.Schema != schemaInfluxDB {
		if p.centreon, err = newCentreonConfig(p); err != nil {
			return err
		}
	}
	transport, err := p.newTransport()
	if err != nil {
		return err
	}
	if p.InsecureSkipVerify {
		p.Log.Warn("insecure_skip_verify is set: the MIP server's certificate is not verified")
	}
	p.transport = transport
	p.client = mipapi.NewClient(transport, base, p.apiKey, int64(p.MaxBodySize), time.Duration(p.ResponseHeaderTimeout))
	p.source = base.Host
	if p.now == nil {
		p.now = time.Now
	}
	if err := p.restore(); err != nil {
		return err
	}
	p.ctx, p.cancel = context.WithCancel(context.Background())
	return nil
}

// checkSettings refuses a setting out of its range, naming it.
func (p *MIP) checkSettings() error {
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
	switch p.Schema {
	case schemaInfluxDB, schemaCentreon, schemaBoth:
	default:
		return fmt.Errorf(`schema %q is not "influxdb", "centreon" or "both"`, p.Schema)
	}
	return p.checkLayout()
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
	if u.Path == "/api" || strings.HasSuffix(u.Path, "/api") {
		base := *u
		base.Path = strings.TrimSuffix(u.Path, "/api")
		return nil, fmt.Errorf("url %q ends in /api: give MIP's base address, the plugin adds /api/measures/...; "+
			"drop /api: url = %q", u.Redacted(), base.Redacted())
	}
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

// checkAPIKey refuses a missing key, or one that no HTTP header can carry,
// which would fail every gather; the message never holds the key.
func (p *MIP) checkAPIKey() error {
	if p.APIKey.Empty() {
		return errors.New(`api_key is empty: set it to your MIP API key, e.g. api_key = "${MIP_API_KEY}", or set api_key_file`)
	}
	if len(p.APIKey.GetUnlinked()) > 0 {
		return errors.New("api_key refers to a secret store (@{store:key}), which telegraf-mip cannot reach: " +
			"use an environment variable, e.g. \"${MIP_API_KEY}\"")
	}
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
