package record

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unsafe"

	"github.com/gorails/gorails/framework/record/driver"
)

// BatchSize is the batch size of Each.
const BatchSize = 1000

// All loads every row of the relation. An empty result is an empty slice
// and no error.
func (r Relation[T]) All(ctx context.Context) ([]T, error) {
	p, err := r.plan(ctx)
	if err != nil {
		return nil, err
	}
	sql, args, names := r.build(p, "", false)
	rows, err := load[T](ctx, r.db, p, sql, args, names, len(r.q.selects) > 0, int(r.q.limit), r.strictLoading())
	if err != nil || len(r.q.preload) == 0 {
		return rows, err
	}
	return rows, r.runPreload(ctx, p, rowsOf(p, rows))
}

// Take loads one row in no particular order, or returns ErrNotFound.
func (r Relation[T]) Take(ctx context.Context) (T, error) {
	return r.Limit(1).one(ctx)
}

// First loads the first row by the relation's order (by primary key when
// it has none), or returns ErrNotFound.
func (r Relation[T]) First(ctx context.Context) (T, error) {
	if len(r.q.order) == 0 {
		pk, err := r.pkTerm(ctx, "ASC")
		if err != nil {
			var zero T
			return zero, err
		}
		r.q.order = []term{pk}
	}
	return r.Limit(1).one(ctx)
}

// pkTerm orders by the table-qualified primary key (unambiguous with Joins).
func (r Relation[T]) pkTerm(ctx context.Context, dir string) (term, error) {
	p, err := r.plan(ctx)
	if err != nil {
		return term{}, err
	}
	return term{col: p.table + ".id", dir: dir, known: true}, nil
}

// Last loads the last row: the relation's order reversed (primary key
// descending when it has none), or returns ErrNotFound.
func (r Relation[T]) Last(ctx context.Context) (T, error) {
	if len(r.q.order) == 0 {
		pk, err := r.pkTerm(ctx, "DESC")
		if err != nil {
			var zero T
			return zero, err
		}
		r.q.order = []term{pk}
		return r.Limit(1).one(ctx)
	}
	rev := make([]term, 0, len(r.q.order))
	for _, o := range r.q.order {
		if o.col != "" {
			o.dir = map[string]string{"": "DESC", "ASC": "DESC", "DESC": "ASC"}[o.dir]
			rev = append(rev, o)
			continue
		}
		for _, t := range strings.Split(string(o.raw), ",") {
			rt, err := reverseTerm(t)
			if err != nil {
				var zero T
				return zero, err
			}
			rev = append(rev, term{raw: SQL(rt), op: o.op})
		}
	}
	r.q.order = rev
	return r.Limit(1).one(ctx)
}

func reverseTerm(term string) (string, error) {
	t := strings.TrimSpace(term)
	if strings.ContainsAny(t, "()") {
		return "", fmt.Errorf("record: Last cannot reverse the order %q; use Reorder", t)
	}
	up := strings.ToUpper(t)
	switch {
	case strings.HasSuffix(up, " DESC"):
		return t[:len(t)-5] + " ASC", nil
	case strings.HasSuffix(up, " ASC"):
		return t[:len(t)-4] + " DESC", nil
	}
	return t + " DESC", nil
}

// Find loads the row with primary key id, or returns ErrNotFound.
func (r Relation[T]) Find(ctx context.Context, id any) (T, error) {
	if r.pristine() {
		p, err := r.plan(ctx)
		if err != nil {
			var zero T
			return zero, err
		}
		// The id's argument slice is in loadOne's one allocation.
		buf := new(oneRow[T])
		buf.arg[0] = id
		return loadOne(ctx, r.db, p, p.findSQL, buf.arg[:], pkName, false, buf)
	}
	pk, err := r.pkTerm(ctx, "")
	if err != nil {
		var zero T
		return zero, err
	}
	return r.Where(pk.sql(&r.db.dialect, "")+" = ?", id).Take(ctx)
}

func (r Relation[T]) pristine() bool {
	q := r.q
	return q.err == nil && len(q.where)+len(q.joins)+len(q.selects)+len(q.group)+len(q.having)+len(q.order)+len(q.preload) == 0 &&
		!q.distinct && !q.lock && q.limit < 0 && q.offset < 0
}

// FindBy is Where(cond, args...).Take(ctx).
func (r Relation[T]) FindBy(ctx context.Context, cond any, args ...any) (T, error) {
	return r.Where(cond, args...).Take(ctx)
}

func (r Relation[T]) one(ctx context.Context) (T, error) {
	p, err := r.plan(ctx)
	if err != nil {
		var zero T
		return zero, err
	}
	sql, args, names := r.build(p, "", false)
	m, err := loadOne[T](ctx, r.db, p, sql, args, names, len(r.q.selects) > 0, nil)
	if err != nil || len(r.q.preload) == 0 {
		return m, err
	}
	rows := []T{m}
	err = r.runPreload(ctx, p, rowsOf(p, rows))
	return rows[0], err
}

// Exists reports whether the relation has at least one row.
func (r Relation[T]) Exists(ctx context.Context) (bool, error) {
	p, err := r.plan(ctx)
	if err != nil {
		return false, err
	}
	r.q.order = nil
	sql, args, names := r.Limit(1).build(p, "1", false)
	var one int64
	found, err := scanValue(ctx, r.db, "query", sql, args, names, &one)
	return found, err
}

// FindInBatches calls fn with the rows in batches of size (BatchSize when
// size <= 0), walking the primary key (keyset pagination: no OFFSET, no
// long-held cursor). The relation must have no order, limit or offset.
// fn's error stops the walk and is returned.
func (r Relation[T]) FindInBatches(ctx context.Context, size int, fn func([]T) error) error {
	if size <= 0 {
		size = BatchSize
	}
	if len(r.q.order) > 0 || r.q.limit >= 0 || r.q.offset >= 0 {
		return errors.New("record: FindInBatches walks the primary key; remove Order, Limit and Offset")
	}
	p, err := r.plan(ctx)
	if err != nil {
		return err
	}
	pk := r.db.dialect.Quote(p.table + ".id")
	var last any
	for {
		q := r.Limit(size)
		q.q.order = []term{{col: p.table + ".id", dir: "ASC", known: true}}
		if last != nil {
			q = q.Where(pk+" > ?", last)
		}
		batch, err := q.All(ctx)
		if err != nil {
			return err
		}
		if len(batch) == 0 {
			return nil
		}
		if err := fn(batch); err != nil {
			return err
		}
		if len(batch) < size {
			return nil
		}
		last = p.pk.val(unsafe.Pointer(&batch[len(batch)-1]))
	}
}

// Each calls fn for every row, loading BatchSize rows at a time (see FindInBatches).
func (r Relation[T]) Each(ctx context.Context, fn func(*T) error) error {
	return r.FindInBatches(ctx, BatchSize, func(batch []T) error {
		for i := range batch {
			if err := fn(&batch[i]); err != nil {
				return err
			}
		}
		return nil
	})
}

// FindBySQL runs raw SQL with ? binds and scans each row into T by column
// name; every result column must name a field of T.
func FindBySQL[T any](ctx context.Context, ex Executor, sql string, args ...any) ([]T, error) {
	db := ex.on()
	p, err := planFor[T](ctx, db)
	if err != nil {
		return nil, err
	}
	if sql, err = db.raw(sql, args); err != nil {
		return nil, err
	}
	return load[T](ctx, db, p, sql, args, nil, true, -1, db.cfg.StrictLoading)
}

// fieldsFor maps result columns to fields.
func fieldsFor(p *plan, rows driver.Rows, byName bool) ([]*field, error) {
	if !byName {
		return p.fields, nil
	}
	cols := rows.Columns()
	fs := make([]*field, len(cols))
	for i, c := range cols {
		f, ok := p.byColumn[c]
		if !ok {
			return nil, fmt.Errorf("record: result column %q has no field in %s", c, p.name)
		}
		fs[i] = f
	}
	return fs, nil
}

// load runs a query and scans every row straight into field addresses.
// strict marks the association fields of a collection for strict loading.
func load[T any](ctx context.Context, db *DB, p *plan, sql string, args []any, names []string, byName bool, hint int, strict bool) ([]T, error) {
	rows, start, err := db.query(ctx, sql, args, names)
	if err != nil {
		return nil, err
	}
	fields, err := fieldsFor(p, rows, byName)
	var out []T
	if hint > 0 && hint <= 1000 {
		out = make([]T, 0, hint)
	}
	if err == nil {
		dest := make([]any, len(fields))
		var zero T
		for rows.Next() {
			out = append(out, zero)
			base := unsafe.Pointer(&out[len(out)-1])
			for i, f := range fields {
				dest[i] = f.ptr(base)
			}
			if err = rows.Scan(dest...); err != nil {
				break
			}
		}
	}
	if err = db.done(ctx, p.opQuery, sql, args, names, rows, start, int64(len(out)), err); err != nil {
		return nil, err
	}
	if out == nil {
		return []T{}, nil
	}
	snaps := make([]T, len(out)) // one allocation holds every row's original values
	copy(snaps, out)
	for i := range out {
		st := p.state(unsafe.Pointer(&out[i]))
		st.persisted = true
		st.table = p.table
		st.orig = &snaps[i]
	}
	if len(p.assocs) > 0 {
		if err := p.resolveAssocs(ctx, db); err != nil {
			return nil, err
		}
		strict = strict && len(out) > 1
		for i := range out {
			p.attach(unsafe.Pointer(&out[i]), strict)
		}
	}
	return out, nil
}

// oneRowDest is the number of scan destinations a oneRow holds: models
// with more columns scan into a slice of their own.
const oneRowDest = 16

// oneRow is what loadOne allocates, in one allocation: the record and its
// snapshot (which the record keeps), the row's scan destinations and the
// argument of a Find. Never reused.
type oneRow[T any] struct {
	two  [2]T
	dest [oneRowDest]any
	arg  [1]any
}

// loadOne loads at most one row; none is ErrNotFound. buf, when not nil,
// is a fresh oneRow whose arg may hold args (Find's id); nil allocates one.
func loadOne[T any](ctx context.Context, db *DB, p *plan, sql string, args []any, names []string, byName bool, buf *oneRow[T]) (T, error) {
	var zero T
	rows, start, err := db.query(ctx, sql, args, names)
	if err != nil {
		return zero, err
	}
	if buf == nil {
		buf = new(oneRow[T])
	}
	two := buf.two[:]
	base := unsafe.Pointer(&two[0])
	n := int64(0)
	fields, err := fieldsFor(p, rows, byName)
	if err == nil && rows.Next() {
		n = 1
		dest := buf.dest[:]
		if len(fields) > len(dest) {
			dest = make([]any, len(fields))
		}
		dest = dest[:len(fields)]
		for i, f := range fields {
			dest[i] = f.ptr(base)
		}
		err = rows.Scan(dest...)
	}
	if err = db.done(ctx, p.opQuery, sql, args, names, rows, start, n, err); err != nil {
		return zero, err
	}
	if n == 0 {
		return zero, fmt.Errorf("record: %s: %w", p.name, ErrNotFound)
	}
	two[1] = two[0]
	st := p.state(base)
	st.persisted = true
	st.table = p.table
	st.orig = &two[1]
	if len(p.assocs) > 0 {
		if err := p.resolveAssocs(ctx, db); err != nil {
			return zero, err
		}
		p.attach(base, false)
	}
	return two[0], nil
}

// scanValue scans the first row's single column into dest; found is false
// when there is no row.
func scanValue(ctx context.Context, db *DB, op, sql string, args []any, names []string, dest any) (found bool, err error) {
	rows, start, err := db.query(ctx, sql, args, names)
	if err != nil {
		return false, err
	}
	n := int64(0)
	if rows.Next() {
		n = 1
		err = rows.Scan(dest)
	}
	err = db.done(ctx, op, sql, args, names, rows, start, n, err)
	return n == 1 && err == nil, err
}
