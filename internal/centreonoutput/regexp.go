package centreonoutput

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dlclark/regexp2/v2"
)

// Regexp is a compiled regular expression as the output options use it.
type Regexp interface {
	MatchString(s string) bool
	FindAllStringSubmatchIndex(s string, n int) [][]int
}

// CompileRegexp compiles every regular expression of the output options
// as the Perl plugins read them (Perl's syntax: look-around,
// back-references, lazy and possessive forms; regexp2, as internal/perlre
// reads the check's filters): the one place where they are compiled.
func CompileRegexp(pattern string) (Regexp, error) {
	re, err := regexp2.Compile(pattern, regexp2.None)
	if err != nil {
		return nil, err
	}
	re.MatchTimeout = matchBound
	return perlRegexp{re}, nil
}

// matchBound bounds one match of an output option's expression on one
// label or output: a pattern that backtracks catastrophically matches
// nothing instead of hanging the check (labels and outputs are short).
const matchBound = time.Second

// perlRegexp is a regexp2 expression with the methods of Go's regexp the
// output options use.
type perlRegexp struct{ re *regexp2.Regexp }

// MatchString tells whether s has a match; one past matchBound has none.
func (r perlRegexp) MatchString(s string) bool {
	ok, err := r.re.MatchString(s)
	return err == nil && ok
}

// FindAllStringSubmatchIndex is regexp.FindAllStringSubmatchIndex: at most
// n matches (all when n < 0), each the byte offsets of the match and of its
// groups (-1 for a group that took no part).
func (r perlRegexp) FindAllStringSubmatchIndex(s string, n int) [][]int {
	var all [][]int
	m, err := r.re.FindStringMatch(s)
	for ; err == nil && m != nil && (n < 0 || len(all) < n); m, err = r.re.FindNextMatch(m) {
		groups := m.Groups()
		loc := make([]int, 0, 2*len(groups))
		for i := range groups {
			g := &groups[i]
			if len(g.Captures) == 0 {
				loc = append(loc, -1, -1)
				continue
			}
			start, length := g.ByteRange()
			loc = append(loc, start, start+length)
		}
		all = append(all, loc)
	}
	if err != nil && !errors.Is(err, regexp2.ErrMatchTimeout) {
		return nil
	}
	return all
}

// compileOption compiles an option's regular expression, with the error an
// admin can act on.
func compileOption(option, pattern string) (Regexp, error) {
	re, err := CompileRegexp(pattern)
	if err != nil {
		return nil, &OptionError{Msg: fmt.Sprintf("%s '%s' is not a regular expression this command reads (Perl's syntax): %s.",
			option, pattern, regexpProblem(err))}
	}
	return re, nil
}

func regexpProblem(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, " - "); i >= 0 && strings.HasPrefix(msg, "error parsing regexp") {
		return msg[i+3:]
	}
	return msg
}

// substitution is Perl's s{pattern}{replacement}modifiers.
type substitution struct {
	re          Regexp
	replacement string
	global      bool
}

// parseSubstitution reads pattern~replacement~modifiers (split on "~" as
// Perl's split /~/ does: empty trailing fields dropped). Nothing to do
// (no pattern) is nil.
func parseSubstitution(option, v string) (*substitution, error) {
	fields := strings.Split(v, "~")
	for len(fields) > 0 && fields[len(fields)-1] == "" {
		fields = fields[:len(fields)-1]
	}
	if len(fields) == 0 {
		return nil, nil
	}
	fields = append(fields, "", "")
	pattern, replacement, modifiers := fields[0], fields[1], fields[2]
	return newSubstitution(option, v, pattern, replacement, modifiers)
}

func newSubstitution(option, v, pattern, replacement, modifiers string) (*substitution, error) {
	s := &substitution{replacement: replacement}
	flags := ""
	for _, m := range modifiers {
		switch m {
		case 'g':
			s.global = true
		case 'i', 's', 'm':
			if !strings.ContainsRune(flags, m) {
				flags += string(m)
			}
		case 'o':
		default:
			return nil, &OptionError{Msg: fmt.Sprintf("telegraf-mip centreon does not support the modifier '%c' in %s='%s': "+
				"only g, i, s, m and o.", m, option, v)}
		}
	}
	if flags != "" {
		pattern = "(?" + flags + ")" + pattern
	}
	re, err := compileOption(option, pattern)
	if err != nil {
		return nil, err
	}
	s.re = re
	return s, nil
}

// apply replaces the first match (every match with g) of s in text.
func (s *substitution) apply(text string) string {
	n := 1
	if s.global {
		n = -1
	}
	matches := s.re.FindAllStringSubmatchIndex(text, n)
	if len(matches) == 0 {
		return text
	}
	var b strings.Builder
	last := 0
	for _, m := range matches {
		b.WriteString(text[last:m[0]])
		b.WriteString(expand(s.replacement, text, m))
		last = m[1]
	}
	b.WriteString(text[last:])
	return b.String()
}

// expand interpolates a replacement as Perl's double-quoted string: $1,
// ${1}, \1 and $& the groups, \n, \t and \ before any other character.
func expand(repl, text string, m []int) string {
	group := func(i int) string {
		if 2*i+1 < len(m) && m[2*i] >= 0 {
			return text[m[2*i]:m[2*i+1]]
		}
		return ""
	}
	var b strings.Builder
	for i := 0; i < len(repl); i++ {
		c := repl[i]
		switch {
		case c == '\\' && i+1 < len(repl):
			i++
			switch e := repl[i]; {
			case e == 'n':
				b.WriteByte('\n')
			case e == 't':
				b.WriteByte('\t')
			case e >= '1' && e <= '9':
				b.WriteString(group(int(e - '0')))
			default:
				b.WriteByte(e)
			}
		case c == '$' && i+1 < len(repl) && repl[i+1] == '&':
			b.WriteString(group(0))
			i++
		case c == '$' && i+1 < len(repl) && repl[i+1] >= '0' && repl[i+1] <= '9':
			j := i + 1
			for j < len(repl) && repl[j] >= '0' && repl[j] <= '9' {
				j++
			}
			b.WriteString(group(atoi(repl[i+1 : j])))
			i = j - 1
		case c == '$' && strings.HasPrefix(repl[i+1:], "{") && strings.Contains(repl[i+1:], "}"):
			end := strings.IndexByte(repl[i:], '}') + i
			if n := repl[i+2 : end]; n != "" && strings.Trim(n, "0123456789") == "" {
				b.WriteString(group(atoi(n)))
				i = end
				continue
			}
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
		if n > 1<<20 {
			return n
		}
	}
	return n
}
