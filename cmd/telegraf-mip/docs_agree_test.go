package main

import (
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// readRepo reads a file of the repository.
func readRepo(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", path))
	require.NoError(t, err)
	return string(b)
}

// TestDocumentsAgree keeps statements of the documents true: where
// Telegraf's disk buffer is set, where the sizing table is, what the
// examples point to, the namedrop of internal_write, and -h (one default
// for -catch_up_interval, both in docs/flags.md, where every key is).
func TestDocumentsAgree(t *testing.T) {
	docs := []string{"README.md", "docs/delivery.md", "docs/outages.md", "docs/troubleshooting.md", "docs/install.md", "docs/flags.md"}
	for _, path := range docs {
		text := strings.Join(strings.Fields(readRepo(t, path)), " ")
		for _, m := range regexp.MustCompile("[^.]{0,120}buffer_strategy = \"disk\"`?[^.]{0,80}").FindAllString(text, -1) {
			require.Contains(t, m, "[agent]",
				"%s: the disk buffer is said to go in [agent], in the sentence (or block) that sets it (Telegraf 1.37 ignores it on an output): %q", path, m)
		}
		require.NotRegexp(t, `sizing table of the README|README's sizing table`, text, "%s: the sizing table is in docs/delivery.md", path)
	}
	require.Contains(t, readRepo(t, "docs/delivery.md"), "| 10,000 | 4,800,000 |", "the sizing table")

	// A reference such as (docs/install.md, "Windows") names a heading.
	ref := regexp.MustCompile(`\(((?:README|docs/[a-z-]+\.md))\s*(?:#\s*)?,\s*(?:#\s*)?"([^"]+)"\)`)
	examples, err := filepath.Glob(filepath.Join("..", "..", "examples", "*"))
	require.NoError(t, err)
	refs := 0
	for _, path := range examples {
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		text := strings.ReplaceAll(string(b), "\n# ", " ")
		for _, m := range ref.FindAllStringSubmatch(text, -1) {
			target := m[1]
			if target == "README" {
				target = "README.md"
			}
			require.Regexp(t, `(?m)^#+ `+regexp.QuoteMeta(m[2])+`$`, readRepo(t, target), "%s cites %s, %q", path, m[1], m[2])
			refs++
		}
	}
	require.Positive(t, refs, "the examples' references are checked")

	for _, path := range []string{"README.md", "examples/output-health.conf"} {
		require.Contains(t, readRepo(t, path), `namedrop = ["internal_write"]`, "%s: internal_write kept out of the other outputs", path)
	}

	r := runBinary(t, testKey, "-h")
	require.Equal(t, 0, r.code)
	line := regexp.MustCompile(`(?m)^\s+when a gather leaves runs to write.*$`).FindString(r.stderr)
	require.NotEmpty(t, line, r.stderr)
	require.Equal(t, 1, strings.Count(line, "(default"), "-catch_up_interval shows one default: %s", line)

	// -catch_up_interval's two defaults, in -h and docs/flags.md.
	opts, _, ok := parseFlags(nil, io.Discard)
	require.True(t, ok)
	defaults := []string{opts.catchUpInterval.String(), healthCatchUpInterval.String()}
	row := regexp.MustCompile("(?m)^\\| `-catch_up_interval DURATION` \\|.*$").FindString(readRepo(t, "docs/flags.md"))
	require.NotEmpty(t, row, "docs/flags.md's -catch_up_interval row")
	for _, d := range defaults {
		require.Contains(t, line, d, "-h gives -catch_up_interval's default %s", d)
		require.Contains(t, row, "`"+d+"`", "docs/flags.md gives -catch_up_interval's default %s", d)
	}

	// -h's check through Telegraf is the README's (run as Telegraf's user
	// there) and docs/troubleshooting.md's.
	example := regexp.MustCompile(`(?m)^\s+(TELEGRAF_MIP_DRY_RUN=1 telegraf .*\\\n.*)$`).FindStringSubmatch(r.stderr)
	require.Len(t, example, 2, "-h's check through Telegraf: %s", r.stderr)
	command := strings.Join(strings.Fields(strings.ReplaceAll(example[1], "\\\n", "")), " ")
	require.Contains(t, readRepo(t, "README.md"), " "+command+"\n```", "-h and the README give the same check")
	require.Contains(t, strings.Join(strings.Fields(readRepo(t, "docs/troubleshooting.md")), " "), command, "docs/troubleshooting.md gives the same check")

	// -h says where every key is, as an unknown key's message does, at the
	// path the packages install.
	conf := writeFile(t, "mip.conf", "[[inputs.mip]]\n  url = \"http://127.0.0.1:1\"\n  lookbak = \"1h\"\n")
	unknown := runBinary(t, testKey, "-config", conf, "-test")
	require.Equal(t, 1, unknown.code, unknown.stderr)
	installed := regexp.MustCompile(`/usr/share/doc/telegraf-mip/\S+\.md`).FindString(unknown.stderr)
	require.NotEmpty(t, installed, "the unknown key's message names the installed file: %s", unknown.stderr)
	require.Contains(t, readRepo(t, "packaging/nfpm.yaml"), "dst: "+installed)
	require.Contains(t, strings.Join(strings.Fields(r.stderr), " "), "every key is in sample.conf in the archives and, with the packages, in "+installed)
}
