package sqlite_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/gorails/gorails/framework/record/driver"
	"github.com/gorails/gorails/framework/record/sqlite"
)

func TestPath(t *testing.T) {
	t.Parallel()
	tests := []struct {
		o    driver.Options
		want string
	}{
		{driver.Options{Database: "db/dev.sqlite3"}, "db/dev.sqlite3"},
		{driver.Options{URL: "sqlite3:db/dev.sqlite3"}, "db/dev.sqlite3"},
		{driver.Options{URL: "sqlite3:///abs/dev.sqlite3?_busy_timeout=10"}, "/abs/dev.sqlite3"},
		{driver.Options{URL: "file:x.db"}, "x.db"},
		{driver.Options{URL: ":memory:"}, ":memory:"},
	}
	for _, tt := range tests {
		if got := sqlite.Path(tt.o); got != tt.want {
			t.Errorf("Path(%+v) = %q, want %q", tt.o, got, tt.want)
		}
	}
}

func TestCreateAndDropDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	o := driver.Options{Database: filepath.Join(t.TempDir(), "db", "app.sqlite3"), Pool: 1, MaxIdle: 1}
	var d sqlite.Driver
	if err := d.DropDatabase(ctx, o); err != nil {
		t.Fatalf("dropping a database that does not exist: %v", err)
	}
	if err := d.CreateDatabase(ctx, o); err != nil {
		t.Fatalf("CreateDatabase: %v", err)
	}
	if _, err := os.Stat(o.Database); err != nil {
		t.Fatalf("no database file: %v", err)
	}
	if err := d.CreateDatabase(ctx, o); !errors.Is(err, driver.ErrDatabaseExists) {
		t.Fatalf("creating it again = %v, want ErrDatabaseExists", err)
	}
	if err := d.DropDatabase(ctx, o); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(o.Database); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the file is still there: %v", err)
	}
	if _, err := d.Open(ctx, driver.Options{}); err == nil {
		t.Fatal("Open without a path succeeded")
	}
}

func TestClassify(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p, err := sqlite.Driver{}.Open(ctx, driver.Options{Database: filepath.Join(t.TempDir(), "c.sqlite3"), Pool: 1, MaxIdle: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for _, s := range []string{
		"CREATE TABLE parents (id INTEGER PRIMARY KEY)",
		"CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, n INTEGER CHECK (n > 0), parent_id INTEGER REFERENCES parents(id))",
		"INSERT INTO t (id, name, n) VALUES (1, 'a', 1)",
	} {
		if _, err := p.Exec(ctx, s, nil); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		sql  string
		want driver.Kind
	}{
		{"INSERT INTO t (name, n) VALUES ('a', 1)", driver.KindUnique},
		{"INSERT INTO t (name, n) VALUES (NULL, 1)", driver.KindNotNull},
		{"INSERT INTO t (name, n) VALUES ('b', 0)", driver.KindCheck},
		{"INSERT INTO t (name, n, parent_id) VALUES ('c', 1, 99)", driver.KindForeignKey},
		{"SELECT nope FROM t", driver.KindUnknown},
	}
	for _, tt := range tests {
		_, err := p.Exec(ctx, tt.sql, nil)
		if got := p.Classify(err); got != tt.want {
			t.Errorf("%s: Classify(%v) = %v, want %v", tt.sql, err, got, tt.want)
		}
	}
}
