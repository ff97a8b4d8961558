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
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tALIAS\tDISPLAY NAME\tAPPLICATION\tAGENT")
		for _, s := range scenarios {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", s.ID, s.Name, s.Alias, s.DisplayName, dash(s.Application), dash(s.Agent))
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
