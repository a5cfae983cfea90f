package job

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/gorails/gorails/framework/job"
	"github.com/gorails/gorails/framework/record"
	"github.com/gorails/gorails/framework/record/postgres"
	"github.com/gorails/gorails/internal/testenv"
)

// Both systems run with the same executors, pool size and poll interval.
const (
	executors = 50
	poolSize  = 20
	poll      = 100 * time.Millisecond
)

type noopArgs struct {
	N int `json:"n"`
}

func (noopArgs) Kind() string { return "noop" }

// gorails side.

type noopJob struct{ done *atomic.Int64 }

func (noopJob) Kind() string { return "noop" }

func (j noopJob) Perform(context.Context, noopArgs) error {
	if j.done != nil {
		j.done.Add(1)
	}
	return nil
}

func gorailsClient(b *testing.B, done *atomic.Int64) (*job.Client, *job.Def[noopArgs], *record.DB) {
	b.Helper()
	ctx := context.Background()
	db, err := record.Open(ctx, postgres.Driver{}, record.Config{URL: testenv.PostgresDB(b, "job_bench_gorails"), Pool: poolSize})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if err := job.CreateTables(ctx, db); err != nil {
		b.Fatal(err)
	}
	c := job.New(job.Config{Backend: job.Database(db)})
	return c, job.Register(c, noopJob{done: done}), db
}

// river side.

type riverNoop struct {
	river.WorkerDefaults[noopArgs]
	done *atomic.Int64
}

func (w *riverNoop) Work(context.Context, *river.Job[noopArgs]) error {
	w.done.Add(1)
	return nil
}

func riverClient(b *testing.B, done *atomic.Int64) *river.Client[pgx.Tx] {
	b.Helper()
	ctx := context.Background()
	cfg, err := pgxpool.ParseConfig(testenv.PostgresDB(b, "job_bench_river"))
	if err != nil {
		b.Fatal(err)
	}
	cfg.MaxConns = poolSize
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pool.Close)
	m, err := rivermigrate.New(riverpgxv5.New(pool), nil)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		b.Fatal(err)
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, &riverNoop{done: done})
	c, err := river.NewClient(riverpgxv5.New(pool), &river.Config{
		Queues:            map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: executors}},
		Workers:           workers,
		FetchCooldown:     time.Millisecond, // as gorails: fetch again as soon as executors free up
		FetchPollInterval: poll,
	})
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// BenchmarkEnqueue inserts one job per operation, outside a transaction.
func BenchmarkEnqueue(b *testing.B) {
	ctx := context.Background()
	b.Run("gorails", func(b *testing.B) {
		_, def, _ := gorailsClient(b, nil)
		b.ResetTimer()
		for i := range b.N {
			if _, err := def.PerformLater(ctx, noopArgs{N: i}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "jobs/s")
	})
	b.Run("river", func(b *testing.B) {
		c := riverClient(b, new(atomic.Int64))
		b.ResetTimer()
		for i := range b.N {
			if _, err := c.Insert(ctx, noopArgs{N: i}, nil); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "jobs/s")
	})
}

// BenchmarkProcess drains a backlog of b.N no-op jobs.
func BenchmarkProcess(b *testing.B) {
	ctx := context.Background()
	wait := func(b *testing.B, done *atomic.Int64) {
		deadline := time.Now().Add(5 * time.Minute)
		for done.Load() < int64(b.N) {
			if time.Now().After(deadline) {
				b.Fatalf("only %d of %d jobs ran", done.Load(), b.N)
			}
			time.Sleep(time.Millisecond)
		}
	}
	b.Run("gorails", func(b *testing.B) {
		var done atomic.Int64
		c, def, db := gorailsClient(b, &done)
		err := record.Transaction(ctx, db, func(tx *record.Tx) error {
			for i := range b.N {
				if _, err := def.PerformLaterTx(ctx, tx, noopArgs{N: i}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		w, err := job.NewWorker(c, job.WorkerConfig{Concurrency: executors, PollInterval: poll})
		if err != nil {
			b.Fatal(err)
		}
		wctx, cancel := context.WithCancel(ctx)
		stopped := make(chan error, 1)
		b.ResetTimer()
		go func() { stopped <- w.Run(wctx) }()
		wait(b, &done)
		b.StopTimer()
		cancel()
		if err := <-stopped; err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "jobs/s")
	})
	b.Run("river", func(b *testing.B) {
		var done atomic.Int64
		c := riverClient(b, &done)
		params := make([]river.InsertManyParams, 0, 1000)
		for i := 0; i < b.N; i += 1000 {
			params = params[:0]
			for j := i; j < min(i+1000, b.N); j++ {
				params = append(params, river.InsertManyParams{Args: noopArgs{N: j}})
			}
			if _, err := c.InsertMany(ctx, params); err != nil {
				b.Fatal(err)
			}
		}
		b.ResetTimer()
		if err := c.Start(ctx); err != nil {
			b.Fatal(err)
		}
		wait(b, &done)
		b.StopTimer()
		if err := c.Stop(ctx); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "jobs/s")
	})
}
