package dbstore_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorails/gorails/framework/cache"
	"github.com/gorails/gorails/framework/cache/cachetest"
	"github.com/gorails/gorails/framework/cache/dbstore"
	"github.com/gorails/gorails/framework/record"
	"github.com/gorails/gorails/framework/record/mysql"
	"github.com/gorails/gorails/framework/record/postgres"
	"github.com/gorails/gorails/framework/record/sqlite"
	"github.com/gorails/gorails/internal/testenv"
)

var ctx = context.Background()

var adapters = []string{record.SQLite, record.PostgreSQL, record.MySQL}

// openDB opens a fresh database of the adapter's, without tables.
func openDB(t testing.TB, adapter string) *record.DB {
	t.Helper()
	cfg := record.Config{Adapter: adapter, Pool: 8}
	switch adapter {
	case record.PostgreSQL:
		cfg.URL = testenv.PostgresDB(t, "cache")
	case record.MySQL:
		cfg.URL = testenv.MySQLDB(t, "cache")
	case record.SQLite:
		cfg.Database = filepath.Join(t.TempDir(), "cache.sqlite3")
	}
	drv, err := record.DriverFor(cfg, sqlite.Driver{}, postgres.Driver{}, mysql.Driver{})
	if err != nil {
		t.Fatal(err)
	}
	db, err := record.Open(ctx, drv, cfg)
	if err != nil {
		t.Fatalf("open %s: %v", adapter, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// openStore opens a database with the store's table.
func openStore(t testing.TB, adapter string, cfg dbstore.Config) (*dbstore.Store, *record.DB) {
	t.Helper()
	db := openDB(t, adapter)
	if err := dbstore.CreateTable(ctx, db); err != nil {
		t.Fatal(err)
	}
	st := dbstore.New(db, cfg)
	t.Cleanup(func() { st.Close() })
	return st, db
}

func TestStoreContract(t *testing.T) {
	for _, adapter := range adapters {
		t.Run(adapter, func(t *testing.T) {
			t.Parallel()
			db := openDB(t, adapter)
			if err := dbstore.CreateTable(ctx, db); err != nil {
				t.Fatal(err)
			}
			// One table for all subtests: they run one at a time, each on
			// the table emptied.
			cachetest.TestStoreClocked(t, func(t *testing.T, now func() time.Time) cache.Store {
				st := dbstore.New(db, dbstore.Config{Now: now})
				if err := st.Clear(ctx); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { st.Close() })
				return st
			}, cachetest.Options{Serial: true})
		})
	}
}

func TestCheckNamesTheMissingTable(t *testing.T) {
	db := openDB(t, record.SQLite)
	st := dbstore.New(db, dbstore.Config{})
	if err := st.Check(ctx); !errors.Is(err, dbstore.ErrNoTable) {
		t.Fatalf("Check before the migration = %v; want ErrNoTable", err)
	}
	if err := dbstore.CreateTable(ctx, db); err != nil {
		t.Fatal(err)
	}
	if err := st.Check(ctx); err != nil {
		t.Fatalf("Check after the migration = %v", err)
	}
}

// count returns the rows of the store's table.
func count(t *testing.T, db *record.DB) int {
	t.Helper()
	n := 0
	err := db.QueryRows(ctx, "SELECT COUNT(*) FROM "+dbstore.Table, nil, func(scan func(...any) error) error { return scan(&n) })
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestTrimKeepsTheNewestWithinMaxBytes(t *testing.T) {
	for _, adapter := range adapters {
		t.Run(adapter, func(t *testing.T) {
			t.Parallel()
			st, db := openStore(t, adapter, dbstore.Config{MaxBytes: 10 * 1000, TrimEvery: -1})
			value := []byte(strings.Repeat("x", 996)) // 1000 bytes with a 4-byte key
			for i := range 30 {
				if err := st.Set(ctx, fmt.Sprintf("k%03d", i), value, time.Time{}); err != nil {
					t.Fatal(err)
				}
				time.Sleep(time.Millisecond) // distinct created_at
			}
			if _, err := st.Trim(ctx); err != nil {
				t.Fatal(err)
			}
			if n := count(t, db); n > 10 || n == 0 {
				t.Fatalf("%d entries after the trim; want between 1 and 10", n)
			}
			if _, ok, _ := st.Get(ctx, "k029"); !ok {
				t.Error("the newest entry was trimmed")
			}
			if _, ok, _ := st.Get(ctx, "k000"); ok {
				t.Error("the oldest entry survived the trim")
			}
		})
	}
}

func TestTrimDropsEntriesOlderThanMaxAge(t *testing.T) {
	st, db := openStore(t, record.SQLite, dbstore.Config{MaxAge: 50 * time.Millisecond, TrimEvery: -1})
	if err := st.Set(ctx, "old", []byte("v"), time.Time{}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(80 * time.Millisecond)
	if err := st.Set(ctx, "new", []byte("v"), time.Time{}); err != nil {
		t.Fatal(err)
	}
	if n, err := st.Trim(ctx); err != nil || n != 1 {
		t.Fatalf("Trim = %d, %v; want 1 (the old entry)", n, err)
	}
	if n := count(t, db); n != 1 {
		t.Fatalf("%d entries left; want 1", n)
	}
}

func TestWritesTrimInTheBackground(t *testing.T) {
	st, db := openStore(t, record.SQLite, dbstore.Config{MaxBytes: 5 * 100, TrimEvery: 10})
	value := []byte(strings.Repeat("x", 96))
	for i := range 20 {
		if err := st.Set(ctx, fmt.Sprintf("k%03d", i), value, time.Time{}); err != nil {
			t.Fatal(err)
		}
	}
	st.Close() // waits for the background trim
	if n := count(t, db); n >= 20 {
		t.Fatalf("%d entries after 20 writes with TrimEvery 10 and room for 5; want a trim to have run", n)
	}
}

// A cache on the database store is shared by every process on the
// database: two stores (two workers) see each other's entries and count
// on the same counters.
func TestTwoStoresOnOneDatabaseShareEntriesAndCounters(t *testing.T) {
	for _, adapter := range adapters {
		t.Run(adapter, func(t *testing.T) {
			t.Parallel()
			a, db := openStore(t, adapter, dbstore.Config{})
			b := dbstore.New(db, dbstore.Config{})
			ca, _ := cache.New(cache.Config{Store: a})
			cb, _ := cache.New(cache.Config{Store: b})
			if err := cache.Write(ctx, ca, "greeting", "hello", cache.Options{}); err != nil {
				t.Fatal(err)
			}
			if v, ok, err := cache.Read[string](ctx, cb, "greeting", cache.Options{}); !ok || v != "hello" || err != nil {
				t.Fatalf("the other store read %q, %v, %v", v, ok, err)
			}
			for range 3 {
				if _, err := ca.Increment(ctx, "hits", 1, cache.Options{ExpiresIn: time.Minute}); err != nil {
					t.Fatal(err)
				}
				if _, err := cb.Increment(ctx, "hits", 1, cache.Options{ExpiresIn: time.Minute}); err != nil {
					t.Fatal(err)
				}
			}
			if n, _ := cb.Increment(ctx, "hits", 0, cache.Options{}); n != 6 {
				t.Fatalf("hits = %d; want 6", n)
			}
		})
	}
}
