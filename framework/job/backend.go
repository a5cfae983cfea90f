package job

import (
	"context"
	"time"

	"github.com/gorails/gorails/framework/record"
)

// Backend stores or runs enqueued jobs. Inline and Async run them in the
// enqueuing process; Database and Redis store them for a Worker, which
// needs the Queue methods too. Implementations are safe for concurrent use.
type Backend interface {
	// Enqueue stores r (or runs it). It fills r.ID when the backend
	// assigns one, and returns ErrDuplicate when r.UniqueKey is held.
	Enqueue(ctx context.Context, r *Record) error
}

// TxBackend is a Backend that can enqueue inside a record transaction, so
// that the job exists only if the transaction commits (Database). The
// Client enqueues on other backends once the transaction has committed.
type TxBackend interface {
	Backend
	// EnqueueTx is Enqueue with the statements run in tx.
	EnqueueTx(ctx context.Context, tx *record.Tx, r *Record) error
}

// Store is a Backend a Worker drains. Every method is safe for concurrent
// use by many workers in many processes. A claimed job is leased to a
// worker until leaseUntil; Heartbeat extends the leases of its running jobs
// and Rescue returns the jobs of expired leases (a dead worker) to their
// queue, so a crash never loses a job: delivery is at least once.
type Store interface {
	Backend
	// Claim moves up to limit available jobs of queue whose RunAt is not
	// after now to running, leased to worker, increments their Attempt
	// and returns them (lower Priority, then older RunAt, first).
	Claim(ctx context.Context, worker, queue string, limit int, now, leaseUntil time.Time) ([]*Record, error)
	// Complete removes a finished job (or keeps it as Completed while its
	// UniqueFor period lasts). A job no longer leased to r.Worker is left alone.
	Complete(ctx context.Context, r *Record, now time.Time) error
	// Retry makes a failed job available again at at, recording errText.
	Retry(ctx context.Context, r *Record, at time.Time, errText string) error
	// Kill moves a job to the dead set with errText.
	Kill(ctx context.Context, r *Record, errText string, now time.Time) error
	// Release returns a running job to its queue without counting the attempt.
	Release(ctx context.Context, r *Record) error
	// Heartbeat extends to leaseUntil the lease of every job running on worker.
	Heartbeat(ctx context.Context, worker string, now, leaseUntil time.Time) error
	// Rescue returns jobs whose lease expired before now to their queue
	// (or kills those that used up their attempts) and moves scheduled
	// jobs that are due to ready where the backend keeps them apart.
	Rescue(ctx context.Context, now time.Time) (int, error)
	// Stats counts jobs by queue and state.
	Stats(ctx context.Context, now time.Time) (Stats, error)
}

// WorkerRescuer is implemented by stores that can hand back the jobs of a
// worker known to be gone at once, without waiting for its leases to
// expire (Database, Redis). Supervise uses it when a worker process exits.
type WorkerRescuer interface {
	// RescueWorker returns the running jobs of every worker whose ID
	// starts with prefix to their queue (the lost attempt counts; a job
	// that used its last attempt goes to the dead set) and returns how many.
	RescueWorker(ctx context.Context, prefix string, now time.Time) (int, error)
	// LeaseHolders lists the IDs of the workers that hold running jobs.
	LeaseHolders(ctx context.Context) ([]string, error)
}

var (
	_ WorkerRescuer = (*DatabaseBackend)(nil)
	_ WorkerRescuer = (*RedisBackend)(nil)
)

// DeadSet is implemented by stores that keep failed jobs for inspection
// (Database, Redis): the dashboard lists, retries and discards them.
type DeadSet interface {
	// DeadJobs lists up to limit dead jobs, newest first (limit < 0: all).
	DeadJobs(ctx context.Context, limit int) ([]*Record, error)
	// RetryDead makes dead job id available now with fresh attempts;
	// ErrNotFound when there is no such dead job.
	RetryDead(ctx context.Context, id int64, now time.Time) error
	// DiscardDead deletes dead job id; ErrNotFound when there is none.
	DiscardDead(ctx context.Context, id int64) error
}

// Waiting is which waiting jobs ListWaiting returns.
type Waiting string

// The kinds of waiting jobs.
const (
	Scheduled Waiting = "scheduled" // enqueued to run later, never attempted
	Retrying  Waiting = "retrying"  // failed, waiting for their next attempt
)

// WaitingLister is implemented by stores that can list waiting jobs (for
// the dashboard): Database and Redis.
type WaitingLister interface {
	// ListWaiting returns up to limit jobs of kind w, soonest first.
	ListWaiting(ctx context.Context, w Waiting, limit int, now time.Time) ([]*Record, error)
}

// WaitingMover is implemented by stores whose waiting (scheduled or
// retrying) jobs can be made due now or discarded, for the dashboard:
// Database and Redis.
type WaitingMover interface {
	// RunNow makes waiting job id due now; ErrNotFound when no job with
	// that id is waiting.
	RunNow(ctx context.Context, id int64, now time.Time) error
	// DiscardWaiting deletes waiting job id (releasing a unique key held
	// while active); ErrNotFound when no job with that id is waiting.
	DiscardWaiting(ctx context.Context, id int64, now time.Time) error
}

var (
	_ WaitingMover  = (*DatabaseBackend)(nil)
	_ WaitingMover  = (*RedisBackend)(nil)
	_ WaitingLister = (*DatabaseBackend)(nil)
	_ WaitingLister = (*RedisBackend)(nil)
	_ DeadSet       = (*DatabaseBackend)(nil)
	_ DeadSet       = (*RedisBackend)(nil)
)

// Stats is a snapshot of a queue backend, for `jobs:stats` and dashboards.
type Stats struct {
	Ready     map[string]int `json:"ready"` // by queue: available and due
	Scheduled int            `json:"scheduled"`
	Retrying  int            `json:"retrying"`
	Running   int            `json:"running"`
	Dead      int            `json:"dead"`
}
