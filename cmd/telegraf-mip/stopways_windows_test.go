package main

// stopWays are how inputs.execd stops a plugin on Windows, which has no
// SIGTERM to send: closing stdin.
var stopWays = []string{"stdin closed"}
