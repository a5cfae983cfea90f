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
	root := t.TempDir()
	ran := make(chan struct{})
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
		RegisterJobs: func(app *framework.App) error {
			job.Register(app.Jobs, pingJob{ran: ran})
			return nil
		},
	})
	ctx := context.Background()
	if err := app.Boot(ctx); err != nil {
		t.Fatalf("boot: %v", err)
	}
	defer app.Close()
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
