package job

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorails/gorails/framework/record"
)

// countJob counts its runs and signals each on done.
type countJob struct {
	runs *atomic.Int64
	done chan<- int
}

func (j countJob) Perform(_ context.Context, a echoArgs) error {
	j.runs.Add(1)
	j.done <- a.N
	return nil
}

// blockJob reports that it started, then waits for release or its ctx.
type blockJob struct {
	started chan<- struct{}
	release <-chan struct{}
}

func (j blockJob) Perform(ctx context.Context, _ echoArgs) error {
	j.started <- struct{}{}
	select {
	case <-j.release:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func runWorker(t *testing.T, c *Client, cfg WorkerConfig) (stop func() error) {
	t.Helper()
	w, err := NewWorker(c, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- w.Run(ctx) }()
	var once sync.Once
	var rerr error
	stop = func() error {
		once.Do(func() { cancel(); rerr = <-errc })
		return rerr
	}
	t.Cleanup(func() { _ = stop() })
	return stop
}

func TestWorker(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			fresh := b.setup(t)
			ctx := context.Background()

			t.Run("runs every job of weighted queues exactly once", func(t *testing.T) {
				s := fresh(t)
				c := New(Config{Backend: s})
				var runs atomic.Int64
				done := make(chan int, 100)
				def := Register(c, countJob{runs: &runs, done: done})
				const n = 60
				for i := range n {
					q := []string{"default", "mailers", "low"}[i%3]
					mustEnqueue(t)(def.PerformLater(ctx, echoArgs{N: i}, Queue(q)))
				}
				runWorker(t, c, WorkerConfig{Concurrency: 4, PollInterval: 10 * time.Millisecond,
					Queues: []QueueWeight{{"default", 3}, {"mailers", 2}, {"low", 1}}})
				seen := map[int]bool{}
				for len(seen) < n {
					select {
					case i := <-done:
						if seen[i] {
							t.Fatalf("job %d ran twice", i)
						}
						seen[i] = true
					case <-time.After(10 * time.Second):
						t.Fatalf("only %d of %d jobs ran", len(seen), n)
					}
				}
			})

			t.Run("shutdown waits for running jobs to finish", func(t *testing.T) {
				s := fresh(t)
				c := New(Config{Backend: s})
				started, release := make(chan struct{}, 4), make(chan struct{})
				def := Register(c, blockJob{started: started, release: release})
				for i := range 2 {
					mustEnqueue(t)(def.PerformLater(ctx, echoArgs{N: i}))
				}
				stop := runWorker(t, c, WorkerConfig{Concurrency: 2, PollInterval: 10 * time.Millisecond, ShutdownTimeout: 10 * time.Second})
				<-started
				<-started
				stopped := make(chan error)
				go func() { stopped <- stop() }()
				select {
				case <-stopped:
					t.Fatal("Run returned with jobs still running")
				case <-time.After(100 * time.Millisecond):
				}
				close(release)
				if err := <-stopped; err != nil {
					t.Fatal(err)
				}
				st, _ := s.Stats(ctx, c.Now())
				if st.Running+st.Ready[DefaultQueue]+st.Retrying != 0 {
					t.Fatalf("stats after shutdown %+v, want every job done", st)
				}
			})

			t.Run("shutdown past its deadline releases running jobs to the queue", func(t *testing.T) {
				s := fresh(t)
				c := New(Config{Backend: s})
				started := make(chan struct{}, 4)
				def := Register(c, blockJob{started: started, release: make(chan struct{})})
				mustEnqueue(t)(def.PerformLater(ctx, echoArgs{N: 1}))
				stop := runWorker(t, c, WorkerConfig{PollInterval: 10 * time.Millisecond, ShutdownTimeout: 50 * time.Millisecond})
				<-started
				if err := stop(); err != nil {
					t.Fatal(err)
				}
				now := c.Now()
				rs, err := s.Claim(ctx, "next", DefaultQueue, 10, now, now.Add(time.Minute))
				if err != nil || len(rs) != 1 || rs[0].Attempt != 1 {
					t.Fatalf("after shutdown claimed %+v, %v; want the released job at attempt 1", rs, err)
				}
			})
		})
	}
}

func TestNewWorkerNeedsAStore(t *testing.T) {
	for _, b := range []Backend{Inline(), Async(1)} {
		if _, err := NewWorker(New(Config{Backend: b}), WorkerConfig{}); !errors.Is(err, ErrNotDrainable) {
			t.Errorf("NewWorker(%T) = %v, want ErrNotDrainable", b, err)
		}
	}
	if _, err := NewWorker(New(Config{Backend: Redis(nil, "x")}), WorkerConfig{Queues: []QueueWeight{{Name: "a"}, {Name: "a"}}}); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("duplicate queues: %v, want ErrInvalidConfig", err)
	}
}

func TestTransactionalEnqueue(t *testing.T) {
	for _, adapter := range []string{record.SQLite, record.PostgreSQL, record.MySQL} {
		t.Run(adapter, func(t *testing.T) {
			t.Parallel()
			db := openDB(t, adapter, "job_tx")
			ctx := context.Background()
			c := New(Config{Backend: Database(db)})
			def := Register(c, echoJob{})
			count := func() int64 {
				var got int64
				if err := db.QueryRows(ctx, "SELECT COUNT(*) FROM "+Table, nil, func(scan func(...any) error) error { return scan(&got) }); err != nil {
					t.Fatal(err)
				}
				return got
			}
			errRollback := errors.New("roll back")
			err := record.Transaction(ctx, db, func(tx *record.Tx) error {
				if _, err := def.PerformLaterTx(ctx, tx, echoArgs{N: 1}); err != nil {
					return err
				}
				return errRollback
			})
			if !errors.Is(err, errRollback) {
				t.Fatal(err)
			}
			if n := count(); n != 0 {
				t.Fatalf("a rolled-back transaction left %d jobs", n)
			}
			var id int64
			err = record.Transaction(ctx, db, func(tx *record.Tx) error {
				var err error
				id, err = def.PerformLaterTx(ctx, tx, echoArgs{N: 2})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if n := count(); n != 1 || id == 0 {
				t.Fatalf("a committed transaction left %d jobs (id %d), want 1 with its id", n, id)
			}
			if _, err := def.PerformLaterTx(ctx, nil, echoArgs{N: 3}); !errors.Is(err, ErrNoTransaction) {
				t.Fatalf("PerformLaterTx without a transaction: %v, want ErrNoTransaction", err)
			}
			other := openDB(t, record.SQLite, "other_"+adapter)
			err = record.Transaction(ctx, other, func(tx *record.Tx) error {
				_, err := def.PerformLaterTx(ctx, tx, echoArgs{N: 4})
				return err
			})
			if !errors.Is(err, ErrNoTransaction) || count() != 1 {
				t.Fatalf("PerformLaterTx in a transaction on another database: %v, %d jobs; want ErrNoTransaction", err, count())
			}
		})
	}
}
