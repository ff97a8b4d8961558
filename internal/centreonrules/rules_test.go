package centreonrules

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/telegraf-mip/telegraf-mip/internal/perlre"
)

func TestExprAsPerl(t *testing.T) {
	// Each expression, with status "Warning_Slow" and display "crm_search",
	// is true or false as Perl evaluates it once %{x} is $values->{x}.
	vars := func(name string) string {
		return map[string]string{"status": "Warning_Slow", "display": "crm_search"}[name]
	}
	for src, want := range map[string]bool{
		`%{status} =~ /warning/i`:                           true,
		`%{status} =~ /warning/`:                            false,
		`%{status} !~ /warning/i`:                           false,
		`%{status} =~ m{^warn}i`:                            true,
		`%{status} eq "Warning_Slow"`:                       true,
		`%{status} eq 'warning_slow'`:                       false,
		`%{status} ne 'OK'`:                                 true,
		`%{status} =~ /slow/i && %{display} =~ /crm/`:       true,
		`%{status} =~ /slow/i and %{display} =~ /erp/`:      false,
		`%{status} =~ /x/ || %{display} eq 'crm_search'`:    true,
		`%{status} =~ /x/ or %{display} eq 'erp'`:           false,
		`!(%{status} =~ /warning/i)`:                        false,
		`not %{status} =~ /ok/i`:                            true,
		`not %{status} =~ /slow/i || 1`:                     false, // not binds looser than ||
		`!%{status} =~ /slow/i || 1`:                        true,
		`(%{status} =~ /a/ or %{status} =~ /b/) and 1 == 1`: true,
		`%{status} == 0`:                                    true, // a text numifies to 0
		`%{nothing} eq ''`:                                  true,
		`%{status} =~ /^warning_slow$/i`:                    true,
		`%{status} =~ /\w+_Slow/`:                           true,
		`%{status} lt "X"`:                                  true,
		`2 > 10`:                                            false,
		`"2" gt "10"`:                                       true,
	} {
		e, err := ParseExpr(src)
		require.NoError(t, err, src)
		got, err := e.Eval(vars, time.Time{})
		require.NoError(t, err, src)
		require.Equal(t, want, got, src)
	}
}

// TestExprPerlRegexps: the forms Perl reads and Go's RE2 does not, with
// Perl's answers (perl -e 'print "WARNING_slow" =~ /.../ ? 1 : 0').
func TestExprPerlRegexps(t *testing.T) {
	vars := func(name string) string {
		if name == "status" {
			return "WARNING_slow\n"
		}
		return ""
	}
	for src, want := range map[string]bool{
		`%{status} =~ /^(?!ok)/i`:          true,  // negative look-ahead
		`%{status} =~ /^(?!warn)/i`:        false, // negative look-ahead
		`%{status} =~ /(?<=_)slow/`:        true,  // look-behind
		`%{status} =~ /(\w)\1/i`:           false, // back-reference: no doubled letter
		`%{status} =~ /W.*?_/`:             true,  // lazy quantifier
		`%{status} =~ /^[A-Z]++_/`:         true,  // possessive
		`%{status} =~ /^\w++_/`:            false, // possessive gives nothing back
		`%{status} =~ /slow$/`:             true,  // $ before a final newline, as Perl's
		`%{status} =~ /slow\z/`:            false, // \z: the very end
		`%{status} =~ /slow\Z/`:            true,
		`%{status} =~ /\Awarning/i`:        true,
		`%{status} =~ /(?i)warning/`:       true,
		`%{status} =~ m{warning _ slow}ix`: true,  // /x ignores spaces
		`%{status} =~ /(?>W\w*)_/`:         false, // atomic group: gives nothing back
	} {
		e, err := ParseExpr(src)
		require.NoError(t, err, src)
		got, err := e.Eval(vars, time.Time{})
		require.NoError(t, err, src)
		require.Equal(t, want, got, src)
	}
}

// TestExprPathologicalRegexpEnds: a catastrophically backtracking pattern
// stops at its deadline with perlre.ErrTooSlow instead of running for
// hours.
func TestExprPathologicalRegexpEnds(t *testing.T) {
	e, err := ParseExpr(`%{status} =~ /^(a|aa)+$/`)
	require.NoError(t, err)
	long := strings.Repeat("a", 200) + "b"
	_, err = e.Eval(func(string) string { return long }, time.Now().Add(300*time.Millisecond))
	require.ErrorIs(t, err, perlre.ErrTooSlow)
}

func TestExprErrors(t *testing.T) {
	for _, src := range []string{
		`%{status} =~ /x/ &&`, `%{status} =~`, `(%{status} eq 'a'`, `%{status} eq 'a`, `%{status} =~ /(?<=a b/`,
		`%{status} =~ /a/z`, `%{status`, `%{status} =~ /a`, ` `, `%{a} %{b}`,
	} {
		_, err := ParseExpr(src)
		require.Error(t, err, src)
	}
}

func TestPerlNumbers(t *testing.T) {
	for literal, want := range map[string]string{
		"0.30000000000000004": "0.3", "1.0": "1", "1e20": "1e+20", "1234567890123456789": "1234567890123456789",
		"1.5e-7": "1.5e-07", "-2048": "-2048", "2e2": "200", "-0": "0", "123456789012345678901": "123456789012345678901",
		"0.1": "0.1", "100.25": "100.25", "1e15": "1e+15", "123456789012345.6": "123456789012346",
	} {
		require.Equal(t, want, PerlNumber(literal), literal)
	}
	for _, c := range []struct {
		value   string
		network bool
		want    string
	}{
		{"123456", false, "120.56 KB"}, {"1200.25", true, "1.20 Kb"}, {"-2048", false, "-2.00 KB"}, {"0", false, "0.00 B"},
		{"5500000000000", false, "5.00 TB"}, {"1535", false, "1.50 KB"}, {"1500000", true, "1.50 Mb"}, {"5e18", false, "4547473.51 TB"},
	} {
		n, unit := FormatBytes(c.value, c.network)
		require.Equal(t, c.want, n+" "+unit, c.value)
	}
}

func TestWorse(t *testing.T) {
	require.Equal(t, Unknown, PerlWorse(Warning, Unknown), "the Perl plugins rank UNKNOWN over WARNING")
	require.Equal(t, Critical, PerlWorse(Unknown, Critical))
	require.Equal(t, Warning, Worse(Warning, Unknown), "Nagios' max_state ranks WARNING over UNKNOWN")
	require.Equal(t, Critical, Worse(Critical, Warning))
}

func TestFillInstance(t *testing.T) {
	v := func(f string) string { return map[string]string{"name": "n", "id": "1"}[f] }
	require.Equal(t, "n/1/", FillInstance("%{name}/%{id}/%{other}", v))
	require.Equal(t, "plain", FillInstance("plain", v))
	require.Equal(t, []string{"name", "x"}, TemplateFields("%{name} %{x}"))
}
