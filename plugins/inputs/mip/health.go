package mip

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"syscall"
	"time"

	"github.com/influxdata/telegraf"

	"github.com/telegraf-mip/telegraf-mip/internal/output"
)

// healthTimeout bounds one question to output_health_url: the endpoint is
// Telegraf's own, on this machine or next to it, and answers at once; a
// slower answer counts as "no room".
const healthTimeout = 2 * time.Second

// holdReportAfter is how long a hold lasts before it is reported. Shorter
// holds are the pace of a backfill, not an outage: a gather's points fill
// the buffer past the threshold until the output's next flush (every
// flush_interval, 10 s by default) writes them; they are logged at debug
// level.
const holdReportAfter = 30 * time.Second

// outputHealth asks a Telegraf [[outputs.health]] endpoint, which watches
// the output's buffer (internal_write's buffer_size), whether the output
// has room for a gather's points. Telegraf's output buffer has no
// back-pressure: past metric_buffer_limit it drops the oldest points. While
// the endpoint does not answer 200 the plugin does not gather, so the runs
// stay in MIP, owed, instead of being written into a full buffer.
type outputHealth struct {
	url    string // as configured, for the request
	shown  string // without a password, for messages
	client *http.Client

	// The hold in progress: since is zero while the output has room.
	since     time.Time
	gathers   int  // gathers held back
	warned    bool // the hold was reported
	outlasted bool // the hold was reported as longer than lookback
}

// initOutputHealth checks output_health_url and builds its client. The
// client verifies TLS certificates against the system's roots and never
// goes through a proxy: the endpoint is Telegraf's.
func (p *MIP) initOutputHealth() error {
	if p.OutputHealthURL == "" {
		return nil
	}
	u, err := url.Parse(p.OutputHealthURL)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // it repeats the URL, a password included
		}
		return fmt.Errorf("output_health_url is not a URL: %w", err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf(`output_health_url %q must start with "http://" (or "https://"): `+
			`the service_address of Telegraf's [[outputs.health]], e.g. "http://127.0.0.1:8081"`, u.Redacted())
	case u.Hostname() == "":
		return fmt.Errorf("output_health_url %q has no host name", u.Redacted())
	case u.Port() != "" && !validPort(u.Port()):
		return fmt.Errorf("output_health_url %q has port %s, not a port between 1 and 65535", u.Redacted(), u.Port())
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.Proxy = nil
	p.health = &outputHealth{
		url:   u.String(),
		shown: u.Redacted(),
		client: &http.Client{
			Transport: transport,
			Timeout:   healthTimeout,
			// outputs.health never redirects: a redirect is no 200.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
	return nil
}

// holdForOutput is asked before each gather, catch-up gathers included.
// While output_health_url does not answer 200 it returns held: the gather
// must not happen. A hold that lasts holdReportAfter is reported in one
// warning, and once more if it outlasts lookback, beyond which MIP is no
// longer asked for the runs; a process that gathers once (-once) says so in
// one warning each time, and -test never holds (see checkOutput). The
// hold's start is kept in state_file, so that a hold is timed across
// processes. The gather that resumes writing gets an accumulator that logs,
// once its points are flushed, how long writing was held and what it wrote.
func (p *MIP) holdForOutput(acc telegraf.Accumulator) (telegraf.Accumulator, bool) {
	h := p.health
	if h == nil {
		return acc, false
	}
	answer := h.ask(p.ctx)
	if p.opts.ReadOnlyState && p.opts.Once {
		p.checkOutput(answer)
		return acc, false
	}
	now := p.now()
	if answer.room {
		if h.since.IsZero() {
			return acc, false
		}
		f, ok := acc.(output.Delivering)
		if !ok {
			// In Telegraf itself the points are delivered later, by
			// tracking: the end of the hold is said now, without counts.
			p.endHold("")
			return acc, false
		}
		return &resumingAccumulator{Accumulator: acc, flusher: f, plugin: p}, false
	}
	h.gathers++
	if h.since.IsZero() {
		h.since, h.warned, h.outlasted = now, false, false
		p.keepHoldStart()
	}
	if p.opts.Once {
		p.reportOnceHold(h.why(answer), now)
		return acc, true
	}
	held := now.Sub(h.since)
	switch {
	case h.warned:
	case held >= holdReportAfter:
		h.warned = true
		p.Log.Warnf("not gathering for %s: %s; the runs stay in MIP and are written once it answers 200, if that comes within lookback (%s)",
			held.Round(time.Second), h.why(answer), time.Duration(p.Lookback))
	default:
		p.Log.Debugf("not gathering: %s", h.why(answer))
	}
	if !h.outlasted && held > time.Duration(p.Lookback) {
		h.outlasted = true
		p.Log.Warnf("Telegraf's output has had no room for %s, longer than lookback (%s): "+
			"the runs MIP recorded before %s are beyond what the plugin asks MIP for, and will be missing; "+
			"raise lookback to ride out longer outages",
			held.Round(time.Second), time.Duration(p.Lookback), now.Add(-time.Duration(p.Lookback)).UTC().Format(time.RFC3339))
	}
	return acc, true
}

// reportOnceHold is the one warning of a gather held in a process that
// gathers once: each such process says what the endpoint answered, since
// when the hold lasts (kept in state_file) and what lookback leaves.
func (p *MIP) reportOnceHold(why string, now time.Time) {
	h := p.health
	held := now.Sub(h.since)
	since := fmt.Sprintf("held since %s (%s)", h.since.UTC().Format(time.RFC3339), held.Round(time.Second))
	lookback := time.Duration(p.Lookback)
	if held > lookback {
		p.Log.Warnf("not gathering: %s; %s, longer than lookback (%s): the runs MIP recorded before %s are beyond what the plugin asks MIP for, "+
			"and will be missing; raise lookback to ride out longer outages",
			why, since, lookback, now.Add(-lookback).UTC().Format(time.RFC3339))
		return
	}
	p.Log.Warnf("not gathering: %s; %s: the runs stay in MIP and are written once it answers 200, if that comes within lookback (%s)",
		why, since, lookback)
}

// checkOutput is what -test (and a dry run) does with output_health_url:
// it gathers whatever the endpoint answers, and says what a real run would
// do.
func (p *MIP) checkOutput(answer healthAnswer) {
	if answer.room {
		p.Log.Infof("output_health_url %s answered 200 OK: Telegraf's output has room, a real run gathers now", p.health.shown)
		return
	}
	p.Log.Warnf("%s: a real run (-once, or under Telegraf) would not gather now, and would wait for a 200 answer; "+
		"this check (-test, or a dry run) gathers anyway", p.health.why(answer))
}

// keepHoldStart records the start of a hold in state_file, when the
// plugin writes one, so that the next process knows how long it lasts.
func (p *MIP) keepHoldStart() {
	if p.store == nil {
		return
	}
	p.ledger.State().HeldSince = p.health.since
	if err := p.save(); err != nil {
		p.Log.Warnf("keeping the start of the hold: %v", err)
	}
}

// outputHeld reports whether the last gather was held back by
// output_health_url: Serve then asks again soon, not at the next interval.
func (p *MIP) outputHeld() bool {
	return p.health != nil && !p.health.since.IsZero()
}

// healthAnswer is what output_health_url answered.
type healthAnswer struct {
	room   bool   // 200: the output has room
	status int    // the HTTP status, 0 when none came
	detail string // what came instead of 200, for messages
	absent bool   // nothing listens there
}

// why says what an answer other than 200 means, for the messages.
func (h *outputHealth) why(a healthAnswer) string {
	switch {
	case a.absent:
		return fmt.Sprintf("nothing answers at output_health_url (%s %s): Telegraf's [[outputs.health]] block "+
			"(examples/output-health.conf) is missing from its configuration or listens at another address, or Telegraf is not running", h.shown, a.detail)
	case a.status == http.StatusServiceUnavailable:
		return fmt.Sprintf("Telegraf's output has no room for more points (%s %s)", h.shown, a.detail)
	case a.status != 0:
		return fmt.Sprintf("output_health_url %s %s, neither 200 (room) nor 503 (no room): is it the service_address of Telegraf's [[outputs.health]]?",
			h.shown, a.detail)
	}
	return fmt.Sprintf("output_health_url %s %s: Telegraf's [[outputs.health]] did not say whether its output has room", h.shown, a.detail)
}

// ask asks the endpoint whether the output has room.
func (h *outputHealth) ask(ctx context.Context) healthAnswer {
	ctx, cancel := context.WithTimeout(ctx, healthTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, h.url, http.NoBody)
	if err != nil {
		return healthAnswer{detail: "could not be asked: " + err.Error()}
	}
	resp, err := h.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // it repeats the URL
		}
		if errors.Is(err, context.DeadlineExceeded) || os.IsTimeout(err) {
			return healthAnswer{detail: fmt.Sprintf("did not answer within %s", healthTimeout)}
		}
		var dnsErr *net.DNSError
		return healthAnswer{detail: "did not answer: " + err.Error(), absent: errors.Is(err, syscall.ECONNREFUSED) || errors.As(err, &dnsErr)}
	}
	// Read a little of the body, so the connection can be used again; a
	// failure there only costs a new connection next time.
	if _, err := io.Copy(io.Discard, io.LimitReader(resp.Body, 4096)); err != nil {
		resp.Body.Close()
		return healthAnswer{status: resp.StatusCode, detail: "answered " + resp.Status + " and then failed: " + err.Error()}
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return healthAnswer{status: resp.StatusCode, detail: "answered " + resp.Status}
	}
	return healthAnswer{room: true, status: resp.StatusCode}
}

var _ output.Delivering = (*resumingAccumulator)(nil)

// resumingAccumulator is the accumulator of the gather that ends a hold,
// for a writer that flushes (telegraf-mip's stdout): it counts what the
// gather writes and, once its points are flushed, reports the end of the
// hold.
type resumingAccumulator struct {
	telegraf.Accumulator
	flusher output.Delivering
	plugin  *MIP
	runs    int // points of runs: mip_scenario, or Centreon's state points
	points  int
}

// AddMetric counts the point and hands it on.
func (a *resumingAccumulator) AddMetric(m telegraf.Metric) {
	a.points++
	switch {
	case m.Name() == measurementScenario:
		a.runs++
	case !a.plugin.influx && m.Name() == a.plugin.CentreonMeasurement && m.HasField("state"):
		a.runs++
	}
	a.Accumulator.AddMetric(m)
}

// Flush delivers the points, then ends the hold.
func (a *resumingAccumulator) Flush() error {
	if err := a.flusher.Flush(); err != nil {
		return err
	}
	a.plugin.endHold(fmt.Sprintf(", %d runs (%d points) in this gather", a.runs, a.points))
	return nil
}

// endHold says that writing resumes, at info level after a reported hold,
// and forgets the hold.
func (p *MIP) endHold(written string) {
	h := p.health
	logf := p.Log.Debugf
	if h.warned {
		logf = p.Log.Infof
	}
	logf("Telegraf's output has room again after %s (%d gathers held back): writing the runs held in MIP%s",
		p.now().Sub(h.since).Round(time.Second), h.gathers, written)
	h.since, h.gathers, h.warned = time.Time{}, 0, false
	p.ledger.State().HeldSince = time.Time{} // saved with the gather's commit
}
