package job

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorails/gorails/framework/event"
	"github.com/gorails/gorails/framework/record"
)

// lockedBuffer is a log output several goroutines write to.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestRescueRacingClaimsLogsNoFailure: the lease check's statements run
// while workers claim, which on MariaDB (next-key locks) and PostgreSQL can
// deadlock; the backend runs a deadlocked statement again at once, so
// Rescue fails for none of them and no failure is logged (a retried
// deadlock is a debug line, and its SQL event says Retried).
func TestRescueRacingClaimsLogsNoFailure(t *testing.T) {
	for _, adapter := range []string{record.MySQL, record.PostgreSQL} {
		t.Run(adapter, func(t *testing.T) {
			t.Parallel()
			log := &lockedBuffer{}
			bus := event.New()
			var mu sync.Mutex
			var failed []string // SQL events of failures not retried
			retried := 0
			event.Subscribe(bus, func(_ context.Context, e *event.SQL) {
				if e.Err == nil {
					return
				}
				mu.Lock()
				defer mu.Unlock()
				if e.Retried {
					retried++
				} else {
					failed = append(failed, e.SQL+": "+e.Err.Error())
				}
			})
			db := openDBWith(t, adapter, "job_rescue_race", func(cfg *record.Config) {
				cfg.Logger = slog.New(slog.NewTextHandler(log, &slog.HandlerOptions{Level: slog.LevelDebug}))
				cfg.Events = bus
				cfg.Pool = 12
			})
			store := Database(db)
			c := New(Config{Backend: store})
			def := Register(c, echoJob{})
			ctx := context.Background()
			for i := range 120 {
				attempts := 1_000_000
				if i%4 == 0 {
					attempts = 3 // some go dead: the rescue's other statement
				}
				mustEnqueue(t)(def.PerformLater(ctx, echoArgs{N: i}, MaxAttempts(attempts)))
			}

			// Claimers take jobs with leases that are over at once; rescuers
			// hand them back, both as fast as they can.
			var claimers, rescuers sync.WaitGroup
			done := make(chan struct{})
			errs := make(chan error, 64)
			for w := range 4 {
				claimers.Add(1)
				go func() {
					defer claimers.Done()
					worker := WorkerPrefix(0) + string(rune('a'+w))
					for range 150 {
						now := time.Now()
						if _, err := store.Claim(ctx, worker, DefaultQueue, 4, now, now); err != nil {
							errs <- err
							return
						}
					}
				}()
			}
			rescues := 0
			var rmu sync.Mutex
			for range 3 {
				rescuers.Add(1)
				go func() {
					defer rescuers.Done()
					for {
						select {
						case <-done:
							return
						default:
						}
						if _, err := store.Rescue(ctx, time.Now().Add(time.Second)); err != nil {
							errs <- err
							return
						}
						rmu.Lock()
						rescues++
						rmu.Unlock()
					}
				}()
			}
			claimers.Wait()
			close(done)
			rescuers.Wait()
			close(errs)
			for err := range errs {
				t.Errorf("a claim or rescue failed: %v", err)
			}
			mu.Lock()
			defer mu.Unlock()
			for _, f := range failed {
				t.Errorf("a failed statement was reported as a failure: %s", f)
			}
			for _, l := range strings.Split(log.String(), "\n") {
				if strings.Contains(l, "level=WARN") || strings.Contains(l, "level=ERROR") {
					t.Errorf("a failure is logged: %s", l)
				}
			}
			if rescues == 0 {
				t.Error("no rescue ran while the claims did")
			}
			t.Logf("%s: %d rescues, %d deadlocks retried", adapter, rescues, retried)
		})
	}
}
