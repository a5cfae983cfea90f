package migrate_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gorails/gorails/framework/record"
	"github.com/gorails/gorails/framework/record/migrate"
	"github.com/gorails/gorails/internal/testenv"
)

// databaseConfig is a config naming a database that the test creates
// (after dropping it), for db:create and friends; the server is checked
// through testenv first.
func databaseConfig(t *testing.T, name string) record.Config {
	created := func(url string) string {
		// testenv made gorails_test_migrate_tasks_<time>_<rand>; the test
		// creates and drops a sibling of it, which testenv's sweep of
		// stale databases also recognises.
		return strings.Replace(url, "gorails_test_migrate_tasks_", "gorails_test_migrate_tasks_created_", 1)
	}
	switch name {
	case "postgresql":
		return record.Config{Adapter: record.PostgreSQL, URL: created(testenv.PostgresDB(t, "migrate_tasks"))}
	case "mysql":
		return record.Config{Adapter: record.MySQL, URL: created(testenv.MySQLDB(t, "migrate_tasks"))}
	}
	return record.Config{Adapter: record.SQLite, Database: filepath.Join(t.TempDir(), "db", "tasks.sqlite3")}
}

func TestCreateDropResetPrepare(t *testing.T) {
	for _, name := range []string{"sqlite3", "postgresql", "mysql"} {
		t.Run(name, func(t *testing.T) {
			cfg := databaseConfig(t, name)
			ctx := ctxT(t)
			if err := migrate.DropDatabase(ctx, driverOf(t, cfg), cfg); err != nil {
				t.Fatalf("DropDatabase of a missing database: %v", err)
			}
			schema := filepath.Join(t.TempDir(), "schema.sql")
			ms := []migrate.Migration{createTable("20260101000001_create_a.go", "a")}
			// Prepare creates the database and migrates (no schema file yet).
			if err := migrate.Prepare(ctx, driverOf(t, cfg), cfg, ms, migrate.Options{SchemaPath: schema}); err != nil {
				t.Fatalf("Prepare: %v", err)
			}
			if err := migrate.CreateDatabase(ctx, driverOf(t, cfg), cfg); !errors.Is(err, migrate.ErrDatabaseExists) {
				t.Errorf("CreateDatabase of an existing database: err = %v, want ErrDatabaseExists", err)
			}
			// Prepare on an existing database applies what is new.
			ms = append(ms, createTable("20260101000002_create_b.go", "b"))
			if err := migrate.Prepare(ctx, driverOf(t, cfg), cfg, ms, migrate.Options{SchemaPath: schema}); err != nil {
				t.Fatalf("Prepare again: %v", err)
			}
			if _, err := os.Stat(schema); err != nil {
				t.Fatalf("schema not dumped: %v", err)
			}
			// Reset drops, creates and loads the schema.
			if err := migrate.Reset(ctx, driverOf(t, cfg), cfg, schema); err != nil {
				t.Fatalf("Reset: %v", err)
			}
			db := open(t, cfg)
			if got, want := tables(t, db), []string{"a", "b", "schema_migrations"}; !slices.Equal(got, want) {
				t.Errorf("tables after Reset = %v, want %v", got, want)
			}
			if n := count(t, db, "SELECT COUNT(*) FROM schema_migrations"); n != 2 {
				t.Errorf("versions after Reset = %d, want 2", n)
			}
			db.Close()
			if err := migrate.DropDatabase(ctx, driverOf(t, cfg), cfg); err != nil {
				t.Fatalf("DropDatabase: %v", err)
			}
			if name == "sqlite3" {
				if _, err := os.Stat(cfg.Database); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("database file still there: %v", err)
				}
			}
		})
	}
}

// TestConcurrentPrepare prepares one new database from four processes at
// once, as `go test ./...` does in an app (each package is its own test
// binary, and each boots the app, which prepares the test database): one
// loads the schema and applies the newer migration, the others find it
// done, and none rewrites the schema file (KeepSchema).
func TestConcurrentPrepare(t *testing.T) {
	for _, name := range []string{"sqlite3", "postgresql", "mysql"} {
		t.Run(name, func(t *testing.T) {
			cfg := databaseConfig(t, name)
			ctx := ctxT(t)
			drv := driverOf(t, cfg)
			if err := migrate.DropDatabase(ctx, drv, cfg); err != nil {
				t.Fatal(err)
			}
			schema := filepath.Join(t.TempDir(), "schema.sql")
			ms := []migrate.Migration{createTable("20260101000001_create_a.go", "a"), createTable("20260101000002_create_b.go", "b")}
			if err := migrate.Prepare(ctx, drv, cfg, ms, migrate.Options{SchemaPath: schema}); err != nil {
				t.Fatalf("Prepare: %v", err)
			}
			dumped, err := os.ReadFile(schema)
			if err != nil {
				t.Fatalf("schema not dumped: %v", err)
			}
			if err := migrate.DropDatabase(ctx, drv, cfg); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = migrate.DropDatabase(ctx, drv, cfg) })
			ms = append(ms, createTable("20260101000003_create_c.go", "c"))
			errs := make(chan error, 4)
			for range 4 {
				go func() {
					errs <- migrate.Prepare(ctx, drv, cfg, ms, migrate.Options{SchemaPath: schema, KeepSchema: true})
				}()
			}
			for range 4 {
				if err := <-errs; err != nil {
					t.Errorf("a concurrent Prepare: %v", err)
				}
			}
			db := open(t, cfg)
			defer db.Close()
			if got, want := tables(t, db), []string{"a", "b", "c", "schema_migrations"}; !slices.Equal(got, want) {
				t.Errorf("tables = %v, want %v", got, want)
			}
			if n := count(t, db, "SELECT COUNT(*) FROM schema_migrations"); n != 3 {
				t.Errorf("versions = %d, want 3", n)
			}
			if now, _ := os.ReadFile(schema); string(now) != string(dumped) {
				t.Error("Prepare with KeepSchema rewrote the schema file")
			}
		})
	}
}
