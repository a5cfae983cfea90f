// Package adapter is record's implementer API: one small interface that each
// database (SQLite through modernc.org/sqlite, PostgreSQL through pgx's
// native pool, MySQL/MariaDB through go-sql-driver/mysql) implements, and the
// dialect facts (quoting, placeholders, RETURNING, conflict syntax, locking)
// that SQL builders need.
//
// It is internal to framework/record so that record and its subpackages
// (migrate uses Exec for DDL and Columns/Tables for schema reflection) share
// it without making it a public promise.
package adapter

import (
	"context"
	"errors"
	"time"
)

// Result is what a statement that returns no rows reports.
type Result struct {
	RowsAffected int64
	LastInsertID int64 // MySQL and SQLite only; PostgreSQL uses RETURNING
}

// Rows is a result set. Close is idempotent and must be called.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Columns() []string
	Err() error
	Close() error
}

// Querier runs statements. SQL arrives already rebound to the dialect's
// placeholders; args are bound parameters, never text.
type Querier interface {
	Query(ctx context.Context, sql string, args []any) (Rows, error)
	Exec(ctx context.Context, sql string, args []any) (Result, error)
}

// Tx is a database transaction bound to one connection. It is not safe for
// concurrent use.
type Tx interface {
	Querier
	Commit(ctx context.Context) error
	Rollback(ctx context.Context) error
}

// Adapter is a pool of connections to one database. Safe for concurrent use.
type Adapter interface {
	Querier
	Dialect() *Dialect
	// Begin checks out a connection (waiting at most the checkout timeout)
	// and starts a transaction on it.
	Begin(ctx context.Context) (Tx, error)
	Ping(ctx context.Context) error
	// Columns reflects a table's columns in ordinal order; an empty result
	// means the table does not exist.
	Columns(ctx context.Context, q Querier, table string) ([]Column, error)
	// Tables lists the tables of the current database/schema, sorted.
	Tables(ctx context.Context, q Querier) ([]string, error)
	// Classify maps a driver error to a Kind.
	Classify(err error) Kind
	Stat() PoolStat
	Close() error
}

// Column is one column as the database reports it.
type Column struct {
	Name       string
	Type       string // as the database spells it, lower case
	Nullable   bool
	Default    *string
	PrimaryKey bool
}

// PoolStat is a snapshot of a pool.
type PoolStat struct {
	Open, InUse, Idle int
	WaitCount         int64
	WaitDuration      time.Duration
}

// Kind classifies a database error the same way on every adapter.
type Kind int

// Error kinds.
const (
	KindUnknown Kind = iota
	KindUnique
	KindNotNull
	KindForeignKey
	KindDeadlock // deadlock, serialization failure, busy database
	KindCheck
)

// ErrCheckoutTimeout is returned (wrapped) when no connection became free
// within the checkout timeout.
var ErrCheckoutTimeout = errors.New("no connection available within the checkout timeout")

// Options are what every adapter takes from record.Config.
type Options struct {
	DSN             string // driver-specific, built by record
	Pool            int
	MaxIdle         int
	IdleTimeout     time.Duration
	CheckoutTimeout time.Duration
}

// checkoutCtx bounds ctx by the checkout timeout.
func checkoutCtx(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if d <= 0 {
		return ctx, func() {}
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) <= d {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, d)
}

// checkoutErr turns a failed checkout caused by the checkout timer (not by
// the caller's ctx) into ErrCheckoutTimeout.
func checkoutErr(parent context.Context, err error) error {
	if parent.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
		return errors.Join(ErrCheckoutTimeout, err)
	}
	return err
}
