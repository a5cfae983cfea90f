package migrate_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorails/gorails/framework/record"
	"github.com/gorails/gorails/framework/record/driver"
	"github.com/gorails/gorails/framework/record/migrate"
	"github.com/gorails/gorails/framework/record/mysql"
	"github.com/gorails/gorails/framework/record/postgres"
	"github.com/gorails/gorails/framework/record/sqlite"
	"github.com/gorails/gorails/internal/testenv"
)

// backend opens fresh databases of one kind.
type backend struct {
	name string
	// open returns a config for a fresh, empty database named after key.
	config func(t *testing.T, key string) record.Config
}

func backends() []backend {
	return []backend{
		{name: "sqlite3", config: func(t *testing.T, key string) record.Config {
			return record.Config{Adapter: record.SQLite, Database: filepath.Join(t.TempDir(), key+".sqlite3")}
		}},
		{name: "postgresql", config: func(t *testing.T, key string) record.Config {
			return record.Config{Adapter: record.PostgreSQL, URL: testenv.PostgresDB(t, "migrate_"+key)}
		}},
		{name: "mysql", config: func(t *testing.T, key string) record.Config {
			return record.Config{Adapter: record.MySQL, URL: testenv.MySQLDB(t, "migrate_"+key)}
		}},
	}
}

// eachDB runs fn once per database kind, as subtests named after it.
func eachDB(t *testing.T, key string, fn func(t *testing.T, b backend, cfg record.Config)) {
	t.Helper()
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			cfg := b.config(t, key)
			fn(t, b, cfg)
		})
	}
}

// driverOf is the driver of cfg's adapter.
func driverOf(t testing.TB, cfg record.Config) driver.Driver {
	t.Helper()
	drv, err := record.DriverFor(cfg, sqlite.Driver{}, postgres.Driver{}, mysql.Driver{})
	if err != nil {
		t.Fatal(err)
	}
	return drv
}

func open(t *testing.T, cfg record.Config) *record.DB {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	db, err := record.Open(ctx, driverOf(t, cfg), cfg)
	if err != nil {
		t.Fatalf("open %s: %v", cfg, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func ctxT(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func newMigrator(t *testing.T, db *record.DB, ms []migrate.Migration, opts migrate.Options) *migrate.Migrator {
	t.Helper()
	m, err := migrate.New(db, ms, opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return m
}

// tables lists the database's tables, sorted.
func tables(t *testing.T, db *record.DB) []string {
	t.Helper()
	ts, err := record.Tables(ctxT(t), db)
	if err != nil {
		t.Fatalf("tables: %v", err)
	}
	slices.Sort(ts)
	return ts
}

// columns lists a table's columns as "name type[ not null]".
func columns(t *testing.T, db *record.DB, table string) []string {
	t.Helper()
	cs, err := record.TableColumns(ctxT(t), db, table)
	if err != nil {
		t.Fatalf("columns of %s: %v", table, err)
	}
	var out []string
	for _, c := range cs {
		s := c.Name
		if !c.Nullable {
			s += " not null"
		}
		out = append(out, s)
	}
	return out
}

func columnTypes(t *testing.T, db *record.DB, table string) map[string]string {
	t.Helper()
	cs, err := record.TableColumns(ctxT(t), db, table)
	if err != nil {
		t.Fatalf("columns of %s: %v", table, err)
	}
	out := map[string]string{}
	for _, c := range cs {
		out[c.Name] = c.Type
	}
	return out
}

func versions(t *testing.T, db *record.DB, m *migrate.Migrator) []string {
	t.Helper()
	lines, err := m.Status(ctxT(t))
	if err != nil {
		t.Fatalf("status: %v", err)
	}
	var out []string
	for _, l := range lines {
		if l.Up {
			out = append(out, strings.TrimSuffix(l.File, ".go"))
		}
	}
	return out
}

func count(t *testing.T, db *record.DB, sql string) int64 {
	t.Helper()
	var n int64
	if err := db.QueryRows(ctxT(t), sql, nil, func(scan func(...any) error) error { return scan(&n) }); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}
