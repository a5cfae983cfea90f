// Package catalog runs the schema reads every driver shares the shape of:
// a column list and a list of names, each from one query of the
// database's own catalog.
package catalog

import (
	"context"
	"fmt"
	"sort"

	"github.com/gorails/gorails/framework/record/driver"
)

// Columns runs sql, which takes the table name as its one bind and returns
// name, type, nullable, default and primary key per column.
func Columns(ctx context.Context, q driver.Querier, sql, table string) ([]driver.Column, error) {
	rows, err := q.Query(ctx, sql, []any{table})
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var cols []driver.Column
	for rows.Next() {
		var c driver.Column
		if err := rows.Scan(&c.Name, &c.Type, &c.Nullable, &c.Default, &c.PrimaryKey); err != nil {
			return nil, fmt.Errorf("reflect %s: %w", table, err)
		}
		cols = append(cols, c)
	}
	return cols, rows.Err()
}

// Names runs sql, which returns one string column, and sorts the result.
func Names(ctx context.Context, q driver.Querier, sql string) ([]string, error) {
	rows, err := q.Query(ctx, sql, nil)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	sort.Strings(out)
	return out, rows.Err()
}
