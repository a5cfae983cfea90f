// Package mysql is record's MySQL and MariaDB driver, on
// go-sql-driver/mysql. Connections parse times as UTC, report the rows a
// statement matched (as the other databases do) and never interpolate
// parameters or run several statements at once.
//
//	db, err := record.Open(ctx, mysql.Driver{}, record.Config{URL: "mysql://root@127.0.0.1/app_development"})
//
// Importing this package links the MySQL client into the program; nothing
// else does.
package mysql

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	gomysql "github.com/go-sql-driver/mysql"

	"github.com/gorails/gorails/framework/record/driver"
	"github.com/gorails/gorails/framework/record/internal/catalog"
	"github.com/gorails/gorails/framework/record/internal/sqldb"
)

// Name is the adapter name of MySQL (and MariaDB) in configurations.
const Name = "mysql"

// Driver opens MySQL and MariaDB pools. The zero value is ready to use.
type Driver struct{}

var (
	_ driver.Driver  = Driver{}
	_ driver.Creator = Driver{}
)

// Name implements driver.Driver.
func (Driver) Name() string { return Name }

// Dialect is MySQL's SQL.
func Dialect() driver.Dialect {
	return driver.Dialect{Name: Name, IdentQuote: '`', BackslashEscapes: true, LockClause: " FOR UPDATE",
		DuplicateKeyUpsert: true, MaxBinds: 65535, NoLimit: "18446744073709551615"}
}

// Open implements driver.Driver: it creates the pool without connecting.
func (Driver) Open(_ context.Context, o driver.Options) (driver.Pool, error) {
	cfg, err := config(o)
	if err != nil {
		return nil, err
	}
	conn, err := gomysql.NewConnector(cfg)
	if err != nil {
		return nil, err
	}
	return sqldb.Open(conn, Dialect(), o, classify, sqldb.Schema{
		Columns: func(ctx context.Context, q driver.Querier, table string) ([]driver.Column, error) {
			return catalog.Columns(ctx, q, `SELECT column_name, LOWER(data_type), is_nullable = 'YES', column_default, column_key = 'PRI'
FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ? ORDER BY ordinal_position`, table)
		},
		Tables: func(ctx context.Context, q driver.Querier) ([]string, error) {
			return catalog.Names(ctx, q, `SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE'`)
		},
	}), nil
}

// config builds the client configuration from o: a mysql:// URL, a
// go-sql-driver DSN (user:pass@tcp(host:3306)/db) or the discrete fields.
// Errors never echo the URL or DSN: they hold the password.
func config(o driver.Options) (*gomysql.Config, error) {
	var m *gomysql.Config
	switch {
	case o.URL != "" && strings.Contains(o.URL, "://"):
		u, err := url.Parse(o.URL)
		if err != nil {
			return nil, errors.New("invalid database url")
		}
		m = gomysql.NewConfig()
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
	case o.URL != "":
		var err error
		if m, err = gomysql.ParseDSN(o.URL); err != nil {
			return nil, errors.New("invalid MySQL DSN")
		}
	case o.Database == "":
		return nil, errors.New("mysql needs a database name or a url")
	default:
		m = gomysql.NewConfig()
		m.User, m.Passwd, m.DBName = o.Username, o.Password, o.Database
		host := o.Host
		if host == "" {
			host = "127.0.0.1"
		}
		if strings.HasPrefix(host, "/") {
			m.Net, m.Addr = "unix", host
		} else {
			port := o.Port
			if port == 0 {
				port = 3306
			}
			m.Net, m.Addr = "tcp", host+":"+strconv.Itoa(port)
		}
		for k, v := range o.Params {
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
		m.Timeout = o.Timeout
	}
	return m, nil
}

func classify(err error) driver.Kind {
	var me *gomysql.MySQLError
	if !errors.As(err, &me) {
		return driver.KindUnknown
	}
	switch me.Number {
	case 1062, 1586:
		return driver.KindUnique
	case 1048, 1364:
		return driver.KindNotNull
	case 1451, 1452, 1216, 1217:
		return driver.KindForeignKey
	case 1213:
		return driver.KindDeadlockDetected
	case 1205:
		return driver.KindDeadlock
	case 3819, 4025:
		return driver.KindCheck
	}
	return driver.KindUnknown
}

// maintenance is o pointed at information_schema, and the name of the
// database o names.
func maintenance(o driver.Options) (name string, maint driver.Options, err error) {
	maint = o
	switch {
	case o.URL == "":
		name, maint.Database = o.Database, "information_schema"
	case strings.Contains(o.URL, "://"):
		u, err := url.Parse(o.URL)
		if err != nil {
			return "", maint, errors.New("invalid database url")
		}
		name = strings.TrimPrefix(u.Path, "/")
		u.Path = "/information_schema"
		maint.URL = u.String()
	default:
		m, err := gomysql.ParseDSN(o.URL)
		if err != nil {
			return "", maint, errors.New("invalid MySQL DSN")
		}
		name, m.DBName = m.DBName, "information_schema"
		maint.URL = m.FormatDSN()
	}
	return name, maint, nil
}

// CreateDatabase implements driver.Creator: utf8mb4, through a connection
// to information_schema.
func (d Driver) CreateDatabase(ctx context.Context, o driver.Options) error {
	name, maint, err := maintenance(o)
	if err == nil && name == "" {
		err = errors.New("the configuration names no database")
	}
	if err != nil {
		return fmt.Errorf("create database: %w", err)
	}
	err = d.onServer(ctx, maint, "CREATE DATABASE "+Dialect().Quote(name)+" CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
	var me *gomysql.MySQLError
	if errors.As(err, &me) && me.Number == 1007 {
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
