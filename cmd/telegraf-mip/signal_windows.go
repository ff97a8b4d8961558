package main

// ignoreBrokenPipe has nothing to do on Windows: a write to a closed pipe
// returns an error there.
func ignoreBrokenPipe() {}
