package centreonrules

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/telegraf-mip/telegraf-mip/internal/perlre"
)

// Expr is a status expression as Centreon packs write them for
// --critical-status and the like: %{name} variables, quoted strings and
// numbers, compared with =~ /re/flags, !~, eq, ne, lt, gt, le, ge, ==, !=,
// <, >, <=, >=, combined with !, &&, ||, and the lower-precedence not, and,
// or, and grouped with parentheses. The Perl plugin evaluates it as Perl
// code; this is the subset packs use, read without Perl. Regular
// expressions are Perl's (package perlre), bounded in time.
type Expr struct {
	root node
}

// node is a part of an expression; its value is a Perl scalar, kept as a
// string with its truth computed the Perl way.
type node interface {
	eval(env *env) value
}

// env is what an evaluation reads, and its first error: a regular
// expression that ran past the deadline.
type env struct {
	vars     func(string) string
	deadline time.Time
	err      error
}

type value struct {
	s     string
	isNum bool
	n     float64
}

func str(s string) value { return value{s: s} }

func boolean(b bool) value {
	if b {
		return value{s: "1", isNum: true, n: 1}
	}
	return value{s: ""}
}

// truth is Perl's: "", "0" and 0 are false.
func (v value) truth() bool {
	if v.isNum {
		return v.n != 0
	}
	return v.s != "" && v.s != "0"
}

// num reads v as Perl numifies a string: its leading number, or 0.
func (v value) num() float64 {
	if v.isNum {
		return v.n
	}
	s := strings.TrimLeft(v.s, " \t\n\r\f")
	end := 0
	for end < len(s) && strings.IndexByte("+-0123456789.eE", s[end]) >= 0 {
		end++
	}
	for ; end > 0; end-- {
		if n, err := strconv.ParseFloat(s[:end], 64); err == nil {
			return n
		}
	}
	return 0
}

type variable string

func (n variable) eval(env *env) value { return str(env.vars(string(n))) }

type literal value

func (n literal) eval(*env) value { return value(n) }

type match struct {
	left   node
	re     *perlre.Regexp
	negate bool
}

func (n match) eval(env *env) value {
	left := n.left.eval(env)
	if env.err != nil {
		return boolean(false)
	}
	ok, err := n.re.MatchString(left.s, env.deadline)
	if err != nil {
		env.err = fmt.Errorf("/%s/: %w", n.re, err)
	}
	return boolean(ok != n.negate)
}

type compare struct {
	op          string
	left, right node
}

func (n compare) eval(env *env) value {
	l, r := n.left.eval(env), n.right.eval(env)
	switch n.op {
	case "eq":
		return boolean(l.s == r.s)
	case "ne":
		return boolean(l.s != r.s)
	case "lt":
		return boolean(l.s < r.s)
	case "gt":
		return boolean(l.s > r.s)
	case "le":
		return boolean(l.s <= r.s)
	case "ge":
		return boolean(l.s >= r.s)
	}
	a, b := l.num(), r.num()
	switch n.op {
	case "==":
		return boolean(a == b)
	case "!=":
		return boolean(a != b)
	case "<":
		return boolean(a < b)
	case ">":
		return boolean(a > b)
	case "<=":
		return boolean(a <= b)
	}
	return boolean(a >= b)
}

type logical struct {
	and         bool
	left, right node
}

// eval returns the last value evaluated, as Perl's && and || do.
func (n logical) eval(env *env) value {
	l := n.left.eval(env)
	if l.truth() != n.and {
		return l
	}
	return n.right.eval(env)
}

type not struct{ operand node }

func (n not) eval(env *env) value { return boolean(!n.operand.eval(env).truth()) }

// Eval tells whether the expression holds for the variables; vars gives the
// value of %{name} ("" for an unknown name, as Perl's undef). A regular
// expression still matching at deadline (zero: none) makes it fail with
// perlre.ErrTooSlow.
func (e *Expr) Eval(vars func(name string) string, deadline time.Time) (bool, error) {
	env := &env{vars: vars, deadline: deadline}
	holds := e.root.eval(env).truth()
	return holds && env.err == nil, env.err
}

// ParseExpr reads a status expression. An empty one is an error: callers
// treat an empty option as a rule turned off.
func ParseExpr(s string) (*Expr, error) {
	p := &parser{src: s}
	p.skipSpace()
	if p.pos == len(p.src) {
		return nil, errors.New("empty expression")
	}
	root, err := p.lowOr()
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos != len(p.src) {
		return nil, p.errorf("unexpected %q", p.rest())
	}
	return &Expr{root: root}, nil
}

type parser struct {
	src string
	pos int
}

func (p *parser) errorf(format string, args ...any) error {
	return fmt.Errorf("syntax error at column %d: %s", p.pos+1, fmt.Sprintf(format, args...))
}

func (p *parser) rest() string {
	r := p.src[p.pos:]
	if len(r) > 20 {
		r = r[:20] + "..."
	}
	return r
}

func (p *parser) skipSpace() {
	for p.pos < len(p.src) && strings.IndexByte(" \t\r\n", p.src[p.pos]) >= 0 {
		p.pos++
	}
}

// word reports whether the next token is the word w (not the start of a
// longer word), and takes it.
func (p *parser) word(w string) bool {
	p.skipSpace()
	if !strings.HasPrefix(p.src[p.pos:], w) {
		return false
	}
	end := p.pos + len(w)
	if end < len(p.src) && isWordByte(p.src[end]) {
		return false
	}
	p.pos = end
	return true
}

func isWordByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// symbol reports whether the next token is the operator sym, and takes it.
func (p *parser) symbol(sym string) bool {
	p.skipSpace()
	if !strings.HasPrefix(p.src[p.pos:], sym) {
		return false
	}
	// "=" alone, "!" before "=" or "~", are other operators.
	next := p.pos + len(sym)
	if (sym == "!" || sym == "<" || sym == ">") && next < len(p.src) && strings.IndexByte("=~", p.src[next]) >= 0 {
		return false
	}
	p.pos = next
	return true
}

func (p *parser) lowOr() (node, error) {
	left, err := p.lowAnd()
	for err == nil && p.word("or") {
		var right node
		if right, err = p.lowAnd(); err == nil {
			left = logical{left: left, right: right}
		}
	}
	return left, err
}

func (p *parser) lowAnd() (node, error) {
	left, err := p.lowNot()
	for err == nil && p.word("and") {
		var right node
		if right, err = p.lowNot(); err == nil {
			left = logical{and: true, left: left, right: right}
		}
	}
	return left, err
}

func (p *parser) lowNot() (node, error) {
	if p.word("not") {
		operand, err := p.lowNot()
		return not{operand}, err
	}
	return p.or()
}

func (p *parser) or() (node, error) {
	left, err := p.and()
	for err == nil && p.symbol("||") {
		var right node
		if right, err = p.and(); err == nil {
			left = logical{left: left, right: right}
		}
	}
	return left, err
}

func (p *parser) and() (node, error) {
	left, err := p.unary()
	for err == nil && p.symbol("&&") {
		var right node
		if right, err = p.unary(); err == nil {
			left = logical{and: true, left: left, right: right}
		}
	}
	return left, err
}

func (p *parser) unary() (node, error) {
	if p.symbol("!") {
		operand, err := p.unary()
		return not{operand}, err
	}
	return p.comparison()
}

var comparisons = []string{"==", "!=", "<=", ">=", "<", ">"}

func (p *parser) comparison() (node, error) {
	left, err := p.operand()
	if err != nil {
		return nil, err
	}
	switch {
	case p.symbol("=~"):
		return p.match(left, false)
	case p.symbol("!~"):
		return p.match(left, true)
	}
	for _, op := range []string{"eq", "ne", "lt", "gt", "le", "ge"} {
		if p.word(op) {
			right, err := p.operand()
			return compare{op: op, left: left, right: right}, err
		}
	}
	for _, op := range comparisons {
		if p.symbol(op) {
			right, err := p.operand()
			return compare{op: op, left: left, right: right}, err
		}
	}
	return left, nil
}

func (p *parser) operand() (node, error) {
	p.skipSpace()
	if p.pos == len(p.src) {
		return nil, p.errorf("unexpected end")
	}
	switch c := p.src[p.pos]; {
	case strings.HasPrefix(p.src[p.pos:], "%{"):
		end := strings.IndexByte(p.src[p.pos:], '}')
		if end < 0 {
			return nil, p.errorf("%%{ without }")
		}
		name := p.src[p.pos+2 : p.pos+end]
		p.pos += end + 1
		return variable(name), nil
	case c == '(':
		p.pos++
		inner, err := p.lowOr()
		if err != nil {
			return nil, err
		}
		if !p.symbol(")") {
			return nil, p.errorf("missing )")
		}
		return inner, nil
	case c == '\'' || c == '"':
		return p.quoted(c)
	case c == '-' || c == '+' || c == '.' || c >= '0' && c <= '9':
		start := p.pos
		p.pos++
		for p.pos < len(p.src) && strings.IndexByte("0123456789.eE_", p.src[p.pos]) >= 0 {
			p.pos++
		}
		n, err := strconv.ParseFloat(strings.ReplaceAll(p.src[start:p.pos], "_", ""), 64)
		if err != nil {
			return nil, p.errorf("bad number %q", p.src[start:p.pos])
		}
		return literal{s: PerlFloat(n), isNum: true, n: n}, nil
	}
	return nil, p.errorf("unexpected %q", p.rest())
}

// quoted reads a string literal; in double quotes, \\ \" \t \n escape.
func (p *parser) quoted(q byte) (node, error) {
	var b strings.Builder
	for i := p.pos + 1; i < len(p.src); i++ {
		c := p.src[i]
		switch {
		case c == q:
			p.pos = i + 1
			return literal{s: b.String()}, nil
		case c == '\\' && i+1 < len(p.src):
			i++
			switch e := p.src[i]; {
			case q == '"' && e == 'n':
				b.WriteByte('\n')
			case q == '"' && e == 't':
				b.WriteByte('\t')
			case e == q || e == '\\':
				b.WriteByte(e)
			default:
				b.WriteByte('\\')
				b.WriteByte(e)
			}
		default:
			b.WriteByte(c)
		}
	}
	return nil, p.errorf("string without its closing %c", q)
}

// match reads /re/flags (or m{re}flags and the like) after =~ or !~.
func (p *parser) match(left node, negate bool) (node, error) {
	p.skipSpace()
	if strings.HasPrefix(p.src[p.pos:], "m") && p.pos+1 < len(p.src) && !isWordByte(p.src[p.pos+1]) && p.src[p.pos+1] != ' ' {
		p.pos++
	}
	if p.pos == len(p.src) {
		return nil, p.errorf("a regular expression is missing")
	}
	open := p.src[p.pos]
	closing := map[byte]byte{'/': '/', '{': '}', '(': ')', '[': ']', '<': '>', '!': '!', '|': '|', '#': '#'}[open]
	if closing == 0 {
		return nil, p.errorf("a regular expression must be written /re/")
	}
	var b strings.Builder
	i := p.pos + 1
	for ; i < len(p.src) && p.src[i] != closing; i++ {
		if p.src[i] == '\\' && i+1 < len(p.src) {
			if p.src[i+1] != closing {
				b.WriteByte('\\')
			}
			i++
		}
		b.WriteByte(p.src[i])
	}
	if i == len(p.src) {
		return nil, p.errorf("regular expression without its closing %c", closing)
	}
	p.pos = i + 1
	flags := ""
	for p.pos < len(p.src) && isWordByte(p.src[p.pos]) {
		f := p.src[p.pos]
		switch f {
		case 'i', 'm', 's', 'x':
			flags += string(f)
		case 'o', 'g':
			// they change nothing in a test
		default:
			return nil, p.errorf("unknown regular expression flag %q", f)
		}
		p.pos++
	}
	pattern := b.String()
	if flags != "" {
		pattern = "(?" + flags + ")" + pattern
	}
	re, err := perlre.Compile(pattern)
	if err != nil {
		return nil, fmt.Errorf("regular expression /%s/: %w", b.String(), err)
	}
	return match{left: left, re: re, negate: negate}, nil
}

// Vars names the variables an expression uses, for checks.
func (e *Expr) Vars() []string {
	var names []string
	var walk func(node)
	walk = func(n node) {
		switch n := n.(type) {
		case variable:
			names = append(names, string(n))
		case match:
			walk(n.left)
		case compare:
			walk(n.left)
			walk(n.right)
		case logical:
			walk(n.left)
			walk(n.right)
		case not:
			walk(n.operand)
		}
	}
	walk(e.root)
	return names
}
