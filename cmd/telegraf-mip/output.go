package main

import (
	"bufio"
	"io"
	"time"

	"github.com/influxdata/telegraf"
	"github.com/influxdata/telegraf/agent"
	"github.com/influxdata/telegraf/plugins/serializers/influx"
)

// gatherOnce runs one gather and writes its points as line protocol to w.
// Points are written even when the gather also reports an error.
func gatherOnce(input telegraf.Input, log telegraf.Logger, w io.Writer) error {
	serializer := &influx.Serializer{}
	if err := serializer.Init(); err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 64*1024)
	metrics := make(chan telegraf.Metric, 1024)
	done := make(chan error, 1)
	go func() {
		var writeErr error
		for m := range metrics {
			b, err := serializer.Serialize(m)
			if err != nil {
				log.Errorf("dropping a point that cannot be written: %v", err)
				continue
			}
			if writeErr == nil {
				_, writeErr = bw.Write(b)
			}
		}
		if writeErr == nil {
			writeErr = bw.Flush()
		}
		done <- writeErr
	}()

	acc := agent.NewAccumulator(metricMaker{log}, metrics)
	acc.SetPrecision(time.Nanosecond)
	gatherErr := input.Gather(acc)
	close(metrics)
	if err := <-done; err != nil {
		return err
	}
	return gatherErr
}

// metricMaker lets Telegraf's accumulator run outside an agent.
type metricMaker struct{ log telegraf.Logger }

func (metricMaker) LogName() string                              { return "inputs.mip" }
func (metricMaker) MakeMetric(m telegraf.Metric) telegraf.Metric { return m }
func (mm metricMaker) Log() telegraf.Logger                      { return mm.log }
