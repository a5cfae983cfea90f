package cli

import (
	"context"
	"sync"
	"time"

	"github.com/gorails/gorails/framework"
	"github.com/gorails/gorails/framework/job"
)

// workerConfig is Config.Worker with the app's logger and recurring jobs.
func workerConfig(app *framework.App, cfg job.WorkerConfig) job.WorkerConfig {
	if cfg.Logger == nil {
		cfg.Logger = app.Logger.With("component", "jobs", "backend", app.JobBackend())
	}
	cfg.Recurring = append(append([]job.Recurring(nil), cfg.Recurring...), app.RecurringJobs...)
	return cfg
}

// startJobWorker runs a job worker in this process until the returned stop
// is called (which waits for it). The server uses it in development so that
// jobs run without a second command, on every queue unless Config.Worker
// lists queues. Until the jobs table exists (a new
// app before its first db:migrate) it waits for it, checking every
// tableWait, so migrating in another terminal is enough.
func startJobWorker(app *framework.App, cfg job.WorkerConfig, tableWait time.Duration) (stop func(), err error) {
	// A development server restarted after a crash (or a sibling worker
	// process of its master that died) hands the dead one's jobs back now.
	cfg.RescueLocalDead = cfg.RescueLocalDead || app.Env().IsDevelopment()
	// Without queues of its own (Config.Worker.Queues), it drains every
	// queue the app enqueues on, as Rails' async adapter runs every job: a
	// job on "mailers" or "low" runs too.
	cfg.AllQueues = cfg.AllQueues || len(cfg.Queues) == 0
	w, err := job.NewWorker(app.Jobs, workerConfig(app, cfg))
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for told := false; ; told = true {
			err := app.CheckJobs(ctx)
			if err == nil {
				break
			}
			if !told {
				app.Logger.Info("background jobs will start here once the jobs table exists", "reason", err.Error())
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(tableWait):
			}
		}
		if err := w.Run(ctx); err != nil {
			app.Logger.Error("job worker stopped", "err", err.Error())
		}
	}()
	var once sync.Once
	return func() { once.Do(func() { cancel(); <-done }) }, nil
}
