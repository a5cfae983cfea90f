package framework

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/gorails/gorails/framework/cache"
	"github.com/gorails/gorails/framework/dispatch"
	"github.com/gorails/gorails/framework/event"
	"github.com/gorails/gorails/framework/job"
	"github.com/gorails/gorails/framework/mail"
	"github.com/gorails/gorails/framework/record"
	"github.com/gorails/gorails/framework/record/driver"
	"github.com/gorails/gorails/framework/record/migrate"
	"github.com/gorails/gorails/framework/secrets"
	"github.com/gorails/gorails/framework/server"
	"github.com/gorails/gorails/framework/view"
)

// Config describes an application. Its zero value is a development app in the
// current directory with no routes; New fills the defaults.
type Config struct {
	// Name is the application's name, as given to `gorails new`.
	Name string
	// Env is the environment; "" reads GORAILS_ENV (default development).
	Env Env
	// Root is the application's directory; "" is the nearest directory at
	// or above the working directory that holds go.mod and config/ (so tests
	// in app/controllers find it), else the working directory.
	Root string
	// Files holds the app's files (app/views, public) embedded in the binary.
	// Production serves from it; development prefers the files on disk under
	// Root so that edits show without a rebuild, and falls back to Files.
	Files fs.FS
	// Routes draws the app's routes (config/routes.go).
	Routes func(*dispatch.Mapper)
	// RouteHelpers are the app's typed route helpers, generated from Routes
	// by `gorails generate routes` (app/routes.Helpers() in a generated
	// app). Views get them as template functions (post_path, post_url),
	// and boot checks that they match the routes drawn: test and
	// production do not boot with stale helpers. nil: no helpers, no check.
	RouteHelpers dispatch.RouteHelpers
	// Logger receives the app's logs. nil builds the default logger:
	// readable text in development and test and JSON in production
	// (LogFormat), at debug level in development and info level otherwise
	// (LogLevel, GORAILS_LOG_LEVEL), to LogOutput; every line written in a
	// request (or a job it enqueued) carries the request id.
	Logger *slog.Logger
	// LogFormat is the default logger's format: "text" (LogText) or
	// "json" (LogJSON); "" is JSON in production and text elsewhere.
	LogFormat string
	// LogLevel is the default logger's level: debug, info, warn or error;
	// "" is debug in development and info elsewhere. GORAILS_LOG_LEVEL
	// overrides it.
	LogLevel string
	// LogOutput is where the default logger writes; nil is Stderr when
	// set, else os.Stdout (as Rails logs to STDOUT).
	LogOutput io.Writer
	// Stderr is the default logger's output when LogOutput is nil.
	//
	// Deprecated: set LogOutput.
	Stderr io.Writer
	// Getenv reads the environment; nil is os.Getenv. Tests set it.
	Getenv func(string) string
	// Now is the app's clock: record timestamps (created_at, updated_at),
	// job schedules and session expiry read it. nil is time.Now. The
	// testing kit (framework/gorailstest) sets it to travel in time.
	Now func() time.Time

	// DatabaseDrivers are the database drivers the app links, such as
	// sqlite.Driver{} (framework/record/sqlite): the database initializer
	// and the db:* commands open config/database.yml's adapter (or
	// DATABASE_URL's) with the one of that name, and fail with the import
	// to add when the app has none. A generated app lists its one driver
	// in config/database.go, so the binary carries no other database's
	// client.
	DatabaseDrivers []driver.Driver
	// Migrations lists the app's migrations (db/migrate.All in a generated
	// app) for the db:* commands and the test database.
	Migrations func() []migrate.Migration
	// Seed loads the seed data for db:seed and db:reset (db/seeds.Run).
	Seed func(ctx context.Context, db *record.DB) error

	// RegisterJobs registers the app's background jobs on App.Jobs at boot
	// (app/jobs.Register in a generated app); it may add App.RecurringJobs.
	RegisterJobs func(app *App) error
	// JobBackend is where jobs go: "database" (the app's own database, the
	// default when it has one), "redis" (REDIS_URL, default
	// redis://127.0.0.1:6379/0), "async" (goroutines of the enqueuing
	// process, lost when it exits; the default without a database) or
	// "inline" (run inside the enqueue call) or "test" (inline, except the
	// jobs a test records with job.Recorder; the default in test).
	// GORAILS_JOB_BACKEND overrides it.
	JobBackend string
	// Worker holds the defaults of the jobs command (concurrency, queues,
	// ...); its flags override them.
	Worker job.WorkerConfig
	// JobsDashboard mounts the jobs dashboard (queues, scheduled, retrying
	// and dead jobs, with retry and discard buttons) at this path, such as
	// "/jobs"; "" leaves it out. It asks for HTTP basic auth with the
	// credentials jobs_dashboard.user and jobs_dashboard.password
	// (GORAILS_JOBS_DASHBOARD_USER and _PASSWORD override them); without
	// them it is open in development and test, and production does not boot.
	JobsDashboard string

	// Mail configures App.Mailer (delivery per environment, defaults,
	// SMTP settings, the default URL of mail links, the preview page).
	Mail MailConfig
	// RegisterMailers registers the app's mailer actions and previews on
	// App.Mailer at boot (app/mailers.Register in a generated app).
	RegisterMailers func(app *App) error

	// Cache configures App.Cache (the store, namespace, default expiry)
	// and whether views cache fragments; the zero value is Rails 8's
	// defaults: memory in development, null in test, the app's database in
	// production (GORAILS_CACHE_STORE overrides the store).
	Cache CacheConfig

	// Server holds the defaults of the server command (config/server.go);
	// its flags (-p, -b, -w, -t, ...) override them.
	Server server.Config

	// Hosts are the host names the app answers to (host authorization
	// against DNS rebinding): "example.com", ".example.com" for a domain and
	// its subdomains, IP addresses or CIDR ranges. GORAILS_HOSTS adds more
	// (comma-separated). Development always allows localhost, *.localhost,
	// *.test and IP addresses; test allows every host; production requires
	// at least one host unless AllowAllHosts is set, and fails to boot
	// otherwise.
	Hosts []string
	// AllowAllHosts turns host authorization off in production.
	AllowAllHosts bool
	// ForceSSL, in production, redirects plain HTTP to HTTPS, sends HSTS and
	// marks cookies Secure (Rails' config.force_ssl). A generated app sets
	// it. Behind a TLS-terminating proxy among TrustedProxies, its
	// X-Forwarded-Proto: https is believed; otherwise set AssumeSSL.
	// GORAILS_FORCE_SSL=false turns it off (for a production run over plain
	// HTTP, such as a local try-out), GORAILS_FORCE_SSL=true on.
	ForceSSL bool
	// AssumeSSL treats every request as HTTPS (Rails' config.assume_ssl),
	// for an app behind a TLS-terminating proxy that does not send
	// X-Forwarded-Proto or is not among TrustedProxies: no redirect loop,
	// and HSTS, Secure cookies and https URLs all the same.
	// GORAILS_ASSUME_SSL=true sets it.
	AssumeSSL bool
	// SSLExclude exempts requests from ForceSSL's redirect, such as a load
	// balancer's plain-HTTP health check; nil exempts GET /up, as Rails does.
	SSLExclude func(*http.Request) bool
	// TrustedProxies are the proxies (CIDR ranges) whose X-Forwarded-For and
	// X-Forwarded-Proto are believed; nil means loopback and private ranges.
	TrustedProxies []string
	// TrustedOrigins are other origins allowed to send unsafe (POST, PUT,
	// PATCH, DELETE) requests, such as "https://admin.example.com".
	TrustedOrigins []string
	// CSRFBypass are http.ServeMux patterns ("/api/", "POST /webhooks/{id}")
	// whose requests skip CSRF protection, for APIs authenticated otherwise.
	CSRFBypass []string
	// FilterParameters are more parameter names (parts of names) whose
	// values are filtered from logs, on top of Rails' list (passw, secret,
	// token, _key, crypt, salt, certificate, otp, ssn, cvv, cvc).
	FilterParameters []string
}

// App is a gorails application. It owns its configuration, logger, boot
// steps, middleware stack, route set and view set, and serves HTTP once
// booted. Boot it once; after Boot it is safe for concurrent use.
type App struct {
	// Config is the configuration with defaults filled in.
	Config Config
	// Logger is the app's logger.
	Logger *slog.Logger
	// Initializers are the boot steps, run in order by Boot. Add, insert or
	// delete steps before Boot.
	Initializers Initializers
	// Middleware is the stack every request passes through, outermost first.
	// Change it before Boot (or from an initializer).
	Middleware Stack
	// Routes is the route set, drawn by the "routes" initializer.
	Routes *dispatch.RouteSet
	// Views is the view set, built by the "views" initializer.
	Views *view.Set
	// DB is the app's database, opened by the "database" initializer from
	// config/database.yml; nil when the app has none.
	DB *record.DB
	// Jobs is the app's job client, built by the "jobs" initializer on
	// Config.JobBackend; Config.RegisterJobs registers the app's jobs on it.
	Jobs *job.Client
	// Cache is the app's cache (Rails.cache), built by the "cache"
	// initializer on Config.Cache; controllers receive it as a service
	// (c.Cache() in a generated ApplicationController), views cache
	// fragments in it, and rate limits count in it.
	Cache *cache.Cache
	// Mailer is the app's mailer (ActionMailer), built by the "mailer"
	// initializer on Config.Mail; Config.RegisterMailers registers the
	// app's mailers on it, and controllers receive it as a service.
	Mailer *mail.Mailer
	// RecurringJobs are enqueued on their schedules by the app's job
	// workers (the jobs command); RegisterJobs adds them (job.Every).
	RecurringJobs []job.Recurring
	// Secrets holds secret_key_base and the credentials, loaded by the
	// "secrets" initializer; keys for each purpose derive from it.
	Secrets *secrets.Secrets
	// Events is the app's event bus (ActiveSupport::Notifications): its
	// database, views, controllers, jobs and mailer report what they do on
	// it, and the request log is a subscriber (LogSubscriber). Subscribe
	// before Boot or at any time after.
	Events *event.Bus

	guards       guards
	configErr    error
	jobBackend   string         // the job backend's name, chosen by the "jobs" initializer
	cacheStore   string         // the cache store's name, chosen by the "cache" initializer
	mail         mailSetup      // what the "mailer" initializer chose
	logLevel     *slog.LevelVar // the default logger's level; nil for a logger from Config
	levelFromEnv bool           // GORAILS_LOG_LEVEL set the level: SetLogLevel leaves it
	plainLog     bool           // the default text logger: log lines without attributes
	logErr       error          // a bad LogLevel, LogFormat or GORAILS_LOG_LEVEL
	logOut       *logWriter     // production's buffered log output; nil unbuffered
	files        fs.FS          // the app's files: disk in development, embedded otherwise
	onDisk       bool
	closers      []func() error

	bootOnce sync.Once
	bootErr  error
	handler  http.Handler
}

// New builds an app from cfg with the default initializers and middleware. It
// does no I/O; problems with the configuration are reported by Boot.
func New(cfg Config) *App {
	app := &App{Config: cfg, Events: event.New()}
	app.configErr = app.fillDefaults()
	app.Logger = app.Config.Logger
	ls := &LogSubscriber{Logger: app.Logger, Attrs: !app.plainLog, Root: app.Config.Root, CallSites: app.Config.Env.IsDevelopment()}
	if app.logOut != nil {
		ls.inflight = app.logOut
	}
	ls.Subscribe(app.Events)
	app.addDefaultInitializers()
	app.addDefaultMiddleware()
	return app
}

func (a *App) fillDefaults() error {
	c := &a.Config
	if c.Getenv == nil {
		c.Getenv = os.Getenv
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	var envErr error
	if c.Env == "" {
		c.Env, envErr = ParseEnv(c.Getenv("GORAILS_ENV"))
	} else if _, err := ParseEnv(string(c.Env)); err != nil {
		envErr = err
	}
	if c.Name == "" {
		c.Name = "app"
	}
	if c.Root == "" {
		c.Root = findRoot()
	}
	var logErr error
	if c.Logger == nil {
		logErr = a.newLogger()
	}
	return errors.Join(envErr, logErr)
}

// Now reads the app's clock (Config.Now).
func (a *App) Now() time.Time { return a.Config.Now() }

// Env is the environment the app runs in.
func (a *App) Env() Env { return a.Config.Env }

// Validate reports a problem with the configuration (such as an unknown
// GORAILS_ENV) without booting; Boot reports it too. The server command
// checks it before a cluster master, which never boots, starts workers.
func (a *App) Validate() error {
	if a.configErr != nil {
		return fmt.Errorf("config: %w", a.configErr)
	}
	return nil
}

// SetLogLevel sets the level of the default logger, the one New makes when
// Config.Logger is nil. A logger from Config is left alone: its owner sets
// its level; so is a level GORAILS_LOG_LEVEL set.
func (a *App) SetLogLevel(level slog.Level) {
	if a.logLevel != nil && !a.levelFromEnv {
		a.logLevel.Set(level)
	}
}

// Files is the app's file tree (app/views, public, ...): the directory on
// disk in development when it has the files, the embedded Files otherwise.
// It is set by the "files" initializer.
func (a *App) Files() fs.FS { return a.files }

// OnClose registers fn to run when the app shuts down, in reverse order of
// registration. Initializers use it to close what they open.
func (a *App) OnClose(fn func() error) { a.closers = append(a.closers, fn) }

// Boot runs the initializers in order and builds the middleware stack around
// the route set. It runs once; later calls return the first result. An
// initializer's error stops the boot and names the initializer.
func (a *App) Boot(ctx context.Context) error {
	a.bootOnce.Do(func() { a.bootErr = a.boot(ctx) })
	return a.bootErr
}

func (a *App) boot(ctx context.Context) error {
	if err := a.Validate(); err != nil {
		return err
	}
	if err := a.Initializers.run(ctx, a); err != nil {
		return err
	}
	if a.Routes == nil {
		return errors.New(`no route set: the "routes" initializer was deleted and nothing replaced it`)
	}
	var endpoint http.Handler = a.Routes
	if a.Env().IsDevelopment() {
		endpoint = a.debugExceptions(endpoint)
	}
	a.handler = a.Middleware.Build(endpoint)
	return nil
}

// ServeHTTP serves a request through the middleware stack and the route set.
// Before a successful Boot it answers 503.
func (a *App) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if a.handler == nil {
		http.Error(w, "Service Unavailable: the application has not booted", http.StatusServiceUnavailable)
		return
	}
	a.handler.ServeHTTP(w, r)
}

// Close releases what the initializers opened (view watchers, database
// pools, ...), last opened first, and returns their errors joined. With the
// async job backend, running jobs get Config.Worker.ShutdownTimeout to
// finish before their context is cancelled, and jobs scheduled for later
// are dropped (that backend keeps jobs in memory only). Last, it writes
// out the log lines the default logger buffered; lines logged after Close
// are written at once.
func (a *App) Close() error {
	var errs []error
	for i := len(a.closers) - 1; i >= 0; i-- {
		errs = append(errs, a.closers[i]())
	}
	a.closers = nil
	if a.logOut != nil {
		errs = append(errs, a.logOut.Close())
	}
	return errors.Join(errs...)
}

// FlushLog writes out the log lines the default logger holds (production
// buffers them while requests are in flight, for at most 100ms). Close
// flushes too; call FlushLog before anything that ends the process
// without Close, such as an exec.
func (a *App) FlushLog() error {
	if a.logOut == nil {
		return nil
	}
	return a.logOut.Flush()
}

// Path is a path inside the app's root directory.
func (a *App) Path(elem ...string) string {
	return filepath.Join(append([]string{a.Config.Root}, elem...)...)
}

// findRoot returns the nearest directory at or above the working directory
// that holds go.mod and config/, or the working directory.
func findRoot() string {
	wd, err := os.Getwd()
	if err != nil {
		return ""
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if fileExists(filepath.Join(dir, "go.mod")) && isDir(filepath.Join(dir, "config")) {
			return dir
		}
		if filepath.Dir(dir) == dir {
			return wd
		}
	}
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}
