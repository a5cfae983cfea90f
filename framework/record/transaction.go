package record

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gorails/gorails/framework/record/internal/adapter"
)

// TxOption changes how Transaction behaves when ctx already has a transaction.
type TxOption func(*txOptions)

type txOptions struct{ requiresNew bool }

// RequiresNew makes a nested Transaction open a savepoint: its failure rolls
// back only its own work, and the outer transaction goes on.
func RequiresNew() TxOption { return func(o *txOptions) { o.requiresNew = true } }

type txKey struct{ db *DB }

// txState is the transaction a context carries.
type txState struct {
	tx         adapter.Tx
	savepoints int
	commits    []func(context.Context)
	rollbacks  []func(context.Context)
}

func txFrom(ctx context.Context, db *DB) *txState {
	st, _ := ctx.Value(txKey{db}).(*txState)
	return st
}

// InTransaction reports whether ctx carries a transaction of db.
func InTransaction(ctx context.Context, db *DB) bool { return txFrom(ctx, db) != nil }

// Transaction runs fn in a database transaction carried by the ctx fn
// receives: every record call made with that ctx runs in it. fn returning an
// error rolls back and Transaction returns that error; a panic rolls back
// and is re-raised. Called with a ctx that already has a transaction,
// Transaction joins it (fn's error still propagates), or with RequiresNew
// opens a savepoint. AfterCommit callbacks of records saved inside run after
// the real commit only. The ctx given to fn must not be used by several
// goroutines at once.
func Transaction(ctx context.Context, db *DB, fn func(ctx context.Context) error, opts ...TxOption) (err error) {
	var o txOptions
	for _, opt := range opts {
		opt(&o)
	}
	if st := txFrom(ctx, db); st != nil {
		if !o.requiresNew {
			return fn(ctx)
		}
		return db.savepoint(ctx, st, fn)
	}
	start := time.Now()
	tx, err := db.a.Begin(ctx)
	db.record(ctx, "transaction", "BEGIN", nil, nil, start, 0, err)
	if err != nil {
		return db.wrapErr("begin", err)
	}
	st := &txState{tx: tx}
	tctx := context.WithValue(ctx, txKey{db}, st)
	rollback := func() {
		start := time.Now()
		rerr := tx.Rollback(context.WithoutCancel(ctx))
		db.record(ctx, "transaction", "ROLLBACK", nil, nil, start, 0, rerr)
		for _, f := range st.rollbacks {
			f(ctx)
		}
	}
	defer func() {
		if p := recover(); p != nil {
			rollback()
			panic(p)
		}
	}()
	if err := fn(tctx); err != nil {
		rollback()
		return err
	}
	start = time.Now()
	err = tx.Commit(ctx)
	db.record(ctx, "transaction", "COMMIT", nil, nil, start, 0, err)
	if err != nil {
		for _, f := range st.rollbacks {
			f(ctx)
		}
		return db.wrapErr("commit", err)
	}
	for _, f := range st.commits {
		f(ctx)
	}
	return nil
}

func (db *DB) savepoint(ctx context.Context, st *txState, fn func(context.Context) error) error {
	st.savepoints++
	name := db.dialect.Quote(fmt.Sprintf("sp_%d", st.savepoints))
	if _, err := db.exec(ctx, "savepoint", "SAVEPOINT "+name, nil, nil); err != nil {
		return err
	}
	nc, nr := len(st.commits), len(st.rollbacks)
	undo := func() error {
		_, err := db.exec(context.WithoutCancel(ctx), "savepoint", "ROLLBACK TO SAVEPOINT "+name, nil, nil)
		for _, f := range st.rollbacks[nr:] {
			f(ctx)
		}
		st.commits, st.rollbacks = st.commits[:nc], st.rollbacks[:nr]
		return err
	}
	defer func() {
		if p := recover(); p != nil {
			_ = undo()
			panic(p)
		}
	}()
	if err := fn(ctx); err != nil {
		if uerr := undo(); uerr != nil {
			return errors.Join(err, uerr)
		}
		return err
	}
	_, err := db.exec(ctx, "savepoint", "RELEASE SAVEPOINT "+name, nil, nil)
	return err
}

// AfterCommit runs fn once ctx's transaction of db has really committed
// (after the outermost Transaction, not a savepoint), with the context
// Transaction was called with; never when it rolls back. Without a
// transaction of db in ctx, fn runs at once. For side effects that must not
// happen for work that is undone: a mail, a job run inline, a cache purge.
func AfterCommit(ctx context.Context, db *DB, fn func(ctx context.Context)) {
	db.onCommit(ctx, fn, nil)
}

// onCommit registers callbacks for the end of ctx's transaction; without a
// transaction commit runs at once.
func (db *DB) onCommit(ctx context.Context, commit, rollback func(context.Context)) {
	st := txFrom(ctx, db)
	if st == nil {
		if commit != nil {
			commit(ctx)
		}
		return
	}
	if commit != nil {
		st.commits = append(st.commits, commit)
	}
	if rollback != nil {
		st.rollbacks = append(st.rollbacks, rollback)
	}
}
