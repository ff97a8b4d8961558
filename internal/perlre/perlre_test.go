package perlre

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestMatchesAsPerl: each pattern on each text, with Perl's answer
// (perl -e 'print "TEXT" =~ /PATTERN/ ? 1 : 0'), Perl-only forms first.
func TestMatchesAsPerl(t *testing.T) {
	for _, c := range []struct {
		pattern, text string
		want          bool
	}{
		{`^(?!erp)`, "erp_login", false},
		{`^(?!erp)`, "crm_login", true},
		{`(?<!crm)_login`, "erp_login", true},
		{`^(\w)\w*_\1`, "crm_c", true},
		{`^(\w)\w*_\1`, "crm_x", false},
		{`^c.*?_`, "crm_login_x", true},
		{`^\w++_`, "crm_login", false},
		{`login$`, "crm_login\n", true},
		{`login\z`, "crm_login\n", false},
		{`login\Z`, "crm_login\n", true},
		{`\d`, "crm_٣", true},    // Unicode digit, as Perl's on a decoded string
		{`^\w+$`, "Durée", true}, // Unicode word character
		{`(?i)LOGIN`, "crm_login", true},
		{`\Qa.b\E`, "axb", false},
	} {
		re, err := Compile(c.pattern)
		require.NoError(t, err, c.pattern)
		got, err := re.MatchString(c.text, time.Time{})
		require.NoError(t, err, c.pattern)
		require.Equal(t, c.want, got, "%q =~ /%s/", c.text, c.pattern)
	}
}

func TestPathologicalPatternEndsAtDeadline(t *testing.T) {
	re, err := Compile(`^(\w+\s?)*$`)
	require.NoError(t, err)
	_, err = re.MatchString(strings.Repeat("word ", 40)+"!", time.Now().Add(200*time.Millisecond))
	require.ErrorIs(t, err, ErrTooSlow)
	_, err = re.MatchString("ok", time.Now().Add(-time.Second))
	require.ErrorIs(t, err, ErrTooSlow, "a deadline already past")
}

func TestCompileError(t *testing.T) {
	_, err := Compile(`(?<=a`)
	require.Error(t, err)
}

// names are 10,000 scenario names as a MIP instance has them.
func names() []string {
	apps := []string{"crm", "erp", "intranet", "billing", "hr"}
	steps := []string{"login", "search", "checkout", "report", "home"}
	list := make([]string, 10000)
	for i := range list {
		list[i] = fmt.Sprintf("%s_%s_%04d", apps[i%len(apps)], steps[i/len(apps)%len(steps)], i)
	}
	return list
}

// BenchmarkFilter10000Names matches the filters of one check against
// 10,000 scenario names: Go's RE2 (what the check used) and this package,
// on the patterns both read, and this package alone on Perl-only ones.
func BenchmarkFilter10000Names(b *testing.B) {
	list := names()
	for _, pattern := range []string{`^crm`, `login`, `(?i)LOGIN`, `^\w+_search_\d+$`, `^(?!erp)`, `^(\w)\w*_\1`} {
		if re2, err := regexp.Compile(pattern); err == nil {
			b.Run("RE2/"+pattern, func(b *testing.B) {
				for b.Loop() {
					for _, n := range list {
						re2.MatchString(n)
					}
				}
			})
		}
		re, err := Compile(pattern)
		require.NoError(b, err)
		deadline := time.Now().Add(time.Hour)
		b.Run("perlre/"+pattern, func(b *testing.B) {
			for b.Loop() {
				for _, n := range list {
					if _, err := re.MatchString(n, deadline); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
