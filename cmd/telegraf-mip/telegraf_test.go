package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/influxdata/telegraf"
	"github.com/stretchr/testify/require"
)

// stallLimit is how long a wait on Telegraf or InfluxDB lasts without
// progress (a new run stored, a file grown) before it fails: many times
// Telegraf's flush_interval (10 s) and the plugin's gathers, on a machine
// several times slower than an idle one.
const stallLimit = 2 * time.Minute

// telegrafVersion is the Telegraf the end-to-end tests run; it matches go.mod.
const telegrafVersion = "v1.37.2"

var (
	telegrafOnce sync.Once
	telegrafPath string
	errTelegraf  error
)

// telegrafBinary returns a real Telegraf: $TELEGRAF_BIN, or the one cached in
// the repository's .cache/bin, built there with the plugins the tests use
// when missing. The tests never skip for want of it.
func telegrafBinary(t testing.TB) string {
	t.Helper()
	telegrafOnce.Do(func() {
		if p := os.Getenv("TELEGRAF_BIN"); p != "" {
			telegrafPath = p
			return
		}
		root, err := filepath.Abs(filepath.Join("..", ".."))
		if err != nil {
			errTelegraf = err
			return
		}
		bin := filepath.Join(root, ".cache", "bin")
		telegrafPath = filepath.Join(bin, "telegraf")
		if _, err := os.Stat(telegrafPath); err == nil {
			return
		}
		cmd := exec.Command("go", "install",
			"-tags", "custom,inputs.execd,inputs.internal,outputs.file,outputs.health,outputs.influxdb,outputs.opentelemetry",
			"github.com/influxdata/telegraf/cmd/telegraf@"+telegrafVersion)
		cmd.Env = append(os.Environ(), "GOBIN="+bin)
		out, err := cmd.CombinedOutput()
		if err != nil {
			errTelegraf = fmt.Errorf("building telegraf %s: %w\n%s", telegrafVersion, err, out)
		}
	})
	require.NoError(t, errTelegraf)
	// A binary built by go install reports its version "unknown"; its build
	// information names the module version.
	out, err := exec.Command("go", "version", "-m", telegrafPath).Output()
	require.NoError(t, err)
	require.Regexp(t, `\tmod\tgithub.com/influxdata/telegraf\t`+regexp.QuoteMeta(telegrafVersion)+`\t`, string(out))
	return telegrafPath
}

// telegrafProcess is a running Telegraf with its log captured.
type telegrafProcess struct {
	cmd    *exec.Cmd
	stderr *lockedBuffer
	done   chan error
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// killProcess ends cmd's process if it still runs, for a test's cleanup or
// a process that does not stop when asked; one already waited for is done.
func killProcess(t testing.TB, cmd *exec.Cmd) {
	t.Helper()
	if err := cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		t.Errorf("killing %s: %v", cmd.Path, err)
	}
}

// killAndWait kills cmd's process, if not waited for yet, and reaps it. The
// exit status of a killed process says nothing, so only Wait's own failures
// are reported.
func killAndWait(t testing.TB, cmd *exec.Cmd) {
	t.Helper()
	if cmd.ProcessState != nil {
		return
	}
	killProcess(t, cmd)
	var exitErr *exec.ExitError
	if err := cmd.Wait(); err != nil && !errors.As(err, &exitErr) {
		t.Errorf("waiting for %s: %v", cmd.Path, err)
	}
}

// startTelegraf runs Telegraf with configuration conf and environment env.
// It is stopped at the end of the test if still running.
func startTelegraf(t testing.TB, conf string, env ...string) *telegrafProcess {
	t.Helper()
	path := writeFile(t, "telegraf.conf", conf)
	cmd := exec.Command(telegrafBinary(t), "--config", path)
	cmd.Env = append(os.Environ(), env...)
	p := &telegrafProcess{cmd: cmd, stderr: &lockedBuffer{}, done: make(chan error, 1)}
	cmd.Stdout, cmd.Stderr = p.stderr, p.stderr
	require.NoError(t, cmd.Start())
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			killProcess(t, cmd)
			<-p.done
		}
	})
	return p
}

// stop ends Telegraf as a service manager does and waits for it.
func (p *telegrafProcess) stop(t testing.TB) {
	t.Helper()
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
	select {
	case <-p.done:
	case <-time.After(20 * time.Second):
		killProcess(t, p.cmd)
		t.Fatalf("telegraf did not stop within 20s; log:\n%s", p.stderr.String())
	}
}

// readPoints waits until the line-protocol file at path holds points that
// satisfy ready, and returns them.
// It fails when the file did not grow for stallLimit, or Telegraf exits.
func readPoints(t *testing.T, p *telegrafProcess, path string, ready func([]telegraf.Metric) bool) []telegraf.Metric {
	t.Helper()
	size, progress := 0, time.Now()
	for {
		b, err := os.ReadFile(path)
		if len(b) != size {
			size, progress = len(b), time.Now()
		}
		if err == nil && len(b) > 0 {
			// Only whole lines: Telegraf may be writing the last one.
			if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
				points := parseLines(t, string(b[:i+1]))
				if ready(points) {
					return points
				}
			}
		}
		if time.Since(progress) > stallLimit {
			t.Fatalf("no expected points in %s, and nothing written for %s; telegraf log:\n%s", path, stallLimit, p.stderr.String())
		}
		select {
		case err := <-p.done:
			t.Fatalf("telegraf exited: %v; log:\n%s", err, p.stderr.String())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// execdErrors returns the error lines inputs.execd logged about our process.
// Telegraf's own shutdown race ("read |0: file already closed" as it stops
// the process) is not about it and is left out.
func (p *telegrafProcess) execdErrors() []string {
	var errs []string
	for _, line := range strings.Split(p.stderr.String(), "\n") {
		if strings.Contains(line, "E! [inputs.execd]") && !strings.Contains(line, "file already closed") {
			errs = append(errs, line)
		}
	}
	return errs
}

// requireTelegrafTestOK checks the end of a `telegraf --test` run: exit 0,
// or exit 1 from Telegraf 1.37's own race as it stops execd ("read |0: file
// already closed" on stdout, stderr or both, then "input plugins recorded N
// errors"), which is not about our process, with no other error line.
func requireTelegrafTestOK(t *testing.T, err error, stderr string) {
	t.Helper()
	if err == nil {
		return
	}
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, stderr)
	require.Equal(t, 1, exit.ExitCode(), stderr)
	require.Contains(t, stderr, "file already closed", stderr)
	for _, line := range strings.Split(stderr, "\n") {
		if strings.Contains(line, " E! ") && !strings.Contains(line, "file already closed") &&
			!inputErrorsCount.MatchString(line) {
			require.Failf(t, "telegraf --test logged an error", "%s\nlog:\n%s", line, stderr)
		}
	}
}

var inputErrorsCount = regexp.MustCompile(`Error running agent: input plugins recorded [0-9]+ errors$`)

// telegrafConfig is a Telegraf configuration that runs our binary with the
// plugin configuration at pluginConf through inputs.execd, as the README's
// block does, gathering every second; agent adds lines to [agent] and
// output is the [[outputs.*]] block. Telegraf's buffer and batch settings
// (metric_buffer_limit, metric_batch_size, flush_interval) keep their
// defaults, as users' do.
func telegrafConfig(pluginConf, output string, agent ...string) string {
	return telegrafConfigArgs(pluginConf, output, nil, agent...)
}

// telegrafConfigArgs is telegrafConfig with more arguments for our binary.
func telegrafConfigArgs(pluginConf, output string, args []string, agent ...string) string {
	command := []string{strconv.Quote(binary), `"-config"`, strconv.Quote(pluginConf), `"-poll_interval_disabled"`}
	for _, a := range args {
		command = append(command, strconv.Quote(a))
	}
	return fmt.Sprintf(`
[agent]
  interval = "1s"
  %s

[[inputs.execd]]
  command = [%s]
  signal = "STDIN"
  restart_delay = "1s"
  data_format = "influx"

%s
`, strings.Join(agent, "\n  "), strings.Join(command, ", "), output)
}

// influxDBOutput is the [[outputs.influxdb]] block writing to db.
func influxDBOutput(db *influxDB) string {
	return fmt.Sprintf(`[[outputs.influxdb]]
  urls = [%q]
  database = "telegraf"
  skip_database_creation = true`, db.URL)
}
