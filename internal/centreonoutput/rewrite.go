package centreonoutput

import (
	"strconv"
	"strings"

	"github.com/telegraf-mip/telegraf-mip/internal/centreonrules"
)

// outputRule is one --change-output-adv: when expr holds for the short
// output and the exit code, the short output and the status it gives.
type outputRule struct {
	expr *centreonrules.Expr
	// short replaces the short output when not empty.
	short string
	// exit is the status it sets, or -1.
	exit int
}

// parseOutputRule reads expr,short_output,exit (split on "," as Perl's
// split /,/); nil when there is no expression.
func parseOutputRule(v string) (*outputRule, error) {
	fields := strings.Split(v, ",")
	fields = append(fields, "", "")
	if fields[0] == "" {
		return nil, nil
	}
	expr, err := parseAdvExpr("--change-output-adv", fields[0])
	if err != nil {
		return nil, err
	}
	rule := &outputRule{expr: expr, short: fields[1], exit: -1}
	if s, ok := centreonrules.StatusByName(fields[2]); ok {
		rule.exit = s
	}
	return rule, nil
}

// changeShortOutput is output_txt_short's rewrites of the short output:
// each --change-short-output in order, then each --change-output-adv that
// holds.
func (o *Output) changeShortOutput(short, literal string) string {
	for _, s := range o.opts.changeShort {
		short = s.apply(short)
	}
	if len(o.opts.changeOutputAdv) == 0 {
		return short
	}
	status, ok := centreonrules.StatusByName(literal)
	if !ok {
		status = centreonrules.Unknown
	}
	for _, r := range o.opts.changeOutputAdv {
		vars := func(name string) string {
			switch name {
			case "short_output":
				return short
			case "exit_code":
				return strconv.Itoa(status)
			}
			return ""
		}
		if r.expr.Eval(vars) {
			if r.short != "" {
				short = r.short
			}
			if r.exit >= 0 {
				o.coaExit = r.exit
			}
		}
	}
	return short
}

// changeLongOutput is change_long_output: the long output as one text,
// each rewrite in order, split on newlines again.
func changeLongOutput(long []string, rewrites []*substitution) []string {
	text := strings.Join(long, "\n")
	for _, s := range rewrites {
		text = s.apply(text)
	}
	lines := strings.Split(text, "\n")
	// Perl's split drops the empty fields at the end.
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}
