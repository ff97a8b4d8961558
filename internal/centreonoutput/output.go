// Package centreonoutput is centreon-plugins' output object
// (centreon/plugins/output.pm), which every Centreon Perl check shares:
// short messages by severity, long messages and perfdata, written as
// Nagios text, JSON, XML or OpenMetrics, and the generic options that
// filter and rewrite them (--filter-perfdata, --change-perfdata,
// --extend-perfdata, --change-short-output, --output-json, ...). Nothing
// in it is MIP's: a check adds its messages and perfdata and lets it
// write them as the Perl plugins would.
package centreonoutput

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/telegraf-mip/telegraf-mip/internal/centreonrules"
)

// Unqualified is the severity of messages not yet qualified (option
// errors): they take the exit status when written.
const Unqualified = 4

// Perfdata is one perfdata as perfdata_add keeps it: the label, value and
// unit, the thresholds and bounds (empty when unset), and the keys JSON
// and XML write besides them.
type Perfdata struct {
	Label, Value, Unit, Warning, Critical, Min, Max string
	// Mode, NLabel and Instances are written in JSON and XML when their
	// keys are set (perfdata_add sets mode; a check gives the others).
	Mode, NLabel, Instances string
	keys                    extraKeys
}

// extraKeys says which of Mode, NLabel and Instances a perfdata has, as
// the Perl hash has only the keys it was given.
type extraKeys uint8

const (
	keyMode extraKeys = 1 << iota
	keyNLabel
	keyInstances
)

// message is one short message and the separator before it.
type message struct{ text, sep string }

// Output collects a check's messages and perfdata and writes them.
type Output struct {
	opts   *options
	plugin string
	mode   string
	// short are the messages by severity (OK..UNKNOWN, then Unqualified).
	short  [5][]message
	long   []string
	perf   []*Perfdata
	status int
	// coaExit is the status --change-output-adv set, or -1.
	coaExit int
	now     func() time.Time
}

// New is an output with the generic options read from args (see
// options.go); plugin and mode are the names JSON, XML and OpenMetrics
// write. An option that cannot be read is an error whose text is the
// Perl plugin's message, or a sentence where this package refuses it.
func New(args Args, plugin, mode string) (*Output, error) {
	o := &Output{plugin: plugin, mode: mode, coaExit: -1, now: time.Now, opts: &options{}}
	err := o.opts.read(args)
	o.long = append(o.long, o.opts.notes...)
	return o, err
}

// SetMode names the mode written in JSON, XML and OpenMetrics.
func (o *Output) SetMode(mode string) { o.mode = mode }

// SetClock sets where OpenMetrics' timestamps come from.
func (o *Output) SetClock(now func() time.Time) { o.now = now }

// Verbose tells whether the long output is written.
func (o *Output) Verbose() bool { return o.opts.verbose || o.opts.debug }

// Debug tells whether --debug was given.
func (o *Output) Debug() bool { return o.opts.debug }

// Add adds a short message of a severity, behind " - ".
func (o *Output) Add(severity int, msg string) { o.AddSep(severity, msg, " - ") }

// AddSep adds a short message of a severity behind sep (when the severity
// has messages already); the status becomes the worse of both.
func (o *Output) AddSep(severity int, msg, sep string) {
	o.short[severity] = append(o.short[severity], message{text: strings.TrimSuffix(msg, "\n"), sep: sep})
	if severity != Unqualified {
		o.status = centreonrules.PerlWorse(o.status, severity)
	}
}

// AddLong adds a line of long output.
func (o *Output) AddLong(msg string) { o.long = append(o.long, strings.TrimSuffix(msg, "\n")) }

// AddPerfdata adds a perfdata as perfdata_add does: a quote in the label
// doubled, the mode kept, NLabel and Instances kept when not empty.
func (o *Output) AddPerfdata(p Perfdata) {
	p.Label = centreonrules.EscapeLabel(p.Label)
	p.Mode, p.keys = o.mode, keyMode
	if p.NLabel != "" {
		p.keys |= keyNLabel
	}
	if p.Instances != "" {
		p.keys |= keyInstances
	}
	o.perf = append(o.perf, &p)
}

// Status is the worst severity added.
func (o *Output) Status() int { return o.status }

// concat is a severity's messages joined by their separators.
func (o *Output) concat(severity int) (string, bool) {
	msgs := o.short[severity]
	if len(msgs) == 0 {
		return "", false
	}
	var b strings.Builder
	for i, m := range msgs {
		if i > 0 {
			b.WriteString(m.sep)
		}
		b.WriteString(m.text)
	}
	return b.String(), true
}

// displayOpts are display()'s arguments.
type displayOpts struct {
	noLabel, ignorePerfdata, forceLong bool
}

// Display writes the check's result as display() then exit() do, and
// returns the exit code.
func (o *Output) Display(stdout io.Writer) int {
	return o.render(stdout, displayOpts{noLabel: o.opts.ignoreLabel, ignorePerfdata: o.opts.ignorePerfdata, forceLong: o.opts.debug})
}

// DisplayList writes a listing (a list mode's result): no label, no
// perfdata, the long output always.
func (o *Output) DisplayList(stdout io.Writer) int {
	return o.render(stdout, displayOpts{noLabel: true, ignorePerfdata: true, forceLong: true})
}

func (o *Output) render(stdout io.Writer, d displayOpts) int {
	if o.opts.format == formatOpenMetrics {
		o.AddPerfdata(Perfdata{NLabel: "plugin.mode.status", Label: "plugin.mode.status", Value: strconv.Itoa(o.status)})
	}
	if len(o.opts.changeLong) > 0 && (o.opts.verbose || d.forceLong) {
		o.long = changeLongOutput(o.long, o.opts.changeLong)
	}
	w := stdout
	if o.opts.outputFile != "" {
		// As the Perl plugin: a file the admin names, 0666 less the umask.
		f, err := os.OpenFile(o.opts.outputFile, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o666) //nolint:gosec // see above
		if err != nil {
			o.Add(centreonrules.Unknown, fmt.Sprintf("cannot open file  '%s': %s", o.opts.outputFile, errnoText(err)))
		} else {
			defer f.Close()
			w = f
		}
	}
	literal := centreonrules.StatusNames[o.status]
	switch o.opts.format {
	case formatXML:
		o.writeXML(w, literal, d)
	case formatJSON:
		o.writeJSON(w, literal, d)
	case formatOpenMetrics:
		o.writeOpenMetrics(w)
	default:
		o.writeText(w, literal, d)
	}
	return o.exitCode(literal)
}

// OptionExit writes an error as option_exit does, with the status literal
// given ("unknown" for --opt-exit's, "UNKNOWN" for a check's own), and
// returns the exit code.
func (o *Output) OptionExit(stdout io.Writer, literal string) int {
	d := displayOpts{noLabel: o.opts.ignoreLabel, ignorePerfdata: true, forceLong: true}
	switch o.opts.format {
	case formatXML:
		o.writeXML(stdout, literal, d)
	case formatJSON:
		o.writeJSON(stdout, literal, d)
	case formatOpenMetrics:
		// option_exit writes the perfdata only: none yet, nothing.
		if s, ok := centreonrules.StatusByName(literal); ok {
			o.status = centreonrules.PerlWorse(o.status, s)
		}
		o.writeOpenMetrics(stdout)
	default:
		o.writeText(stdout, literal, d)
	}
	return o.exitCode(literal)
}

// exitCode is exit(): the status literal, or --change-output-adv's, then
// --change-exit.
func (o *Output) exitCode(literal string) int {
	status, ok := centreonrules.StatusByName(literal)
	if !ok {
		status = centreonrules.Unknown
	}
	if o.coaExit >= 0 {
		status = o.coaExit
	}
	if to, ok := o.opts.changeExit[status]; ok {
		return to
	}
	return status
}

// errnoText is an error as Perl's $! says it: the system's message only.
func errnoText(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		msg := pe.Err.Error()
		if msg != "" {
			return strings.ToUpper(msg[:1]) + msg[1:]
		}
	}
	return err.Error()
}

// PlainText tells whether the output is the plain text written to
// stdout, where a line may follow it (no --output-json, --output-xml,
// --output-openmetrics or --output-file).
func (o *Output) PlainText() bool { return o.opts.format == formatText && o.opts.outputFile == "" }

// JSON tells whether the output is JSON (--output-json), for the
// documents a check writes itself (discovery).
func (o *Output) JSON() bool { return o.opts.format == formatJSON }
