package sqlite_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

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

// A database file holds the app's data (password digests, sessions, jobs'
// arguments): it is created for its owner only, as the credentials are,
// and SQLite's -wal and -shm files follow its mode.
func TestDatabaseFilesArePrivate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	var d sqlite.Driver
	open := func(o driver.Options) (func() error, error) {
		p, err := d.Open(ctx, o)
		if err != nil {
			return nil, err
		}
		if _, err = p.Exec(ctx, "CREATE TABLE secrets (v TEXT)", nil); err != nil {
			return nil, err
		}
		return p.Close, nil // checked while open: the -wal and -shm files go at close
	}
	cases := []struct {
		name   string
		create func(path string) (func() error, error)
	}{
		{"opened", func(path string) (func() error, error) {
			return open(driver.Options{Database: path, Pool: 1, MaxIdle: 1})
		}},
		{"opened by URL", func(path string) (func() error, error) {
			return open(driver.Options{URL: "sqlite3:" + path + "?_busy_timeout=100", Pool: 1, MaxIdle: 1})
		}},
		{"created by db:create", func(path string) (func() error, error) {
			o := driver.Options{Database: path, Pool: 1, MaxIdle: 1}
			if err := d.CreateDatabase(ctx, o); err != nil {
				return nil, err
			}
			return open(o)
		}},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, "db", strconv.Itoa(i), "production.sqlite3")
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			closeDB, err := tc.create(path)
			if err != nil {
				t.Fatal(err)
			}
			defer closeDB()
			for _, suffix := range []string{"", "-wal", "-shm"} {
				fi, err := os.Stat(path + suffix)
				if err != nil {
					t.Fatal(err)
				}
				if mode := fi.Mode().Perm(); mode != 0o600 {
					t.Errorf("%s is %v, want -rw------- (0600)", filepath.Base(path+suffix), mode)
				}
			}
		})
	}
	t.Run("an existing file keeps its mode", func(t *testing.T) {
		path := filepath.Join(dir, "shared.sqlite3")
		if err := os.WriteFile(path, nil, 0o640); err != nil {
			t.Fatal(err)
		}
		p, err := d.Open(ctx, driver.Options{Database: path, Pool: 1, MaxIdle: 1})
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Ping(ctx); err != nil {
			t.Fatal(err)
		}
		p.Close()
		if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o640 {
			t.Errorf("mode changed to %v", fi.Mode().Perm())
		}
	})
}

// TestStatCountsCheckoutWaits: a checkout that waits for the pool's one
// connection shows in Stat's WaitCount and WaitDuration (they wait at
// record's gate, not in database/sql, whose own counts stay 0).
func TestStatCountsCheckoutWaits(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p, err := sqlite.Driver{}.Open(ctx, driver.Options{Database: filepath.Join(t.TempDir(), "w.sqlite3"), Pool: 1, MaxIdle: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if st := p.Stat(); st.WaitCount != 0 {
		t.Fatalf("a fresh pool: %+v", st)
	}
	tx, err := p.Begin(ctx) // holds the one connection
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := p.Exec(ctx, "SELECT 1", nil)
		done <- err
	}()
	for p.Stat().WaitCount == 0 { // the Exec is waiting for the connection
		select {
		case err := <-done:
			t.Fatalf("Exec ran while the transaction held the only connection: %v", err)
		case <-time.After(time.Millisecond):
		}
	}
	time.Sleep(20 * time.Millisecond)
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if st := p.Stat(); st.WaitCount != 1 || st.WaitDuration < 20*time.Millisecond {
		t.Fatalf("after one wait of 20ms or more: %+v", st)
	}
}
