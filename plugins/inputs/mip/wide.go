package mip

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/influxdata/telegraf"
	"github.com/influxdata/telegraf/metric"

	"github.com/telegraf-mip/telegraf-mip/internal/mipapi"
	"github.com/telegraf-mip/telegraf-mip/internal/output"
)

// Metric layouts of the InfluxDB schema (metric_layout).
const (
	// layoutNarrow is one point per metric: mip_scenario, mip_metric and
	// mip_formatted_metric (the default).
	layoutNarrow = "narrow"
	// layoutWide is one mip_scenario point per run, its metrics as fields:
	// an eighth of the points and series, and a third of the pipeline's
	// CPU (docs/performance.md).
	layoutWide = "wide"
)

// checkLayout refuses a metric_layout that is not one, or one that cannot
// apply.
func (p *MIP) checkLayout() error {
	switch p.MetricLayout {
	case layoutNarrow:
	case layoutWide:
		if p.Schema == schemaCentreon {
			return errors.New(`metric_layout = "wide" shapes the InfluxDB points, and schema = "centreon" emits none: ` +
				`drop metric_layout, or set schema = "both"`)
		}
	default:
		return fmt.Errorf(`metric_layout %q is not "narrow" or "wide"`, p.MetricLayout)
	}
	return nil
}

// pointsPerRunGuess is what the ledger expects a run to bring before it
// saw one: one point in the wide layout alone, its default otherwise.
func (p *MIP) pointsPerRunGuess() float64 {
	if p.MetricLayout == layoutWide && p.Schema == schemaInfluxDB {
		return 1
	}
	return 0
}

// runLayout turns the runs of one measure into InfluxDB points.
type runLayout interface {
	points(s *pointScratch, tags map[string]string, info map[string]mipapi.MetricInfo, tr mipapi.TimedRun,
		skip func(format string, args ...any)) []telegraf.Metric
}

// influxLayout returns how the runs of a measure described by info become
// points, decided once per measure and gather.
func (p *MIP) influxLayout(info map[string]mipapi.MetricInfo) runLayout {
	if p.MetricLayout == layoutWide {
		return newWideLayout(info)
	}
	return narrowLayout{names: metricTags(info)}
}

// narrowLayout is the default layout: see runPoints.
type narrowLayout struct{ names map[string]string }

func (l narrowLayout) points(s *pointScratch, tags map[string]string, info map[string]mipapi.MetricInfo, tr mipapi.TimedRun,
	skip func(format string, args ...any)) []telegraf.Metric {
	return s.runPoints(tags, info, l.names, tr, skip)
}

// pointLabel names a point refused by output.CheckPoint: its metric tag (narrow),
// or its first field (a wide point holding a text too long alone).
func pointLabel(m telegraf.Metric) string {
	if name, ok := m.GetTag("metric"); ok {
		return name
	}
	if fields := m.FieldList(); len(fields) > 0 {
		return fields[0].Key
	}
	return ""
}

// reservedFields are the names no metric's field may take: the fixed fields
// of mip_scenario, the tags of its points and Telegraf's host tag (a field
// of a tag's name hides the tag from InfluxQL's WHERE and GROUP BY), and
// time, which InfluxDB refuses as a field (the whole point with it).
var reservedFields = map[string]bool{
	"status": true, "status_code": true, "api_version": true, "script_version": true,
	"source": true, "scenario_id": true, "scenario": true, "display_name": true, "application": true, "host": true,
	"time": true,
}

// Suffixes of the wide layout's field names.
const (
	// textSuffix ends every string field made of a formatted metric, and no
	// other: a field keeps one type from run to run, as InfluxDB requires.
	textSuffix = "_text"
	// formattedSuffix tells a formatted metric apart from a metric or
	// fixed field of the same name.
	formattedSuffix = "_formatted"
)

// wideLayout makes one mip_scenario point per run: the fixed fields, a
// float field per metric, named <alias>_<unit> (see metricField), and a
// field per formatted metric, <label> for a number, <label>_text for a text.
// The metrics' names are decided on metricInfo, not on each run, so that a
// field never changes meaning from run to run.
type wideLayout struct {
	fields map[string]string // field name by metric key
	taken  map[string]bool   // the metrics' field names
	used   []string          // the formatted metrics' field names in the run being made
}

func newWideLayout(info map[string]mipapi.MetricInfo) *wideLayout {
	l := &wideLayout{fields: make(map[string]string, len(info)), taken: make(map[string]bool, len(info))}
	for _, key := range sortedKeys(info) {
		mi := info[key]
		name := mi.Name(key)
		if name == "" {
			continue // skipped at every run, as in the narrow layout
		}
		alias, unit := fieldPart(name), fieldPart(string(mi.Unit))
		// The unit stays last, so that a dashboard selects by /_<unit>$/;
		// a name taken by a fixed field or an earlier key gets the key.
		field := floatField(joinParts(alias, unit))
		for n := 1; reservedFields[field] || l.taken[field]; n++ {
			parts := []string{alias, fieldPart(key)}
			if n > 1 {
				parts = append(parts, strconv.Itoa(n))
			}
			field = floatField(joinParts(append(parts, unit)...))
		}
		l.fields[key] = field
		l.taken[field] = true
	}
	return l
}

// formattedField returns the field of a formatted metric's label in the
// run being made, "" when every name it may take is taken.
func (l *wideLayout) formattedField(label string, text bool) string {
	base := fieldPart(label)
	for _, name := range [2]string{base, base + formattedSuffix} {
		if text {
			name += textSuffix
		} else {
			name = floatField(name)
		}
		if !reservedFields[name] && !l.taken[name] && !containsString(l.used, name) {
			l.used = append(l.used, name)
			return name
		}
	}
	return ""
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// points makes the run's point: one, unless its fields would make a line
// longer than inputs.execd reads, when they are spread over several points
// of the same series and time, which InfluxDB stores as one.
func (l *wideLayout) points(s *pointScratch, tags map[string]string, info map[string]mipapi.MetricInfo, tr mipapi.TimedRun,
	skip func(format string, args ...any)) []telegraf.Metric {
	r := tr.Run
	w := widePoint{tags: tags, tr: tr, points: s.points[:0]}
	status := ""
	if r.State != nil {
		status = string(r.State.Type)
	}
	if status != "" {
		w.add("status", output.FieldText(status))
	}
	w.add("status_code", statusCode(status))
	for _, label := range versionLabelOrder {
		if raw, ok := r.FormatedMetrics[label]; ok {
			if v, ok := mipapi.FormattedText(raw); ok {
				w.add(versionLabels[label], output.FieldText(v))
			}
		}
	}

	s.keys = appendSortedKeys(s.keys[:0], r.Metrics)
	for _, key := range s.keys {
		v := r.Metrics[key]
		field, named := l.fields[key]
		switch _, described := info[key]; {
		case !described:
			skip("metric %q has no metricInfo", key)
		case !v.Valid:
			skip("metric %q: %s", key, v.Problem)
		case !named:
			skip("metric %q has no name", key)
		default:
			w.add(field, v.Value)
		}
	}

	l.used = l.used[:0]
	s.keys = appendSortedKeys(s.keys[:0], r.FormatedMetrics)
	for _, label := range s.keys {
		if _, ok := versionLabels[label]; !ok {
			l.addFormatted(&w, label, r.FormatedMetrics[label], skip)
		}
	}
	points := w.done()
	s.points = points[:0] // grown, for the next run
	return points
}

// addFormatted adds the field of one formatted metric.
func (l *wideLayout) addFormatted(w *widePoint, label string, raw []byte, skip func(format string, args ...any)) {
	if fieldPart(label) == "" {
		skip("formatted metric %q has no usable label", label)
		return
	}
	var value any
	text := true
	if mipapi.TooLong(raw) {
		// The decoder's stand-in for a value no point can carry: the point
		// made of it alone is refused by output.CheckPoint, and reported.
		value = string(raw)
	} else if n := mipapi.ParseNumber(raw); n.Valid {
		value, text = n.Value, false
	} else if s, ok := mipapi.FormattedText(raw); ok {
		value = output.FieldText(s)
	} else {
		skip("formatted metric %q: a JSON %s is neither a number nor a text", label, mipapi.Kind(raw))
		return
	}
	field := l.formattedField(label, text)
	if field == "" {
		skip("formatted metric %q: its field names are taken by other metrics of the run", label)
		return
	}
	w.add(field, value)
}

// widePoint gathers the fields of a run into points of at most
// output.MaxPointBytes, as output.CheckPoint counts them.
type widePoint struct {
	tags   map[string]string
	tr     mipapi.TimedRun
	points []telegraf.Metric
	cur    telegraf.Metric
	size   int
}

func (w *widePoint) add(key string, value any) {
	n := output.FieldBytes(key, value)
	if w.cur == nil || w.size+n > output.MaxPointBytes {
		w.cur = metric.New(measurementScenario, w.tags, nil, w.tr.Time)
		w.size = output.HeadBytes(w.cur)
		w.points = append(w.points, w.cur)
	}
	w.cur.AddField(key, value)
	w.size += n
}

func (w *widePoint) done() []telegraf.Metric { return w.points }

// fieldPart makes a text part of a field name: lower case, each run of
// characters other than letters and digits one "_", none at either end,
// "%" read as "percent" ("Step 1 - Home page" is step_1_home_page). A text
// without any letter or digit is written as its code points ("€" is u20ac),
// so that no unit is lost.
func fieldPart(s string) string {
	if isFieldPart(s) {
		return s
	}
	var b strings.Builder
	sep := false
	separate := func() {
		if sep && b.Len() > 0 {
			b.WriteByte('_')
		}
		sep = false
	}
	for _, r := range s {
		switch {
		case r == '%':
			sep = true
			separate()
			b.WriteString("percent")
			sep = true
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r):
			separate()
			b.WriteRune(unicode.ToLower(r))
		default:
			sep = true
		}
	}
	if b.Len() > 0 {
		return b.String()
	}
	points := make([]string, 0, len(s))
	for _, r := range strings.TrimSpace(s) {
		points = append(points, fmt.Sprintf("u%04x", r))
	}
	return strings.Join(points, "_")
}

// isFieldPart tells whether s is already a field name part: lower-case
// ASCII letters and digits, single "_" between them.
func isFieldPart(s string) bool {
	if s == "" || s[0] == '_' || s[len(s)-1] == '_' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '_' && s[i-1] != '_':
		default:
			return false
		}
	}
	return true
}

// joinParts joins the non-empty parts of a field name with "_".
func joinParts(parts ...string) string {
	kept := parts[:0:0]
	for _, p := range parts {
		if p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, "_")
}

// floatField keeps a number's field name off the names of texts.
func floatField(name string) string {
	if name == "text" || strings.HasSuffix(name, textSuffix) {
		return name + "_value"
	}
	return name
}
