package main

import (
	"os"
	"os/signal"

	"github.com/influxdata/telegraf"
)

// gatherOnSignals makes each of gatherSignals (the signals inputs.execd can
// send in place of a stdin line) ask for a gather, instead of ending the
// process as Go's default does. The returned function stops listening.
func gatherOnSignals(trigger func(), log telegraf.Logger) (stop func()) {
	if len(gatherSignals) == 0 {
		return func() {}
	}
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, gatherSignals...)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case sig := <-signals:
				log.Debugf("signal %q received: gathering", sig)
				trigger()
			case <-done:
				return
			}
		}
	}()
	return func() {
		signal.Stop(signals)
		close(done)
	}
}
