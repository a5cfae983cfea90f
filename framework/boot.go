package framework

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"

	"github.com/gorails/gorails/framework/controller"
	"github.com/gorails/gorails/framework/dispatch"
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

func (a *App) addDefaultMiddleware() {
	_ = a.Middleware.Use(MiddlewareRequestID, RequestID)
	_ = a.Middleware.Use(MiddlewareLogger, func(next http.Handler) http.Handler {
		return RequestLogger(a.Logger, a.guards.filter)(next)
	})
	_ = a.Middleware.Use(MiddlewareRecover, Recover(a))
	_ = a.Middleware.Use(MiddlewareStatic, func(next http.Handler) http.Handler { return a.static(next) })
	a.addSecurityMiddleware()
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
