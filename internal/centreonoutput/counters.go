package centreonoutput

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"

	"github.com/telegraf-mip/telegraf-mip/internal/centreonrules"
)

// Counter is a counter of a check built on centreon-plugins' counters
// template, as --list-counters describes it.
type Counter struct {
	Label, NLabel, Min, Max, Unit, Template string
}

// ListCounters writes --list-counters as the counters template does: the
// labels in the short output, and as long output (--verbose) a JSON
// document of the counters and the thresholds a pack's command would
// pass. counters are in the template's order (its blocks by name).
func (o *Output) ListCounters(w io.Writer, counters []Counter) int {
	type metric struct {
		Max            string `json:"max"`
		Min            string `json:"min"`
		NLabel         string `json:"nlabel"`
		OutputTemplate string `json:"output_template"`
		Unit           string `json:"unit"`
	}
	doc := struct {
		CounterList string            `json:"counter list"`
		Metrics     map[string]metric `json:"metrics"`
		Pack        string            `json:"pack configuration"`
	}{Metrics: make(map[string]metric, len(counters))}
	var list, pack strings.Builder
	for _, c := range counters {
		doc.Metrics[c.Label] = metric{Max: c.Max, Min: c.Min, NLabel: c.NLabel, OutputTemplate: c.Template, Unit: c.Unit}
		list.WriteString(c.Label + " ")
		macro := strings.ToUpper(strings.ReplaceAll(c.Label, "-", "_"))
		pack.WriteString(" --warning-" + c.Label + "='$_SERVICEWARNING_" + macro + "$' --critical-" + c.Label + "='$_SERVICECRITICAL_" + macro + "$'")
	}
	doc.CounterList = list.String()
	doc.Pack = pack.String() + " $_SERVICEEXTRA_OPTIONS$"
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "   ")
	if err := enc.Encode(doc); err != nil {
		panic(err) // strings only: cannot fail
	}
	o.Add(centreonrules.OK, "counter list: "+doc.CounterList)
	o.AddLong(b.String())
	return o.render(w, displayOpts{noLabel: true, ignorePerfdata: true, forceLong: o.opts.debug})
}
