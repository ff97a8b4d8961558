// Package stderrlog is a telegraf.Logger for processes run by Telegraf's
// inputs.execd: every line it writes starts with the level prefix execd maps
// to its own log levels ("E! ", "W! ", "I! ", "D! "), with no timestamp
// (Telegraf adds its own), and nothing is kept in memory.
package stderrlog

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/influxdata/telegraf"
)

// Logger writes level-prefixed lines to w.
type Logger struct {
	mu    sync.Mutex
	w     io.Writer
	level telegraf.LogLevel
	attrs []string
	// unsolicited is set once net/http's note about bytes after a response
	// was reported.
	unsolicited atomic.Bool
}

// New returns a logger that writes messages of level and above to w.
func New(w io.Writer, level telegraf.LogLevel) *Logger {
	return &Logger{w: w, level: level}
}

// Level returns the level below which messages are dropped.
func (l *Logger) Level() telegraf.LogLevel { return l.level }

// AddAttribute appends key=value to every following message.
func (l *Logger) AddAttribute(key string, value any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.attrs = append(l.attrs, fmt.Sprintf("%s=%v", key, value))
}

func (l *Logger) Errorf(format string, args ...any) {
	l.print(telegraf.Error, fmt.Sprintf(format, args...))
}
func (l *Logger) Error(args ...any) { l.print(telegraf.Error, fmt.Sprint(args...)) }
func (l *Logger) Warnf(format string, args ...any) {
	l.print(telegraf.Warn, fmt.Sprintf(format, args...))
}
func (l *Logger) Warn(args ...any) { l.print(telegraf.Warn, fmt.Sprint(args...)) }
func (l *Logger) Infof(format string, args ...any) {
	l.print(telegraf.Info, fmt.Sprintf(format, args...))
}
func (l *Logger) Info(args ...any) { l.print(telegraf.Info, fmt.Sprint(args...)) }
func (l *Logger) Debugf(format string, args ...any) {
	l.print(telegraf.Debug, fmt.Sprintf(format, args...))
}
func (l *Logger) Debug(args ...any) { l.print(telegraf.Debug, fmt.Sprint(args...)) }
func (l *Logger) Tracef(format string, args ...any) {
	l.print(telegraf.Trace, fmt.Sprintf(format, args...))
}
func (l *Logger) Trace(args ...any) { l.print(telegraf.Trace, fmt.Sprint(args...)) }

// print writes msg with one prefix per line: execd reads stderr line by line
// and would log an unprefixed continuation line as an error.
func (l *Logger) print(level telegraf.LogLevel, msg string) {
	if !l.level.Includes(level) {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	suffix := ""
	if len(l.attrs) > 0 {
		suffix = " (" + strings.Join(l.attrs, ", ") + ")"
	}
	var b strings.Builder
	for line := range strings.SplitSeq(strings.TrimRight(msg, "\n"), "\n") {
		b.WriteString(level.Indicator())
		b.WriteString(" ")
		b.WriteString(strings.TrimRight(line, "\r"))
		b.WriteString(suffix)
		b.WriteString("\n")
	}
	fmt.Fprint(l.w, b.String()) // a logger that cannot write has no one to tell
}

// StdWriter is an io.Writer for the standard library's log package. Telegraf's
// logger package points the standard log at an in-memory early-log buffer
// that only grows in a process that never sets Telegraf's logging up, as an
// execd plugin doesn't; routed here, a line keeps its "E! "-style level
// (info when it has none) and nothing is kept.
func (l *Logger) StdWriter() io.Writer { return stdWriter{l} }

type stdWriter struct{ l *Logger }

// unsolicitedResponse starts what net/http logs when a server sends more
// bytes than its Content-Length announced.
const unsolicitedResponse = "Unsolicited response received on idle HTTP channel"

func (w stdWriter) Write(b []byte) (int, error) {
	msg := strings.TrimSpace(string(b))
	if strings.HasPrefix(msg, unsolicitedResponse) {
		// Not our fault, and the same at every gather: said once, as a
		// warning, without the server's bytes.
		if !w.l.unsolicited.Swap(true) {
			w.l.print(telegraf.Warn, "the MIP server (or a proxy in front of it) sent more bytes than the Content-Length of its response announced; "+
				"they were ignored (reported once)")
		}
		return len(b), nil
	}
	level := telegraf.Info
	for _, lv := range []telegraf.LogLevel{telegraf.Error, telegraf.Warn, telegraf.Info, telegraf.Debug, telegraf.Trace} {
		if rest, ok := strings.CutPrefix(msg, lv.Indicator()+" "); ok {
			level, msg = lv, rest
			break
		}
	}
	w.l.print(level, msg)
	return len(b), nil
}
