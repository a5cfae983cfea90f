package record

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Count returns the number of rows (of groups, when grouped; of distinct
// selected values with Distinct and Select).
func (r Relation[T]) Count(ctx context.Context) (int64, error) {
	p, err := r.plan(ctx)
	if err != nil {
		return 0, err
	}
	var sql string
	var args []any
	switch {
	case len(r.q.group) > 0 || r.q.limit >= 0 || r.q.offset >= 0:
		r.q.lock = false
		inner, iargs := r.build(p, "", false)
		sql, args = "SELECT COUNT(*) FROM ("+inner+") AS gr_count", iargs
	case r.q.distinct && len(r.q.selects) == 1:
		sql, args = r.build(p, "COUNT(DISTINCT "+columnSQL(&r.db.dialect, r.q.selects[0])+")", true)
	default:
		sql, args = r.build(p, "COUNT(*)", true)
	}
	var n int64
	_, err = scanValue(ctx, r.db, "query", sql, args, &n)
	return n, err
}

// Sum returns SUM(column) as float64; no rows sum to 0.
func (r Relation[T]) Sum(ctx context.Context, column string) (float64, error) {
	return r.aggregate(ctx, "SUM", column)
}

// Average returns AVG(column); no rows average to 0.
func (r Relation[T]) Average(ctx context.Context, column string) (float64, error) {
	return r.aggregate(ctx, "AVG", column)
}

func (r Relation[T]) aggregate(ctx context.Context, fn, column string) (float64, error) {
	p, err := r.plan(ctx)
	if err != nil {
		return 0, err
	}
	sql, args := r.build(p, fn+"("+columnSQL(&r.db.dialect, column)+")", true)
	var v *float64
	if _, err := scanValue(ctx, r.db, "query", sql, args, &v); err != nil || v == nil {
		return 0, err
	}
	return *v, nil
}

// Minimum returns MIN(column) of the relation as V; no rows (NULL) is ErrNotFound.
func Minimum[V, T any](ctx context.Context, r Relation[T], column string) (V, error) {
	return extreme[V](ctx, r, "MIN", column)
}

// Maximum returns MAX(column) of the relation as V; no rows (NULL) is ErrNotFound.
func Maximum[V, T any](ctx context.Context, r Relation[T], column string) (V, error) {
	return extreme[V](ctx, r, "MAX", column)
}

func extreme[V, T any](ctx context.Context, r Relation[T], fn, column string) (V, error) {
	var zero V
	p, err := r.plan(ctx)
	if err != nil {
		return zero, err
	}
	sql, args := r.build(p, fn+"("+columnSQL(&r.db.dialect, column)+")", true)
	var v *V
	if _, err := scanValue(ctx, r.db, "query", sql, args, &v); err != nil {
		return zero, err
	}
	if v == nil {
		return zero, fmt.Errorf("record: %s(%s) of %s: %w", fn, column, p.table, ErrNotFound)
	}
	return *v, nil
}

// Pluck loads one column (or SQL expression) of every row as V, without
// building models.
func Pluck[V, T any](ctx context.Context, r Relation[T], column string) ([]V, error) {
	p, err := r.plan(ctx)
	if err != nil {
		return nil, err
	}
	sel := columnSQL(&r.db.dialect, column)
	if r.q.distinct {
		sel = "DISTINCT " + sel
	}
	sql, args := r.build(p, sel, false)
	rows, start, err := r.db.query(ctx, sql, args)
	if err != nil {
		return nil, err
	}
	out := []V{}
	for rows.Next() {
		var v V
		if err = rows.Scan(&v); err != nil {
			break
		}
		out = append(out, v)
	}
	if err := r.db.done(ctx, p.opQuery, sql, args, rows, start, int64(len(out)), err); err != nil {
		return nil, err
	}
	return out, nil
}

// IDs plucks the integer primary keys (for UUID keys use Pluck[string](ctx, r, "id")).
func (r Relation[T]) IDs(ctx context.Context) ([]int64, error) {
	p, err := r.plan(ctx)
	if err != nil {
		return nil, err
	}
	if p.uuid {
		return nil, errors.New("record: IDs needs an integer primary key; use Pluck[string]")
	}
	return Pluck[int64](ctx, r, p.table+".id")
}

// DeleteAll deletes the relation's rows in one statement, without callbacks,
// and returns how many. Joins, Order, Limit and Offset are not allowed.
func (r Relation[T]) DeleteAll(ctx context.Context) (int64, error) {
	p, err := r.plan(ctx)
	if err != nil {
		return 0, err
	}
	if len(r.q.joins) > 0 || r.q.limit >= 0 || r.q.offset >= 0 || len(r.q.group) > 0 {
		return 0, errors.New("record: DeleteAll supports conditions only")
	}
	sql, args := r.writeWhere("DELETE FROM " + p.qtable)
	res, err := r.db.exec(ctx, p.opDelete, sql, args, nil)
	return res.RowsAffected, err
}

// UpdateAll sets attrs on the relation's rows in one statement, without
// callbacks, validations or timestamps, and returns how many rows matched.
func (r Relation[T]) UpdateAll(ctx context.Context, attrs Attrs) (int64, error) {
	p, err := r.plan(ctx)
	if err != nil {
		return 0, err
	}
	if len(attrs) == 0 {
		return 0, nil
	}
	if len(r.q.joins) > 0 || r.q.limit >= 0 || r.q.offset >= 0 || len(r.q.group) > 0 {
		return 0, errors.New("record: UpdateAll supports conditions only")
	}
	set, setArgs, err := setClause(r.db, p, attrs)
	if err != nil {
		return 0, err
	}
	sql, args := r.writeWhere("UPDATE " + p.qtable + " SET " + set)
	res, err := r.db.exec(ctx, p.opUpdate, sql, append(setArgs, args...), nil)
	return res.RowsAffected, err
}

func (r Relation[T]) writeWhere(head string) (string, []any) {
	var b strings.Builder
	b.WriteString(head)
	args := writeClauses(&b, " WHERE ", r.q.where, nil)
	return r.db.dialect.Rebind(b.String()), args
}
