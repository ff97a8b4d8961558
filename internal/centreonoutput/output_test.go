package centreonoutput

import (
	"bytes"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/telegraf-mip/telegraf-mip/internal/centreonrules"
)

// testArgs are options given as a map, lists as several values.
type testArgs map[string][]string

func (a testArgs) Get(name string) (string, bool) {
	v, ok := a[name]
	if !ok || len(v) == 0 {
		return "", ok
	}
	return v[len(v)-1], true
}
func (a testArgs) List(name string) []string { return a[name] }
func (a testArgs) Has(name string) bool      { _, ok := a[name]; return ok }

// TestSubstitution: --change-short-output's s{pattern}{replacement}modifiers
// as Perl runs it, groups and modifiers included.
func TestSubstitution(t *testing.T) {
	for _, c := range []struct{ option, in, want string }{
		{"OK~Up", "OK: ok OK", "Up: ok OK"},
		{"OK~Up~gi", "OK: ok Ok", "Up: Up Up"},
		{`status: (\w+)~state=$1~g`, "status: OK - status: KO", "state=OK - state=KO"},
		{`(\w+)@(\w+)~${2}.$1`, "a@b", "b.a"},
		{`b~[$&]`, "abc", "a[b]c"},
		{`x~\$1\n`, "x", "$1\n"},
		{`^~> ~gm`, "a\nb", "> a\n> b"},
		{"a~", "banana", "bnana"},
		{"~", "same", "same"},
	} {
		s, err := parseSubstitution("--change-short-output", c.option)
		require.NoError(t, err, c.option)
		got := c.in
		if s != nil {
			got = s.apply(c.in)
		}
		require.Equal(t, c.want, got, c.option)
	}
	_, err := parseSubstitution("--change-short-output", "a~lc($&)~e")
	require.ErrorContains(t, err, "does not support the modifier 'e'")
}

// TestMath: math()'s expressions, with Perl's precedence; a division by
// zero leaves the value.
func TestMath(t *testing.T) {
	for _, c := range []struct {
		expr string
		want float64
		ok   bool
	}{
		{"current / 1000", 1.2345, true},
		{"current + 10 - 100", 1144.5, true},
		{"(current - 234.5) * 2", 2000, true},
		{"-current * 2 + 1", -2468, true},
		{"current / 0", 0, false},
		{"current +", 0, false},
		{"(current", 0, false},
	} {
		got, ok := evalMath(c.expr, 1234.5)
		require.Equal(t, c.ok, ok, c.expr)
		if ok {
			require.InDelta(t, c.want, got, 1e-9, c.expr)
		}
	}
}

// TestOptionErrors: options that cannot be read are errors with the Perl
// plugins' words, or a sentence for what this package refuses.
func TestOptionErrors(t *testing.T) {
	for _, c := range []struct {
		args testArgs
		want string
	}{
		{testArgs{"opt-exit": {"bad"}}, "Unknown value 'bad' for --opt-exit."},
		{testArgs{"range-perfdata": {"5"}}, "Wrong range-perfdata option '5'"},
		{testArgs{"explode-perfdata-max": {"abc"}}, "Wrong explode-perfdata-max option 'abc' (syntax: match,value)"},
		{testArgs{"explode-perfdata-max": {"abc,"}}, "Wrong explode-perfdata-max option 'abc,' (syntax: match,value)"},
		{testArgs{"change-perfdata": {"x,,eval(1)"}}, "does not support eval()"},
		{testArgs{"filter-perfdata-adv": {"%{value} =="}}, "Unsafe code evaluation: --filter-perfdata-adv"},
		{testArgs{"filter-perfdata-adv": {"alert_triggered()"}}, "does not support alert_triggered()"},
		{testArgs{"change-output-adv": {"%{exit_code} ==,x"}}, "Unsafe code evaluation: --change-output-adv"},
		{testArgs{"filter-perfdata": {"("}}, "--filter-perfdata '(' is not a regular expression"},
	} {
		_, err := New(c.args, "p", "m")
		require.ErrorContains(t, err, c.want, c.args)
	}
}

// TestOptionExitOpenMetrics: an option error in OpenMetrics writes nothing
// (option_exit writes the perfdata only), with the exit code.
func TestOptionExitOpenMetrics(t *testing.T) {
	o, err := New(testArgs{"output-openmetrics": nil, "change-exit": {"unknown=warning"}}, "p", "m")
	require.NoError(t, err)
	o.AddSep(Unqualified, "No scenario found", " - ")
	var b bytes.Buffer
	require.Equal(t, 1, o.OptionExit(&b, "unknown"))
	require.Empty(t, b.String())
}

// TestPerfdataLabelQuotedAsTheRules: a label the check writes reads as
// centreonrules.QuoteLabel quotes it, the tag schema = "centreon" gives
// Centreon, quotes and all; --filter-perfdata sees it with its quotes
// doubled, as in the Perl plugin.
func TestPerfdataLabelQuotedAsTheRules(t *testing.T) {
	for _, label := range []string{"plain", "it's", "''", "a'b'c~d#scenario.metric.usage.count"} {
		o, err := New(testArgs{"filter-perfdata": {"^" + regexp.QuoteMeta(centreonrules.EscapeLabel(label)) + "$"}}, "p", "m")
		require.NoError(t, err)
		o.AddPerfdata(Perfdata{Label: label, Value: "1"})
		o.Add(centreonrules.OK, "ok")
		var out bytes.Buffer
		o.Display(&out)
		require.Equal(t, "OK: ok | "+centreonrules.QuoteLabel(label)+"=1;;;;\n", out.String(), label)
	}
}
