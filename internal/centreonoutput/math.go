package centreonoutput

import (
	"strconv"
	"strings"
)

// evalMath evaluates math()'s expression, which the Perl plugins eval as
// Perl: numbers, current, + - * / and parentheses, with Perl's
// precedence. False when Perl's eval would fail (a syntax error, a
// division by zero): the value is then left as it was.
func evalMath(expr string, current float64) (float64, bool) {
	p := &mathParser{src: strings.ReplaceAll(expr, "current", " c "), current: current}
	v, ok := p.sum()
	p.space()
	return v, ok && p.pos == len(p.src)
}

type mathParser struct {
	src     string
	pos     int
	current float64
}

func (p *mathParser) space() {
	for p.pos < len(p.src) && strings.IndexByte(" \t\r\n\f", p.src[p.pos]) >= 0 {
		p.pos++
	}
}

func (p *mathParser) peek() byte {
	p.space()
	if p.pos < len(p.src) {
		return p.src[p.pos]
	}
	return 0
}

func (p *mathParser) sum() (float64, bool) {
	v, ok := p.product()
	for ok {
		switch p.peek() {
		case '+', '-':
			op := p.src[p.pos]
			p.pos++
			var r float64
			if r, ok = p.product(); op == '+' {
				v += r
			} else {
				v -= r
			}
		default:
			return v, ok
		}
	}
	return v, false
}

func (p *mathParser) product() (float64, bool) {
	v, ok := p.unary()
	for ok {
		switch p.peek() {
		case '*', '/':
			op := p.src[p.pos]
			p.pos++
			var r float64
			if r, ok = p.unary(); !ok {
				return 0, false
			}
			if op == '*' {
				v *= r
			} else if r == 0 {
				return 0, false
			} else {
				v /= r
			}
		default:
			return v, ok
		}
	}
	return v, false
}

func (p *mathParser) unary() (float64, bool) {
	switch p.peek() {
	case '-':
		p.pos++
		v, ok := p.unary()
		return -v, ok
	case '+':
		p.pos++
		return p.unary()
	case '(':
		p.pos++
		v, ok := p.sum()
		if !ok || p.peek() != ')' {
			return 0, false
		}
		p.pos++
		return v, true
	case 'c':
		p.pos++
		return p.current, true
	}
	start := p.pos
	for p.pos < len(p.src) && strings.IndexByte("0123456789.", p.src[p.pos]) >= 0 {
		p.pos++
	}
	v, err := strconv.ParseFloat(p.src[start:p.pos], 64)
	return v, err == nil
}
