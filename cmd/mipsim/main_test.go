package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestMain lets a test run this binary's main as a process: the test binary
// itself, with MIPSIM_AS_MAIN set.
func TestMain(m *testing.M) {
	if os.Getenv("MIPSIM_AS_MAIN") == "1" {
		os.Args = append([]string{"mipsim"}, os.Args[1:]...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func runMain(t *testing.T, env []string, args ...string) (code int, stderr string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), append(env, "MIPSIM_AS_MAIN=1")...)
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	err := cmd.Run()
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		code = exitErr.ExitCode()
	} else {
		require.NoError(t, err)
	}
	return code, errOut.String()
}

func TestHelpSaysTheKeyIsRequired(t *testing.T) {
	code, stderr := runMain(t, nil, "-h")
	require.Equal(t, 0, code)
	require.Contains(t, stderr, "MIP_API_KEY is required")
	require.Contains(t, stderr, "-listen")
}

func TestRefusesToStartWithoutKey(t *testing.T) {
	code, stderr := runMain(t, []string{"MIP_API_KEY="}, "-listen", "127.0.0.1:0")
	require.Equal(t, 2, code)
	require.Equal(t, "E! set MIP_API_KEY: the key the simulator accepts\n", stderr)
}
