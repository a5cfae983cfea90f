package job

import (
	"context"
	"fmt"

	"github.com/gorails/gorails/framework/record"
)

// InlineBackend runs each job in the enqueuing goroutine, at once, whatever
// its RunAt, and returns its error from the enqueue call: for tests and
// scripts. No retries, no uniqueness, no IDs.
type InlineBackend struct {
	c  *Client
	db *record.DB
}

// Inline returns a backend that runs jobs as they are enqueued.
func Inline() *InlineBackend { return &InlineBackend{} }

// InlineOn is Inline that honours transactions of db as the Database
// backend does: a job enqueued with a ctx that carries a transaction of db
// (PerformLaterTx or PerformLater) runs once that transaction commits, and
// not at all if it rolls back. Its failure is then logged, as the enqueue
// call has returned. The framework uses it in the test environment so that
// code enqueueing inside transactions behaves there as in production.
func InlineOn(db *record.DB) *InlineBackend { return &InlineBackend{db: db} }

func (b *InlineBackend) bind(c *Client) { b.c = c }

func (b *InlineBackend) inTx(ctx context.Context) bool {
	return b.db != nil && record.InTransaction(ctx, b.db)
}

// Enqueue runs r now, or after ctx's transaction commits (InlineOn); a
// failure (or panic, as *PanicError) of a job run now is returned.
func (b *InlineBackend) Enqueue(ctx context.Context, r *Record) error {
	if b.c == nil {
		return fmt.Errorf("%w: inline backend used outside a Client", ErrInvalidConfig)
	}
	r.Attempt = 1
	if b.inTx(ctx) {
		record.AfterCommit(ctx, b.db, func(ctx context.Context) {
			if err := b.c.execute(ctx, r); err != nil {
				b.c.log.Error("job failed", "kind", r.Kind, "attempt", r.Attempt, "error", err)
			}
		})
		return nil
	}
	return b.c.execute(ctx, r)
}
