package cli

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gorails/gorails/framework"
	"github.com/gorails/gorails/framework/dispatch"
	"github.com/gorails/gorails/framework/job"
	"github.com/gorails/gorails/framework/record/driver"
	"github.com/gorails/gorails/framework/record/migrate"
	"github.com/gorails/gorails/framework/record/sqlite"
)

type pingArgs struct{}

type pingJob struct{ ran chan struct{} }

func (j pingJob) Perform(context.Context, pingArgs) error { close(j.ran); return nil }

// TestServerJobWorkerWaitsForTheTable: the development server's job worker
// of a new app, started before the first db:migrate, begins running jobs
// once the table exists, without a restart.
func TestServerJobWorkerWaitsForTheTable(t *testing.T) {
	t.Setenv("DATABASE_URL", "")
	ran := make(chan struct{})
	app := bootDevApp(t, func(app *framework.App) error {
		job.Register(app.Jobs, pingJob{ran: ran})
		return nil
	})
	ctx := context.Background()
	stop, err := startJobWorker(app, job.WorkerConfig{PollInterval: 10 * time.Millisecond}, 10*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	time.Sleep(50 * time.Millisecond) // the worker finds no table and waits

	m, err := migrate.New(app.DB, []migrate.Migration{job.Migration()}, migrate.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Migrate(ctx, migrate.Latest); err != nil {
		t.Fatal(err)
	}
	if _, err := job.For[pingArgs](app.Jobs).PerformLater(ctx, pingArgs{}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ran:
	case <-time.After(10 * time.Second):
		t.Fatal("the job did not run after the table was created")
	}
}

type queueArgs struct{ Queue string }

type queueJob struct{ ran chan string }

func (j queueJob) Perform(_ context.Context, a queueArgs) error { j.ran <- a.Queue; return nil }

// TestServerJobWorkerDrainsEveryQueue: the development server's job worker
// runs the jobs of every queue the app enqueues on (a mailer's, a job's own
// queue), as Rails' async adapter does, not only "default"; with
// Config.Worker's queues it drains those only.
func TestServerJobWorkerDrainsEveryQueue(t *testing.T) {
	t.Setenv("DATABASE_URL", "")
	queues := []string{"default", "mailers", "low"}
	for _, tt := range []struct {
		name string
		cfg  job.WorkerConfig
		want []string
	}{
		{"no queues configured: every queue", job.WorkerConfig{PollInterval: 10 * time.Millisecond}, queues},
		{"the configured queues only", job.WorkerConfig{PollInterval: 10 * time.Millisecond, Queues: []job.QueueWeight{{Name: "low"}}}, []string{"low"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ran := make(chan string, len(queues))
			app := bootDevApp(t, func(app *framework.App) error {
				job.Register(app.Jobs, queueJob{ran: ran}, job.Queue("mailers"))
				return nil
			})
			ctx := context.Background()
			m, err := migrate.New(app.DB, []migrate.Migration{job.Migration()}, migrate.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if err := m.Migrate(ctx, migrate.Latest); err != nil {
				t.Fatal(err)
			}
			for _, q := range queues {
				if _, err := job.For[queueArgs](app.Jobs).PerformLater(ctx, queueArgs{Queue: q}, job.Queue(q)); err != nil {
					t.Fatal(err)
				}
			}
			stop, err := startJobWorker(app, tt.cfg, 10*time.Millisecond)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]bool{}
			for deadline := time.After(10 * time.Second); len(got) < len(tt.want); {
				select {
				case q := <-ran:
					got[q] = true
				case <-deadline:
					stop()
					t.Fatalf("ran the jobs of %v, want %v", got, tt.want)
				}
			}
			stop()
			for _, q := range tt.want {
				if !got[q] {
					t.Errorf("the job on %q did not run (ran %v)", q, got)
				}
			}
			if len(ran) > 0 || len(got) != len(tt.want) {
				t.Errorf("ran more than %v: %v and %d more", tt.want, got, len(ran))
			}
		})
	}
}

// bootDevApp boots a development app on a new SQLite file with the jobs
// registerJobs registers, closed at the test's end.
func bootDevApp(t *testing.T, registerJobs func(*framework.App) error) *framework.App {
	t.Helper()
	root := t.TempDir()
	app := framework.New(framework.Config{
		Env: framework.Development, Root: root,
		Files: fstest.MapFS{
			"app/views/layouts/application.html.tmpl": {Data: []byte(`{{template "content" .}}`)},
			"config/database.yml":                     {Data: []byte("development:\n  adapter: sqlite3\n  database: " + filepath.Join(root, "dev.sqlite3") + "\n")},
		},
		Routes:          func(*dispatch.Mapper) {},
		DatabaseDrivers: []driver.Driver{sqlite.Driver{}},
		Logger:          slog.New(slog.DiscardHandler),
		Getenv:          func(string) string { return "" },
		RegisterJobs:    registerJobs,
	})
	if err := app.Boot(context.Background()); err != nil {
		t.Fatalf("boot: %v", err)
	}
	t.Cleanup(func() { app.Close() })
	return app
}
