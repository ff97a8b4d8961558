package mipapi

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestRelativeDurationCoversTheWindow: the window written for MIP is never
// shorter than the one asked, which the ledger counts on (a run before the
// window asked was in no window); rounding to the nearest second lost up to
// half a second of it.
func TestRelativeDurationCoversTheWindow(t *testing.T) {
	for d, want := range map[time.Duration]string{
		time.Hour:                        "1h",
		time.Hour + 400*time.Millisecond: "3601s",
		20*time.Minute + 43*time.Second + 650*time.Millisecond: "1244s",
		90 * time.Second: "90s",
		2 * time.Minute:  "2m",
		48 * time.Hour:   "2d",
		time.Nanosecond:  "1s",
		0:                "1s",
	} {
		require.Equal(t, want, RelativeDuration(d), "%s", d)
	}
}
