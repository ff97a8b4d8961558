package centreonrules

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"
)

// SortDiscovery puts discovery entries in the Perl plugin's list-scenarios
// order: by lower-cased name. Names that tie go by id, where the Perl
// plugin's order is its hash's, which changes from run to run.
func SortDiscovery(entries []map[string]string) {
	slices.SortStableFunc(entries, func(a, b map[string]string) int {
		return cmp.Or(cmp.Compare(strings.ToLower(a["name"]), strings.ToLower(b["name"])), cmp.Compare(a["id"], b["id"]))
	})
}

// WriteDiscoveryXML writes discovery entries as the Perl plugin's
// --disco-show does (centreon-plugins' display_disco_show, then
// XML::LibXML's toString(1)), for Centreon's service discovery: one <label>
// per entry, in SortDiscovery's order, its attributes in name order.
func WriteDiscoveryXML(w io.Writer, entries []map[string]string) error {
	sorted := slices.Clone(entries)
	SortDiscovery(sorted)
	var b strings.Builder
	b.WriteString("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n")
	if len(sorted) == 0 {
		b.WriteString("<data/>\n")
	} else {
		b.WriteString("<data>\n")
		for _, e := range sorted {
			b.WriteString("  <label")
			for _, k := range slices.Sorted(maps.Keys(e)) {
				b.WriteString(" " + k + "=\"" + discoveryAttribute(e[k]) + "\"")
			}
			b.WriteString("/>\n")
		}
		b.WriteString("</data>\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// discoveryAttribute is an attribute value as the Perl plugin writes it:
// each control character (Perl's [[:cntrl:]]) as the text "&#xN;", then
// &, <, > and " escaped as libxml2 escapes them, so that a tab reads
// "&amp;#x9;". A byte that is not UTF-8 and the non-characters U+FFFE and
// U+FFFF, which no XML parser accepts (the Perl plugin writes the last two
// as they are, and Centreon's discovery then fails on the whole answer),
// become U+FFFD.
func discoveryAttribute(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r < 0x20 || r >= 0x7f && r <= 0x9f:
			fmt.Fprintf(&b, "&amp;#x%X;", r)
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '"':
			b.WriteString("&quot;")
		case r == 0xFFFE || r == 0xFFFF:
			b.WriteRune(utf8.RuneError)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
