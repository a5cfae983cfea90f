package record_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gorails/gorails/framework/record"
	"github.com/gorails/gorails/framework/record/postgres"
	"github.com/gorails/gorails/internal/testenv"
)

func countUsers(t testing.TB, ctx context.Context, ex record.Executor) int64 {
	t.Helper()
	n, err := record.Query[User](ex).Count(ctx)
	must(t, err)
	return n
}

func TestTestTx(t *testing.T) {
	forEachAdapter(t, func(t *testing.T, db *record.DB) {
		bg := context.Background()
		t.Run("what a test writes is gone after its rollback", func(t *testing.T) {
			tt, err := record.BeginTest(bg, db)
			must(t, err)
			ctx := tt.Context(bg)
			must(t, record.Create(ctx, db, &User{Name: "Ann", Email: "ann@example.com"}))
			if n := countUsers(t, ctx, db); n != 1 {
				t.Fatalf("inside the test: %d users, want 1", n)
			}
			must(t, tt.Rollback(bg))
			if n := countUsers(t, bg, db); n != 0 {
				t.Fatalf("after the rollback: %d users, want 0", n)
			}
			if err := tt.Rollback(bg); !errors.Is(err, record.ErrTxDone) {
				t.Errorf("second Rollback: %v, want ErrTxDone", err)
			}
		})
		t.Run("the code's transactions are savepoints that commit and roll back on their own", func(t *testing.T) {
			tt, err := record.BeginTest(bg, db)
			must(t, err)
			defer tt.Rollback(bg)
			ctx := tt.Context(bg)
			var committed, rolledBack bool
			must(t, record.Transaction(ctx, db, func(tx *record.Tx) error {
				record.AfterCommit(ctx, tx, func(context.Context) { committed = true })
				return record.Create(ctx, tx, &User{Name: "Bo", Email: "bo@example.com"})
			}))
			if !committed {
				t.Error("AfterCommit did not run when the code's transaction committed")
			}
			boom := errors.New("boom")
			err = record.Transaction(ctx, db, func(tx *record.Tx) error {
				record.AfterCommit(ctx, tx, func(context.Context) { rolledBack = true })
				must(t, record.Create(ctx, tx, &User{Name: "Cy", Email: "cy@example.com"}))
				return boom
			})
			if !errors.Is(err, boom) {
				t.Fatalf("Transaction: %v, want boom", err)
			}
			if rolledBack {
				t.Error("AfterCommit ran for a transaction that rolled back")
			}
			if n := countUsers(t, ctx, db); n != 1 {
				t.Errorf("%d users, want 1 (Bo kept, Cy rolled back)", n)
			}
			// A nested RequiresNew is a savepoint further down: its release
			// is not the commit.
			var nested bool
			must(t, record.Transaction(ctx, db, func(tx *record.Tx) error {
				if err := record.Transaction(ctx, tx, func(tx *record.Tx) error {
					record.AfterCommit(ctx, tx, func(context.Context) { nested = true })
					return nil
				}, record.RequiresNew()); err != nil {
					return err
				}
				if nested {
					t.Error("AfterCommit ran at the release of a nested savepoint")
				}
				return nil
			}))
			if !nested {
				t.Error("AfterCommit of a nested savepoint did not run at the outer commit")
			}
		})
		t.Run("a failed statement fails alone", func(t *testing.T) {
			tt, err := record.BeginTest(bg, db)
			must(t, err)
			defer tt.Rollback(bg)
			ctx := tt.Context(bg)
			must(t, record.Create(ctx, db, &User{Name: "Di", Email: "di@example.com"}))
			err = record.Create(ctx, db, &User{Name: "Di2", Email: "di@example.com"})
			if !errors.Is(err, record.ErrUniqueViolation) {
				t.Fatalf("duplicate email: %v, want ErrUniqueViolation", err)
			}
			if n := countUsers(t, ctx, db); n != 1 {
				t.Errorf("after the failed insert: %d users, want 1", n)
			}
		})
		t.Run("a context without the test transaction runs outside it", func(t *testing.T) {
			tt, err := record.BeginTest(bg, db)
			must(t, err)
			defer tt.Rollback(bg)
			must(t, record.Create(tt.Context(bg), db, &User{Name: "Ed", Email: "ed@example.com"}))
			if db.Adapter() == record.SQLite {
				return // the test transaction holds SQLite's write lock; readers see the last commit
			}
			if n := countUsers(t, bg, db); n != 0 {
				t.Errorf("outside the test transaction: %d users, want 0", n)
			}
		})
		t.Run("statements from several goroutines take turns", func(t *testing.T) {
			tt, err := record.BeginTest(bg, db)
			must(t, err)
			defer tt.Rollback(bg)
			ctx := tt.Context(bg)
			var wg sync.WaitGroup
			errs := make(chan error, 8)
			for i := range 8 {
				wg.Go(func() {
					errs <- record.Create(ctx, db, &User{Name: "G", Email: string(rune('a'+i)) + "@example.com"})
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				must(t, err)
			}
			if n := countUsers(t, ctx, db); n != 8 {
				t.Errorf("%d users, want 8", n)
			}
		})
	})
}

func TestTestTxParallelTestsAreIsolated(t *testing.T) {
	forEachAdapter(t, func(t *testing.T, db *record.DB) {
		bg := context.Background()
		a, err := record.BeginTest(bg, db)
		must(t, err)
		defer a.Rollback(bg)
		must(t, record.Create(a.Context(bg), db, &User{Name: "A", Email: "a@example.com"}))
		if db.Adapter() == record.SQLite {
			// One writer: a second test's transaction waits for the first.
			ctx, cancel := context.WithTimeout(bg, 50*time.Millisecond)
			defer cancel()
			if _, err := record.BeginTest(ctx, db); !errors.Is(err, record.ErrTestTxSQLiteBusy) {
				t.Fatalf("second BeginTest on SQLite: %v, want ErrTestTxSQLiteBusy", err)
			}
			done := make(chan error, 1)
			go func() {
				b, err := record.BeginTest(bg, db)
				if err == nil {
					err = b.Rollback(bg)
				}
				done <- err
			}()
			must(t, a.Rollback(bg))
			must(t, <-done)
			return
		}
		b, err := record.BeginTest(bg, db)
		must(t, err)
		defer b.Rollback(bg)
		must(t, record.Create(b.Context(bg), db, &User{Name: "B", Email: "b@example.com"}))
		if n := countUsers(t, a.Context(bg), db); n != 1 {
			t.Errorf("test a sees %d users, want its own 1", n)
		}
		if n := countUsers(t, b.Context(bg), db); n != 1 {
			t.Errorf("test b sees %d users, want its own 1", n)
		}
	})
}

func TestTestTxTimestampsReadTheClock(t *testing.T) {
	at := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	db := openDB(t, record.Config{Database: filepath.Join(t.TempDir(), "t.sqlite3"), Now: func() time.Time { return at }})
	u := User{Name: "T", Email: "t@example.com"}
	must(t, record.Create(context.Background(), db, &u))
	if !u.CreatedAt.Equal(at) || !u.UpdatedAt.Equal(at) {
		t.Errorf("timestamps %v %v, want %v from Config.Now", u.CreatedAt, u.UpdatedAt, at)
	}
}

// BenchmarkTestIsolation compares the setup and teardown of a test's
// database state: a test transaction rolled back (what gorailstest does)
// against creating the tables afresh for each test and dropping them.
func BenchmarkTestIsolation(b *testing.B) {
	bg := context.Background()
	cases := []struct {
		name string
		open func(b *testing.B) *record.DB
	}{
		{"sqlite", func(b *testing.B) *record.DB {
			return openDB(b, record.Config{Database: filepath.Join(b.TempDir(), "bench.sqlite3")})
		}},
		{"postgresql", func(b *testing.B) *record.DB {
			return openDB(b, record.Config{Adapter: record.PostgreSQL, URL: testenv.PostgresDB(b, "record_bench_isolation")})
		}},
	}
	_ = postgres.Driver{}
	for _, c := range cases {
		b.Run(c.name+"/transaction", func(b *testing.B) {
			db := c.open(b)
			for b.Loop() {
				tt, err := record.BeginTest(bg, db)
				must(b, err)
				must(b, record.Create(tt.Context(bg), db, &User{Name: "x", Email: "x@example.com"}))
				must(b, tt.Rollback(bg))
			}
		})
		b.Run(c.name+"/fresh_schema", func(b *testing.B) {
			db := c.open(b)
			for b.Loop() {
				for _, table := range []string{"posts", "tokens", "articles", "accounts", "audits", "users"} {
					if _, err := db.Exec(bg, "DROP TABLE "+table); err != nil {
						b.Fatal(err)
					}
				}
				createSchema(b, db)
				must(b, record.Create(bg, db, &User{Name: "x", Email: "x@example.com"}))
			}
		})
	}
}
