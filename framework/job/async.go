package job

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/gorails/gorails/framework/event"
)

// AsyncBackend runs jobs on goroutines of the enqueuing process, at most
// Concurrency at a time, with scheduling and retries on timers: Rails'
// async adapter, for development. Jobs live in memory only and are lost
// when the process exits (or the backend closes before their time); dead
// jobs are kept for Dead. Safe for concurrent use.
type AsyncBackend struct {
	c      *Client
	sem    chan struct{}
	wg     sync.WaitGroup // one per job scheduled or running
	ctx    context.Context
	cancel context.CancelFunc // ends ctx, which the jobs run under
	mu     sync.Mutex
	timers map[*Record]*time.Timer // jobs waiting for their time
	dead   []*Record
	seq    int64
	held   map[string]time.Time // unique key -> held until (zero: while active)
	close  bool
}

// Async returns an in-process backend running at most concurrency jobs at
// once (10 when <= 0).
func Async(concurrency int) *AsyncBackend {
	if concurrency <= 0 {
		concurrency = 10
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &AsyncBackend{sem: make(chan struct{}, concurrency), ctx: ctx, cancel: cancel,
		timers: map[*Record]*time.Timer{}, held: map[string]time.Time{}}
}

func (b *AsyncBackend) bind(c *Client) { b.c = c }

// Enqueue schedules r on a goroutine.
func (b *AsyncBackend) Enqueue(_ context.Context, r *Record) error {
	if b.c == nil {
		return fmt.Errorf("%w: async backend used outside a Client", ErrInvalidConfig)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.close {
		return fmt.Errorf("%w: async backend is closed", ErrInvalidConfig)
	}
	if r.UniqueKey != "" {
		until, held := b.held[r.UniqueKey]
		if held && (until.IsZero() || b.c.Now().Before(until)) {
			return ErrDuplicate
		}
		b.held[r.UniqueKey] = r.UniqueUntil
	}
	b.seq++
	r.ID = b.seq
	b.schedule(r)
	return nil
}

// schedule starts r at its RunAt; b.mu is held.
func (b *AsyncBackend) schedule(r *Record) {
	b.wg.Add(1)
	delay := r.RunAt.Sub(b.c.Now())
	b.timers[r] = time.AfterFunc(max(delay, 0), func() { b.run(r) })
}

func (b *AsyncBackend) run(r *Record) {
	defer b.wg.Done()
	b.mu.Lock()
	delete(b.timers, r)
	b.mu.Unlock()
	b.sem <- struct{}{}
	r.Attempt++
	a, err := b.c.execute(b.ctx, r)
	<-b.sem
	b.mu.Lock()
	defer b.mu.Unlock()
	if err == nil {
		b.c.finish(a, r, event.Performed, time.Time{}, nil)
		b.release(r)
		return
	}
	o := b.c.judge(r, err)
	if o.verdict == retry && b.close {
		o.verdict = kill
	}
	b.c.finish(a, r, outcomeOf(o.verdict), o.at, err)
	if b.c.events == nil {
		b.c.log.Error("job failed", "kind", r.Kind, "id", r.ID, "attempt", r.Attempt, "error", err)
	}
	r.LastError = o.errText
	switch {
	case o.verdict == retry && !b.close:
		r.RunAt = o.at
		b.schedule(r)
	case o.verdict == kill || o.verdict == retry:
		r.State = Dead
		b.dead = append(b.dead, r)
		b.release(r)
	default:
		b.release(r)
	}
}

// release frees a finished job's unique key; b.mu is held.
func (b *AsyncBackend) release(r *Record) {
	if r.UniqueKey != "" && r.UniqueUntil.IsZero() {
		delete(b.held, r.UniqueKey)
	}
}

// Dead returns the jobs that failed for good.
func (b *AsyncBackend) Dead() []*Record {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]*Record(nil), b.dead...)
}

// Close stops accepting jobs and waits, until ctx ends, for the jobs that
// are running or due. Jobs scheduled for later are dropped, as they would
// be when the process exits (a warning counts them), and retries waiting
// for their time go to the dead set, as retries failing after Close do.
// When ctx ends first, the running jobs' context is cancelled and Close
// returns ctx's error without waiting for them further.
func (b *AsyncBackend) Close(ctx context.Context) error {
	b.mu.Lock()
	b.close = true
	dropped := 0
	for r, t := range b.timers {
		if !t.Stop() {
			continue // it has started: wait for it
		}
		delete(b.timers, r)
		b.release(r)
		if r.Attempt > 0 {
			r.State = Dead
			b.dead = append(b.dead, r)
		} else {
			dropped++
		}
		b.wg.Done()
	}
	b.mu.Unlock()
	if dropped > 0 && b.c != nil {
		b.c.log.Warn("job: the async backend closed before the time of some scheduled jobs; they are dropped (the database or Redis backend keeps them)", "dropped", dropped)
	}
	done := make(chan struct{})
	go func() { b.wg.Wait(); close(done) }()
	select {
	case <-done:
		b.cancel()
		return nil
	case <-ctx.Done():
		b.cancel() // the running jobs see their context end
		return fmt.Errorf("job: async close: %w (the running jobs were cancelled)", ctx.Err())
	}
}
