package mipsim

import (
	"encoding/json"
	"fmt"
	"io"
	"time"
)

type measureJSON struct {
	ID          int64        `json:"id"`
	Name        string       `json:"name"`
	DisplayName string       `json:"displayName"`
	Frequency   int64        `json:"frequency"`
	Timeout     int64        `json:"timeout"`
	Scenario    scenarioJSON `json:"scenario"`
}

type scenarioJSON struct {
	Name        string   `json:"name"`
	Application *appJSON `json:"application"`
}

type appJSON struct {
	Name string `json:"name"`
}

type metricInfoJSON struct {
	Alias string `json:"alias"`
	Unit  string `json:"unit"`
}

type stateJSON struct {
	Type string `json:"type"`
}

type runJSON struct {
	State           stateJSON          `json:"state"`
	Metrics         map[string]float64 `json:"metrics"`
	FormatedMetrics map[string]any     `json:"formatedMetrics"` //nolint:misspell // MIP's spelling
}

type detailsEntry struct {
	Measure    measureJSON               `json:"measure"`
	MetricInfo map[string]metricInfoJSON `json:"metricInfo"`
	Results    map[string]runJSON        `json:"results"`
}

func (sc Scenario) measure() measureJSON {
	m := measureJSON{
		ID:          sc.ID,
		Name:        sc.Name,
		DisplayName: sc.DisplayName,
		Frequency:   int64(sc.Frequency / time.Second),
		Timeout:     60,
		Scenario:    scenarioJSON{Name: sc.ScenarioName},
	}
	if sc.Timeout > 0 {
		m.Timeout = int64(sc.Timeout / time.Second)
	}
	if sc.Application != "" {
		m.Scenario.Application = &appJSON{Name: sc.Application}
	}
	return m
}

// WriteDetails writes the /api/measures/details answer for the runs in
// (from, to], one entry at a time so that large instances stream.
func WriteDetails(w io.Writer, scenarios []Scenario, from, to time.Time) error {
	return writeDetailsAfter(w, `{"results":[`, scenarios, from, to, func(int) {})
}

// writeDetailsAfter is WriteDetails after head, the answer's start; begin(n)
// is called as the entry of scenarios[n-1] is about to be written.
func writeDetailsAfter(w io.Writer, head string, scenarios []Scenario, from, to time.Time, begin func(n int)) error {
	if _, err := io.WriteString(w, head); err != nil {
		return err
	}
	for i, sc := range scenarios {
		entry := detailsEntry{
			Measure:    sc.measure(),
			MetricInfo: make(map[string]metricInfoJSON, len(sc.Metrics)),
			Results:    make(map[string]runJSON),
		}
		for _, m := range sc.Metrics {
			entry.MetricInfo[m.Key] = metricInfoJSON{Alias: m.Alias, Unit: m.Unit}
		}
		for _, r := range Recorded(sc, from, to) {
			entry.Results[runKey(r.Time)] = runJSON{State: stateJSON{Type: r.State}, Metrics: r.Metrics, FormatedMetrics: r.Formatted}
		}
		b, err := json.Marshal(entry)
		if err != nil {
			return fmt.Errorf("encoding scenario %d: %w", sc.ID, err)
		}
		if i > 0 {
			b = append([]byte{','}, b...)
		}
		begin(i + 1)
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, "]}")
	return err
}

type discoveryMeasure struct {
	ID              int64        `json:"id"`
	Name            string       `json:"name"`
	Alias           string       `json:"alias"`
	DisplayName     string       `json:"displayName"`
	Frequency       int64        `json:"frequency"`
	Timeout         int64        `json:"timeout"`
	Activated       bool         `json:"activated"`
	EngineActivated bool         `json:"engineActivated"`
	Scenario        scenarioJSON `json:"scenario"`
	Agent           agentJSON    `json:"agent"`
}

type agentJSON struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// discovery is the /api/measures/ answer the reference's list-scenarios reads.
func discovery(scenarios []Scenario) map[string]any {
	list := make([]discoveryMeasure, 0, len(scenarios))
	for _, sc := range scenarios {
		m := sc.measure()
		list = append(list, discoveryMeasure{
			ID: m.ID, Name: m.Name, Alias: m.Name, DisplayName: m.DisplayName,
			Frequency: m.Frequency, Timeout: m.Timeout, Activated: true, EngineActivated: true,
			Scenario: m.Scenario,
			Agent:    agentJSON{ID: 1 + sc.ID%3, Name: fmt.Sprintf("robot-%02d", 1+sc.ID%3)},
		})
	}
	return map[string]any{"results": list}
}
