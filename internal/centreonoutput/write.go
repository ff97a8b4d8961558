package centreonoutput

import (
	"bytes"
	"encoding/json"
	"io"
	"strconv"
	"strings"

	"github.com/telegraf-mip/telegraf-mip/internal/centreonrules"
)

// textOrder is output_txt's order of the severity blocks.
var textOrder = []int{centreonrules.Critical, centreonrules.Warning, centreonrules.Unknown}

// documentOrder is the order JSON and XML list the short messages in (the
// Perl plugins list them in their hash's order, which changes from run to
// run): the text's, then OK, then the messages not yet qualified.
var documentOrder = []int{centreonrules.Critical, centreonrules.Warning, centreonrules.Unknown, centreonrules.OK, Unqualified}

// shortText is output_txt_short_display: the CRITICAL, WARNING and UNKNOWN
// blocks, each behind its label and followed by a space, then the OK
// messages when the status is OK.
func (o *Output) shortText(literal string, noLabel bool) string {
	var b strings.Builder
	label := func(s string) string {
		if noLabel {
			return ""
		}
		return s + ": "
	}
	for _, sev := range textOrder {
		if msg, ok := o.concat(sev); ok {
			b.WriteString(label(centreonrules.StatusNames[sev]) + msg + " ")
		}
	}
	if strings.EqualFold(literal, "OK") {
		msg, _ := o.concat(centreonrules.OK)
		b.WriteString(label("OK") + msg + " ")
	}
	return b.String()
}

// writeText is output_txt: the short output (rewritten by
// --change-short-output and --change-output-adv), the perfdata, then the
// long output when verbose or forced.
func (o *Output) writeText(w io.Writer, literal string, d displayOpts) {
	if msg, ok := o.concat(Unqualified); ok {
		sev, known := centreonrules.StatusByName(literal)
		if !known {
			sev = centreonrules.Unknown
		}
		o.Add(sev, msg)
		o.short[Unqualified] = nil
	}
	var b strings.Builder
	b.WriteString(o.changeShortOutput(o.shortText(literal, d.noLabel), literal))
	if !d.ignorePerfdata {
		pipe := false
		for _, p := range o.outputPerfdata() {
			if !pipe {
				b.WriteString("|")
				pipe = true
			}
			b.WriteString(" " + centreonrules.QuoteEscapedLabel(p.Label) + "=" + p.Value + p.Unit)
			b.WriteString(";" + p.Warning + ";" + p.Critical + ";" + p.Min + ";" + p.Max)
		}
	}
	b.WriteString("\n")
	if (o.opts.verbose || d.forceLong) && len(o.long) > 0 {
		b.WriteString(strings.Join(o.long, "\n"))
		b.WriteString("\n")
	}
	_, _ = io.WriteString(w, b.String()) //nolint:errcheck // nothing to do if stdout is gone
}

// outputPerfdata are the perfdata as written: changed and extended, then
// filtered (--filter-perfdata, --filter-perfdata-adv), their unit masked
// (--filter-uom) and their ranges rewritten (--range-perfdata).
func (o *Output) outputPerfdata() []*Perfdata {
	o.changePerfdata()
	out := make([]*Perfdata, 0, len(o.perf))
	for _, p := range o.perf {
		if o.filtered(p) {
			continue
		}
		if o.opts.filterUOM != nil && !o.opts.filterUOM.MatchString(p.Unit) {
			p.Unit = ""
		}
		p.Warning, p.Critical = rangePerfdata(o.opts.rangePerfdata, p.Warning), rangePerfdata(o.opts.rangePerfdata, p.Critical)
		out = append(out, p)
	}
	return out
}

// fields are a perfdata's keys and values, as the Perl hash has them.
func (p *Perfdata) fields() [][2]string {
	f := [][2]string{{"label", p.Label}, {"value", p.Value}, {"unit", p.Unit}, {"warning", p.Warning},
		{"critical", p.Critical}, {"min", p.Min}, {"max", p.Max}}
	if p.keys&keyMode != 0 {
		f = append(f, [2]string{"mode", p.Mode})
	}
	if p.keys&keyNLabel != 0 {
		f = append(f, [2]string{"nlabel", p.NLabel})
	}
	if p.keys&keyInstances != 0 {
		f = append(f, [2]string{"instances", p.Instances})
	}
	return f
}

// shortEntry is one short message of JSON and XML.
type shortEntry struct{ exit, msg string }

// shortEntries are the short messages, each behind its label, and the
// status each is written with (the exit status for those not qualified).
func (o *Output) shortEntries(literal string, noLabel bool) []shortEntry {
	var entries []shortEntry
	for _, sev := range documentOrder {
		name := strings.ToUpper(literal)
		if sev != Unqualified {
			name = centreonrules.StatusNames[sev]
		}
		for _, m := range o.short[sev] {
			msg := m.text
			if !noLabel {
				msg = name + ": " + msg
			}
			entries = append(entries, shortEntry{exit: name, msg: msg})
		}
	}
	return entries
}

// writeJSON is output_json: {"plugin": {name, mode, exit, outputs,
// perfdatas}} on one line, without a newline. A perfdata value that is a
// number is written as one (the Perl plugins write a number or a string
// as Perl last used it).
func (o *Output) writeJSON(w io.Writer, literal string, d displayOpts) {
	type output struct {
		Type int    `json:"type"`
		Msg  string `json:"msg"`
		Exit string `json:"exit,omitempty"`
	}
	doc := struct {
		Plugin struct {
			Name      string           `json:"name"`
			Mode      string           `json:"mode"`
			Exit      string           `json:"exit"`
			Outputs   []output         `json:"outputs"`
			Perfdatas []map[string]any `json:"perfdatas"`
		} `json:"plugin"`
	}{}
	doc.Plugin.Name, doc.Plugin.Mode, doc.Plugin.Exit = o.plugin, o.mode, literal
	doc.Plugin.Outputs, doc.Plugin.Perfdatas = make([]output, 0), make([]map[string]any, 0)
	for _, e := range o.shortEntries(literal, d.noLabel) {
		doc.Plugin.Outputs = append(doc.Plugin.Outputs, output{Type: 1, Msg: e.msg, Exit: e.exit})
	}
	if o.opts.verbose || d.forceLong {
		for _, l := range o.long {
			doc.Plugin.Outputs = append(doc.Plugin.Outputs, output{Type: 2, Msg: l})
		}
	}
	if !d.ignorePerfdata {
		for _, p := range o.outputPerfdata() {
			m := make(map[string]any, 10)
			for _, f := range p.fields() {
				m[f[0]] = f[1]
			}
			if isJSONNumber(p.Value) {
				m["value"] = json.Number(p.Value)
			}
			doc.Plugin.Perfdatas = append(doc.Plugin.Perfdatas, m)
		}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		// Only strings and numbers checked by isJSONNumber: cannot fail.
		panic(err)
	}
	_, _ = w.Write(bytes.TrimSuffix(b.Bytes(), []byte("\n"))) //nolint:errcheck // nothing to do if stdout is gone
}

func isJSONNumber(s string) bool {
	if s == "" || !json.Valid([]byte(s)) {
		return false
	}
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}

// writeXML is output_xml, written as XML::LibXML's toString(1) writes it.
func (o *Output) writeXML(w io.Writer, literal string, d displayOpts) {
	var b strings.Builder
	b.WriteString("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<plugin>\n")
	b.WriteString("  " + xmlElement("name", o.plugin) + "\n  " + xmlElement("mode", o.mode) + "\n  " + xmlElement("exit", literal) + "\n")
	entries := o.shortEntries(literal, d.noLabel)
	outputs := make([]string, 0, len(entries))
	for _, e := range entries {
		outputs = append(outputs, "    <output>\n      <type>1</type>\n      "+xmlElement("exit", e.exit)+
			"\n      "+xmlElement("msg", e.msg)+"\n    </output>\n")
	}
	if o.opts.verbose || d.forceLong {
		for _, l := range o.long {
			outputs = append(outputs, "    <output>\n      <type>2</type>\n      "+xmlElement("msg", l)+"\n    </output>\n")
		}
	}
	xmlList(&b, "outputs", outputs)
	var perfdatas []string
	if !d.ignorePerfdata {
		for _, p := range o.outputPerfdata() {
			var pb strings.Builder
			pb.WriteString("    <perfdata>\n")
			for _, f := range p.fields() {
				pb.WriteString("      " + xmlElement(f[0], f[1]) + "\n")
			}
			pb.WriteString("    </perfdata>\n")
			perfdatas = append(perfdatas, pb.String())
		}
	}
	xmlList(&b, "perfdatas", perfdatas)
	b.WriteString("</plugin>\n")
	_, _ = io.WriteString(w, b.String()) //nolint:errcheck // nothing to do if stdout is gone
}

func xmlList(b *strings.Builder, name string, children []string) {
	if len(children) == 0 {
		b.WriteString("  <" + name + "/>\n")
		return
	}
	b.WriteString("  <" + name + ">\n")
	for _, c := range children {
		b.WriteString(c)
	}
	b.WriteString("  </" + name + ">\n")
}

// xmlElement is an element with text, as libxml2 writes it: empty ones
// closed at once, &, < and > escaped, and carriage returns as &#13;.
func xmlElement(name, text string) string {
	if text == "" {
		return "<" + name + "/>"
	}
	return "<" + name + ">" + xmlText.Replace(text) + "</" + name + ">"
}

var xmlText = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\r", "&#13;")

// writeOpenMetrics is output_openmetrics: a line per perfdata, the part of
// the label before "#" as the instance, the time in milliseconds.
func (o *Output) writeOpenMetrics(w io.Writer) {
	ms := strconv.FormatInt(o.now().UnixMilli(), 10)
	var b strings.Builder
	for _, p := range o.outputPerfdata() {
		label, instance := p.Label, ""
		if i := strings.IndexByte(label, '#'); i >= 0 {
			instance, label = label[:i], label[i+1:]
		}
		b.WriteString(label + `{plugin="` + o.plugin + `",mode="` + p.Mode + `"`)
		keys := [][2]string{{"unit", p.Unit}, {"warning", p.Warning}, {"critical", p.Critical}, {"min", p.Min}, {"max", p.Max}, {"instance", instance}}
		for _, kv := range keys {
			if kv[1] != "" {
				b.WriteString("," + kv[0] + `="` + kv[1] + `"`)
			}
		}
		b.WriteString("} " + p.Value + " " + ms + "\n")
	}
	_, _ = io.WriteString(w, b.String()) //nolint:errcheck // nothing to do if stdout is gone
}
