// Package centreonrules holds what the Centreon Perl plugin
// apps::monitoring::mip::restapi decides about a scenario, in one place for
// the plugin's schema = "centreon" and for the `telegraf-mip centreon`
// command: the Nagios statuses and how they combine, the default status
// rules, the perfdata labels and units, the --display-instance template,
// and Perl's way of writing numbers and scaled bytes. It imports nothing
// from Telegraf, so that a command built on it stays small.
package centreonrules

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// The Nagios statuses, as exit codes.
const (
	OK       = 0
	Warning  = 1
	Critical = 2
	Unknown  = 3
)

// StatusNames are the Nagios statuses by exit code.
var StatusNames = [...]string{"OK", "WARNING", "CRITICAL", "UNKNOWN"}

// StatusByName reads OK, WARNING, CRITICAL or UNKNOWN, in any case.
func StatusByName(name string) (int, bool) {
	for i, n := range StatusNames {
		if strings.EqualFold(n, name) {
			return i, true
		}
	}
	return 0, false
}

// Worse is Nagios' max_state: CRITICAL, then WARNING, then UNKNOWN, then OK.
func Worse(a, b int) int {
	rank := func(s int) int { return [...]int{0, 2, 3, 1}[s] }
	if rank(b) > rank(a) {
		return b
	}
	return a
}

// PerlWorse is how the Centreon Perl plugins combine statuses (their
// output's bit mask OK 0, WARNING 1, UNKNOWN 3, CRITICAL 7): CRITICAL, then
// UNKNOWN, then WARNING, then OK.
func PerlWorse(a, b int) int {
	rank := func(s int) int { return [...]int{0, 1, 3, 2}[s] }
	if rank(b) > rank(a) {
		return b
	}
	return a
}

// DefaultStatusPatterns are the Perl plugin's default status rules, in the
// order it checks them: --critical-status '%{status} =~ /critical/i', then
// warning, then unknown. The patterns are case-insensitive.
var DefaultStatusPatterns = []struct {
	Status  int
	Pattern string
}{{Critical, "critical"}, {Warning, "warning"}, {Unknown, "unknown"}}

// DefaultStatusExpression is the Perl plugin's default --<kind>-status
// expression for a status (Critical, Warning or Unknown).
func DefaultStatusExpression(status int) string {
	for _, d := range DefaultStatusPatterns {
		if d.Status == status {
			return "%{status} =~ /" + d.Pattern + "/i"
		}
	}
	return ""
}

// unitLabels are the Perl plugin's perfdata label endings for MIP's units
// (its $mapping_units).
var unitLabels = map[string]string{
	"ms":       "milliseconds",
	"bytes":    "bytes",
	"bps":      "bitspersecond",
	"requests": "requests",
	"status":   "count",
}

// UnitLabel is the end of a metric's perfdata label for a MIP unit: any
// other unit ends the label with "usage.", as the Perl plugin's does, so
// that migrated graphs continue.
func UnitLabel(unit string) string { return unitLabels[unit] }

// MetricLabel is the perfdata label of a metric of an instance, unquoted:
// <instance>~<alias>#scenario.metric.usage.<unit label>.
func MetricLabel(instance, alias, unit string) string {
	return instance + "~" + alias + "#scenario.metric.usage." + UnitLabel(unit)
}

// FormattedMetricLabel is the perfdata label of a formatted metric, unquoted.
func FormattedMetricLabel(instance, label string) string {
	return instance + "~" + label + "#scenario.formatted_metric.usage.count"
}

// VersionLabel tells the formatted metrics the Perl plugin leaves out.
func VersionLabel(label string) bool { return label == "API_VERSION" || label == "SCRIPT_VERSION" }

// QuoteLabel quotes a perfdata label as the Perl plugin does: always, a
// quote inside doubled.
func QuoteLabel(label string) string { return QuoteEscapedLabel(EscapeLabel(label)) }

// EscapeLabel is a perfdata label as centreon-plugins' perfdata_add keeps
// it, each quote doubled: the output options (--filter-perfdata,
// --change-perfdata) see it so, and QuoteEscapedLabel writes it.
func EscapeLabel(label string) string { return strings.ReplaceAll(label, "'", "''") }

// QuoteEscapedLabel writes a label EscapeLabel escaped as the perfdata
// of a check's output holds it: between quotes.
func QuoteEscapedLabel(escaped string) string { return "'" + escaped + "'" }

// ScaledUnit says how the Perl plugin's long output writes a metric of a
// MIP unit: bytes and bits per second scaled (1024 or 1000 a step), the
// others as the value and the unit.
func ScaledUnit(unit string) (scaled, network bool) {
	switch unit {
	case "bytes":
		return true, false
	case "bps":
		return true, true
	}
	return false, false
}

// templateFields are the placeholders of --display-instance.
var templateFields = regexp.MustCompile(`%\{(.*?)\}`)

// InstanceFields are the names --display-instance knows.
var InstanceFields = []string{"name", "display_name", "app_name", "id"}

// FillInstance fills a --display-instance template: each %{field} is
// replaced by value(field), as the Perl plugin's s/%\{(.*?)\}/.../g does.
func FillInstance(template string, value func(field string) string) string {
	if !strings.Contains(template, "%{") {
		return template
	}
	return templateFields.ReplaceAllStringFunc(template, func(f string) string {
		return value(f[2 : len(f)-1])
	})
}

// TemplateFields lists the placeholders of a template, for checks.
func TemplateFields(template string) []string {
	matches := templateFields.FindAllStringSubmatch(template, -1)
	names := make([]string, 0, len(matches))
	for _, m := range matches {
		names = append(names, m[1])
	}
	return names
}

// PerlFloat writes v as Perl writes a floating-point number: %.15g, with
// "Inf", "-Inf" and "NaN" for the others.
func PerlFloat(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	}
	return fmt.Sprintf("%.15g", v)
}

// PerlNumber writes a JSON number literal as Perl (JSON::XS) prints the
// value it decodes: an integer as written (one beyond 64 bits is kept as
// its text), any other number as a float (PerlFloat).
func PerlNumber(literal string) string {
	if isInteger(literal) {
		if i, err := strconv.ParseInt(literal, 10, 64); err == nil {
			return strconv.FormatInt(i, 10)
		}
		if u, err := strconv.ParseUint(literal, 10, 64); err == nil {
			return strconv.FormatUint(u, 10)
		}
		return literal
	}
	v, err := strconv.ParseFloat(literal, 64)
	if err != nil && !math.IsInf(v, 0) {
		return literal
	}
	return PerlFloat(v)
}

func isInteger(s string) bool {
	s = strings.TrimPrefix(s, "-")
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// FormatBytes is the Perl plugins' format_bytes: the value scaled by 1024
// (1000 for network rates) up to T, with two decimals, and its unit ("B",
// "KB", ... or "b", "Kb", ...). value is the number as Perl printed it.
func FormatBytes(value string, network bool) (number, unit string) {
	v, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
	if err != nil {
		v = 0 // Perl reads a text that is not a number as 0
	}
	divide := 1024.0
	if network {
		divide = 1000
	}
	sign := ""
	if v != math.Abs(v) {
		sign = "-"
	}
	v = math.Abs(v)
	for _, u := range []string{"K", "M", "G", "T"} {
		if v/divide < 1 {
			break
		}
		unit = u
		v /= divide
	}
	// Perl joins the sign to the number printed, then reads it back.
	if back, err := strconv.ParseFloat(sign+PerlFloat(v), 64); err == nil {
		v = back
	}
	suffix := "B"
	if network {
		suffix = "b"
	}
	return fmt.Sprintf("%.2f", v), unit + suffix
}
