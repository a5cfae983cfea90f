// Package postgres is record's PostgreSQL driver, on pgx's native pool
// (pgxpool): no database/sql on the hot path.
//
//	db, err := record.Open(ctx, postgres.Driver{}, record.Config{URL: "postgres://app@localhost/app_development"})
//
// Importing this package links pgx into the program; nothing else does.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/gorails/gorails/framework/record/driver"
	"github.com/gorails/gorails/framework/record/internal/catalog"
	"github.com/gorails/gorails/framework/record/internal/checkout"
)

// Name is the adapter name of PostgreSQL in configurations.
const Name = "postgresql"

// Driver opens PostgreSQL pools. The zero value is ready to use.
type Driver struct{}

var (
	_ driver.Driver  = Driver{}
	_ driver.Creator = Driver{}
)

// Name implements driver.Driver.
func (Driver) Name() string { return Name }

// Dialect is PostgreSQL's SQL.
func Dialect() driver.Dialect {
	return driver.Dialect{Name: Name, IdentQuote: '"', DollarPlaceholders: true, Returning: true, LockClause: " FOR UPDATE", MaxBinds: 65535}
}

// Open implements driver.Driver: it creates a pgxpool without connecting.
func (Driver) Open(ctx context.Context, o driver.Options) (driver.Pool, error) {
	if o.URL == "" && o.Database == "" {
		return nil, errors.New("postgresql needs a database name or a url")
	}
	cfg, err := pgxpool.ParseConfig(connString(o))
	if err != nil {
		return nil, err // pgx redacts the password
	}
	cfg.MaxConns = int32(max(1, o.Pool))
	cfg.MinConns = 0
	switch {
	case o.StatementLimit < 0: // prepared_statements: false, as PgBouncer in transaction mode needs
		cfg.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeExec
	case o.StatementLimit > 0:
		cfg.ConnConfig.StatementCacheCapacity = o.StatementLimit
	}
	if o.IdleTimeout > 0 {
		cfg.MaxConnIdleTime = o.IdleTimeout
	}
	p, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return &pool{pool: p, opts: o, gate: checkout.NewGate(int(cfg.MaxConns), o.CheckoutTimeout)}, nil
}

// connString is o as a postgres:// URL (o.URL as it is, when set).
func connString(o driver.Options) string {
	if o.URL != "" {
		return o.URL
	}
	u := url.URL{Scheme: "postgres", Path: "/" + o.Database}
	host := o.Host
	if host == "" {
		host = "localhost"
	}
	if o.Port != 0 {
		host += ":" + strconv.Itoa(o.Port)
	}
	u.Host = host
	if o.Username != "" {
		u.User = url.UserPassword(o.Username, o.Password)
		if o.Password == "" {
			u.User = url.User(o.Username)
		}
	}
	q := url.Values{}
	for k, v := range o.Params {
		q.Set(k, v)
	}
	if q.Get("connect_timeout") == "" {
		q.Set("connect_timeout", strconv.Itoa(max(1, int(o.Timeout/time.Second))))
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// pool is a driver.Pool on pgxpool.
type pool struct {
	pool *pgxpool.Pool
	opts driver.Options
	gate *checkout.Gate // one place per connection: checkouts wait here, bounded by the checkout timeout
}

var _ driver.Pool = (*pool)(nil)

func (p *pool) Dialect() driver.Dialect { return Dialect() }

// acquire checks a connection out: a place at the gate (where the wait
// and its timeout are), then pgxpool's connection, which a place
// guarantees is free or may be opened (bounded by ctx).
func (p *pool) acquire(ctx context.Context) (*conn, error) {
	if err := p.gate.Enter(ctx); err != nil {
		return nil, err
	}
	c, err := p.pool.Acquire(ctx)
	if err != nil {
		p.gate.Leave()
		return nil, err
	}
	return &conn{pc: c, gate: p.gate}, nil
}

// conn is a checked-out connection; Release gives it and its place back,
// once.
type conn struct {
	pc   *pgxpool.Conn
	gate *checkout.Gate
}

// Conn is the connection's *pgx.Conn.
func (c *conn) Conn() *pgx.Conn { return c.pc.Conn() }

func (c *conn) Release() {
	if c.pc != nil {
		c.pc.Release()
		c.pc = nil
		c.gate.Leave()
	}
}

func (p *pool) Query(ctx context.Context, sql string, args []any) (driver.Rows, error) {
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

func (p *pool) Exec(ctx context.Context, sql string, args []any) (driver.Result, error) {
	c, err := p.acquire(ctx)
	if err != nil {
		return driver.Result{}, err
	}
	defer c.Release()
	return exec(ctx, c.Conn(), sql, args)
}

func exec(ctx context.Context, c interface {
	Exec(context.Context, string, ...any) (pgconn.CommandTag, error)
}, sql string, args []any) (driver.Result, error) {
	tag, err := c.Exec(ctx, sql, args...)
	if err != nil {
		return driver.Result{}, err
	}
	return driver.Result{RowsAffected: tag.RowsAffected()}, nil
}

func (p *pool) Begin(ctx context.Context) (driver.Tx, error) {
	c, err := p.acquire(ctx)
	if err != nil {
		return nil, err
	}
	tx, err := c.Conn().Begin(ctx)
	if err != nil {
		c.Release()
		return nil, err
	}
	return &pgTx{tx: tx, conn: c}, nil
}

// Ping connects (or reuses an idle connection) within ctx alone: at Open
// the wait is for a new connection, bounded by the connect timeout the
// caller put in ctx, not for a free one (the checkout timeout).
func (p *pool) Ping(ctx context.Context) error {
	c, err := p.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer c.Release()
	return c.Ping(ctx)
}

func (p *pool) Close() error { p.pool.Close(); return nil }

func (p *pool) Stat() driver.Stat {
	s := p.pool.Stat()
	waits, waited := p.gate.Waits() // checkouts wait at the gate, of the pool's size, rather than in pgx
	return driver.Stat{Open: int(s.TotalConns()), InUse: int(s.AcquiredConns()), Idle: int(s.IdleConns()),
		WaitCount: s.EmptyAcquireCount() + waits, WaitDuration: s.AcquireDuration() + waited}
}

func (p *pool) Classify(err error) driver.Kind { return classify(err) }

func classify(err error) driver.Kind {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		var ce *pgconn.ConnectError
		if errors.As(err, &ce) {
			return driver.KindUnavailable
		}
		return driver.KindUnknown
	}
	switch pe.Code {
	case "23505":
		return driver.KindUnique
	case "23502":
		return driver.KindNotNull
	case "23503":
		return driver.KindForeignKey
	case "23514":
		return driver.KindCheck
	case "40P01":
		return driver.KindDeadlockDetected
	case "40001", "55P03":
		return driver.KindDeadlock
	}
	return driver.KindUnknown
}

func (p *pool) Columns(ctx context.Context, q driver.Querier, table string) ([]driver.Column, error) {
	const sql = `SELECT c.column_name, c.data_type, c.is_nullable = 'YES', c.column_default,
  EXISTS (SELECT 1 FROM information_schema.table_constraints tc
    JOIN information_schema.key_column_usage k ON k.constraint_name = tc.constraint_name AND k.table_schema = tc.table_schema AND k.table_name = tc.table_name
    WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = c.table_schema AND tc.table_name = c.table_name AND k.column_name = c.column_name)
FROM information_schema.columns c
WHERE c.table_schema = current_schema() AND c.table_name = $1 ORDER BY c.ordinal_position`
	return catalog.Columns(ctx, q, sql, table)
}

func (p *pool) Tables(ctx context.Context, q driver.Querier) ([]string, error) {
	return catalog.Names(ctx, q, `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`)
}

type pgRows struct {
	rows pgx.Rows
	conn *conn
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
	conn *conn
}

func (t *pgTx) Query(ctx context.Context, sql string, args []any) (driver.Rows, error) {
	rows, err := t.tx.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return &pgRows{rows: rows}, nil
}

func (t *pgTx) Exec(ctx context.Context, sql string, args []any) (driver.Result, error) {
	return exec(ctx, t.tx, sql, args)
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

// maintenance is o pointed at the server's maintenance database
// (postgres), and the name of the database o names.
func maintenance(o driver.Options) (name string, maint driver.Options, err error) {
	maint = o
	if o.URL == "" {
		name, maint.Database = o.Database, "postgres"
		return name, maint, nil
	}
	u, err := url.Parse(o.URL)
	if err != nil {
		return "", maint, errors.New("invalid database url") // never echo it: it holds the password
	}
	name = strings.TrimPrefix(u.Path, "/")
	u.Path = "/postgres"
	maint.URL = u.String()
	return name, maint, nil
}

// CreateDatabase implements driver.Creator, through a connection to the
// server's postgres database.
func (d Driver) CreateDatabase(ctx context.Context, o driver.Options) error {
	name, maint, err := maintenance(o)
	if err == nil && name == "" {
		err = errors.New("the configuration names no database")
	}
	if err != nil {
		return fmt.Errorf("create database: %w", err)
	}
	err = d.onServer(ctx, maint, "CREATE DATABASE "+Dialect().Quote(name))
	var pe *pgconn.PgError
	// 42P04 is "already exists"; two CREATE DATABASE racing each other
	// (test processes preparing one database) give the loser a unique
	// violation on pg_database's name index instead.
	if errors.As(err, &pe) && (pe.Code == "42P04" || pe.Code == "23505" && pe.ConstraintName == "pg_database_datname_index") {
		return fmt.Errorf("create database %s: %w", name, driver.ErrDatabaseExists)
	}
	if err != nil {
		return fmt.Errorf("create database %s: %w", name, err)
	}
	return nil
}

// DropDatabase implements driver.Creator.
func (d Driver) DropDatabase(ctx context.Context, o driver.Options) error {
	name, maint, err := maintenance(o)
	if err == nil && name == "" {
		err = errors.New("the configuration names no database")
	}
	if err != nil {
		return fmt.Errorf("drop database: %w", err)
	}
	if err := d.onServer(ctx, maint, "DROP DATABASE IF EXISTS "+Dialect().Quote(name)); err != nil {
		return fmt.Errorf("drop database %s: %w", name, err)
	}
	return nil
}

// onServer runs one statement on a short-lived pool of o.
func (d Driver) onServer(ctx context.Context, o driver.Options, sql string) error {
	p, err := d.Open(ctx, o)
	if err != nil {
		return err
	}
	defer p.Close()
	_, err = p.Exec(ctx, sql, nil)
	return err
}
