//go:build unix

package main

import (
	"os"
	"syscall"
)

// gatherSignals are the signals inputs.execd's signal setting can send to
// ask for a gather: "SIGHUP", "SIGUSR1" and "SIGUSR2".
var gatherSignals = []os.Signal{syscall.SIGHUP, syscall.SIGUSR1, syscall.SIGUSR2}
