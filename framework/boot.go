package framework

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/gorails/gorails/framework/controller"
	"github.com/gorails/gorails/framework/dispatch"
	"github.com/gorails/gorails/framework/middleware"
	"github.com/gorails/gorails/framework/record"
	"github.com/gorails/gorails/framework/view"
)

// The names of the default initializers, in the order they run.
const (
	InitFiles    = "files"
	InitSecrets  = "secrets"
	InitSecurity = "security"
	InitDatabase = "database"
	InitCache    = "cache"
	InitJobs     = "jobs"
	InitViews    = "views"
	InitRoutes   = "routes"
)

// The names of the default middleware, outermost first.
const (
	MiddlewareRequestID      = "request_id"
	MiddlewareMethodOverride = "method_override"
	// MiddlewareLogger reports each request on App.Events (Started ...,
	// Completed ...); the log lines come from the LogSubscriber.
	MiddlewareLogger            = "logger"
	MiddlewareSSL               = "ssl"
	MiddlewareHostAuthorization = "host_authorization"
	MiddlewareRecover           = "recover"
	MiddlewareStatic            = "static"
	MiddlewareSecurityHeaders   = "security_headers"
	MiddlewareSession           = "session"
	MiddlewareCSRF              = "csrf"
	// MiddlewareETag gives 200 GET responses a weak ETag and answers 304
	// to a matching If-None-Match (Rack::ETag and Rack::ConditionalGet).
	MiddlewareETag = "etag"
	// MiddlewarePendingMigrations shows the pending migrations page in
	// development; elsewhere it does nothing.
	MiddlewarePendingMigrations = "pending_migrations"
)

func (a *App) addDefaultInitializers() {
	// The names are constants and the list is empty, so Add cannot fail here.
	_ = a.Initializers.Add(InitFiles, initFiles)
	_ = a.Initializers.Add(InitSecrets, initSecrets)
	_ = a.Initializers.Add(InitSecurity, initSecurity)
	_ = a.Initializers.Add(InitDatabase, initDatabase)
	_ = a.Initializers.Add(InitCache, initCache)
	_ = a.Initializers.Add(InitJobs, initJobs)
	_ = a.Initializers.Add(InitViews, initViews)
	_ = a.Initializers.Add(InitMailer, initMailer)
	_ = a.Initializers.Add(InitRoutes, initRoutes)
}

// addDefaultMiddleware adds the default stack. Middleware that depends on
// what the initializers build (the log filter, the app's files) is
// created when the stack is built, after boot.
func (a *App) addDefaultMiddleware() {
	_ = a.Middleware.Use(MiddlewareRequestID, middleware.RequestID)
	// Before the logger, as Rack::MethodOverride is before Rails::Rack::Logger:
	// the log says "Started DELETE", the method the app sees.
	_ = a.Middleware.Use(MiddlewareMethodOverride, dispatch.MethodOverride)
	_ = a.Middleware.Use(MiddlewareLogger, func(next http.Handler) http.Handler {
		cfg := middleware.InstrumentConfig{Events: a.Events, Context: withRecordStats, DB: recordStats}
		if a.guards.filter != nil {
			cfg.FilterQuery = a.guards.filter.Query
		}
		if p := a.guards.proxies; p != nil {
			cfg.ClientIP = func(r *http.Request) string {
				if ip := p.ClientIPString(r); ip != "" {
					return ip
				}
				return netip.Addr{}.String() // the log's "invalid IP", as ever
			}
		}
		return middleware.Instrument(cfg)(next)
	})
	_ = a.Middleware.Use(MiddlewareRecover, middleware.Recover(a.handlePanic))
	_ = a.Middleware.Use(MiddlewareStatic, func(next http.Handler) http.Handler {
		// Production serves public/ from an index of its files listed at
		// boot (no file system call per request); development and test,
		// reading public/ on disk, look each request up so that new files
		// are served at once.
		if a.onDisk && !a.Env().IsProduction() {
			return middleware.StaticReload(a.publicFiles())(next)
		}
		return middleware.Static(a.publicFiles())(next)
	})
	a.addSecurityMiddleware()
	_ = a.Middleware.Use(MiddlewareETag, middleware.ETag)
	_ = a.Middleware.Use(MiddlewarePendingMigrations, func(next http.Handler) http.Handler {
		return newPendingCheck(a).middleware(next)
	})
}

// withRecordStats starts counting a request's database statements for its
// log line.
func withRecordStats(ctx context.Context) context.Context {
	ctx, _ = record.WithRequestStats(ctx)
	return ctx
}

// recordStats reads back the time and number of the request's database
// statements.
func recordStats(ctx context.Context) (time.Duration, int64) {
	if st := record.StatsFrom(ctx); st != nil {
		return st.Duration(), st.Queries()
	}
	return 0, 0
}

// publicFiles is the app's public/ directory, or nil before the "files"
// initializer ran or when the app has none.
func (a *App) publicFiles() fs.FS {
	if a.files == nil {
		return nil
	}
	public, err := fs.Sub(a.files, "public")
	if err != nil {
		return nil
	}
	return public
}

// initFiles picks where the app's files come from: the directory on disk in
// development and test (so edits show at once), the embedded files in
// production, and whichever exists when only one does.
func initFiles(_ context.Context, a *App) error {
	disk := a.Config.Root != "" && isDir(filepath.Join(a.Config.Root, "app"))
	switch {
	case disk && (!a.Env().IsProduction() || a.Config.Files == nil):
		a.files, a.onDisk = os.DirFS(a.Config.Root), true
	case a.Config.Files != nil:
		a.files = a.Config.Files
	default:
		return fmt.Errorf("no application files: %s has no app/ directory and the binary embeds none (set Config.Files or run from the app's directory)", a.Config.Root)
	}
	return nil
}

func initViews(_ context.Context, a *App) error {
	views, err := fs.Sub(a.files, "app/views")
	if err != nil {
		return fmt.Errorf("app/views: %w", err)
	}
	cfg := view.Config{FS: views, Logger: a.Logger, Funcs: a.Config.RouteHelpers.FuncsWith(a.directPath), Now: a.clock, PerformCaching: a.PerformCaching, Events: a.Events}
	if a.Cache != nil {
		cfg.Fragments = fragmentCache{a.Cache}
	}
	if a.onDisk && a.Env().IsDevelopment() {
		cfg.Dir = a.Path("app", "views")
		cfg.Reload = true
	}
	set, err := view.New(cfg)
	if err != nil {
		return err
	}
	a.Views = set
	a.OnClose(set.Close)
	// The views are checked once the routes are drawn (initRoutes): their
	// controllers tell what each view may read.
	return nil
}

// directPath builds a direct route's URL for its template helpers: the
// views are set up before the routes are drawn, and rendered after.
func (a *App) directPath(name string, args ...any) (string, error) {
	if a.Routes == nil {
		return "", fmt.Errorf("direct route %s: the routes are not drawn yet", name)
	}
	return a.Routes.Path(name, args...)
}

func initRoutes(_ context.Context, a *App) error {
	if a.Config.Routes == nil {
		return errors.New("Config.Routes is nil: give the app its routes (config/routes.go)")
	}
	env := &controller.Env{Views: a.Views, Logger: a.Logger, Debug: a.Env().IsDevelopment(), Events: a.Events, ParamFilter: a.guards.filter}
	// The services controllers receive with controller.Use (a generated
	// ApplicationController uses both), typed by what they are; nil ones
	// when the app has none.
	controller.Provide(env, a.DB)
	controller.Provide(env, a.Jobs)
	controller.Provide(env, a.Cache)
	controller.Provide(env, a.Mailer)
	env.RateStore = a.rateStore()
	env.ClientIP = a.ClientIP
	rs := dispatch.NewRouteSet(dispatch.Config{
		Invoker:      env,
		Logger:       a.Logger,
		ErrorHandler: a.handleActionError,
		NotFound:     http.HandlerFunc(a.notFound),
	})
	draw := a.Config.Routes
	if path := a.Config.JobsDashboard; path != "" && a.Jobs != nil {
		dash, err := a.jobsDashboard()
		if err != nil {
			return err
		}
		draw = func(m *dispatch.Mapper) {
			a.Config.Routes(m)
			m.Mount(path, dash, dispatch.As(dashboardRoute))
		}
	}
	if path := a.mail.preview; path != "" && a.Mailer != nil {
		inner := draw
		draw = func(m *dispatch.Mapper) {
			inner(m)
			m.Mount(path, a.mailPreviews(), dispatch.As(mailPreviewRoute))
		}
	}
	if err := rs.Draw(draw); err != nil {
		return err
	}
	a.Routes = rs
	return a.checkViewsAndHelpers(env, rs)
}

// dashboardRoute is the route the framework adds for Config.JobsDashboard:
// not the app's, so not among its generated route helpers.
const dashboardRoute = "jobs_dashboard"

// checkViewsAndHelpers checks, once the routes are drawn, what the route
// set alone cannot: that the generated route helpers match the routes
// (Config.RouteHelpers), that every template parses and compiles (so a
// link to a route without a helper fails, with its file and line), and
// that each routed controller's views read only its exported fields. Test
// and production do not boot with a problem. Development logs them and
// boots: templates reload without a restart, and a boot error there would
// stop `gorails server`; the page shows the error when rendered.
func (a *App) checkViewsAndHelpers(env *controller.Env, rs *dispatch.RouteSet) error {
	var errs []error
	seen := map[string]bool{}
	add := func(err error) {
		var list []error
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			list = j.Unwrap()
		} else if err != nil {
			list = []error{err}
		}
		for _, e := range list {
			if !seen[e.Error()] {
				seen[e.Error()] = true
				errs = append(errs, e)
			}
		}
	}
	if hs := a.Config.RouteHelpers; hs != nil {
		routes := slices.DeleteFunc(rs.Routes(), func(r dispatch.RouteInfo) bool {
			return (r.Name == dashboardRoute && a.Config.JobsDashboard != "") || (r.Name == mailPreviewRoute && a.mail.preview != "")
		})
		if err := hs.Check(routes); err != nil {
			add(fmt.Errorf("%w; regenerate them with `go generate ./...` (or `gorails generate routes`)", err))
		}
		if err := hs.CheckDirects(rs.Directs()); err != nil {
			add(fmt.Errorf("%w; regenerate them with `go generate ./...` (or `gorails generate routes`)", err))
		}
	}
	add(a.Views.Check())
	add(env.CheckViews())
	if len(errs) == 0 {
		return nil
	}
	err := errors.Join(errs...)
	if a.Env().IsDevelopment() {
		a.Logger.Error("boot: views or route helpers have problems (development serves anyway; test and production do not boot)", "error", err.Error())
		return nil
	}
	return err
}

func isDir(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}
