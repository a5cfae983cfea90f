package migrate

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/gorails/gorails/framework/record"
)

// ErrDatabaseExists is returned (wrapped) by CreateDatabase when the
// database already exists; db:create reports it and goes on.
var ErrDatabaseExists = errors.New("database already exists")

// target is the database cfg points at and a config for the server's
// maintenance database (postgres on PostgreSQL, none on MySQL).
func target(cfg record.Config) (name string, maint record.Config, err error) {
	cfg = cfg.WithDefaults()
	maint = cfg
	switch cfg.Adapter {
	case record.SQLite:
		name = cfg.Database
		if cfg.URL != "" {
			name = cfg.URL
			for _, p := range []string{"sqlite3://", "sqlite://", "sqlite3:", "sqlite:", "file:"} {
				if strings.HasPrefix(name, p) {
					name = strings.TrimPrefix(name, p)
					break
				}
			}
			if i := strings.IndexByte(name, '?'); i >= 0 {
				name = name[:i]
			}
		}
		return name, maint, nil
	case record.PostgreSQL:
		if cfg.URL == "" {
			name, maint.Database = cfg.Database, "postgres"
			return name, maint, nil
		}
		u, err := url.Parse(cfg.URL)
		if err != nil {
			return "", maint, errors.New("invalid database url") // never echo it: it holds the password
		}
		name = strings.TrimPrefix(u.Path, "/")
		u.Path = "/postgres"
		maint.URL = u.String()
		return name, maint, nil
	case record.MySQL:
		switch {
		case cfg.URL == "":
			name, maint.Database = cfg.Database, "information_schema"
		case strings.Contains(cfg.URL, "://"):
			u, err := url.Parse(cfg.URL)
			if err != nil {
				return "", maint, errors.New("invalid database url")
			}
			name = strings.TrimPrefix(u.Path, "/")
			u.Path = "/information_schema"
			maint.URL = u.String()
		default:
			m, err := mysql.ParseDSN(cfg.URL)
			if err != nil {
				return "", maint, errors.New("invalid MySQL DSN")
			}
			name, m.DBName = m.DBName, "information_schema"
			maint.URL = m.FormatDSN()
		}
		return name, maint, nil
	}
	return "", maint, fmt.Errorf("unknown adapter %q", cfg.Adapter)
}

// CreateDatabase creates the database cfg names, through a connection to
// the server's maintenance database (PostgreSQL, MySQL with utf8mb4) or by
// creating the file (SQLite). An existing database gives an error wrapping
// ErrDatabaseExists.
func CreateDatabase(ctx context.Context, cfg record.Config) error {
	name, maint, err := target(cfg)
	if err != nil {
		return fmt.Errorf("migrate: create database: %w", err)
	}
	if name == "" {
		return errors.New("migrate: create database: the configuration names no database")
	}
	if maint.Adapter == record.SQLite {
		if name == ":memory:" {
			return nil
		}
		if _, err := os.Stat(name); err == nil {
			return fmt.Errorf("migrate: create database %s: %w", name, ErrDatabaseExists)
		}
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			return fmt.Errorf("migrate: create database %s: %w", name, err)
		}
		db, err := record.Open(ctx, cfg)
		if err != nil {
			return fmt.Errorf("migrate: create database %s: %w", name, err)
		}
		return db.Close()
	}
	db, err := record.Open(ctx, maint)
	if err != nil {
		return fmt.Errorf("migrate: create database %s: %w", name, err)
	}
	defer db.Close()
	sql := "CREATE DATABASE " + db.Quote(name)
	if maint.Adapter == record.MySQL {
		sql += " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
	}
	if _, err := db.Exec(ctx, sql); err != nil {
		var pe *pgconn.PgError
		var me *mysql.MySQLError
		if errors.As(err, &pe) && pe.Code == "42P04" || errors.As(err, &me) && me.Number == 1007 {
			return fmt.Errorf("migrate: create database %s: %w", name, ErrDatabaseExists)
		}
		return fmt.Errorf("migrate: create database %s: %w", name, err)
	}
	return nil
}

// DropDatabase drops the database cfg names (the file and its -wal and
// -shm companions on SQLite). A database that does not exist is not an error.
func DropDatabase(ctx context.Context, cfg record.Config) error {
	name, maint, err := target(cfg)
	if err != nil {
		return fmt.Errorf("migrate: drop database: %w", err)
	}
	if maint.Adapter == record.SQLite {
		if name == ":memory:" {
			return nil
		}
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if err := os.Remove(name + suffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("migrate: drop database %s: %w", name, err)
			}
		}
		return nil
	}
	db, err := record.Open(ctx, maint)
	if err != nil {
		return fmt.Errorf("migrate: drop database %s: %w", name, err)
	}
	defer db.Close()
	if _, err := db.Exec(ctx, "DROP DATABASE IF EXISTS "+db.Quote(name)); err != nil {
		return fmt.Errorf("migrate: drop database %s: %w", name, err)
	}
	return nil
}

// Reset drops and recreates the database and loads the schema at
// schemaPath into it (db:reset without seeds).
func Reset(ctx context.Context, cfg record.Config, schemaPath string) error {
	if err := DropDatabase(ctx, cfg); err != nil {
		return err
	}
	if err := CreateDatabase(ctx, cfg); err != nil {
		return err
	}
	db, err := record.Open(ctx, cfg)
	if err != nil {
		return fmt.Errorf("migrate: reset: %w", err)
	}
	defer db.Close()
	return LoadSchemaFile(ctx, db, schemaPath)
}

// Prepare is db:prepare: it creates the database when it is missing and
// loads opts.SchemaPath into it when that file exists, then applies the
// pending migrations (all of them when there was no schema to load).
func Prepare(ctx context.Context, cfg record.Config, migrations []Migration, opts Options) error {
	if _, err := validate(migrations); err != nil {
		return err
	}
	created := true
	if err := CreateDatabase(ctx, cfg); err != nil {
		if !errors.Is(err, ErrDatabaseExists) {
			return err
		}
		created = false
	}
	db, err := record.Open(ctx, cfg)
	if err != nil {
		return fmt.Errorf("migrate: prepare: %w", err)
	}
	defer db.Close()
	if created && opts.SchemaPath != "" {
		if _, err := os.Stat(opts.SchemaPath); err == nil {
			if err := LoadSchemaFile(ctx, db, opts.SchemaPath); err != nil {
				return err
			}
		}
	}
	m, err := New(db, migrations, opts)
	if err != nil {
		return err
	}
	return m.Migrate(ctx, Latest)
}
