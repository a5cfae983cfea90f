// Package checkout bounds the wait for a pooled connection, the same way
// in every driver: the checkout timeout applies to the wait for a free
// connection only, never to the statement that then runs.
package checkout

import (
	"context"
	"errors"
	"time"

	"github.com/gorails/gorails/framework/record/driver"
)

// Context bounds ctx by the checkout timeout d (no bound when d <= 0 or
// ctx ends sooner).
func Context(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if d <= 0 {
		return ctx, func() {}
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) <= d {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, d)
}

// Err turns a failed checkout caused by the checkout timer (not by the
// caller's ctx, parent) into driver.ErrCheckoutTimeout.
func Err(parent context.Context, err error) error {
	if parent.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
		return errors.Join(driver.ErrCheckoutTimeout, err)
	}
	return err
}
