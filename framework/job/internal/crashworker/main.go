// Command crashworker is the job worker process the crash tests of
// framework/job run under job.Supervise, kill -9 and see restarted. Each
// job records its run and, idempotently, its success, in database tables
// or Redis keys; with -tx a database job also completes itself in the
// transaction that records them (job.CompleteTx).
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gorails/gorails/framework/job"
	"github.com/gorails/gorails/framework/record"
	"github.com/gorails/gorails/framework/record/mysql"
	"github.com/gorails/gorails/framework/record/postgres"
	"github.com/gorails/gorails/framework/record/sqlite"
)

// Args are the crash job's arguments.
type Args struct {
	N int `json:"n"`
}

// dbJob records its runs and successes in the jobs' database.
type dbJob struct {
	db *record.DB
	tx bool // complete the job in the same transaction
}

func (dbJob) Kind() string { return "crash" }

func (j dbJob) Perform(ctx context.Context, a Args) error {
	time.Sleep(time.Millisecond) // widen the window a kill can hit
	done := "INSERT INTO crash_done (n) VALUES (?) ON CONFLICT DO NOTHING"
	if j.db.Adapter() == record.MySQL {
		done = "INSERT IGNORE INTO crash_done (n) VALUES (?)"
	}
	return record.Transaction(ctx, j.db, func(tx *record.Tx) error {
		if _, err := tx.Exec(ctx, "INSERT INTO crash_runs (n) VALUES (?)", a.N); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, done, a.N); err != nil {
			return err
		}
		if j.tx {
			return job.CompleteTx(ctx, tx)
		}
		return nil
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

type options struct {
	backend, url, prefix, pidDir string
	concurrency                  int
	lease                        time.Duration
	tx                           bool
}

func main() {
	var o options
	flag.StringVar(&o.backend, "backend", record.PostgreSQL, "sqlite3, postgresql, mysql or redis")
	flag.StringVar(&o.url, "url", "", "database URL (SQLite: file) or Redis address")
	flag.StringVar(&o.prefix, "prefix", "", "Redis key prefix")
	flag.StringVar(&o.pidDir, "piddir", "", "once ready, create a file named after this process's pid here")
	flag.IntVar(&o.concurrency, "concurrency", 8, "executors")
	flag.DurationVar(&o.lease, "lease", 30*time.Second, "job lease")
	flag.BoolVar(&o.tx, "tx", false, "complete each database job in the transaction of its work")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "crashworker:", err)
		os.Exit(1)
	}
}

func run(o options) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	var c *job.Client
	switch o.backend {
	case record.SQLite, record.PostgreSQL, record.MySQL:
		cfg := record.Config{Adapter: o.backend, URL: o.url, Pool: o.concurrency + 2}
		if o.backend == record.SQLite {
			cfg.URL, cfg.Database = "", o.url
		}
		drv, err := record.DriverFor(cfg, sqlite.Driver{}, postgres.Driver{}, mysql.Driver{})
		if err != nil {
			return err
		}
		db, err := record.Open(ctx, drv, cfg)
		if err != nil {
			return err
		}
		defer db.Close()
		c = job.New(job.Config{Backend: job.Database(db), Logger: log})
		job.Register(c, dbJob{db: db, tx: o.tx})
	case "redis":
		rdb := redis.NewClient(&redis.Options{Addr: o.url})
		defer rdb.Close()
		c = job.New(job.Config{Backend: job.Redis(rdb, o.prefix), Logger: log})
		job.Register(c, redisJob{rdb: rdb, prefix: o.prefix})
	default:
		return fmt.Errorf("unknown backend %q", o.backend)
	}
	w, err := job.NewWorker(c, job.WorkerConfig{Concurrency: o.concurrency, PollInterval: 20 * time.Millisecond, Lease: o.lease, ShutdownTimeout: 5 * time.Second})
	if err != nil {
		return err
	}
	if o.pidDir != "" {
		if err := os.WriteFile(filepath.Join(o.pidDir, strconv.Itoa(os.Getpid())), nil, 0o600); err != nil {
			return err
		}
	}
	return w.Run(ctx)
}
