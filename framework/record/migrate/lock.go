package migrate

import (
	"context"
	"fmt"
	"time"

	"github.com/gorails/gorails/framework/record"
)

// lockName is the name of the migrator lock (MySQL's GET_LOCK, hashed into
// PostgreSQL's advisory lock key together with the database name).
const lockName = "gorails_migrate"

// lock takes the database-wide migrator lock, waiting at most
// Options.LockTimeout, and returns its release. SQLite has no session
// lock: its per-migration immediate transactions serialise migrators.
func (m *Migrator) lock(ctx context.Context) (func(), error) {
	if m.d.Name == record.SQLite {
		return func() {}, nil
	}
	tx, err := m.db.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: lock: %w", err)
	}
	release := func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }
	var ok bool
	if m.d.Name == record.MySQL {
		ok, err = m.mysqlLock(ctx, tx)
		if ok {
			release = func() {
				ctx := context.WithoutCancel(ctx)
				_ = tx.QueryRows(ctx, "SELECT RELEASE_LOCK(CONCAT(?, DATABASE()))", []any{lockName + "_"}, func(func(...any) error) error { return nil })
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

func scanBool(ctx context.Context, q record.Executor, sql string, args []any) (bool, error) {
	var v *int64
	err := q.QueryRows(ctx, sql, args, func(scan func(...any) error) error { return scan(&v) })
	return v != nil && *v == 1, err
}

func (m *Migrator) mysqlLock(ctx context.Context, tx *record.Tx) (bool, error) {
	secs := int64((m.opts.LockTimeout + time.Second - 1) / time.Second)
	return scanBool(ctx, tx, "SELECT GET_LOCK(CONCAT(?, DATABASE()), ?)", []any{lockName + "_", secs})
}

// postgresLock polls a transaction-level advisory lock, released when the
// lock transaction ends (even if the process dies, with the connection).
func (m *Migrator) postgresLock(ctx context.Context, tx *record.Tx) (bool, error) {
	deadline := time.Now().Add(m.opts.LockTimeout)
	for {
		ok, err := scanBool(ctx, tx, "SELECT CASE WHEN pg_try_advisory_xact_lock(hashtext(current_database() || ?)) THEN 1 ELSE 0 END", []any{lockName})
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
