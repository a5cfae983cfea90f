package job

import (
	"errors"
	"time"
)

// Defaults used when neither Register nor the enqueue call sets an option.
const (
	DefaultQueue       = "default"
	DefaultMaxAttempts = 25
)

// Options are a job's settings. Register sets a kind's defaults; the
// options given to an enqueue call override them for that job.
type Options struct {
	Queue       string        // DefaultQueue when empty
	Priority    int           // lower runs first within a queue; 0 by default
	MaxAttempts int           // DefaultMaxAttempts when 0; 1 means no retry
	Timeout     time.Duration // per attempt, through the context; 0: none
	// UniqueFor > 0 refuses (ErrDuplicate) a job whose kind and arguments
	// match one enqueued less than UniqueFor ago, whatever its state.
	UniqueFor time.Duration
	// UniqueWhileActive refuses a job whose kind and arguments match one
	// that is queued, scheduled, retrying or running.
	UniqueWhileActive bool

	key       string // explicit uniqueness key (recurring slots)
	backoff   func(attempt int) time.Duration
	retryOn   []func(error) bool
	discardOn []func(error) bool
}

// Option changes Options.
type Option func(*Options)

// Queue puts the job on the named queue.
func Queue(name string) Option { return func(o *Options) { o.Queue = name } }

// Priority sets the job's priority: lower runs first within a queue.
func Priority(p int) Option { return func(o *Options) { o.Priority = p } }

// MaxAttempts sets how many times the job runs before it is dead.
func MaxAttempts(n int) Option { return func(o *Options) { o.MaxAttempts = n } }

// Timeout bounds each attempt: Perform's context is cancelled after d.
func Timeout(d time.Duration) Option { return func(o *Options) { o.Timeout = d } }

// UniqueFor makes the job unique by kind and arguments for d after enqueue.
func UniqueFor(d time.Duration) Option { return func(o *Options) { o.UniqueFor = d } }

// UniqueWhileActive makes the job unique by kind and arguments while it is
// queued or running.
func UniqueWhileActive() Option { return func(o *Options) { o.UniqueWhileActive = true } }

// slotKey makes a job unique by key instead of its arguments.
func slotKey(key string) Option { return func(o *Options) { o.key = key } }

// Backoff replaces DefaultBackoff for a kind (Register only).
func Backoff(f func(attempt int) time.Duration) Option {
	return func(o *Options) { o.backoff = f }
}

// RetryOn limits retries to errors matching one of targets (errors.Is);
// any other error sends the job to the dead set at once. Register only.
func RetryOn(targets ...error) Option {
	return func(o *Options) { o.retryOn = append(o.retryOn, isAny(targets)) }
}

// RetryOnType is RetryOn for an error type: errors.As(err, new(E)).
func RetryOnType[E error]() Option {
	return func(o *Options) { o.retryOn = append(o.retryOn, asType[E]) }
}

// DiscardOn drops the job (no retry, no dead set) when its error matches
// one of targets (errors.Is). Register only.
func DiscardOn(targets ...error) Option {
	return func(o *Options) { o.discardOn = append(o.discardOn, isAny(targets)) }
}

// DiscardOnType is DiscardOn for an error type: errors.As(err, new(E)).
func DiscardOnType[E error]() Option {
	return func(o *Options) { o.discardOn = append(o.discardOn, asType[E]) }
}

func isAny(targets []error) func(error) bool {
	return func(err error) bool {
		for _, t := range targets {
			if errors.Is(err, t) {
				return true
			}
		}
		return false
	}
}

func asType[E error](err error) bool {
	var e E
	return errors.As(err, &e)
}

func (o Options) withDefaults() Options {
	if o.Queue == "" {
		o.Queue = DefaultQueue
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = DefaultMaxAttempts
	}
	if o.backoff == nil {
		o.backoff = DefaultBackoff
	}
	return o
}

// verdict is what a failure leads to.
type verdict int

const (
	retry verdict = iota
	kill
	drop
)

// judge decides what becomes of a job whose attempt failed with err.
func (o *Options) judge(attempt int, err error) verdict {
	var d *discardError
	if errors.As(err, &d) {
		return drop
	}
	for _, m := range o.discardOn {
		if m(err) {
			return drop
		}
	}
	if len(o.retryOn) > 0 {
		ok := false
		for _, m := range o.retryOn {
			ok = ok || m(err)
		}
		if !ok {
			return kill
		}
	}
	if attempt >= o.MaxAttempts {
		return kill
	}
	return retry
}
