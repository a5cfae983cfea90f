// Package sqldb is a driver.Pool over database/sql, shared by the SQLite
// and MySQL drivers. Every statement checks out a *sql.Conn explicitly so
// that the checkout timeout applies to the wait for a connection only,
// never to the statement.
package sqldb

import (
	"context"
	"database/sql"
	sqldriver "database/sql/driver"
	"errors"
	"sync/atomic"

	"github.com/gorails/gorails/framework/record/driver"
	"github.com/gorails/gorails/framework/record/internal/checkout"
)

// Schema is how a database answers the schema reads.
type Schema struct {
	Columns func(ctx context.Context, q driver.Querier, table string) ([]driver.Column, error)
	Tables  func(ctx context.Context, q driver.Querier) ([]string, error)
}

// Pool is a driver.Pool over a *sql.DB.
type Pool struct {
	db       *sql.DB
	dialect  driver.Dialect
	opts     driver.Options
	classify func(error) driver.Kind
	schema   Schema
	gate     *checkout.Gate // one place per connection: checkouts wait here, bounded by the checkout timeout
}

var _ driver.Pool = (*Pool)(nil)

// Open opens a *sql.DB on c and wraps it (New). Unless
// o.StatementLimit < 0, each connection keeps the statements it prepared
// (up to o.StatementLimit, DefaultStatementLimit when 0) and runs a query
// it saw before without preparing it again; DDL drops them all.
func Open(c sqldriver.Connector, d driver.Dialect, o driver.Options, classify func(error) driver.Kind, s Schema) *Pool {
	if o.StatementLimit >= 0 {
		limit := o.StatementLimit
		if limit == 0 {
			limit = DefaultStatementLimit
		}
		c = &cachingConnector{Connector: c, limit: limit, schema: new(atomic.Uint64)}
	}
	return New(sql.OpenDB(c), d, o, classify, s)
}

// New sizes db from o and wraps it. classify maps the database's own
// errors; broken connections are KindUnavailable whatever it says.
func New(db *sql.DB, d driver.Dialect, o driver.Options, classify func(error) driver.Kind, s Schema) *Pool {
	db.SetMaxOpenConns(o.Pool)
	db.SetMaxIdleConns(o.MaxIdle)
	db.SetConnMaxIdleTime(o.IdleTimeout)
	return &Pool{db: db, dialect: d, opts: o, classify: classify, schema: s, gate: checkout.NewGate(o.Pool, o.CheckoutTimeout)}
}

// Dialect implements driver.Pool.
func (p *Pool) Dialect() driver.Dialect { return p.dialect }

// conn checks a connection out: a place at the gate (where the wait and
// its timeout are), then database/sql's connection, which a place
// guarantees is free or may be opened (bounded by ctx).
func (p *Pool) conn(ctx context.Context) (*conn, error) {
	c := new(conn)
	if err := p.checkout(ctx, c); err != nil {
		return nil, err
	}
	return c, nil
}

// checkout is conn into c, for a caller that holds c in its own struct.
func (p *Pool) checkout(ctx context.Context, c *conn) error {
	if err := p.gate.Enter(ctx); err != nil {
		return err
	}
	sc, err := p.db.Conn(ctx)
	if err != nil {
		p.gate.Leave()
		return err
	}
	*c = conn{Conn: sc, gate: p.gate}
	return nil
}

// conn is a checked-out connection; Close gives it and its place back,
// once.
type conn struct {
	*sql.Conn
	gate *checkout.Gate
	done bool
}

func (c *conn) Close() error {
	if c.done {
		return nil
	}
	c.done = true
	err := c.Conn.Close()
	c.gate.Leave()
	return err
}

// Query implements driver.Querier.
// The rows hold their connection, so that a query costs one allocation
// for both.
func (p *Pool) Query(ctx context.Context, query string, args []any) (driver.Rows, error) {
	r := new(Rows)
	if err := p.checkout(ctx, &r.own); err != nil {
		return nil, err
	}
	rows, err := r.own.QueryContext(ctx, query, args...)
	if err != nil {
		r.own.Close()
		return nil, err
	}
	r.Rows, r.conn = rows, &r.own
	return r, nil
}

// Exec implements driver.Querier.
func (p *Pool) Exec(ctx context.Context, query string, args []any) (driver.Result, error) {
	c, err := p.conn(ctx)
	if err != nil {
		return driver.Result{}, err
	}
	defer c.Close()
	return exec(ctx, c, query, args)
}

func exec(ctx context.Context, c interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}, query string, args []any) (driver.Result, error) {
	res, err := c.ExecContext(ctx, query, args...)
	if err != nil {
		return driver.Result{}, err
	}
	n, _ := res.RowsAffected()
	id, _ := res.LastInsertId()
	return driver.Result{RowsAffected: n, LastInsertID: id}, nil
}

// Begin implements driver.Pool. The transaction lives as long as the
// caller's ctx, as in pgx.
func (p *Pool) Begin(ctx context.Context) (driver.Tx, error) {
	c, err := p.conn(ctx)
	if err != nil {
		return nil, err
	}
	tx, err := c.BeginTx(ctx, nil)
	if err != nil {
		c.Close()
		return nil, err
	}
	return &Tx{tx: tx, conn: c}, nil
}

// Ping implements driver.Pool: it connects within ctx alone.
func (p *Pool) Ping(ctx context.Context) error {
	c, err := p.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	return c.PingContext(ctx)
}

// Close implements driver.Pool.
func (p *Pool) Close() error { return p.db.Close() }

// Stat implements driver.Pool.
func (p *Pool) Stat() driver.Stat {
	st := p.db.Stats()
	waits, waited := p.gate.Waits()
	return driver.Stat{Open: st.OpenConnections, InUse: st.InUse, Idle: st.Idle, WaitCount: st.WaitCount + waits, WaitDuration: st.WaitDuration + waited}
}

// Classify implements driver.Pool.
func (p *Pool) Classify(err error) driver.Kind {
	if k := p.classify(err); k != driver.KindUnknown {
		return k
	}
	if errors.Is(err, sqldriver.ErrBadConn) {
		return driver.KindUnavailable
	}
	return driver.KindUnknown
}

// Columns implements driver.Pool.
func (p *Pool) Columns(ctx context.Context, q driver.Querier, table string) ([]driver.Column, error) {
	return p.schema.Columns(ctx, q, table)
}

// Tables implements driver.Pool.
func (p *Pool) Tables(ctx context.Context, q driver.Querier) ([]string, error) {
	return p.schema.Tables(ctx, q)
}

// Rows is a result set that gives its connection back on Close.
type Rows struct {
	*sql.Rows
	conn *conn // own, or nil in a transaction
	own  conn
	cols []string
}

// Columns implements driver.Rows.
func (r *Rows) Columns() []string {
	if r.cols == nil {
		r.cols, _ = r.Rows.Columns()
	}
	return r.cols
}

// Close implements driver.Rows.
func (r *Rows) Close() error {
	err := r.Rows.Close()
	if r.conn != nil {
		r.conn.Close()
		r.conn = nil
	}
	return err
}

// Tx is a transaction on its own checked-out connection.
type Tx struct {
	tx   *sql.Tx
	conn *conn
}

// Query implements driver.Querier.
func (t *Tx) Query(ctx context.Context, query string, args []any) (driver.Rows, error) {
	rows, err := t.tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return &Rows{Rows: rows}, nil
}

// Exec implements driver.Querier.
func (t *Tx) Exec(ctx context.Context, query string, args []any) (driver.Result, error) {
	return exec(ctx, t.tx, query, args)
}

// Commit implements driver.Tx.
func (t *Tx) Commit(context.Context) error {
	defer t.conn.Close()
	return t.tx.Commit()
}

// Rollback implements driver.Tx.
func (t *Tx) Rollback(context.Context) error {
	defer t.conn.Close()
	return t.tx.Rollback()
}
