package job

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gorails/gorails/framework/record"
)

// ErrLeaseLost: CompleteTx found the job no longer leased to this run (its
// lease expired and it was handed back, or it already finished), so the
// transaction must not commit: its work would happen twice.
var ErrLeaseLost = errors.New("job: the job is no longer leased to this run")

// TxCompleter is implemented by stores that can record a job's success in
// a record transaction (Database), for CompleteTx.
type TxCompleter interface {
	// CompleteTx completes r, still leased to r.Worker at r.Attempt, with
	// tx's statements; ErrLeaseLost when it is not, ErrNoTransaction when
	// tx is on another database than the store's.
	CompleteTx(ctx context.Context, tx *record.Tx, r *Record, now time.Time) error
}

var _ TxCompleter = (*DatabaseBackend)(nil)

// runKey is the context key of the job a Worker runs.
type runKey struct{}

// running is a job a Worker runs, as CompleteTx finds it in the context.
type running struct {
	store Store
	r     *Record
	now   func() time.Time
}

// CompleteTx records the success of the job ctx belongs to in the record
// transaction tx, as River's JobCompleteTx: the job is done exactly when
// tx's work is committed, so a job whose work is in the jobs' database has
// its effect once, even when its worker is killed at any moment. Call it
// from Perform, as the last statement of the transaction that does the
// work, and return the transaction's error:
//
//	func (j ChargeJob) Perform(ctx context.Context, a ChargeArgs) error {
//		return record.Transaction(ctx, j.DB, func(tx *record.Tx) error {
//			if _, err := tx.Exec(ctx, "UPDATE orders SET paid = TRUE WHERE id = ?", a.OrderID); err != nil {
//				return err
//			}
//			return job.CompleteTx(ctx, tx)
//		})
//	}
//
// It returns ErrLeaseLost (roll back) when the job is no longer this run's:
// its lease expired and another worker may be running it. On the Database
// backend tx must be on the backend's database (ErrNoTransaction
// otherwise). Where there is nothing to complete in tx it does nothing and
// returns nil, so the same Perform works everywhere: PerformNow, the
// Inline, Async and Test backends, and Redis (whose job completes once
// Perform returns, at least once).
func CompleteTx(ctx context.Context, tx *record.Tx) error {
	if tx == nil {
		return ErrNoTransaction
	}
	run, _ := ctx.Value(runKey{}).(*running)
	if run == nil {
		return nil
	}
	tc, ok := run.store.(TxCompleter)
	if !ok {
		return nil
	}
	return tc.CompleteTx(ctx, tx, run.r, run.now())
}

// CompleteTx deletes the job in tx (or keeps it as completed while its
// UniqueFor period lasts), if it is still leased to r.Worker at r.Attempt.
func (b *DatabaseBackend) CompleteTx(ctx context.Context, tx *record.Tx, r *Record, now time.Time) error {
	if tx == nil || tx.DB() != b.db {
		return fmt.Errorf("%w: complete job %d: the transaction is on another database", ErrNoTransaction, r.ID)
	}
	const mine = owned + " AND attempt = ?"
	var (
		res record.Result
		err error
	)
	if r.UniqueKey != "" && r.UniqueUntil.After(now) {
		res, err = tx.Exec(ctx, "UPDATE "+Table+" SET state = 'completed', worker = NULL, lease_until = NULL"+mine, r.ID, r.Worker, r.Attempt)
	} else {
		res, err = tx.Exec(ctx, "DELETE FROM "+Table+mine, r.ID, r.Worker, r.Attempt)
	}
	if err != nil {
		return fmt.Errorf("complete job %d in the transaction: %w", r.ID, err)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("%w: job %d (attempt %d)", ErrLeaseLost, r.ID, r.Attempt)
	}
	return nil
}
