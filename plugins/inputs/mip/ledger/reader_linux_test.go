package ledger

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestReaderIsTheParentProcess: the reader is the same for every call in
// one process, and another for a process started by another parent; it
// names the parent's pid.
func TestReaderIsTheParentProcess(t *testing.T) {
	if os.Getenv("LEDGER_PRINT_READER") != "" {
		_, err := os.Stdout.WriteString(Reader())
		require.NoError(t, err)
		return
	}
	mine := Reader()
	require.NotEmpty(t, mine)
	require.Equal(t, mine, Reader())
	require.Contains(t, mine, ":"+strconv.Itoa(os.Getppid())+":")

	cmd := exec.Command(os.Args[0], "-test.run=^TestReaderIsTheParentProcess$")
	cmd.Env = append(os.Environ(), "LEDGER_PRINT_READER=1")
	out, err := cmd.Output()
	require.NoError(t, err)
	child := strings.TrimSuffix(string(out), "PASS\n")
	require.NotEmpty(t, child)
	require.NotEqual(t, mine, child, "a process under another parent has another reader")
	require.Contains(t, child, ":"+strconv.Itoa(os.Getpid())+":", "its parent: this process")
}
