package mip

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/influxdata/telegraf"
	"github.com/influxdata/telegraf/filter"
	"github.com/influxdata/telegraf/metric"

	"github.com/telegraf-mip/telegraf-mip/internal/centreonrules"
	"github.com/telegraf-mip/telegraf-mip/internal/mipapi"
	"github.com/telegraf-mip/telegraf-mip/internal/output"
	"github.com/telegraf-mip/telegraf-mip/plugins/inputs/mip/ledger"
)

// Schemas: which points a run becomes.
const (
	schemaInfluxDB = "influxdb"
	schemaCentreon = "centreon"
	schemaBoth     = "both"
)

// centreonIllegalChars are the characters Centreon refuses in object names
// (its default illegal_object_name_chars).
const centreonIllegalChars = "~!$%^&*\"|'<>?,()="

// Threshold sets Nagios ranges on the metrics whose alias matches Metric.
type Threshold struct {
	Metric   string `toml:"metric"`
	Warning  string `toml:"warning"`
	Critical string `toml:"critical"`
}

// centreonConfig is the Centreon side of the configuration, checked.
type centreonConfig struct {
	host        string
	measurement string
	service     string // template with %{name}, %{display_name}, %{app_name}, %{id}
	instance    string // template of the perfdata labels' <instance>~ prefix
	// statusRules are checked in order, the first match wins: the Centreon
	// plugin's critical, then warning, then unknown.
	statusRules []statusRule
	staleRuns   int64
	staleState  int64
	thresholds  []threshold
	// watchedSince is the start of the first window read: a scenario
	// without a known run has not run since then at least.
	watchedSince time.Time
}

// statusRule gives a status to the MIP states that match one of its
// case-insensitive regular expressions, as the Centreon plugin's
// --critical-status='%{status} =~ /critical/i' does.
type statusRule struct {
	status   int64
	patterns []*regexp.Regexp
}

type threshold struct {
	metric   filter.Filter
	warning  *nagiosRange
	critical *nagiosRange
}

func newCentreonConfig(p *MIP) (*centreonConfig, error) {
	c := &centreonConfig{
		host:        p.CentreonHost,
		measurement: p.CentreonMeasurement,
		service:     p.CentreonService,
		instance:    p.CentreonInstance,
		staleRuns:   p.CentreonStaleRuns,
	}
	switch {
	case c.host == "":
		return nil, errors.New(`centreon_host is empty: name the Centreon host the scenarios' services belong to (Telegraf's own host tag is never used)`)
	case strings.ContainsAny(c.host, centreonIllegalChars) || strings.ContainsAny(c.host, "\r\n\t"):
		return nil, fmt.Errorf("centreon_host %q has characters Centreon refuses in a host name (%s)", c.host, centreonIllegalChars)
	case c.measurement == "" || strings.Contains(c.measurement, "_"):
		return nil, fmt.Errorf("centreon_measurement %q must be non-empty and without '_': "+
			"Centreon reads the field name after the last '_' of <measurement>_<field>", c.measurement)
	case c.service == "":
		return nil, errors.New(`centreon_service is empty: set a template such as "%{name}"`)
	case c.instance == "":
		return nil, errors.New(`centreon_instance is empty: set a template such as "%{name}" (the Centreon plugin's --display-instance default)`)
	case c.staleRuns < 0:
		return nil, fmt.Errorf("centreon_stale_runs must be 0 (no stale check) or more, got %d", c.staleRuns)
	}
	for _, t := range []struct{ key, template string }{{"centreon_service", c.service}, {"centreon_instance", c.instance}} {
		for _, field := range centreonrules.TemplateFields(t.template) {
			if !slices.Contains(centreonrules.InstanceFields, field) {
				return nil, fmt.Errorf("%s: %%{%s} is not one of %%{name}, %%{display_name}, %%{app_name}, %%{id}", t.key, field)
			}
		}
	}
	staleState, ok := centreonrules.StatusByName(strings.TrimSpace(p.CentreonStaleState))
	c.staleState = int64(staleState)
	if !ok {
		return nil, fmt.Errorf("centreon_stale_state %q is not OK, WARNING, CRITICAL or UNKNOWN", p.CentreonStaleState)
	}
	for _, list := range []struct {
		key      string
		patterns []string
		status   int64
	}{
		{"critical_states", p.CriticalStates, statusCritical},
		{"warning_states", p.WarningStates, statusWarning},
		{"unknown_states", p.UnknownStates, statusUnknown},
	} {
		rule := statusRule{status: list.status}
		for _, pattern := range list.patterns {
			re, err := regexp.Compile("(?i)" + pattern)
			if err != nil {
				return nil, fmt.Errorf("%s: %q is not a regular expression: %w", list.key, pattern, err)
			}
			rule.patterns = append(rule.patterns, re)
		}
		c.statusRules = append(c.statusRules, rule)
	}
	for i, t := range p.Thresholds {
		f, err := filter.Compile([]string{t.Metric})
		if err != nil || t.Metric == "" {
			return nil, fmt.Errorf("threshold %d: metric %q is not a glob", i+1, t.Metric)
		}
		th := threshold{metric: f}
		if th.warning, err = parseNagiosRange(t.Warning); err != nil {
			return nil, fmt.Errorf("threshold %d (%s): warning: %w", i+1, t.Metric, err)
		}
		if th.critical, err = parseNagiosRange(t.Critical); err != nil {
			return nil, fmt.Errorf("threshold %d (%s): critical: %w", i+1, t.Metric, err)
		}
		if th.warning == nil && th.critical == nil {
			return nil, fmt.Errorf("threshold %d (%s): set warning, critical or both", i+1, t.Metric)
		}
		c.thresholds = append(c.thresholds, th)
	}
	return c, nil
}

// templateValues are a measure's values for the templates, as the Centreon
// plugin fills --display-instance: "-" when there is no application.
func templateValues(m *mipapi.Measure) map[string]string {
	app := m.ApplicationName()
	if app == "" {
		app = "-"
	}
	return map[string]string{"name": m.ScenarioName(), "display_name": string(m.DisplayName), "app_name": app, "id": string(m.ID)}
}

func fillTemplate(template string, m *mipapi.Measure) string {
	values := templateValues(m)
	return centreonrules.FillInstance(template, func(field string) string { return values[field] })
}

// serviceName fills the service template with a measure's names, replacing
// the characters Centreon refuses with '_'.
func (c *centreonConfig) serviceName(m *mipapi.Measure) string {
	return strings.Map(func(r rune) rune {
		if strings.ContainsRune(centreonIllegalChars, r) || r < ' ' {
			return '_'
		}
		return r
	}, strings.TrimSpace(fillTemplate(c.service, m)))
}

// instanceName is the <instance> of the perfdata labels, as the Centreon
// plugin renders --display-instance.
func (c *centreonConfig) instanceName(m *mipapi.Measure) string {
	return fillTemplate(c.instance, m)
}

// mapState is the Centreon plugin's status rules: the first rule with a
// pattern matching the MIP state gives its status; no match is OK.
func (c *centreonConfig) mapState(state string) int64 {
	for _, rule := range c.statusRules {
		for _, re := range rule.patterns {
			if re.MatchString(state) {
				return rule.status
			}
		}
	}
	return statusOK
}

// worse is Nagios' max_state: CRITICAL, then WARNING, then UNKNOWN, then OK.
func worse(a, b int64) int64 { return int64(centreonrules.Worse(int(a), int(b))) }

// perfdataLabel quotes a label as the Centreon plugin does, always, a quote
// inside doubled: the converter writes labels as it gets them. Control
// characters, which would break the check's output line, become spaces.
func perfdataLabel(label string) string {
	label = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, label)
	return centreonrules.QuoteLabel(label)
}

// centreonPoints turns one run into a Centreon check: a state point and one
// perfdata point per numeric metric, all at the run's time, labelled as
// the Centreon plugin labels them: <instance>~<alias>#scenario.metric.usage.<unit>.
func (c *centreonConfig) centreonPoints(m *mipapi.Measure, info map[string]mipapi.MetricInfo, tr mipapi.TimedRun) []telegraf.Metric {
	r := tr.Run
	service, instance := c.serviceName(m), c.instanceName(m)
	status := ""
	if r.State != nil {
		status = string(r.State.Type)
	}
	state := c.mapState(status)

	points := []telegraf.Metric{nil} // the state point, once its value is known
	for _, key := range sortedKeys(r.Metrics) {
		v := r.Metrics[key]
		mi, described := info[key]
		name := output.TagValue(mi.Name(key))
		if !described || !v.Valid || name == "" {
			continue
		}
		unit := string(mi.Unit)
		p := c.perfdataPoint(service, centreonrules.MetricLabel(instance, name, unit), unit, v.Value, tr.Time)
		for _, th := range c.thresholds {
			if !th.metric.Match(name) {
				continue
			}
			if th.warning != nil {
				th.warning.addFields(p, "warning")
				if th.warning.alerts(v.Value) {
					state = worse(state, statusWarning)
				}
			}
			if th.critical != nil {
				th.critical.addFields(p, "critical")
				if th.critical.alerts(v.Value) {
					state = worse(state, statusCritical)
				}
			}
			break // the first matching threshold applies
		}
		points = append(points, p)
	}
	for _, label := range sortedKeys(r.FormatedMetrics) {
		if _, ok := versionLabels[label]; ok || output.TagValue(label) == "" {
			continue
		}
		if n := mipapi.ParseNumber(r.FormatedMetrics[label]); n.Valid {
			points = append(points, c.perfdataPoint(service, centreonrules.FormattedMetricLabel(instance, output.TagValue(label)), "", n.Value, tr.Time))
		}
	}
	points[0] = c.statePoint(service, state, tr.Time)
	return points
}

func (c *centreonConfig) statePoint(service string, state int64, at time.Time) telegraf.Metric {
	return metric.New(c.measurement, map[string]string{"host": c.host, "service": service}, map[string]any{"state": state}, at)
}

// perfdataPoint is one perfdata of a check: a value and its unit, without
// min or max, as the Centreon plugin prints them.
func (c *centreonConfig) perfdataPoint(service, label, unit string, value float64, at time.Time) telegraf.Metric {
	tags := map[string]string{"host": c.host, "service": service, "perfdata": perfdataLabel(label)}
	if unit = output.TagValue(unit); unit != "" {
		tags["unit"] = unit
	}
	return metric.New(c.measurement, tags, map[string]any{"value": value}, at)
}

// emitStale adds the stale-robot check result of a measure whose newest
// run is newest (zero: none known), when one is due and the share allows.
func (p *MIP) emitStale(m *mipapi.Measure, newest time.Time, g *gatherPass, share *ledger.Scenario, acc telegraf.Accumulator) {
	if p.centreon == nil {
		return
	}
	points := p.centreon.staleCheck(m, newest, g.pass.At.Add(-g.pass.Window), g.pass.At)
	if len(points) == 0 || !share.Take(len(points)) {
		return
	}
	for _, point := range points {
		acc.AddMetric(point)
		g.stats.points++
	}
}

// staleCheck is the check result of a scenario whose robot stopped: at
// gather time, when its newest run (newest, the zero time when none is
// known) is older than staleRuns times its frequency plus its timeout. It
// carries the newest run's age in seconds, or the time watched when no run
// is known. The Centreon plugin's --memory said "noNewValue" instead.
func (c *centreonConfig) staleCheck(m *mipapi.Measure, newest, windowStart, now time.Time) []telegraf.Metric {
	if c.watchedSince.IsZero() {
		c.watchedSince = windowStart
	}
	if c.staleRuns == 0 || !m.Frequency.Valid || m.Frequency.Value <= 0 {
		return nil
	}
	limit := float64(c.staleRuns) * m.Frequency.Value
	if m.Timeout.Valid && m.Timeout.Value > 0 {
		limit += m.Timeout.Value
	}
	since := newest
	if since.IsZero() {
		since = c.watchedSince
	}
	age := now.Sub(since).Seconds()
	if age <= limit {
		return nil
	}
	service := c.serviceName(m)
	return []telegraf.Metric{
		c.statePoint(service, c.staleState, now),
		c.perfdataPoint(service, c.instanceName(m)+"~newest_run#scenario.run.age.seconds", "s", math.Round(age), now),
	}
}

// nagiosRange is a Nagios threshold range: [@]start:end, alerting outside
// start..end (inside with '@'). Omitted ends are infinite.
type nagiosRange struct {
	start, end float64
	inside     bool
}

func parseNagiosRange(s string) (*nagiosRange, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	r := &nagiosRange{start: 0, end: math.Inf(1)}
	if rest, ok := strings.CutPrefix(s, "@"); ok {
		if rest == "" {
			return nil, fmt.Errorf("%q is not a Nagios range ([@]start:end)", s)
		}
		r.inside, s = true, rest
	}
	lo, hi, hasColon := strings.Cut(s, ":")
	if !hasColon {
		lo, hi = "", lo
	}
	var err error
	switch lo {
	case "":
	case "~":
		r.start = math.Inf(-1)
	default:
		if r.start, err = strconv.ParseFloat(lo, 64); err != nil || math.IsInf(r.start, 0) || math.IsNaN(r.start) {
			return nil, fmt.Errorf("%q is not a Nagios range ([@]start:end)", s)
		}
	}
	if hi != "" {
		if r.end, err = strconv.ParseFloat(hi, 64); err != nil || math.IsInf(r.end, 0) || math.IsNaN(r.end) {
			return nil, fmt.Errorf("%q is not a Nagios range ([@]start:end)", s)
		}
	}
	if r.start > r.end {
		return nil, fmt.Errorf("%q starts after its end", s)
	}
	return r, nil
}

// alerts tells whether v is out of the range (in it, for an '@' range).
func (r *nagiosRange) alerts(v float64) bool {
	in := v >= r.start && v <= r.end
	return in == r.inside
}

// addFields sets the range on a perfdata point as Centreon's converter
// (and Telegraf's own nagios parser) reads it: <kind>_lt and <kind>_gt, or
// <kind>_le and <kind>_ge for an '@' range, always in pairs. An infinite
// end is written as the largest float64, which line protocol can carry.
func (r *nagiosRange) addFields(p telegraf.Metric, kind string) {
	low, high := "_lt", "_gt"
	if r.inside {
		low, high = "_le", "_ge"
	}
	p.AddField(kind+low, finite(r.start))
	p.AddField(kind+high, finite(r.end))
}

func finite(v float64) float64 {
	switch {
	case math.IsInf(v, 1):
		return math.MaxFloat64
	case math.IsInf(v, -1):
		return -math.MaxFloat64
	}
	return v
}
