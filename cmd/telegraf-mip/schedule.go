package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/influxdata/telegraf"

	"github.com/telegraf-mip/telegraf-mip/internal/output"
	"github.com/telegraf-mip/telegraf-mip/plugins/inputs/mip"
)

// minAskGap is the shortest time between the starts of two gathers asked
// from outside (stdin lines, signals): asks that come sooner, or while a
// gather runs, make one gather. inputs.execd asks once an interval; a
// flood of lines must not become a flood of requests to MIP (at most 20 a
// second, fewer when gathers take longer).
const minAskGap = 50 * time.Millisecond

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

// serve gathers until stdin closes or stopped is closed (SIGTERM), one
// gather at a time: on a line on stdin or a gather signal (inputs.execd's
// signal setting), on the poll ticker, and by itself, every catch-up
// interval, while the plugin has runs left to write or output_health_url
// holds the gathers back.
func serve(plugin *mip.MIP, log telegraf.Logger, pw *output.Writer, opts options, stopped <-chan struct{}) error {
	var tick <-chan time.Time
	if !opts.pollIntervalDisabled {
		if opts.pollInterval <= 0 {
			return fmt.Errorf("-poll_interval must be positive, got %s (use -poll_interval_disabled to gather on stdin only)", opts.pollInterval)
		}
		// As the execd shim does, the first tick comes after one interval.
		ticker := time.NewTicker(opts.pollInterval)
		defer ticker.Stop()
		tick = ticker.C
	}
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
	defer stopSignals()

	catchUp := time.NewTimer(time.Hour)
	catchUp.Stop()
	defer catchUp.Stop()
	defer releaseOutputs()
	in := &bufferedInput{plugin: plugin, log: log, pw: pw}
	var lastStart, lastEnd time.Time
	for {
		select {
		case <-eof:
			return nil
		case <-stopped:
			return nil
		default:
		}
		asked := false
		select {
		case <-eof:
			return nil
		case <-stopped:
			return nil
		case <-asks:
			asked = true
		case <-tick:
		case <-catchUp.C:
			lastEnd = time.Time{} // the catch-up gather itself
		}
		// While catching up, the timer gathers: the gathers asked sooner
		// pass, as two gathers of max_points_per_gather back to back would
		// fill Telegraf's buffer.
		if opts.catchUpInterval > 0 && (plugin.Behind() || plugin.OutputHeld()) && time.Since(lastEnd) < opts.catchUpInterval {
			log.Debugf("catching up: the next gather comes %s after the last one", opts.catchUpInterval)
			continue
		}
		if wait := time.Until(lastStart.Add(minAskGap)); asked && wait > 0 {
			select {
			case <-eof:
				return nil
			case <-stopped:
				return nil
			case <-time.After(wait):
			}
		}
		lastStart = time.Now()
		ok := in.gather()
		lastEnd = time.Now()
		if opts.catchUpInterval > 0 {
			if (ok && plugin.Behind()) || plugin.OutputHeld() {
				catchUp.Reset(opts.catchUpInterval)
			} else {
				catchUp.Stop() // caught up, or MIP failing: back to the interval
			}
		}
	}
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

// bufferedInput writes a gather's points through pw, flushed at its end,
// and logs gather errors as "E! " lines that execd understands.
type bufferedInput struct {
	plugin *mip.MIP
	log    telegraf.Logger
	pw     *output.Writer
}

// gather runs one gather and reports whether it succeeded.
func (in *bufferedInput) gather() bool {
	err := output.Gather(in.plugin, in.pw)
	var werr *output.WriteError
	switch {
	case errors.As(err, &werr):
		// Telegraf no longer reads: execd starts the process again, which
		// writes these runs (the watermarks did not move).
		in.log.Errorf("gather failed: %v; stopping", err)
		os.Exit(1) //nolint:revive // the points of this gather cannot be delivered, and these runs wait for the next start
	case errors.Is(err, mip.ErrStopped):
		in.log.Info(err)
	case err != nil:
		in.log.Errorf("gather failed: %v", err)
	}
	return err == nil
}
