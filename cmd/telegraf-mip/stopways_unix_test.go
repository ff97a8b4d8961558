//go:build !windows

package main

// stopWays are how inputs.execd stops a plugin: SIGTERM, and closing stdin.
var stopWays = []string{"SIGTERM", "stdin closed"}
