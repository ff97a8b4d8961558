package mip

import (
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/influxdata/telegraf"
	"github.com/influxdata/telegraf/metric"

	"github.com/telegraf-mip/telegraf-mip/internal/mipapi"
	"github.com/telegraf-mip/telegraf-mip/internal/output"
)

// Measurement names of the InfluxDB schema; see the README's Metrics section.
const (
	measurementScenario        = "mip_scenario"
	measurementMetric          = "mip_metric"
	measurementFormattedMetric = "mip_formatted_metric"
)

// Formatted metrics that describe the robot rather than the run: they become
// fields of mip_scenario, as the reference plugin keeps them out of perfdata.
var versionLabels = map[string]string{
	"API_VERSION":    "api_version",
	"SCRIPT_VERSION": "script_version",
}

// versionLabelOrder is the order of their fields.
var versionLabelOrder = sortedKeys(versionLabels)

// Status codes, in Nagios order.
const (
	statusOK       = 0
	statusWarning  = 1
	statusCritical = 2
	statusUnknown  = 3
)

// statusCode maps a MIP state type to a Nagios status code; anything MIP may
// add later is UNKNOWN.
func statusCode(state string) int64 {
	switch strings.ToUpper(strings.TrimSpace(state)) {
	case "OK":
		return statusOK
	case "WARNING":
		return statusWarning
	case "CRITICAL":
		return statusCritical
	}
	return statusUnknown
}

// pointScratch holds what a gather reuses from run to run to make points:
// metric.New copies what it is given.
type pointScratch struct {
	tags       map[string]string // the tags of the measure's points
	metricTags map[string]string // those and a metric's own
	keys       []string          // metric keys, sorted
	points     []telegraf.Metric // the points of one run
}

// scenarioTags returns the tags every point of a measure carries, in a map
// reused for the next measure. Empty values are left out: line protocol has
// no empty tag value.
func (s *pointScratch) scenarioTags(source string, m *mipapi.Measure) map[string]string {
	tags := emptied(&s.tags)
	putTag(tags, "scenario_id", string(m.ID))
	putTag(tags, "source", source)
	putTag(tags, "scenario", m.ScenarioName())
	putTag(tags, "display_name", string(m.DisplayName))
	putTag(tags, "application", m.ApplicationName())
	return tags
}

// emptied empties the map *m, made on first use, and returns it.
func emptied(m *map[string]string) map[string]string {
	if *m == nil {
		*m = make(map[string]string)
	}
	clear(*m)
	return *m
}

func putTag(tags map[string]string, key, value string) {
	if value = output.TagValue(value); value != "" {
		tags[key] = value
	}
}

// runPoints turns one run of a measure into its points, all at the run's
// time: one mip_scenario, one mip_metric per metric described in metricInfo,
// one mip_formatted_metric per formatted metric. Values that cannot be
// points (null, not a number, no metricInfo) are passed to skip and left out.
// They are made with s's buffers, valid until its next use.
func (s *pointScratch) runPoints(
	tags map[string]string, info map[string]mipapi.MetricInfo, names map[string]string, tr mipapi.TimedRun, skip func(format string, args ...any),
) []telegraf.Metric {
	r := tr.Run
	points := s.points[:0]
	// The tags of mip_metric and mip_formatted_metric points: the measure's
	// and the metric's, given to metric.New at once (sorted and sized once).
	maps.Copy(emptied(&s.metricTags), tags)
	withMetric := func(name, unit string) map[string]string {
		s.metricTags["metric"] = name
		if unit != "" {
			s.metricTags["unit"] = unit
		} else {
			delete(s.metricTags, "unit")
		}
		return s.metricTags
	}

	status := ""
	if r.State != nil {
		status = string(r.State.Type)
	}
	// Fields are added in a fixed order so that the output reads the same on
	// every run.
	state := metric.New(measurementScenario, tags, nil, tr.Time)
	if status != "" {
		state.AddField("status", output.FieldText(status))
	}
	state.AddField("status_code", statusCode(status))
	for _, label := range versionLabelOrder {
		if raw, ok := r.FormatedMetrics[label]; ok {
			if v, ok := mipapi.FormattedText(raw); ok {
				state.AddField(versionLabels[label], output.FieldText(v))
			}
		}
	}
	points = append(points, state)

	s.keys = appendSortedKeys(s.keys[:0], r.Metrics)
	for _, key := range s.keys {
		v := r.Metrics[key]
		mi, described := info[key]
		name, renamed := names[key]
		if !renamed {
			name = output.TagValue(mi.Name(key))
		}
		switch {
		case !described:
			skip("metric %q has no metricInfo", key)
			continue
		case !v.Valid:
			skip("metric %q: %s", key, v.Problem)
			continue
		case name == "":
			skip("metric %q has no name", key)
			continue
		}
		m := metric.New(measurementMetric, withMetric(name, output.TagValue(string(mi.Unit))), nil, tr.Time)
		m.AddField("value", v.Value)
		points = append(points, m)
	}

	points = s.formattedPoints(points, withMetric, tr, skip)
	s.points = points[:0] // grown, for the next run
	return points
}

// formattedPoints appends the mip_formatted_metric points of a run, with
// the tags withMetric gives a metric.
func (s *pointScratch) formattedPoints(
	points []telegraf.Metric, withMetric func(name, unit string) map[string]string, tr mipapi.TimedRun, skip func(format string, args ...any),
) []telegraf.Metric {
	r := tr.Run
	s.keys = appendSortedKeys(s.keys[:0], r.FormatedMetrics)
	for _, label := range s.keys {
		if _, ok := versionLabels[label]; ok {
			continue
		}
		if output.TagValue(label) == "" {
			skip("formatted metric %q has no usable label", label)
			continue
		}
		raw := r.FormatedMetrics[label]
		m := metric.New(measurementFormattedMetric, withMetric(output.TagValue(label), ""), nil, tr.Time)
		if mipapi.TooLong(raw) {
			// The decoder kept a stand-in for a value no point can carry:
			// the point is made of it, to be refused by output.CheckPoint as too long.
			m.AddField("text", string(raw))
		} else if n := mipapi.ParseNumber(raw); n.Valid {
			m.AddField("value", n.Value)
		} else if s, ok := mipapi.FormattedText(raw); ok {
			m.AddField("text", output.FieldText(s))
		} else {
			skip("formatted metric %q: a JSON %s is neither a number nor a text", label, mipapi.Kind(raw))
			continue
		}
		points = append(points, m)
	}
	return points
}

// metricTags returns the metric tags of the keys of metricInfo that share
// their alias (and unit) with a key before them in key order, nil when none
// do: one series at one time, the second point would overwrite the first,
// so the later key is told apart by its key, "Step [m2]". It is decided on
// metricInfo, not on each run's metrics, so that a series never changes
// metric.
func metricTags(info map[string]mipapi.MetricInfo) map[string]string {
	// Checked first, in one pass and without allocating for the usual few
	// keys: most metricInfo have no two keys alike.
	type series struct{ name, unit string }
	var buf [16]series
	seen, collide := buf[:0], false
	for key, mi := range info {
		s := series{output.TagValue(mi.Name(key)), string(mi.Unit)}
		if slices.Contains(seen, s) {
			collide = true
			break
		}
		seen = append(seen, s)
	}
	if !collide {
		return nil
	}
	names := make(map[string]string)
	taken := make(map[[2]string]bool)
	for _, key := range slices.Sorted(maps.Keys(info)) {
		mi := info[key]
		name := output.TagValue(mi.Name(key))
		if taken[[2]string{name, string(mi.Unit)}] {
			names[key] = output.TagValue(name + " [" + key + "]")
			continue
		}
		taken[[2]string{name, string(mi.Unit)}] = true
	}
	return names
}

// measurementFreshness tells, at gather time, how old each scenario's newest
// run is, so that a robot that stopped running can be alerted on.
const measurementFreshness = "mip_freshness"

// freshnessPoint is the age of a measure's newest run at gather time.
func freshnessPoint(tags map[string]string, m *mipapi.Measure, newest, now time.Time) telegraf.Metric {
	point := metric.New(measurementFreshness, tags, nil, now)
	// A run stamped ahead of this clock (within clock_skew_tolerance) is
	// as fresh as can be.
	point.AddField("age_seconds", max(now.Sub(newest), 0).Seconds())
	if m.Frequency.Valid && m.Frequency.Value > 0 {
		point.AddField("frequency_seconds", int64(m.Frequency.Value))
	}
	return point
}

// sortedKeys returns the keys of m in order, for output that reads the same
// on every run.
func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

// appendSortedKeys appends the keys of m to dst, in order.
func appendSortedKeys[V any](dst []string, m map[string]V) []string {
	start := len(dst)
	for k := range m {
		dst = append(dst, k)
	}
	slices.Sort(dst[start:])
	return dst
}
