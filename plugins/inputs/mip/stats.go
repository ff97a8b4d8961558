package mip

import (
	"errors"
	"time"

	"github.com/influxdata/telegraf"
	"github.com/influxdata/telegraf/metric"

	"github.com/telegraf-mip/telegraf-mip/internal/mipapi"
)

// measurementAPI describes each gather itself, so that the collection can be
// graphed and alerted on like the scenarios.
const measurementAPI = "mip_api"

// gatherStats is what one gather did.
type gatherStats struct {
	window        time.Duration
	httpStatus    int // 0: no HTTP answer
	responseBytes int64
	scenarios     int // in the response
	kept          int // passing the filters
	runs          int // written for the first time
	replayed      int // written again after a restart (replay_on_restart)
	points        int // emitted, this one excluded
	errors        int
}

// fail records a gather that got no usable answer.
func (s *gatherStats) fail(err error) {
	s.errors = 1
	var se *mipapi.StatusError
	if errors.As(err, &se) {
		s.httpStatus = se.Code
	}
}

func (s *gatherStats) point(source string, at time.Time, duration time.Duration) telegraf.Metric {
	m := metric.New(measurementAPI, make(map[string]string), nil, at)
	if source != "" {
		m.AddTag("source", source)
	}
	m.AddField("duration_seconds", duration.Seconds())
	m.AddField("window_seconds", int64(s.window/time.Second))
	m.AddField("http_status", int64(s.httpStatus))
	m.AddField("response_bytes", s.responseBytes)
	m.AddField("scenarios", int64(s.scenarios))
	m.AddField("scenarios_kept", int64(s.kept))
	m.AddField("runs", int64(s.runs))
	m.AddField("runs_replayed", int64(s.replayed))
	m.AddField("points", int64(s.points))
	m.AddField("errors", int64(s.errors))
	return m
}
