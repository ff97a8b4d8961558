package centreonplugin

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/telegraf-mip/telegraf-mip/internal/centreonrules"
	"github.com/telegraf-mip/telegraf-mip/internal/mipapi"
)

// discoElements are the attributes of --disco-show, as --disco-format
// lists them.
var discoElements = []string{"id", "name", "alias", "display_name", "app_name"}

// listScenarios is --mode=list-scenarios: the text list, or with
// --disco-format and --disco-show the XML of Centreon's service discovery.
func (c *check) listScenarios() error {
	if c.args.Has("disco-format") {
		if c.out.JSON() {
			writeJSON(c.stdout, map[string][]string{"data": discoElements})
			return nil
		}
		var b strings.Builder
		b.WriteString("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<data>\n")
		for _, e := range discoElements {
			b.WriteString("  <element>" + e + "</element>\n")
		}
		b.WriteString("</data>\n")
		_, _ = io.WriteString(c.stdout, b.String()) //nolint:errcheck // nothing to do if stdout is gone
		return nil
	}
	conn, err := c.connect()
	if err != nil {
		return err
	}
	ctx, cancel, err := c.deadline()
	if err != nil {
		return err
	}
	defer cancel()
	body, err := conn.client.Measures(ctx)
	if err != nil {
		return conn.requestError(err)
	}
	measures, err := mipapi.DecodeMeasures(body)
	body.Close()
	if err != nil {
		return optionError("Cannot decode response: %v", err)
	}
	// By id, the last one sent winning, as the Perl plugin's hash.
	byID := make(map[string]map[string]string, len(measures))
	for _, m := range measures {
		app := "-"
		if m.Scenario != nil && m.Scenario.Application != nil {
			app = string(m.Scenario.Application.Name)
		}
		byID[string(m.ID)] = map[string]string{
			"id": string(m.ID), "name": string(m.Name), "alias": string(m.Alias),
			"display_name": string(m.DisplayName), "app_name": app,
		}
	}
	list := make([]map[string]string, 0, len(byID))
	for _, m := range byID {
		list = append(list, m)
	}
	centreonrules.SortDiscovery(list)
	if c.args.Has("disco-show") {
		c.writeDisco(list)
		return nil
	}
	o := c.out
	for _, m := range list {
		o.AddLong(fmt.Sprintf("[name = %s][id = %s][alias = %s][display_name = %s][app_name = %s]",
			nagiosText(m["name"]), nagiosText(m["id"]), nagiosText(m["alias"]), nagiosText(m["display_name"]), nagiosText(m["app_name"])))
	}
	o.Add(centreonrules.OK, "List scenarios:")
	if code := o.DisplayList(c.stdout); code != 0 {
		return &writtenError{code}
	}
	return nil
}

// writeDisco writes --disco-show's entries: XML, or JSON with
// --output-json ({"data": [...]}, each entry's keys sorted).
func (c *check) writeDisco(list []map[string]string) {
	if !c.out.JSON() {
		_ = centreonrules.WriteDiscoveryXML(c.stdout, list) //nolint:errcheck // nothing to do if stdout is gone
		return
	}
	if list == nil {
		list = make([]map[string]string, 0)
	}
	writeJSON(c.stdout, map[string][]map[string]string{"data": list})
}

// writeJSON writes a document as JSON::XS's utf8 encoder does: on one
// line, without a newline.
func writeJSON(w io.Writer, doc any) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		panic(err) // strings only: cannot fail
	}
	_, _ = w.Write(bytes.TrimSuffix(b.Bytes(), []byte("\n"))) //nolint:errcheck // nothing to do if stdout is gone
}
