package record_test

import (
	"context"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gorails/gorails/framework/record"
	"github.com/gorails/gorails/framework/record/driver"
	"github.com/gorails/gorails/framework/record/migrate"
	"github.com/gorails/gorails/framework/record/sqlite"
)

// countingDriver is a driver written outside record, as a user's would be:
// SQLite under another adapter name, counting the statements it runs.
type countingDriver struct{ n *atomic.Int64 }

func (countingDriver) Name() string { return "counted_sqlite" }

func (d countingDriver) Open(ctx context.Context, o driver.Options) (driver.Pool, error) {
	p, err := sqlite.Driver{}.Open(ctx, o)
	if err != nil {
		return nil, err
	}
	return countingPool{Pool: p, n: d.n}, nil
}

type countingPool struct {
	driver.Pool
	n *atomic.Int64
}

func (p countingPool) Dialect() driver.Dialect {
	d := p.Pool.Dialect()
	d.Name = "counted_sqlite"
	return d
}

func (p countingPool) Query(ctx context.Context, sql string, args []any) (driver.Rows, error) {
	p.n.Add(1)
	return p.Pool.Query(ctx, sql, args)
}

func (p countingPool) Exec(ctx context.Context, sql string, args []any) (driver.Result, error) {
	p.n.Add(1)
	return p.Pool.Exec(ctx, sql, args)
}

func TestADriverFromOutsideRecord(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var n atomic.Int64
	drv := countingDriver{n: &n}
	cfg := record.Config{Adapter: "counted_sqlite", Database: filepath.Join(t.TempDir(), "counted.sqlite3")}
	if d, err := record.DriverFor(cfg, sqlite.Driver{}, drv); err != nil || d.Name() != "counted_sqlite" {
		t.Fatalf("DriverFor = %v, %v", d, err)
	}
	db, err := record.Open(ctx, drv, cfg)
	must(t, err)
	t.Cleanup(func() { db.Close() })
	createSchemaFor(t, db, record.SQLite)
	u := User{Name: "Ann", Email: "ann@x.org"}
	must(t, record.Create(ctx, db, &u))
	got, err := record.Query[User](db).Find(ctx, u.ID)
	if err != nil || got.Name != "Ann" {
		t.Fatalf("Find = %+v, %v", got, err)
	}
	if n.Load() < 3 {
		t.Fatalf("the driver ran %d statements; record did not go through it", n.Load())
	}
	// migrate writes the DDL of the databases it knows, and says so.
	if _, err := migrate.New(db, nil, migrate.Options{}); err == nil || !strings.Contains(err.Error(), "no migrations for the counted_sqlite driver") {
		t.Fatalf("migrate.New on an unknown database = %v", err)
	}
}
