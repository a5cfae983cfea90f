package job

import (
	"encoding/json"
	"time"
)

// State is where a stored job is in its life.
type State string

// Job states.
const (
	Available State = "available" // ready, scheduled (RunAt in the future) or waiting to retry
	Running   State = "running"   // claimed by a worker whose lease has not expired
	Completed State = "completed" // kept only while a UniqueFor period lasts
	Dead      State = "dead"      // failed MaxAttempts times or with a non-retryable error
)

// Record is one stored job: what backends persist and workers run. Times
// are UTC with microsecond precision.
type Record struct {
	ID          int64           `json:"id"`
	Kind        string          `json:"kind"`
	Queue       string          `json:"queue"`
	Args        json.RawMessage `json:"args"`
	Priority    int             `json:"priority,omitempty"`
	Attempt     int             `json:"attempt"` // attempts started, this one included once claimed
	MaxAttempts int             `json:"max_attempts"`
	Timeout     time.Duration   `json:"timeout,omitempty"`
	RunAt       time.Time       `json:"run_at"`
	CreatedAt   time.Time       `json:"created_at"`
	UniqueKey   string          `json:"unique_key,omitempty"`
	UniqueUntil time.Time       `json:"unique_until,omitzero"`
	LastError   string          `json:"last_error,omitempty"`
	State       State           `json:"state,omitempty"`
	// Meta is what the job takes along from the context that enqueued it
	// (event.Bus.Inject: the request id, a trace context), restored into
	// the context it runs with. The Database backend stores it in the meta
	// column (MetaMigration adds it to a table created without it).
	Meta   map[string]string `json:"meta,omitempty"`
	Worker string            `json:"-"`

	raw string // the Redis payload as claimed, to remove it from the in-flight list
	bad error  // the payload did not decode (ErrBadPayload): the worker fails the job with it
}

func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

func fromMicros(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}
