package main

import (
	"bufio"
	"errors"
	"io"
	"os"
	"time"

	"github.com/influxdata/telegraf"

	"github.com/telegraf-mip/telegraf-mip/internal/output"
	"github.com/telegraf-mip/telegraf-mip/plugins/inputs/mip"
)

// healthCatchUpInterval is how soon a catch-up gather follows the last one
// with output_health_url: the endpoint's view of the output's buffer is as
// late as inputs.internal's interval plus outputs.health's flush_interval
// (1 s each in examples/output-health.conf), and a gather must not start
// before the endpoint has seen the points of the one before, or two
// gathers could fill the buffer where the threshold leaves room for one.
// One second more for Telegraf to read the points and for jitter.
const healthCatchUpInterval = 3 * time.Second

// catchUpInterval is -catch_up_interval, or healthCatchUpInterval when the
// flag is not given and output_health_url is set: the endpoint then says
// when the output has room, and the backfill goes as fast as the output
// writes.
func catchUpInterval(opts options, plugin *mip.MIP) time.Duration {
	if !opts.catchUpIntervalSet && plugin.OutputHealthURL != "" {
		return healthCatchUpInterval
	}
	return opts.catchUpInterval
}

// serve runs the plugin's gathers until stdin closes or stopped is closed
// (SIGTERM): a line on stdin or a gather signal asks for one.
func serve(plugin *mip.MIP, log telegraf.Logger, pw *output.Writer, opts options, stopped <-chan struct{}) {
	asks := make(chan struct{}, 1)
	ask := func() {
		select {
		case asks <- struct{}{}:
		default: // one is waiting already: this ask joins it
		}
	}
	// Closing stdin must end a request in flight, not wait for its timeout:
	// execd kills the process 5 s after closing stdin.
	eof := readStdinLines(os.Stdin, ask, plugin, log)
	stopSignals := gatherOnSignals(ask, log)
	done := make(chan struct{})
	go func() {
		defer close(done)
		select {
		case <-eof:
		case <-stopped:
		}
	}()
	schedule := mip.Schedule{CatchUpInterval: opts.catchUpInterval}
	if !opts.pollIntervalDisabled {
		schedule.PollInterval = opts.pollInterval
	}
	err := plugin.Serve(schedule, pw, asks, done)
	stopSignals()
	if err != nil {
		// Telegraf no longer reads: execd starts the process again, which
		// writes these runs (the watermarks did not move).
		log.Errorf("gather failed: %v; stopping", err)
		os.Exit(1) //nolint:revive // the points of this gather cannot be delivered, and these runs wait for the next start
	}
	releaseOutputs()
}

// outputsGrace is how long the process lives on after closing stdout and
// stderr: execd's readers see their end while the process still runs.
const outputsGrace = 100 * time.Millisecond

// releaseOutputs closes stdout and stderr, which execd reads, then waits a
// little before the process exits. execd's Wait closes its ends of the
// pipes as soon as the process exits, and a reader that had not yet seen
// the end fails with "read |0: file already closed", an error in
// Telegraf's log and, under telegraf --test, a failed run; closing them
// first lets the readers finish while the process lives.
func releaseOutputs() {
	os.Stdout.Close()
	os.Stderr.Close()
	time.Sleep(outputsGrace)
}

// readStdinLines calls ask for each line on stdin, whatever its length,
// and stops the plugin, then closes the returned channel, when stdin ends.
func readStdinLines(stdin io.Reader, ask func(), plugin *mip.MIP, log telegraf.Logger) <-chan struct{} {
	eof := make(chan struct{})
	go func() {
		defer close(eof)
		defer plugin.Stop()
		r := bufio.NewReader(stdin)
		for {
			_, err := r.ReadSlice('\n')
			switch {
			case err == nil:
				ask()
			case errors.Is(err, bufio.ErrBufferFull):
				// A long line: read on to its end, it is one ask.
			case errors.Is(err, io.EOF):
				return
			default:
				log.Debugf("reading stdin: %v; stopping as at its end", err)
				return
			}
		}
	}()
	return eof
}
