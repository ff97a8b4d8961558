//go:build !linux

package ledger

// Reader identifies the process that reads the plugin's points. On macOS,
// Windows and the BSDs it is unknown (no portable start time of the parent
// without cgo or a new dependency): every start replays the journal, as
// replay_on_restart always did.
func Reader() string { return "" }
