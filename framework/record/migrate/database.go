package migrate

import (
	"context"
	"errors"
	"fmt"

	"github.com/gorails/gorails/framework/record"
	"github.com/gorails/gorails/framework/record/driver"
)

// ErrDatabaseExists is returned (wrapped) by CreateDatabase when the
// database already exists; db:create reports it and goes on. It is
// driver.ErrDatabaseExists.
var ErrDatabaseExists = driver.ErrDatabaseExists

// creator is drv's database creation, or an error saying it has none.
func creator(drv driver.Driver, cfg record.Config) (driver.Creator, error) {
	if _, err := record.DriverFor(cfg, drv); err != nil {
		return nil, err
	}
	c, ok := drv.(driver.Creator)
	if !ok {
		return nil, fmt.Errorf("the %s driver cannot create or drop databases", drv.Name())
	}
	return c, nil
}

// CreateDatabase creates the database cfg names with drv (the driver of
// cfg's adapter): through a connection to the server's maintenance
// database on PostgreSQL and MySQL (utf8mb4), by creating the file on
// SQLite. An existing database gives an error wrapping ErrDatabaseExists.
func CreateDatabase(ctx context.Context, drv driver.Driver, cfg record.Config) error {
	c, err := creator(drv, cfg)
	if err != nil {
		return fmt.Errorf("migrate: create database: %w", err)
	}
	if err := c.CreateDatabase(ctx, cfg.Options()); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// DropDatabase drops the database cfg names (the file and its -wal and
// -shm companions on SQLite). A database that does not exist is not an error.
func DropDatabase(ctx context.Context, drv driver.Driver, cfg record.Config) error {
	c, err := creator(drv, cfg)
	if err != nil {
		return fmt.Errorf("migrate: drop database: %w", err)
	}
	if err := c.DropDatabase(ctx, cfg.Options()); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// Reset drops and recreates the database and loads the schema at
// schemaPath into it (db:reset without seeds).
func Reset(ctx context.Context, drv driver.Driver, cfg record.Config, schemaPath string) error {
	if err := DropDatabase(ctx, drv, cfg); err != nil {
		return err
	}
	if err := CreateDatabase(ctx, drv, cfg); err != nil {
		return err
	}
	db, err := record.Open(ctx, drv, cfg)
	if err != nil {
		return fmt.Errorf("migrate: reset: %w", err)
	}
	defer db.Close()
	return LoadSchemaFile(ctx, db, schemaPath)
}

// Prepare is db:prepare: it creates the database when it is missing and,
// when it has no tables yet, loads opts.SchemaPath into it if that file
// exists, then applies the pending migrations (all of them when there was
// no schema to load). The load and the migrations run under one hold of
// the migrator lock, so processes preparing one database at once (go test
// runs each package in its own process) do not race: one loads and
// migrates, the others find it done. With Options.KeepSchema the schema
// file is read but never rewritten.
func Prepare(ctx context.Context, drv driver.Driver, cfg record.Config, migrations []Migration, opts Options) error {
	if _, err := validate(migrations); err != nil {
		return err
	}
	if err := CreateDatabase(ctx, drv, cfg); err != nil && !errors.Is(err, ErrDatabaseExists) {
		return err
	}
	db, err := record.Open(ctx, drv, cfg)
	if err != nil {
		return fmt.Errorf("migrate: prepare: %w", err)
	}
	defer db.Close()
	m, err := New(db, migrations, opts)
	if err != nil {
		return err
	}
	return m.prepare(ctx)
}
