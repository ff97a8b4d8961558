package main

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/telegraf-mip/telegraf-mip/plugins/inputs/mip"
)

// writeScenarios prints discovered scenarios as an aligned table or as JSON.
func writeScenarios(w io.Writer, scenarios []mip.Scenario, format string) error {
	switch format {
	case "json":
		if scenarios == nil {
			scenarios = []mip.Scenario{}
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(scenarios)
	case "table":
		// The Centreon service column appears with the centreon schema.
		withService := len(scenarios) > 0 && scenarios[0].CentreonService != ""
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		header := "ID\tNAME\tALIAS\tDISPLAY NAME\tAPPLICATION\tAGENT"
		if withService {
			header += "\tCENTREON SERVICE"
		}
		fmt.Fprintln(tw, header)
		for _, s := range scenarios {
			row := fmt.Sprintf("%s\t%s\t%s\t%s\t%s\t%s", s.ID, s.Name, s.Alias, s.DisplayName, dash(s.Application), dash(s.Agent))
			if withService {
				row += "\t" + s.CentreonService
			}
			fmt.Fprintln(tw, row)
		}
		return tw.Flush()
	}
	return fmt.Errorf("-format %q is not table or json", format)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
