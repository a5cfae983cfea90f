package framework

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"time"

	"github.com/gorails/gorails/framework/record"
	"github.com/gorails/gorails/framework/record/driver"
	"github.com/gorails/gorails/framework/record/migrate"
)

// DatabaseConfigPath is where an app keeps its database settings, and
// SchemaPath where its schema is dumped after migrations.
const (
	DatabaseConfigPath = "config/database.yml"
	SchemaPath         = "db/schema.sql"
)

// ErrNoDatabase is returned by database commands in an app without config/database.yml.
var ErrNoDatabase = errors.New("the app has no database: " + DatabaseConfigPath + " does not exist")

// ErrDatabaseDriver is returned at boot (and by the db:* commands) when
// the database settings name an adapter whose driver is not in
// Config.DatabaseDrivers; the message says which import to add.
var ErrDatabaseDriver = errors.New("database driver not linked")

// initDatabase opens the app's database from config/database.yml (the
// section of the app's environment; DATABASE_URL overrides it, as in
// Rails). In the test environment the database is first prepared from
// db/schema.sql and the migrations (created, loaded, migrated), so tests
// run against the current schema; a db/schema.sql that lacks some of the
// migrations stops the boot, naming them (checkTestSchema). An app without
// the file has no database, like a Rails app made with --skip-active-record.
// The adapter the file (or DATABASE_URL) names must be one of
// Config.DatabaseDrivers.
func initDatabase(ctx context.Context, a *App) error {
	drv, cfg, err := a.Database()
	if errors.Is(err, ErrNoDatabase) {
		a.Logger.Debug(err.Error())
		return nil
	}
	if err != nil {
		return err
	}
	if a.Env().IsTest() && a.Config.Migrations != nil {
		if err := a.checkTestSchema(); err != nil {
			return err
		}
		if err := migrate.Prepare(ctx, drv, cfg, a.Config.Migrations(), a.MigrateOptions()); err != nil {
			return fmt.Errorf("prepare the test database: %w", err)
		}
	}
	db, err := record.Open(ctx, drv, cfg)
	if err != nil {
		return err
	}
	a.DB = db
	a.OnClose(db.Close)
	return nil
}

// Database reads the database settings (DatabaseConfig) and picks the
// driver they name among Config.DatabaseDrivers, without booting the app:
// an adapter the app does not link fails with ErrDatabaseDriver, whose
// message says which import to add.
func (a *App) Database() (driver.Driver, record.Config, error) {
	return a.DatabaseFor(a.Env())
}

// DatabaseFor is Database for another environment's section, as db:create
// and db:drop in development read test's too.
func (a *App) DatabaseFor(env Env) (driver.Driver, record.Config, error) {
	cfg, err := a.DatabaseConfigFor(env)
	if err != nil {
		return nil, cfg, err
	}
	drv, err := record.DriverFor(cfg, a.Config.DatabaseDrivers...)
	var nd *record.NoDriverError
	if errors.As(err, &nd) {
		linked := "no database driver"
		if len(nd.Linked) > 0 {
			linked = "only " + strings.Join(nd.Linked, ", ")
		}
		msg := fmt.Sprintf("%s (%s) or DATABASE_URL names the %s database, but the app links %s", DatabaseConfigPath, env, nd.Adapter, linked)
		if nd.Package != "" {
			msg += fmt.Sprintf(": import %q in config/database.go and add %s to DatabaseDrivers", nd.Package, nd.Driver())
		}
		return nil, cfg, fmt.Errorf("%w: %s", ErrDatabaseDriver, msg)
	}
	return drv, cfg, err
}

// DatabaseConfig reads the environment's section of config/database.yml
// without booting the app, so db:create works before the database exists.
// A relative SQLite path is relative to the app's root, as in Rails, not to
// the working directory. It returns ErrNoDatabase when the file is absent.
func (a *App) DatabaseConfig() (record.Config, error) {
	return a.DatabaseConfigFor(a.Env())
}

// DatabaseConfigFor is DatabaseConfig for env's section of the file.
func (a *App) DatabaseConfigFor(env Env) (record.Config, error) {
	if a.files == nil {
		if err := initFiles(context.Background(), a); err != nil {
			return record.Config{}, err
		}
	}
	if _, err := fs.Stat(a.files, DatabaseConfigPath); errors.Is(err, fs.ErrNotExist) {
		return record.Config{}, ErrNoDatabase
	}
	cfg, err := record.LoadConfig(a.files, DatabaseConfigPath, string(env))
	if err != nil {
		return record.Config{}, err
	}
	if cfg.Adapter == record.SQLite && cfg.URL == "" && cfg.Database != "" && cfg.Database != ":memory:" && !filepath.IsAbs(cfg.Database) {
		cfg.Database = a.Path(cfg.Database)
	}
	cfg.Now = a.clock
	// Statements are reported on the bus; the log subscriber writes their
	// lines (with the app's call site in development).
	cfg.Events = a.Events
	cfg.FilterParameters = a.Config.FilterParameters
	// A lazy association load inside a loop (N+1) is an error in
	// development and test, as Rails' strict_loading_by_default.
	cfg.StrictLoading = !env.IsProduction()
	return cfg, nil
}

// MigrateOptions are the options of the app's migrator: the schema is
// dumped after migrations, except in production and test. In production the schema
// file is what was deployed; in test it is read, never written, since the
// test database is built from development's schema (and several test
// processes may be reading it at once).
func (a *App) MigrateOptions() migrate.Options {
	opts := migrate.Options{Logger: a.Logger}
	if !a.Env().IsProduction() {
		opts.SchemaPath = a.Path(SchemaPath)
		opts.KeepSchema = a.Env().IsTest()
	}
	return opts
}

// Migrations are the app's migrations (Config.Migrations), or none.
func (a *App) Migrations() []migrate.Migration {
	if a.Config.Migrations == nil {
		return nil
	}
	return a.Config.Migrations()
}

// clock reads Config.Now when called, so a clock set after New (the
// testing kit's) is the one every part reads.
func (a *App) clock() time.Time { return a.Config.Now() }
