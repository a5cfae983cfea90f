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
	sql   string // with ? placeholders
	args  []any
	assoc string // Joins on an association: its name, turned into SQL by build
}

type query struct {
	err      error
	selects  []string
	distinct bool
	joins    []clause
	where    []clause
	group    []string
	having   []clause
	order    []string
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
	r.q.where = grow(r.q.where, clause{sql: "NOT (" + c.sql + ")", args: c.args})
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
	r.q.where = []clause{{sql: "(" + left.sql + ") OR (" + right.sql + ")", args: grow(left.args, right.args...)}}
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
		c.args = append(c.args, x.args...)
	}
	c.sql = strings.Join(parts, " AND ")
	return c
}

// Order appends ORDER BY terms: SQL text written by the programmer, never
// user input ("created_at DESC", "title").
func (r Relation[T]) Order(terms ...string) Relation[T] {
	r.q.order = grow(r.q.order, terms...)
	return r
}

// Reorder replaces the ORDER BY terms.
func (r Relation[T]) Reorder(terms ...string) Relation[T] {
	r.q.order = append([]string(nil), terms...)
	return r
}

// Limit sets LIMIT (a bound parameter).
func (r Relation[T]) Limit(n int) Relation[T] { r.q.limit = int64(n); return r }

// Offset sets OFFSET (a bound parameter).
func (r Relation[T]) Offset(n int) Relation[T] { r.q.offset = int64(n); return r }

// Select restricts the columns loaded; fields not selected keep their zero
// value. Terms are SQL; each result column must name a field of T.
func (r Relation[T]) Select(columns ...string) Relation[T] {
	r.q.selects = grow(r.q.selects, columns...)
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

// Group adds GROUP BY terms.
func (r Relation[T]) Group(terms ...string) Relation[T] {
	r.q.group = grow(r.q.group, terms...)
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
	sql, args := r.build(p, "", false)
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
	return p, nil
}

// build writes the statement. selectList overrides the select list (for
// calculations); bare drops ORDER/LIMIT/OFFSET/lock.
func (r Relation[T]) build(p *plan, selectList string, bare bool) (string, []any) {
	d := &r.db.dialect
	var b strings.Builder
	var args []any
	b.Grow(64 + len(p.selectList))
	b.WriteString("SELECT ")
	if r.q.distinct && selectList == "" {
		b.WriteString("DISTINCT ")
	}
	switch {
	case selectList != "":
		b.WriteString(selectList)
	case len(r.q.selects) > 0:
		for i, s := range r.q.selects {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(columnSQL(d, s))
		}
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
		args = append(args, j.args...)
	}
	args = writeClauses(&b, " WHERE ", r.q.where, args)
	if len(r.q.group) > 0 {
		b.WriteString(" GROUP BY ")
		b.WriteString(strings.Join(r.q.group, ", "))
	}
	args = writeClauses(&b, " HAVING ", r.q.having, args)
	if !bare {
		args = r.writeTail(&b, d, args)
	}
	return d.Rebind(b.String()), args
}

func (r Relation[T]) writeTail(b *strings.Builder, d *driver.Dialect, args []any) []any {
	if len(r.q.order) > 0 {
		b.WriteString(" ORDER BY ")
		b.WriteString(strings.Join(r.q.order, ", "))
	}
	switch {
	case r.q.limit >= 0:
		b.WriteString(" LIMIT ?")
		args = append(args, r.q.limit)
	case r.q.offset >= 0 && d.NoLimit != "":
		b.WriteString(" LIMIT ")
		b.WriteString(d.NoLimit)
	}
	if r.q.offset >= 0 {
		b.WriteString(" OFFSET ?")
		args = append(args, r.q.offset)
	}
	if r.q.lock {
		b.WriteString(d.LockClause)
	}
	return args
}

func writeClauses(b *strings.Builder, kw string, cs []clause, args []any) []any {
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
		args = append(args, c.args...)
	}
	return args
}

var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$`)

// columnSQL quotes a plain (optionally qualified) column name and leaves
// any other SQL expression as written.
func columnSQL(d *driver.Dialect, s string) string {
	if identRE.MatchString(s) {
		return d.Quote(s)
	}
	return s
}

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
			continue
		}
		b.WriteString(" = ?")
		out.args = append(out.args, v)
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
