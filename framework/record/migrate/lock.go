package migrate

import (
	"context"
	"fmt"
	"time"

	"github.com/gorails/gorails/framework/record/internal/adapter"
)

// lockName is the name of the migrator lock (MySQL's GET_LOCK, hashed into
// PostgreSQL's advisory lock key together with the database name).
const lockName = "gorails_migrate"

// lock takes the database-wide migrator lock, waiting at most
// Options.LockTimeout, and returns its release. SQLite has no session
// lock: its per-migration immediate transactions serialise migrators.
func (m *Migrator) lock(ctx context.Context) (func(), error) {
	if m.d == adapter.SQLite {
		return func() {}, nil
	}
	tx, err := m.a.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: lock: %w", err)
	}
	release := func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }
	var ok bool
	if m.d == adapter.MySQL {
		ok, err = m.mysqlLock(ctx, tx)
		if ok {
			release = func() {
				ctx := context.WithoutCancel(ctx)
				if rows, err := tx.Query(ctx, "SELECT RELEASE_LOCK(CONCAT(?, DATABASE()))", []any{lockName + "_"}); err == nil {
					rows.Close()
				}
				_ = tx.Rollback(ctx)
			}
		}
	} else {
		ok, err = m.postgresLock(ctx, tx)
	}
	if err != nil || !ok {
		release()
		if err == nil {
			err = fmt.Errorf("waited %s: %w", m.opts.LockTimeout, ErrLocked)
		}
		return nil, fmt.Errorf("migrate: lock: %w", err)
	}
	return release, nil
}

func scanBool(ctx context.Context, q adapter.Querier, sql string, args []any) (bool, error) {
	rows, err := q.Query(ctx, sql, args)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	var v *int64
	if rows.Next() {
		if err := rows.Scan(&v); err != nil {
			return false, err
		}
	}
	if err := rows.Err(); err != nil {
		return false, err
	}
	return v != nil && *v == 1, rows.Close()
}

func (m *Migrator) mysqlLock(ctx context.Context, tx adapter.Tx) (bool, error) {
	secs := int64((m.opts.LockTimeout + time.Second - 1) / time.Second)
	return scanBool(ctx, tx, "SELECT GET_LOCK(CONCAT(?, DATABASE()), ?)", []any{lockName + "_", secs})
}

// postgresLock polls a transaction-level advisory lock, released when the
// lock transaction ends (even if the process dies, with the connection).
func (m *Migrator) postgresLock(ctx context.Context, tx adapter.Tx) (bool, error) {
	deadline := time.Now().Add(m.opts.LockTimeout)
	for {
		ok, err := scanBool(ctx, tx, "SELECT CASE WHEN pg_try_advisory_xact_lock(hashtext(current_database() || $1)) THEN 1 ELSE 0 END", []any{lockName})
		if err != nil || ok {
			return ok, err
		}
		if time.Now().After(deadline) {
			return false, nil
		}
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}
