package job

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/gorails/gorails/framework/event"
	"github.com/gorails/gorails/framework/record"
)

// Job is a job type: a Go value whose Perform does the work for typed
// arguments A, which travel as JSON. The value given to Register is shared
// by every run, so Perform must be safe for concurrent use (keep
// dependencies in it, per-run state in locals).
type Job[A any] interface {
	Perform(ctx context.Context, args A) error
}

// Kinder lets a job type name its kind, the stable name stored with each
// job. Without it the kind is the job type's Go name ("WelcomeJob").
// Renaming a kind orphans jobs already stored under the old name.
type Kinder interface{ Kind() string }

// Config configures a Client. The zero value works: jobs run inline.
type Config struct {
	// Backend stores or runs jobs; nil means Inline().
	Backend Backend
	// Logger receives job failures and worker events; nil discards.
	Logger *slog.Logger
	// Now is the clock (UTC is applied); nil means time.Now. Tests inject one.
	Now func() time.Time
	// Events, when set, receives EnqueueJob, PerformStart and PerformJob,
	// and carries the enqueuing context's request id (and what its
	// carriers add) into the context each job runs with. With Events set,
	// job outcomes are logged by its subscribers, not on Logger.
	Events *event.Bus
}

// Client is an app's job system: its registered kinds and its backend.
// Apps create one at boot (no global registry). It is safe for concurrent
// use; Register is meant for boot but is safe at any time.
type Client struct {
	backend Backend
	events  *event.Bus
	log     *slog.Logger
	now     func() time.Time

	mu     sync.RWMutex
	kinds  map[string]*kind
	byArgs map[reflect.Type]any // *Def[A] by A; ambiguousArgs when two kinds share A
}

// ambiguousArgs marks an argument type that more than one kind takes.
type ambiguousArgs []string

// kind is one registered job type, erased to JSON arguments.
type kind struct {
	name string
	opts Options
	run  func(ctx context.Context, args json.RawMessage) error
}

// binder is implemented by backends that run jobs themselves.
type binder interface{ bind(c *Client) }

// New returns a Client. It does no I/O.
func New(cfg Config) *Client {
	c := &Client{backend: cfg.Backend, events: cfg.Events, log: cfg.Logger, now: cfg.Now, kinds: map[string]*kind{}, byArgs: map[reflect.Type]any{}}
	if c.backend == nil {
		c.backend = Inline()
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if c.now == nil {
		c.now = time.Now
	}
	if b, ok := c.backend.(binder); ok {
		b.bind(c)
	}
	return c
}

// Backend returns the client's backend.
func (c *Client) Backend() Backend { return c.backend }

// Now returns the client's clock reading in UTC, at microsecond precision.
func (c *Client) Now() time.Time { return c.now().UTC().Truncate(time.Microsecond) }

// Kinds lists the registered kind names.
func (c *Client) Kinds() []string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	out := make([]string, 0, len(c.kinds))
	for k := range c.kinds {
		out = append(out, k)
	}
	return out
}

// Def is a registered job kind: enqueue it with PerformLater and friends.
// Safe for concurrent use.
type Def[A any] struct {
	c    *Client
	k    *kind
	impl Job[A]
	err  error // For found no single kind for A: every call returns it
}

// Register adds job type J with arguments A to c and returns its handle.
// opts set the kind's defaults (queue, attempts, retry and discard rules).
// It panics if the kind is already registered on c, as http.ServeMux does
// for a duplicate pattern: that is a boot-time programming error.
func Register[A any](c *Client, j Job[A], opts ...Option) *Def[A] {
	var o Options
	for _, opt := range opts {
		opt(&o)
	}
	name := kindName(j)
	k := &kind{name: name, opts: o.withDefaults()}
	k.run = func(ctx context.Context, raw json.RawMessage) error {
		args, err := decodeArgs[A](name, raw)
		if err != nil {
			return err
		}
		return j.Perform(ctx, args)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, dup := c.kinds[name]; dup {
		panic("job: kind " + name + " registered twice")
	}
	c.kinds[name] = k
	d := &Def[A]{c: c, k: k, impl: j}
	at := reflect.TypeFor[A]()
	switch prev := c.byArgs[at].(type) {
	case nil:
		c.byArgs[at] = d
	case ambiguousArgs:
		c.byArgs[at] = append(prev, name)
	case interface{ Kind() string }:
		c.byArgs[at] = ambiguousArgs{prev.Kind(), name}
	}
	return d
}

// For returns the Def registered on c for argument type A, so code that has
// the app's Client but not the Def returned by Register (a controller, a
// model callback) can enqueue: job.For[WelcomeArgs](c).PerformLater(ctx, args).
// Give each job its own argument type: when no kind, or more than one,
// takes A, every call of the returned Def fails with ErrNotRegistered,
// which names A. The lookup is a map read; keep the Def when you can.
func For[A any](c *Client) *Def[A] {
	at := reflect.TypeFor[A]()
	c.mu.RLock()
	v := c.byArgs[at]
	c.mu.RUnlock()
	switch v := v.(type) {
	case *Def[A]:
		return v
	case ambiguousArgs:
		return &Def[A]{c: c, err: fmt.Errorf("%w: kinds %s all take %v; enqueue through the Def that Register returned", ErrNotRegistered, strings.Join(v, ", "), at)}
	default:
		return &Def[A]{c: c, err: fmt.Errorf("%w: no job kind takes %v; register its job on this client at boot", ErrNotRegistered, at)}
	}
}

func kindName(j any) string {
	if k, ok := j.(Kinder); ok {
		return k.Kind()
	}
	t := reflect.TypeOf(j)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Name()
}

// Kind returns the kind's stored name.
func (d *Def[A]) Kind() string {
	if d.err != nil {
		return ""
	}
	return d.k.name
}

// PerformLater enqueues a run of the job with args as soon as possible and
// returns its ID (0 on backends without IDs). It is not part of any
// database transaction: use PerformLaterTx for that. It returns
// ErrDuplicate for a unique job already held.
func (d *Def[A]) PerformLater(ctx context.Context, args A, opts ...Option) (int64, error) {
	return d.enqueue(ctx, nil, time.Time{}, args, opts)
}

// PerformAt enqueues the job to run at t (or later).
func (d *Def[A]) PerformAt(ctx context.Context, t time.Time, args A, opts ...Option) (int64, error) {
	return d.enqueue(ctx, nil, t, args, opts)
}

// PerformIn enqueues the job to run after delay.
func (d *Def[A]) PerformIn(ctx context.Context, delay time.Duration, args A, opts ...Option) (int64, error) {
	return d.enqueue(ctx, nil, d.c.Now().Add(delay), args, opts)
}

// PerformLaterTx enqueues the job as part of the record transaction tx (as
// River's InsertTx): it happens only if tx commits. The Database backend
// writes the job in tx itself, so it exists exactly when tx's work does
// (tx must be on the backend's database) and its ID is returned. Other
// backends enqueue once tx has committed (Inline runs the job then, as
// the test environment wants), nothing if it rolls back; their ID is 0 and
// a failure after the commit is logged, since the call has returned.
func (d *Def[A]) PerformLaterTx(ctx context.Context, tx *record.Tx, args A, opts ...Option) (int64, error) {
	if tx == nil && d.err == nil {
		return 0, ErrNoTransaction
	}
	return d.enqueue(ctx, tx, time.Time{}, args, opts)
}

// PerformAtTx is PerformAt as part of the transaction tx; see PerformLaterTx.
func (d *Def[A]) PerformAtTx(ctx context.Context, tx *record.Tx, t time.Time, args A, opts ...Option) (int64, error) {
	if tx == nil && d.err == nil {
		return 0, ErrNoTransaction
	}
	return d.enqueue(ctx, tx, t, args, opts)
}

// PerformNow runs the job at once in the calling goroutine, with its
// Timeout, no backend and no retry; a panic is returned as *PanicError.
func (d *Def[A]) PerformNow(ctx context.Context, args A) error {
	if d.err != nil {
		return d.err
	}
	ctx = context.WithValue(ctx, runKey{}, (*running)(nil)) // not the job that calls it: CompleteTx does nothing
	return d.c.protect(ctx, d.k.opts.Timeout, func(ctx context.Context) error { return d.impl.Perform(ctx, args) })
}

// enqueue builds the job's Record and hands it to the backend, in tx when
// tx is not nil (see PerformLaterTx).
func (d *Def[A]) enqueue(ctx context.Context, tx *record.Tx, at time.Time, args A, opts []Option) (int64, error) {
	if d.err != nil {
		return 0, d.err
	}
	raw, err := json.Marshal(args)
	if err != nil {
		return 0, fmt.Errorf("job %s: encode arguments: %w", d.k.name, err)
	}
	o := d.k.opts
	for _, opt := range opts {
		opt(&o)
	}
	o = o.withDefaults()
	now := d.c.Now()
	if at.IsZero() || at.Before(now) {
		at = now
	}
	r := &Record{
		Kind: d.k.name, Queue: o.Queue, Args: raw, Priority: o.Priority,
		MaxAttempts: o.MaxAttempts, Timeout: o.Timeout, RunAt: at.UTC().Truncate(time.Microsecond),
		CreatedAt: now, State: Available, Meta: d.c.events.Inject(ctx),
	}
	if o.UniqueFor > 0 || o.UniqueWhileActive {
		sum := sha256.Sum256(append([]byte(d.k.name+"\x00"), raw...))
		if o.key != "" {
			sum = sha256.Sum256([]byte(d.k.name + "\x00key\x00" + o.key))
		}
		r.UniqueKey = "p" + hex.EncodeToString(sum[:16])
		if o.UniqueWhileActive {
			r.UniqueKey = "a" + r.UniqueKey[1:] // held until it finishes, and its period
		}
		if o.UniqueFor > 0 {
			r.UniqueUntil = now.Add(o.UniqueFor)
		}
	}
	var start time.Time
	bus := d.c.events
	if bus.Enabled(event.KindEnqueueJob) {
		start = time.Now()
	}
	err = d.c.store(ctx, tx, r)
	if bus.Enabled(event.KindEnqueueJob) && !start.IsZero() {
		e := &event.EnqueueJob{Job: r.Kind, Queue: r.Queue, ID: r.ID, Backend: d.c.BackendName(), Start: start, Duration: time.Since(start), Err: err}
		if r.RunAt.After(now) {
			e.RunAt = r.RunAt
		}
		bus.Emit(ctx, e)
	}
	if err != nil {
		return 0, fmt.Errorf("job %s: enqueue: %w", d.k.name, err)
	}
	return r.ID, nil
}

// store gives r to the backend: now, in tx (a TxBackend), or once tx has
// committed (any other backend).
func (c *Client) store(ctx context.Context, tx *record.Tx, r *Record) error {
	if tx == nil {
		return c.backend.Enqueue(ctx, r)
	}
	if tb, ok := c.backend.(TxBackend); ok {
		return tb.EnqueueTx(ctx, tx, r)
	}
	record.AfterCommit(ctx, tx, func(ctx context.Context) {
		if err := c.backend.Enqueue(ctx, r); err != nil {
			c.log.Error("job handed to the backend after the commit failed", "kind", r.Kind, "error", err)
		}
	})
	return nil
}

// kindOf returns a registered kind.
func (c *Client) kindOf(name string) (*kind, error) {
	c.mu.RLock()
	k := c.kinds[name]
	c.mu.RUnlock()
	if k == nil {
		return nil, fmt.Errorf("%w: %q", ErrUnknownKind, name)
	}
	return k, nil
}

// execute runs one attempt of r: decode, Perform with r's timeout, and a
// recovered panic as *PanicError. The job runs with what r.Meta carries
// (the enqueuing request's id); PerformStart is reported first. It
// returns the attempt, for finish.
func (c *Client) execute(ctx context.Context, r *Record) (attempt, error) {
	ctx = c.events.Extract(ctx, r.Meta)
	a := attempt{ctx: ctx}
	if bus := c.events; bus.Enabled(event.KindPerformStart) || bus.Enabled(event.KindPerformJob) || bus.Wrapped() {
		a.ctx = bus.Start(ctx, &event.PerformStart{Job: r.Kind, Queue: r.Queue, ID: r.ID, Backend: c.BackendName(), Attempt: r.Attempt, EnqueuedAt: r.CreatedAt})
		a.start = time.Now()
	}
	if r.bad != nil {
		return a, r.bad
	}
	k, err := c.kindOf(r.Kind)
	if err != nil {
		return a, err
	}
	timeout := r.Timeout
	if timeout == 0 {
		timeout = k.opts.Timeout
	}
	return a, c.protect(a.ctx, timeout, func(ctx context.Context) error { return k.run(ctx, r.Args) })
}

// attempt is one run of a job, between execute and finish.
type attempt struct {
	ctx   context.Context // the job's: request id, trace span
	start time.Time       // zero when nothing is instrumented
}

// finish reports the end of an attempt (PerformJob) with what became of it.
func (c *Client) finish(a attempt, r *Record, o event.Outcome, retryAt time.Time, err error) {
	if a.start.IsZero() || !c.events.Enabled(event.KindPerformJob) {
		return
	}
	c.events.Emit(a.ctx, &event.PerformJob{
		Job: r.Kind, Queue: r.Queue, ID: r.ID, Backend: c.BackendName(), Attempt: r.Attempt, MaxAttempts: r.MaxAttempts,
		Outcome: o, RetryAt: retryAt, Start: a.start, Duration: time.Since(a.start), Err: err,
	})
}

// outcomeOf is the event's name for a verdict.
func outcomeOf(v verdict) event.Outcome {
	switch v {
	case retry:
		return event.Retried
	case drop:
		return event.Discarded
	}
	return event.Died
}

// BackendName names the client's backend for logs: "inline", "async",
// "database", "redis", "test", or the Go type of another.
func (c *Client) BackendName() string {
	switch c.backend.(type) {
	case *InlineBackend:
		return "inline"
	case *AsyncBackend:
		return "async"
	case *DatabaseBackend:
		return "database"
	case *RedisBackend:
		return "redis"
	case *TestBackend:
		return "test"
	}
	return fmt.Sprintf("%T", c.backend)
}

// protect runs fn with an optional timeout and turns a panic into an error.
func (c *Client) protect(ctx context.Context, timeout time.Duration, fn func(context.Context) error) (err error) {
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	defer func() {
		if p := recover(); p != nil {
			err = &PanicError{Value: p, Stack: string(debug.Stack())}
		}
	}()
	return fn(ctx)
}

// outcome is what follows a finished attempt.
type outcome struct {
	verdict verdict
	at      time.Time // retry time
	errText string
}

// judge decides what follows an attempt of r that failed with err.
func (c *Client) judge(r *Record, err error) outcome {
	o := outcome{verdict: kill, errText: err.Error()}
	if len(o.errText) > 8<<10 {
		o.errText = o.errText[:8<<10]
	}
	k, kerr := c.kindOf(r.Kind)
	if kerr != nil || errors.Is(err, ErrBadPayload) {
		return o // retrying cannot help: keep it dead, with the reason
	}
	opts := k.opts
	opts.MaxAttempts = r.MaxAttempts
	o.verdict = opts.judge(r.Attempt, err)
	if o.verdict == retry {
		o.at = c.Now().Add(opts.backoff(r.Attempt))
	}
	return o
}
