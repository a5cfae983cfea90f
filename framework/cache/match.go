package cache

import (
	"fmt"
	"strings"
)

// ValidatePattern reports whether pattern is a glob that every store reads
// the same way, returning an error wrapping ErrBadPattern if not. The
// grammar is the part of Redis' glob on which Redis and this package agree:
//
//	pattern   matches
//	*         any run of bytes, including none and including "/" and ":"
//	?         any one byte
//	[set]     one byte of the set: single bytes and ranges such as a-z
//	[^set]    one byte not in the set
//	\c        the byte c itself (also inside a set)
//
// Inside a set, "]", "\" and "-" must be quoted with "\" unless "-" joins
// the two ends of a range; a set is never empty. An unterminated set or a
// trailing "\" is an error, where Redis would guess.
func ValidatePattern(pattern string) error {
	_, err := compilePattern(pattern)
	return err
}

// QuotePattern returns s with every glob metacharacter quoted, so that the
// pattern QuotePattern(s) matches exactly s. Use it to build a pattern from
// a part that comes from a user: QuotePattern("user:"+name) + ":*".
func QuotePattern(s string) string {
	if !strings.ContainsAny(s, `*?[]\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '*', '?', '[', ']', '\\':
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

type tokenKind uint8

const (
	tokLiteral tokenKind = iota
	tokAnyByte
	tokStar
	tokSet
)

type token struct {
	kind   tokenKind
	b      byte      // tokLiteral
	negate bool      // tokSet
	ranges [][2]byte // tokSet: inclusive ranges (single bytes are lo == hi)
}

// pattern is a compiled glob.
type pattern []token

func compilePattern(p string) (pattern, error) {
	var toks pattern
	for i := 0; i < len(p); i++ {
		switch c := p[i]; c {
		case '*':
			if len(toks) == 0 || toks[len(toks)-1].kind != tokStar {
				toks = append(toks, token{kind: tokStar})
			}
		case '?':
			toks = append(toks, token{kind: tokAnyByte})
		case '\\':
			if i+1 == len(p) {
				return nil, fmt.Errorf("%w: %q ends with an unquoted \\", ErrBadPattern, p)
			}
			i++
			toks = append(toks, token{kind: tokLiteral, b: p[i]})
		case '[':
			t, end, err := compileSet(p, i)
			if err != nil {
				return nil, err
			}
			toks = append(toks, t)
			i = end
		default:
			toks = append(toks, token{kind: tokLiteral, b: c})
		}
	}
	return toks, nil
}

// compileSet reads the set that opens at p[start] ('[') and returns it with
// the index of its closing ']'.
func compileSet(p string, start int) (token, int, error) {
	t := token{kind: tokSet}
	i := start + 1
	if i < len(p) && p[i] == '^' {
		t.negate = true
		i++
	}
	for ; i < len(p); i++ {
		c := p[i]
		switch c {
		case ']':
			if len(t.ranges) == 0 {
				return t, 0, fmt.Errorf("%w: %q has an empty set at byte %d", ErrBadPattern, p, start)
			}
			return t, i, nil
		case '\\':
			if i+1 == len(p) {
				return t, 0, fmt.Errorf("%w: %q ends with an unquoted \\", ErrBadPattern, p)
			}
			i++
			t.ranges = append(t.ranges, [2]byte{p[i], p[i]})
			continue
		case '-':
			return t, 0, fmt.Errorf("%w: %q has a \"-\" that is not in a range at byte %d (quote it as \\-)", ErrBadPattern, p, i)
		}
		if i+1 < len(p) && p[i+1] == '-' {
			if i+2 >= len(p) || p[i+2] == ']' || p[i+2] == '\\' || p[i+2] == '-' {
				return t, 0, fmt.Errorf("%w: %q has a range without an end at byte %d", ErrBadPattern, p, i)
			}
			lo, hi := c, p[i+2]
			if lo > hi { // Redis reads z-a as a-z
				lo, hi = hi, lo
			}
			t.ranges = append(t.ranges, [2]byte{lo, hi})
			i += 2
			continue
		}
		t.ranges = append(t.ranges, [2]byte{c, c})
	}
	return t, 0, fmt.Errorf("%w: %q has an unterminated [ at byte %d", ErrBadPattern, p, start)
}

func (t *token) matches(c byte) bool {
	switch t.kind {
	case tokLiteral:
		return c == t.b
	case tokAnyByte:
		return true
	case tokSet:
		in := false
		for _, r := range t.ranges {
			if c >= r[0] && c <= r[1] {
				in = true
				break
			}
		}
		return in != t.negate
	}
	return false
}

// match reports whether the whole of s matches. A star backtracks only to
// the last star seen, which is enough for globs (each star can absorb what
// an earlier one would have), so the cost is O(len(p)*len(s)) at worst.
func (p pattern) match(s string) bool {
	pi, si := 0, 0
	star, starS := -1, 0
	for si < len(s) {
		if pi < len(p) {
			t := &p[pi]
			if t.kind == tokStar {
				star, starS = pi, si
				pi++
				continue
			}
			if t.matches(s[si]) {
				pi++
				si++
				continue
			}
		}
		if star < 0 {
			return false
		}
		starS++
		pi, si = star+1, starS
	}
	for pi < len(p) && p[pi].kind == tokStar {
		pi++
	}
	return pi == len(p)
}
