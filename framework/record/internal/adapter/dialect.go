package adapter

import (
	"strconv"
	"strings"
)

// Dialect holds what differs in SQL text between databases.
type Dialect struct {
	Name       string // "postgresql", "mysql", "sqlite3"
	quote      byte
	dollar     bool // $1, $2 instead of ?
	Returning  bool // INSERT ... RETURNING
	LockClause string
}

// The three dialects.
var (
	Postgres = &Dialect{Name: "postgresql", quote: '"', dollar: true, Returning: true, LockClause: " FOR UPDATE"}
	SQLite   = &Dialect{Name: "sqlite3", quote: '"', Returning: true}
	MySQL    = &Dialect{Name: "mysql", quote: '`', LockClause: " FOR UPDATE"}
)

// Quote quotes an identifier; "posts.title" becomes "posts"."title".
func (d *Dialect) Quote(ident string) string {
	var b strings.Builder
	d.QuoteTo(&b, ident)
	return b.String()
}

// QuoteTo writes Quote(ident) to b.
func (d *Dialect) QuoteTo(b *strings.Builder, ident string) {
	q := string(d.quote)
	for i, part := range strings.Split(ident, ".") {
		if i > 0 {
			b.WriteByte('.')
		}
		if part == "*" {
			b.WriteByte('*')
			continue
		}
		b.WriteByte(d.quote)
		b.WriteString(strings.ReplaceAll(part, q, q+q))
		b.WriteByte(d.quote)
	}
}

// Rebind rewrites ? placeholders into the dialect's form. Question marks
// inside quoted strings, quoted identifiers and comments are left alone.
func (d *Dialect) Rebind(sql string) string {
	if !d.dollar || strings.IndexByte(sql, '?') < 0 {
		return sql
	}
	var b strings.Builder
	b.Grow(len(sql) + 8)
	n := 0
	for i := 0; i < len(sql); i++ {
		c := sql[i]
		switch c {
		case '\'', '"', '`':
			j := i + 1
			for j < len(sql) && sql[j] != c {
				j++
			}
			b.WriteString(sql[i:min(j+1, len(sql))])
			i = j
		case '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// Upsert returns the conflict clause of an INSERT that updates update
// columns when a row with the same conflict columns exists.
func (d *Dialect) Upsert(conflict, update []string) string {
	var b strings.Builder
	if d == MySQL {
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
