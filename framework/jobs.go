package framework

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gorails/gorails/framework/csrf"
	"github.com/gorails/gorails/framework/job"
	"github.com/gorails/gorails/framework/middleware"
)

// The job backends Config.JobBackend and GORAILS_JOB_BACKEND name.
const (
	JobBackendDatabase = "database"
	JobBackendRedis    = "redis"
	JobBackendAsync    = "async"
	JobBackendInline   = "inline"
	// JobBackendTest runs jobs inline, except those enqueued under a
	// job.Recorder's context, which it keeps for the test (job.Test; the
	// testing kit gives each test a Recorder). The default in test.
	JobBackendTest = "test"
)

// ErrJobBackend is returned at boot for an unknown or unusable job backend.
var ErrJobBackend = errors.New("job backend")

// jobBackendName chooses the backend: GORAILS_JOB_BACKEND, else
// Config.JobBackend, else test (inline unless a test records) in test, the database when the app has
// one, async otherwise. initJobs keeps the answer in App.jobBackend.
func (a *App) jobBackendName() string {
	if v := strings.TrimSpace(a.Config.Getenv("GORAILS_JOB_BACKEND")); v != "" {
		return strings.ToLower(v)
	}
	if a.Config.JobBackend != "" {
		return strings.ToLower(a.Config.JobBackend)
	}
	switch {
	case a.Env().IsTest():
		return JobBackendTest
	case a.DB != nil:
		return JobBackendDatabase
	default:
		return JobBackendAsync
	}
}

// initJobs builds App.Jobs on the configured backend and runs
// Config.RegisterJobs, which registers the app's jobs.
func initJobs(ctx context.Context, a *App) error {
	name := a.jobBackendName()
	a.jobBackend = name
	var backend job.Backend
	switch name {
	case JobBackendDatabase:
		if a.DB == nil {
			return fmt.Errorf("%w %q: the app has no database (config/database.yml); choose %s, %s or %s with GORAILS_JOB_BACKEND",
				ErrJobBackend, name, JobBackendRedis, JobBackendAsync, JobBackendInline)
		}
		backend = job.Database(a.DB)
	case JobBackendRedis:
		url := a.Config.Getenv("REDIS_URL")
		if url == "" {
			url = "redis://127.0.0.1:6379/0"
		}
		opts, err := redis.ParseURL(url)
		if err != nil {
			// The URL may hold a password: name the variable, not the value.
			return fmt.Errorf("%w %q: REDIS_URL is not a redis:// URL (redis://[user:password@]host:port/db)", ErrJobBackend, name)
		}
		rdb := redis.NewClient(opts)
		if err := rdb.Ping(ctx).Err(); err != nil {
			_ = rdb.Close()
			return fmt.Errorf("%w %q: cannot reach Redis at %s: %w", ErrJobBackend, name, opts.Addr, err)
		}
		a.OnClose(rdb.Close)
		backend = job.Redis(rdb, a.Config.Name+":"+string(a.Env())+":jobs")
	case JobBackendAsync:
		async := job.Async(0)
		a.OnClose(func() error {
			// Running jobs get the workers' shutdown timeout, then their
			// context ends; jobs scheduled for later are dropped.
			ctx, cancel := context.WithTimeout(context.Background(), a.jobsShutdownTimeout())
			defer cancel()
			return async.Close(ctx)
		})
		backend = async
	case JobBackendInline:
		backend = job.Inline() // PerformLaterTx: the job runs after the commit
	case JobBackendTest:
		backend = job.Test()
	default:
		return fmt.Errorf("%w %q is unknown: use %s, %s, %s, %s or %s", ErrJobBackend, name,
			JobBackendDatabase, JobBackendRedis, JobBackendAsync, JobBackendInline, JobBackendTest)
	}
	a.Jobs = job.New(job.Config{Backend: backend, Logger: a.Logger.With("component", "jobs"), Now: a.clock, Events: a.Events})
	if a.Config.RegisterJobs != nil {
		if err := a.Config.RegisterJobs(a); err != nil {
			return fmt.Errorf("register jobs: %w", err)
		}
	}
	return nil
}

// jobStore is the backend as a Store a worker can drain, or an error that
// says why it is not one.
func (a *App) jobStore() error {
	if _, ok := a.Jobs.Backend().(job.Store); !ok {
		return fmt.Errorf("%w: the %q job backend runs jobs inside the app process, so there is nothing for a worker to drain; use %s or %s (GORAILS_JOB_BACKEND)",
			job.ErrNotDrainable, a.jobBackend, JobBackendDatabase, JobBackendRedis)
	}
	return nil
}

// jobsShutdownTimeout is how long Close waits for the async backend's
// running jobs: Config.Worker.ShutdownTimeout, as a worker waits for its own.
func (a *App) jobsShutdownTimeout() time.Duration {
	if d := a.Config.Worker.ShutdownTimeout; d > 0 {
		return d
	}
	return job.DefaultShutdownTimeout
}

// JobBackend is the name of the job backend the "jobs" initializer chose
// (database, redis, async or inline); "" before boot.
func (a *App) JobBackend() string { return a.jobBackend }

// CheckJobs reports whether a job worker can run the app's jobs: the
// backend must keep them outside the process (the database or Redis; an
// error matching job.ErrNotDrainable says otherwise) and, for the database,
// its table must exist, so that a missing migration is one clear error
// instead of a failed claim every poll. Call it after Boot.
func (a *App) CheckJobs(ctx context.Context) error {
	if err := a.jobStore(); err != nil {
		return err
	}
	if db, ok := a.Jobs.Backend().(*job.DatabaseBackend); ok {
		if err := db.Check(ctx); err != nil {
			return fmt.Errorf("%w: run db:migrate (a new app's db/migrate creates it; an app made before jobs lists job.Migration() in its migrations)", err)
		}
	}
	return nil
}

// jobsDashboard is the jobs dashboard for Config.JobsDashboard, behind HTTP
// basic auth when credentials are set. Production refuses to serve it open.
func (a *App) jobsDashboard() (http.Handler, error) {
	if err := a.jobStore(); err != nil {
		return nil, fmt.Errorf("jobs dashboard at %s: %w", a.Config.JobsDashboard, err)
	}
	h := job.Dashboard(a.Jobs, job.DashboardConfig{CSRFField: csrf.HiddenField})
	user, pass := a.Config.Getenv("GORAILS_JOBS_DASHBOARD_USER"), a.Config.Getenv("GORAILS_JOBS_DASHBOARD_PASSWORD")
	if a.Secrets != nil {
		if user == "" {
			user = credentialString(a, "jobs_dashboard", "user")
		}
		if pass == "" {
			pass = credentialString(a, "jobs_dashboard", "password")
		}
	}
	if user == "" || pass == "" {
		if a.Env().IsProduction() {
			return nil, fmt.Errorf("jobs dashboard at %s has no login: set jobs_dashboard.user and jobs_dashboard.password in the credentials (gorails credentials:edit) or GORAILS_JOBS_DASHBOARD_USER and GORAILS_JOBS_DASHBOARD_PASSWORD, or remove JobsDashboard", a.Config.JobsDashboard)
		}
		return h, nil
	}
	return middleware.BasicAuth("jobs", user, pass)(h), nil
}

func credentialString(a *App, path ...string) string {
	v, ok := a.Secrets.Credential(path...)
	if !ok {
		return ""
	}
	s, _ := v.(string)
	return s
}
