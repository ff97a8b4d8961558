// Package dashboards holds the Grafana dashboards shipped with telegraf-mip.
package dashboards

import (
	_ "embed"
	"encoding/json"
)

// Grafana is the dashboard's JSON model: InfluxQL against the telegraf
// database, with variables for source, application and scenario.
//
//go:embed mip-grafana.json
var Grafana []byte

// GrafanaWide is the same dashboard for metric_layout = "wide": the metrics
// panels select the fields of mip_scenario by their unit suffix.
//
//go:embed mip-grafana-wide.json
var GrafanaWide []byte

// Queries returns the dashboard's InfluxQL queries, panels then variables,
// as Grafana sends them before substituting $variables.
func Queries() []string { return panelQueries(Grafana) }

// WideQueries returns the wide layout dashboard's queries, as Queries.
func WideQueries() []string { return panelQueries(GrafanaWide) }

func panelQueries(dashboard []byte) []string {
	var model struct {
		Panels []struct {
			Targets []struct {
				Query string `json:"query"`
			} `json:"targets"`
		} `json:"panels"`
		Templating struct {
			List []struct {
				Type  string `json:"type"`
				Query string `json:"query"`
			} `json:"list"`
		} `json:"templating"`
	}
	if err := json.Unmarshal(dashboard, &model); err != nil {
		panic("dashboards: invalid embedded JSON: " + err.Error())
	}
	var out []string
	for _, p := range model.Panels {
		for _, target := range p.Targets {
			out = append(out, target.Query)
		}
	}
	for _, v := range model.Templating.List {
		if v.Type == "query" {
			out = append(out, v.Query)
		}
	}
	return out
}
