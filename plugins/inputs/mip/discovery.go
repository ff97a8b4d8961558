package mip

import (
	"context"
	"fmt"
	"time"

	"github.com/telegraf-mip/telegraf-mip/internal/mipapi"
)

// Scenario is a MIP measure as discovery lists it, for creating one
// monitoring service per scenario.
type Scenario struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Alias       string `json:"alias"`
	DisplayName string `json:"display_name"`
	Application string `json:"application"`
	AgentID     string `json:"agent_id"`
	Agent       string `json:"agent"`
	// CentreonService is the Centreon service name the scenario's checks
	// carry, with the centreon or both schema: the name to create it under.
	CentreonService string `json:"centreon_service,omitempty"`
}

// ListScenarios calls MIP's discovery endpoint and returns the scenarios
// that pass the configured filters, in MIP's order.
func (p *MIP) ListScenarios() ([]Scenario, error) {
	ctx, cancel := context.WithTimeout(p.ctx, time.Duration(p.Timeout))
	defer cancel()
	body, err := p.client.Measures(ctx)
	if err != nil {
		return nil, err
	}
	defer body.Close()

	endpoint := p.client.LastEndpoint()
	measures, err := mipapi.DecodeMeasures(body)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", endpoint, err)
	}
	for _, w := range body.Warnings() {
		p.Log.Warn(w)
	}
	if len(measures) == 0 {
		p.Log.Warnf("%s lists no scenario (type ASA_DESKTOP, engine activated)", endpoint)
	}
	scenarios := make([]Scenario, 0, len(measures))
	listed := make(map[mipapi.Text]int, len(measures))
	for _, d := range measures {
		m := &mipapi.Measure{ID: d.ID, Name: d.Name, DisplayName: d.DisplayName, Scenario: d.Scenario}
		if listed[m.ID]++; listed[m.ID] == 2 {
			p.Log.Warnf("scenario id %s is listed more than once: its first entry is kept", m.ID)
		}
		if listed[m.ID] > 1 {
			continue
		}
		if m.ID == "" || !p.filter.match(m) {
			continue
		}
		s := Scenario{
			ID: string(d.ID), Name: string(d.Name), Alias: string(d.Alias),
			DisplayName: string(d.DisplayName), Application: m.ApplicationName(),
		}
		if d.Agent != nil {
			s.AgentID, s.Agent = string(d.Agent.ID), string(d.Agent.Name)
		}
		if p.centreon != nil {
			s.CentreonService = p.centreon.serviceName(m)
		}
		scenarios = append(scenarios, s)
	}
	p.filter.warnNoneKept(p.Log, len(measures), len(scenarios))
	return scenarios, nil
}
