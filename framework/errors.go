package framework

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gorails/gorails/framework/dispatch"
	"github.com/gorails/gorails/framework/middleware"
	"github.com/gorails/gorails/framework/view"
)

// StatusCoder is implemented by errors that know their HTTP status, such as
// a record's not-found error (404) or a params error (400). The error
// handler answers with that status instead of 500.
type StatusCoder interface{ StatusCode() int }

// StatusFor maps an error returned by an action to the status of its
// response: the StatusCode of the first error in the chain that has one,
// 400 for a params error, 500 otherwise.
func StatusFor(err error) int {
	var sc StatusCoder
	if errors.As(err, &sc) {
		if code := sc.StatusCode(); code >= 400 && code <= 599 {
			return code
		}
	}
	var pe *dispatch.ParamError
	if errors.As(err, &pe) {
		return http.StatusBadRequest
	}
	return http.StatusInternalServerError
}

// handleActionError is the route set's error handler: it answers an error
// returned by a controller action.
func (a *App) handleActionError(w http.ResponseWriter, r *dispatch.Request, err error) {
	a.renderError(w, r.HTTP(), StatusFor(err), err, nil)
}

// notFound answers a request no route matched. In development the page
// lists the routes, as Rails' routing error page does.
func (a *App) notFound(w http.ResponseWriter, r *http.Request) {
	err := fmt.Errorf("no route matches %s %q", r.Method, r.URL.Path)
	if a.Env().IsDevelopment() && a.Routes != nil {
		var table strings.Builder
		if dispatch.WriteRoutes(&table, a.Routes.Routes(), "") == nil {
			err = &routingError{err: err, routes: table.String()}
		}
	}
	a.renderError(w, r, http.StatusNotFound, err, nil)
}

// routingError is a 404 whose development page lists the routes; its
// Error (what the log shows) is the one-line message.
type routingError struct {
	err    error
	routes string
}

func (e *routingError) Error() string { return e.err.Error() }
func (e *routingError) Unwrap() error { return e.err }

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

// publicPage writes public/<status>.html (or a minimal page, or JSON for a
// JSON-only client), with nothing of the internals.
func (a *App) publicPage(w http.ResponseWriter, r *http.Request, status int) {
	var pages view.PublicPages
	if a.files != nil {
		if public, err := fs.Sub(a.files, "public"); err == nil {
			pages.FS = public
		}
	}
	w.Header().Del("Content-Length")
	pages.ServeError(w, r, status)
}
