package record

import (
	"context"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strings"

	"github.com/gorails/gorails/framework/record/driver"
	"github.com/gorails/gorails/framework/record/internal/sqlscan"
	"github.com/gorails/gorails/internal/inflect"
)

// Cond is a condition by column: Where(record.Cond{"title": t, "user_id":
// nil, "id": []int64{1, 2}}) is title = ? AND user_id IS NULL AND id IN (?, ?).
// Keys are column names, optionally table-qualified ("users.name").
type Cond map[string]any

// Attrs are column values for Update, UpdateColumns and UpdateAll. Keys are
// column names (or Go field names).
type Attrs map[string]any

// Relation is a lazy, immutable query on model T. Every method returns a new
// Relation and leaves its receiver unchanged, so a Relation can be shared,
// stored in a variable and extended from several goroutines. Nothing runs
// until a finder or calculation is called. Errors made while building (a
// wrong number of binds, an unknown condition type) are reported by the
// finder.
//
// Scopes are plain functions:
//
//	func Published(r record.Relation[Post]) record.Relation[Post] { return r.Where(record.Cond{"published": true}) }
type Relation[T any] struct {
	db *DB
	q  query
}

type clause struct {
	sql  string // with ? placeholders
	args []any
	// names parallels args: the column the ORM itself put each bind
	// against (a Cond key, a model's field), "" where it does not know (a
	// SQL fragment's ?). nil: none known. The query log shows a bind's
	// value only under a known, unfiltered name (see bindNames).
	names []string
	assoc string // Joins on an association: its name, turned into SQL by build
}

type query struct {
	err      error
	selects  []term
	distinct bool
	joins    []clause
	where    []clause
	group    []term
	having   []clause
	order    []term
	limit    int64 // -1: none
	offset   int64 // -1: none
	lock     bool
	preload  []string // association paths ("comments.author"), see Preload
	strict   int8     // strict loading: 0 from Config, 1 on, -1 off
}

// Query starts a relation on model T: all rows of its table. Its
// statements run on ex: Query[Post](tx) reads inside the transaction tx.
func Query[T any](ex Executor) Relation[T] {
	return Relation[T]{db: ex.on(), q: query{limit: -1, offset: -1}}
}

// grow copies s so that appending never writes into a shared array.
func grow[E any](s []E, e ...E) []E { return append(s[:len(s):len(s)], e...) }

func (r Relation[T]) fail(err error) Relation[T] {
	if r.q.err == nil {
		r.q.err = err
	}
	return r
}

// Where adds a condition, ANDed with the others. cond is a SQL fragment with
// ? binds ("title = ? AND created_at > ?"; a slice bind becomes a list for
// IN (?)), a Cond, or a struct whose every field is a condition (zero values
// included: Where(struct{ Published bool }{}) is published = false).
// Every ? outside quotes is a placeholder, so PostgreSQL's jsonb ? operators
// must be written as functions (jsonb_exists).
func (r Relation[T]) Where(cond any, args ...any) Relation[T] {
	c, err := makeClause(&r.db.dialect, cond, args)
	if err != nil {
		return r.fail(err)
	}
	if c.sql == "" {
		return r
	}
	r.q.where = grow(r.q.where, c)
	return r
}

// Not adds the negation of a condition (same forms as Where).
func (r Relation[T]) Not(cond any, args ...any) Relation[T] {
	c, err := makeClause(&r.db.dialect, cond, args)
	if err != nil {
		return r.fail(err)
	}
	if c.sql == "" {
		return r
	}
	r.q.where = grow(r.q.where, clause{sql: "NOT (" + c.sql + ")", args: c.args, names: c.names})
	return r
}

// Or returns rows matching r's conditions or other's: (r) OR (other).
// The other parts of other (order, limit...) are ignored.
func (r Relation[T]) Or(other Relation[T]) Relation[T] {
	if other.q.err != nil {
		return r.fail(other.q.err)
	}
	if len(r.q.where) == 0 || len(other.q.where) == 0 {
		r.q.where = nil // one side matches everything
		return r
	}
	left, right := joinClauses(r.q.where), joinClauses(other.q.where)
	r.q.where = []clause{{
		sql:   "(" + left.sql + ") OR (" + right.sql + ")",
		args:  grow(left.args, right.args...),
		names: appendNames(appendNames(nil, left.names, len(left.args)), right.names, len(right.args)),
	}}
	return r
}

func joinClauses(cs []clause) clause {
	if len(cs) == 1 {
		return cs[0]
	}
	var c clause
	parts := make([]string, len(cs))
	for i, x := range cs {
		parts[i] = "(" + x.sql + ")"
		c.names = appendNames(c.names, x.names, len(x.args))
		c.args = append(c.args, x.args...)
	}
	c.sql = strings.Join(parts, " AND ")
	return c
}

// Order appends ORDER BY terms, each a column of the table ("title"),
// optionally qualified ("users.name", a joined table) and followed by ASC
// or DESC ("created_at DESC"); a term may list several, comma-separated.
// Anything else, such as an SQL expression, fails the relation with a
// *ColumnError (ErrUnknownColumn) before any SQL is sent, and so does a
// name that is not a column when the relation runs: a request param
// passed here can choose a column but never inject SQL. To sort by a
// param, prefer OrderBy with an allow-list; for an expression, OrderSQL.
func (r Relation[T]) Order(terms ...string) Relation[T] {
	order := grow(r.q.order)
	for _, t := range terms {
		var err error
		if order, err = parseOrder("Order", t, order); err != nil {
			return r.fail(err)
		}
	}
	r.q.order = order
	return r
}

// OrderSQL appends ORDER BY expressions written in SQL by the programmer
// (OrderSQL("LOWER(title)", "id DESC")), sent as written; see SQL.
func (r Relation[T]) OrderSQL(exprs ...SQL) Relation[T] {
	r.q.order = grow(r.q.order, rawTerms("OrderSQL", exprs)...)
	return r
}

// Reorder replaces the ORDER BY terms (same forms as Order); with none it
// removes the order, so Reorder().OrderSQL(...) replaces it with SQL.
func (r Relation[T]) Reorder(terms ...string) Relation[T] {
	r.q.order = nil
	return r.Order(terms...)
}

// Limit sets LIMIT (a bound parameter).
func (r Relation[T]) Limit(n int) Relation[T] { r.q.limit = int64(n); return r }

// Offset sets OFFSET (a bound parameter).
func (r Relation[T]) Offset(n int) Relation[T] { r.q.offset = int64(n); return r }

// Select restricts the columns loaded to the named ones ("id", "title",
// "posts.title"); fields not selected keep their zero value. A name that is
// not a column fails the relation with a *ColumnError (ErrUnknownColumn).
func (r Relation[T]) Select(columns ...string) Relation[T] {
	sel, err := columnTerms("Select", "SelectSQL", columns, grow(r.q.selects))
	if err != nil {
		return r.fail(err)
	}
	r.q.selects = sel
	return r
}

// SelectSQL adds select-list expressions written in SQL by the programmer
// ("COUNT(*) AS comments_count"); each result column must name a field of
// T. See SQL.
func (r Relation[T]) SelectSQL(exprs ...SQL) Relation[T] {
	r.q.selects = grow(r.q.selects, rawTerms("SelectSQL", exprs)...)
	return r
}

// Joins adds a JOIN written in SQL ("JOIN users ON users.id = posts.user_id"),
// with optional binds, or an INNER JOIN on an association named alone
// (Joins("author"), Joins("comments"); two JOINs for a HasManyThrough), so
// that Where can filter on the joined table: Where(record.Cond{"users.name": n}).
// A HasMany join repeats the row per match (add Distinct); the
// association's Scope is not applied to a join.
func (r Relation[T]) Joins(join string, args ...any) Relation[T] {
	if len(args) == 0 && assocNameRE.MatchString(join) {
		r.q.joins = grow(r.q.joins, clause{assoc: join})
		return r
	}
	c, err := makeClause(&r.db.dialect, join, args)
	if err != nil {
		return r.fail(err)
	}
	r.q.joins = grow(r.q.joins, c)
	return r
}

// Group adds GROUP BY columns (checked as Select's are).
func (r Relation[T]) Group(columns ...string) Relation[T] {
	g, err := columnTerms("Group", "GroupSQL", columns, grow(r.q.group))
	if err != nil {
		return r.fail(err)
	}
	r.q.group = g
	return r
}

// GroupSQL adds GROUP BY expressions written in SQL by the programmer
// ("DATE(created_at)"). See SQL.
func (r Relation[T]) GroupSQL(exprs ...SQL) Relation[T] {
	r.q.group = grow(r.q.group, rawTerms("GroupSQL", exprs)...)
	return r
}

// Having adds a HAVING condition (a fragment with binds, or a Cond).
func (r Relation[T]) Having(cond any, args ...any) Relation[T] {
	c, err := makeClause(&r.db.dialect, cond, args)
	if err != nil {
		return r.fail(err)
	}
	r.q.having = grow(r.q.having, c)
	return r
}

// Distinct makes it SELECT DISTINCT.
func (r Relation[T]) Distinct() Relation[T] { r.q.distinct = true; return r }

// Lock adds FOR UPDATE on PostgreSQL and MySQL. On SQLite, where a write
// transaction already locks the database (record begins them IMMEDIATE),
// it adds nothing. Use it inside Transaction.
func (r Relation[T]) Lock() Relation[T] { r.q.lock = true; return r }

// ToSQL returns the SELECT statement r stands for, as sent to the database,
// and its binds.
func (r Relation[T]) ToSQL(ctx context.Context) (string, []any, error) {
	p, err := r.plan(ctx)
	if err != nil {
		return "", nil, err
	}
	sql, args, _ := r.build(p, "", false)
	return sql, args, nil
}

func (r Relation[T]) plan(ctx context.Context) (*plan, error) {
	if r.q.err != nil {
		return nil, r.q.err
	}
	p, err := planFor[T](ctx, r.db)
	if err != nil {
		return nil, err
	}
	for _, j := range r.q.joins {
		if j.assoc != "" {
			if err := p.checkJoin(ctx, r.db, j.assoc); err != nil {
				return nil, err
			}
		}
	}
	if err := r.checkColumns(ctx, p); err != nil {
		return nil, err
	}
	return p, nil
}

// build writes the statement. selectList overrides the select list (for
// calculations); bare drops ORDER/LIMIT/OFFSET/lock. names parallels args
// (see clause.names).
func (r Relation[T]) build(p *plan, selectList string, bare bool) (string, []any, []string) {
	d := &r.db.dialect
	var b strings.Builder
	var args []any
	var names []string
	b.Grow(64 + len(p.selectList))
	b.WriteString("SELECT ")
	if r.q.distinct && selectList == "" {
		b.WriteString("DISTINCT ")
	}
	switch {
	case selectList != "":
		b.WriteString(selectList)
	case len(r.q.selects) > 0:
		writeTerms(&b, d, p.table, r.q.selects)
	default:
		b.WriteString(p.selectList)
	}
	b.WriteString(" FROM ")
	b.WriteString(p.qtable)
	for _, j := range r.q.joins {
		if j.assoc != "" {
			j = p.assocByName[j.assoc].join(d)
		}
		b.WriteByte(' ')
		b.WriteString(j.sql)
		names = appendNames(names, j.names, len(j.args))
		args = append(args, j.args...)
	}
	args, names = writeClauses(&b, " WHERE ", r.q.where, args, names)
	if len(r.q.group) > 0 {
		b.WriteString(" GROUP BY ")
		writeTerms(&b, d, p.table, r.q.group)
	}
	args, names = writeClauses(&b, " HAVING ", r.q.having, args, names)
	if !bare {
		args, names = r.writeTail(&b, d, p.table, args, names)
	}
	return d.Rebind(b.String()), args, names
}

func (r Relation[T]) writeTail(b *strings.Builder, d *driver.Dialect, table string, args []any, names []string) ([]any, []string) {
	if len(r.q.order) > 0 {
		b.WriteString(" ORDER BY ")
		writeTerms(b, d, table, r.q.order)
	}
	switch {
	case r.q.limit >= 0:
		b.WriteString(" LIMIT ?")
		names = appendNames(names, nil, len(args)-len(names))
		args, names = append(args, r.q.limit), append(names, bindLimit)
	case r.q.offset >= 0 && d.NoLimit != "":
		b.WriteString(" LIMIT ")
		b.WriteString(d.NoLimit)
	}
	if r.q.offset >= 0 {
		b.WriteString(" OFFSET ?")
		names = appendNames(names, nil, len(args)-len(names))
		args, names = append(args, r.q.offset), append(names, bindOffset)
	}
	if r.q.lock {
		b.WriteString(d.LockClause)
	}
	return args, names
}

func writeClauses(b *strings.Builder, kw string, cs []clause, args []any, names []string) ([]any, []string) {
	for i, c := range cs {
		if i == 0 {
			b.WriteString(kw)
		} else {
			b.WriteString(" AND ")
		}
		if len(cs) > 1 {
			b.WriteByte('(')
			b.WriteString(c.sql)
			b.WriteByte(')')
		} else {
			b.WriteString(c.sql)
		}
		names = appendNames(appendNames(names, nil, len(args)-len(names)), c.names, len(c.args))
		args = append(args, c.args...)
	}
	return args, names
}

var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$`)

// makeClause turns a Where argument into SQL with ? binds.
func makeClause(d *driver.Dialect, cond any, args []any) (clause, error) {
	switch c := cond.(type) {
	case string:
		return expandFragment(d, c, args)
	case Cond:
		if len(args) > 0 {
			return clause{}, fmt.Errorf("record: Where(Cond) takes no binds")
		}
		return condClause(d, c)
	case map[string]any:
		return makeClause(d, Cond(c), args)
	case nil:
		return clause{}, fmt.Errorf("record: Where(nil)")
	}
	rv := reflect.ValueOf(cond)
	if rv.Kind() == reflect.Pointer {
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Struct {
		return clause{}, fmt.Errorf("record: Where: unsupported condition type %T (want string, record.Cond or a struct)", cond)
	}
	m := Cond{}
	for i := range rv.NumField() {
		sf := rv.Type().Field(i)
		if !sf.IsExported() || reflect.PointerTo(sf.Type).Implements(assocFieldType) {
			continue // associations are not columns
		}
		col := strings.Split(sf.Tag.Get("db"), ",")[0]
		if col == "-" {
			continue
		}
		if col == "" {
			col = inflect.Underscore(sf.Name)
		}
		m[col] = rv.Field(i).Interface()
	}
	return condClause(d, m)
}

func condClause(d *driver.Dialect, c Cond) (clause, error) {
	keys := make([]string, 0, len(c))
	for k := range c {
		if !identRE.MatchString(k) {
			return clause{}, fmt.Errorf("record: Cond key %q is not a column name", k)
		}
		keys = append(keys, k)
	}
	sort.Strings(keys) // stable SQL text: one prepared statement per shape
	var b strings.Builder
	var out clause
	for i, k := range keys {
		if i > 0 {
			b.WriteString(" AND ")
		}
		d.QuoteTo(&b, k)
		v := c[k]
		if isNil(v) {
			b.WriteString(" IS NULL")
			continue
		}
		if list, ok := listOf(v); ok {
			if len(list) == 0 {
				// The whole conjunction is false (and its negation true).
				return clause{sql: "1=0"}, nil
			}
			b.WriteString(" IN (")
			for j := range list {
				if j > 0 {
					b.WriteString(", ")
				}
				b.WriteByte('?')
			}
			b.WriteByte(')')
			out.args = append(out.args, list...)
			for range list {
				out.names = append(out.names, k)
			}
			continue
		}
		b.WriteString(" = ?")
		out.args = append(out.args, v)
		out.names = append(out.names, k)
	}
	out.sql = b.String()
	return out, nil
}

func isNil(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Interface:
		return rv.IsNil()
	}
	return false
}

// listOf returns the elements of a slice or array bind ([]byte is a value).
func listOf(v any) ([]any, bool) {
	switch v.(type) {
	case []byte, string:
		return nil, false
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array {
		return nil, false
	}
	out := make([]any, rv.Len())
	for i := range out {
		out[i] = rv.Index(i).Interface()
	}
	return out, true
}

// expandFragment checks the number of binds and expands slice binds into
// lists of placeholders.
func expandFragment(d *driver.Dialect, sql string, args []any) (clause, error) {
	n := d.Placeholders(sql)
	if n != len(args) {
		return clause{}, fmt.Errorf("record: %q has %d placeholders but %d binds", sql, n, len(args))
	}
	expand := false
	for _, a := range args {
		if _, ok := listOf(a); ok {
			expand = true
			break
		}
	}
	if !expand {
		return clause{sql: sql, args: args}, nil
	}
	var b strings.Builder
	var out []any
	k := 0
	for i := 0; i < len(sql); {
		kind, l := sqlscan.Next(sql[i:], d.BackslashEscapes)
		if kind != sqlscan.Question {
			b.WriteString(sql[i : i+l])
			i += l
			continue
		}
		i += l
		list, ok := listOf(args[k])
		k++
		if !ok {
			b.WriteByte('?')
			out = append(out, args[k-1])
			continue
		}
		if len(list) == 0 {
			b.WriteString("NULL") // IN (NULL) matches nothing
			continue
		}
		for j := range list {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('?')
		}
		out = append(out, list...)
	}
	return clause{sql: b.String(), args: out}, nil
}

// Scopes applies scope functions in order: posts.Scopes(Published, Recent).
func (r Relation[T]) Scopes(scopes ...func(Relation[T]) Relation[T]) Relation[T] {
	for _, s := range scopes {
		r = s(r)
	}
	return r
}
