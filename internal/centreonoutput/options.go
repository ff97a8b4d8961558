package centreonoutput

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/telegraf-mip/telegraf-mip/internal/centreonrules"
)

// Args are the options of a command line, by name without "--", as the
// check's parser read them.
type Args interface {
	// Get is a string option's value and whether it was given.
	Get(name string) (string, bool)
	// List is every value of a repeatable option, in order.
	List(name string) []string
	// Has tells whether a flag (or any option) was given.
	Has(name string) bool
}

// Kind is how an option takes its value.
type Kind int

// The kinds of options.
const (
	Flag Kind = iota
	String
	List
)

// Options are the options this package reads, and how each takes its
// value: a check's parser accepts them all.
var Options = map[string]Kind{
	"verbose": Flag, "debug": Flag, "opt-exit": String, "output-ignore-label": Flag, "output-ignore-perfdata": Flag,
	"range-perfdata": String, "filter-perfdata": String, "filter-perfdata-adv": String, "filter-uom": String,
	"change-perfdata": List, "extend-perfdata": List, "extend-perfdata-group": List, "explode-perfdata-max": List,
	"change-exit": List, "change-short-output": List, "change-long-output": List, "change-output-adv": List,
	"output-xml": Flag, "output-json": Flag, "output-openmetrics": Flag, "output-file": String,
	"disco-format": Flag, "disco-show": Flag,
}

type format int

const (
	formatText format = iota
	formatXML
	formatJSON
	formatOpenMetrics
)

// options are the output options, read.
type options struct {
	verbose, debug              bool
	ignoreLabel, ignorePerfdata bool
	optExit                     string
	format                      format
	outputFile                  string
	rangePerfdata               int
	filterPerfdata, filterUOM   Regexp
	filterPerfdataAdv           *centreonrules.Expr
	changeExit                  map[int]int
	extends                     []*extend
	explodeAll                  bool
	explode                     [][2]string
	changeShort, changeLong     []*substitution
	changeOutputAdv             []*outputRule
	// notes are the long output's first lines (--debug's notes on options).
	notes []string
}

// OptExit is --opt-exit, in lower case: the status literal of errors.
func (o *Output) OptExit() string { return o.opts.optExit }

// read reads the options in check_options' order; the first error stops.
func (opts *options) read(a Args) error {
	// check_options copies every option before it checks --opt-exit: its
	// error is written in the format asked.
	opts.verbose, opts.debug = a.Has("verbose"), a.Has("debug")
	opts.ignoreLabel, opts.ignorePerfdata = a.Has("output-ignore-label"), a.Has("output-ignore-perfdata")
	switch {
	case a.Has("output-xml"):
		opts.format = formatXML
	case a.Has("output-json"):
		opts.format = formatJSON
	case a.Has("output-openmetrics"):
		opts.format = formatOpenMetrics
	}
	opts.optExit = "unknown"
	if v, ok := a.Get("opt-exit"); ok {
		opts.optExit = strings.ToLower(v)
	}
	if _, ok := centreonrules.StatusByName(opts.optExit); !ok {
		bad := opts.optExit
		opts.optExit = "unknown"
		return &OptionError{Msg: fmt.Sprintf("Unknown value '%s' for --opt-exit.", bad), Literal: "unknown"}
	}
	if (a.Has("disco-show") || a.Has("disco-format")) && !a.Has("output-json") {
		opts.format = formatXML
	}
	opts.outputFile, _ = a.Get("output-file")
	if v, ok := a.Get("range-perfdata"); ok {
		switch v {
		case "", "1":
			opts.rangePerfdata = 1
		case "0", "2":
			opts.rangePerfdata = int(v[0] - '0')
		default:
			return &OptionError{Msg: fmt.Sprintf("Wrong range-perfdata option '%s'", v)}
		}
	}
	if err := opts.readRewrites(a); err != nil {
		return err
	}
	return opts.readPerfdataOptions(a)
}

// readRewrites reads --change-output-adv, --change-exit and the output
// rewrites.
func (opts *options) readRewrites(a Args) error {
	for _, v := range a.List("change-output-adv") {
		rule, err := parseOutputRule(v)
		if err != nil {
			return err
		}
		if rule != nil {
			opts.changeOutputAdv = append(opts.changeOutputAdv, rule)
		}
	}
	for _, change := range a.List("change-exit") {
		from, to, _ := strings.Cut(change, "=")
		f, okFrom := centreonrules.StatusByName(from)
		t, okTo := centreonrules.StatusByName(to)
		if okFrom && okTo {
			if opts.changeExit == nil {
				opts.changeExit = make(map[int]int, 4)
			}
			opts.changeExit[f] = t
		}
	}
	for _, v := range a.List("change-short-output") {
		s, err := parseSubstitution("--change-short-output", v)
		if err != nil {
			return err
		}
		if s != nil {
			opts.changeShort = append(opts.changeShort, s)
		}
	}
	for _, v := range a.List("change-long-output") {
		s, err := parseSubstitution("--change-long-output", v)
		if err != nil {
			return err
		}
		if s != nil {
			opts.changeLong = append(opts.changeLong, s)
		}
	}
	return nil
}

// readPerfdataOptions reads the options that filter and change perfdata.
func (opts *options) readPerfdataOptions(a Args) error {
	var err error
	if v, ok := a.Get("filter-perfdata"); ok {
		if opts.filterPerfdata, err = compileOption("--filter-perfdata", v); err != nil {
			return err
		}
	}
	if v, ok := a.Get("filter-uom"); ok {
		if opts.filterUOM, err = compileOption("--filter-uom", v); err != nil {
			return err
		}
	}
	if list := a.List("explode-perfdata-max"); len(list) > 0 {
		if list[0] == "" {
			opts.explodeAll = true
		}
		for _, v := range list {
			if opts.explodeAll {
				break
			}
			// split /,/: the second field, which an empty one is not.
			match, label, _ := strings.Cut(v, ",")
			if label, _, _ = strings.Cut(label, ","); strings.Trim(v[len(match):], ",") == "" {
				return &OptionError{Msg: fmt.Sprintf("Wrong explode-perfdata-max option '%s' (syntax: match,value)", v)}
			}
			opts.explode = append(opts.explode, [2]string{match, label})
		}
	}
	if v, ok := a.Get("filter-perfdata-adv"); ok && v != "" {
		if opts.filterPerfdataAdv, err = parseAdvExpr("--filter-perfdata-adv", v); err != nil {
			return err
		}
	}
	for _, o := range []struct {
		name string
		kind extendKind
	}{{"change-perfdata", changeKind}, {"extend-perfdata", extendPerfdataKind}, {"extend-perfdata-group", groupKind}} {
		for _, v := range a.List(o.name) {
			e, note, err := parseExtend("--"+o.name, v, o.kind)
			if err != nil {
				return err
			}
			if note != "" && opts.debug {
				opts.notes = append(opts.notes, note)
			}
			if e != nil {
				opts.extends = append(opts.extends, e)
			}
		}
	}
	return nil
}

// OptionError is an option the output cannot take: Msg is the Perl
// plugin's message (or this package's sentence), Literal the status
// literal to write it with ("" for --opt-exit's).
type OptionError struct {
	Msg     string
	Literal string
}

func (e *OptionError) Error() string { return e.Msg }

// percentVar is %(name), the other spelling of %{name}.
var percentVar = regexp.MustCompile(`%\((.*?)\)`)

// parseAdvExpr reads an expression of --filter-perfdata-adv or
// --change-output-adv: Perl code in the Perl plugins, the status
// expressions' subset here.
func parseAdvExpr(option, src string) (*centreonrules.Expr, error) {
	if strings.Contains(src, "alert_triggered(") {
		return nil, &OptionError{Msg: fmt.Sprintf("telegraf-mip centreon does not support alert_triggered() in %s: test the values with %%{...}.", option)}
	}
	e, err := centreonrules.ParseExpr(percentVar.ReplaceAllString(src, "%{$1}"))
	if err != nil {
		return nil, &OptionError{Msg: fmt.Sprintf("Unsafe code evaluation: %s '%s': %v", option, src, err)}
	}
	return e, nil
}
