package record

import (
	"context"
	"errors"
	"fmt"
	"net"

	"github.com/gorails/gorails/framework/record/driver"
)

// Sentinel errors. Match them with errors.Is; they are the same on every
// adapter. Database errors are returned as *Error, which wraps both the
// sentinel and the driver's own error (errors.As(err, &pgErr) still works).
var (
	// ErrNotFound: a finder (Find, FindBy, First, Last, Take, Reload) found no row.
	ErrNotFound = errors.New("record not found")
	// ErrUniqueViolation: a unique index or primary key rejected the row.
	ErrUniqueViolation = errors.New("unique constraint violated")
	// ErrNotNullViolation: a NOT NULL column received NULL.
	ErrNotNullViolation = errors.New("not-null constraint violated")
	// ErrForeignKeyViolation: a foreign key rejected the row or the delete.
	ErrForeignKeyViolation = errors.New("foreign key constraint violated")
	// ErrCheckViolation: a CHECK constraint rejected the row.
	ErrCheckViolation = errors.New("check constraint violated")
	// ErrDeadlock: a deadlock, serialization failure or busy database; the
	// whole transaction may be retried.
	ErrDeadlock = errors.New("deadlock or serialization failure")
	// ErrDeadlockDetected: a deadlock the server detected and broke
	// (MySQL's 1213, PostgreSQL's 40P01); it is also ErrDeadlock. Unlike a
	// lock timeout, running the transaction again at once succeeds.
	ErrDeadlockDetected = fmt.Errorf("%w (deadlock detected)", ErrDeadlock)
	// ErrStaleObject: optimistic locking found that lock_version changed
	// since the record was loaded (or the row is gone).
	ErrStaleObject = errors.New("stale object: the record was changed or deleted by someone else")
	// ErrPoolExhausted: no connection became free within Config.CheckoutTimeout.
	ErrPoolExhausted = errors.New("connection pool exhausted")
	// ErrUnavailable: the database server could not be reached.
	ErrUnavailable = errors.New("database unavailable")
	// ErrInvalid: validations failed; the error is a *ValidationError.
	ErrInvalid = errors.New("record invalid")
	// ErrHalted: a before callback returned an error; it is wrapped too.
	ErrHalted = errors.New("callback halted the operation")
	// ErrNotPersisted: the operation needs a record that was saved (and not destroyed).
	ErrNotPersisted = errors.New("record is not persisted")
	// ErrSchema: a model does not match its table (see Register).
	ErrSchema = errors.New("model does not match the database schema")
	// ErrTxDone: a statement (or Commit, or Rollback) used a transaction
	// that was already committed or rolled back.
	ErrTxDone = errors.New("transaction has already been committed or rolled back")
	// ErrNoDriver: the configuration names an adapter whose driver the
	// program did not pass (and so did not link); see DriverFor.
	ErrNoDriver = errors.New("no driver for the adapter")
)

// Error is a failed database operation: Kind is one of the sentinels above
// (or nil when the failure has no portable meaning) and Err the driver's error.
type Error struct {
	Op   string // e.g. "insert posts", "query posts"
	Kind error
	Err  error
}

func (e *Error) Error() string {
	msg := "record: " + e.Op
	if e.Kind != nil {
		msg += ": " + e.Kind.Error()
	}
	return msg + ": " + e.Err.Error()
}

// Unwrap returns the sentinel and the driver error.
func (e *Error) Unwrap() []error {
	if e.Kind == nil {
		return []error{e.Err}
	}
	return []error{e.Kind, e.Err}
}

// wrapErr classifies err from the adapter. It returns nil for nil.
func (db *DB) wrapErr(op string, err error) error {
	if err == nil {
		return nil
	}
	var re *Error
	if errors.As(err, &re) {
		return err
	}
	return &Error{Op: op, Kind: db.kindOf(err), Err: err}
}

func (db *DB) kindOf(err error) error {
	switch db.drv.Classify(err) {
	case driver.KindUnique:
		return ErrUniqueViolation
	case driver.KindNotNull:
		return ErrNotNullViolation
	case driver.KindForeignKey:
		return ErrForeignKeyViolation
	case driver.KindCheck:
		return ErrCheckViolation
	case driver.KindDeadlock:
		return ErrDeadlock
	case driver.KindDeadlockDetected:
		return ErrDeadlockDetected
	case driver.KindUnavailable:
		return ErrUnavailable
	}
	if errors.Is(err, driver.ErrCheckoutTimeout) {
		return ErrPoolExhausted
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return nil
	}
	var ne *net.OpError
	if errors.As(err, &ne) {
		return ErrUnavailable
	}
	return nil
}
