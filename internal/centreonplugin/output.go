package centreonplugin

import (
	"io"
	"strings"
	"time"

	"github.com/telegraf-mip/telegraf-mip/internal/centreonrules"
	"github.com/telegraf-mip/telegraf-mip/internal/perlre"
)

// severity indexes the output's message lists: the Nagios statuses, and
// the messages not yet qualified (option errors), which take the exit
// status.
const unqualified = 4

// perfdata is one perfdata of the output.
type perfdata struct {
	label, value, unit string
}

// output is the centreon-plugins output object, as far as this plugin
// uses it: short messages by severity, joined by " - "; long messages;
// perfdata; a status that is the worst severity added, CRITICAL over
// UNKNOWN over WARNING.
type output struct {
	short   [5]*strings.Builder
	long    []string
	perf    []perfdata
	status  int
	verbose bool
	// the output options
	noLabel, noPerfdata bool
	filterPerfdata      *perlre.Regexp
	filterUOM           *perlre.Regexp
	changeExit          map[int]int
}

func (o *output) add(severity int, msg string) { o.addSep(severity, msg, " - ") }

func (o *output) addSep(severity int, msg, sep string) {
	msg = strings.TrimSuffix(msg, "\n")
	if o.short[severity] == nil {
		o.short[severity] = &strings.Builder{}
	} else {
		o.short[severity].WriteString(sep)
	}
	o.short[severity].WriteString(msg)
	if severity != unqualified {
		o.status = centreonrules.PerlWorse(o.status, severity)
	}
}

func (o *output) addLong(msg string) { o.long = append(o.long, strings.TrimSuffix(msg, "\n")) }

func (o *output) addPerfdata(label, value, unit string) {
	o.perf = append(o.perf, perfdata{label: strings.ReplaceAll(label, "'", "''"), value: value, unit: unit})
}

// display writes the output as output_txt does: the CRITICAL, WARNING and
// UNKNOWN messages, each block behind its label and followed by a space,
// the OK messages when the status is OK, then " |" and the perfdata, then,
// with --verbose (or when forced), the long output.
func (o *output) display(w io.Writer, exit int, forceLong, ignorePerfdata bool) {
	if o.short[unqualified] != nil {
		o.add(exit, o.short[unqualified].String())
		o.short[unqualified] = nil
	}
	var b strings.Builder
	label := func(s string) string {
		if o.noLabel {
			return ""
		}
		return s + ": "
	}
	for _, sev := range []int{centreonrules.Critical, centreonrules.Warning, centreonrules.Unknown} {
		if o.short[sev] != nil {
			b.WriteString(label(centreonrules.StatusNames[sev]) + o.short[sev].String() + " ")
		}
	}
	if exit == centreonrules.OK {
		b.WriteString(label("OK"))
		if o.short[centreonrules.OK] != nil {
			b.WriteString(o.short[centreonrules.OK].String())
		}
		b.WriteString(" ")
	}
	if !ignorePerfdata && !o.noPerfdata {
		pipe := false
		for _, p := range o.perf {
			if !pipe {
				b.WriteString("|")
				pipe = true
			}
			b.WriteString(" '" + p.label + "'=" + p.value + p.unit + ";;;;")
		}
	}
	b.WriteString("\n")
	if (o.verbose || forceLong) && len(o.long) > 0 {
		b.WriteString(strings.Join(o.long, "\n"))
		b.WriteString("\n")
	}
	_, _ = io.WriteString(w, b.String()) //nolint:errcheck // nothing to do if stdout is gone
}

// applyPerfdataFilters applies --filter-perfdata (which perfdata are shown) and
// --filter-uom (which keep their unit) before display, by deadline.
func (o *output) applyPerfdataFilters(deadline time.Time) error {
	kept := o.perf[:0]
	for _, p := range o.perf {
		if o.filterPerfdata != nil {
			ok, err := o.filterPerfdata.MatchString(p.label, deadline)
			if err != nil {
				return matchError("--filter-perfdata", o.filterPerfdata, err)
			}
			if !ok {
				continue
			}
		}
		if o.filterUOM != nil {
			ok, err := o.filterUOM.MatchString(p.unit, deadline)
			if err != nil {
				return matchError("--filter-uom", o.filterUOM, err)
			}
			if !ok {
				p.unit = ""
			}
		}
		kept = append(kept, p)
	}
	o.perf = kept
	return nil
}

// exitCode is the process's exit code for a status, after --change-exit.
func (o *output) exitCode(status int) int {
	if to, ok := o.changeExit[status]; ok {
		return to
	}
	return status
}
