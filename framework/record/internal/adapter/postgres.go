package adapter

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// pg is PostgreSQL through pgx's native pool: no database/sql on the hot path.
type pg struct {
	pool     *pgxpool.Pool
	checkout Options
}

var _ Adapter = (*pg)(nil)

// OpenPostgres creates a pgxpool. It does not connect; call Ping.
func OpenPostgres(ctx context.Context, o Options) (Adapter, error) {
	cfg, err := pgxpool.ParseConfig(o.DSN)
	if err != nil {
		return nil, err // pgx redacts the password
	}
	cfg.MaxConns = int32(o.Pool)
	cfg.MinConns = 0
	if o.IdleTimeout > 0 {
		cfg.MaxConnIdleTime = o.IdleTimeout
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return &pg{pool: pool, checkout: o}, nil
}

func (p *pg) Dialect() *Dialect { return Postgres }

func (p *pg) acquire(ctx context.Context) (*pgxpool.Conn, error) {
	cctx, cancel := checkoutCtx(ctx, p.checkout.CheckoutTimeout)
	c, err := p.pool.Acquire(cctx)
	cancel()
	if err != nil {
		return nil, checkoutErr(ctx, err)
	}
	return c, nil
}

func (p *pg) Query(ctx context.Context, sql string, args []any) (Rows, error) {
	c, err := p.acquire(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := c.Conn().Query(ctx, sql, args...)
	if err != nil {
		c.Release()
		return nil, err
	}
	return &pgRows{rows: rows, conn: c}, nil
}

func (p *pg) Exec(ctx context.Context, sql string, args []any) (Result, error) {
	c, err := p.acquire(ctx)
	if err != nil {
		return Result{}, err
	}
	defer c.Release()
	return pgExec(ctx, c.Conn(), sql, args)
}

func pgExec(ctx context.Context, c interface {
	Exec(context.Context, string, ...any) (pgconn.CommandTag, error)
}, sql string, args []any) (Result, error) {
	tag, err := c.Exec(ctx, sql, args...)
	if err != nil {
		return Result{}, err
	}
	return Result{RowsAffected: tag.RowsAffected()}, nil
}

func (p *pg) Begin(ctx context.Context) (Tx, error) {
	c, err := p.acquire(ctx)
	if err != nil {
		return nil, err
	}
	tx, err := c.Begin(ctx)
	if err != nil {
		c.Release()
		return nil, err
	}
	return &pgTx{tx: tx, conn: c}, nil
}

// Ping connects (or reuses an idle connection) within ctx alone: at Open
// the wait is for a new connection, bounded by the connect timeout the
// caller put in ctx, not for a free one (the checkout timeout).
func (p *pg) Ping(ctx context.Context) error {
	c, err := p.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer c.Release()
	return c.Ping(ctx)
}

func (p *pg) Close() error { p.pool.Close(); return nil }

func (p *pg) Stat() PoolStat {
	s := p.pool.Stat()
	return PoolStat{Open: int(s.TotalConns()), InUse: int(s.AcquiredConns()), Idle: int(s.IdleConns()),
		WaitCount: s.EmptyAcquireCount(), WaitDuration: s.AcquireDuration()}
}

func (p *pg) Classify(err error) Kind {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return KindUnknown
	}
	switch pe.Code {
	case "23505":
		return KindUnique
	case "23502":
		return KindNotNull
	case "23503":
		return KindForeignKey
	case "23514":
		return KindCheck
	case "40P01", "40001", "55P03":
		return KindDeadlock
	}
	return KindUnknown
}

func (p *pg) Columns(ctx context.Context, q Querier, table string) ([]Column, error) {
	const sql = `SELECT c.column_name, c.data_type, c.is_nullable = 'YES', c.column_default,
  EXISTS (SELECT 1 FROM information_schema.table_constraints tc
    JOIN information_schema.key_column_usage k ON k.constraint_name = tc.constraint_name AND k.table_schema = tc.table_schema AND k.table_name = tc.table_name
    WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = c.table_schema AND tc.table_name = c.table_name AND k.column_name = c.column_name)
FROM information_schema.columns c
WHERE c.table_schema = current_schema() AND c.table_name = $1 ORDER BY c.ordinal_position`
	return scanColumns(ctx, q, sql, table)
}

func (p *pg) Tables(ctx context.Context, q Querier) ([]string, error) {
	return scanStrings(ctx, q, `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`)
}

func scanColumns(ctx context.Context, q Querier, sql, table string) ([]Column, error) {
	rows, err := q.Query(ctx, sql, []any{table})
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var cols []Column
	for rows.Next() {
		var c Column
		if err := rows.Scan(&c.Name, &c.Type, &c.Nullable, &c.Default, &c.PrimaryKey); err != nil {
			return nil, fmt.Errorf("reflect %s: %w", table, err)
		}
		cols = append(cols, c)
	}
	return cols, rows.Err()
}

func scanStrings(ctx context.Context, q Querier, sql string) ([]string, error) {
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

type pgRows struct {
	rows pgx.Rows
	conn *pgxpool.Conn
	cols []string
}

func (r *pgRows) Next() bool             { return r.rows.Next() }
func (r *pgRows) Scan(dest ...any) error { return r.rows.Scan(dest...) }
func (r *pgRows) Err() error             { return r.rows.Err() }
func (r *pgRows) Columns() []string {
	if r.cols == nil {
		fds := r.rows.FieldDescriptions()
		r.cols = make([]string, len(fds))
		for i, f := range fds {
			r.cols[i] = f.Name
		}
	}
	return r.cols
}
func (r *pgRows) Close() error {
	r.rows.Close()
	if r.conn != nil {
		r.conn.Release()
		r.conn = nil
	}
	return r.rows.Err()
}

type pgTx struct {
	tx   pgx.Tx
	conn *pgxpool.Conn
}

func (t *pgTx) Query(ctx context.Context, sql string, args []any) (Rows, error) {
	rows, err := t.tx.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return &pgRows{rows: rows}, nil
}

func (t *pgTx) Exec(ctx context.Context, sql string, args []any) (Result, error) {
	return pgExec(ctx, t.tx, sql, args)
}

func (t *pgTx) Commit(ctx context.Context) error {
	defer t.release()
	return t.tx.Commit(ctx)
}

func (t *pgTx) Rollback(ctx context.Context) error {
	defer t.release()
	return t.tx.Rollback(ctx)
}

func (t *pgTx) release() {
	if t.conn != nil {
		t.conn.Release()
		t.conn = nil
	}
}
