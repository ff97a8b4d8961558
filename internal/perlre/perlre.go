// Package perlre reads regular expressions as the Centreon Perl plugins do:
// Perl's syntax (look-around, back-references, lazy and possessive
// quantifiers, atomic groups, \A \z \Z, inline flags such as (?i)) and its
// meaning where Go's RE2 differs ($ also before a final newline, \d and \w
// Unicode-wide). It uses github.com/dlclark/regexp2 (a backtracking engine,
// .NET's) in its default mode, and bounds each match by a deadline: a
// pattern that backtracks catastrophically fails instead of hanging.
package perlre

import (
	"errors"
	"fmt"
	"time"

	"github.com/dlclark/regexp2/v2"
)

// ErrTooSlow is returned by a match that ran past its deadline, or that
// backtracked deeper than the engine's bound.
var ErrTooSlow = errors.New("the regular expression took too long to match (catastrophic backtracking?)")

// Regexp is a compiled Perl regular expression. A Regexp is for one
// goroutine at a time: each match sets its time bound.
type Regexp struct {
	re *regexp2.Regexp
}

// Compile reads a Perl regular expression (without delimiters; flags go
// inline, e.g. (?i)).
func Compile(pattern string) (*Regexp, error) {
	re, err := regexp2.Compile(pattern, regexp2.None)
	if err != nil {
		return nil, err
	}
	return &Regexp{re: re}, nil
}

// String is the pattern as given.
func (r *Regexp) String() string { return r.re.String() }

// MatchString tells whether s has a match, as Perl's =~ does; past
// deadline (zero: none), it fails with ErrTooSlow.
func (r *Regexp) MatchString(s string, deadline time.Time) (bool, error) {
	r.re.MatchTimeout = regexp2.DefaultMatchTimeout
	if !deadline.IsZero() {
		left := time.Until(deadline)
		if left <= 0 {
			return false, ErrTooSlow
		}
		r.re.MatchTimeout = left
	}
	ok, err := r.re.MatchString(s)
	if err != nil {
		if errors.Is(err, regexp2.ErrMatchTimeout) || errors.Is(err, regexp2.ErrBacktrackingStackLimit) {
			return false, ErrTooSlow
		}
		return false, fmt.Errorf("matching /%s/: %w", r.re.String(), err)
	}
	return ok, nil
}
