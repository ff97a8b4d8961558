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
	"github.com/influxdata/telegraf/plugins/common/shim"

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
	fs.BoolVar(&opts.once, "once", false, "gather once, write line protocol to stdout and exit (1 on a gather error)")
	fs.BoolVar(&opts.demo, "demo", false, "start the built-in MIP simulator on 127.0.0.1, gather once from it and print the points")
	fs.BoolVar(&opts.list, "list", false, "list the scenarios MIP's discovery endpoint returns (after the filters) and exit")
	fs.StringVar(&opts.format, "format", "table", "output of -list: table or json")
	fs.BoolVar(&opts.debug, "debug", false, "log debug messages")
	fs.BoolVar(&opts.showVersion, "version", false, "print the version and exit")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "E! unexpected arguments: %s\n", strings.Join(fs.Args(), " "))
		return 2
	}
	if opts.format != "table" && opts.format != "json" {
		fmt.Fprintf(stderr, "E! -format %q is not table or json\n", opts.format)
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
		return runDemo(log, stdout)
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
	pw, err := newPointWriter(stdout, log)
	if err != nil {
		log.Error(err)
		return 1
	}
	if opts.once {
		if err := gatherOnce(plugin, pw); err != nil {
			log.Errorf("gather failed: %v", err)
			return 1
		}
		return 0
	}
	if err := serve(plugin, log, pw, opts); err != nil {
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

// serve runs the plugin under Telegraf's execd shim until stdin closes or a
// SIGTERM arrives.
func serve(plugin *mip.MIP, log telegraf.Logger, pw *pointWriter, opts options) error {
	// Closing stdin or SIGTERM must end a request in flight, not wait for its
	// timeout: execd kills the process 5 s after closing stdin.
	stdin, err := stopOnStdinEOF(plugin)
	if err != nil {
		return err
	}
	defer stdin.Close()
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	defer signal.Stop(signals)
	go func() {
		if _, ok := <-signals; ok {
			plugin.Stop()
		}
	}()

	interval := opts.pollInterval
	if opts.pollIntervalDisabled {
		interval = shim.PollIntervalDisabled
	} else if interval <= 0 {
		return fmt.Errorf("-poll_interval must be positive, got %s (use -poll_interval_disabled to gather on stdin only)", interval)
	}
	s := shim.New()
	// Set directly rather than with AddInput, which would replace our logger
	// with the shim's timestamped one that execd logs as errors. The shim
	// drives the gathers (stdin lines, the ticker, signals); the points go
	// through our buffered writer, so the shim's writer stays idle.
	s.Input = bufferedInput{Input: plugin, log: log, pw: pw}
	return s.Run(interval)
}

// stopOnStdinEOF gives the shim a pipe in place of stdin and stops the
// plugin as soon as the real stdin closes.
func stopOnStdinEOF(plugin *mip.MIP) (io.Closer, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	realStdin := os.Stdin
	os.Stdin = r
	go func() {
		_, _ = io.Copy(w, realStdin)
		plugin.Stop()
		w.Close()
	}()
	return r, nil
}

// bufferedInput writes a gather's points through pw, flushed at its end,
// and logs gather errors as "E! " lines that execd understands, instead of
// the shim's unprefixed "failed to gather metrics" line.
type bufferedInput struct {
	telegraf.Input
	log telegraf.Logger
	pw  *pointWriter
}

func (in bufferedInput) Gather(telegraf.Accumulator) error {
	if err := gatherOnce(in.Input, in.pw); err != nil {
		in.log.Errorf("gather failed: %v", err)
	}
	return nil
}
