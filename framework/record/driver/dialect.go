package driver

import (
	"strings"

	"github.com/gorails/gorails/framework/record/internal/sqlscan"
)

// Dialect is how a database spells its SQL: what record's statement
// builders and the migrations need to know. It is a plain value; a Pool
// returns its own.
type Dialect struct {
	// Name is the adapter name ("sqlite3", "postgresql", "mysql").
	Name string
	// IdentQuote quotes identifiers: '"' (standard SQL) or '`' (MySQL).
	IdentQuote byte
	// DollarPlaceholders: binds are written $1, $2, ... (PostgreSQL)
	// rather than ?.
	DollarPlaceholders bool
	// BackslashEscapes: a backslash escapes the next character inside
	// '...' (MySQL's default), which matters to finding placeholders.
	BackslashEscapes bool
	// Returning: INSERT ... RETURNING reads generated keys back.
	Returning bool
	// LockClause is what Relation.Lock appends to a SELECT (" FOR UPDATE"),
	// "" where a write transaction already locks (SQLite).
	LockClause string
	// DuplicateKeyUpsert: conflicts are written ON DUPLICATE KEY UPDATE
	// (MySQL) rather than ON CONFLICT (...) DO ....
	DuplicateKeyUpsert bool
	// MaxBinds is the most bound parameters one statement may carry.
	MaxBinds int
	// NoLimit is the LIMIT that means every row, for an OFFSET without a
	// LIMIT where the database requires one ("-1" on SQLite,
	// "18446744073709551615" on MySQL); "" where OFFSET stands alone.
	NoLimit string
	// TextTimes: the driver may hand a time column over as text (SQLite,
	// for a declared type other than exactly DATE, DATETIME or TIMESTAMP,
	// such as Rails' datetime(6)); record then parses it into time fields.
	TextTimes bool
}

// Quote quotes an identifier; "posts.title" becomes "posts"."title" and a
// * part stays bare ("posts".*).
func (d Dialect) Quote(ident string) string {
	var b strings.Builder
	d.QuoteTo(&b, ident)
	return b.String()
}

// QuoteTo writes Quote(ident) to b.
func (d Dialect) QuoteTo(b *strings.Builder, ident string) {
	q := string(d.IdentQuote)
	for i, part := range strings.Split(ident, ".") {
		if i > 0 {
			b.WriteByte('.')
		}
		if part == "*" {
			b.WriteByte('*')
			continue
		}
		b.WriteByte(d.IdentQuote)
		b.WriteString(strings.ReplaceAll(part, q, q+q))
		b.WriteByte(d.IdentQuote)
	}
}

// Rebind rewrites ? placeholders into the dialect's form ($1, $2, ... on
// PostgreSQL; unchanged elsewhere). Question marks inside quoted strings,
// quoted identifiers and comments are left alone.
func (d Dialect) Rebind(sql string) string {
	if !d.DollarPlaceholders {
		return sql
	}
	return sqlscan.Rebind(sql, d.BackslashEscapes)
}

// Placeholders counts the ? placeholders of sql (outside quotes and comments).
func (d Dialect) Placeholders(sql string) int { return sqlscan.Count(sql, d.BackslashEscapes) }

// UpsertClause returns the conflict clause of an INSERT that overwrites the
// update columns when a row with the same conflict columns exists (does
// nothing when update is empty).
func (d Dialect) UpsertClause(conflict, update []string) string {
	var b strings.Builder
	if d.DuplicateKeyUpsert {
		b.WriteString(" ON DUPLICATE KEY UPDATE ")
		if len(update) == 0 { // a no-op update keeps MySQL from failing
			d.QuoteTo(&b, conflict[0])
			b.WriteString(" = ")
			d.QuoteTo(&b, conflict[0])
		}
		for i, c := range update {
			if i > 0 {
				b.WriteString(", ")
			}
			d.QuoteTo(&b, c)
			b.WriteString(" = VALUES(")
			d.QuoteTo(&b, c)
			b.WriteString(")")
		}
		return b.String()
	}
	b.WriteString(" ON CONFLICT (")
	for i, c := range conflict {
		if i > 0 {
			b.WriteString(", ")
		}
		d.QuoteTo(&b, c)
	}
	if len(update) == 0 {
		b.WriteString(") DO NOTHING")
		return b.String()
	}
	b.WriteString(") DO UPDATE SET ")
	for i, c := range update {
		if i > 0 {
			b.WriteString(", ")
		}
		d.QuoteTo(&b, c)
		b.WriteString(" = EXCLUDED.")
		d.QuoteTo(&b, c)
	}
	return b.String()
}
