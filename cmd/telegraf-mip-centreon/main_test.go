package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// binary is telegraf-mip-centreon built once, run as Centreon Engine runs
// it: a process per check.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "telegraf-mip-centreon-test")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "telegraf-mip-centreon")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		panic("building telegraf-mip-centreon: " + err.Error())
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// testKey is the API key of these tests; no output may contain it.
const testKey = "s3cr3t-mip-k3y-centreon-5be2"

// checkArgs is the command line of a check of MIP at host:port.
func checkArgs(t *testing.T, proto, hostport string, extra ...string) []string {
	t.Helper()
	host, port := hostport, "443"
	if h, p, err := splitHostPort(hostport); err == nil {
		host, port = h, p
	}
	return append([]string{"--plugin=apps::monitoring::mip::restapi::plugin", "--mode=scenarios",
		"--hostname=" + host, "--port=" + port, "--proto=" + proto, "--api-key=" + testKey,
		"--statefile-dir=" + t.TempDir()}, extra...)
}

// runCheck runs the check, under prefix (a command such as prlimit) when
// given, and returns its stdout and exit code.
func runCheck(t *testing.T, prefix []string, args ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	argv := append(append(prefix[:len(prefix):len(prefix)], binary), args...)
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	out, err := cmd.Output()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok { //nolint:errorlint // the exit status of this very command
		code = ee.ExitCode()
		if len(ee.Stderr) > 0 {
			t.Logf("stderr: %.2000s", ee.Stderr)
		}
	} else if err != nil {
		t.Fatalf("running the check: %v", err)
	}
	return string(out), code
}
