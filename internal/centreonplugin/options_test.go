package centreonplugin

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/telegraf-mip/telegraf-mip/internal/centreonoutput"
)

// TestOptionsAsPerl: the option parser reads a command line as
// centreon-plugins' does.
func TestOptionsAsPerl(t *testing.T) {
	a := parseArgs([]string{
		"--mode", "scenarios", "--filter-id=1", "--filter-id", "2", "--verbose=0", "--memory", "--filter-name=",
		"stray", "--warning-status", "--critical-status=", "--change-exit=warning=ok", "--change-exit", "critical=ok",
		"--bogus", "--", "--debug",
	})
	require.Equal(t, "scenarios", a.str("mode", ""))
	require.Equal(t, "2", a.str("filter-id", ""), "the last wins")
	require.False(t, a.Has("verbose"), "a flag given 0 is not set")
	require.True(t, a.Has("memory"))
	name, ok := a.Get("filter-name")
	require.True(t, ok)
	require.Equal(t, "stray", name, "an empty value takes the next argument, as Perl's parser does")
	v, ok := a.Get("warning-status")
	require.True(t, ok)
	require.Empty(t, v, "the next argument starts with --: the value is empty")
	require.Equal(t, []string{"warning=ok", "critical=ok"}, a.lists["change-exit"])
	require.Equal(t, "bogus", a.unknown)
	require.False(t, a.Has("debug"), "-- ends the options")
}

// TestRefusedOptions: an option this command does not reproduce is refused
// with UNKNOWN and a sentence, never ignored; the others are accepted.
func TestRefusedOptions(t *testing.T) {
	base := []string{"--plugin=" + PluginName, "--mode=scenarios", "--hostname=127.0.0.1", "--port=1", "--proto=http", "--api-key=x",
		"--statefile-dir=" + t.TempDir(), "--cache-duration=0"}
	for name, spec := range options {
		var out bytes.Buffer
		value := "0x"
		if name == "output-file" {
			value = filepath.Join(t.TempDir(), "0x")
		}
		code := Run(append(append(make([]string, 0, len(base)+1), base...), "--"+name+"="+value), &out, &out)
		switch spec.support {
		case refused:
			require.Equal(t, 3, code, name)
			require.Equal(t, "UNKNOWN: telegraf-mip centreon does not support --"+name+": "+spec.why+". \n", out.String(), name)
		default:
			require.NotContains(t, out.String(), "Unknown option", name)
			require.NotContains(t, out.String(), "does not support --"+name+":", name)
		}
	}
}

// TestOptionsDocumented: the option table of docs/centreon-plugin.md names
// every option, and no other.
func TestOptionsDocumented(t *testing.T) {
	b, err := os.ReadFile("../../docs/centreon-plugin.md")
	require.NoError(t, err)
	doc := string(b)
	start := strings.Index(doc, "| Option | Here |")
	end := strings.Index(doc[start:], "\n\n")
	table := doc[start : start+end]
	documented := map[string]bool{}
	for _, line := range strings.Split(table, "\n") {
		first, _, _ := strings.Cut(strings.TrimPrefix(line, "| "), " |")
		for i, f := range strings.Split(first, "`") {
			if name, ok := strings.CutPrefix(f, "--"); ok && i%2 == 1 { // inside backquotes
				name, _, _ = strings.Cut(name, " ")
				documented[name] = true
			}
		}
	}
	var missing, extra []string
	for name := range options {
		if !documented[name] {
			missing = append(missing, name)
		}
	}
	for name := range documented {
		if _, ok := options[name]; !ok {
			extra = append(extra, name)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	require.Empty(t, missing, "options missing from the table")
	require.Empty(t, extra, "the table names options the command does not know")
}

// TestMemoryReadsPerlKeys: a state file the Perl plugin wrote holds MIP's
// key as written; the same run written otherwise is not new.
func TestMemoryReadsPerlKeys(t *testing.T) {
	old := "2026-11-25T09:52:30.000Z"
	other := "2026-11-25T09:52:31Z"
	m := &memory{saved: map[string]*string{"302": &old, "303": nil}}
	require.True(t, m.seen("302", "2026-11-25T09:52:30Z"))
	require.False(t, m.seen("302", other))
	require.False(t, m.seen("303", other))
	require.False(t, m.seen("304", other))
}

// TestOutputOptionsAccepted: every option the output package reads is
// accepted and implemented here, with the kind it reads.
func TestOutputOptionsAccepted(t *testing.T) {
	kinds := map[centreonoutput.Kind]optionKind{centreonoutput.Flag: flagOption, centreonoutput.String: stringOption, centreonoutput.List: listOption}
	for name, kind := range centreonoutput.Options {
		spec, ok := options[name]
		require.True(t, ok, name)
		require.Equal(t, implemented, spec.support, name)
		require.Equal(t, kinds[kind], spec.kind, name)
	}
}
