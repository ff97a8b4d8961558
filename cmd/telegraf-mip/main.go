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
	"strings"
	"syscall"
	"time"

	"github.com/influxdata/telegraf"

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
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without the process: it returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	var opts options
	fs := flag.NewFlagSet("telegraf-mip", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&opts.configPath, "config", "", "plugin configuration `file` with one [[inputs.mip]] block")
	fs.DurationVar(&opts.pollInterval, "poll_interval", 60*time.Second, "how often to gather when running under inputs.execd")
	fs.BoolVar(&opts.pollIntervalDisabled, "poll_interval_disabled", false, "gather only when a line arrives on stdin (inputs.execd with signal = \"STDIN\")")
	fs.BoolVar(&opts.once, "once", false, "gather once, write line protocol to stdout, save state_file once written, and exit (1 on a gather error)")
	fs.BoolVar(&opts.test, "test", false, "gather once and print the points, like telegraf --test: state_file is read, never written; exit 1 on a gather error")
	fs.DurationVar(&opts.catchUpInterval, "catch_up_interval", 10*time.Second,
		"when a gather leaves runs to write (max_points_per_gather), gather again after this long instead of waiting for the next interval; 0: wait "+
			"(default 3s with output_health_url)")
	fs.BoolVar(&opts.demo, "demo", false, "start the built-in MIP simulator on 127.0.0.1, gather once from it and print the points")
	fs.BoolVar(&opts.list, "list", false, "list the scenarios MIP's discovery endpoint returns (after the filters) and exit")
	fs.StringVar(&opts.format, "format", "table", "output of -list: table, json or xml (Centreon's service discovery)")
	fs.BoolVar(&opts.debug, "debug", false, "log debug messages")
	fs.BoolVar(&opts.showVersion, "version", false, "print the version and exit")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	fs.Visit(func(f *flag.Flag) { opts.catchUpIntervalSet = opts.catchUpIntervalSet || f.Name == "catch_up_interval" })
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "E! unexpected arguments: %s\n", strings.Join(fs.Args(), " "))
		return 2
	}
	if opts.once && opts.test {
		fmt.Fprintln(stderr, "E! -once and -test are exclusive: -test never writes state_file, -once does")
		return 2
	}
	if opts.catchUpInterval < 0 {
		fmt.Fprintf(stderr, "E! -catch_up_interval must not be negative, got %s\n", opts.catchUpInterval)
		return 2
	}
	if err := checkListFormat(opts.format); err != nil {
		fmt.Fprintf(stderr, "E! %v\n", err)
		return 2
	}
	if opts.showVersion {
		fmt.Fprintln(stdout, "telegraf-mip", version)
		return 0
	}

	log := stderrlog.New(stderr, logLevel(opts.debug, ""))
	stdlog.SetFlags(0)
	stdlog.SetOutput(log.StdWriter())
	if opts.demo {
		return runDemo(log, stdout, stderr)
	}
	if opts.configPath == "" {
		log.Error("-config FILE is required (try -demo to see the plugin work against the built-in simulator)")
		return 2
	}
	plugin, err := loadPlugin(opts.configPath)
	if err != nil {
		log.Errorf("loading configuration: %v", err)
		return 1
	}
	log = stderrlog.New(stderr, logLevel(opts.debug, plugin.LogLevel))
	stdlog.SetOutput(log.StdWriter())
	plugin.Log = log
	plugin.StateReadOnly = opts.test
	if !opts.once && !opts.test {
		opts.catchUpInterval = catchUpInterval(opts, plugin)
		plugin.CatchUpInterval = opts.catchUpInterval
	}
	if !opts.pollIntervalDisabled && !opts.once && !opts.test {
		plugin.GatherInterval = opts.pollInterval
	}
	if err := plugin.Init(); err != nil {
		log.Errorf("configuration %s: %v", opts.configPath, err)
		return 1
	}
	defer plugin.Stop()

	if opts.list {
		scenarios, err := plugin.ListScenarios()
		if err == nil {
			err = writeScenarios(stdout, scenarios, opts.format)
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
	if err := serve(plugin, log, pw, opts, stopped); err != nil {
		log.Error(err)
		return 1
	}
	return 0
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
// points cannot be written because stdout is blocked ends with the process,
// with an error line: its watermarks have not moved, and the next start
// writes its runs again.
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
		if pw.Blocked() {
			log.Errorf("%s while stdout was blocked: the points of this gather were not written; "+
				"state_file is unchanged, so the next start writes these runs again", sig)
			os.Exit(1) //nolint:revive // a write blocked on stdout cannot be cut short: only ending the process ends it
		}
	}()
	return stopped
}

// blockedWriteGrace is how long a stop waits for a write to stdout to end:
// execd kills the process 5 s after its SIGTERM.
const blockedWriteGrace = 2 * time.Second
