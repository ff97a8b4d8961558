//go:build !windows && !linux

package main

import (
	"os"

	"golang.org/x/sys/unix"

	"github.com/telegraf-mip/telegraf-mip/internal/output"
)

// fionread is FIONREAD on the BSDs and macOS, _IOR('f', 127, int).
const fionread = 0x4004667f

// pipeFull tells whether the pipe read by r holds so much that a writer's
// next whole-lines write (up to output.AtomicWrite bytes) blocks: the BSDs'
// pipes start at 16 KiB (PIPE_SIZE) and grow only for larger writes.
func pipeFull(r *os.File) bool {
	held, err := unix.IoctlGetInt(int(r.Fd()), fionread)
	return err == nil && held > 16<<10-output.AtomicWrite
}
