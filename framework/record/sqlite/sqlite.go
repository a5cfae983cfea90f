// Package sqlite is record's SQLite driver, on modernc.org/sqlite (pure Go,
// no cgo). A database is a file; connections open it in WAL mode with a
// busy timeout (Options.Timeout), foreign keys on and write transactions
// that begin IMMEDIATE, so concurrent writers queue instead of failing on a
// lock upgrade.
//
//	db, err := record.Open(ctx, sqlite.Driver{}, record.Config{Database: "db/development.sqlite3"})
//
// Importing this package links SQLite into the program; nothing else does.
package sqlite

import (
	"context"
	sqldriver "database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"modernc.org/sqlite"

	"github.com/gorails/gorails/framework/record/driver"
	"github.com/gorails/gorails/framework/record/internal/catalog"
	"github.com/gorails/gorails/framework/record/internal/sqldb"
)

// Name is the adapter name of SQLite in configurations.
const Name = "sqlite3"

// Driver opens SQLite databases. The zero value is ready to use.
type Driver struct{}

var (
	_ driver.Driver  = Driver{}
	_ driver.Creator = Driver{}
)

// Name implements driver.Driver.
func (Driver) Name() string { return Name }

// Dialect is SQLite's SQL.
func Dialect() driver.Dialect {
	return driver.Dialect{Name: Name, IdentQuote: '"', Returning: true, MaxBinds: 32766, NoLimit: "-1", TextTimes: true}
}

// Open implements driver.Driver. The file is created on first use, and
// its directory too (as Rails' sqlite3 adapter does), so an app binary
// runs from any directory: db/production.sqlite3 needs no db/ made first.
// A new file is readable and writable by its owner only (0600, like the
// credentials): SQLite would create it 0644, and its -wal and -shm files
// copy the database file's mode. An existing file keeps the mode it has.
func (Driver) Open(_ context.Context, o driver.Options) (driver.Pool, error) {
	path := Path(o)
	if path == "" {
		return nil, errors.New("sqlite3 needs a database file path")
	}
	if err := createPrivate(path, o); err != nil {
		return nil, err
	}
	return sqldb.Open(connector{dsn: dsn(path, o), drv: &sqlite.Driver{}}, Dialect(), o, classify, sqldb.Schema{
		Columns: func(ctx context.Context, q driver.Querier, table string) ([]driver.Column, error) {
			return catalog.Columns(ctx, q, `SELECT name, LOWER(type), "notnull" = 0, dflt_value, pk > 0 FROM pragma_table_info(?) ORDER BY cid`, table)
		},
		Tables: func(ctx context.Context, q driver.Querier) ([]string, error) {
			return catalog.Names(ctx, q, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
		},
	}), nil
}

// Path is the database file o names: Database, or URL without its
// sqlite3:, sqlite:// or file: prefix and its query.
func Path(o driver.Options) string {
	if o.URL == "" {
		return o.Database
	}
	path := o.URL
	for _, p := range []string{"sqlite3://", "sqlite://", "sqlite3:", "sqlite:", "file:"} {
		if strings.HasPrefix(path, p) {
			path = strings.TrimPrefix(path, p)
			break
		}
	}
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	return path
}

func dsn(path string, o driver.Options) string {
	q := url.Values{}
	q.Set("_busy_timeout", strconv.FormatInt(o.Timeout.Milliseconds(), 10))
	if path != ":memory:" {
		q.Set("_journal_mode", "WAL")
	}
	q.Set("_foreign_keys", "1")
	q.Set("_txlock", "immediate") // writers queue on the busy timeout instead of failing on lock upgrade
	q.Set("_texttotime", "1")
	q.Set("_time_format", "sqlite")
	if i := strings.IndexByte(o.URL, '?'); i >= 0 { // parameters in the URL: sqlite3:db/x.sqlite3?_busy_timeout=100
		if extra, err := url.ParseQuery(o.URL[i+1:]); err == nil {
			for k, v := range extra {
				q[k] = v
			}
		}
	}
	for k, v := range o.Params {
		q.Set(k, v)
	}
	return "file:" + path + "?" + q.Encode()
}

// createPrivate creates the database file 0600 when it does not exist yet,
// so SQLite opens a file that is already there instead of creating one with
// the process's default mode. A missing directory is left to SQLite's own
// error, as before.
func createPrivate(path string, o driver.Options) error {
	if path == ":memory:" || strings.HasPrefix(path, ":") || o.Params["mode"] == "memory" || o.Params["mode"] == "ro" ||
		strings.Contains(o.URL, "mode=memory") || strings.Contains(o.URL, "mode=ro") {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("sqlite3 %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	switch {
	case err == nil:
		return f.Close()
	case errors.Is(err, fs.ErrExist), errors.Is(err, fs.ErrNotExist):
		return nil
	default:
		return fmt.Errorf("sqlite3: create %s: %w", path, err)
	}
}

// connector opens connections without database/sql's global driver registry.
type connector struct {
	dsn string
	drv *sqlite.Driver
}

func (c connector) Connect(context.Context) (sqldriver.Conn, error) { return c.drv.Open(c.dsn) }
func (c connector) Driver() sqldriver.Driver                        { return c.drv }

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

func classify(err error) driver.Kind {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return driver.KindUnknown
	}
	switch se.Code() {
	case sqliteConstraintUQ, sqliteConstraintPK:
		return driver.KindUnique
	case sqliteConstraintNN:
		return driver.KindNotNull
	case sqliteConstraintFK:
		return driver.KindForeignKey
	case sqliteConstraintChk:
		return driver.KindCheck
	}
	switch se.Code() & 0xff {
	case sqliteBusy, sqliteLocked:
		return driver.KindDeadlock
	}
	return driver.KindUnknown
}

// CreateDatabase implements driver.Creator: it creates the file (and its
// directory). An in-memory database needs nothing.
func (d Driver) CreateDatabase(ctx context.Context, o driver.Options) error {
	path := Path(o)
	switch {
	case path == "":
		return errors.New("create database: the configuration names no database file")
	case path == ":memory:":
		return nil
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("create database %s: %w", path, driver.ErrDatabaseExists)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("create database %s: %w", path, err)
	}
	p, err := d.Open(ctx, o)
	if err != nil {
		return fmt.Errorf("create database %s: %w", path, err)
	}
	defer p.Close()
	if err := p.Ping(ctx); err != nil {
		return fmt.Errorf("create database %s: %w", path, err)
	}
	return nil
}

// DropDatabase implements driver.Creator: it removes the file and its -wal
// and -shm companions.
func (Driver) DropDatabase(_ context.Context, o driver.Options) error {
	path := Path(o)
	if path == "" || path == ":memory:" {
		return nil
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Remove(path + suffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("drop database %s: %w", path, err)
		}
	}
	return nil
}
