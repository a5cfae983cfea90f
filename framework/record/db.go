package record

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/gorails/gorails/framework/record/internal/adapter"
)

// DB is a handle on one database: a connection pool, its dialect, the
// per-model plans built at Register (or first use), and the query log.
// It is safe for concurrent use by many goroutines; the transaction of a
// context (see Transaction) is not.
type DB struct {
	a       adapter.Adapter
	dialect *adapter.Dialect
	cfg     Config
	log     *slog.Logger
	filter  []string

	plans sync.Map // reflect.Type -> *plan

	inLimit int // keys per IN list when preloading; 0: the dialect's bind limit (tests lower it)
}

// Open validates cfg, creates the pool and checks that the server answers
// (within cfg.Timeout). A server that cannot be reached gives an error
// matching ErrUnavailable; error text never contains the password.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	opts := adapter.Options{Pool: cfg.Pool, MaxIdle: cfg.MaxIdle, IdleTimeout: cfg.IdleTimeout, CheckoutTimeout: cfg.CheckoutTimeout}
	var (
		a   adapter.Adapter
		err error
	)
	switch cfg.Adapter {
	case PostgreSQL:
		opts.DSN, err = postgresDSN(cfg)
		if err == nil {
			a, err = adapter.OpenPostgres(ctx, opts)
		}
	case MySQL:
		opts.DSN, err = mysqlDSN(cfg)
		if err == nil {
			a, err = adapter.OpenMySQL(opts)
		}
	case SQLite:
		opts.DSN = sqliteDSN(cfg)
		a, err = adapter.OpenSQLite(opts)
	}
	if err != nil {
		return nil, fmt.Errorf("record: open %s: %w", cfg, err)
	}
	db := &DB{a: a, dialect: a.Dialect(), cfg: cfg, log: cfg.Logger, filter: append(defaultFilter(), cfg.FilterParameters...)}
	if db.log == nil {
		db.log = slog.New(slog.DiscardHandler)
	}
	pctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	if err := a.Ping(pctx); err != nil {
		a.Close()
		kind := db.kindOf(err)
		if kind == nil || kind == ErrPoolExhausted {
			kind = ErrUnavailable
		}
		return nil, &Error{Op: "connect to " + cfg.String(), Kind: kind, Err: err}
	}
	return db, nil
}

// Close closes the pool, waiting for checked-out connections to return.
func (db *DB) Close() error { return db.a.Close() }

// Adapter returns the database's name: SQLite, PostgreSQL or MySQL.
func (db *DB) Adapter() string { return db.cfg.Adapter }

// Config returns the configuration the DB was opened with (defaults filled in).
func (db *DB) Config() Config { return db.cfg }

// PoolStat is a snapshot of the connection pool.
type PoolStat = adapter.PoolStat

// Stat reports the pool's state.
func (db *DB) Stat() PoolStat { return db.a.Stat() }

// Conn is record's implementer interface for its subpackages (migrate): the
// adapter, for DDL (Exec), schema reflection (Columns, Tables) and dialect
// facts. Its type is internal to framework/record.
func (db *DB) Conn() adapter.Adapter { return db.a }

// Querier returns what statements in ctx should run on: the transaction of
// ctx for this DB, or the pool. For framework/record subpackages.
func (db *DB) Querier(ctx context.Context) adapter.Querier { return db.q(ctx) }

// Quote quotes an identifier (table or column name) for this database.
func (db *DB) Quote(ident string) string { return db.dialect.Quote(ident) }

func (db *DB) q(ctx context.Context) adapter.Querier {
	if st := txFrom(ctx, db); st != nil {
		return st.tx
	}
	return db.a
}

// Exec runs a raw statement with ? binds (rewritten per dialect) and returns
// the number of rows affected.
func (db *DB) Exec(ctx context.Context, sql string, args ...any) (int64, error) {
	res, err := db.exec(ctx, "exec", db.dialect.Rebind(sql), args, nil)
	return res.RowsAffected, err
}

// exec runs a statement with logging, stats and error mapping.
func (db *DB) exec(ctx context.Context, op, sql string, args []any, names []string) (adapter.Result, error) {
	start := time.Now()
	res, err := db.q(ctx).Exec(ctx, sql, args)
	db.record(ctx, op, sql, args, names, start, res.RowsAffected, err)
	return res, db.wrapErr(op, err)
}

// query starts a query; the caller scans and then calls done.
func (db *DB) query(ctx context.Context, sql string, args []any) (adapter.Rows, time.Time, error) {
	start := time.Now()
	rows, err := db.q(ctx).Query(ctx, sql, args)
	if err != nil {
		db.record(ctx, "query", sql, args, nil, start, 0, err)
		return nil, start, db.wrapErr("query", err)
	}
	return rows, start, nil
}

// done closes rows, logs the statement and maps the error.
func (db *DB) done(ctx context.Context, op, sql string, args []any, rows adapter.Rows, start time.Time, n int64, err error) error {
	cerr := rows.Close()
	if err == nil {
		err = rows.Err()
	}
	if err == nil {
		err = cerr
	}
	db.record(ctx, op, sql, args, nil, start, n, err)
	return db.wrapErr(op, err)
}

func postgresDSN(c Config) (string, error) {
	if c.URL != "" {
		return c.URL, nil
	}
	u := url.URL{Scheme: "postgres", Path: "/" + c.Database}
	host := c.Host
	if host == "" {
		host = "localhost"
	}
	if c.Port != 0 {
		host += ":" + strconv.Itoa(c.Port)
	}
	u.Host = host
	if c.Username != "" {
		u.User = url.UserPassword(c.Username, c.Password)
		if c.Password == "" {
			u.User = url.User(c.Username)
		}
	}
	q := url.Values{}
	for k, v := range c.Params {
		q.Set(k, v)
	}
	if q.Get("connect_timeout") == "" {
		q.Set("connect_timeout", strconv.Itoa(max(1, int(c.Timeout/time.Second))))
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

func mysqlDSN(c Config) (string, error) {
	var m *mysql.Config
	switch {
	case c.URL != "" && strings.Contains(c.URL, "://"):
		u, err := url.Parse(c.URL)
		if err != nil {
			return "", fmt.Errorf("invalid database url") // never echo it: it holds the password
		}
		m = mysql.NewConfig()
		m.User = u.User.Username()
		m.Passwd, _ = u.User.Password()
		m.Net, m.Addr = "tcp", u.Host
		if u.Port() == "" {
			m.Addr = u.Hostname() + ":3306"
		}
		m.DBName = strings.TrimPrefix(u.Path, "/")
		for k, v := range u.Query() {
			if m.Params == nil {
				m.Params = map[string]string{}
			}
			m.Params[k] = v[0]
		}
	case c.URL != "":
		var err error
		if m, err = mysql.ParseDSN(c.URL); err != nil {
			return "", fmt.Errorf("invalid MySQL DSN")
		}
	default:
		m = mysql.NewConfig()
		m.User, m.Passwd, m.DBName = c.Username, c.Password, c.Database
		host := c.Host
		if host == "" {
			host = "127.0.0.1"
		}
		if strings.HasPrefix(host, "/") {
			m.Net, m.Addr = "unix", host
		} else {
			port := c.Port
			if port == 0 {
				port = 3306
			}
			m.Net, m.Addr = "tcp", host+":"+strconv.Itoa(port)
		}
		for k, v := range c.Params {
			if m.Params == nil {
				m.Params = map[string]string{}
			}
			m.Params[k] = v
		}
	}
	m.ParseTime = true
	m.Loc = time.UTC
	m.ClientFoundRows = true // rows affected = rows matched, as on the other databases
	m.MultiStatements = false
	m.InterpolateParams = false
	if m.Timeout == 0 {
		m.Timeout = c.Timeout
	}
	return m.FormatDSN(), nil
}

func sqliteDSN(c Config) string {
	path := c.Database
	if c.URL != "" {
		path = c.URL
		for _, p := range []string{"sqlite3://", "sqlite://", "sqlite3:", "sqlite:", "file:"} {
			if strings.HasPrefix(path, p) {
				path = strings.TrimPrefix(path, p)
				break
			}
		}
	}
	q := url.Values{}
	q.Set("_busy_timeout", strconv.FormatInt(c.Timeout.Milliseconds(), 10))
	if path != ":memory:" {
		q.Set("_journal_mode", "WAL")
	}
	q.Set("_foreign_keys", "1")
	q.Set("_txlock", "immediate") // writers queue on the busy timeout instead of failing on lock upgrade
	q.Set("_texttotime", "1")
	q.Set("_time_format", "sqlite")
	for k, v := range c.Params {
		q.Set(k, v)
	}
	return "file:" + path + "?" + q.Encode()
}

// typeKey is the plans map key.
func typeKey[T any]() reflect.Type { return reflect.TypeFor[T]() }

// inChunk is the number of keys per IN list when preloading: under each
// database's bind limit (SQLite 32766, PostgreSQL and MySQL 65535), with
// room left for the binds of an association's scope.
func (db *DB) inChunk() int {
	if db.inLimit > 0 {
		return db.inLimit
	}
	if db.dialect == adapter.SQLite {
		return 32766 - 766
	}
	return 65535 - 1535
}
