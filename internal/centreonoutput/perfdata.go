package centreonoutput

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/telegraf-mip/telegraf-mip/internal/centreonrules"
)

// extendKind is which option an extend comes from.
type extendKind int

const (
	changeKind         extendKind = iota + 1 // --change-perfdata: in place
	extendPerfdataKind                       // --extend-perfdata: a copy added
	groupKind                                // --extend-perfdata-group: a new perfdata added
)

// extend is one --change-perfdata, --extend-perfdata or
// --extend-perfdata-group: searchlabel,newlabel,method,unit,min,max,warning,critical.
type extend struct {
	kind                       extendKind
	match                      Regexp
	matchSrc                   string
	substitute                 *substitution
	label                      string
	unit, min, max, warn, crit *string
	method                     string
	// the method's arguments
	scaleQuantity, scaleUnit string
	scaleAuto                bool
	math                     string
	mathThresholds           bool
	pattern                  string
}

// methodSyntax is a method and its arguments, as parse_perfdata_extend_args reads them.
var methodSyntax = regexp.MustCompile(`^\s*(invert|percent|scale|math|min|max|average|sum|eval)\s*\(\s*(.*?)\s*\)\s*$`)

var (
	scaleArgs = regexp.MustCompile(`^([KMGTPEkmgtpe])?(B|b|bps|Bps|b/s|auto)$`)
	mathArgs  = regexp.MustCompile(`^((?:[\s.\-+*/0-9()]|current)+)$`)
	scaleUnit = regexp.MustCompile(`^([KMGTPEkmgtpe])?(B|b|bps|Bps|b/s)$`)
)

// parseExtend reads one option value; nil when the Perl plugins ignore it:
// no search label, or a method or arguments they do not know, which they
// say only with --debug (the note).
func parseExtend(option, v string, kind extendKind) (e *extend, note string, err error) {
	fields := strings.Split(v, ",")
	for len(fields) > 0 && fields[len(fields)-1] == "" {
		fields = fields[:len(fields)-1]
	}
	fields = append(fields, make([]string, 8)...)
	if fields[0] == "" && kind != groupKind {
		return nil, "", nil
	}
	e = &extend{kind: kind, matchSrc: fields[0], label: fields[1]}
	opt := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	e.unit, e.min, e.max, e.warn, e.crit = opt(fields[3]), opt(fields[4]), opt(fields[5]), opt(fields[6]), opt(fields[7])
	if fields[2] != "" {
		m := methodSyntax.FindStringSubmatch(fields[2])
		if m == nil {
			return nil, "method in argument '" + v + "' is unknown", nil
		}
		e.method = m[1]
		if ok, err := e.parseMethod(option, v, m[2]); !ok || err != nil {
			return nil, "argument in method '" + v + "' is unknown", err
		}
	}
	if e.matchSrc != "" {
		if e.match, err = compileOption(option, e.matchSrc); err != nil {
			return nil, "", err
		}
		if e.label != "" {
			if e.substitute, err = newSubstitution(option, v, e.matchSrc, e.label, ""); err != nil {
				return nil, "", err
			}
		}
	}
	return e, "", nil
}

// parseMethod reads a method's arguments: false when the Perl plugins
// would not take them.
func (e *extend) parseMethod(option, v, args string) (bool, error) {
	switch e.method {
	case "eval":
		return false, &OptionError{Msg: fmt.Sprintf("telegraf-mip centreon does not support eval() in %s='%s': "+
			"it runs Perl code; use math(), scale() or the other functions.", option, v)}
	case "scale":
		m := scaleArgs.FindStringSubmatch(args)
		switch {
		case m != nil:
			e.scaleQuantity, e.scaleUnit = m[1], m[2]
		case args != "":
			return false, nil
		default:
			e.scaleUnit = "auto"
		}
		e.scaleAuto = e.scaleUnit == "auto"
	case "math":
		expr, threshold, _ := strings.Cut(args, "|")
		threshold, _, _ = strings.Cut(threshold, "|")
		if mathArgs.MatchString(expr) {
			e.math = expr
		} else if args != "" {
			return false, nil
		}
		e.mathThresholds = strings.TrimSpace(threshold) == "1"
	case "min", "max", "average", "sum":
		e.pattern = strings.TrimSpace(args)
	}
	return true, nil
}

// filtered tells whether --filter-perfdata or --filter-perfdata-adv leave
// a perfdata out.
func (o *Output) filtered(p *Perfdata) bool {
	if o.opts.filterPerfdata != nil && !o.opts.filterPerfdata.MatchString(p.Label) {
		return true
	}
	if o.opts.filterPerfdataAdv != nil {
		fields := p.fields()
		vars := func(name string) string {
			for _, f := range fields {
				if f[0] == name {
					return f[1]
				}
			}
			return ""
		}
		return !o.opts.filterPerfdataAdv.Eval(vars)
	}
	return false
}

// rangeStart is what --range-perfdata=1 removes: a start of 0.
var rangeStart = regexp.MustCompile(`^(@?)-?[0.]+:`)

func rangePerfdata(mode int, threshold string) string {
	switch mode {
	case 1:
		return rangeStart.ReplaceAllString(threshold, "$1")
	case 2:
		return ""
	}
	return threshold
}

// changePerfdata is change_perfdata: the extends in order, then
// --explode-perfdata-max.
func (o *Output) changePerfdata() {
	for _, e := range o.opts.extends {
		o.applyExtend(e)
	}
	o.explode()
	// change_perfdata runs once per display; only once here.
	o.opts.extends, o.opts.explodeAll, o.opts.explode = nil, false, nil
}

func (o *Output) applyExtend(e *extend) {
	if e.kind == groupKind && e.match == nil {
		if e.label == "" {
			return
		}
		p := &Perfdata{Label: e.label, Unit: deref(e.unit), Min: deref(e.min), Max: deref(e.max)}
		o.applyMethod(e, p, "", nil)
		applyThresholds(p, e)
		if p.Value != "" {
			o.perf = append(o.perf, p)
		}
		return
	}
	var added []*Perfdata
	for i := 0; i < len(o.perf); i++ {
		src := o.perf[i]
		found := e.match.FindAllStringSubmatchIndex(src.Label, 1)
		if len(found) == 0 {
			continue
		}
		p := &Perfdata{}
		*p = *src
		if e.kind == groupKind {
			p = &Perfdata{Label: src.Label}
		}
		if e.substitute != nil {
			p.Label = e.substitute.apply(p.Label)
		}
		o.applyMethod(e, p, src.Label, found[0])
		if e.unit != nil {
			p.Unit = *e.unit
		}
		if e.min != nil {
			p.Min = *e.min
		}
		if e.max != nil {
			p.Max = *e.max
		}
		applyThresholds(p, e)
		if e.kind == changeKind {
			o.perf[i] = p
		} else if p.Value != "" {
			added = append(added, p)
		}
	}
	o.perf = append(o.perf, added...)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// applyMethod applies an extend's function to p; label and match are the
// label the search matched and where, whose groups ($1...) the pattern of
// min(), max(), sum() and average() may use.
func (o *Output) applyMethod(e *extend, p *Perfdata, label string, match []int) {
	switch e.method {
	case "scale":
		applyScale(e, p)
	case "invert":
		applyInvert(p)
	case "percent":
		applyPercent(p)
	case "math":
		applyMath(e, p)
	case "min", "max", "sum", "average":
		o.applyAggregate(e, p, label, match)
	}
}

// threshold is a parsed Nagios range, as parse_threshold reads one.
type threshold struct {
	at                  bool
	start, end          float64
	startText, endText  string
	infiniteNeg, infPos bool
}

var thresholdSyntax = regexp.MustCompile(`^(@?)((?:~|(?:\+|-)?\d+(?:[.,]\d+)?(?:[KMGTPE][bB])?|):)?((?:\+|-)?\d+(?:[.,]\d+)?(?:[KMGTPE][bB])?)?$`)

var byteSuffix = regexp.MustCompile(`([KMGTPE])([bB])`)

func parseThreshold(s string) (threshold, bool) {
	m := thresholdSyntax.FindStringSubmatch(strings.Trim(s, " \t"))
	if m == nil {
		return threshold{}, false
	}
	t := threshold{at: m[1] == "@"}
	start := strings.NewReplacer("+", "", ":", "").Replace(m[2])
	end := strings.Replace(m[3], "+", "", 1)
	scale := func(v string) string {
		sm := byteSuffix.FindStringSubmatchIndex(v)
		if sm == nil {
			return v
		}
		q, u := v[sm[2]:sm[3]], v[sm[4]:sm[5]]
		n := perlNum(v[:sm[0]] + v[sm[1]:])
		return centreonrules.PerlFloat(scaleBytesBit(n, q, u, "", u))
	}
	start, end = scale(start), scale(end)
	if end == "" {
		t.infPos = true
	}
	if start == "" {
		start = "0"
	}
	start, end = strings.Replace(start, ",", ".", 1), strings.Replace(end, ",", ".", 1)
	if start == "~" {
		t.infiniteNeg = true
	}
	t.startText, t.endText = start, end
	t.start, t.end = perlNum(start), perlNum(end)
	return t, true
}

// literal is get_threshold_litteral.
func (t threshold) literal() string {
	s := ""
	if t.at {
		s = "@"
	}
	if t.infiniteNeg {
		s += "~"
	} else {
		s += t.startText
	}
	s += ":"
	if !t.infPos {
		s += t.endText
	}
	return s
}

// mapThresholds applies f to the finite ends of a perfdata's thresholds.
func mapThresholds(p *Perfdata, f func(float64) string) {
	for _, th := range []*string{&p.Warning, &p.Critical} {
		if *th == "" {
			continue
		}
		t, ok := parseThreshold(*th)
		if !ok {
			continue
		}
		if !t.infiniteNeg {
			t.startText = f(t.start)
		}
		if !t.infPos {
			t.endText = f(t.end)
		}
		*th = t.literal()
	}
}

// applyScale is apply_pfdata_scale: a value in bytes or bits (with a
// prefix) scaled to the unit asked, or to the largest prefix under 1024.
func applyScale(e *extend, p *Perfdata) {
	m := scaleUnit.FindStringSubmatch(p.Unit)
	if m == nil {
		return
	}
	srcQ, srcU := m[1], m[2]
	dstQ, dstU := e.scaleQuantity, e.scaleUnit
	if e.scaleAuto {
		v, q := scaleAuto(perlNum(p.Value), srcQ)
		p.Value = fmt.Sprintf("%.2f", v)
		dstQ, dstU = q, srcU
	} else {
		p.Value = fmt.Sprintf("%.2f", scaleBytesBit(perlNum(p.Value), srcQ, srcU, dstQ, dstU))
	}
	p.Unit = dstQ + dstU
	if p.Max != "" {
		p.Max = fmt.Sprintf("%.2f", scaleBytesBit(perlNum(p.Max), srcQ, srcU, dstQ, dstU))
	}
	mapThresholds(p, func(v float64) string {
		return centreonrules.PerlFloat(scaleBytesBit(v, srcQ, srcU, dstQ, dstU))
	})
}

var expo = map[string]int{"": 0, "k": 1, "m": 2, "g": 3, "t": 4, "p": 5, "e": 6}

// scaleBytesBit is misc's scale_bytesbit to a given prefix and unit.
func scaleBytesBit(v float64, srcQ, srcU, dstQ, dstU string) float64 {
	base := 1024.0
	if dstU != "" && srcU != "" {
		if strings.Contains(dstU, "b") && strings.Contains(srcU, "B") {
			v *= 8
		}
		if strings.Contains(dstU, "B") && strings.Contains(srcU, "b") {
			v /= 8
		}
		if strings.Contains(dstU, "b") {
			base = 1000
		}
	}
	diff := expo[strings.ToLower(dstQ)] - expo[strings.ToLower(srcQ)]
	switch {
	case diff > 0:
		v /= math.Pow(base, float64(diff))
	case diff < 0:
		v *= math.Pow(base, float64(-diff))
	}
	return v
}

// scaleAuto is scale_bytesbit's auto: divided by 1024 while over it, from
// the source's prefix (an upper-case one counts as none, as in Perl).
func scaleAuto(v float64, srcQ string) (float64, string) {
	auto := []string{"", "k", "m", "g", "t", "p", "e"}
	i := expo[srcQ]
	if _, ok := expo[srcQ]; !ok {
		i = 0
	}
	for ; i < len(auto); i++ {
		if v < 1024 {
			break
		}
		v /= 1024
	}
	if i >= len(auto) {
		return v, ""
	}
	return v, auto[i]
}

// applyInvert is apply_pfdata_invert: max - value, thresholds mirrored.
func applyInvert(p *Perfdata) {
	if p.Max == "" {
		return
	}
	maxV := perlNum(p.Max)
	p.Value = centreonrules.PerlFloat(maxV - perlNum(p.Value))
	for _, th := range []*string{&p.Warning, &p.Critical} {
		if *th == "" {
			continue
		}
		t, ok := parseThreshold(*th)
		if !ok {
			continue
		}
		n := threshold{at: t.at, infiniteNeg: t.infPos, infPos: t.infiniteNeg, startText: t.startText, endText: t.endText}
		if !t.infiniteNeg {
			n.endText = centreonrules.PerlFloat(maxV - t.start)
		}
		if !t.infPos {
			n.startText = centreonrules.PerlFloat(maxV - t.end)
		}
		*th = n.literal()
	}
}

// applyPercent is apply_pfdata_percent: the value in percent of max.
func applyPercent(p *Perfdata) {
	if p.Max == "" {
		return
	}
	maxV := perlNum(p.Max)
	p.Value = fmt.Sprintf("%.2f", perlNum(p.Value)*100/maxV)
	p.Unit = "%"
	mapThresholds(p, func(v float64) string { return fmt.Sprintf("%.2f", v*100/maxV) })
	p.Max = "100"
}

// applyMath is apply_pfdata_math: the value (and with |1 the thresholds,
// and max set to 100, as the Perl plugins do) through an arithmetic
// expression of current.
func applyMath(e *extend, p *Perfdata) {
	if e.math == "" {
		return
	}
	if v, ok := evalMath(e.math, perlNum(p.Value)); ok {
		p.Value = centreonrules.PerlFloat(v)
	}
	if !e.mathThresholds {
		return
	}
	mapThresholds(p, func(x float64) string {
		if v, ok := evalMath(e.math, x); ok {
			return centreonrules.PerlFloat(v)
		}
		return centreonrules.PerlFloat(x)
	})
	p.Max = "100"
}

// digits is what min(), max(), sum() and average() take as a value.
var digits = regexp.MustCompile(`\d`)

// applyAggregate is apply_pfdata_min, _max, _sum and _average: over every
// perfdata whose label matches the pattern and whose value has a digit.
// The pattern is read as a Perl string, as the Perl plugins do: $1 is the
// search's group.
func (o *Output) applyAggregate(e *extend, p *Perfdata, label string, match []int) {
	re, err := CompileRegexp(expand(e.pattern, label, match))
	if err != nil {
		return
	}
	var best string
	var sum float64
	n := 0
	for _, q := range o.perf {
		if !re.MatchString(q.Label) || !digits.MatchString(q.Value) {
			continue
		}
		v := perlNum(q.Value)
		switch {
		case e.method == "min" && (n == 0 || perlNum(best) > v), e.method == "max" && (n == 0 || perlNum(best) < v):
			best = q.Value
		}
		sum += v
		n++
	}
	if n == 0 {
		return
	}
	switch e.method {
	case "min", "max":
		p.Value = best
	case "sum":
		p.Value = centreonrules.PerlFloat(sum)
	case "average":
		p.Value = fmt.Sprintf("%.2f", sum/float64(n))
	}
}

// thresholdNumber is a number in a threshold of --change-perfdata and the
// like: a percentage of max, or a number.
var (
	thresholdPercent = regexp.MustCompile(`(\d+(?:\.\d+)?)\s*%`)
	thresholdNumber  = regexp.MustCompile(`(\d+(?:\.\d+)?)`)
)

// applyThresholds is apply_perfdata_thresholds: each ":"-separated part
// of the warning and critical given kept as its number, a percentage
// taken of max (empty without max).
func applyThresholds(p *Perfdata, e *extend) {
	for _, th := range []struct {
		src *string
		dst *string
	}{{e.warn, &p.Warning}, {e.crit, &p.Critical}} {
		if th.src == nil {
			continue
		}
		parts := strings.Split(*th.src, ":")
		for i, part := range parts {
			if m := thresholdPercent.FindStringSubmatch(part); m != nil {
				if p.Max == "" {
					parts[i] = ""
					continue
				}
				parts[i] = centreonrules.PerlFloat(perlNum(m[1]) * perlNum(p.Max) / 100)
			} else if m := thresholdNumber.FindStringSubmatch(part); m != nil {
				parts[i] = m[1]
			} else {
				parts[i] = ""
			}
		}
		*th.dst = strings.Join(parts, ":")
	}
}

// explode is apply_perfdata_explode: a perfdata for the max of each one
// that has one (all, or those matching a --explode-perfdata-max).
func (o *Output) explode() {
	if !o.opts.explodeAll && len(o.opts.explode) == 0 {
		return
	}
	n := len(o.perf)
	for i := 0; i < n; i++ {
		src := o.perf[i]
		if src.Max == "" {
			continue
		}
		if o.opts.explodeAll {
			o.AddPerfdata(Perfdata{Label: src.Label + "_max", Value: src.Max, Unit: src.Unit})
			continue
		}
		for _, x := range o.opts.explode {
			if re, err := CompileRegexp(x[0]); err == nil && re.MatchString(src.Label) {
				o.AddPerfdata(Perfdata{Label: x[1], Value: src.Max, Unit: src.Unit})
				break
			}
		}
	}
}

// perlNum reads a string as Perl numifies it: its leading number, or 0.
func perlNum(s string) float64 {
	s = strings.TrimLeft(s, " \t\n\r\f")
	end := 0
	for end < len(s) && strings.IndexByte("+-0123456789.eE", s[end]) >= 0 {
		end++
	}
	for ; end > 0; end-- {
		if n, err := strconv.ParseFloat(s[:end], 64); err == nil {
			return n
		}
	}
	if strings.HasPrefix(strings.ToLower(s), "inf") {
		return math.Inf(1)
	}
	return 0
}
