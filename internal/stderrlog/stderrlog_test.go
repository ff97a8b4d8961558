package stderrlog

import (
	"bytes"
	"testing"

	"github.com/influxdata/telegraf"
	"github.com/stretchr/testify/require"
)

func TestLinesCarryTheLevelPrefix(t *testing.T) {
	var buf bytes.Buffer
	l := New(&buf, telegraf.Info)
	l.Errorf("gather failed: %s", "first problem\nsecond problem")
	l.Warn("careful")
	l.Info("hello")
	l.Debug("hidden at info")
	l.Trace("hidden too")
	require.Equal(t, "E! gather failed: first problem\nE! second problem\nW! careful\nI! hello\n", buf.String())
}

func TestDebugLevelAndAttributes(t *testing.T) {
	var buf bytes.Buffer
	l := New(&buf, telegraf.Debug)
	l.AddAttribute("source", "mip.example.com")
	l.Debugf("%d points", 3)
	l.Trace("still hidden")
	require.Equal(t, telegraf.Debug, l.Level())
	require.Equal(t, "D! 3 points (source=mip.example.com)\n", buf.String())
}

func TestStdWriterKeepsLevels(t *testing.T) {
	var buf bytes.Buffer
	w := New(&buf, telegraf.Info).StdWriter()
	for _, line := range []string{"W! Secret contains invalid characters\n", "plain line\n", "D! hidden\n", "E! broken\n"} {
		n, err := w.Write([]byte(line))
		require.NoError(t, err)
		require.Equal(t, len(line), n)
	}
	require.Equal(t, "W! Secret contains invalid characters\nI! plain line\nE! broken\n", buf.String())
}

func TestUnsolicitedResponseIsAWarningOnce(t *testing.T) {
	var buf bytes.Buffer
	w := New(&buf, telegraf.Info).StdWriter()
	for range 3 {
		_, err := w.Write([]byte(`Unsolicited response received on idle HTTP channel starting with "tail of the body"; err=<nil>` + "\n"))
		require.NoError(t, err)
	}
	require.Equal(t, "W! the MIP server (or a proxy in front of it) sent more bytes than the Content-Length of its response announced; "+
		"they were ignored (reported once)\n", buf.String())
}
