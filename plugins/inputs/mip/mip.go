// Package mip is a Telegraf input plugin that reads scenario statuses and
// metrics from a MIP (Maltem Insight Performances) instance over its REST API.
package mip

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/influxdata/telegraf"
	"github.com/influxdata/telegraf/config"
	httpconfig "github.com/influxdata/telegraf/plugins/common/http"
	"github.com/influxdata/telegraf/plugins/inputs"
)

//go:embed sample.conf
var sampleConfig string

// Defaults of the reference plugin, kept for users who migrate.
const (
	defaultTimeout  = 10 * time.Second
	defaultLookback = time.Hour
)

// maxReportedProblems bounds the problems one gather returns, so a response
// where every scenario is broken yields a readable error, not thousands of lines.
const maxReportedProblems = 10

// MIP is the plugin's configuration and state.
type MIP struct {
	URL      string          `toml:"url"`
	APIKey   config.Secret   `toml:"api_key"`
	Timeout  config.Duration `toml:"timeout"`
	Lookback config.Duration `toml:"lookback"`

	ScenarioIDs        []int64  `toml:"scenario_ids"`
	ScenarioInclude    []string `toml:"scenario_include"`
	ScenarioExclude    []string `toml:"scenario_exclude"`
	DisplayNameInclude []string `toml:"display_name_include"`
	DisplayNameExclude []string `toml:"display_name_exclude"`
	ApplicationInclude []string `toml:"application_include"`
	ApplicationExclude []string `toml:"application_exclude"`

	// LogLevel is read by the telegraf-mip binary, which owns the logger.
	LogLevel string `toml:"log_level"`

	httpconfig.TransportConfig

	Log telegraf.Logger `toml:"-"`

	client *client
	filter scenarioFilter
	source string
	ctx    context.Context
	cancel context.CancelFunc
}

// New returns the plugin with its defaults, as Telegraf's registry does.
func New() *MIP {
	return &MIP{
		Timeout:  config.Duration(defaultTimeout),
		Lookback: config.Duration(defaultLookback),
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
	if p.APIKey.Empty() {
		return errors.New(`api_key is empty: set it to your MIP API key, e.g. api_key = "${MIP_API_KEY}"`)
	}
	if len(p.APIKey.GetUnlinked()) > 0 {
		return errors.New("api_key refers to a secret store (@{store:key}), which telegraf-mip cannot reach: use an environment variable, e.g. \"${MIP_API_KEY}\"")
	}
	if p.Timeout <= 0 {
		return fmt.Errorf("timeout must be positive, got %s", time.Duration(p.Timeout))
	}
	if p.Lookback < config.Duration(time.Second) {
		return fmt.Errorf("lookback must be at least 1s, got %s", time.Duration(p.Lookback))
	}
	switch strings.ToLower(p.LogLevel) {
	case "", "error", "warn", "info", "debug", "trace":
	default:
		return fmt.Errorf("log_level %q is not one of error, warn, info, debug, trace", p.LogLevel)
	}
	if p.filter, err = newScenarioFilter(p); err != nil {
		return err
	}
	transport, err := p.TransportConfig.CreateTransport()
	if err != nil {
		return err
	}
	if p.InsecureSkipVerify {
		p.Log.Warn("insecure_skip_verify is set: the MIP server's certificate is not verified")
	}
	p.client = &client{
		http:    &http.Client{Transport: transport},
		baseURL: base,
		apiKey:  p.apiKey,
	}
	p.source = base.Host
	p.ctx, p.cancel = context.WithCancel(context.Background())
	return nil
}

func parseBaseURL(raw string) (*url.URL, error) {
	if raw == "" {
		return nil, errors.New(`url is empty: set it to your MIP instance, e.g. url = "https://mip.example.com"`)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("url %q is not a URL: %w", raw, err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf(`url %q must start with "https://" (or "http://")`, u.Redacted())
	case u.Host == "":
		return nil, fmt.Errorf("url %q has no host name", u.Redacted())
	case u.User != nil:
		return nil, fmt.Errorf("url %q must not carry credentials: MIP authenticates with api_key", u.Redacted())
	case u.RawQuery != "" || u.Fragment != "":
		return nil, fmt.Errorf("url %q must not have a query or fragment: give the base address only", u.Redacted())
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	return u, nil
}

func (p *MIP) apiKey() (string, error) {
	buf, err := p.APIKey.Get()
	if err != nil {
		return "", err
	}
	defer buf.Destroy()
	return strings.TrimSpace(buf.String()), nil
}

// Gather reads every measure's runs in one request and emits the points of
// the newest run of each scenario that passes the filters. Scenarios that
// cannot be read are reported in the returned error; the others are emitted.
func (p *MIP) Gather(acc telegraf.Accumulator) error {
	ctx, cancel := context.WithTimeout(p.ctx, time.Duration(p.Timeout))
	defer cancel()

	body, err := p.client.measureDetails(ctx, time.Duration(p.Lookback))
	if err != nil {
		return err
	}
	defer body.Close()

	var problems []error
	var seen, kept, points int
	err = decodeMeasureDetails(body, func(entry *measureEntry, err error) {
		seen++
		if err != nil {
			problems = append(problems, err)
			return
		}
		if !p.filter.match(entry.Measure) {
			return
		}
		kept++
		runs, bad := sortedRuns(entry.Results)
		for _, b := range bad {
			problems = append(problems, fmt.Errorf("scenario id %s: %w", entry.Measure.ID, b))
		}
		if len(runs) == 0 {
			return
		}
		tags := scenarioTags(p.source, entry.Measure)
		skip := func(format string, args ...any) {
			p.Log.Debugf("scenario id %s: skipped "+format, append([]any{entry.Measure.ID}, args...)...)
		}
		for _, m := range runPoints(tags, entry.MetricInfo, runs[len(runs)-1], skip) {
			acc.AddMetric(m)
			points++
		}
	})
	endpoint := p.client.baseURL.Redacted() + measureDetailsPath
	if err != nil {
		problems = append(problems, fmt.Errorf("reading %s: %w", endpoint, err))
	}
	p.Log.Debugf("GET %s: %d scenarios, %d kept by the filters, %d points", endpoint, seen, kept, points)
	return summarize(problems)
}

// summarize joins the first problems of a gather and counts the rest.
func summarize(problems []error) error {
	if len(problems) <= maxReportedProblems {
		return errors.Join(problems...)
	}
	more := fmt.Errorf("and %d more problems", len(problems)-maxReportedProblems)
	return errors.Join(append(problems[:maxReportedProblems:maxReportedProblems], more)...)
}

// Stop aborts a request in flight, so the process can exit promptly.
func (p *MIP) Stop() {
	if p.cancel != nil {
		p.cancel()
	}
}
