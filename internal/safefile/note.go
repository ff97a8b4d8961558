package safefile

import (
	"bytes"
	"errors"
	"io"
)

// noteAt is where a lock file holds its holder's note: byte 0 is the one
// Windows locks, byte 1 Beat's.
const noteAt = 2

// maxNote bounds a note read back.
const maxNote = 64

// Note writes s into the lock file, for a process that finds it held (see
// ReadNote): who holds it, say. A lock file this process cannot write
// keeps no note.
func (h *Held) Note(s string) {
	if h == nil || h.beat == nil {
		return
	}
	_ = h.beat.Truncate(noteAt)              //nolint:errcheck // an old note left only misleads the message
	_, _ = h.beat.WriteAt([]byte(s), noteAt) //nolint:errcheck // a note lost only shortens the message
}

// ReadNote returns the note of the lock file at path, "" when it has none
// or cannot be read.
func ReadNote(path string) string {
	f, err := openNoFollow(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	buf := make([]byte, maxNote)
	n, err := f.ReadAt(buf, noteAt)
	if err != nil && !errors.Is(err, io.EOF) {
		return ""
	}
	return string(bytes.TrimSpace(bytes.Trim(buf[:n], "\x00.")))
}
