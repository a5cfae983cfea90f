package job_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorails/gorails/framework/job"
)

type closeArgs struct{}

// blockingJob signals when it starts, then waits for its context to end
// and reports that it did.
type blockingJob struct {
	started, ended chan struct{}
	runs           *atomic.Int64
}

func (j blockingJob) Perform(ctx context.Context, _ closeArgs) error {
	j.runs.Add(1)
	close(j.started)
	<-ctx.Done()
	close(j.ended)
	return ctx.Err()
}

// TestAsyncCloseDropsJobsScheduledForLater is the regression test of
// issue 14 item 6: Close waited on the timer of a job scheduled an hour
// out, so it hung until its ctx ended (App.Close, with Background, forever).
func TestAsyncCloseDropsJobsScheduledForLater(t *testing.T) {
	t.Parallel()
	b := job.Async(1)
	c := job.New(job.Config{Backend: b})
	j := blockingJob{started: make(chan struct{}), ended: make(chan struct{}), runs: new(atomic.Int64)}
	def := job.Register(c, j)
	if _, err := def.PerformIn(context.Background(), time.Hour, closeArgs{}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := b.Close(ctx); err != nil {
		t.Fatalf("Close = %v, want nil: a job scheduled for later must not hold it", err)
	}
	if n := j.runs.Load(); n != 0 || len(b.Dead()) != 0 {
		t.Fatalf("after Close: %d runs, %d dead; want the scheduled job dropped", n, len(b.Dead()))
	}
	if _, err := def.PerformLater(context.Background(), closeArgs{}); err == nil {
		t.Fatal("a closed backend accepted a job")
	}
}

// TestAsyncCloseCancelsRunningJobsWhenItsContextEnds: running jobs get
// until Close's ctx ends, then their own context is cancelled, so a job
// that honours its context stops instead of outliving the app.
func TestAsyncCloseCancelsRunningJobsWhenItsContextEnds(t *testing.T) {
	t.Parallel()
	b := job.Async(1)
	c := job.New(job.Config{Backend: b})
	j := blockingJob{started: make(chan struct{}), ended: make(chan struct{}), runs: new(atomic.Int64)}
	if _, err := job.Register(c, j).PerformLater(context.Background(), closeArgs{}); err != nil {
		t.Fatal(err)
	}
	<-j.started
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := b.Close(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Close = %v, want the deadline's error", err)
	}
	select {
	case <-j.ended:
	case <-time.After(30 * time.Second):
		t.Fatal("the running job's context was not cancelled by Close")
	}
}
