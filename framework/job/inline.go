package job

import (
	"context"
	"fmt"
	"time"

	"github.com/gorails/gorails/framework/event"
)

// InlineBackend runs each job in the enqueuing goroutine, at once, whatever
// its RunAt, and returns its error from the enqueue call: for tests and
// scripts. No retries, no uniqueness, no IDs. A job enqueued with
// PerformLaterTx runs once the transaction commits (not at all if it rolls
// back), as the framework's test environment wants; its failure is then
// logged, as the enqueue call has returned.
type InlineBackend struct {
	c *Client
}

// Inline returns a backend that runs jobs as they are enqueued.
func Inline() *InlineBackend { return &InlineBackend{} }

func (b *InlineBackend) bind(c *Client) { b.c = c }

// Enqueue runs r now; a failure (or panic, as *PanicError) is returned.
func (b *InlineBackend) Enqueue(ctx context.Context, r *Record) error {
	if b.c == nil {
		return fmt.Errorf("%w: inline backend used outside a Client", ErrInvalidConfig)
	}
	r.Attempt = 1
	a, err := b.c.execute(ctx, r)
	o := event.Performed
	if err != nil {
		o = event.Died // no retry inline: the error goes back to the caller
	}
	b.c.finish(a, r, o, time.Time{}, err)
	return err
}
