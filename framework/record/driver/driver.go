package driver

import (
	"context"
	"errors"
	"time"
)

// Driver opens pools on one kind of database. Implementations are small
// values whose zero value works (sqlite.Driver{}), safe for concurrent use.
type Driver interface {
	// Name is the adapter name configurations use for this database
	// ("sqlite3", "postgresql", "mysql"); record matches it against
	// Config.Adapter.
	Name() string
	// Open creates a pool. It need not connect: record calls Ping next.
	// Errors must not contain the password.
	Open(ctx context.Context, o Options) (Pool, error)
}

// Creator is implemented by drivers that can create and drop the database
// Options name (the db:create and db:drop commands).
type Creator interface {
	// CreateDatabase creates the database; one that exists gives an error
	// wrapping ErrDatabaseExists.
	CreateDatabase(ctx context.Context, o Options) error
	// DropDatabase drops it; one that does not exist is not an error.
	DropDatabase(ctx context.Context, o Options) error
}

// ErrDatabaseExists is returned (wrapped) by CreateDatabase when the
// database already exists.
var ErrDatabaseExists = errors.New("database already exists")

// Options are the connection settings record passes to Open, from
// record.Config with defaults filled in. URL, when set, wins over the
// discrete fields; its form is the driver's (postgres://..., a MySQL DSN,
// a SQLite path).
type Options struct {
	URL      string
	Database string // database name, or the file path for SQLite
	Host     string
	Port     int
	Username string
	Password string
	Params   map[string]string // driver parameters (sslmode, ...)

	Pool            int           // maximum open connections
	MaxIdle         int           // idle connections kept
	IdleTimeout     time.Duration // idle connections are closed after this
	CheckoutTimeout time.Duration // wait for a free connection, then ErrCheckoutTimeout
	Timeout         time.Duration // connect timeout (and SQLite's busy timeout)

	// StatementLimit is how many prepared statements a connection keeps
	// for the queries it runs again (Rails' statement_limit): 0 is the
	// driver's default, negative turns the cache off (prepared_statements:
	// false), for connection poolers that cannot keep them.
	StatementLimit int
}

// Result is what a statement that returns no rows reports.
type Result struct {
	RowsAffected int64
	LastInsertID int64 // where the database reports one (MySQL, SQLite); PostgreSQL uses RETURNING
}

// Rows is a result set, read by one goroutine. Close is idempotent and must
// be called; it gives the connection back.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Columns() []string
	Err() error
	Close() error
}

// Querier runs statements. SQL arrives rebound to the dialect's
// placeholders; args are bound parameters, never text.
type Querier interface {
	Query(ctx context.Context, sql string, args []any) (Rows, error)
	Exec(ctx context.Context, sql string, args []any) (Result, error)
}

// Tx is a transaction on one connection. It is not safe for concurrent
// use. Commit or Rollback ends it and gives the connection back.
type Tx interface {
	Querier
	Commit(ctx context.Context) error
	Rollback(ctx context.Context) error
}

// Pool is a pool of connections to one database. Safe for concurrent use.
type Pool interface {
	Querier
	// Dialect describes the database's SQL.
	Dialect() Dialect
	// Begin checks out a connection (waiting at most the checkout timeout)
	// and starts a transaction on it.
	Begin(ctx context.Context) (Tx, error)
	// Ping checks that the server answers, within ctx alone (not the
	// checkout timeout: at Open the wait is for a new connection).
	Ping(ctx context.Context) error
	// Columns reads a table's columns in ordinal order through q (the pool
	// or a transaction); an empty result means the table does not exist.
	Columns(ctx context.Context, q Querier, table string) ([]Column, error)
	// Tables lists the tables of the current database (or schema), sorted.
	Tables(ctx context.Context, q Querier) ([]string, error)
	// Classify tells what kind of failure err is.
	Classify(err error) Kind
	// Stat reports the pool's state.
	Stat() Stat
	// Close closes the pool, waiting for checked-out connections.
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

// Stat is a snapshot of a pool.
type Stat struct {
	Open, InUse, Idle int
	WaitCount         int64
	WaitDuration      time.Duration
}

// Kind classifies a database error the same way on every database; record
// turns it into its sentinel errors (ErrUniqueViolation, ...).
type Kind int

// Error kinds.
const (
	KindUnknown     Kind = iota
	KindUnique           // a unique index or primary key rejected the row
	KindNotNull          // a NOT NULL column received NULL
	KindForeignKey       // a foreign key rejected the row or the delete
	KindCheck            // a CHECK constraint rejected the row
	KindDeadlock         // deadlock, serialization failure, lock timeout or busy database: retry the transaction
	KindUnavailable      // the server could not be reached, or the connection broke
	// KindDeadlockDetected: a deadlock the server detected and broke by
	// rolling back this statement's transaction (MySQL's 1213, PostgreSQL's
	// 40P01): running it again at once succeeds, unlike a lock timeout.
	KindDeadlockDetected
)

// ErrCheckoutTimeout is returned (wrapped) by a Pool when no connection
// became free within Options.CheckoutTimeout.
var ErrCheckoutTimeout = errors.New("no connection available within the checkout timeout")
