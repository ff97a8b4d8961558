//go:build !unix

package main

import "os"

// gatherSignals is empty where inputs.execd cannot send signals (Windows):
// there a line on stdin (signal = "STDIN") asks for a gather.
var gatherSignals []os.Signal
