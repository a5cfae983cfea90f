package job_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/gorails/gorails/framework/job"
	"github.com/gorails/gorails/framework/record"
	"github.com/gorails/gorails/framework/record/sqlite"
)

type GreetArgs struct {
	Name string `json:"name"`
}

type GreetJob struct{}

func (GreetJob) Perform(_ context.Context, a GreetArgs) error {
	fmt.Println("hello,", a.Name)
	return nil
}

// A job is registered on the app's client and enqueued through its Def.
// The zero Config runs jobs inline, inside PerformLater, as tests want.
func Example() {
	jobs := job.New(job.Config{})
	greet := job.Register(jobs, GreetJob{}, job.Queue("greetings"))
	ctx := context.Background()
	if _, err := greet.PerformLater(ctx, GreetArgs{Name: "Ada"}); err != nil {
		fmt.Println(err)
	}
	if err := greet.PerformNow(ctx, GreetArgs{Name: "Grace"}); err != nil {
		fmt.Println(err)
	}
	fmt.Println(greet.Kind())
	// Output:
	// hello, Ada
	// hello, Grace
	// GreetJob
}

type ChargeArgs struct {
	Order int64 `json:"order"`
}

type ChargeJob struct{}

var errCardDeclined = errors.New("card declined")

func (ChargeJob) Perform(context.Context, ChargeArgs) error { return errCardDeclined }

// A job whose error is not worth retrying is discarded with DiscardOn;
// a unique job refuses a second enqueue with ErrDuplicate.
func ExampleUniqueWhileActive() {
	b := job.Async(1)
	jobs := job.New(job.Config{Backend: b})
	charge := job.Register(jobs, ChargeJob{}, job.DiscardOn(errCardDeclined), job.UniqueWhileActive())
	ctx := context.Background()
	_, err1 := charge.PerformIn(ctx, 50e6, ChargeArgs{Order: 7}) // in 50ms
	_, err2 := charge.PerformLater(ctx, ChargeArgs{Order: 7})
	fmt.Println(err1, errors.Is(err2, job.ErrDuplicate))
	_ = b.Close(ctx)
	fmt.Println(len(b.Dead()))
	// Output:
	// <nil> true
	// 0
}

// The app binary's `jobs` command runs a worker until SIGTERM; `jobs:stats`
// prints Client.Stats.
func ExampleNewWorker() {
	var db *record.DB // the app's database, with job.Migration applied
	jobs := job.New(job.Config{Backend: job.Database(db)})
	greet := job.Register(jobs, GreetJob{})
	nightly, err := job.Every("nightly_greeting", "0 3 * * *", greet, GreetArgs{Name: "night shift"})
	if err != nil {
		panic(err)
	}
	w, err := job.NewWorker(jobs, job.WorkerConfig{
		Concurrency: 10,
		Queues:      []job.QueueWeight{{Name: "default", Weight: 3}, {Name: "mailers", Weight: 1}},
		Recurring:   []job.Recurring{nightly},
	})
	if err != nil {
		panic(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	_ = w.Run(ctx) // returns once running jobs finished or were released
}

// Code that has the app's client but not the Def that Register returned,
// such as a controller (c.Jobs()), finds the Def by the job's argument type.
func ExampleFor() {
	jobs := job.New(job.Config{})
	job.Register(jobs, GreetJob{}) // at boot
	if _, err := job.For[GreetArgs](jobs).PerformLater(context.Background(), GreetArgs{Name: "Linus"}); err != nil {
		fmt.Println(err)
	}
	_, err := job.For[ChargeArgs](jobs).PerformLater(context.Background(), ChargeArgs{Order: 1})
	fmt.Println(errors.Is(err, job.ErrNotRegistered))
	// Output:
	// hello, Linus
	// true
}

// PerformLaterTx takes the transaction: on the Database backend the job is
// written in it, so it exists only if the transaction commits.
func ExampleDef_PerformLaterTx() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "job-example")
	defer os.RemoveAll(dir)
	db, err := record.Open(ctx, sqlite.Driver{}, record.Config{Database: filepath.Join(dir, "app.sqlite3")})
	if err != nil {
		panic(err)
	}
	defer db.Close()
	if err := job.CreateTables(ctx, db); err != nil { // a migration in an app
		panic(err)
	}
	jobs := job.New(job.Config{Backend: job.Database(db)})
	greet := job.Register(jobs, GreetJob{})

	undone := errors.New("changed my mind")
	err = record.Transaction(ctx, db, func(tx *record.Tx) error {
		if _, err := greet.PerformLaterTx(ctx, tx, GreetArgs{Name: "never"}); err != nil {
			return err
		}
		return undone // rolls back: the job goes with it
	})
	fmt.Println(errors.Is(err, undone))
	err = record.Transaction(ctx, db, func(tx *record.Tx) error {
		_, err := greet.PerformLaterTx(ctx, tx, GreetArgs{Name: "Ada"})
		return err
	})
	stats, _ := jobs.Stats(ctx)
	fmt.Println(err, stats.Ready["default"])
	// Output:
	// true
	// <nil> 1
}

type PayArgs struct {
	Order int64 `json:"order"`
}

// PayJob marks an order paid: its work is in the jobs' database.
type PayJob struct{ DB *record.DB }

func (j PayJob) Perform(ctx context.Context, a PayArgs) error {
	return record.Transaction(ctx, j.DB, func(tx *record.Tx) error {
		if _, err := tx.Exec(ctx, "UPDATE orders SET paid = 1 WHERE id = ?", a.Order); err != nil {
			return err
		}
		// The job is done exactly when the order is paid: a worker killed
		// before the commit leaves both undone, and the job runs again.
		return job.CompleteTx(ctx, tx)
	})
}

// CompleteTx finishes a database job in the transaction of its work.
func ExampleCompleteTx() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "job-example")
	defer os.RemoveAll(dir)
	db, err := record.Open(ctx, sqlite.Driver{}, record.Config{Database: filepath.Join(dir, "app.sqlite3")})
	if err != nil {
		panic(err)
	}
	defer db.Close()
	if err := job.CreateTables(ctx, db); err != nil {
		panic(err)
	}
	if _, err := db.Exec(ctx, "CREATE TABLE orders (id integer PRIMARY KEY, paid integer NOT NULL DEFAULT 0)"); err != nil {
		panic(err)
	}
	if _, err := db.Exec(ctx, "INSERT INTO orders (id) VALUES (7)"); err != nil {
		panic(err)
	}
	jobs := job.New(job.Config{Backend: job.Database(db)})
	pay := job.Register(jobs, PayJob{DB: db})
	if _, err := pay.PerformLater(ctx, PayArgs{Order: 7}); err != nil {
		panic(err)
	}
	w, err := job.NewWorker(jobs, job.WorkerConfig{PollInterval: 10 * time.Millisecond})
	if err != nil {
		panic(err)
	}
	wctx, stop := context.WithCancel(ctx)
	done := make(chan error)
	go func() { done <- w.Run(wctx) }()
	paid := int64(0)
	for ; paid == 0; time.Sleep(5 * time.Millisecond) {
		_ = db.QueryRows(ctx, "SELECT paid FROM orders WHERE id = 7", nil, func(scan func(...any) error) error { return scan(&paid) })
	}
	stop()
	<-done
	stats, _ := jobs.Stats(ctx)
	fmt.Println("paid:", paid, "running:", stats.Running, "ready:", stats.Ready["default"])
	// Output:
	// paid: 1 running: 0 ready: 0
}
