// Command crashworker is the job worker process the crash tests of
// framework/job start, kill -9 and restart. Each job records its run and,
// idempotently, its success, in PostgreSQL tables or Redis keys.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gorails/gorails/framework/job"
	"github.com/gorails/gorails/framework/record"
	"github.com/gorails/gorails/framework/record/postgres"
)

// Args are the crash job's arguments.
type Args struct {
	N int `json:"n"`
}

// pgJob records its runs and successes in PostgreSQL.
type pgJob struct{ db *record.DB }

func (pgJob) Kind() string { return "crash" }

func (j pgJob) Perform(ctx context.Context, a Args) error {
	time.Sleep(time.Millisecond) // widen the window a kill can hit
	return record.Transaction(ctx, j.db, func(tx *record.Tx) error {
		if _, err := tx.Exec(ctx, "INSERT INTO crash_runs (n) VALUES (?)", a.N); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "INSERT INTO crash_done (n) VALUES (?) ON CONFLICT DO NOTHING", a.N)
		return err
	})
}

// redisJob records its runs and successes in Redis.
type redisJob struct {
	rdb    *redis.Client
	prefix string
}

func (redisJob) Kind() string { return "crash" }

func (j redisJob) Perform(ctx context.Context, a Args) error {
	time.Sleep(time.Millisecond)
	n := strconv.Itoa(a.N)
	_, err := j.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HIncrBy(ctx, j.prefix+":test:runs", n, 1)
		p.SAdd(ctx, j.prefix+":test:done", n)
		return nil
	})
	return err
}

func main() {
	var (
		backend     = flag.String("backend", "postgres", "postgres or redis")
		url         = flag.String("url", "", "PostgreSQL URL or Redis address")
		prefix      = flag.String("prefix", "", "Redis key prefix")
		concurrency = flag.Int("concurrency", 8, "executors")
		lease       = flag.Duration("lease", 2*time.Second, "job lease")
	)
	flag.Parse()
	if err := run(*backend, *url, *prefix, *concurrency, *lease); err != nil {
		fmt.Fprintln(os.Stderr, "crashworker:", err)
		os.Exit(1)
	}
}

func run(backend, url, prefix string, concurrency int, lease time.Duration) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	var c *job.Client
	switch backend {
	case "postgres":
		db, err := record.Open(ctx, postgres.Driver{}, record.Config{URL: url, Pool: concurrency + 2})
		if err != nil {
			return err
		}
		defer db.Close()
		c = job.New(job.Config{Backend: job.Database(db), Logger: log})
		job.Register(c, pgJob{db: db})
	case "redis":
		rdb := redis.NewClient(&redis.Options{Addr: url})
		defer rdb.Close()
		c = job.New(job.Config{Backend: job.Redis(rdb, prefix), Logger: log})
		job.Register(c, redisJob{rdb: rdb, prefix: prefix})
	default:
		return fmt.Errorf("unknown backend %q", backend)
	}
	w, err := job.NewWorker(c, job.WorkerConfig{Concurrency: concurrency, PollInterval: 20 * time.Millisecond, Lease: lease, ShutdownTimeout: 5 * time.Second})
	if err != nil {
		return err
	}
	fmt.Println("ready")
	return w.Run(ctx)
}
