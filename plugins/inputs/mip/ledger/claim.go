package ledger

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/telegraf-mip/telegraf-mip/internal/safefile"
)

// ClaimWait is how long a start waits for another process to give up its
// claim: execd kills a process 5 s after closing its stdin, and a restart
// may start the new process while the old one is stopping.
var ClaimWait = 6 * time.Second

// ClaimPath is the lock file of the claim on state file path by the
// configuration key.
func ClaimPath(path, key string) string { return path + "." + key + ".lock" }

// Claim makes this process the only one that gathers into the state file
// path with the configuration key, for as long as it holds the returned
// lock (the lock goes with the process): a second process with the same
// configuration and state file would write every run again. Instances of
// other configurations may still share the file. The lock file holds the
// PID of the process that holds it, for the message of one that finds it
// held.
func Claim(path, key string) (*safefile.Held, error) {
	lockPath := ClaimPath(path, key)
	ctx, cancel := context.WithTimeout(context.Background(), ClaimWait)
	defer cancel()
	held, err := safefile.Lock(ctx, lockPath)
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		other := "another process"
		if note := safefile.ReadNote(lockPath); note != "" {
			other += " (" + note + ")"
		}
		return nil, fmt.Errorf("state_file %s is in use by %s with this configuration (it holds %s): "+
			"two processes would write every run twice, so this one does not start; stop the other one, or give this one a state_file of its own",
			path, other, lockPath)
	case err != nil:
		return nil, fmt.Errorf("claiming state_file %s: %w", path, err)
	}
	held.Note(fmt.Sprintf("PID %d", os.Getpid()))
	return held, nil
}
