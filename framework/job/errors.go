package job

import (
	"errors"
	"fmt"
)

// Sentinel errors, matched with errors.Is.
var (
	// ErrDuplicate: a unique job with the same key is already queued or
	// running, or ran within its uniqueness period; nothing was enqueued.
	ErrDuplicate = errors.New("job: duplicate of a unique job")
	// ErrUnknownKind: a stored job names a kind no Register call added.
	ErrUnknownKind = errors.New("job: unknown job kind")
	// ErrNotRegistered: For found no job kind (or more than one) taking
	// the argument type.
	ErrNotRegistered = errors.New("job: no job registered for these arguments")
	// ErrNoTransaction: a ...Tx call got a nil transaction, or (Database
	// backend) a transaction on another database than the backend's.
	ErrNoTransaction = errors.New("job: no transaction of the job backend's database")
	// ErrNotDrainable: a Worker was given a backend that runs jobs itself
	// (Inline, Async) instead of one it can claim jobs from.
	ErrNotDrainable = errors.New("job: the backend has no queue a worker can drain")
	// ErrNotFound: no dead job has that ID (RetryDead, DiscardDead).
	ErrNotFound = errors.New("job: not found")
	// ErrInvalidConfig: a Config or WorkerConfig failed validation.
	ErrInvalidConfig = errors.New("job: invalid configuration")
)

// PanicError is the failure of a job whose Perform panicked: the worker
// recovers, records the value and the stack, and treats it as any other
// failure (retried, then dead). The worker goroutine never dies.
type PanicError struct {
	Value any
	Stack string
}

func (e *PanicError) Error() string { return fmt.Sprintf("job panicked: %v\n%s", e.Value, e.Stack) }

// discardError marks an error that drops the job without retrying.
type discardError struct{ err error }

func (e *discardError) Error() string { return "discard: " + e.err.Error() }
func (e *discardError) Unwrap() error { return e.err }

// Discard wraps err so that the job is dropped at once: not retried, not
// kept in the dead set. Return it from Perform when retrying cannot help.
func Discard(err error) error {
	if err == nil {
		err = errors.New("discarded")
	}
	return &discardError{err: err}
}
