package record

import (
	"errors"
	"slices"
	"strings"
)

// redactedError is a driver error whose text has had the statement's
// hidden binds taken out (see hiddenBinds). It has no Unwrap, so printing
// any error of the chain never shows them; errors.Is and errors.As still
// reach the driver's error (errors.As(err, &pgErr) works, and code that
// asks for the driver's fields gets them as the driver wrote them).
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }

// Is reports whether the driver's error matches target.
func (e *redactedError) Is(target error) bool { return errors.Is(e.err, target) }

// As finds target in the driver's error chain.
func (e *redactedError) As(target any) bool { return errors.As(e.err, target) }

// redact returns err with every bind the query log would not show taken
// out of its text (MySQL's "Duplicate entry 'tok-123' for key ...",
// PostgreSQL's `invalid input syntax for type integer: "..."`). err is
// returned as it is when its text holds none.
func (db *DB) redact(err error, args []any, names []string) error {
	if err == nil || len(args) == 0 {
		return err
	}
	msg := err.Error()
	out := msg
	for _, v := range db.hiddenBinds(args, names) {
		out = scrub(out, v)
	}
	if out == msg {
		return err
	}
	return &redactedError{msg: out, err: err}
}

// hiddenBinds are the texts of the binds shownBinds does not show, the
// longest first (so a value that contains another is taken out whole).
func (db *DB) hiddenBinds(args []any, names []string) []string {
	var out []string
	for i, a := range args {
		if len(names) == len(args) && names[i] != "" && (names[i] == bindLimit || names[i] == bindOffset || !db.sensitive(names[i])) {
			continue
		}
		var v string
		switch a := a.(type) {
		case nil, bool, *bool:
			continue
		case []byte:
			v = string(a)
		default:
			v = bindText(a)
			v = strings.TrimSuffix(v, "...")
		}
		if v != "" && v != "<nil>" {
			out = append(out, v)
		}
	}
	slices.SortFunc(out, func(a, b string) int { return len(b) - len(a) })
	return out
}

// minPrefix is how much of a long value's start is enough to hide it:
// databases cut long values in their messages (MySQL's duplicate entry
// shows 64 characters), so what follows a matching start is hidden too,
// as far as it matches.
const minPrefix = 8

// scrub replaces the value v in msg with [FILTERED]: every run of msg that
// matches v's start (minPrefix bytes or more) for a long value, every
// occurrence standing alone (not inside a longer word) for a short one.
func scrub(msg, v string) string {
	var b strings.Builder
	needle := v
	long := len(v) >= minPrefix
	if long {
		needle = v[:minPrefix]
	}
	i := 0
	for {
		j := strings.Index(msg[i:], needle)
		if j < 0 {
			break
		}
		j += i
		end := j + len(needle)
		if long {
			for k := minPrefix; k < len(v) && end < len(msg) && msg[end] == v[k]; k++ {
				end++
			}
		} else if j > 0 && isWordByte(msg[j-1]) || end < len(msg) && isWordByte(msg[end]) {
			b.WriteString(msg[i : j+1])
			i = j + 1
			continue
		}
		b.WriteString(msg[i:j])
		b.WriteString("[FILTERED]")
		i = end
	}
	if i == 0 {
		return msg
	}
	b.WriteString(msg[i:])
	return b.String()
}

func isWordByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
