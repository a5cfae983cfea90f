package sqldb

import (
	"context"
	"database/sql"
	sqldriver "database/sql/driver"
	"path/filepath"
	"reflect"
	"sync/atomic"
	"testing"

	"modernc.org/sqlite"

	"github.com/gorails/gorails/framework/record/driver"
)

// countingConnector opens SQLite connections that count the statements
// prepared and closed through them.
type countingConnector struct {
	dsn              string
	prepared, closed *atomic.Int64
}

func (c countingConnector) Connect(context.Context) (sqldriver.Conn, error) {
	inner, err := (&sqlite.Driver{}).Open(c.dsn)
	if err != nil {
		return nil, err
	}
	return &countingConn{Conn: inner, c: c}, nil
}

func (c countingConnector) Driver() sqldriver.Driver { return &sqlite.Driver{} }

type countingConn struct {
	sqldriver.Conn
	c countingConnector
}

func (c *countingConn) PrepareContext(ctx context.Context, q string) (sqldriver.Stmt, error) {
	s, err := c.Conn.(sqldriver.ConnPrepareContext).PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	c.c.prepared.Add(1)
	return &countingStmt{Stmt: s, closed: c.c.closed}, nil
}

func (c *countingConn) BeginTx(ctx context.Context, o sqldriver.TxOptions) (sqldriver.Tx, error) {
	return c.Conn.(sqldriver.ConnBeginTx).BeginTx(ctx, o)
}

func (c *countingConn) ExecContext(ctx context.Context, q string, args []sqldriver.NamedValue) (sqldriver.Result, error) {
	return c.Conn.(sqldriver.ExecerContext).ExecContext(ctx, q, args)
}

type countingStmt struct {
	sqldriver.Stmt
	closed *atomic.Int64
}

func (s *countingStmt) Close() error { s.closed.Add(1); return s.Stmt.Close() }
func (s *countingStmt) QueryContext(ctx context.Context, args []sqldriver.NamedValue) (sqldriver.Rows, error) {
	return s.Stmt.(sqldriver.StmtQueryContext).QueryContext(ctx, args)
}
func (s *countingStmt) ExecContext(ctx context.Context, args []sqldriver.NamedValue) (sqldriver.Result, error) {
	return s.Stmt.(sqldriver.StmtExecContext).ExecContext(ctx, args)
}

type cacheBundle struct {
	pool             *Pool
	prepared, closed *atomic.Int64
}

// setupCache opens a one-connection SQLite pool with a statement cache of
// limit and a table t(id, name).
func setupCache(t *testing.T, limit int) cacheBundle {
	t.Helper()
	b := cacheBundle{prepared: new(atomic.Int64), closed: new(atomic.Int64)}
	dsn := "file:" + filepath.Join(t.TempDir(), "cache.sqlite3") + "?_journal_mode=WAL"
	b.pool = Open(countingConnector{dsn: dsn, prepared: b.prepared, closed: b.closed},
		driver.Dialect{Name: "sqlite3"}, driver.Options{Pool: 1, MaxIdle: 1, StatementLimit: limit},
		func(error) driver.Kind { return driver.KindUnknown }, Schema{})
	t.Cleanup(func() { b.pool.Close() })
	mustExec(t, b.pool, "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE)")
	mustExec(t, b.pool, "INSERT INTO t (id, name) VALUES (1, 'a'), (2, 'b'), (3, 'c');") // a script: not cached
	b.prepared.Store(0)
	b.closed.Store(0)
	return b
}

func mustExec(t *testing.T, q driver.Querier, sql string, args ...any) {
	t.Helper()
	if _, err := q.Exec(context.Background(), sql, args); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func names(t *testing.T, q driver.Querier, sql string, args ...any) []string {
	t.Helper()
	rows, err := q.Query(context.Background(), sql, args)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestStatementCache(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("a query run again is prepared once per connection", func(t *testing.T) {
		t.Parallel()
		b := setupCache(t, 0)
		for range 5 {
			if got := names(t, b.pool, "SELECT name FROM t WHERE id = ?", 2); !reflect.DeepEqual(got, []string{"b"}) {
				t.Fatalf("got %v", got)
			}
			mustExec(t, b.pool, "UPDATE t SET name = ? WHERE id = ?", "c", 3)
		}
		if n := b.prepared.Load(); n != 2 {
			t.Errorf("prepared %d statements for 2 queries run 5 times each, want 2", n)
		}
	})

	t.Run("a statement's rows wrapper is reused by the next query only", func(t *testing.T) {
		t.Parallel()
		b := setupCache(t, 0)
		const q = "SELECT name FROM t WHERE id >= ? ORDER BY id"
		first, err := b.pool.Query(ctx, q, []any{1})
		if err != nil {
			t.Fatal(err)
		}
		if !first.Next() { // read one row of three, then close
			t.Fatal("no first row")
		}
		if err := first.Close(); err != nil {
			t.Fatal(err)
		}
		second, err := b.pool.Query(ctx, q, []any{3})
		if err != nil {
			t.Fatal(err)
		}
		defer second.Close()
		// The first query's rows, closed, must not reach the second's,
		// which now runs on the same statement and its wrapper.
		if first.Next() {
			t.Fatal("closed rows gave another row")
		}
		if err := first.Close(); err != nil {
			t.Fatal(err)
		}
		var got []string
		for second.Next() {
			var s string
			if err := second.Scan(&s); err != nil {
				t.Fatal(err)
			}
			got = append(got, s)
		}
		if err := second.Err(); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, []string{"c"}) {
			t.Errorf("second query: %v, want [c]", got)
		}
		if p := b.prepared.Load(); p != 1 {
			t.Errorf("prepared %d, want 1 (the second query on the cached statement)", p)
		}
	})

	t.Run("the least recently used statement leaves at the limit", func(t *testing.T) {
		t.Parallel()
		b := setupCache(t, 2)
		for range 2 {
			for id := 1; id <= 3; id++ { // three distinct queries through a cache of two
				q := "SELECT name FROM t WHERE id = " + string(rune('0'+id))
				if got := names(t, b.pool, q); len(got) != 1 {
					t.Fatalf("%s: %v", q, got)
				}
			}
		}
		if p, c := b.prepared.Load(), b.closed.Load(); p != 6 || c != 4 {
			t.Errorf("prepared %d, closed %d; want 6 and 4 (each query evicted before it came back)", p, c)
		}
	})

	t.Run("the same query inside its own open rows runs on a statement of its own", func(t *testing.T) {
		t.Parallel()
		b := setupCache(t, 0)
		tx, err := b.pool.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback(ctx)
		const q = "SELECT name FROM t WHERE id >= ? ORDER BY id"
		outer, err := tx.Query(ctx, q, []any{1})
		if err != nil {
			t.Fatal(err)
		}
		var got [][]string
		for outer.Next() {
			var s string
			if err := outer.Scan(&s); err != nil {
				t.Fatal(err)
			}
			got = append(got, append([]string{s}, names(t, tx, q, 3)...))
		}
		if err := outer.Err(); err != nil {
			t.Fatal(err)
		}
		outer.Close()
		want := [][]string{{"a", "c"}, {"b", "c"}, {"c", "c"}}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got %v, want %v", got, want)
		}
		if p, c := b.prepared.Load(), b.closed.Load(); p != 4 || c != 3 {
			t.Errorf("prepared %d, closed %d; want 4 and 3 (the cached one, and three closed after their rows)", p, c)
		}
	})

	t.Run("DDL drops the statements: SELECT * sees a new column", func(t *testing.T) {
		t.Parallel()
		b := setupCache(t, 0)
		cols := func() []string {
			rows, err := b.pool.Query(ctx, "SELECT * FROM t WHERE id = ?", []any{1})
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			return rows.Columns()
		}
		if got := cols(); len(got) != 2 {
			t.Fatalf("columns %v", got)
		}
		mustExec(t, b.pool, "ALTER TABLE t ADD COLUMN extra TEXT")
		if got := cols(); !reflect.DeepEqual(got, []string{"id", "name", "extra"}) {
			t.Errorf("columns after ALTER TABLE: %v", got)
		}
		if c := b.closed.Load(); c != 1 {
			t.Errorf("closed %d statements, want the 1 the ALTER TABLE dropped", c)
		}
	})

	t.Run("a failed statement runs again from the cache", func(t *testing.T) {
		t.Parallel()
		b := setupCache(t, 0)
		const ins = "INSERT INTO t (name) VALUES (?)"
		if _, err := b.pool.Exec(ctx, ins, []any{"a"}); err == nil {
			t.Fatal("a duplicate name was inserted")
		}
		mustExec(t, b.pool, ins, "d")
		if got := names(t, b.pool, "SELECT name FROM t WHERE name = ?", "d"); !reflect.DeepEqual(got, []string{"d"}) {
			t.Errorf("got %v", got)
		}
		if n := b.prepared.Load(); n != 2 {
			t.Errorf("prepared %d, want 2", n)
		}
	})

	t.Run("scripts and statements with a semicolon are not cached", func(t *testing.T) {
		t.Parallel()
		b := setupCache(t, 0)
		mustExec(t, b.pool, "INSERT INTO t (name) VALUES ('x'); INSERT INTO t (name) VALUES ('y')")
		if got := names(t, b.pool, "SELECT name FROM t WHERE name IN ('x', 'y', ';') ORDER BY name"); !reflect.DeepEqual(got, []string{"x", "y"}) {
			t.Errorf("got %v", got)
		}
		if n := b.prepared.Load(); n != 1 { // database/sql prepares the SELECT for the driver, once; nothing is kept
			t.Errorf("prepared %d, want 1", n)
		}
	})

	t.Run("a cancelled context fails the query and leaves the statement usable", func(t *testing.T) {
		t.Parallel()
		b := setupCache(t, 0)
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := b.pool.Query(cctx, "SELECT name FROM t WHERE id = ?", []any{1}); err == nil {
			t.Fatal("no error from a cancelled context")
		}
		if got := names(t, b.pool, "SELECT name FROM t WHERE id = ?", 1); !reflect.DeepEqual(got, []string{"a"}) {
			t.Errorf("got %v", got)
		}
	})

	t.Run("a negative limit turns the cache off", func(t *testing.T) {
		t.Parallel()
		b := setupCache(t, -1)
		for range 3 {
			names(t, b.pool, "SELECT name FROM t WHERE id = ?", 1)
		}
		if p := b.prepared.Load(); p != 3 {
			t.Errorf("prepared %d statements for a query run 3 times, want 3", p)
		}
	})
}

func TestKindOf(t *testing.T) {
	t.Parallel()
	for q, want := range map[string]stmtKind{
		"SELECT 1":                             stmtCacheable,
		"  select * from t":                    stmtCacheable,
		"(SELECT 1) UNION (SELECT 2)":          stmtCacheable,
		"WITH x AS (SELECT 1) SELECT * FROM x": stmtCacheable,
		"insert into t values (1)":             stmtCacheable,
		"UPDATE t SET a = 1":                   stmtCacheable,
		"DELETE FROM t":                        stmtCacheable,
		"REPLACE INTO t VALUES (1)":            stmtCacheable,
		"SELECT ';'":                           stmtOther,
		"SELECT 1; SELECT 2":                   stmtOther,
		"CREATE TABLE t (a int)":               stmtDDL,
		"alter table t add b int":              stmtDDL,
		"DROP INDEX i":                         stmtDDL,
		"TRUNCATE t":                           stmtDDL,
		"BEGIN":                                stmtOther,
		"PRAGMA foreign_keys = ON":             stmtOther,
		"SAVEPOINT s1":                         stmtOther,
		"":                                     stmtOther,
		"   ":                                  stmtOther,
		"selectx":                              stmtOther,
	} {
		if got := kindOf(q); got != want {
			t.Errorf("kindOf(%q) = %d, want %d", q, got, want)
		}
	}
}

// BenchmarkQuery is record's SQLite path below record (sqldb's Query over
// database/sql and modernc.org/sqlite) with and without the statement
// cache, against database/sql with a statement prepared once by hand (the
// blog benchmark's plain server): one row by primary key.
func BenchmarkQuery(b *testing.B) {
	dsn := "file:" + filepath.Join(b.TempDir(), "bench.sqlite3") + "?_journal_mode=WAL"
	setup, err := sql.Open("sqlite", dsn)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := setup.Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, body TEXT)"); err != nil {
		b.Fatal(err)
	}
	for i := 1; i <= 100; i++ {
		if _, err := setup.Exec("INSERT INTO t (id, name, body) VALUES (?, ?, ?)", i, "name", "a body of some length"); err != nil {
			b.Fatal(err)
		}
	}
	setup.Close()
	const q = "SELECT id, name, body FROM t WHERE id = ?"
	scan := func(b *testing.B, next func() bool, sc func(...any) error) {
		var id int64
		var name, body string
		for next() {
			if err := sc(&id, &name, &body); err != nil {
				b.Fatal(err)
			}
		}
	}
	for _, limit := range []int{-1, 0} {
		name := "sqldb/cache"
		if limit < 0 {
			name = "sqldb/nocache"
		}
		b.Run(name, func(b *testing.B) {
			p := Open(countingConnector{dsn: dsn, prepared: new(atomic.Int64), closed: new(atomic.Int64)},
				driver.Dialect{Name: "sqlite3"}, driver.Options{Pool: 1, MaxIdle: 1, StatementLimit: limit},
				func(error) driver.Kind { return driver.KindUnknown }, Schema{})
			defer p.Close()
			ctx := context.Background()
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				rows, err := p.Query(ctx, q, []any{int64(i%100 + 1)})
				if err != nil {
					b.Fatal(err)
				}
				scan(b, rows.Next, rows.Scan)
				rows.Close()
			}
		})
	}
	b.Run("raw/prepared-once", func(b *testing.B) {
		db := sql.OpenDB(countingConnector{dsn: dsn, prepared: new(atomic.Int64), closed: new(atomic.Int64)})
		db.SetMaxOpenConns(1)
		defer db.Close()
		st, err := db.Prepare(q)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			rows, err := st.Query(int64(i%100 + 1))
			if err != nil {
				b.Fatal(err)
			}
			scan(b, rows.Next, rows.Scan)
			rows.Close()
		}
	})
}
