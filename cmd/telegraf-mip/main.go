// Command telegraf-mip is an external Telegraf input plugin, run by
// [[inputs.execd]], that reads scenario statuses and metrics from a MIP
// (Maltem Insight Performances) instance and writes line protocol on stdout.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	stdlog "log"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/influxdata/telegraf"

	"github.com/telegraf-mip/telegraf-mip/internal/centreonplugin"
	"github.com/telegraf-mip/telegraf-mip/internal/mipconfig"
	"github.com/telegraf-mip/telegraf-mip/internal/output"
	"github.com/telegraf-mip/telegraf-mip/internal/stderrlog"
	"github.com/telegraf-mip/telegraf-mip/plugins/inputs/mip"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

type options struct {
	configPath           string
	pollInterval         time.Duration
	pollIntervalDisabled bool
	once                 bool
	test                 bool
	catchUpInterval      time.Duration
	catchUpIntervalSet   bool // given on the command line
	demo                 bool
	list                 bool
	format               string
	debug                bool
	showVersion          bool
	dryRun               bool // TELEGRAF_MIP_DRY_RUN, for -once or under inputs.execd
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without the process: it returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "centreon" { // the Centreon Perl plugin's command line (docs/centreon-plugin.md)
		centreonplugin.Version = version
		return centreonplugin.Run(args[1:], stdout, stderr)
	}
	opts, code, ok := parseFlags(args, stderr)
	if !ok {
		return code
	}
	if opts.showVersion {
		fmt.Fprintln(stdout, "telegraf-mip", version)
		return 0
	}

	log := stderrlog.New(stderr, logLevel(opts.debug, ""))
	stdlog.SetFlags(0)
	stdlog.SetOutput(log.StdWriter())
	if !readDryRun(&opts, log) {
		return 2
	}
	if opts.demo {
		return runDemo(log, stdout, stderr)
	}
	if opts.configPath == "" {
		log.Error("-config FILE is required (try -demo to see the plugin work against the built-in simulator)")
		return 2
	}
	plugin, err := mipconfig.Load(opts.configPath)
	if err != nil {
		log.Errorf("loading configuration: %v", err)
		return 1
	}
	log = stderrlog.New(stderr, logLevel(opts.debug, plugin.LogLevel))
	stdlog.SetOutput(log.StdWriter())
	plugin.Log = log
	checks := opts.test || opts.dryRun
	plugin.SetOptions(mip.Options{ReadOnlyState: checks, Once: opts.once || checks, ClaimStateFile: !checks && !opts.list})
	if err := plugin.Init(); err != nil {
		log.Errorf("configuration %s: %v", opts.configPath, err)
		return 1
	}
	defer plugin.Stop()

	if opts.list {
		scenarios, err := plugin.ListScenarios()
		if err == nil {
			err = mip.WriteScenarios(stdout, scenarios, opts.format)
		}
		if err != nil {
			log.Errorf("listing scenarios: %v", err)
			return 1
		}
		return 0
	}
	pw := output.NewWriter(stdout, log)
	// A closed stdout must give a write error, logged, not end the process
	// silently with SIGPIPE; a blocked one must not hide a stop.
	ignoreBrokenPipe()
	stopped := stopOnSignal(plugin, pw, log)
	if opts.once || opts.test {
		if err := output.Gather(plugin, pw); err != nil {
			log.Errorf("gather failed: %v", err)
			return 1
		}
		return 0
	}
	opts.catchUpInterval = catchUpInterval(opts, plugin)
	if opts.dryRun {
		opts.catchUpInterval = 0 // one gather per signal, as -test
	}
	serve(plugin, log, pw, opts, stopped)
	return 0
}

// parseFlags reads and checks the command line; when the process must
// end there (-h, a flag refused), ok is false and code its exit code.
func parseFlags(args []string, stderr io.Writer) (opts options, code int, ok bool) {
	fs := flag.NewFlagSet("telegraf-mip", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&opts.configPath, "config", "", "plugin configuration `file` with one [[inputs.mip]] block")
	fs.DurationVar(&opts.pollInterval, "poll_interval", 60*time.Second, "how often to gather when running under inputs.execd")
	fs.BoolVar(&opts.pollIntervalDisabled, "poll_interval_disabled", false, "gather only when a line arrives on stdin (inputs.execd with signal = \"STDIN\")")
	fs.BoolVar(&opts.once, "once", false, "gather once, write line protocol to stdout, save state_file once written, and exit (1 on a gather error)")
	fs.BoolVar(&opts.test, "test", false, "gather once and print the points, like telegraf --test: state_file is read, never written; exit 1 on a gather error")
	fs.DurationVar(&opts.catchUpInterval, "catch_up_interval", 10*time.Second,
		"when a gather leaves runs to write (max_points_per_gather), gather again after this long instead of waiting for the next interval; 0: wait; "+
			"3s when not given and output_health_url is set")
	fs.BoolVar(&opts.demo, "demo", false, "start the built-in MIP simulator on 127.0.0.1, gather once from it and print the points")
	fs.BoolVar(&opts.list, "list", false, "list the scenarios MIP's discovery endpoint returns (after the filters) and exit")
	fs.StringVar(&opts.format, "format", "table", "output of -list: table, json or xml (Centreon's service discovery)")
	fs.BoolVar(&opts.debug, "debug", false, "log debug messages")
	fs.BoolVar(&opts.showVersion, "version", false, "print the version and exit")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return opts, 0, false
		}
		return opts, 2, false
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "E! unexpected arguments: %s (flags come as -name value; see -h)\n", strings.Join(fs.Args(), " "))
		return opts, 2, false
	}
	set := make(map[string]bool)
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	opts.catchUpIntervalSet = set["catch_up_interval"]
	if err := checkFlags(set); err != nil {
		fmt.Fprintf(stderr, "E! %v\n", err)
		return opts, 2, false
	}
	if opts.pollInterval < minPollInterval && !opts.pollIntervalDisabled {
		fmt.Fprintf(stderr, "E! -poll_interval must be at least %s, got %s (use -poll_interval_disabled to gather on stdin only)\n",
			minPollInterval, opts.pollInterval)
		return opts, 2, false
	}
	if opts.catchUpInterval < 0 {
		fmt.Fprintf(stderr, "E! -catch_up_interval must not be negative, got %s\n", opts.catchUpInterval)
		return opts, 2, false
	}
	if !slices.Contains(mip.ListFormats, opts.format) {
		fmt.Fprintf(stderr, "E! -format %q is not one of %s\n", opts.format, strings.Join(mip.ListFormats, ", "))
		return opts, 2, false
	}
	return opts, 0, true
}

// dryRunVariable, set in Telegraf's environment (inputs.execd passes it
// on), turns the process Telegraf starts into a check by hand: telegraf
// --test starts no output, so output_health_url never answers and a real
// run would hold, and telegraf --once would write to the output and move
// state_file.
const dryRunVariable = "TELEGRAF_MIP_DRY_RUN"

// readDryRun reads dryRunVariable into opts.dryRun, for -once and the
// inputs.execd mode (the other modes write nothing), and says so on
// stderr, since a variable left set in production would keep every run
// in MIP. A value that is not a boolean is refused: false when it fails.
func readDryRun(opts *options, log telegraf.Logger) bool {
	value, set := os.LookupEnv(dryRunVariable)
	if !set || value == "" {
		return true
	}
	dry, err := strconv.ParseBool(value)
	if err != nil {
		log.Errorf("%s=%q: use 1 for a dry run (gather as -test does), or unset it", dryRunVariable, value)
		return false
	}
	if !dry || opts.test || opts.list || opts.demo {
		return true
	}
	opts.dryRun = true
	log.Warnf("%s is set: a dry run, each gather as -test does: the points are printed whatever output_health_url answers "+
		"(under telegraf --test, which starts no output, nothing answers there), state_file is read, never written; "+
		"unset it for production", dryRunVariable)
	return true
}

// minPollInterval is the shortest -poll_interval: gathers closer than this
// would only load MIP (its robots run every few minutes) and Telegraf.
const minPollInterval = time.Second

// usage comes before the flags in -h.
const usage = `telegraf-mip: an external Telegraf input plugin, run by Telegraf's [[inputs.execd]],
that reads the scenario statuses and metrics of a MIP (Maltem Insight Performances)
instance over its REST API and writes them as InfluxDB line protocol on stdout.

Modes:
  telegraf-mip -demo
      try it without a MIP: start the built-in MIP simulator, gather once,
      print the points, then explain them on stderr
  telegraf-mip -config mip.conf -test
      check a configuration by hand, like telegraf --test: gather once, print
      the points; state_file is read, never written
  telegraf-mip -config mip.conf -once
      gather once, print the points, save state_file, exit (e.g. under inputs.exec)
  telegraf-mip -config mip.conf -list [-format table|json|xml]
      list the scenarios of MIP's discovery endpoint that the filters keep
  telegraf-mip -config mip.conf -poll_interval_disabled
      the production mode, under [[inputs.execd]] with signal = "STDIN": gather at
      each line on stdin, until stdin closes (without -poll_interval_disabled:
      every -poll_interval)
  telegraf-mip centreon --mode=scenarios --hostname=... --api-key=... [...]
      the Centreon Perl plugin's command line, as a Centreon Engine active
      check (docs/centreon-plugin.md); telegraf-mip-centreon [...] is the
      same, and starts faster: use it in Centreon's commands

TELEGRAF_MIP_DRY_RUN=1 in the environment makes -once and the inputs.execd mode
gather as -test does, writing no state_file, so that a check through Telegraf
shows the points (README.md, "The Telegraf side"):
  TELEGRAF_MIP_DRY_RUN=1 telegraf --config /etc/telegraf/telegraf.conf \
    --config-directory /etc/telegraf/telegraf.d --input-filter execd --test --test-wait 20

mip.conf holds one [[inputs.mip]] block; every key is in sample.conf in the
archives and, with the packages, in
/usr/share/doc/telegraf-mip/plugins/inputs/mip/README.md (the packages'
/etc/telegraf/mip.conf starts as sample.conf). The API key usually comes from
the environment: api_key = "${MIP_API_KEY}" reads the variable MIP_API_KEY,
which must then be set where telegraf-mip runs (under execd: in Telegraf's
environment), or api_key_file names a file holding it.

Documentation: README.md (a step-by-step recipe under Telegraf), docs/ and
plugins/inputs/mip/README.md, in the release archives and the repository, and
in /usr/share/doc/telegraf-mip/ with the packages.

Flags:
`

// modes are the flags that choose what the process does; without one, it
// runs under inputs.execd.
var modes = []struct{ flag, does string }{
	{"demo", "runs against the built-in simulator"},
	{"test", "gathers once without writing state_file"},
	{"once", "gathers once and saves state_file"},
	{"list", "lists the scenarios and gathers nothing"},
}

// flagModes are the modes each flag applies to ("execd": no mode flag);
// a flag absent applies to all.
var flagModes = map[string][]string{
	"config":                 {"test", "once", "list", "execd"},
	"poll_interval":          {"execd"},
	"poll_interval_disabled": {"execd"},
	"catch_up_interval":      {"execd"},
	"format":                 {"list"},
}

// checkFlags refuses, with a sentence, flags that do not apply together:
// two modes, or a flag that the chosen mode would ignore.
func checkFlags(set map[string]bool) error {
	var chosen []int
	for i, m := range modes {
		if set[m.flag] {
			chosen = append(chosen, i)
		}
	}
	if len(chosen) > 1 {
		a, b := modes[chosen[0]], modes[chosen[1]]
		return fmt.Errorf("-%s and -%s do not go together: -%s %s, -%s %s; use one", a.flag, b.flag, a.flag, a.does, b.flag, b.does)
	}
	mode := "execd"
	if len(chosen) == 1 {
		mode = modes[chosen[0]].flag
	}
	if mode == "demo" && set["config"] {
		return errors.New("-demo reads no configuration: it runs against the built-in simulator; " +
			"drop -config, or drop -demo to use the configuration (e.g. -config FILE -test)")
	}
	if set["poll_interval"] && set["poll_interval_disabled"] {
		return errors.New("-poll_interval and -poll_interval_disabled do not go together: " +
			"the first gathers on its own clock, the second only when a line arrives on stdin")
	}
	names := make([]string, 0, len(set))
	for name := range set {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		applies, ok := flagModes[name]
		if !ok || slices.Contains(applies, mode) {
			continue
		}
		where := "under inputs.execd (no -demo, -test, -once or -list)"
		if applies[0] != "execd" {
			where = "with -" + applies[0]
		}
		if mode == "execd" {
			return fmt.Errorf("-%s applies only %s", name, where)
		}
		return fmt.Errorf("-%s applies only %s, not with -%s, which %s", name, where, mode, modeDoes(mode))
	}
	return nil
}

func modeDoes(mode string) string {
	for _, m := range modes {
		if m.flag == mode {
			return m.does
		}
	}
	return ""
}

func logLevel(debug bool, configured string) telegraf.LogLevel {
	if debug {
		return telegraf.Debug
	}
	if l := telegraf.LogLevelFromString(strings.ToLower(configured)); l != telegraf.None {
		return l
	}
	return telegraf.Info
}

// stopOnSignal stops the plugin on SIGTERM or SIGINT, so that a request in
// flight ends at once, and closes the returned channel. A gather whose
// points are still being written to stdout after blockedWriteGrace
// (Telegraf not reading, or reading slowly) ends with the process, at a line
// boundary, with an error line that counts what got out: its watermarks have
// not moved, and the next start writes its runs again.
func stopOnSignal(plugin *mip.MIP, pw *output.Writer, log telegraf.Logger) <-chan struct{} {
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	stopped := make(chan struct{})
	go func() {
		sig := <-signals
		signal.Stop(signals) // a second signal ends the process at once
		plugin.Stop()
		close(stopped)
		time.Sleep(blockedWriteGrace)
		if !pw.Blocked() {
			return
		}
		written, queued, cut := pw.Stop(longLineGrace)
		msg := fmt.Sprintf("%s while stdout was blocked: %d of the %d points of this gather were written, whole lines, the others not", sig, written, queued)
		if cut {
			msg = fmt.Sprintf("%s while stdout was blocked: %d of the %d points of this gather were written, and one more was cut "+
				"(a line over %d bytes, written in parts, whose end Telegraf did not read within %s)", sig, written, queued, output.AtomicWrite, longLineGrace)
		}
		log.Errorf("%s; state_file is unchanged, so the next start writes these runs again", msg)
		os.Exit(1) //nolint:revive // a write blocked on stdout cannot be cut short: only ending the process ends it
	}()
	return stopped
}

// blockedWriteGrace is how long a stop waits for a write to stdout to end,
// and longLineGrace how long more for the end of a long line: execd kills
// the process 5 s after its SIGTERM.
const (
	blockedWriteGrace = 2 * time.Second
	longLineGrace     = 2 * time.Second
)
