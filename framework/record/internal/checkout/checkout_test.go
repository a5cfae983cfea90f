package checkout

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gorails/gorails/framework/record/driver"
)

func TestGate(t *testing.T) {
	t.Parallel()
	t.Run("a free place is taken at once, and given back by Leave", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			g := NewGate(2, time.Second)
			for range 2 {
				if err := g.Enter(t.Context()); err != nil {
					t.Fatal(err)
				}
			}
			g.Leave()
			start := time.Now()
			if err := g.Enter(t.Context()); err != nil || time.Since(start) != 0 {
				t.Fatalf("err %v after %v", err, time.Since(start))
			}
		})
	})
	t.Run("a full gate gives ErrCheckoutTimeout after the timeout", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			g := NewGate(1, 5*time.Second)
			_ = g.Enter(t.Context())
			start := time.Now()
			err := g.Enter(t.Context())
			if !errors.Is(err, driver.ErrCheckoutTimeout) || !errors.Is(err, context.DeadlineExceeded) || time.Since(start) != 5*time.Second {
				t.Fatalf("err %v after %v", err, time.Since(start))
			}
		})
	})
	t.Run("the caller's context ends the wait with its own error", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			g := NewGate(1, 5*time.Second)
			_ = g.Enter(t.Context())
			ctx, cancel := context.WithTimeout(t.Context(), time.Second)
			defer cancel()
			err := g.Enter(ctx)
			if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, driver.ErrCheckoutTimeout) {
				t.Fatalf("err %v", err)
			}
		})
	})
	t.Run("a waiter gets the place given back", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			g := NewGate(1, 5*time.Second)
			_ = g.Enter(t.Context())
			go func() {
				time.Sleep(time.Second)
				g.Leave()
			}()
			start := time.Now()
			if err := g.Enter(t.Context()); err != nil || time.Since(start) != time.Second {
				t.Fatalf("err %v after %v", err, time.Since(start))
			}
		})
	})
	t.Run("no timeout waits for the context alone", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			g := NewGate(1, 0)
			_ = g.Enter(t.Context())
			ctx, cancel := context.WithTimeout(t.Context(), time.Hour)
			defer cancel()
			if err := g.Enter(ctx); !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, driver.ErrCheckoutTimeout) {
				t.Fatalf("err %v", err)
			}
		})
	})
}

// BenchmarkCheckout is a checkout with a free connection: the gate, and
// the timeout context it replaces (context.WithTimeout on the request's
// cancellable context).
func TestGateWaits(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		g := NewGate(1, 5*time.Second)
		if err := g.Enter(t.Context()); err != nil {
			t.Fatal(err)
		}
		if n, d := g.Waits(); n != 0 || d != 0 {
			t.Fatalf("a free place counted as a wait: %d, %v", n, d)
		}
		go func() {
			time.Sleep(time.Second)
			g.Leave()
		}()
		if err := g.Enter(t.Context()); err != nil { // waits 1s for the place
			t.Fatal(err)
		}
		if n, d := g.Waits(); n != 1 || d != time.Second {
			t.Fatalf("after one wait of 1s: %d, %v", n, d)
		}
		_ = g.Enter(t.Context()) // times out after 5s, still a wait
		if n, d := g.Waits(); n != 2 || d != 6*time.Second {
			t.Fatalf("after a timed-out wait: %d, %v", n, d)
		}
		ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
		defer cancel()
		_ = g.Enter(ctx) // the caller gives up after 2s
		if n, d := g.Waits(); n != 3 || d != 8*time.Second {
			t.Fatalf("after a cancelled wait: %d, %v", n, d)
		}
	})
}

func BenchmarkCheckout(b *testing.B) {
	parent, cancel := context.WithCancel(context.Background())
	defer cancel()
	b.Run("gate", func(b *testing.B) {
		g := NewGate(5, 5*time.Second)
		b.ReportAllocs()
		for b.Loop() {
			if err := g.Enter(parent); err != nil {
				b.Fatal(err)
			}
			g.Leave()
		}
	})
	b.Run("raw/context-with-timeout", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			ctx, cancel := context.WithTimeout(parent, 5*time.Second)
			_ = ctx
			cancel()
		}
	})
}
