package mipsim

import (
	"fmt"
	"time"
)

// Demo returns a small, realistic set of scenarios: web and rich-client
// applications, one without an application, the units MIP is known to send.
func Demo() []Scenario {
	web := []Metric{
		{Key: "m1", Alias: "Step 1 - Home page", Unit: "ms"},
		{Key: "m2", Alias: "Step 2 - Login", Unit: "ms"},
		{Key: "m3", Alias: "Page size", Unit: "bytes"},
		{Key: "m4", Alias: "Throughput", Unit: "bps"},
		{Key: "m5", Alias: "Requests", Unit: "requests"},
		{Key: "m6", Alias: "HTTP status", Unit: "status"},
	}
	desktop := []Metric{
		{Key: "k1", Alias: "Launch", Unit: "ms"},
		{Key: "k2", Alias: "Open customer file", Unit: "ms"},
		{Key: "k3", Alias: "Close", Unit: "ms"},
	}
	return []Scenario{
		{
			ID: 101, Name: "crm_login", DisplayName: "CRM - Login", ScenarioName: "CRM login", Application: "CRM",
			Frequency: 5 * time.Minute, Phase: 17 * time.Second, Metrics: web, Formatted: []string{"Temps total"},
		},
		{
			ID: 102, Name: "crm_search", DisplayName: "CRM - Search customer", ScenarioName: "CRM search", Application: "CRM",
			Frequency: 5 * time.Minute, Phase: 95 * time.Second, Metrics: web, Formatted: []string{"Temps total"},
		},
		{
			ID: 201, Name: "eshop_checkout", DisplayName: "E-shop - Checkout", ScenarioName: "Checkout", Application: "E-shop",
			Frequency: 10 * time.Minute, Phase: 42 * time.Second, Metrics: web, Formatted: []string{"Temps total"},
		},
		{
			ID: 301, Name: "erp_desktop", DisplayName: "ERP - Desktop client", ScenarioName: "ERP rich client", Application: "ERP",
			Frequency: 15 * time.Minute, Phase: 3 * time.Minute, Metrics: desktop, Formatted: []string{"Temps total"},
		},
		{
			ID: 401, Name: "intranet_home", DisplayName: "Intranet home", ScenarioName: "Intranet",
			Frequency: 5 * time.Minute, Phase: 150 * time.Second, Metrics: web[:3],
		},
	}
}

// Generate returns n scenarios with metricsPerScenario metrics each and the
// given frequency, the same for the same arguments.
func Generate(n, metricsPerScenario int, frequency time.Duration) []Scenario {
	units := []string{"ms", "ms", "bytes", "bps", "requests", "status"}
	scenarios := make([]Scenario, n)
	for i := range scenarios {
		id := int64(1000 + i)
		metrics := make([]Metric, metricsPerScenario)
		for j := range metrics {
			metrics[j] = Metric{Key: fmt.Sprintf("m%d", j+1), Alias: fmt.Sprintf("Step %d", j+1), Unit: units[j%len(units)]}
		}
		scenarios[i] = Scenario{
			ID:           id,
			Name:         fmt.Sprintf("scenario_%05d", i),
			DisplayName:  fmt.Sprintf("Scenario %d", i),
			ScenarioName: fmt.Sprintf("Scenario %d", i),
			Application:  fmt.Sprintf("App %02d", i%20),
			Frequency:    frequency,
			Phase:        time.Duration(i%60) * frequency / 60,
			Metrics:      metrics,
			Formatted:    []string{"Temps total"},
		}
	}
	return scenarios
}
