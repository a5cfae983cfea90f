package framework

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"

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
	InitJobs     = "jobs"
	InitViews    = "views"
	InitRoutes   = "routes"
)

// The names of the default middleware, outermost first.
const (
	MiddlewareRequestID         = "request_id"
	MiddlewareLogger            = "logger"
	MiddlewareSSL               = "ssl"
	MiddlewareHostAuthorization = "host_authorization"
	MiddlewareRecover           = "recover"
	MiddlewareStatic            = "static"
	MiddlewareSecurityHeaders   = "security_headers"
	MiddlewareMethodOverride    = "method_override"
	MiddlewareSession           = "session"
	MiddlewareCSRF              = "csrf"
)

func (a *App) addDefaultInitializers() {
	// The names are constants and the list is empty, so Add cannot fail here.
	_ = a.Initializers.Add(InitFiles, initFiles)
	_ = a.Initializers.Add(InitSecrets, initSecrets)
	_ = a.Initializers.Add(InitSecurity, initSecurity)
	_ = a.Initializers.Add(InitDatabase, initDatabase)
	_ = a.Initializers.Add(InitJobs, initJobs)
	_ = a.Initializers.Add(InitViews, initViews)
	_ = a.Initializers.Add(InitRoutes, initRoutes)
}

// addDefaultMiddleware adds the default stack. Middleware that depends on
// what the initializers build (the log filter, the app's files) is
// created when the stack is built, after boot.
func (a *App) addDefaultMiddleware() {
	_ = a.Middleware.Use(MiddlewareRequestID, middleware.RequestID)
	_ = a.Middleware.Use(MiddlewareLogger, func(next http.Handler) http.Handler {
		cfg := middleware.LogConfig{Logger: a.Logger, Context: withRecordStats, AddAttrs: recordStatsAttrs}
		if a.guards.filter != nil {
			cfg.FilterQuery = a.guards.filter.Query
		}
		return middleware.RequestLogger(cfg)(next)
	})
	_ = a.Middleware.Use(MiddlewareRecover, middleware.Recover(func(w http.ResponseWriter, r *http.Request, err error, stack []byte) {
		a.renderError(w, r, http.StatusInternalServerError, err, stack)
	}))
	_ = a.Middleware.Use(MiddlewareStatic, func(next http.Handler) http.Handler {
		return middleware.Static(a.publicFiles())(next)
	})
	a.addSecurityMiddleware()
}

// withRecordStats starts counting a request's database statements for its
// log line.
func withRecordStats(ctx context.Context) context.Context {
	ctx, _ = record.WithStats(ctx)
	return ctx
}

// recordStatsAttrs adds the number of database statements a request ran
// and their time to its log line, when there were any.
func recordStatsAttrs(ctx context.Context, attrs []slog.Attr) []slog.Attr {
	if st := record.StatsFrom(ctx); st != nil && st.Queries() > 0 {
		attrs = append(attrs, slog.Int64("db_queries", st.Queries()), slog.Duration("db_time", st.Duration()))
	}
	return attrs
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
	cfg := view.Config{FS: views, Logger: a.Logger}
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
	if a.Env().IsProduction() {
		// Production boots only with templates that all parse.
		return set.Check()
	}
	return nil
}

func initRoutes(_ context.Context, a *App) error {
	if a.Config.Routes == nil {
		return errors.New("Config.Routes is nil: give the app its routes (config/routes.go)")
	}
	env := &controller.Env{Views: a.Views, Logger: a.Logger, Debug: a.Env().IsDevelopment(), DB: a.DB, Jobs: a.Jobs}
	rs := dispatch.NewRouteSet(dispatch.Config{
		Deps:         env,
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
			m.Mount(path, dash, dispatch.As("jobs_dashboard"))
		}
	}
	if err := rs.Draw(draw); err != nil {
		return err
	}
	a.Routes = rs
	return nil
}

func isDir(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}
