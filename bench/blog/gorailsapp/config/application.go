// Package config builds the blog application: its configuration,
// initializers, middleware and routes.
package config

import (
	"io/fs"
	"log/slog"
	"os"

	"github.com/gorails/gorails/framework"

	"github.com/gorails/gorails/bench/blog/gorailsapp/app/jobs"
	"github.com/gorails/gorails/bench/blog/gorailsapp/app/routes"
	dbmigrate "github.com/gorails/gorails/bench/blog/gorailsapp/db/migrate"
	"github.com/gorails/gorails/bench/blog/gorailsapp/db/seeds"
)

// App builds the application. files are the app's embedded files (views and
// public/), given by main.
func App(files fs.FS) *framework.App {
	cfg := framework.Config{
		Name:   "blog",
		Files:  files,
		Routes: Routes,
		// The typed route helpers generated from Routes (go generate ./...):
		// views call them (post_path), and boot checks they are up to date.
		RouteHelpers: routes.Helpers(),
		Server:       Server(),
		// The database: config/database.yml, opened with these drivers
		// (config/database.go).
		DatabaseDrivers: DatabaseDrivers(),
		// db:migrate, db:status, ... and the test database use these.
		Migrations: dbmigrate.All,
		Seed:       seeds.Run,
		// Background jobs (app/jobs) live in the app's database; `gorails
		// jobs` runs them (GORAILS_JOB_BACKEND=redis moves them to REDIS_URL).
		RegisterJobs: jobs.Register,
		// The jobs dashboard; production asks for the credentials
		// jobs_dashboard.user and jobs_dashboard.password:
		// JobsDashboard: "/jobs",
		// Production answers only these hosts (GORAILS_HOSTS adds more):
		// Hosts: []string{"example.com"},
		// Production redirects plain HTTP to HTTPS, sends HSTS and marks
		// cookies Secure. Behind a TLS-terminating proxy it believes the
		// proxy's X-Forwarded-Proto (TrustedProxies: loopback and private
		// ranges by default); GORAILS_ASSUME_SSL=true (AssumeSSL) takes every
		// request as HTTPS instead. GORAILS_FORCE_SSL=false opts out, for a
		// production run over plain HTTP. GET /up is never redirected.
		ForceSSL: true,
	}
	// The benchmark's one knob, not in a generated app: BLOG_LOG_LEVEL=warn
	// logs warnings and errors only, leaving out the info-level line per
	// request (Rails' config.log_level = :warn).
	if os.Getenv("BLOG_LOG_LEVEL") == "warn" {
		cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	app := framework.New(cfg)
	// Add boot steps and middleware here, for example:
	//   app.Initializers.InsertAfter(framework.InitViews, "my_step", func(ctx context.Context, app *framework.App) error { ... })
	//   app.Middleware.InsertAfter(framework.MiddlewareLogger, "my_middleware", myMiddleware)
	return app
}
