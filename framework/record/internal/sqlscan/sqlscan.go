// Package sqlscan splits SQL text into the parts record cares about: quoted
// strings and identifiers, comments, placeholders, and the text between.
// It is the one scanner behind rewriting ? into $n (driver.Dialect.Rebind),
// counting and expanding the placeholders of a Where fragment, and naming
// the column of each bind in the query log, so that all of them agree on
// what is a placeholder: a ? inside quotes or a comment never is.
//
// It knows '...' strings (a quote written twice stays inside; with backslash escapes,
// as MySQL has by default, \' does too), "..." and `...` quoted names,
// PostgreSQL's dollar-quoted $tag$...$tag$ strings, -- and /* */ comments,
// and the placeholders ? and $1. An unterminated quote or comment runs to
// the end of the text. It does not parse SQL: everything else is Text.
package sqlscan

import "strings"

// Kind is what a token is.
type Kind uint8

// Token kinds.
const (
	Text        Kind = iota // anything else: keywords, names, operators, numbers, spaces
	String                  // '...' or $tag$...$tag$
	QuotedIdent             // "..." or `...` (in MySQL "..." may be a string; either way it is opaque)
	Comment                 // -- up to the end of the line, or /* ... */
	Question                // the ? placeholder
	Dollar                  // a $n placeholder ($ and digits)
)

// Next returns the kind and the length in bytes of the token at the start
// of sql; the length is 0 only for empty sql. backslash says whether a
// backslash escapes the next byte inside '...' (MySQL's default).
func Next(sql string, backslash bool) (Kind, int) {
	if sql == "" {
		return Text, 0
	}
	switch c := sql[0]; c {
	case '?':
		return Question, 1
	case '\'':
		return String, quoted(sql, '\'', backslash)
	case '"', '`':
		return QuotedIdent, quoted(sql, c, false)
	case '-':
		if len(sql) > 1 && sql[1] == '-' {
			if i := strings.IndexByte(sql, '\n'); i >= 0 {
				return Comment, i + 1
			}
			return Comment, len(sql)
		}
	case '/':
		if len(sql) > 1 && sql[1] == '*' {
			if i := strings.Index(sql[2:], "*/"); i >= 0 {
				return Comment, i + 4
			}
			return Comment, len(sql)
		}
	case '$':
		if n := digits(sql[1:]); n > 0 {
			return Dollar, 1 + n
		}
		if n := dollarQuoted(sql); n > 0 {
			return String, n
		}
	}
	return Text, text(sql)
}

// quoted is the length of the quoted token at the start of sql, opened by
// q: up to the closing q, where a doubled q stays inside.
func quoted(sql string, q byte, backslash bool) int {
	for i := 1; i < len(sql); i++ {
		switch sql[i] {
		case '\\':
			if backslash {
				i++
			}
		case q:
			if i+1 < len(sql) && sql[i+1] == q {
				i++
				continue
			}
			return i + 1
		}
	}
	return len(sql)
}

// dollarQuoted is the length of the dollar-quoted string at the start of
// sql ($$...$$ or $tag$...$tag$), or 0 when sql does not start one.
func dollarQuoted(sql string) int {
	end := 1
	for end < len(sql) && isIdent(sql[end]) && !(end == 1 && isDigit(sql[end])) {
		end++
	}
	if end >= len(sql) || sql[end] != '$' {
		return 0
	}
	tag := sql[:end+1]
	if i := strings.Index(sql[len(tag):], tag); i >= 0 {
		return len(tag) + i + len(tag)
	}
	return len(sql)
}

// text is the length of the Text token at the start of sql: up to the next
// byte that may start another kind. A $ inside a name (MySQL allows it) is
// part of the name.
func text(sql string) int {
	for i := 1; i < len(sql); i++ {
		switch c := sql[i]; c {
		case '?', '\'', '"', '`':
			return i
		case '-', '/':
			if i+1 < len(sql) && (c == '-' && sql[i+1] == '-' || c == '/' && sql[i+1] == '*') {
				return i
			}
		case '$':
			if !isIdent(sql[i-1]) {
				return i
			}
		}
	}
	return len(sql)
}

func digits(s string) int {
	n := 0
	for n < len(s) && isDigit(s[n]) {
		n++
	}
	return n
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// isIdent reports whether c may be part of an unquoted name.
func isIdent(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || isDigit(c) || c >= 0x80
}

// IsIdent reports whether c may be part of an unquoted name (ASCII letters,
// digits, _ and any byte of a multi-byte UTF-8 character).
func IsIdent(c byte) bool { return isIdent(c) }

// Count returns the number of ? placeholders in sql.
func Count(sql string, backslash bool) int {
	n := 0
	for i := 0; i < len(sql); {
		k, l := Next(sql[i:], backslash)
		if k == Question {
			n++
		}
		i += l
	}
	return n
}

// Rebind rewrites each ? placeholder of sql into $1, $2, ... in order, and
// returns sql itself when it has none. It is on the path of every query
// record builds, so plain text is copied in runs rather than token by
// token; it agrees with Next (FuzzScan checks it).
func Rebind(sql string, backslash bool) string {
	if strings.IndexByte(sql, '?') < 0 {
		return sql
	}
	var b strings.Builder
	b.Grow(len(sql) + 8)
	n := 0
	start := 0    // sql[start:i] is text not written yet
	text := false // the byte before i belongs to a Text token
	for i := 0; i < len(sql); {
		switch c := sql[i]; {
		case c == '?':
			b.WriteString(sql[start:i])
			n++
			b.WriteByte('$')
			writeInt(&b, n)
			i++
			start, text = i, false
		case c == '\'' || c == '"' || c == '`' || c == '-' || c == '/' || c == '$' && !(text && isIdent(sql[i-1])):
			k, l := Next(sql[i:], backslash)
			if text = k == Text; text {
				l = 1 // a lone -, / or $: the rest is scanned again
			}
			i += l
		default: // text, and a $ inside a name
			i++
			text = true
		}
	}
	b.WriteString(sql[start:])
	return b.String()
}

// writeInt writes n >= 0 in decimal without allocating.
func writeInt(b *strings.Builder, n int) {
	var buf [20]byte
	i := len(buf)
	for {
		i--
		buf[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	b.Write(buf[i:])
}
