package centreonplugin

import (
	"sort"
	"strings"
)

// optionKind is how an option takes its value, as centreon-plugins declares
// it: a flag, a string, a list (repeatable) or a key=value map.
type optionKind int

const (
	flagOption optionKind = iota
	stringOption
	listOption
	mapOption
)

// support says what this command does with an option.
type support int

const (
	// implemented: the option works as in the Perl plugin.
	implemented support = iota
	// noEffect: the option is accepted and, for this plugin, changes
	// nothing in the Perl plugin either (or only how it works, not what it
	// answers).
	noEffect
	// refused: the option would change a result in a way this command does
	// not reproduce; it is refused with UNKNOWN and a sentence.
	refused
)

type optionSpec struct {
	kind    optionKind
	support support
	// why completes "is not supported" for a refused option.
	why string
}

// options are every option the Perl plugin's command line accepts for
// apps::monitoring::mip::restapi, by name without the leading "--".
var options = map[string]optionSpec{
	// centreon_plugins.pl
	"plugin":          {stringOption, implemented, ""},
	"list-plugin":     {flagOption, refused, "this command runs only apps::monitoring::mip::restapi::plugin"},
	"help":            {flagOption, implemented, ""},
	"version":         {flagOption, implemented, ""},
	"ignore-warn-msg": {flagOption, noEffect, ""},
	"runas":           {stringOption, refused, "run the command as the user wanted (sudo -u) instead"},
	"global-timeout":  {stringOption, implemented, ""},
	"environment":     {mapOption, refused, "set the environment of the command instead"},
	"convert-args":    {stringOption, refused, "pass the arguments unconverted"},
	// script_custom
	"mode":              {stringOption, implemented, ""},
	"dyn-mode":          {stringOption, refused, "use --mode=scenarios or --mode=list-scenarios"},
	"list-mode":         {flagOption, implemented, ""},
	"custommode":        {stringOption, implemented, ""},
	"list-custommode":   {flagOption, implemented, ""},
	"multiple":          {flagOption, refused, "give one --hostname"},
	"no-sanity-options": {flagOption, refused, "unknown options are always refused"},
	"pass-manager":      {stringOption, refused, "give the key with --api-key"},
	// custom::api
	"api-key":              {stringOption, implemented, ""},
	"hostname":             {stringOption, implemented, ""},
	"port":                 {stringOption, implemented, ""},
	"proto":                {stringOption, implemented, ""},
	"timeout":              {stringOption, implemented, ""},
	"unknown-http-status":  {stringOption, implemented, ""},
	"warning-http-status":  {stringOption, implemented, ""},
	"critical-http-status": {stringOption, implemented, ""},
	// centreon::plugins::http and its backends
	"http-peer-addr": {stringOption, implemented, ""},
	"proxyurl":       {stringOption, implemented, ""},
	"proxypac":       {stringOption, refused, "give the proxy with --proxyurl"},
	"insecure":       {flagOption, implemented, ""},
	"http-backend":   {stringOption, noEffect, ""},
	"curl-opt":       {listOption, implemented, ""},
	"ssl":            {stringOption, noEffect, ""},
	"ssl-opt":        {listOption, implemented, ""},
	// output
	"explode-perfdata-max":   {listOption, implemented, ""},
	"range-perfdata":         {stringOption, implemented, ""},
	"filter-perfdata":        {stringOption, implemented, ""},
	"filter-perfdata-adv":    {stringOption, implemented, ""},
	"change-perfdata":        {listOption, implemented, ""},
	"extend-perfdata":        {listOption, implemented, ""},
	"extend-perfdata-group":  {listOption, implemented, ""},
	"change-exit":            {listOption, implemented, ""},
	"change-short-output":    {listOption, implemented, ""},
	"change-long-output":     {listOption, implemented, ""},
	"change-output-adv":      {listOption, implemented, ""},
	"use-new-perfdata":       {flagOption, noEffect, ""},
	"filter-uom":             {stringOption, implemented, ""},
	"verbose":                {flagOption, implemented, ""},
	"debug":                  {flagOption, implemented, ""},
	"debug-stream":           {flagOption, refused, "use --debug"},
	"show-password":          {flagOption, noEffect, ""},
	"opt-exit":               {stringOption, implemented, ""},
	"output-xml":             {flagOption, implemented, ""},
	"output-json":            {flagOption, implemented, ""},
	"output-ignore-perfdata": {flagOption, implemented, ""},
	"output-ignore-label":    {flagOption, implemented, ""},
	"output-openmetrics":     {flagOption, implemented, ""},
	"output-file":            {stringOption, implemented, ""},
	"disco-format":           {flagOption, implemented, ""},
	"disco-show":             {flagOption, implemented, ""},
	"float-precision":        {stringOption, noEffect, ""},
	"source-encoding":        {stringOption, noEffect, ""},
	// statefile
	"memcached":            {stringOption, refused, "the state is kept in --statefile-dir"},
	"redis-server":         {stringOption, refused, "the state is kept in --statefile-dir"},
	"redis-attribute":      {mapOption, refused, "the state is kept in --statefile-dir"},
	"redis-db":             {stringOption, refused, "the state is kept in --statefile-dir"},
	"failback-file":        {flagOption, noEffect, ""},
	"memexpiration":        {stringOption, noEffect, ""},
	"statefile-dir":        {stringOption, implemented, ""},
	"statefile-suffix":     {stringOption, implemented, ""},
	"statefile-concat-cwd": {flagOption, implemented, ""},
	"statefile-storable":   {flagOption, refused, "the state file is JSON"},
	"statefile-format":     {stringOption, implemented, ""},
	"statefile-key":        {stringOption, refused, "the state file is not encrypted"},
	"statefile-cipher":     {stringOption, refused, "the state file is not encrypted"},
	// templates::counter
	"filter-counters-block": {stringOption, implemented, ""},
	"filter-counters":       {stringOption, implemented, ""},
	"display-ok-counters":   {stringOption, noEffect, ""},
	"list-counters":         {flagOption, implemented, ""},
	// mode scenarios
	"filter-id":                 {stringOption, implemented, ""},
	"filter-display-name":       {stringOption, implemented, ""},
	"filter-name":               {stringOption, implemented, ""},
	"filter-app-name":           {stringOption, implemented, ""},
	"memory":                    {flagOption, implemented, ""},
	"display-instance":          {stringOption, implemented, ""},
	"unknown-status":            {stringOption, implemented, ""},
	"warning-status":            {stringOption, implemented, ""},
	"critical-status":           {stringOption, implemented, ""},
	"unknown-metric":            {stringOption, implemented, ""},
	"warning-metric":            {stringOption, implemented, ""},
	"critical-metric":           {stringOption, implemented, ""},
	"unknown-formatted-metric":  {stringOption, implemented, ""},
	"warning-formatted-metric":  {stringOption, implemented, ""},
	"critical-formatted-metric": {stringOption, implemented, ""},
	// telegraf-mip's own
	"cache-duration": {stringOption, implemented, ""},
}

// scenariosOnly are the options of --mode=scenarios (its own, the counters
// template's and the state file's): --mode=list-scenarios does not know
// them.
var scenariosOnly = map[string]bool{
	"memcached": true, "redis-server": true, "redis-attribute": true, "redis-db": true, "failback-file": true,
	"memexpiration": true, "statefile-dir": true, "statefile-suffix": true, "statefile-concat-cwd": true,
	"statefile-storable": true, "statefile-format": true, "statefile-key": true, "statefile-cipher": true,
	"filter-counters-block": true, "filter-counters": true, "display-ok-counters": true, "list-counters": true,
	"filter-id": true, "filter-display-name": true, "filter-name": true, "filter-app-name": true, "memory": true,
	"display-instance": true, "unknown-status": true, "warning-status": true, "critical-status": true,
	"unknown-metric": true, "warning-metric": true, "critical-metric": true, "unknown-formatted-metric": true,
	"warning-formatted-metric": true, "critical-formatted-metric": true,
}

// args are the options given, by name: the last value of an option given
// twice (all of them, for a list or a map).
type args struct {
	values map[string]string
	lists  map[string][]string
	set    map[string]bool
	// unknown is the first option that is not the plugin's.
	unknown string
}

// Has tells whether an option was given.
func (a *args) Has(name string) bool { return a.set[name] }

// List is every value of a repeatable option.
func (a *args) List(name string) []string { return a.lists[name] }

// Get is an option's value and whether it was given.
func (a *args) Get(name string) (string, bool) {
	v, ok := a.values[name]
	return v, ok
}

// str is an option's value, or def when it was not given.
func (a *args) str(name, def string) string {
	if v, ok := a.values[name]; ok {
		return v
	}
	return def
}

// parseArgs reads a command line as centreon-plugins' option parser does:
// --name=value or --name value (the next argument, unless it starts with
// "--"), the last of a repeated option winning; a flag given "0" is not
// set; "--" ends the options; an argument that is not an option is
// ignored.
func parseArgs(argv []string) *args {
	mode := ""
	for i, arg := range argv {
		if v, ok := strings.CutPrefix(arg, "--mode="); ok {
			mode = v
		} else if arg == "--mode" && i+1 < len(argv) {
			mode = argv[i+1]
		}
	}
	a := &args{values: make(map[string]string), lists: make(map[string][]string), set: make(map[string]bool)}
	for i := 0; i < len(argv); i++ {
		arg := argv[i]
		if !strings.HasPrefix(arg, "--") {
			continue
		}
		name, value, hasValue := strings.Cut(arg[2:], "=")
		if name == "" && !hasValue {
			break
		}
		spec, known := options[name]
		if !known || mode == "list-scenarios" && scenariosOnly[name] {
			if a.unknown == "" {
				a.unknown = name
			}
			continue
		}
		if value == "" && i+1 < len(argv) && !strings.HasPrefix(argv[i+1], "--") {
			value = argv[i+1]
			i++
		}
		switch spec.kind {
		case flagOption:
			if value != "0" {
				a.set[name] = true
			}
		case stringOption:
			a.values[name] = value
			a.set[name] = true
		case listOption:
			a.lists[name] = append(a.lists[name], value)
			a.set[name] = true
		case mapOption:
			a.set[name] = true
		}
	}
	return a
}

// refusedOption is the first option given that this command refuses, in
// name order.
func (a *args) refusedOption() (string, optionSpec, bool) {
	names := make([]string, 0, len(a.set))
	for name := range a.set {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if spec := options[name]; spec.support == refused {
			return name, spec, true
		}
	}
	return "", optionSpec{}, false
}
