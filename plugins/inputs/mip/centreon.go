package mip

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/influxdata/telegraf"
	"github.com/influxdata/telegraf/filter"
	"github.com/influxdata/telegraf/metric"
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
	states      map[string]int64
	thresholds  []threshold
}

type threshold struct {
	metric   filter.Filter
	warning  *nagiosRange
	critical *nagiosRange
}

func newCentreonConfig(p *MIP) (*centreonConfig, error) {
	c := &centreonConfig{host: p.CentreonHost, measurement: p.CentreonMeasurement, service: p.CentreonService, states: map[string]int64{}}
	switch {
	case c.host == "":
		return nil, errors.New(`centreon_host is empty: name the Centreon host the scenarios' services belong to (Telegraf's own host tag is never used)`)
	case strings.ContainsAny(c.host, centreonIllegalChars) || strings.ContainsAny(c.host, "\r\n\t"):
		return nil, fmt.Errorf("centreon_host %q has characters Centreon refuses in a host name (%s)", c.host, centreonIllegalChars)
	case c.measurement == "" || strings.Contains(c.measurement, "_"):
		return nil, fmt.Errorf("centreon_measurement %q must be non-empty and without '_': Centreon reads the field name after the last '_' of <measurement>_<field>", c.measurement)
	case c.service == "":
		return nil, errors.New(`centreon_service is empty: set a template such as "%{name}"`)
	}
	for _, list := range []struct {
		key    string
		states []string
		code   int64
	}{{"unknown_states", p.UnknownStates, statusUnknown}, {"warning_states", p.WarningStates, statusWarning}, {"critical_states", p.CriticalStates, statusCritical}} {
		for _, s := range list.states {
			name := strings.ToUpper(strings.TrimSpace(s))
			if prev, ok := c.states[name]; ok && prev != list.code {
				return nil, fmt.Errorf("%s: state %q is already in another list", list.key, s)
			}
			c.states[name] = list.code
		}
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

// serviceName fills the service template with a measure's names, replacing
// the characters Centreon refuses with '_'.
func (c *centreonConfig) serviceName(m *measure) string {
	s := strings.NewReplacer(
		"%{name}", m.name(),
		"%{display_name}", string(m.DisplayName),
		"%{app_name}", m.applicationName(),
		"%{id}", string(m.ID),
	).Replace(c.service)
	return strings.Map(func(r rune) rune {
		if strings.ContainsRune(centreonIllegalChars, r) || r < ' ' {
			return '_'
		}
		return r
	}, strings.TrimSpace(s))
}

// mapState is the reference plugin's status rules: a MIP state in one of
// the lists takes its status; any other is OK.
func (c *centreonConfig) mapState(state string) int64 {
	if code, ok := c.states[strings.ToUpper(strings.TrimSpace(state))]; ok {
		return code
	}
	return statusOK
}

// worse is Nagios' max_state: CRITICAL, then WARNING, then UNKNOWN, then OK.
func worse(a, b int64) int64 {
	rank := func(s int64) int { return [...]int{0, 2, 3, 1}[s] }
	if rank(b) > rank(a) {
		return b
	}
	return a
}

// centreonUnits maps MIP's units to the perfdata label suffix of the
// Centreon plugin (kept so migrated graphs continue) and to Centreon units.
func centreonUnit(mipUnit string) (labelSuffix, unit string) {
	switch mipUnit {
	case "ms":
		return "milliseconds", "ms"
	case "bytes":
		return "bytes", "B"
	case "bps":
		return "bitspersecond", "b/s"
	case "requests":
		return "requests", ""
	}
	return "count", ""
}

// perfdataLabel quotes a label as Nagios perfdata needs when it has a
// space, '=' or a quote; a quote inside is doubled.
func perfdataLabel(label string) string {
	if !strings.ContainsAny(label, " ='") {
		return label
	}
	return "'" + strings.ReplaceAll(label, "'", "''") + "'"
}

// centreonPoints turns one run into a Centreon check: a state point and one
// perfdata point per numeric metric, all at the run's time.
func (c *centreonConfig) centreonPoints(m *measure, info map[string]metricInfo, tr timedRun) []telegraf.Metric {
	r := tr.Run
	tags := map[string]string{"host": c.host, "service": c.serviceName(m)}
	status := ""
	if r.State != nil {
		status = string(r.State.Type)
	}
	state := c.mapState(status)

	points := []telegraf.Metric{nil} // the state point, once its value is known
	for _, key := range sortedKeys(r.Metrics) {
		v := r.Metrics[key]
		mi, described := info[key]
		name := tagValue(mi.name(key))
		if !described || !v.Valid || name == "" {
			continue
		}
		suffix, unit := centreonUnit(string(mi.Unit))
		p := c.perfdataPoint(name+"#scenario.metric.usage."+suffix, unit, v.Value, tr.Time)
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
		if _, ok := versionLabels[label]; ok || tagValue(label) == "" {
			continue
		}
		if n := parseNumber(r.FormatedMetrics[label]); n.Valid {
			points = append(points, c.perfdataPoint(tagValue(label)+"#scenario.formatted_metric.usage.count", "", n.Value, tr.Time))
		}
	}
	points[0] = metric.New(c.measurement, tags, map[string]any{"state": state}, tr.Time)
	for _, p := range points[1:] {
		p.AddTag("host", c.host)
		p.AddTag("service", tags["service"])
	}
	return points
}

func (c *centreonConfig) perfdataPoint(label, unit string, value float64, at time.Time) telegraf.Metric {
	p := metric.New(c.measurement, map[string]string{"perfdata": perfdataLabel(label)}, nil, at)
	if unit != "" {
		p.AddTag("unit", unit)
	}
	p.AddField("value", value)
	p.AddField("min", 0.0) // the Centreon plugin's min for every MIP metric
	return p
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
