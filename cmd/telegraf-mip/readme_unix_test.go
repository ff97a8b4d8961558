//go:build unix

package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/telegraf-mip/telegraf-mip/internal/mipsim"
)

// TestREADMERecipe runs the shell blocks of the README's "Try it under
// Telegraf" as they are written, from the repository's root, with a real
// Telegraf and a real InfluxDB. Only the scratch directory, the two
// addresses and the directory Telegraf is taken from are substituted, so
// that the test runs beside others; each must appear in the README.
func TestREADMERecipe(t *testing.T) {
	t.Parallel()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	require.NoError(t, err)
	script := recipeScript(t, string(readme), "## Try it under Telegraf")

	db := startInfluxDB(t)
	work := t.TempDir()
	bin := t.TempDir()
	require.NoError(t, os.Symlink(telegrafBinary(t), filepath.Join(bin, "telegraf")))
	script = substitute(t, "recipe", script,
		"/tmp/mip-try", work,
		"127.0.0.1:8090", freeAddr(t),
		"127.0.0.1:8086", strings.TrimPrefix(db.URL, "http://"),
		"$PWD/.cache/bin", bin)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-euo", "pipefail", "-c", script)
	cmd.Dir = root
	// make telegraf finds Telegraf already there instead of building it.
	cmd.Env = append(os.Environ(), "MAKEFLAGS=CACHE_BIN="+bin)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// Files, not pipes: the recipe leaves the simulator and Telegraf running.
	stdout, err := os.Create(filepath.Join(work, "recipe.stdout"))
	require.NoError(t, err)
	defer stdout.Close()
	stderr, err := os.Create(filepath.Join(work, "recipe.stderr"))
	require.NoError(t, err)
	defer stderr.Close()
	cmd.Stdout, cmd.Stderr = stdout, stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		// The simulator and Telegraf the recipe left running, with bash.
		if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
			t.Errorf("stopping the recipe's processes: %v", err)
		}
	})
	runErr := cmd.Wait()
	out, err := os.ReadFile(stdout.Name())
	require.NoError(t, err)
	log, err := os.ReadFile(stderr.Name())
	require.NoError(t, err)
	require.NoError(t, runErr, "the recipe failed:\n%s\nstdout:\n%s\nstderr:\n%s", script, out, log)

	// Step 3's -test printed the newest run of each scenario; step 6's curl
	// showed the ones Telegraf wrote to InfluxDB.
	names := map[string]bool{}
	for _, sc := range mipsim.Demo() {
		names[sc.Name] = true
	}
	var tested, stored []string
	scanner := bufio.NewScanner(strings.NewReader(string(out)))
	scanner.Buffer(nil, 1<<20)
	for scanner.Scan() {
		line := scanner.Text()
		if strings.HasPrefix(line, "mip_scenario,") {
			tested = append(tested, line)
		}
		if strings.HasPrefix(line, `{"results":`) {
			var answer struct {
				Results []struct {
					Series []series `json:"series"`
				} `json:"results"`
			}
			require.NoError(t, json.Unmarshal([]byte(line), &answer), line)
			require.Len(t, answer.Results, 1, line)
			for _, s := range answer.Results[0].Series {
				stored = append(stored, s.Tags["scenario"])
			}
		}
	}
	require.Len(t, tested, len(names), "the -test step:\n%s", out)
	require.Len(t, stored, len(names), "the curl step:\nstdout:\n%s\nstderr:\n%s", out, log)
	for _, name := range stored {
		require.True(t, names[name], "scenario %q in InfluxDB", name)
	}
	require.NotContains(t, string(log), " E! ", "Telegraf or the plugin logged an error")
}

// recipeScript returns the shell code blocks of a README section, in order,
// as one script.
func recipeScript(t *testing.T, readme, heading string) string {
	t.Helper()
	script := strings.Join(fencedBlocks(t, readme, heading, "sh"), "")
	require.NotEmpty(t, script, "no sh block in %q", heading)
	return script
}

// fencedBlocks returns the code blocks of a README section fenced as lang
// ("sh", "toml"), in order, each without the indent of its fence.
func fencedBlocks(t *testing.T, readme, heading, lang string) []string {
	t.Helper()
	_, section, ok := strings.Cut(readme, "\n"+heading+"\n")
	require.True(t, ok, "no section %q in README.md", heading)
	if end := strings.Index(section, "\n## "); end >= 0 {
		section = section[:end]
	}
	var blocks []string
	var block strings.Builder
	indent := ""
	inBlock := false
	for line := range strings.SplitSeq(section, "\n") {
		trimmed := strings.TrimLeft(line, " ")
		switch {
		case !inBlock && trimmed == "```"+lang:
			inBlock = true
			indent = line[:len(line)-len(trimmed)]
		case inBlock && trimmed == "```":
			inBlock = false
			blocks = append(blocks, block.String())
			block.Reset()
		case inBlock:
			block.WriteString(strings.TrimPrefix(line, indent) + "\n")
		}
	}
	return blocks
}

// substitute replaces in text, a command the README gives (what names it
// in a failure), each written value by the one the test uses: pairs of
// written, used. A written value the text no longer holds fails the test,
// so that the README and its test cannot drift apart unseen.
func substitute(t *testing.T, what, text string, pairs ...string) string {
	t.Helper()
	for i := 0; i+1 < len(pairs); i += 2 {
		require.Contains(t, text, pairs[i], "the %s no longer uses %s", what, pairs[i])
		text = strings.ReplaceAll(text, pairs[i], pairs[i+1])
	}
	return text
}
