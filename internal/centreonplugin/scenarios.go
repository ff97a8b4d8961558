package centreonplugin

import (
	"context"
	"crypto/md5" //nolint:gosec // the Perl plugin's state file names are MD5 sums
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
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
	if a.has("list-counters") {
		return &writtenError{c.out.ListCounters(c.stdout, counters)}
	}
	// The metric thresholds are checked, as the Perl plugin's counters
	// check them, and change nothing: its metrics are always OK.
	for _, counter := range []string{"metric", "formatted-metric"} {
		for _, kind := range []string{"unknown", "warning", "critical"} {
			name := kind + "-" + counter
			if v, ok := a.get(name); ok && v != "" && !thresholdSyntax.MatchString(strings.TrimSpace(v)) {
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
	filters := make(map[string]*regexp.Regexp, len(filterFields))
	for _, f := range filterFields {
		option := "filter-" + strings.ReplaceAll(f, "_", "-")
		if v, ok := a.get(option); ok && v != "" {
			if filters[f], err = compileRegexp("--"+option, v); err != nil {
				return err
			}
		}
	}
	var filterCounters *regexp.Regexp
	if v, ok := a.get("filter-counters"); ok && v != "" {
		if filterCounters, err = compileRegexp("--filter-counters", v); err != nil {
			return err
		}
	}
	counter := func(label string) bool { return filterCounters == nil || filterCounters.MatchString(label) }
	var block *regexp.Regexp
	if v, ok := a.get("filter-counters-block"); ok && v != "" {
		if block, err = compileRegexp("--filter-counters-block", v); err != nil {
			return err
		}
	}
	display := a.str("display-instance", "")
	if display == "" {
		display = "%{name}"
	}
	cacheDuration := defaultCacheDuration
	if v, ok := a.get("cache-duration"); ok {
		secs, err := strconv.ParseFloat(v, 64)
		if err != nil || secs < 0 {
			return optionError("Bad value provided for option --cache-duration: '%s'. It must be a number of seconds, 0 for no cache.", v)
		}
		cacheDuration = time.Duration(secs * float64(time.Second))
	}
	var mem *memory
	if a.has("memory") {
		if mem, err = c.openMemory(); err != nil {
			return err
		}
	}

	ctx, cancel, err := c.deadline()
	if err != nil {
		return err
	}
	defer cancel()
	fetch := func(ctx context.Context) ([]scenario, error) {
		list, err := download(ctx, conn.client)
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
		cache := newSharedCache(c.statefileDir(), cacheDuration, conn.proto, conn.hostname, conn.port, conn.peerAddr, conn.apiKey)
		cache.now = c.now
		// A check waits for another's download (up to its timeout, twice
		// over for a slow answer), not for longer.
		cache.lockWait = 2*conn.timeout + 5*time.Second
		index, err = cache.load(ctx, fetch)
	} else {
		index.list, err = fetch(ctx)
	}
	if err != nil {
		return conn.requestError(err)
	}

	o := c.out
	debug := a.has("debug")
	shown := make(map[string]scenario)
	saved := make(map[string]*string)
	err = index.each(func(ie *indexEntry) error {
		skip := ""
		for _, f := range filterFields {
			if re := filters[f]; re != nil && !re.Match(ie.field(f)) {
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

	if block == nil || !block.MatchString("scenario") {
		c.report(shown, rules, counter, func(name string) bool { return block == nil || !block.MatchString(name) })
	}
	if code := o.Display(c.stdout); code != 0 {
		return &writtenError{code}
	}
	return nil
}

// report writes the scenarios shown as the counters template's
// run_multiple does: a block per scenario, its status (block "global"),
// metrics (block "metric") and formatted metrics (block
// "formatted_metrics"), those --filter-counters-block leaves.
func (c *check) report(shown map[string]scenario, rules [3]*centreonrules.Expr, counter, inBlock func(string) bool) {
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
			status, text := scenarioStatus(&s, name, rules)
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
}

// writtenError ends a check whose output is written, with its exit code.
type writtenError struct{ code int }

func (e *writtenError) Error() string { return "exit " + strconv.Itoa(e.code) }

// scenarioStatus is a scenario's status and its message: the Perl plugin's
// rules, critical first, on the newest run's state.
func scenarioStatus(s *scenario, display string, rules [3]*centreonrules.Expr) (int, string) {
	switch {
	case !s.hasRun:
		return centreonrules.Unknown, "status: " + noRun
	case !s.hasStatus:
		return centreonrules.Unknown, "status: none (the newest run has no state)"
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
		if rules[i] != nil && rules[i].Eval(vars) {
			return status, "status: " + s.status
		}
	}
	return centreonrules.OK, "status: " + s.status
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

// memory is --memory's state file, as the Perl plugin names and writes it:
// the newest run seen, by scenario id.
type memory struct {
	path  string
	saved map[string]*string
}

func md5Option(a *args, name string) string {
	v, ok := a.get(name)
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
	b, err := os.ReadFile(m.path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if !writable(dir) {
			return nil, optionError("Cannot write statefile '%s/%s'. Need write/exec permissions on directory.", dir, name)
		}
	case err != nil:
		return nil, optionError("Cannot read statefile '%s/%s': %v", dir, name, err)
	default:
		_ = json.Unmarshal(b, &m.saved) //nolint:errcheck // a damaged state is an empty one, as in the Perl plugin
	}
	return m, nil
}

// seen tells whether run is the run saved for id: the same text, or the
// same time written otherwise (the Perl plugin saved MIP's key as is).
func (m *memory) seen(id, run string) bool {
	old := m.saved[id]
	if old == nil {
		return false
	}
	if *old == run {
		return true
	}
	a, errA := time.Parse(time.RFC3339Nano, *old)
	b, errB := time.Parse(time.RFC3339Nano, run)
	return errA == nil && errB == nil && a.Equal(b)
}

func (m *memory) write(saved map[string]*string) error {
	b, err := json.Marshal(saved)
	if err != nil {
		return err
	}
	tmp := m.path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil { //nolint:gosec // as the Perl plugin writes it: no secret
		return &exitError{msg: fmt.Sprintf("Cannot write statefile '%s': %v", m.path, err)}
	}
	if err := os.Rename(tmp, m.path); err != nil {
		return &exitError{msg: fmt.Sprintf("Cannot close or rename statefile '%s' to '%s': %v", tmp, m.path, err)}
	}
	return nil
}

func writable(dir string) bool {
	f, err := os.CreateTemp(dir, ".write-test-*")
	if err != nil {
		return false
	}
	f.Close()
	os.Remove(f.Name())
	return true
}
