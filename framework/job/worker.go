package job

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorails/gorails/framework/event"
)

// QueueWeight names a queue a Worker drains and its weight.
type QueueWeight struct {
	Name   string
	Weight int // relative share of claims; <= 0 means 1, at most MaxQueueWeight
}

// DefaultShutdownTimeout is WorkerConfig.ShutdownTimeout when unset.
const DefaultShutdownTimeout = 25 * time.Second

// WorkerConfig configures a Worker. The zero value works: 10 executors
// on the "default" queue.
type WorkerConfig struct {
	// Concurrency is the number of jobs run at once (10 when <= 0).
	Concurrency int
	// Queues lists the queues to drain (the "default" queue when empty).
	Queues []QueueWeight
	// AllQueues drains every queue that has due jobs, whatever its name
	// (jobs registered with Queue, enqueued with a queue of their own, mail
	// deliveries), as Rails' async adapter runs every job: the development
	// server's worker does. Each claim asks the store which queues have
	// due jobs (Stats) and tries them in name order, "default" first. It
	// excludes Queues.
	AllQueues bool
	// StrictOrder drains the queues in the order listed: a queue is only
	// looked at when those before it have no due job. Otherwise each claim
	// tries the queues in a random order weighted by Weight.
	StrictOrder bool
	// PollInterval is the wait after a claim that found nothing (500ms).
	PollInterval time.Duration
	// Lease is how long a claimed job stays leased without a heartbeat
	// (30s); heartbeats come every Lease/3, and a job whose lease expired
	// is returned to its queue by any worker's rescuer.
	Lease time.Duration
	// ShutdownTimeout bounds the wait for running jobs once Run's context
	// is cancelled (25s); then their contexts are cancelled and the jobs
	// still running are released to their queue.
	ShutdownTimeout time.Duration
	// ID names this worker in leases; hostname:pid:random when empty.
	ID string
	// Logger; the Client's when nil.
	Logger *slog.Logger
	// Recurring jobs this worker enqueues on their schedules (see Every);
	// every worker of an app may list the same ones.
	Recurring []Recurring
	// RescueLocalDead, on a Unix host, hands back at once (at start and
	// with each heartbeat) the jobs of workers with a default ID (see
	// WorkerPrefix) of this host whose process no longer exists, rather
	// than when their leases expire: a development server restarted after
	// a crash, or a sibling worker process of its master that died. Leave
	// it off where hosts may share a name (containers with one hostname).
	RescueLocalDead bool
}

func (c WorkerConfig) withDefaults() WorkerConfig {
	if c.Concurrency <= 0 {
		c.Concurrency = 10
	}
	if len(c.Queues) == 0 && !c.AllQueues {
		c.Queues = []QueueWeight{{Name: DefaultQueue, Weight: 1}}
	}
	if c.PollInterval <= 0 {
		c.PollInterval = 500 * time.Millisecond
	}
	if c.Lease <= 0 {
		c.Lease = 30 * time.Second
	}
	if c.ShutdownTimeout <= 0 {
		c.ShutdownTimeout = DefaultShutdownTimeout
	}
	if c.ID == "" {
		var b [4]byte
		_, _ = rand.Read(b[:])
		c.ID = WorkerPrefix(os.Getpid()) + hex.EncodeToString(b[:])
	}
	return c
}

// WorkerPrefix is how the IDs of the workers of process pid on this host
// begin ("host:pid:"; WorkerConfig.ID when left empty): a supervisor that
// saw the process exit hands their jobs back with WorkerRescuer.
func WorkerPrefix(pid int) string {
	host, _ := os.Hostname()
	return host + ":" + strconv.Itoa(pid) + ":"
}

// MaxQueueWeight bounds a queue's weight, so that the weights of any
// number of queues add up without overflowing.
const MaxQueueWeight = 1 << 20

func (c WorkerConfig) validate() error {
	if c.AllQueues && len(c.Queues) > 0 {
		return fmt.Errorf("%w: AllQueues drains every queue: leave Queues empty (or list the queues and leave AllQueues off)", ErrInvalidConfig)
	}
	seen := map[string]bool{}
	for _, q := range c.Queues {
		if q.Name == "" || seen[q.Name] {
			return fmt.Errorf("%w: queue names must be unique and not empty", ErrInvalidConfig)
		}
		if q.Weight > MaxQueueWeight {
			return fmt.Errorf("%w: queue %q: weight %d over %d", ErrInvalidConfig, q.Name, q.Weight, MaxQueueWeight)
		}
		seen[q.Name] = true
	}
	names := map[string]bool{}
	for _, r := range c.Recurring {
		if r.Name == "" || names[r.Name] || r.enqueue == nil {
			return fmt.Errorf("%w: recurring jobs need a unique name and must come from Every", ErrInvalidConfig)
		}
		names[r.Name] = true
	}
	if c.Lease < 3*time.Millisecond {
		return fmt.Errorf("%w: lease too short", ErrInvalidConfig)
	}
	return nil
}

// Worker claims jobs from a Store and runs them on Concurrency goroutines.
// Many workers, in one process or many, may drain the same store.
//
// Failure promises: a job that returns an error or panics is retried with
// its backoff until MaxAttempts, then moved to the dead set; a panic never
// stops the worker. A worker killed with SIGKILL loses no job: its leases
// expire and any worker's rescuer returns the jobs to their queue, so every
// job runs at least once. The jobs that were running, or had finished but
// whose success was not yet recorded (successes are written in batches), at
// the moment of the kill run again: at most 3×Concurrency jobs per killed
// worker. Make Perform idempotent.
type Worker struct {
	c     *Client
	store Store
	cfg   WorkerConfig
	log   *slog.Logger

	mu      sync.Mutex
	running map[int64]*Record

	// completions feeds the batch completer when the store has CompleteMany.
	completions chan *Record
	sched       scheduler
}

// batchCompleter is implemented by stores that can record many successes
// in one round trip; the worker then completes jobs in batches.
type batchCompleter interface {
	CompleteMany(ctx context.Context, rs []*Record, now time.Time) error
}

// NewWorker returns a Worker for c's backend, which must be a Store
// (Database, Redis); otherwise it returns ErrNotDrainable.
func NewWorker(c *Client, cfg WorkerConfig) (*Worker, error) {
	store, ok := c.backend.(Store)
	if !ok {
		return nil, fmt.Errorf("%w: %T", ErrNotDrainable, c.backend)
	}
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	log := cfg.Logger
	if log == nil {
		log = c.log
	}
	w := &Worker{c: c, store: store, cfg: cfg, log: log.With("worker", cfg.ID), running: map[int64]*Record{}}
	w.sched = scheduler{jobs: cfg.Recurring, last: make([]time.Time, len(cfg.Recurring))}
	return w, nil
}

// ID returns the worker's lease name.
func (w *Worker) ID() string { return w.cfg.ID }

// Run claims and runs jobs until ctx is cancelled, then shuts down
// gracefully: it stops claiming, waits up to ShutdownTimeout for running
// jobs, cancels the contexts of those still running and releases them to
// their queue. It returns nil after a shutdown caused by ctx.
func (w *Worker) Run(ctx context.Context) error {
	jobCtx, hardStop := context.WithCancel(context.WithoutCancel(ctx))
	defer hardStop()
	var (
		slots = make(chan struct{}, w.cfg.Concurrency)
		execs sync.WaitGroup
		maint sync.WaitGroup
	)
	maintCtx, stopMaint := context.WithCancel(context.WithoutCancel(ctx))
	maint.Add(1)
	go func() { defer maint.Done(); w.maintain(maintCtx) }()
	var completer sync.WaitGroup
	if bc, ok := w.store.(batchCompleter); ok {
		w.completions = make(chan *Record, w.cfg.Concurrency)
		completer.Add(1)
		go func() { defer completer.Done(); w.complete(bc) }()
	}
	if sw, ok := w.store.(interface{ schemaWarning(context.Context) string }); ok {
		if msg := sw.schemaWarning(ctx); msg != "" {
			w.log.Warn(msg)
		}
	}
	w.log.Info("job worker started", "concurrency", w.cfg.Concurrency, "queues", w.queueNames(),
		"kinds", strings.Join(slices.Sorted(slices.Values(w.c.Kinds())), ","))

	for ctx.Err() == nil {
		// Wait for a free slot.
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			continue
		}
		free := 1 + w.cfg.Concurrency - len(slots)
		for range free - 1 {
			slots <- struct{}{} // reserve the rest we are about to fill
		}
		// A claim is not cancelled half-way: rows it leased would wait for
		// the rescuer. It is bounded instead.
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		jobs, err := w.claim(cctx, free)
		cancel()
		if err != nil && ctx.Err() == nil {
			w.log.Error("claim failed", "error", err)
		}
		for range free - len(jobs) {
			<-slots
		}
		for _, r := range jobs {
			execs.Add(1)
			go func() {
				defer execs.Done()
				defer func() { <-slots }()
				w.work(jobCtx, r)
			}()
		}
		if len(jobs) == 0 {
			select {
			case <-time.After(w.jitter(w.cfg.PollInterval)):
			case <-ctx.Done():
			}
		}
	}

	w.log.Info("job worker stopping", "running", w.runningCount())
	done := make(chan struct{})
	go func() { execs.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(w.cfg.ShutdownTimeout):
		w.log.Warn("shutdown timeout: cancelling running jobs", "running", w.runningCount())
		hardStop()
		<-done
	}
	if w.completions != nil {
		close(w.completions)
		completer.Wait()
	}
	stopMaint()
	maint.Wait()
	w.log.Info("job worker stopped")
	return nil
}

func (w *Worker) jitter(d time.Duration) time.Duration {
	return d/2 + time.Duration(mrand.Int64N(int64(d)))
}

// claim takes up to n jobs from the queues, in strict or weighted order.
func (w *Worker) claim(ctx context.Context, n int) ([]*Record, error) {
	now := w.c.Now()
	var out []*Record
	var errs []error
	order := w.order()
	if w.cfg.AllQueues {
		st, err := w.store.Stats(ctx, now)
		if err != nil {
			return nil, fmt.Errorf("the queues with due jobs: %w", err)
		}
		order = readyQueues(st)
	}
	for _, q := range order {
		got, err := w.store.Claim(ctx, w.cfg.ID, q, n-len(out), now, now.Add(w.cfg.Lease))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		w.mu.Lock()
		for _, r := range got {
			w.running[r.ID] = r
		}
		w.mu.Unlock()
		out = append(out, got...)
		if len(out) >= n {
			break
		}
	}
	return out, errors.Join(errs...)
}

// order returns the queue names to try for one claim.
func (w *Worker) order() []string {
	qs := w.cfg.Queues
	names := make([]string, 0, len(qs))
	if w.cfg.StrictOrder || len(qs) == 1 {
		for _, q := range qs {
			names = append(names, q.Name)
		}
		return names
	}
	// Weighted random order without replacement.
	left := append([]QueueWeight(nil), qs...)
	for len(left) > 0 {
		total := 0
		for _, q := range left {
			total += max(q.Weight, 1)
		}
		pick := mrand.IntN(total)
		for i, q := range left {
			pick -= max(q.Weight, 1)
			if pick < 0 {
				names = append(names, q.Name)
				left = append(left[:i], left[i+1:]...)
				break
			}
		}
	}
	return names
}

// readyQueues are the queues with due jobs in st, in name order with
// DefaultQueue first.
func readyQueues(st Stats) []string {
	names := make([]string, 0, len(st.Ready))
	for q, n := range st.Ready {
		if n > 0 {
			names = append(names, q)
		}
	}
	slices.SortFunc(names, func(a, b string) int {
		switch {
		case a == b:
			return 0
		case a == DefaultQueue:
			return -1
		case b == DefaultQueue:
			return 1
		}
		return strings.Compare(a, b)
	})
	return names
}

// queueNames is the worker's queues for the log: "critical:3,default", or
// "*" for AllQueues.
func (w *Worker) queueNames() string {
	if w.cfg.AllQueues {
		return "*"
	}
	return queueList(w.cfg.Queues)
}

// queueList is queues for the log: "critical:3,default".
func queueList(qs []QueueWeight) string {
	names := make([]string, len(qs))
	for i, q := range qs {
		names[i] = q.Name
		if q.Weight > 1 {
			names[i] += ":" + strconv.Itoa(q.Weight)
		}
	}
	return strings.Join(names, ",")
}

// work runs one claimed job and records its outcome.
func (w *Worker) work(ctx context.Context, r *Record) {
	start := time.Now()
	a, err := w.c.execute(context.WithValue(ctx, runKey{}, &running{store: w.store, r: r, now: w.c.Now}), r)
	if err == nil {
		w.c.finish(a, r, event.Performed, time.Time{}, nil)
		if w.c.events == nil && w.log.Enabled(ctx, slog.LevelDebug) {
			w.log.Debug("job performed", "kind", r.Kind, "id", r.ID, "queue", r.Queue, "attempt", r.Attempt, "duration", time.Since(start))
		}
	}
	if err == nil && w.completions != nil {
		w.completions <- r // the completer records it and forgets it
		return
	}
	defer w.forget(r)
	// Record the outcome even when the job's ctx was cancelled.
	octx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err == nil {
		w.settle(octx, r, "complete", func(ctx context.Context) error { return w.store.Complete(ctx, r, w.c.Now()) })
		return
	}
	if ctx.Err() != nil {
		// Hard stop at shutdown: the job did not get to finish; give it back.
		w.c.finish(a, r, event.Released, time.Time{}, err)
		if w.c.events == nil {
			w.log.Warn("job interrupted by shutdown, released", "kind", r.Kind, "id", r.ID)
		}
		w.settle(octx, r, "release", func(ctx context.Context) error { return w.store.Release(ctx, r) })
		return
	}
	o := w.c.judge(r, err)
	w.c.finish(a, r, outcomeOf(o.verdict), o.at, err)
	if w.c.events == nil {
		w.log.Error("job failed", "kind", r.Kind, "id", r.ID, "attempt", r.Attempt, "max_attempts", r.MaxAttempts,
			"duration", time.Since(start), "error", err)
	}
	switch o.verdict {
	case retry:
		w.settle(octx, r, "retry", func(ctx context.Context) error { return w.store.Retry(ctx, r, o.at, o.errText) })
	case kill:
		w.settle(octx, r, "kill", func(ctx context.Context) error { return w.store.Kill(ctx, r, o.errText, w.c.Now()) })
	case drop:
		w.settle(octx, r, "discard", func(ctx context.Context) error { return w.store.Complete(ctx, r, w.c.Now()) })
	}
}

func (w *Worker) forget(rs ...*Record) {
	w.mu.Lock()
	for _, r := range rs {
		delete(w.running, r.ID)
	}
	w.mu.Unlock()
}

// complete records successes in batches: whatever finished while the
// previous batch was written goes in the next one (River's batch completer).
func (w *Worker) complete(bc batchCompleter) {
	ctx := context.Background()
	batch := make([]*Record, 0, w.cfg.Concurrency) // at most 3×Concurrency successes are unrecorded at once
	for r := range w.completions {
		batch = append(batch[:0], r)
	fill:
		for len(batch) < cap(batch) {
			select {
			case r, ok := <-w.completions:
				if !ok {
					break fill
				}
				batch = append(batch, r)
			default:
				break fill
			}
		}
		octx, cancel := context.WithTimeout(ctx, 10*time.Second)
		w.settle(octx, batch[0], "complete", func(ctx context.Context) error { return bc.CompleteMany(ctx, batch, w.c.Now()) })
		cancel()
		w.forget(batch...)
	}
}

// settle records an outcome, retrying a few times; if the store stays
// unreachable the lease expires and the job runs again (at least once).
func (w *Worker) settle(ctx context.Context, r *Record, what string, fn func(context.Context) error) {
	var err error
	for i := range 5 {
		if err = fn(ctx); err == nil {
			return
		}
		select {
		case <-time.After(time.Duration(i+1) * 100 * time.Millisecond):
		case <-ctx.Done():
			i = 5
		}
	}
	w.log.Error("could not record job outcome; it will run again after its lease expires", "op", what, "kind", r.Kind, "id", r.ID, "error", err)
}

// maintain heartbeats this worker's leases and rescues expired ones.
func (w *Worker) maintain(ctx context.Context) {
	beat := time.NewTicker(w.cfg.Lease / 3)
	defer beat.Stop()
	cron := time.NewTicker(time.Second)
	defer cron.Stop()
	w.rescue(ctx)
	w.recur(ctx)
	for {
		select {
		case <-ctx.Done():
			return
		case <-cron.C:
			w.recur(ctx)
		case <-beat.C:
			now := w.c.Now()
			if err := w.store.Heartbeat(ctx, w.cfg.ID, now, now.Add(w.cfg.Lease)); err != nil && ctx.Err() == nil {
				w.log.Error("heartbeat failed", "error", err)
			}
			w.rescue(ctx)
		}
	}
}

// recur enqueues the recurring jobs whose slots came.
func (w *Worker) recur(ctx context.Context) {
	w.sched.tick(ctx, w.c.Now(), func(r Recurring, err error) {
		if ctx.Err() == nil {
			w.log.Error("recurring job not enqueued", "name", r.Name, "error", err)
		}
	})
}

func (w *Worker) rescue(ctx context.Context) {
	if w.cfg.RescueLocalDead {
		w.rescueLocalDead(ctx)
	}
	n, err := w.store.Rescue(ctx, w.c.Now())
	switch {
	case err != nil && ctx.Err() == nil:
		w.log.Error("rescue failed", "error", err)
	case n > 0:
		w.log.Warn("rescued jobs of a lost worker", "count", n)
	}
}

// rescueLocalDead hands back the jobs of this host's workers whose
// process is gone (RescueLocalDead).
func (w *Worker) rescueLocalDead(ctx context.Context) {
	wr, ok := w.store.(WorkerRescuer)
	if !ok {
		return
	}
	ids, err := wr.LeaseHolders(ctx)
	if err != nil {
		if ctx.Err() == nil {
			w.log.Error("rescue of local dead workers failed", "error", err)
		}
		return
	}
	host := WorkerPrefix(0)
	host = host[:len(host)-2] // "host:"
	seen := map[int]bool{os.Getpid(): true}
	for _, id := range ids {
		rest, ok := strings.CutPrefix(id, host)
		if !ok {
			continue
		}
		digits, _, ok := strings.Cut(rest, ":")
		pid, err := strconv.Atoi(digits)
		if !ok || err != nil || pid <= 0 || seen[pid] {
			continue
		}
		seen[pid] = true
		if processExists(pid) {
			continue
		}
		n, err := wr.RescueWorker(ctx, WorkerPrefix(pid), w.c.Now())
		switch {
		case err != nil && ctx.Err() == nil:
			w.log.Error("rescue of a local dead worker failed", "pid", pid, "error", err)
		case n > 0:
			w.log.Warn("handed back the jobs of a worker process that is gone", "pid", pid, "count", n)
		}
	}
}

func (w *Worker) runningCount() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.running)
}

// Stats reports the backend's counts; for `jobs:stats`.
func (c *Client) Stats(ctx context.Context) (Stats, error) {
	s, ok := c.backend.(Store)
	if !ok {
		return Stats{}, fmt.Errorf("%w: %T", ErrNotDrainable, c.backend)
	}
	return s.Stats(ctx, c.Now())
}
