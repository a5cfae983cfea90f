// Package job is gorails' ActiveJob: typed background jobs, four backends
// behind one interface, and a supervised worker with retries, scheduling,
// unique jobs and crash recovery.
//
// # Jobs
//
// A job is a Go type with a Perform method over typed arguments, which
// travel as JSON. It is registered on the app's *Client (no global
// registry, no init), which returns a *Def that enqueues it:
//
//	type WelcomeArgs struct{ UserID int64 `json:"user_id"` }
//
//	type WelcomeJob struct{ Mailer *mail.Mailer }
//
//	func (j WelcomeJob) Perform(ctx context.Context, a WelcomeArgs) error {
//		return j.Mailer.Welcome(ctx, a.UserID)
//	}
//
//	jobs := job.New(job.Config{Backend: job.Database(db)})
//	welcome := job.Register(jobs, WelcomeJob{Mailer: m}, job.Queue("mailers"), job.MaxAttempts(10))
//	welcome.PerformLater(ctx, WelcomeArgs{UserID: 42})               // as soon as possible
//	welcome.PerformIn(ctx, time.Hour, WelcomeArgs{UserID: 42})       // or PerformAt(ctx, t, ...)
//	welcome.PerformNow(ctx, WelcomeArgs{UserID: 42})                 // here, now, no backend
//	record.Transaction(ctx, db, func(tx *record.Tx) error {           // only if tx commits
//		if err := record.Create(ctx, tx, &user); err != nil {
//			return err
//		}
//		_, err := welcome.PerformLaterTx(ctx, tx, WelcomeArgs{UserID: user.ID})
//		return err
//	})
//
// PerformLaterTx takes the transaction itself (as River's InsertTx), so a
// job cannot leave it by accident: the Database backend writes the job in
// it, and other backends enqueue it once it has committed (TxBackend).
// PerformLater is never part of a transaction.
//
// Options (Register sets a kind's defaults, an enqueue call overrides them
// for one job): Queue, Priority, MaxAttempts, Timeout (per attempt, through
// the context), UniqueFor (by kind and arguments within a period) and
// UniqueWhileActive (while queued or running); a duplicate enqueue returns
// ErrDuplicate. Register-only: RetryOn/RetryOnType (retry only those
// errors), DiscardOn/DiscardOnType (drop the job on those errors), Backoff.
//
// Code that holds the Client but not the Def (a controller, through
// c.Jobs()) enqueues with For[WelcomeArgs](client), which finds the kind
// registered for that argument type: give each job its own argument type.
//
// # Backends
//
// Inline runs a job inside the enqueue call (tests; the zero Config), or,
// for PerformLaterTx, once the transaction has committed (the framework's
// test environment).
// Async runs jobs on goroutines of the process, in memory (development).
// Database keeps jobs in the app's own database, in the table Migration
// creates: PostgreSQL and MySQL 8/MariaDB 10.6+ claim with FOR UPDATE SKIP
// LOCKED, SQLite with one UPDATE ... RETURNING; PerformLaterTx writes the
// job in the caller's transaction. Its statements go through record's
// Executor (logged, the polling ones only when they fail).
// Redis keeps jobs in lists (one per queue and priority) with a reliable
// fetch: a claimed job moves
// atomically to the worker's own in-flight list and goes back to its queue
// if the worker dies. Database and Redis are Stores a Worker drains.
//
// # Worker
//
// NewWorker(client, WorkerConfig{...}).Run(ctx) runs Concurrency jobs at
// once from weighted (or strictly ordered) queues until ctx is cancelled,
// then stops claiming, waits up to ShutdownTimeout for running jobs and
// releases those that did not finish. Scheduled and retrying jobs become
// claimable when due. Claimed jobs are leased and the worker heartbeats its
// leases; the rescuer in every worker returns the jobs of an expired lease
// (a worker killed with SIGKILL, a stalled host) to their queue. A
// supervisor does not wait for the lease: Supervise, given the store as
// its Rescuer, hands the jobs of a worker process back as soon as the
// process exits (WorkerRescuer, by the host:pid prefix of the worker's
// default ID, WorkerPrefix), and a worker with RescueLocalDead (the
// development server's) does the same for this host's workers whose
// process is gone.
//
// # Failure
//
// Delivery is at least once: a job running when its worker is killed runs
// again, so Perform must be idempotent, or, on the Database backend, end
// the transaction that does its work with CompleteTx (River's
// JobCompleteTx): the job is completed in that transaction, so its work
// commits exactly once, even under kill -9:
//
//	func (j ChargeJob) Perform(ctx context.Context, a ChargeArgs) error {
//		return record.Transaction(ctx, j.DB, func(tx *record.Tx) error {
//			if _, err := tx.Exec(ctx, "UPDATE orders SET paid = TRUE WHERE id = ?", a.OrderID); err != nil {
//				return err
//			}
//			return job.CompleteTx(ctx, tx) // ErrLeaseLost: another run owns the job; roll back
//		})
//	}
//
// Elsewhere (PerformNow, Inline, Async, Test, Redis) CompleteTx does
// nothing, so the same job runs on every backend. A stored payload that does
// not decode (a Redis entry, the meta column, the arguments) fails its job
// into the dead set with ErrBadPayload; the worker goes on. A failed attempt is
// retried after Backoff (DefaultBackoff: attempt^4 seconds plus jitter)
// until MaxAttempts, then kept in the dead set (DeadJobs, RetryDead,
// DiscardDead on the Database and Redis backends). A panic is a failure whose
// *PanicError carries the stack; the worker survives it. An attempt lost
// with its worker counts; a job lost on its last attempt is dead.
//
// # Visibility and processes
//
// Client.Stats counts ready (by queue), scheduled, retrying, running and
// dead jobs. Dashboard is an http.Handler listing them, with Retry and
// Discard for dead jobs and Run now and Discard for waiting ones (DeadSet,
// WaitingMover). Supervise keeps N worker processes running, as the
// server's master keeps its workers.
//
// # Concurrency
//
// Client, Def, the backends and Worker are safe for concurrent use; many
// worker processes may drain one database or one Redis. A job value given
// to Register runs concurrently with itself.
//
// This package imports record and migrate (for the Database backend) and
// go-redis, and nothing of the web stack.
package job
