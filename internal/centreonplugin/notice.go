package centreonplugin

import (
	"io"
	"strings"
)

// notice keeps a reason why the check could not use a file of the state
// directory as it should (the shared cache, its lock, the --memory state):
// the check still answers, and says why in its output.
func (c *check) notice(msg string) { c.notices = append(c.notices, msg) }

// writeNotices writes the notices as one line after the output: a line of
// the long output, which Centreon shows with the service's status, while
// the status line and its perfdata stay the Perl plugin's. Nothing but
// printable text reaches it: the line is the admin's, not MIP's.
// In JSON, XML or OpenMetrics, or into --output-file, the line is not
// written: it would break the document.
func (c *check) writeNotices() {
	if len(c.notices) == 0 || !c.out.PlainText() {
		return
	}
	line := "telegraf-mip: " + strings.Join(c.notices, "; ")
	line = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '|' {
			return ' '
		}
		return r
	}, line)
	_, _ = io.WriteString(c.stdout, line+"\n") //nolint:errcheck // nothing to do if stdout is gone
}
