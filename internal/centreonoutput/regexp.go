package centreonoutput

import (
	"fmt"
	"regexp"
	"strings"
)

// Regexp is a compiled regular expression as the output options use it.
type Regexp interface {
	MatchString(s string) bool
	FindAllStringSubmatchIndex(s string, n int) [][]int
}

// CompileRegexp compiles every regular expression of the output options
// (Perl's in the Perl plugins): the one place where they are compiled.
func CompileRegexp(pattern string) (Regexp, error) { return regexp.Compile(pattern) }

// compileOption compiles an option's regular expression, with the error an
// admin can act on.
func compileOption(option, pattern string) (Regexp, error) {
	re, err := CompileRegexp(pattern)
	if err != nil {
		return nil, &OptionError{Msg: fmt.Sprintf("%s '%s' is not a regular expression this command reads (Go's RE2 syntax): %s.",
			option, pattern, regexpProblem(err))}
	}
	return re, nil
}

func regexpProblem(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, ": "); i >= 0 && strings.HasPrefix(msg, "error parsing regexp") {
		return msg[i+2:]
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
