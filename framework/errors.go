package framework

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gorails/gorails/framework/dispatch"
	"github.com/gorails/gorails/framework/errorpage"
	"github.com/gorails/gorails/framework/middleware"
)

// handleActionError is the route set's error handler: it answers an error
// returned by a controller action.
func (a *App) handleActionError(w http.ResponseWriter, r *dispatch.Request, err error) {
	a.renderError(w, r.HTTP(), errorpage.StatusFor(err), err, nil)
}

// notFound answers a request no route matched. In development the page
// lists the routes, as Rails' routing error page does.
func (a *App) notFound(w http.ResponseWriter, r *http.Request) {
	a.renderError(w, r, http.StatusNotFound, &routingError{method: r.Method, path: r.URL.Path}, nil)
}

// routingError is the 404 of a request no route matched.
type routingError struct{ method, path string }

func (e *routingError) Error() string {
	return fmt.Sprintf("no route matches %s %q", e.method, e.path)
}

// renderError logs err and writes the error page for status: in development
// a page that shows the error (escaped), elsewhere the app's
// public/<status>.html with nothing of the internals.
func (a *App) renderError(w http.ResponseWriter, r *http.Request, status int, err error, stack []byte) {
	attrs := []slog.Attr{
		slog.Int("status", status),
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.String("error", err.Error()),
		slog.String("request_id", middleware.RequestIDFrom(r.Context())),
	}
	if stack != nil {
		attrs = append(attrs, slog.String("stack", string(stack)))
	}
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	a.Logger.LogAttrs(r.Context(), level, "error", attrs...)
	if a.Env().IsDevelopment() {
		a.debugPage(w, r, status, err, stack)
		return
	}
	a.publicPage(w, r, status)
}

// debugPage writes the development error page: the error, its chain, the
// stack of a panic, the request and its query parameters, all escaped, with
// secret-looking values filtered; for a routing error, the routes.
func (a *App) debugPage(w http.ResponseWriter, r *http.Request, status int, err error, stack []byte) {
	info := errorpage.DebugInfo{Err: err, Stack: stack, Request: r, Params: r.URL.Query(), Status: status}
	if a.files != nil {
		if views, verr := fs.Sub(a.files, "app/views"); verr == nil {
			info.Views = views // shows the lines around a template error
		}
	}
	var re *routingError
	if errors.As(err, &re) && a.Routes != nil {
		var table strings.Builder
		if dispatch.WriteRoutes(&table, a.Routes.Routes(), "") == nil {
			info.Routes = table.String()
		}
	}
	var buf bytes.Buffer
	if perr := errorpage.Debug(&buf, info); perr != nil {
		a.Logger.Error("debug page", "error", perr.Error())
		a.publicPage(w, r, status)
		return
	}
	h := w.Header()
	h.Del("Content-Length")
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// publicPage writes public/<status>.html (or a minimal page, or JSON for a
// JSON-only client), with nothing of the internals.
func (a *App) publicPage(w http.ResponseWriter, r *http.Request, status int) {
	w.Header().Del("Content-Length")
	errorpage.Public{FS: a.publicFiles()}.ServeError(w, r, status)
}
