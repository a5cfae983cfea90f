package record

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorails/gorails/framework/record/driver"
)

// TestTx is a transaction a test runs in and rolls back at its end, so the
// test database is left as it was (Rails' transactional tests). Get one
// from BeginTest and end it with Rollback.
//
// The test and the application under test reach it through a context:
// statements run on the DB (the pool) with a context from Context run in
// the test transaction instead, and a transaction the code opens there
// (Transaction, DB.Begin) is a savepoint inside it. So the application's
// code runs unchanged, handed the app's *DB as in production, and its
// own transactions commit and roll back as they do in production:
//
//   - a transaction the code opens and commits runs its AfterCommit
//     callbacks when it commits (its savepoint is released), as the real
//     commit would; one that rolls back runs AfterRollback and undoes only
//     its own work;
//   - a job enqueued with PerformLaterTx on a backend outside the database
//     is handed to it at that commit, as in production;
//   - a write outside any transaction that fails (a unique violation)
//     fails alone: on PostgreSQL, where an error aborts the whole
//     transaction, each such write (any statement but a SELECT) runs in a
//     savepoint of its own. A failing SELECT there (an invalid cast)
//     still aborts the test's transaction.
//
// Departure from "transactions are values": the test transaction travels
// in the context. It is the one place record reads a transaction from a
// context, and only while a TestTx is open on the DB (a counter checked
// before the context is looked at, so production pays one atomic load per
// statement).
//
// Tests in parallel each get their own TestTx and do not see each other's
// rows on PostgreSQL and MySQL. SQLite has one writer at a time, so on
// SQLite BeginTest waits until the DB's previous TestTx has ended: the
// tests' database work takes turns. DDL does not belong in a TestTx (MySQL
// commits it implicitly).
//
// A TestTx is one connection: statements from several goroutines (a
// request and the job it starts) take turns on it; a query holds it until
// its rows are closed (ErrTestTxBusy after Config.CheckoutTimeout).
type TestTx struct {
	tx      *Tx
	release func()
	once    sync.Once
}

// testKey is the context key of the TestTx.
type testKey struct{}

// testState is what a DB keeps about its open test transactions.
type testState struct {
	open atomic.Int32  // open TestTx, so that production skips the context lookup
	one  chan struct{} // SQLite: held by the open TestTx
}

// ErrTestTxSQLiteBusy is returned by BeginTest when ctx ends while it waits
// for another test's transaction on the same SQLite database.
var ErrTestTxSQLiteBusy = errors.New("record: another test's transaction holds the SQLite database")

// ErrTestTxBusy is returned by a statement in a TestTx that waited
// Config.CheckoutTimeout for the transaction's connection: another
// statement's rows were still open (read them to the end, or close them,
// before the next statement; in one goroutine, a statement run while
// reading another's rows always ends so).
var ErrTestTxBusy = errors.New("record: the test transaction's connection is busy with another statement's rows")

// BeginTest begins a test transaction on db, which must be the pool (not a
// *Tx's). On SQLite it waits for the DB's previous TestTx to end.
func BeginTest(ctx context.Context, db *DB) (*TestTx, error) {
	if db.tx != nil {
		return nil, errors.New("record: BeginTest needs the DB, not a transaction")
	}
	release := func() {}
	if db.dialect.Name == SQLite {
		select {
		case db.tests.one <- struct{}{}:
			release = func() { <-db.tests.one }
		case <-ctx.Done():
			return nil, fmt.Errorf("%w: %w", ErrTestTxSQLiteBusy, ctx.Err())
		}
	}
	tx, err := db.Begin(ctx)
	if err != nil {
		release()
		return nil, err
	}
	tx.st.test = true
	tx.st.turn = make(chan struct{}, 1)
	db.tests.open.Add(1)
	return &TestTx{tx: tx, release: release}, nil
}

// Context returns a context under which statements on the TestTx's DB
// run in the test transaction. Give it to the code under test (the
// gorailstest kit puts it in every request it makes).
func (t *TestTx) Context(parent context.Context) context.Context {
	return context.WithValue(parent, testKey{}, t)
}

// Tx is the test transaction itself. Statements given it run in it, but a
// Transaction on it joins it (its AfterCommit callbacks never run, since
// it never commits): prefer the DB with Context.
func (t *TestTx) Tx() *Tx { return t.tx }

// Rollback rolls the test transaction back, undoing everything the test
// and the code it ran wrote. It is safe to call more than once.
func (t *TestTx) Rollback(ctx context.Context) error {
	err := ErrTxDone
	t.once.Do(func() {
		defer t.release()
		t.tx.root.tests.open.Add(-1)
		err = t.tx.Rollback(context.WithoutCancel(ctx))
	})
	return err
}

// testTx returns the TestTx of ctx that runs on db's database, or nil.
func (db *DB) testTx(ctx context.Context) *TestTx {
	if db.tx != nil || db.tests.open.Load() == 0 || ctx == nil {
		return nil
	}
	t, _ := ctx.Value(testKey{}).(*TestTx)
	if t == nil || t.tx.root.shared != db.shared || t.tx.ended() {
		return nil
	}
	return t
}

// guarded reports whether a statement that came to the pool under a test
// context runs in a savepoint of its own: a write, on PostgreSQL, where a
// failed statement aborts the transaction.
func (t *TestTx) guarded(sql string) bool {
	if t.tx.db.dialect.Name != PostgreSQL {
		return false
	}
	head := strings.TrimLeft(sql, " \t\r\n(")
	return len(head) < 6 || !strings.EqualFold(head[:6], "SELECT")
}

// exec runs a statement that came to the pool under a test context, in a
// savepoint when guarded, so that it fails alone as it would outside a
// transaction. The savepoint, the statement and the release hold the
// connection together, so goroutines do not interleave them.
func (t *TestTx) exec(ctx context.Context, op, sql string, args []any, names []string) (Result, error) {
	if !t.guarded(sql) {
		return t.tx.db.exec(ctx, op, sql, args, names)
	}
	g, err := t.guard(ctx)
	if err != nil {
		return Result{}, err
	}
	res, err := g.db.exec(ctx, op, sql, args, names)
	return res, errors.Join(err, g.end(ctx, err))
}

// query is exec for statements that return rows (INSERT ... RETURNING):
// the savepoint ends when the rows are closed.
func (t *TestTx) query(ctx context.Context, sql string, args []any, names []string) (driver.Rows, time.Time, error) {
	if !t.guarded(sql) {
		return t.tx.db.query(ctx, sql, args, names)
	}
	g, err := t.guard(ctx)
	if err != nil {
		return nil, time.Now(), err
	}
	rows, start, err := g.db.query(ctx, sql, args, names)
	if err != nil {
		return nil, start, errors.Join(err, g.end(ctx, err))
	}
	return &guardedRows{Rows: rows, g: g, ctx: ctx}, start, nil
}

// guard takes the test transaction's connection and opens a savepoint for
// one statement; end gives both back.
func (t *TestTx) guard(ctx context.Context) (*guard, error) {
	st := t.tx.st
	if err := st.take(ctx, t.tx.root.cfg.CheckoutTimeout); err != nil {
		return nil, err
	}
	st.savepoints++
	g := &guard{Tx: newTx(t.tx.root, st, 1), turn: st.turn}
	g.held = true
	g.name = t.tx.db.dialect.Quote("sp_" + strconv.Itoa(st.savepoints))
	if _, err := g.db.exec(ctx, "savepoint", "SAVEPOINT "+g.name, nil, nil); err != nil {
		<-st.turn
		return nil, err
	}
	return g, nil
}

// guard is one statement's savepoint, holding the connection.
type guard struct {
	*Tx
	turn chan struct{}
	once sync.Once
}

// end releases the savepoint (rolls back to it after failed) and gives
// the connection back.
func (g *guard) end(ctx context.Context, failed error) (err error) {
	g.once.Do(func() {
		defer func() { <-g.turn }()
		ctx = context.WithoutCancel(ctx)
		if failed != nil {
			_, _ = g.db.exec(ctx, "savepoint", "ROLLBACK TO SAVEPOINT "+g.name, nil, nil)
			return
		}
		_, err = g.db.exec(ctx, "savepoint", "RELEASE SAVEPOINT "+g.name, nil, nil)
	})
	return err
}

// guardedRows ends its statement's savepoint when closed.
type guardedRows struct {
	driver.Rows
	g   *guard
	ctx context.Context
}

func (r *guardedRows) Close() error {
	err := r.Rows.Close()
	failed := err
	if failed == nil {
		failed = r.Rows.Err()
	}
	return errors.Join(err, r.g.end(r.ctx, failed))
}
