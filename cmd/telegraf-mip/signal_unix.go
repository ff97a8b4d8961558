//go:build !windows

package main

import (
	"os/signal"
	"syscall"
)

// ignoreBrokenPipe makes a write to a closed stdout return EPIPE, which is
// logged, instead of ending the process with SIGPIPE and no message.
func ignoreBrokenPipe() {
	signal.Ignore(syscall.SIGPIPE)
}
