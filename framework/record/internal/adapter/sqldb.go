package adapter

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"

	"github.com/go-sql-driver/mysql"
	"modernc.org/sqlite"
)

// sqlDB is an adapter over database/sql, used for SQLite and MySQL. Every
// statement checks out a *sql.Conn explicitly so that the checkout timeout
// applies to the wait for a connection only, never to the statement.
type sqlDB struct {
	db       *sql.DB
	dialect  *Dialect
	opts     Options
	classify func(error) Kind
	columns  func(ctx context.Context, q Querier, table string) ([]Column, error)
	tables   func(ctx context.Context, q Querier) ([]string, error)
}

var _ Adapter = (*sqlDB)(nil)

// OpenSQLite opens a SQLite database through modernc.org/sqlite. The DSN
// must carry the pragmas (record builds it: WAL, busy timeout, foreign keys).
func OpenSQLite(o Options) (Adapter, error) {
	db := sql.OpenDB(sqliteConnector{dsn: o.DSN, drv: &sqlite.Driver{}})
	return newSQLDB(db, SQLite, o, classifySQLite, sqliteColumns, func(ctx context.Context, q Querier) ([]string, error) {
		return scanStrings(ctx, q, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	}), nil
}

// OpenMySQL opens a MySQL/MariaDB pool through go-sql-driver/mysql.
func OpenMySQL(o Options) (Adapter, error) {
	cfg, err := mysql.ParseDSN(o.DSN)
	if err != nil {
		return nil, errors.New("invalid MySQL DSN") // the DSN holds the password: never echo it
	}
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, err
	}
	db := sql.OpenDB(conn)
	return newSQLDB(db, MySQL, o, classifyMySQL, func(ctx context.Context, q Querier, table string) ([]Column, error) {
		return scanColumns(ctx, q, `SELECT column_name, LOWER(data_type), is_nullable = 'YES', column_default, column_key = 'PRI'
FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ? ORDER BY ordinal_position`, table)
	}, func(ctx context.Context, q Querier) ([]string, error) {
		return scanStrings(ctx, q, `SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE'`)
	}), nil
}

func newSQLDB(db *sql.DB, d *Dialect, o Options, classify func(error) Kind,
	columns func(context.Context, Querier, string) ([]Column, error),
	tables func(context.Context, Querier) ([]string, error)) *sqlDB {
	db.SetMaxOpenConns(o.Pool)
	db.SetMaxIdleConns(o.MaxIdle)
	db.SetConnMaxIdleTime(o.IdleTimeout)
	return &sqlDB{db: db, dialect: d, opts: o, classify: classify, columns: columns, tables: tables}
}

// sqliteConnector opens connections without the global driver registry.
type sqliteConnector struct {
	dsn string
	drv *sqlite.Driver
}

func (c sqliteConnector) Connect(context.Context) (driver.Conn, error) { return c.drv.Open(c.dsn) }
func (c sqliteConnector) Driver() driver.Driver                        { return c.drv }

func (s *sqlDB) Dialect() *Dialect { return s.dialect }

func (s *sqlDB) conn(ctx context.Context) (*sql.Conn, error) {
	cctx, cancel := checkoutCtx(ctx, s.opts.CheckoutTimeout)
	c, err := s.db.Conn(cctx)
	cancel()
	if err != nil {
		return nil, checkoutErr(ctx, err)
	}
	return c, nil
}

func (s *sqlDB) Query(ctx context.Context, query string, args []any) (Rows, error) {
	c, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := c.QueryContext(ctx, query, args...)
	if err != nil {
		c.Close()
		return nil, err
	}
	return &sqlRows{Rows: rows, conn: c}, nil
}

func (s *sqlDB) Exec(ctx context.Context, query string, args []any) (Result, error) {
	c, err := s.conn(ctx)
	if err != nil {
		return Result{}, err
	}
	defer c.Close()
	return sqlExec(ctx, c, query, args)
}

func sqlExec(ctx context.Context, c interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}, query string, args []any) (Result, error) {
	res, err := c.ExecContext(ctx, query, args...)
	if err != nil {
		return Result{}, err
	}
	n, _ := res.RowsAffected()
	id, _ := res.LastInsertId()
	return Result{RowsAffected: n, LastInsertID: id}, nil
}

func (s *sqlDB) Begin(ctx context.Context) (Tx, error) {
	c, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	// The transaction's lifetime is the caller's ctx, as in pgx.
	tx, err := c.BeginTx(ctx, nil)
	if err != nil {
		c.Close()
		return nil, err
	}
	return &sqlTx{tx: tx, conn: c}, nil
}

// Ping connects within ctx alone, like the PostgreSQL adapter's: the
// checkout timeout is for waiting on a busy pool, not for connecting.
func (s *sqlDB) Ping(ctx context.Context) error {
	c, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	return c.PingContext(ctx)
}

func (s *sqlDB) Close() error { return s.db.Close() }

func (s *sqlDB) Stat() PoolStat {
	st := s.db.Stats()
	return PoolStat{Open: st.OpenConnections, InUse: st.InUse, Idle: st.Idle, WaitCount: st.WaitCount, WaitDuration: st.WaitDuration}
}

func (s *sqlDB) Classify(err error) Kind { return s.classify(err) }

func (s *sqlDB) Columns(ctx context.Context, q Querier, table string) ([]Column, error) {
	return s.columns(ctx, q, table)
}

func (s *sqlDB) Tables(ctx context.Context, q Querier) ([]string, error) { return s.tables(ctx, q) }

func sqliteColumns(ctx context.Context, q Querier, table string) ([]Column, error) {
	return scanColumns(ctx, q, `SELECT name, LOWER(type), "notnull" = 0, dflt_value, pk > 0 FROM pragma_table_info(?) ORDER BY cid`, table)
}

// SQLite result codes (extended), from sqlite3.h.
const (
	sqliteBusy          = 5
	sqliteLocked        = 6
	sqliteConstraintFK  = 787
	sqliteConstraintNN  = 1299
	sqliteConstraintPK  = 1555
	sqliteConstraintUQ  = 2067
	sqliteConstraintChk = 275
)

func classifySQLite(err error) Kind {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return KindUnknown
	}
	switch se.Code() {
	case sqliteConstraintUQ, sqliteConstraintPK:
		return KindUnique
	case sqliteConstraintNN:
		return KindNotNull
	case sqliteConstraintFK:
		return KindForeignKey
	case sqliteConstraintChk:
		return KindCheck
	}
	switch se.Code() & 0xff {
	case sqliteBusy, sqliteLocked:
		return KindDeadlock
	}
	return KindUnknown
}

func classifyMySQL(err error) Kind {
	var me *mysql.MySQLError
	if !errors.As(err, &me) {
		return KindUnknown
	}
	switch me.Number {
	case 1062, 1586:
		return KindUnique
	case 1048, 1364:
		return KindNotNull
	case 1451, 1452, 1216, 1217:
		return KindForeignKey
	case 1213, 1205:
		return KindDeadlock
	case 3819, 4025:
		return KindCheck
	}
	return KindUnknown
}

type sqlRows struct {
	*sql.Rows
	conn *sql.Conn
	cols []string
}

func (r *sqlRows) Columns() []string {
	if r.cols == nil {
		r.cols, _ = r.Rows.Columns()
	}
	return r.cols
}

func (r *sqlRows) Close() error {
	err := r.Rows.Close()
	if r.conn != nil {
		r.conn.Close()
		r.conn = nil
	}
	return err
}

type sqlTx struct {
	tx   *sql.Tx
	conn *sql.Conn
}

func (t *sqlTx) Query(ctx context.Context, query string, args []any) (Rows, error) {
	rows, err := t.tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return &sqlRows{Rows: rows}, nil
}

func (t *sqlTx) Exec(ctx context.Context, query string, args []any) (Result, error) {
	return sqlExec(ctx, t.tx, query, args)
}

func (t *sqlTx) Commit(context.Context) error {
	defer t.conn.Close()
	return t.tx.Commit()
}

func (t *sqlTx) Rollback(context.Context) error {
	defer t.conn.Close()
	return t.tx.Rollback()
}
