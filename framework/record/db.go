package record

import (
	"context"
	"fmt"
	"log/slog"
	"reflect"
	"sync"
	"time"

	"github.com/gorails/gorails/framework/event"
	"github.com/gorails/gorails/framework/record/driver"
)

// Executor is what statements run on: a *DB (each statement on a
// connection from the pool) or a *Tx (every statement on the transaction's
// connection). Every read and write takes one, so the transaction a
// statement belongs to is visible where it is called:
//
//	err := record.Transaction(ctx, db, func(tx *record.Tx) error {
//		return record.Create(ctx, tx, &post) // in the transaction
//	})
//
// Write a function that works inside and outside transactions by taking an
// Executor. Only *DB and *Tx implement it.
type Executor interface {
	// Exec runs a raw statement with ? binds (rewritten for the database)
	// and reports what it changed. Without args the SQL is sent as written.
	Exec(ctx context.Context, sql string, args ...any) (Result, error)
	// QueryRows runs a raw query with ? binds and calls row for each row;
	// scan reads the row's columns into dest, as database/sql's Scan does.
	// row's error stops the iteration and is returned.
	QueryRows(ctx context.Context, sql string, args []any, row func(scan func(dest ...any) error) error) error

	on() *DB
}

var (
	_ Executor = (*DB)(nil)
	_ Executor = (*Tx)(nil)
)

// Result is what a statement that returns no rows reports: RowsAffected,
// and LastInsertID on MySQL and SQLite.
type Result = driver.Result

// DB is a handle on one database: a connection pool, its dialect, the
// per-model plans built at Register (or first use), and the query log.
// It is safe for concurrent use by many goroutines.
type DB struct {
	*shared
	q  driver.Querier // the pool, or the connection of tx
	tx *Tx            // nil for the pool; set on the DB a transaction runs its statements on
}

// shared is the part of a DB its transactions share.
type shared struct {
	drv     driver.Pool
	dialect driver.Dialect
	cfg     Config
	log     *slog.Logger
	events  *event.Bus
	filter  []string

	plans     sync.Map // reflect.Type -> *plan
	tableCols sync.Map // table name -> map[string]struct{}: columns of tables named in qualified column terms

	inLimit int // keys per IN list when preloading; 0: the dialect's bind limit (tests lower it)

	tests testState // the open TestTx (testtx.go)
}

func (db *DB) on() *DB { return db }

// executor is the Executor statements on db run through: its transaction,
// or the DB itself.
func (db *DB) executor() Executor {
	if db.tx != nil {
		return db.tx
	}
	return db
}

// Open validates cfg, opens a pool with drv (the driver package of the
// database, such as sqlite.Driver{}) and checks that the server answers
// within cfg.Timeout. cfg.Adapter, when set, must name drv's database
// (ErrNoDriver otherwise). A server that cannot be reached gives an error
// matching ErrUnavailable; error text never contains the password.
func Open(ctx context.Context, drv driver.Driver, cfg Config) (*DB, error) {
	if drv == nil {
		return nil, fmt.Errorf("record: open: no driver (pass the driver of the database, such as sqlite.Driver{} from %s)", driverPackage(SQLite))
	}
	if cfg = cfg.WithDefaults(); cfg.Adapter == "" {
		cfg.Adapter = drv.Name()
		cfg = cfg.WithDefaults()
	}
	if _, err := DriverFor(cfg, drv); err != nil {
		return nil, err
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	pool, err := drv.Open(ctx, cfg.Options())
	if err != nil {
		return nil, fmt.Errorf("record: open %s: %w", cfg, err)
	}
	db := &DB{shared: &shared{drv: pool, dialect: pool.Dialect(), cfg: cfg, log: cfg.Logger, events: cfg.Events, filter: append(defaultFilter(), cfg.FilterParameters...)}, q: pool}
	db.tests.one = make(chan struct{}, 1)
	if db.log == nil {
		db.log = slog.New(slog.DiscardHandler)
	}
	pctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	if err := pool.Ping(pctx); err != nil {
		pool.Close()
		kind := db.kindOf(err)
		if kind == nil || kind == ErrPoolExhausted {
			kind = ErrUnavailable
		}
		return nil, &Error{Op: "connect to " + cfg.String(), Kind: kind, Err: err}
	}
	return db, nil
}

// Close closes the pool, waiting for checked-out connections to return.
func (db *DB) Close() error { return db.drv.Close() }

// Adapter returns the database's adapter name: SQLite, PostgreSQL or MySQL
// (or another driver's name).
func (db *DB) Adapter() string { return db.dialect.Name }

// Config returns the configuration the DB was opened with (defaults filled in).
func (db *DB) Config() Config { return db.cfg }

// Dialect describes the database's SQL (quoting, placeholders, conflict
// clauses), for code that writes SQL for several databases.
func (db *DB) Dialect() driver.Dialect { return db.dialect }

// PoolStat is a snapshot of the connection pool.
type PoolStat = driver.Stat

// Stat reports the pool's state.
func (db *DB) Stat() PoolStat { return db.drv.Stat() }

// Quote quotes an identifier (table or column name) for this database.
func (db *DB) Quote(ident string) string { return db.dialect.Quote(ident) }

// Exec runs a raw statement on a pooled connection; see Executor.
func (db *DB) Exec(ctx context.Context, sql string, args ...any) (Result, error) {
	return db.rawExec(ctx, sql, args)
}

// QueryRows runs a raw query on a pooled connection; see Executor.
func (db *DB) QueryRows(ctx context.Context, sql string, args []any, row func(scan func(dest ...any) error) error) error {
	return db.rawQuery(ctx, sql, args, row)
}

// raw checks a raw statement's binds and rebinds it; without args it is
// sent as written (a ? is then PostgreSQL's jsonb operator, say).
func (db *DB) raw(sql string, args []any) (string, error) {
	if len(args) == 0 {
		return sql, nil
	}
	if n := db.dialect.Placeholders(sql); n != len(args) {
		return "", fmt.Errorf("record: %q has %d placeholders but %d binds", truncate(sql, 200), n, len(args))
	}
	return db.dialect.Rebind(sql), nil
}

func (db *DB) rawExec(ctx context.Context, sql string, args []any) (Result, error) {
	sql, err := db.raw(sql, args)
	if err != nil {
		return Result{}, err
	}
	return db.exec(ctx, "exec", sql, args, nil)
}

func (db *DB) rawQuery(ctx context.Context, sql string, args []any, row func(scan func(dest ...any) error) error) error {
	sql, err := db.raw(sql, args)
	if err != nil {
		return err
	}
	rows, start, err := db.query(ctx, sql, args, nil)
	if err != nil {
		return err
	}
	n := int64(0)
	for rows.Next() {
		n++
		if err = row(rows.Scan); err != nil {
			break
		}
	}
	return db.done(ctx, "query", sql, args, nil, rows, start, n, err)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// exec runs a statement with logging, stats and error mapping. names
// parallels args: the column the ORM bound each value against, "" (or a
// nil names) where it does not know; the log and the error's text show
// only what it knows is safe.
func (db *DB) exec(ctx context.Context, op, sql string, args []any, names []string) (Result, error) {
	if t := db.testTx(ctx); t != nil {
		return t.exec(ctx, op, sql, args, names)
	}
	start := time.Now()
	res, err := db.q.Exec(ctx, sql, args)
	err = db.redact(err, args, names)
	db.record(ctx, op, sql, args, names, start, res.RowsAffected, err)
	return res, db.wrapErr(op, err)
}

// query starts a query; the caller scans and then calls done.
func (db *DB) query(ctx context.Context, sql string, args []any, names []string) (driver.Rows, time.Time, error) {
	if t := db.testTx(ctx); t != nil {
		return t.query(ctx, sql, args, names)
	}
	start := time.Now()
	rows, err := db.q.Query(ctx, sql, args)
	if err != nil {
		err = db.redact(err, args, names)
		db.record(ctx, "query", sql, args, names, start, 0, err)
		return nil, start, db.wrapErr("query", err)
	}
	return rows, start, nil
}

// done closes rows, logs the statement and maps the error.
func (db *DB) done(ctx context.Context, op, sql string, args []any, names []string, rows driver.Rows, start time.Time, n int64, err error) error {
	cerr := rows.Close()
	if err == nil {
		err = rows.Err()
	}
	if err == nil {
		err = cerr
	}
	err = db.redact(err, args, names)
	db.record(ctx, op, sql, args, names, start, n, err)
	return db.wrapErr(op, err)
}

// typeKey is the plans map key.
func typeKey[T any]() reflect.Type { return reflect.TypeFor[T]() }

// inChunk is the number of keys per IN list when preloading: under the
// database's bind limit, with room left for the binds of an association's
// scope.
func (db *DB) inChunk() int {
	if db.inLimit > 0 {
		return db.inLimit
	}
	return db.maxBinds() * 97 / 100
}

// maxBinds is the bound parameters one statement may carry.
func (db *DB) maxBinds() int {
	if db.dialect.MaxBinds > 0 {
		return db.dialect.MaxBinds
	}
	return 999 // SQLite's historic limit: safe on anything
}
