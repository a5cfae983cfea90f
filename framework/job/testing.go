package job

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/gorails/gorails/framework/event"
)

// TestBackend is the test environment's backend (Rails' test adapter). A
// job enqueued under a context that carries a Recorder is kept by it, for
// the test to inspect (Recorder.Enqueued) and run (Recorder.Perform); any
// other job runs inline, at once, as InlineBackend runs it. The testing kit
// (framework/gorailstest) gives each test a Recorder and puts it in the
// context of every request it makes, so tests running in parallel on one
// app each see their own jobs.
//
// A job enqueued with PerformLaterTx reaches the backend after its
// transaction commits (nothing when it rolls back), as on every backend
// outside the database: under a test transaction (record.BeginTest), when
// the code's own transaction commits.
type TestBackend struct {
	inline InlineBackend
}

// Test returns the test backend.
func Test() *TestBackend { return &TestBackend{} }

func (b *TestBackend) bind(c *Client) { b.inline.bind(c) }

// Enqueue keeps r in ctx's Recorder, or runs it inline when ctx has none.
func (b *TestBackend) Enqueue(ctx context.Context, r *Record) error {
	if rec := RecorderFrom(ctx); rec != nil {
		rec.add(r)
		return nil
	}
	return b.inline.Enqueue(ctx, r)
}

// Recorder keeps the jobs enqueued under its context on a TestBackend. It
// is safe for concurrent use.
type Recorder struct {
	mu        sync.Mutex
	enqueued  []*Record
	performed []*Record
	seq       int64
}

// NewRecorder returns an empty Recorder.
func NewRecorder() *Recorder { return &Recorder{} }

type recorderKey struct{}

// Context returns a context under which jobs enqueued on a TestBackend are
// kept by r.
func (r *Recorder) Context(parent context.Context) context.Context {
	return context.WithValue(parent, recorderKey{}, r)
}

// RecorderFrom returns the Recorder of ctx, or nil.
func RecorderFrom(ctx context.Context) *Recorder {
	r, _ := ctx.Value(recorderKey{}).(*Recorder)
	return r
}

func (r *Recorder) add(j *Record) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seq++
	j.ID = r.seq
	r.enqueued = append(r.enqueued, j)
}

// Enqueued returns copies of the jobs enqueued and not yet performed, in
// the order they were enqueued.
func (r *Recorder) Enqueued() []Record { return r.copies(&r.enqueued) }

// Performed returns copies of the jobs Perform ran (failed ones included),
// in the order they ran.
func (r *Recorder) Performed() []Record { return r.copies(&r.performed) }

func (r *Recorder) copies(list *[]*Record) []Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Record, len(*list))
	for i, j := range *list {
		out[i] = *j
	}
	return out
}

// Clear forgets the enqueued and performed jobs.
func (r *Recorder) Clear() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.enqueued, r.performed = nil, nil
}

// ErrNoRecorder is returned by Perform when the client's backend is not a
// TestBackend.
var ErrNoRecorder = errors.New("job: the client's backend is not the test backend (job.Test())")

// Perform runs, on c, the enqueued jobs due at until (RunAt not after it),
// in the order they were enqueued, and then the jobs those enqueue, until
// none is due. Each runs once with ctx (carrying r, so the jobs it
// enqueues are kept too), without retries; the failures are returned
// joined, naming each job. It returns the number of jobs run.
func (r *Recorder) Perform(ctx context.Context, c *Client, until time.Time) (int, error) {
	if _, ok := c.Backend().(*TestBackend); !ok {
		return 0, ErrNoRecorder
	}
	ctx = r.Context(ctx)
	var errs []error
	n := 0
	for {
		j := r.next(until)
		if j == nil {
			return n, errors.Join(errs...)
		}
		n++
		j.Attempt++
		a, err := c.execute(ctx, j)
		o := event.Performed
		if err != nil {
			o = event.Died // performed once, as inline: no retry in a test
		}
		c.finish(a, j, o, time.Time{}, err)
		if err != nil {
			j.LastError = err.Error()
			errs = append(errs, fmt.Errorf("job %s %s: %w", j.Kind, j.Args, err))
		}
		r.mu.Lock()
		r.performed = append(r.performed, j)
		r.mu.Unlock()
	}
}

// next takes the first job due at until off the enqueued list.
func (r *Recorder) next(until time.Time) *Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	i := slices.IndexFunc(r.enqueued, func(j *Record) bool { return !j.RunAt.After(until) })
	if i < 0 {
		return nil
	}
	j := r.enqueued[i]
	r.enqueued = slices.Delete(r.enqueued, i, i+1)
	return j
}
