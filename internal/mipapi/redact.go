package mipapi

import (
	"regexp"
	"strings"
)

// userInfo matches the user information of a URL in free text: from the
// scheme's "//" to the last "@" before the end of the address.
var userInfo = regexp.MustCompile(`(//)[^/?#\s"'<>\x60]*@`)

// RedactURLs replaces the user information (user:password@) of every URL in
// s, such as a proxy's in an error from Telegraf's or Go's code, which
// repeat the address they were given.
func RedactURLs(s string) string {
	return userInfo.ReplaceAllString(s, "${1}xxxxx@")
}

// RedactError is err with the user information of every URL in its text
// redacted (see RedactURLs); err itself when there is none, so that
// errors.Is and errors.As still see what it wraps.
func RedactError(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if redacted := RedactURLs(msg); redacted != msg {
		return &redactedError{msg: redacted, err: err}
	}
	return err
}

// redactedError is an error whose text had credentials; it still unwraps
// to the original for errors.Is and errors.As, whose texts callers must
// not print.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// RedactRawURL is a text meant as a URL, which may not parse as one (a
// proxy written without its scheme, "user:password@host:port"), shown
// without what may be a password: everything before its last "@".
func RedactRawURL(raw string) string {
	i := strings.LastIndex(raw, "@")
	if i < 0 {
		return raw
	}
	if scheme, _, ok := strings.Cut(raw[:i], "://"); ok {
		return scheme + "://xxxxx@" + raw[i+1:]
	}
	return "xxxxx@" + raw[i+1:]
}
