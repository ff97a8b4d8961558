package mip

// Measurement describes one measurement the plugin emits: the schema users,
// dashboards and tests rely on. The README's Metrics section documents it;
// tests check that emitted points and the Grafana dashboard stay within it.
type Measurement struct {
	Name   string
	Tags   []string
	Fields []string
}

// scenarioTagKeys are the tags of every point about a scenario.
var scenarioTagKeys = []string{"source", "scenario_id", "scenario", "display_name", "application"}

// Schema returns every measurement the plugin emits.
func Schema() []Measurement {
	with := func(extra ...string) []string {
		tags := make([]string, 0, len(scenarioTagKeys)+len(extra))
		return append(append(tags, scenarioTagKeys...), extra...)
	}
	return []Measurement{
		{Name: measurementScenario, Tags: with(), Fields: []string{"status", "status_code", "api_version", "script_version"}},
		{Name: measurementMetric, Tags: with("metric", "unit"), Fields: []string{"value"}},
		{Name: measurementFormattedMetric, Tags: with("metric"), Fields: []string{"value", "text"}},
		{Name: measurementFreshness, Tags: with(), Fields: []string{"age_seconds", "frequency_seconds"}},
		{Name: measurementAPI, Tags: []string{"source"}, Fields: []string{
			"duration_seconds", "window_seconds", "http_status", "response_bytes",
			"scenarios", "scenarios_kept", "runs", "runs_replayed", "points", "errors",
		}},
	}
}
