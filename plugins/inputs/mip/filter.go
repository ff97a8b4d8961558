package mip

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/influxdata/telegraf"
	"github.com/influxdata/telegraf/filter"

	"github.com/telegraf-mip/telegraf-mip/internal/mipapi"
	"github.com/telegraf-mip/telegraf-mip/internal/output"
)

// scenarioFilter keeps the measures a user asked for: the reference plugin's
// filters on id, name, display name and application name, as Telegraf-style
// include/exclude globs.
type scenarioFilter struct {
	ids         map[string]bool // empty: every id
	name        filter.Filter
	displayName filter.Filter
	application filter.Filter

	// patterns are the globs as configured, by setting, for messages.
	patterns map[string][]string
	warned   bool // the filters were said to keep nothing
}

func newScenarioFilter(p *MIP) (scenarioFilter, error) {
	var f scenarioFilter
	var err error
	if len(p.ScenarioIDs) > 0 {
		f.ids = make(map[string]bool, len(p.ScenarioIDs))
		for _, id := range p.ScenarioIDs {
			f.ids[strconv.FormatInt(id, 10)] = true
		}
	}
	f.patterns = map[string][]string{
		"scenario_include": p.ScenarioInclude, "scenario_exclude": p.ScenarioExclude,
		"display_name_include": p.DisplayNameInclude, "display_name_exclude": p.DisplayNameExclude,
		"application_include": p.ApplicationInclude, "application_exclude": p.ApplicationExclude,
	}
	for _, setting := range slices.Sorted(maps.Keys(f.patterns)) {
		if err := checkGlobs(setting, f.patterns[setting]); err != nil {
			return f, err
		}
	}
	if f.name, err = filter.NewIncludeExcludeFilter(p.ScenarioInclude, p.ScenarioExclude); err != nil {
		return f, fmt.Errorf("scenario_include/scenario_exclude: %w", err)
	}
	if f.displayName, err = filter.NewIncludeExcludeFilter(p.DisplayNameInclude, p.DisplayNameExclude); err != nil {
		return f, fmt.Errorf("display_name_include/display_name_exclude: %w", err)
	}
	if f.application, err = filter.NewIncludeExcludeFilter(p.ApplicationInclude, p.ApplicationExclude); err != nil {
		return f, fmt.Errorf("application_include/application_exclude: %w", err)
	}
	return f, nil
}

// checkGlobs names the first pattern of a filter setting that is not a
// glob, with the problem and, for the usual ones, the fix.
func checkGlobs(setting string, patterns []string) error {
	for _, pattern := range patterns {
		_, err := filter.Compile([]string{pattern})
		if err == nil {
			continue
		}
		hint := ""
		if strings.Count(pattern, "[") > strings.Count(pattern, "]") {
			hint = `: a "[" opens a character class that is never closed; write \\[ for a literal "["`
		}
		return fmt.Errorf("%s: %q is not a valid glob (%w)%s", setting, pattern, err, hint)
	}
	return nil
}

// match tells whether a measure passes every filter. A measure without an
// application matches application globs as an empty name.
func (f scenarioFilter) match(m *mipapi.Measure) bool {
	if f.ids != nil && !f.ids[string(m.ID)] {
		return false
	}
	return f.name.Match(output.TagValue(m.ScenarioName())) &&
		f.displayName.Match(string(m.DisplayName)) &&
		f.application.Match(m.ApplicationName())
}

// warnNoneKept logs, once, that the filters kept none of the scenarios MIP
// returned: an empty output is otherwise all a user sees of a typo or of
// a regular expression pasted as a glob.
func (f *scenarioFilter) warnNoneKept(log telegraf.Logger, total, kept int) {
	if f.warned || total == 0 || kept > 0 {
		return
	}
	f.warned = true
	var msg strings.Builder
	fmt.Fprintf(&msg, "the filters keep none of the %d scenarios MIP returned: "+
		"check scenario_ids and the *_include/*_exclude globs (telegraf-mip -list shows the scenarios they keep)", total)
	for _, setting := range slices.Sorted(maps.Keys(f.patterns)) {
		for _, pattern := range f.patterns[setting] {
			if !looksLikeRegex(pattern) {
				continue
			}
			fmt.Fprintf(&msg, "; %s %q looks like a regular expression, but filters are globs", setting, pattern)
			if glob, ok := globFromRegex(pattern); ok {
				fmt.Fprintf(&msg, ": try %q", glob)
			}
		}
	}
	log.Warn(msg.String())
}

// looksLikeRegex tells whether a glob holds what only a regular expression
// would: anchors, ".*", groups, alternation or escapes.
func looksLikeRegex(pattern string) bool {
	return strings.HasPrefix(pattern, "^") || strings.HasSuffix(pattern, "$") ||
		strings.Contains(pattern, ".*") || strings.Contains(pattern, ".+") ||
		strings.ContainsAny(pattern, `()|+\`)
}

// globFromRegex rewrites the simple regular expressions users paste from
// Centreon's filters as the glob that means the same, when there is one.
func globFromRegex(pattern string) (string, bool) {
	g := strings.TrimPrefix(pattern, "^")
	anchored := g != pattern
	g, ended := strings.CutSuffix(g, "$")
	g = strings.NewReplacer(`.*`, "*", `.+`, "?*", `\.`, ".", `\-`, "-", `\_`, "_").Replace(g)
	if strings.ContainsAny(g, `()|+\^$`) {
		return "", false
	}
	// A regular expression matches anywhere unless anchored; a glob matches
	// the whole name.
	if !anchored && !strings.HasPrefix(g, "*") && !strings.HasPrefix(g, "?*") {
		g = "*" + g
	}
	if !ended && !strings.HasSuffix(g, "*") {
		g += "*"
	}
	return g, true
}
