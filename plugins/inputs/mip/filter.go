package mip

import (
	"fmt"
	"strconv"

	"github.com/influxdata/telegraf/filter"
)

// scenarioFilter keeps the measures a user asked for: the reference plugin's
// filters on id, name, display name and application name, as Telegraf-style
// include/exclude globs.
type scenarioFilter struct {
	ids         map[string]bool // empty: every id
	name        filter.Filter
	displayName filter.Filter
	application filter.Filter
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

// match tells whether a measure passes every filter. A measure without an
// application matches application globs as an empty name.
func (f scenarioFilter) match(m *measure) bool {
	if f.ids != nil && !f.ids[string(m.ID)] {
		return false
	}
	return f.name.Match(tagValue(m.name())) &&
		f.displayName.Match(string(m.DisplayName)) &&
		f.application.Match(m.applicationName())
}
