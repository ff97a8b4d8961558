package main

import (
	"bytes"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/influxdata/telegraf"
	"github.com/influxdata/telegraf/config"

	"github.com/telegraf-mip/telegraf-mip/internal/mipsim"
	"github.com/telegraf-mip/telegraf-mip/internal/output"
	"github.com/telegraf-mip/telegraf-mip/plugins/inputs/mip"
)

// demoKey is the simulator's key; it protects nothing and is never printed.
const demoKey = "demo-key"

// runDemo starts the MIP simulator on a loopback port, gathers once from it,
// writes the points to w and then, on stderr, what they are and how to go on.
func runDemo(log telegraf.Logger, w, stderr io.Writer) int {
	server, err := mipsim.New(demoKey, mipsim.Demo()).Start(func(err error) { log.Errorf("demo: MIP simulator: %v", err) })
	if err != nil {
		log.Errorf("demo: starting the MIP simulator: %v", err)
		return 1
	}
	defer server.Close()

	plugin := mip.New()
	plugin.URL = server.URL
	plugin.APIKey = config.NewSecret([]byte(demoKey))
	plugin.Log = log
	if err := plugin.Init(); err != nil {
		log.Errorf("demo: %v", err)
		return 1
	}
	defer plugin.Stop()
	log.Infof("demo: gathering from the MIP simulator at %s (%d scenarios)", plugin.URL, len(mipsim.Demo()))
	tally := newPointTally(w)
	pw := output.NewWriter(tally, log)
	if err := output.Gather(plugin, pw); err != nil {
		log.Errorf("demo: gather failed: %v", err)
		return 1
	}
	tally.writeTour(stderr)
	return 0
}

// measurementRoles says in one line what each measurement of the default
// schema is, for the demo's tour.
var measurementRoles = []struct{ name, role string }{
	{"mip_scenario", "one per robot run: its status (OK, WARNING, CRITICAL, UNKNOWN) as text and as status_code 0-3"},
	{"mip_metric", "one per metric of a run described in MIP's metricInfo (step timings, page size, throughput, requests), by alias, with its unit"},
	{"mip_formatted_metric", "one per \"formatted metric\" of a run: a value the scenario's script reports under a label of its own, e.g. a total time"},
	{"mip_freshness", "one per scenario at each gather: how old its newest run is, against its frequency (a robot that stopped shows here)"},
	{"mip_api", "one per gather: the collection itself (duration, HTTP status, bytes, scenarios, runs, points, errors)"},
}

// demoPluginConf and demoExecdConf are the tour's next step: the plugin
// configuration and the Telegraf input that run telegraf-mip against
// cmd/mipsim (a test loads both).
const (
	demoSimListen  = "127.0.0.1:8090"
	demoPluginConf = `[[inputs.mip]]
  url = "http://` + demoSimListen + `"
  api_key = "${MIP_API_KEY}"
`
	demoTelegrafTest = "--test --test-wait 5"
	demoExecdConf    = `[[inputs.execd]]
  interval = "10s"
  command = ["./telegraf-mip", "-config", "mip.conf", "-poll_interval_disabled"]
  signal = "STDIN"
  data_format = "influx"

[[outputs.file]]
  files = ["stdout"]
`
)

// pointTally passes line protocol through to w and counts its points per
// measurement and its scenarios.
type pointTally struct {
	w         io.Writer
	partial   []byte // the start of a line not yet ended
	points    map[string]int
	scenarios map[string]bool
}

func newPointTally(w io.Writer) *pointTally {
	return &pointTally{w: w, points: make(map[string]int), scenarios: make(map[string]bool)}
}

func (t *pointTally) Write(b []byte) (int, error) {
	n, err := t.w.Write(b)
	rest := b[:n]
	for {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			t.partial = append(t.partial, rest...)
			return n, err
		}
		t.count(append(t.partial, rest[:i]...))
		t.partial = t.partial[:0]
		rest = rest[i+1:]
	}
}

// count reads a line's measurement and scenario_id tag.
func (t *pointTally) count(line []byte) {
	s := string(line)
	key := s[:unescapedIndex(s, " ")] // measurement and tags
	name := key[:unescapedIndex(key, ",")]
	if name == "" {
		return
	}
	t.points[name]++
	if _, rest, found := strings.Cut(key, ",scenario_id="); found {
		t.scenarios[rest[:unescapedIndex(rest, ",")]] = true
	}
}

// unescapedIndex returns the index of the first byte of s in chars that no
// backslash escapes, or len(s).
func unescapedIndex(s, chars string) int {
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' {
			i++
		} else if strings.IndexByte(chars, s[i]) >= 0 {
			return i
		}
	}
	return len(s)
}

// writeTour explains on stderr what the demo printed and how to go on.
func (t *pointTally) writeTour(out io.Writer) {
	var b strings.Builder
	total := 0
	for _, n := range t.points {
		total += n
	}
	fmt.Fprintf(&b, "\nWhat the demo printed (stdout, above): %d points of InfluxDB line protocol about %d scenarios and %d runs\n",
		total, len(t.scenarios), t.points["mip_scenario"])
	b.WriteString("(measurement,tags fields timestamp; timestamps in nanoseconds since the Unix epoch: " +
		"the run's time for the first three, the gather's for the others)\n\n")
	known := make(map[string]bool)
	for _, m := range measurementRoles {
		known[m.name] = true
		fmt.Fprintf(&b, "  %-21s %3d  %s\n", m.name, t.points[m.name], m.role)
	}
	var others []string
	for name := range t.points {
		if !known[name] {
			others = append(others, name)
		}
	}
	sort.Strings(others)
	for _, name := range others {
		fmt.Fprintf(&b, "  %-21s %3d\n", name, t.points[name])
	}
	b.WriteString("\nEvery tag and field: plugins/inputs/mip/README.md, section Metrics (packages: /usr/share/doc/telegraf-mip/).\n")
	b.WriteString("\nNext, the same under a real Telegraf, with the simulator standing in for MIP:\n")
	fmt.Fprintf(&b, "  1. in another terminal:  MIP_API_KEY=demo-key go run ./cmd/mipsim -listen %s\n", demoSimListen)
	b.WriteString("  2. go build -o telegraf-mip ./cmd/telegraf-mip\n")
	b.WriteString("  3. write mip.conf:\n")
	writeIndented(&b, demoPluginConf, "       ")
	b.WriteString("  4. write telegraf.conf:\n")
	writeIndented(&b, demoExecdConf, "       ")
	fmt.Fprintf(&b, "  5. MIP_API_KEY=demo-key telegraf --config telegraf.conf %s\n", demoTelegrafTest)
	b.WriteString("     (execd needs --test-wait: plain --test and --once end before the plugin answers; without\n")
	b.WriteString("     --test Telegraf keeps running; no Telegraf at hand? make telegraf builds one into .cache/bin)\n")
	b.WriteString("Then on to InfluxDB and Grafana: README.md, \"Try it under Telegraf\"; for your MIP: docs/install.md.\n")
	fmt.Fprint(out, b.String())
}

func writeIndented(b *strings.Builder, text, indent string) {
	for _, line := range strings.SplitAfter(strings.TrimSuffix(text, "\n"), "\n") {
		if strings.TrimSpace(line) == "" {
			b.WriteString("\n")
			continue
		}
		b.WriteString(indent + line)
	}
	b.WriteString("\n")
}
