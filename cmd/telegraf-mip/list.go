package main

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode"
	"unicode/utf8"

	"github.com/telegraf-mip/telegraf-mip/plugins/inputs/mip"
)

// listFormats are the outputs of -list.
var listFormats = []string{"table", "json", "xml"}

func checkListFormat(format string) error {
	if !slices.Contains(listFormats, format) {
		return fmt.Errorf("-format %q is not one of %s", format, strings.Join(listFormats, ", "))
	}
	return nil
}

// writeScenarios prints discovered scenarios as an aligned table, as JSON or
// as the Centreon plugin's discovery XML.
func writeScenarios(w io.Writer, scenarios []mip.Scenario, format string) error {
	switch format {
	case "xml":
		return writeDiscoveryXML(w, scenarios)
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
	return checkListFormat(format)
}

// writeDiscoveryXML prints the scenarios as the Centreon plugin's
// list-scenarios mode does with --disco-show, for Centreon's service
// discovery: one <label> per scenario, sorted by lower-cased name, its
// attributes in name order, "-" for no application. With the centreon
// schema each also has service, the name its checks carry.
func writeDiscoveryXML(w io.Writer, scenarios []mip.Scenario) error {
	sorted := slices.Clone(scenarios)
	slices.SortStableFunc(sorted, func(a, b mip.Scenario) int {
		return cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	})
	var b strings.Builder
	b.WriteString("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n")
	if len(sorted) == 0 {
		b.WriteString("<data/>\n")
	} else {
		b.WriteString("<data>\n")
		for _, s := range sorted {
			attrs := [][2]string{{"alias", s.Alias}, {"app_name", dash(s.Application)}, {"display_name", s.DisplayName}, {"id", s.ID}, {"name", s.Name}}
			if s.CentreonService != "" {
				attrs = append(attrs, [2]string{"service", s.CentreonService})
			}
			b.WriteString("  <label")
			for _, a := range attrs {
				fmt.Fprintf(&b, " %s=\"%s\"", a[0], xmlAttribute(a[1]))
			}
			b.WriteString("/>\n")
		}
		b.WriteString("</data>\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// xmlAttribute escapes an attribute value as libxml2 (the Centreon plugin's
// XML::LibXML) writes it; characters XML cannot carry become U+FFFD.
func xmlAttribute(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '"':
			b.WriteString("&quot;")
		case r == '\t' || r == '\n' || r == '\r':
			fmt.Fprintf(&b, "&#%d;", r)
		case r < ' ' || r == 0xFFFE || r == 0xFFFF:
			b.WriteRune(utf8.RuneError)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
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

func (id jsonID) MarshalJSON() ([]byte, error) {
	if n, err := strconv.ParseInt(string(id), 10, 64); err == nil && strconv.FormatInt(n, 10) == string(id) {
		return []byte(id), nil
	}
	return json.Marshal(string(id))
}
