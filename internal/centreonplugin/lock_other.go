//go:build !unix

package centreonplugin

import (
	"context"
	"errors"
)

// lockFile is not available here: each check whose cache is stale
// downloads.
func lockFile(context.Context, string) (func(), error) {
	return nil, errors.New("no file lock on this system")
}
