package job

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gorails/gorails/framework/record"
	"github.com/gorails/gorails/framework/record/mysql"
	"github.com/gorails/gorails/framework/record/postgres"
	"github.com/gorails/gorails/framework/record/sqlite"
	"github.com/gorails/gorails/internal/testenv"
)

// clock is an injected clock tests move by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// openDB opens a database for adapter with the jobs table created.
func openDB(t testing.TB, adapter, name string) *record.DB {
	t.Helper()
	db := openEmptyDB(t, adapter, name)
	if err := CreateTables(context.Background(), db); err != nil {
		t.Fatalf("create tables: %v", err)
	}
	return db
}

// openDBWith is openDB with cfg changed by with (its logger, its bus).
func openDBWith(t testing.TB, adapter, name string, with func(*record.Config)) *record.DB {
	t.Helper()
	db := openEmptyDBWith(t, adapter, name, with)
	if err := CreateTables(context.Background(), db); err != nil {
		t.Fatalf("create tables: %v", err)
	}
	return db
}

// openEmptyDB opens a fresh database for adapter, without tables.
func openEmptyDB(t testing.TB, adapter, name string) *record.DB {
	t.Helper()
	return openEmptyDBWith(t, adapter, name, nil)
}

func openEmptyDBWith(t testing.TB, adapter, name string, with func(*record.Config)) *record.DB {
	t.Helper()
	cfg := record.Config{Adapter: adapter, Pool: 8}
	if with != nil {
		with(&cfg)
	}
	switch adapter {
	case record.PostgreSQL:
		cfg.URL = testenv.PostgresDB(t, name)
	case record.MySQL:
		cfg.URL = testenv.MySQLDB(t, name)
	case record.SQLite:
		cfg.Database = filepath.Join(t.TempDir(), name+".sqlite3")
	}
	ctx := context.Background()
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

// backend is a queue backend the suite runs against: setup prepares it
// once and returns a function giving each case an empty store.
type backend struct {
	name  string
	setup func(t *testing.T) func(t *testing.T) Store
}

func dbBackend(adapter string) func(t *testing.T) func(t *testing.T) Store {
	return func(t *testing.T) func(t *testing.T) Store {
		db := openDB(t, adapter, "job_suite")
		return func(t *testing.T) Store {
			if _, err := db.Exec(context.Background(), "DELETE FROM "+Table); err != nil {
				t.Fatal(err)
			}
			return Database(db)
		}
	}
}

func redisBackend(t *testing.T) func(t *testing.T) Store {
	rdb := openRedis(t)
	return func(t *testing.T) Store { return Redis(rdb, testPrefix(t, rdb)) }
}

// openRedis connects to the test Redis (skipped or failed when absent).
func openRedis(t *testing.T) *redis.Client {
	t.Helper()
	addr := testenv.Redis(t)
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

var prefixSeq atomic.Int64

// testPrefix returns a key prefix of the test's own, deleted afterwards.
func testPrefix(t *testing.T, rdb *redis.Client) string {
	p := fmt.Sprintf("gorails_test:job:%d:%d", os.Getpid(), prefixSeq.Add(1))
	t.Cleanup(func() {
		ctx := context.Background()
		iter := rdb.Scan(ctx, 0, p+":*", 1000).Iterator()
		var keys []string
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
		}
		if len(keys) > 0 {
			rdb.Del(ctx, keys...)
		}
	})
	return p
}

func backends() []backend {
	return []backend{
		{"sqlite", dbBackend(record.SQLite)},
		{"postgresql", dbBackend(record.PostgreSQL)},
		{"mariadb", dbBackend(record.MySQL)},
		{"redis", redisBackend},
	}
}
