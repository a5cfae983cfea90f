package record

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/gorails/gorails/framework/record/driver"
)

// Tx is a database transaction, or a savepoint inside one: an Executor
// whose statements all run on the transaction's connection. Get one from
// Transaction (which commits or rolls back for you) or DB.Begin. A Tx is
// not safe for concurrent use: it is one connection, so goroutines that
// share it must take turns. Once it is committed or rolled back, every
// statement on it fails with ErrTxDone.
type Tx struct {
	root  *DB      // the DB that began it
	db    *DB      // statements run here: q is this Tx's connection
	st    *txState // shared by the transaction and its savepoints
	depth int      // 0 for the transaction, n for a savepoint n levels down
	name  string   // the savepoint's quoted name
	marks [2]int   // callbacks queued before the savepoint: commits, rollbacks
	state txEnd
	held  bool // a TestTx's statement guard: it holds the connection's turn already
}

// txEnd is how a Tx ended.
type txEnd uint8

const (
	txOpen txEnd = iota
	txCommitted
	txRolledBack
)

func (tx *Tx) ended() bool { return tx.state != txOpen }

// txState is the real transaction, which savepoints share.
type txState struct {
	drv        driver.Tx
	savepoints int
	committed  bool
	rolledBack bool
	commits    []func(context.Context)
	rollbacks  []func(context.Context)

	test bool          // a TestTx: its savepoints one level down commit as transactions
	turn chan struct{} // a TestTx: held by the statement running (until its rows are closed)
}

// take waits for the TestTx's connection, at most timeout.
func (st *txState) take(ctx context.Context, timeout time.Duration) error {
	select {
	case st.turn <- struct{}{}:
		return nil
	default:
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case st.turn <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return ErrTestTxBusy
	}
}

// turnRows gives the TestTx's connection back when closed.
type turnRows struct {
	driver.Rows
	turn chan struct{}
	once sync.Once
}

func (r *turnRows) Close() error {
	err := r.Rows.Close()
	r.once.Do(func() { <-r.turn })
	return err
}

// txConn is the driver.Querier of a Tx: the transaction's connection,
// refused once the Tx has ended.
type txConn struct{ t *Tx }

func (c txConn) Query(ctx context.Context, sql string, args []any) (driver.Rows, error) {
	if c.t.ended() {
		return nil, ErrTxDone
	}
	if c.t.st.turn == nil || c.t.held {
		return c.t.st.drv.Query(ctx, sql, args)
	}
	if err := c.t.st.take(ctx, c.t.root.cfg.CheckoutTimeout); err != nil {
		return nil, err
	}
	rows, err := c.t.st.drv.Query(ctx, sql, args)
	if err != nil {
		<-c.t.st.turn
		return nil, err
	}
	return &turnRows{Rows: rows, turn: c.t.st.turn}, nil
}

func (c txConn) Exec(ctx context.Context, sql string, args []any) (driver.Result, error) {
	if c.t.ended() {
		return driver.Result{}, ErrTxDone
	}
	if c.t.st.turn != nil && !c.t.held {
		if err := c.t.st.take(ctx, c.t.root.cfg.CheckoutTimeout); err != nil {
			return driver.Result{}, err
		}
		defer func() { <-c.t.st.turn }()
	}
	return c.t.st.drv.Exec(ctx, sql, args)
}

func newTx(root *DB, st *txState, depth int) *Tx {
	t := &Tx{root: root, st: st, depth: depth}
	t.db = &DB{shared: root.shared, q: txConn{t}, tx: t}
	return t
}

func (tx *Tx) on() *DB { return tx.db }

// DB returns the database the transaction is on (the DB that began it).
// Statements given it run outside the transaction.
func (tx *Tx) DB() *DB { return tx.root }

// Exec runs a raw statement in the transaction; see Executor.
func (tx *Tx) Exec(ctx context.Context, sql string, args ...any) (Result, error) {
	return tx.db.rawExec(ctx, sql, args)
}

// QueryRows runs a raw query in the transaction; see Executor.
func (tx *Tx) QueryRows(ctx context.Context, sql string, args []any, row func(scan func(dest ...any) error) error) error {
	return tx.db.rawQuery(ctx, sql, args, row)
}

// Begin starts a transaction on a connection checked out of the pool
// (waiting at most Config.CheckoutTimeout). The caller must end it with
// Commit or Rollback; Transaction does both for you.
func (db *DB) Begin(ctx context.Context) (*Tx, error) {
	if db.tx != nil {
		return db.tx.savepoint(ctx)
	}
	if t := db.testTx(ctx); t != nil {
		return t.tx.savepoint(ctx) // the code's transaction, inside the test's
	}
	start := time.Now()
	dtx, err := db.drv.Begin(ctx)
	db.record(ctx, "transaction", "BEGIN", nil, nil, start, 0, err)
	if err != nil {
		return nil, db.wrapErr("begin", err)
	}
	return newTx(db, &txState{drv: dtx}, 0), nil
}

// savepoint opens a savepoint in tx's transaction.
func (tx *Tx) savepoint(ctx context.Context) (*Tx, error) {
	if tx.ended() {
		return nil, fmt.Errorf("record: savepoint: %w", ErrTxDone)
	}
	tx.st.savepoints++
	sp := newTx(tx.root, tx.st, tx.depth+1)
	sp.name = tx.db.dialect.Quote("sp_" + strconv.Itoa(tx.st.savepoints))
	sp.marks = [2]int{len(tx.st.commits), len(tx.st.rollbacks)}
	if _, err := tx.db.exec(ctx, "savepoint", "SAVEPOINT "+sp.name, nil, nil); err != nil {
		return nil, err
	}
	return sp, nil
}

// Commit commits the transaction and then runs the AfterCommit callbacks
// queued in it, with ctx; for a savepoint it releases the savepoint, whose
// work then commits or rolls back with the transaction. A failed commit
// rolls back (and runs the AfterRollback callbacks).
func (tx *Tx) Commit(ctx context.Context) error {
	if tx.ended() {
		return fmt.Errorf("record: commit: %w", ErrTxDone)
	}
	if tx.depth > 0 {
		_, err := tx.db.exec(ctx, "savepoint", "RELEASE SAVEPOINT "+tx.name, nil, nil)
		tx.state = txCommitted
		if err == nil && tx.depth == 1 && tx.st.test {
			tx.commitInTest(ctx)
		}
		return err
	}
	tx.state = txCommitted
	db, st := tx.db, tx.st
	start := time.Now()
	err := st.drv.Commit(ctx)
	db.record(ctx, "transaction", "COMMIT", nil, nil, start, 0, err)
	if err != nil {
		st.rolledBack = true
		for _, f := range st.rollbacks {
			f(ctx)
		}
		return db.wrapErr("commit", err)
	}
	st.committed = true
	for _, f := range st.commits {
		f(ctx)
	}
	return nil
}

// commitInTest ends a transaction the code under test opened inside a
// TestTx (a savepoint one level down) as its real commit would end it: the
// AfterCommit callbacks queued in it run, its AfterRollback ones are
// dropped, since the test's rollback must not undo the records' state.
func (tx *Tx) commitInTest(ctx context.Context) {
	st := tx.st
	commits := slices.Clone(st.commits[tx.marks[0]:])
	st.commits, st.rollbacks = st.commits[:tx.marks[0]], st.rollbacks[:tx.marks[1]]
	for _, f := range commits {
		f(ctx)
	}
}

// Rollback undoes the transaction's work (a savepoint's: only its own) and
// runs the AfterRollback callbacks queued in it, with ctx. It runs even
// when ctx is canceled. Rolling back an ended Tx returns ErrTxDone, so
// `defer tx.Rollback(ctx)` after a Commit is harmless.
func (tx *Tx) Rollback(ctx context.Context) error {
	if tx.ended() {
		return fmt.Errorf("record: rollback: %w", ErrTxDone)
	}
	db, st := tx.db, tx.st
	var err error
	if tx.depth > 0 {
		_, err = db.exec(context.WithoutCancel(ctx), "savepoint", "ROLLBACK TO SAVEPOINT "+tx.name, nil, nil)
		tx.state = txRolledBack
		undo := st.rollbacks[tx.marks[1]:]
		st.commits, st.rollbacks = st.commits[:tx.marks[0]], st.rollbacks[:tx.marks[1]]
		for _, f := range undo {
			f(ctx)
		}
		return err
	}
	tx.state = txRolledBack
	start := time.Now()
	err = st.drv.Rollback(context.WithoutCancel(ctx))
	db.record(ctx, "transaction", "ROLLBACK", nil, nil, start, 0, err)
	st.rolledBack = true
	for _, f := range st.rollbacks {
		f(ctx)
	}
	return db.wrapErr("rollback", err)
}

// TxOption changes how Transaction behaves on an Executor that is already
// a transaction.
type TxOption func(*txOptions)

type txOptions struct{ requiresNew bool }

// RequiresNew makes Transaction on a *Tx open a savepoint: fn's failure
// rolls back only fn's work, and the outer transaction goes on.
func RequiresNew() TxOption { return func(o *txOptions) { o.requiresNew = true } }

// Transaction runs fn in a transaction and commits it when fn returns nil.
// fn's error rolls back and is returned; a panic rolls back and is
// re-raised. Statements run in the transaction only when they are given
// tx: a statement on the DB runs outside it, on a connection of its own.
//
// On a *DB, Transaction begins a transaction. On a *Tx it joins it: fn
// gets the same tx and its error still propagates; with RequiresNew it
// opens a savepoint instead. AfterCommit callbacks (of the records saved
// in it, or queued with AfterCommit) run after the real commit, never for
// work that rolls back.
func Transaction(ctx context.Context, ex Executor, fn func(tx *Tx) error, opts ...TxOption) error {
	var o txOptions
	for _, opt := range opts {
		opt(&o)
	}
	db := ex.on()
	if db.tx != nil && !o.requiresNew {
		if db.tx.ended() {
			return fmt.Errorf("record: transaction: %w", ErrTxDone)
		}
		return fn(db.tx)
	}
	tx, err := db.Begin(ctx)
	if err != nil {
		return err
	}
	defer func() {
		if p := recover(); p != nil {
			if !tx.ended() {
				_ = tx.Rollback(ctx)
			}
			panic(p)
		}
	}()
	if err := fn(tx); err != nil {
		if rerr := tx.Rollback(ctx); rerr != nil && !errors.Is(rerr, ErrTxDone) {
			return errors.Join(err, rerr)
		}
		return err
	}
	return tx.Commit(ctx)
}

// AfterCommit runs fn once ex's transaction has really committed (the
// outermost transaction, not a savepoint), with the context given to
// Commit; never when the work rolls back. On a *DB, or a transaction that
// has committed, fn runs at once with ctx. For side effects that must not
// happen for work that is undone: a mail, a job run inline, a cache purge.
func AfterCommit(ctx context.Context, ex Executor, fn func(ctx context.Context)) {
	ex.on().onCommit(ctx, fn, nil)
}

// onCommit queues callbacks for the end of db's transaction; without an
// open one, commit runs at once (or never, after a rollback).
func (db *DB) onCommit(ctx context.Context, commit, rollback func(context.Context)) {
	tx := db.tx
	switch {
	case tx == nil || tx.st.committed:
		if commit != nil {
			commit(ctx)
		}
		return
	case tx.st.rolledBack || tx.state == txRolledBack:
		return
	}
	if commit != nil {
		tx.st.commits = append(tx.st.commits, commit)
	}
	if rollback != nil {
		tx.st.rollbacks = append(tx.st.rollbacks, rollback)
	}
}
