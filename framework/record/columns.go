package record

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/gorails/gorails/framework/record/driver"
)

// SQL is a fragment of SQL written by the programmer, for the few places
// that take an expression rather than a column name: OrderSQL, SelectSQL,
// GroupSQL and PluckSQL (Rails' Arel.sql). A string literal converts to it
// by itself (OrderSQL("LOWER(title)")); a string variable, such as a
// request param, needs an explicit SQL(...) conversion, which is where a
// reader (and a reviewer) sees that text goes into the statement as is.
// Never convert what a user sent.
type SQL string

// ErrUnknownColumn: Order, Select, Group, Pluck or an aggregate was given
// something that is not a column of the table (a misspelled name, or SQL
// text). The error is a *ColumnError; the App answers it with 400 Bad
// Request, since the usual cause is a sort param a client made up.
var ErrUnknownColumn = errors.New("unknown column")

// ColumnError is a column argument that was refused: Term is what the
// caller passed, Reason why. It matches ErrUnknownColumn.
type ColumnError struct {
	Op     string // "Order", "OrderBy", "Select", "Group", "Pluck", "Sum", ...
	Term   string
	Reason string
}

func (e *ColumnError) Error() string {
	t := e.Term
	if len(t) > 80 { // a hostile param can be long; the log line need not be
		t = t[:80] + "..."
	}
	return fmt.Sprintf("record: %s(%q): %s", e.Op, t, e.Reason)
}

// Unwrap returns ErrUnknownColumn.
func (e *ColumnError) Unwrap() error { return ErrUnknownColumn }

// term is one item of ORDER BY, GROUP BY or a select list: a column name
// (optionally table-qualified) checked against the schema when the
// relation runs, with an optional direction; or programmer SQL.
type term struct {
	col   string // "title", "posts.title"; "" for raw
	dir   string // "", "ASC", "DESC"
	raw   SQL
	op    string // the method it came from, for the error
	known bool   // written by record itself (a primary key): not checked
}

// appendTo writes the term; a column name alone is qualified with table,
// the model's, which it was checked against, so a join cannot make it
// ambiguous.
func (t term) appendTo(b *strings.Builder, d *driver.Dialect, table string) {
	if t.col == "" {
		b.WriteString(string(t.raw))
		return
	}
	if strings.IndexByte(t.col, '.') < 0 {
		d.QuoteTo(b, table+"."+t.col)
	} else {
		d.QuoteTo(b, t.col)
	}
	if t.dir != "" {
		b.WriteByte(' ')
		b.WriteString(t.dir)
	}
}

func (t term) sql(d *driver.Dialect, table string) string {
	var b strings.Builder
	t.appendTo(&b, d, table)
	return b.String()
}

func writeTerms(b *strings.Builder, d *driver.Dialect, table string, ts []term) {
	for i, t := range ts {
		if i > 0 {
			b.WriteString(", ")
		}
		t.appendTo(b, d, table)
	}
}

func rawTerms(op string, exprs []SQL) []term {
	ts := make([]term, len(exprs))
	for i, e := range exprs {
		ts[i] = term{raw: e, op: op}
	}
	return ts
}

// parseOrder reads "title", "title DESC", "posts.created_at asc, id" into
// terms: each comma-separated part a column name and an optional ASC or
// DESC, nothing else.
func parseOrder(op, s string, out []term) ([]term, error) {
	rest := s
	for {
		part, more, found := strings.Cut(rest, ",")
		part = strings.TrimSpace(part)
		col, dir := part, ""
		if i := strings.LastIndexAny(part, " \t\r\n"); i >= 0 {
			col, dir = strings.TrimSpace(part[:i]), part[i+1:]
			switch {
			case strings.EqualFold(dir, "ASC"):
				dir = "ASC"
			case strings.EqualFold(dir, "DESC"):
				dir = "DESC"
			default:
				return nil, &ColumnError{Op: op, Term: s, Reason: "want a column name and an optional ASC or DESC; write SQL with OrderSQL"}
			}
		}
		if !isColumnName(col) {
			return nil, &ColumnError{Op: op, Term: s, Reason: "want a column name and an optional ASC or DESC; write SQL with OrderSQL"}
		}
		out = append(out, term{col: col, dir: dir, op: op})
		if !found {
			return out, nil
		}
		rest = more
	}
}

// columnTerms checks that each name is a column name (the schema is
// checked when the relation runs).
func columnTerms(op, sqlHint string, names []string, out []term) ([]term, error) {
	for _, n := range names {
		if !isColumnName(n) {
			return nil, &ColumnError{Op: op, Term: n, Reason: "want a column name; write SQL with " + sqlHint}
		}
		out = append(out, term{col: n, op: op})
	}
	return out, nil
}

// isColumnName reports whether s is name or table.name, each an SQL
// identifier of letters, digits and underscores.
func isColumnName(s string) bool {
	dots := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
		case '0' <= c && c <= '9' || c == '.':
			if i == 0 || s[i-1] == '.' {
				return false
			}
			if c == '.' {
				dots++
			}
		default:
			return false
		}
	}
	return s != "" && dots <= 1 && s[len(s)-1] != '.'
}

// OrderBy orders by a column a request chose, from an allow-list: param is
// "title", "title desc" or "-title" (descending), and the column must be
// one of allowed, or the relation fails with a *ColumnError (a 400 in an
// App). An empty param adds nothing, so a default order can follow:
//
//	posts := record.Query[Post](db).OrderBy(c.Params().String("sort"), "title", "created_at").Order("id")
//
// The allow-list keeps a client from sorting by a column it must not learn
// about through the order (password_digest, a token).
func (r Relation[T]) OrderBy(param string, allowed ...string) Relation[T] {
	p := strings.TrimSpace(param)
	if p == "" {
		return r
	}
	dir := ""
	if rest, ok := strings.CutPrefix(p, "-"); ok {
		p, dir = rest, "DESC"
	}
	ts, err := parseOrder("OrderBy", p, nil)
	if err != nil {
		return r.fail(err)
	}
	if len(ts) != 1 || dir != "" && ts[0].dir != "" {
		return r.fail(&ColumnError{Op: "OrderBy", Term: param, Reason: "want one column, as name, name asc, name desc or -name"})
	}
	t := ts[0]
	if dir != "" {
		t.dir = dir
	}
	for _, a := range allowed {
		if a == t.col {
			r.q.order = grow(r.q.order, t)
			return r
		}
	}
	return r.fail(&ColumnError{Op: "OrderBy", Term: param, Reason: "not one of the sortable columns " + strings.Join(allowed, ", ")})
}

// checkColumns checks every column term of the relation against the
// schema: the model's table, or for a qualified name of another table
// (joined) that table.
func (r Relation[T]) checkColumns(ctx context.Context, p *plan) error {
	for _, ts := range [][]term{r.q.selects, r.q.group, r.q.order} {
		for _, t := range ts {
			if t.col == "" || t.known {
				continue
			}
			if err := r.db.checkColumn(ctx, p, t.op, t.col); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkColumn returns a *ColumnError unless col is a column of p's table
// (or, qualified, of the table it names).
func (db *DB) checkColumn(ctx context.Context, p *plan, op, col string) error {
	if !isColumnName(col) {
		return &ColumnError{Op: op, Term: col, Reason: "want a column name"}
	}
	table, name, qualified := strings.Cut(col, ".")
	if !qualified {
		table, name = p.table, col
	}
	var cols map[string]struct{}
	if table == p.table {
		cols = p.colSet
	} else {
		var err error
		if cols, err = db.columnSet(ctx, table); err != nil {
			return err
		}
	}
	if _, ok := cols[name]; !ok {
		return &ColumnError{Op: op, Term: col, Reason: fmt.Sprintf("table %s has no column %q", table, name)}
	}
	return nil
}

// columnSet is the set of table's columns, read from the catalog once. A
// table that does not exist is not remembered, so names made up by a
// client cannot grow the cache.
func (db *DB) columnSet(ctx context.Context, table string) (map[string]struct{}, error) {
	if s, ok := db.tableCols.Load(table); ok {
		return s.(map[string]struct{}), nil
	}
	cols, err := db.drv.Columns(ctx, db.q, table)
	if err != nil {
		return nil, db.wrapErr("reflect "+table, err)
	}
	s := make(map[string]struct{}, len(cols))
	for _, c := range cols {
		s[c.Name] = struct{}{}
	}
	if len(s) == 0 {
		return s, nil
	}
	got, _ := db.tableCols.LoadOrStore(table, s)
	return got.(map[string]struct{}), nil
}
