package centreonplugin

import (
	"context"
	"crypto/md5" //nolint:gosec // the Perl plugin's state file names are MD5 sums
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/telegraf-mip/telegraf-mip/internal/centreonoutput"
	"github.com/telegraf-mip/telegraf-mip/internal/centreonrules"
	"github.com/telegraf-mip/telegraf-mip/internal/mipapi"
	"github.com/telegraf-mip/telegraf-mip/internal/perlre"
	"github.com/telegraf-mip/telegraf-mip/internal/safefile"
)

// thresholdSyntax is centreon-plugins' parse_threshold.
var thresholdSyntax = regexp.MustCompile(`^(@?)((?:~|(?:\+|-)?\d+(?:[.,]\d+)?(?:[KMGTPE][bB])?|):)?((?:\+|-)?\d+(?:[.,]\d+)?(?:[KMGTPE][bB])?)?$`)

// filterFields are the Perl plugin's filters, in the order this command
// checks them.
var filterFields = []string{"id", "name", "display_name", "app_name"}

// counters are the Perl plugin's counters, as --list-counters lists them:
// by block name (formatted_metrics, global, metric).
var counters = []centreonoutput.Counter{{Label: "formatted-metric"}, {Label: "status"}, {Label: "metric"}}

// noRun is the status text of a scenario without a run in the window.
const noRun = "no run in the last hour"

// scenarios is --mode=scenarios.
func (c *check) scenarios() error {
	a := c.args
	conn, err := c.connect()
	if err != nil {
		return err
	}
	if a.Has("list-counters") {
		return &writtenError{c.out.ListCounters(c.stdout, counters)}
	}
	// The metric thresholds are checked, as the Perl plugin's counters
	// check them, and change nothing: its metrics are always OK.
	for _, counter := range []string{"metric", "formatted-metric"} {
		for _, kind := range []string{"unknown", "warning", "critical"} {
			name := kind + "-" + counter
			if v, ok := a.Get(name); ok && v != "" && !thresholdSyntax.MatchString(strings.TrimSpace(v)) {
				return optionError("Wrong %s threshold '%s'.", name, v)
			}
		}
	}
	var rules [3]*centreonrules.Expr // critical, warning, unknown
	for i, status := range []int{centreonrules.Critical, centreonrules.Warning, centreonrules.Unknown} {
		kind := strings.ToLower(centreonrules.StatusNames[status])
		src := a.str(kind+"-status", centreonrules.DefaultStatusExpression(status))
		if src == "" {
			continue
		}
		if rules[i], err = centreonrules.ParseExpr(src); err != nil {
			return optionError("Unsafe code evaluation: --%s-status '%s': %v", kind, src, err)
		}
	}
	filters := make(map[string]*perlre.Regexp, len(filterFields))
	for _, f := range filterFields {
		option := "filter-" + strings.ReplaceAll(f, "_", "-")
		if v, ok := a.Get(option); ok && v != "" {
			if filters[f], err = compileRegexp("--"+option, v); err != nil {
				return err
			}
		}
	}
	var filterCounters *perlre.Regexp
	if v, ok := a.Get("filter-counters"); ok && v != "" {
		if filterCounters, err = compileRegexp("--filter-counters", v); err != nil {
			return err
		}
	}
	var block *perlre.Regexp
	if v, ok := a.Get("filter-counters-block"); ok && v != "" {
		if block, err = compileRegexp("--filter-counters-block", v); err != nil {
			return err
		}
	}
	display := a.str("display-instance", "")
	if display == "" {
		display = "%{name}"
	}
	cacheDuration, err := c.cacheDuration()
	if err != nil {
		return err
	}
	var mem *memory
	if a.Has("memory") {
		if mem, err = c.openMemory(); err != nil {
			return err
		}
	}

	ctx, cancel, err := c.deadline()
	if err != nil {
		return err
	}
	defer cancel()
	fetch := func(ctx context.Context, progress func()) ([]scenario, error) {
		list, err := download(ctx, conn.client, progress)
		var se *mipapi.StatusError
		var de *decodeError
		if err != nil && !errors.As(err, &se) && !errors.As(err, &de) {
			// Worded now, as the checks that wait for this one repeat it.
			err = &netError{describeNetError(conn, err)}
		}
		return list, err
	}
	var index entries
	if cacheDuration > 0 {
		cache := newSharedCache(c.statefileDir(), cacheDuration, conn.cacheIdentity()...)
		cache.now = c.now
		// A check waits for another's download as long as it progresses:
		// the downloader may itself wait --timeout for MIP to say
		// anything, and a few seconds to start.
		cache.idle = conn.timeout + 5*time.Second
		index, err = cache.load(ctx, fetch)
		if cache.notice != "" {
			c.notice("shared cache not used (" + cache.notice + "): this check asked MIP itself")
		}
	} else {
		index.list, err = fetch(ctx, func() {})
	}
	if err != nil {
		return conn.requestError(err)
	}
	// The regular expressions are Perl's: a pathological one ends the
	// check at matchBy instead of hanging it.
	matchBy := matchDeadline(ctx, conn.timeout)
	counterMatches, err := matchesOf("--filter-counters", filterCounters, []string{"status", "metric", "formatted-metric"}, matchBy)
	if err != nil {
		return err
	}
	counter := func(label string) bool { return filterCounters == nil || counterMatches[label] }
	blockMatches, err := matchesOf("--filter-counters-block", block, []string{"scenario", "global", "metric", "formatted_metrics"}, matchBy)
	if err != nil {
		return err
	}
	inBlock := func(name string) bool { return block == nil || !blockMatches[name] }

	o := c.out
	debug := a.Has("debug")
	shown := make(map[string]scenario)
	saved := make(map[string]*string)
	err = index.each(func(ie *indexEntry) error {
		skip := ""
		for _, f := range filterFields {
			re := filters[f]
			if re == nil {
				continue
			}
			ok, err := re.MatchString(string(ie.field(f)), matchBy)
			if err != nil {
				return matchError("--filter-"+strings.ReplaceAll(f, "_", "-"), re, err)
			}
			if !ok {
				skip = f
				break
			}
		}
		if skip != "" {
			if debug {
				o.AddLong(fmt.Sprintf("skipping scenario id '%s': no matching filter '%s'.", ie.field("id"), skip))
			}
			return nil
		}
		full, err := decodeBody(ie)
		if err != nil {
			return optionError("Cannot read the shared cache: %v", err)
		}
		if mem != nil {
			if full.hasRun {
				key := full.runKey
				saved[full.id] = &key
				if mem.seen(full.id, full.runKey) {
					full.status, full.hasStatus = "noNewValue", true
					full.metrics, full.formatted = nil, nil
				}
			} else {
				saved[full.id] = nil
			}
		}
		shown[centreonrules.FillInstance(display, full.field)] = full
		return nil
	})
	var ee *exitError
	if errors.As(err, &ee) {
		return err
	}
	if err != nil {
		return optionError("Cannot read the shared cache: %v", err)
	}
	if len(shown) == 0 {
		return optionError("No scenario found")
	}
	if mem != nil {
		if err := mem.write(saved); err != nil {
			o.AddSep(centreonoutput.Unqualified, err.Error(), " - ")
		}
	}

	if inBlock("scenario") {
		if err := c.report(shown, rules, counter, inBlock, matchBy); err != nil {
			return err
		}
	}
	code := o.Display(c.stdout)
	c.writeNotices()
	if code != 0 {
		return &writtenError{code}
	}
	return nil
}

// report writes the scenarios shown as the counters template's
// run_multiple does: a block per scenario, its status (block "global"),
// metrics (block "metric") and formatted metrics (block
// "formatted_metrics"), those --filter-counters-block leaves.
func (c *check) report(shown map[string]scenario, rules [3]*centreonrules.Expr, counter, inBlock func(string) bool, deadline time.Time) error {
	o := c.out
	names := make([]string, 0, len(shown))
	for name := range shown {
		names = append(names, name)
	}
	sort.Strings(names)
	multiple := len(names) > 1
	if multiple {
		o.Add(centreonrules.OK, "All scenarios are ok")
	}
	const indent = "    "
	for _, name := range names {
		s := shown[name]
		o.AddLong("checking scenario '" + name + "'")
		prefix := "Scenario '" + name + "' "
		done := make(map[int]bool, 4)
		// prefixed adds a message behind the scenario's prefix, written once
		// a severity, as run_multiple_prefix_output does.
		prefixed := func(severity int, msg string) {
			if !done[severity] {
				o.Add(severity, prefix)
				done[severity] = true
				o.AddSep(severity, msg, "")
				return
			}
			o.Add(severity, msg)
		}
		if counter("status") && inBlock("global") {
			status, text, err := scenarioStatus(&s, name, rules, deadline)
			if err != nil {
				return err
			}
			o.AddLong(indent + text)
			if status != centreonrules.OK {
				prefixed(status, text)
			} else if !multiple {
				prefixed(centreonrules.OK, text)
			}
		}
		if !s.hasRun {
			continue
		}
		metrics := valueGroup{counterLabel: "metric", word: "metric", allOK: "All metrics are ok", short: true}
		formatted := valueGroup{counterLabel: "formatted-metric", word: "formatted metric"}
		for _, g := range []struct {
			group  valueGroup
			values []metricValue
			block  string
		}{{metrics, s.metrics, "metric"}, {formatted, s.formatted, "formatted_metrics"}} {
			if !inBlock(g.block) {
				continue
			}
			g.group.multipleParent, g.group.instance, g.group.counter, g.group.prefixed = multiple, name, counter, prefixed
			c.values(g.values, &g.group)
		}
	}
	return nil
}

// CacheDurationVariable sets the shared cache's duration, as
// --cache-duration does, without an option the Perl plugin refuses: a
// command line that does not carry it runs under either plugin.
const CacheDurationVariable = "TELEGRAF_MIP_CACHE_DURATION"

// cacheDuration is --cache-duration, or else $TELEGRAF_MIP_CACHE_DURATION,
// or else the default.
func (c *check) cacheDuration() (time.Duration, error) {
	v, ok := c.args.Get("cache-duration")
	from := "option --cache-duration"
	if !ok {
		if v, ok = os.LookupEnv(CacheDurationVariable); !ok || v == "" {
			return defaultCacheDuration, nil
		}
		from = "environment variable " + CacheDurationVariable
	}
	secs, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(secs) || secs < 0 || math.IsInf(secs, 0) {
		return 0, optionError("Bad value provided for %s: '%s'. It must be a number of seconds, 0 for no cache.", from, v)
	}
	return time.Duration(secs * float64(time.Second)), nil
}

// writtenError ends a check whose output is written, with its exit code.
type writtenError struct{ code int }

func (e *writtenError) Error() string { return "exit " + strconv.Itoa(e.code) }

// matchesOf tells which of labels option's regular expression matches
// (none without one).
func matchesOf(option string, re *perlre.Regexp, labels []string, deadline time.Time) (map[string]bool, error) {
	matches := make(map[string]bool, len(labels))
	if re == nil {
		return matches, nil
	}
	for _, label := range labels {
		ok, err := re.MatchString(label, deadline)
		if err != nil {
			return nil, matchError(option, re, err)
		}
		matches[label] = ok
	}
	return matches, nil
}

// scenarioStatus is a scenario's status and its message: the Perl plugin's
// rules, critical first, on the newest run's state.
func scenarioStatus(s *scenario, display string, rules [3]*centreonrules.Expr, deadline time.Time) (int, string, error) {
	switch {
	case !s.hasRun:
		return centreonrules.Unknown, "status: " + noRun, nil
	case !s.hasStatus:
		return centreonrules.Unknown, "status: none (the newest run has no state)", nil
	}
	vars := func(name string) string {
		switch name {
		case "status":
			return s.status
		case "display":
			return display
		}
		return ""
	}
	for i, status := range []int{centreonrules.Critical, centreonrules.Warning, centreonrules.Unknown} {
		if rules[i] == nil {
			continue
		}
		holds, err := rules[i].Eval(vars, deadline)
		if err != nil {
			kind := strings.ToLower(centreonrules.StatusNames[status])
			return 0, "", optionError("--%s-status on scenario '%s': %v", kind, display, err)
		}
		if holds {
			return status, "status: " + s.status, nil
		}
	}
	return centreonrules.OK, "status: " + s.status, nil
}

// values writes a group of metrics as the counters template's
// run_multiple_instances does: a long line and a perfdata each; in the
// short output, with one scenario shown, the metric itself when it is alone
// or "All metrics are ok".
// valueGroup is a counters group: the metrics or the formatted metrics of
// a scenario, and how the output writes them.
type valueGroup struct {
	counterLabel, word, allOK string
	// short: the group has a short output (the formatted metrics have not)
	short bool
	// multipleParent: more than one scenario is shown
	multipleParent bool
	instance       string
	counter        func(string) bool
	prefixed       func(int, string)
}

func (c *check) values(values []metricValue, g *valueGroup) {
	o := c.out
	counterLabel, word, allOK, short, multipleParent := g.counterLabel, g.word, g.allOK, g.short, g.multipleParent
	instance, counter, prefixed := g.instance, g.counter, g.prefixed
	multiple := len(values) > 1
	none := true
	for _, v := range values {
		prefix := word + " '" + v.label + "' "
		if !counter(counterLabel) {
			if !multiple && !multipleParent && short {
				prefixed(centreonrules.OK, prefix)
			}
			continue
		}
		none = false
		text := ""
		switch v.kind {
		case noValue:
		case textValue:
			text = prefix + "value: " + v.value
			if counterLabel == "metric" {
				text += " " + v.unit
			}
		default:
			text = prefix + valueText(v, counterLabel)
			if counterLabel == "metric" {
				o.AddPerfdata(centreonoutput.Perfdata{Label: centreonrules.MetricLabel(instance, v.label, v.unit), Value: v.value, Unit: v.unit,
					NLabel: "scenario.metric.usage." + centreonrules.UnitLabel(v.unit), Instances: instance + "~" + v.label})
			} else {
				o.AddPerfdata(centreonoutput.Perfdata{Label: centreonrules.FormattedMetricLabel(instance, v.label), Value: v.value,
					NLabel: "scenario.formatted_metric.usage.count", Instances: instance + "~" + v.label})
			}
		}
		if text != "" {
			o.AddLong("    " + text)
		}
		if !multiple && !multipleParent && short {
			if text == "" {
				text = prefix
			}
			prefixed(centreonrules.OK, text)
		}
	}
	if !none && multiple && !multipleParent && short {
		prefixed(centreonrules.OK, allOK)
	}
}

// valueText is a number's "value: ..." as the Perl plugin writes it.
func valueText(v metricValue, counterLabel string) string {
	if counterLabel != "metric" {
		return "value: " + v.value
	}
	if scaled, network := centreonrules.ScaledUnit(v.unit); scaled {
		n, unit := centreonrules.FormatBytes(v.value, network)
		if network {
			unit += "/s"
		}
		return "value: " + n + " " + unit
	}
	return "value: " + v.value + " " + v.unit
}

// maxMemoryBytes bounds the --memory state read: an id and a run time per
// scenario, about 50 bytes each.
const maxMemoryBytes = 64 << 20

// memory is --memory's state file, as the Perl plugin names and writes it:
// the newest run seen, by scenario id.
type memory struct {
	path  string
	saved map[string]*string
}

func md5Option(a *args, name string) string {
	v, ok := a.Get(name)
	if !ok {
		v = "all"
	}
	sum := md5.Sum([]byte(v)) //nolint:gosec // a name, not a secret
	return hex.EncodeToString(sum[:])
}

func (c *check) openMemory() (*memory, error) {
	a := c.args
	name := "mip_scenarios_" + a.str("hostname", "") + "_" + a.str("port", "443") + "_" +
		md5Option(a, "filter-counters") + "_" + md5Option(a, "filter-id") + "_" + md5Option(a, "filter-name") + "_" +
		md5Option(a, "filter-display-name") + "_" + md5Option(a, "filter-app-name") + a.str("statefile-suffix", "")
	switch f := a.str("statefile-format", "json"); f {
	case "json", "":
	default:
		return nil, optionError("telegraf-mip centreon does not support --statefile-format='%s': the state file is JSON.", f)
	}
	dir := c.statefileDir()
	m := &memory{path: filepath.Join(dir, name), saved: make(map[string]*string)}
	b, err := safefile.ReadOwn(m.path, maxMemoryBytes)
	var untrusted *safefile.UntrustedError
	var notRegular *safefile.NotRegularError
	var tooLarge *safefile.TooLargeError
	switch {
	case errors.Is(err, os.ErrNotExist):
		if safefile.WritableDir(dir) != nil {
			return nil, optionError("Cannot write statefile '%s/%s'. Need write/exec permissions on directory.", dir, name)
		}
	case errors.As(err, &untrusted) || errors.As(err, &notRegular) || errors.As(err, &tooLarge):
		// Not this check's: ignored, as a damaged state is, and replaced.
		c.notice("--memory state not used (" + err.Error() + "): every run is new to this check")
	case err != nil:
		return nil, optionError("Cannot read statefile '%s/%s': %v", dir, name, err)
	default:
		_ = json.Unmarshal(b, &m.saved) //nolint:errcheck // a damaged state is an empty one, as in the Perl plugin
	}
	return m, nil
}

// seen tells whether run, MIP's key, is the run saved for id: the same
// text, as the Perl plugin compares them, or the same time written
// otherwise (earlier versions of this command saved RFC 3339 times, not MIP's keys).
func (m *memory) seen(id, run string) bool {
	old := m.saved[id]
	if old == nil {
		return false
	}
	if *old == run {
		return true
	}
	a, errA := mipapi.RunKeyTime(*old)
	b, errB := mipapi.RunKeyTime(run)
	return errA == nil && errB == nil && a.Equal(b)
}

func (m *memory) write(saved map[string]*string) error {
	b, err := json.Marshal(saved)
	if err != nil {
		return err
	}
	// 0644 as the Perl plugin's: no secret in it.
	if err := safefile.Write(m.path, b, 0o644); err != nil {
		return &exitError{msg: fmt.Sprintf("Cannot write statefile '%s': %v", m.path, err)}
	}
	return nil
}
