package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorails/gorails/framework"
	"github.com/gorails/gorails/framework/cli"
	"github.com/gorails/gorails/framework/job"
)

func fastWorker(c *framework.Config) {
	c.Worker = job.WorkerConfig{PollInterval: 20 * time.Millisecond}
}

// runUntil runs the app binary's command args until done reports true (or
// 20s pass), then cancels it as SIGTERM would and returns its exit status.
func runUntil(t *testing.T, app *framework.App, done func() bool, args ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	exit := make(chan int, 1)
	var out, errOut bytes.Buffer
	go func() { exit <- cli.Main(ctx, app, args, &out, &errOut) }()
	deadline := time.Now().Add(20 * time.Second)
	for !done() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	return <-exit, errOut.String()
}

// TestJobsCommandRunsEnqueuedJobs: jobs enqueued by one process are
// counted by jobs:stats and run by the jobs command, a process of their own.
func TestJobsCommandRunsEnqueuedJobs(t *testing.T) {
	t.Setenv("DATABASE_URL", "")
	root := t.TempDir()
	app, _ := newApp(t, root, nil, fastWorker)
	run(t, app, "db:migrate")

	app, runs := newApp(t, root, nil, fastWorker)
	ctx := context.Background()
	if err := app.Boot(ctx); err != nil {
		t.Fatalf("boot: %v", err)
	}
	for _, body := range []string{"one", "two"} {
		if _, err := job.For[noteArgs](app.Jobs).PerformLater(ctx, noteArgs{Body: body}); err != nil {
			t.Fatal(err)
		}
	}
	if runs.Load() != 0 {
		t.Fatalf("the database backend ran %d jobs at enqueue", runs.Load())
	}

	stats, _ := newApp(t, root, nil, fastWorker)
	var st job.Stats
	if out := run(t, stats, "jobs:stats"); json.Unmarshal([]byte(out), &st) != nil || st.Ready["default"] != 2 {
		t.Fatalf("jobs:stats printed %q, want 2 ready on default", out)
	}

	worker, workerRuns := newApp(t, root, nil, fastWorker)
	code, stderr := runUntil(t, worker, func() bool { return workerRuns.Load() >= 2 }, "jobs", "-c", "2", "-q", "default")
	if code != 0 {
		t.Fatalf("jobs: exit %d: %s", code, stderr)
	}
	res, err := app.DB.Exec(ctx, "DELETE FROM notes")
	if err != nil || res.RowsAffected != 2 || workerRuns.Load() != 2 {
		t.Fatalf("after the worker: %d notes (%v), %d runs; want 2 and 2", res.RowsAffected, err, workerRuns.Load())
	}
}

func TestJobsCommandErrors(t *testing.T) {
	t.Setenv("DATABASE_URL", "")
	tests := []struct {
		args []string
		vars map[string]string
		want string
	}{
		{[]string{"jobs", "-q", "mailers:0"}, nil, `the weight after ':' must be a whole number from 1 to 1048576`},
		{[]string{"jobs", "-q", "a:9223372036854775807", "-q", "b"}, nil, `the weight after ':' must be a whole number from 1 to 1048576`},
		{[]string{"jobs", "-q", ":2"}, nil, `give a queue name`},
		{[]string{"jobs", "-w", "-1"}, nil, `give 0 (this process) or a number of worker processes`},
		{[]string{"jobs"}, map[string]string{"GORAILS_JOB_BACKEND": "async"}, `the "async" job backend runs jobs inside the app process`},
		{[]string{"jobs:stats"}, map[string]string{"GORAILS_JOB_BACKEND": "inline"}, `the "inline" job backend runs jobs inside the app process`},
		{[]string{"jobs"}, nil, `the gorails_jobs table does not exist: run db:migrate`}, // not migrated
		{[]string{"jobs:stats"}, nil, `the gorails_jobs table does not exist: run db:migrate`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			app, _ := newApp(t, t.TempDir(), tt.vars, nil)
			var out, errOut bytes.Buffer
			code := cli.Main(context.Background(), app, tt.args, &out, &errOut)
			if code == 0 || !strings.Contains(errOut.String(), tt.want) || strings.Count(errOut.String(), "\n") != 1 {
				t.Fatalf("exit %d, stderr %q; want one line saying %q", code, errOut.String(), tt.want)
			}
		})
	}
}

// TestRecurringJobsFromRegisterJobs: recurring jobs that RegisterJobs adds
// to App.RecurringJobs are enqueued and run by the jobs command.
func TestRecurringJobsFromRegisterJobs(t *testing.T) {
	t.Setenv("DATABASE_URL", "")
	root := t.TempDir()
	app, _ := newApp(t, root, nil, nil)
	run(t, app, "db:migrate")
	runs := new(atomic.Int64)
	app, _ = newApp(t, root, nil, func(c *framework.Config) {
		fastWorker(c)
		c.RegisterJobs = func(app *framework.App) error {
			def := job.Register(app.Jobs, noteJob{db: app.DB, runs: runs})
			every, err := job.Every("tick", "@every 1s", def, noteArgs{Body: "tick"})
			if err != nil {
				return err
			}
			app.RecurringJobs = append(app.RecurringJobs, every)
			return nil
		}
	})
	code, stderr := runUntil(t, app, func() bool { return runs.Load() >= 1 }, "jobs")
	if code != 0 || runs.Load() < 1 {
		t.Fatalf("jobs: exit %d, %d recurring runs; want at least 1\n%s", code, runs.Load(), stderr)
	}
}
