//go:build !unix

package ledger

import "os"

// openNoBlock opens path for reading: opening a named pipe does not wait
// for a writer here.
func openNoBlock(path string) (*os.File, error) {
	return os.Open(path)
}
