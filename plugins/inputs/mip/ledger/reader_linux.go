package ledger

import (
	"bytes"
	"os"
	"strconv"
	"strings"

	"github.com/telegraf-mip/telegraf-mip/internal/safefile"
)

// procLimit bounds what is read of /proc: a stat line is a few hundred
// bytes.
const procLimit = 64 << 10

// Reader identifies the process that reads the plugin's points: its parent
// (Telegraf, under inputs.execd or inputs.exec). On Linux, the boot, the
// parent's pid and its start time, so that a pid used again is another
// reader. Empty when it cannot be known.
func Reader() string {
	ppid := os.Getppid()
	if ppid <= 1 {
		return "" // orphaned: the reader is gone
	}
	stat, err := safefile.Read("/proc/"+strconv.Itoa(ppid)+"/stat", procLimit)
	if err != nil {
		return ""
	}
	// The fields after the command name, which may hold spaces and
	// parentheses: state is field 3, starttime field 22.
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return ""
	}
	fields := strings.Fields(string(stat[i+1:]))
	if len(fields) < 20 {
		return ""
	}
	boot, err := safefile.Read("/proc/sys/kernel/random/boot_id", procLimit)
	if err != nil {
		return ""
	}
	return "linux:" + strings.TrimSpace(string(boot)) + ":" + strconv.Itoa(ppid) + ":" + fields[19]
}
