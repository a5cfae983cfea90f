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
	var names []string
	switch {
	case len(r.q.group) > 0 || r.q.limit >= 0 || r.q.offset >= 0:
		r.q.lock = false
		inner, iargs, inames := r.build(p, "", false)
		sql, args, names = "SELECT COUNT(*) FROM ("+inner+") AS gr_count", iargs, inames
	case r.q.distinct && len(r.q.selects) == 1:
		sql, args, names = r.build(p, "COUNT(DISTINCT "+r.q.selects[0].sql(&r.db.dialect, p.table)+")", true)
	default:
		sql, args, names = r.build(p, "COUNT(*)", true)
	}
	var n int64
	_, err = scanValue(ctx, r.db, "query", sql, args, names, &n)
	return n, err
}

// Sum returns SUM(column) as float64; no rows sum to 0. column is a column
// name, checked as Order's are (a *ColumnError otherwise); for an
// expression, use PluckSQL with SUM(...).
func (r Relation[T]) Sum(ctx context.Context, column string) (float64, error) {
	return r.aggregate(ctx, "SUM", column)
}

// Average returns AVG(column); no rows average to 0.
func (r Relation[T]) Average(ctx context.Context, column string) (float64, error) {
	return r.aggregate(ctx, "AVG", column)
}

// aggregateOf is the select list fn(column), with column checked.
func (r Relation[T]) aggregateOf(ctx context.Context, p *plan, op, fn, column string) (string, error) {
	if err := r.db.checkColumn(ctx, p, op, column); err != nil {
		return "", err
	}
	return fn + "(" + term{col: column}.sql(&r.db.dialect, p.table) + ")", nil
}

func (r Relation[T]) aggregate(ctx context.Context, fn, column string) (float64, error) {
	p, err := r.plan(ctx)
	if err != nil {
		return 0, err
	}
	op := map[string]string{"SUM": "Sum", "AVG": "Average"}[fn]
	sel, err := r.aggregateOf(ctx, p, op, fn, column)
	if err != nil {
		return 0, err
	}
	sql, args, names := r.build(p, sel, true)
	var v *float64
	if _, err := scanValue(ctx, r.db, "query", sql, args, names, &v); err != nil || v == nil {
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
	op := map[string]string{"MIN": "Minimum", "MAX": "Maximum"}[fn]
	sel, err := r.aggregateOf(ctx, p, op, fn, column)
	if err != nil {
		return zero, err
	}
	sql, args, names := r.build(p, sel, true)
	var v *V
	if _, err := scanValue(ctx, r.db, "query", sql, args, names, &v); err != nil {
		return zero, err
	}
	if v == nil {
		return zero, fmt.Errorf("record: %s(%s) of %s: %w", fn, column, p.table, ErrNotFound)
	}
	return *v, nil
}

// Pluck loads one column of every row as V, without building models.
// column is a column name, checked as Order's are (a *ColumnError
// otherwise); for an expression, use PluckSQL.
func Pluck[V, T any](ctx context.Context, r Relation[T], column string) ([]V, error) {
	p, err := r.plan(ctx)
	if err != nil {
		return nil, err
	}
	if err := r.db.checkColumn(ctx, p, "Pluck", column); err != nil {
		return nil, err
	}
	return pluck[V](ctx, r, p, term{col: column}.sql(&r.db.dialect, p.table))
}

// PluckSQL loads one SQL expression, written by the programmer, of every
// row as V (PluckSQL[int64](ctx, r, "LENGTH(title)")). See SQL.
func PluckSQL[V, T any](ctx context.Context, r Relation[T], expr SQL) ([]V, error) {
	p, err := r.plan(ctx)
	if err != nil {
		return nil, err
	}
	return pluck[V](ctx, r, p, string(expr))
}

func pluck[V, T any](ctx context.Context, r Relation[T], p *plan, sel string) ([]V, error) {
	if r.q.distinct {
		sel = "DISTINCT " + sel
	}
	sql, args, names := r.build(p, sel, false)
	rows, start, err := r.db.query(ctx, sql, args, names)
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
	if err := r.db.done(ctx, p.opQuery, sql, args, names, rows, start, int64(len(out)), err); err != nil {
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
	sql, args, names := r.writeWhere("DELETE FROM " + p.qtable)
	res, err := r.db.exec(ctx, p.opDelete, sql, args, names)
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
	set, setArgs, setNames, err := setClause(r.db, p, attrs)
	if err != nil {
		return 0, err
	}
	sql, args, names := r.writeWhere("UPDATE " + p.qtable + " SET " + set)
	res, err := r.db.exec(ctx, p.opUpdate, sql, append(setArgs, args...), append(setNames, names...))
	return res.RowsAffected, err
}

func (r Relation[T]) writeWhere(head string) (string, []any, []string) {
	var b strings.Builder
	b.WriteString(head)
	args, names := writeClauses(&b, " WHERE ", r.q.where, nil, nil)
	return r.db.dialect.Rebind(b.String()), args, names
}
