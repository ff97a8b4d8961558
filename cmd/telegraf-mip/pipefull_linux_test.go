package main

import (
	"os"

	"golang.org/x/sys/unix"

	"github.com/telegraf-mip/telegraf-mip/internal/output"
)

// pipeFull tells whether the pipe read by r holds so much that a writer's
// next whole-lines write (up to output.AtomicWrite bytes) blocks.
func pipeFull(r *os.File) bool {
	held, err := unix.IoctlGetInt(int(r.Fd()), unix.TIOCINQ) // FIONREAD
	if err != nil {
		return false
	}
	size, err := unix.FcntlInt(r.Fd(), unix.F_GETPIPE_SZ, 0)
	return err == nil && held > size-output.AtomicWrite
}
