package mip

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode"
	"unicode/utf8"

	"github.com/telegraf-mip/telegraf-mip/internal/centreonrules"
)

// ListFormats are the outputs of telegraf-mip -list.
var ListFormats = []string{"table", "json", "xml"}

// WriteScenarios prints discovered scenarios as an aligned table, as JSON or
// as the Centreon plugin's discovery XML.
func WriteScenarios(w io.Writer, scenarios []Scenario, format string) error {
	switch format {
	case "xml":
		return centreonrules.WriteDiscoveryXML(w, discoveryEntries(scenarios))
	case "json":
		listed := make([]listedScenario, 0, len(scenarios))
		for _, s := range scenarios {
			listed = append(listed, listedScenario{
				ID: jsonID(s.ID), Name: s.Name, Alias: s.Alias, DisplayName: s.DisplayName, Application: s.Application,
				AgentID: jsonID(s.AgentID), Agent: s.Agent, CentreonService: s.CentreonService,
			})
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(listed)
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
			cells := []string{s.ID, s.Name, s.Alias, s.DisplayName, dash(s.Application), dash(s.Agent)}
			if withService {
				cells = append(cells, s.CentreonService)
			}
			for i, c := range cells {
				cells[i] = terminalText(c)
			}
			row := strings.Join(cells, "\t")
			fmt.Fprintln(tw, row)
		}
		return tw.Flush()
	}
	return fmt.Errorf("format %q is not one of %s", format, strings.Join(ListFormats, ", "))
}

// discoveryEntries are the scenarios as the Centreon plugin's discovery
// lists them: "-" for no application; with the centreon schema each also
// has service, the name its checks carry.
func discoveryEntries(scenarios []Scenario) []map[string]string {
	entries := make([]map[string]string, 0, len(scenarios))
	for _, s := range scenarios {
		e := map[string]string{"alias": s.Alias, "app_name": dash(s.Application), "display_name": s.DisplayName, "id": s.ID, "name": s.Name}
		if s.CentreonService != "" {
			e["service"] = s.CentreonService
		}
		entries = append(entries, e)
	}
	return entries
}

// terminalText is a text from MIP as the table prints it to a terminal:
// control characters (an escape sequence would drive the terminal; a tab or
// a line break would break the table), bidirectional overrides and bytes
// that are not UTF-8 are written as Go escapes (\x1b, \u202e).
func terminalText(s string) string {
	if utf8.ValidString(s) && !strings.ContainsFunc(s, unsafeInTerminal) {
		return s
	}
	var b strings.Builder
	for len(s) > 0 {
		r, size := utf8.DecodeRuneInString(s)
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[0])
		case r < utf8.RuneSelf && unsafeInTerminal(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafeInTerminal(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[:size])
		}
		s = s[size:]
	}
	return b.String()
}

// unsafeInTerminal tells the characters a terminal acts on rather than
// shows: C0 and C1 controls, DEL, and the bidirectional embeddings,
// overrides and isolates, which reorder what follows.
func unsafeInTerminal(r rune) bool {
	return unicode.IsControl(r) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// listedScenario is a scenario as -format json prints it: its ids are
// numbers, as scenario_ids takes them.
type listedScenario struct {
	ID              jsonID `json:"id"`
	Name            string `json:"name"`
	Alias           string `json:"alias"`
	DisplayName     string `json:"display_name"`
	Application     string `json:"application"`
	AgentID         jsonID `json:"agent_id"`
	Agent           string `json:"agent"`
	CentreonService string `json:"centreon_service,omitempty"`
}

// jsonID is an id printed as a number when it is one, as a string
// otherwise: MIP's ids are integers, but nothing guarantees it.
type jsonID string

// MarshalJSON writes the id as a number when it reads as one.
func (id jsonID) MarshalJSON() ([]byte, error) {
	if n, err := strconv.ParseInt(string(id), 10, 64); err == nil && strconv.FormatInt(n, 10) == string(id) {
		return []byte(id), nil
	}
	return json.Marshal(string(id))
}
