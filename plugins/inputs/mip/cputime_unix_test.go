//go:build unix

package mip

import (
	"syscall"
	"time"
)

// processCPU is the CPU time (user and system) the test process used so
// far, garbage collection and the benchmark's server included.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
