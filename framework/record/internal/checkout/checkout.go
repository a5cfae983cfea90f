// Package checkout bounds the wait for a pooled connection, the same way
// in every driver: the checkout timeout applies to the wait for a free
// connection only, never to the statement that then runs.
package checkout

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"github.com/gorails/gorails/framework/record/driver"
)

// Gate admits at most n checkouts at once and bounds the wait for one by
// the checkout timeout. A free place is taken without a timer or a derived
// context (context.WithTimeout cost every statement several allocations and
// a lock on the parent's children); only a wait starts a timer. A pool
// gated by a Gate of its own size never waits inside for a connection.
// Safe for concurrent use.
type Gate struct {
	places  chan struct{}
	timeout time.Duration
	waits   atomic.Int64 // checkouts that found the gate full
	waited  atomic.Int64 // their time waiting, in nanoseconds
}

// NewGate returns a gate of n places (at least 1) and the timeout d (no
// bound but ctx when d <= 0).
func NewGate(n int, d time.Duration) *Gate {
	return &Gate{places: make(chan struct{}, max(n, 1)), timeout: d}
}

// Enter takes a place, waiting at most the timeout (then it returns an
// error wrapping driver.ErrCheckoutTimeout and context.DeadlineExceeded)
// or until ctx ends (ctx's error). Every nil return is paired with one
// Leave.
func (g *Gate) Enter(ctx context.Context) error {
	select {
	case g.places <- struct{}{}:
		return nil
	default:
	}
	g.waits.Add(1) // counted when it starts, as database/sql counts
	start := time.Now()
	defer func() { g.waited.Add(int64(time.Since(start))) }()
	var expired <-chan time.Time
	if g.timeout > 0 {
		t := time.NewTimer(g.timeout)
		defer t.Stop()
		expired = t.C
	}
	select {
	case g.places <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-expired:
		return errors.Join(driver.ErrCheckoutTimeout, context.DeadlineExceeded)
	}
}

// Leave gives the place back.
func (g *Gate) Leave() { <-g.places }

// Waits reports how many checkouts found the gate full and waited (a wait
// counts from its start), and the total time of the waits that ended (one
// that ended in a timeout or with its context included). The gate has the pool's size, so callers wait here
// rather than in the pool: a pool's Stat adds these to its own
// (database/sql's WaitCount and WaitDuration).
func (g *Gate) Waits() (int64, time.Duration) {
	return g.waits.Load(), time.Duration(g.waited.Load())
}
