package framework

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/gorails/gorails/framework/controller"
	"github.com/gorails/gorails/framework/dispatch"
	"github.com/gorails/gorails/framework/errorpage"
	"github.com/gorails/gorails/framework/event"
	"github.com/gorails/gorails/framework/middleware"
	"github.com/gorails/gorails/framework/record"
	"github.com/gorails/gorails/framework/session"
	"github.com/gorails/gorails/framework/view"
)

// failure is what went wrong with a request, for its log line and page.
type failure struct {
	status int
	err    error
	stack  []byte          // a panic's stack; nil for an error an action returned
	action dispatch.Action // the action that failed; zero when none was reached
	params dispatch.Params // the request's params, or only its path params
	parsed bool            // params are all of them, parsed by the route set
}

// handleActionError is the route set's error handler: it answers an error
// returned by a controller action.
func (a *App) handleActionError(w http.ResponseWriter, r *dispatch.Request, err error) {
	f := failure{status: StatusFor(err), err: err, action: r.Action()}
	if a.Env().IsDevelopment() {
		f.params, _ = r.Params() // a params error leaves what could be parsed
		f.parsed = f.params != nil
	}
	a.renderError(w, r.HTTP(), f)
}

// handlePanic answers a request whose handler panicked. In development the
// page names the action the request was routed to.
func (a *App) handlePanic(w http.ResponseWriter, r *http.Request, err error, stack []byte) {
	f := failure{status: http.StatusInternalServerError, err: err, stack: stack}
	if a.Env().IsDevelopment() && a.Routes != nil {
		f.action, f.params, _ = a.Routes.Recognize(r)
	}
	a.renderError(w, r, f)
}

// StatusFor is the status the App answers an action's error with, in every
// environment: the StatusCode of the first error in the chain that has one
// (a params error's 400, a controller.StatusError), else 404 Not Found for
// the "not found" errors gorails produces (a record a finder did not find,
// record.ErrNotFound; controller.ErrNotFound; an action without a template
// or a Render of a missing one, view.ErrTemplateNotFound), 400 Bad Request
// for a column argument that is not a column (record.ErrUnknownColumn: a
// sort param a client made up), else 500. It is Rails' rescue_responses
// for the framework's own errors.
func StatusFor(err error) int {
	return errorpage.StatusFor(err,
		errorpage.Rescue{Err: record.ErrNotFound, Status: http.StatusNotFound},
		errorpage.Rescue{Err: controller.ErrNotFound, Status: http.StatusNotFound},
		errorpage.Rescue{Err: view.ErrTemplateNotFound, Status: http.StatusNotFound},
		errorpage.Rescue{Err: record.ErrUnknownColumn, Status: http.StatusBadRequest},
	)
}

// notFound answers a request no route matched. In development the page
// lists the routes, as Rails' routing error page does.
func (a *App) notFound(w http.ResponseWriter, r *http.Request) {
	a.renderError(w, r, failure{status: http.StatusNotFound, err: &routingError{method: r.Method, path: r.URL.Path}})
}

// routingError is the 404 of a request no route matched.
type routingError struct{ method, path string }

func (e *routingError) Error() string {
	return fmt.Sprintf("no route matches %s %q", e.method, e.path)
}

// renderError logs the failure and writes its error page: in development a
// page that shows the error (escaped), elsewhere the app's
// public/<status>.html with nothing of the internals.
func (a *App) renderError(w http.ResponseWriter, r *http.Request, f failure) {
	attrs := []slog.Attr{
		slog.Int("status", f.status),
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.String("error", f.err.Error()),
	}
	event.RuntimeFrom(r.Context()).SetErr(f.err)
	if f.stack != nil {
		attrs = append(attrs, slog.String("stack", string(f.stack)))
	}
	level := slog.LevelInfo
	if f.status >= 500 {
		level = slog.LevelError
	}
	a.Logger.LogAttrs(r.Context(), level, "error", attrs...)
	if a.Env().IsDevelopment() {
		a.debugPage(w, r, f)
		return
	}
	a.publicPage(w, r, f.status)
}

// debugPage writes the development error page (JSON for a JSON request:
// errorpage.DebugJSON): the error and the action,
// the app's frames with their source, the request's params (filtered
// through the app's filter_parameters), session keys and headers; for a
// routing error, the routes.
func (a *App) debugPage(w http.ResponseWriter, r *http.Request, f failure) {
	info := errorpage.DebugInfo{
		Err: f.err, Stack: f.stack, Request: r, Status: f.status,
		Controller: f.action.Controller, Action: f.action.Name, Root: a.Config.Root,
		Params: debugParams(r, f),
	}
	if a.guards.filter != nil {
		info.Filter = a.guards.filter.Sensitive
	}
	if s := session.FromContext(r.Context()); s != nil {
		info.Session = s.Keys()
	}
	if a.files != nil {
		if views, verr := fs.Sub(a.files, "app/views"); verr == nil {
			info.Views = views // shows the lines around a template error
		}
	}
	var re *routingError
	if errors.As(f.err, &re) && a.Routes != nil {
		var table strings.Builder
		if dispatch.WriteRoutes(&table, a.Routes.Routes(), "") == nil {
			info.Routes = table.String()
		}
	}
	var buf bytes.Buffer
	render, ctype := errorpage.Debug, "text/html; charset=utf-8"
	if errorpage.WantsJSON(r) { // Rails' DebugExceptions body for an API request
		render, ctype = errorpage.DebugJSON, "application/json; charset=utf-8"
	}
	if perr := render(&buf, info); perr != nil {
		a.Logger.Error("debug page", "error", perr.Error())
		a.publicPage(w, r, f.status)
		return
	}
	h := w.Header()
	h.Del("Content-Length")
	h.Set("Content-Type", ctype)
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(f.status)
	_, _ = w.Write(buf.Bytes())
}

// debugParams flattens the params for the debug page ("post[title]").
// Without the parsed params of an action (a panic, a request no route
// matched) it lists the path params given, the query and a form body that
// debugExceptions kept.
func debugParams(r *http.Request, f failure) map[string][]string {
	out := map[string][]string{}
	flatten("", map[string]any(f.params), out)
	if f.parsed {
		return out
	}
	for k, vs := range r.URL.Query() {
		out[k] = append(out[k], vs...)
	}
	if kept := findKeptBody(r.Body); kept != nil {
		// The part the handler did not read (the request is over).
		_, _ = io.Copy(io.Discard, io.LimitReader(kept, keptBodyLimit+1))
	}
	if kept := findKeptBody(r.Body); kept != nil && !kept.truncated {
		if form, err := url.ParseQuery(kept.buf.String()); err == nil {
			for k, vs := range form {
				out[k] = append(out[k], vs...)
			}
		}
	}
	return out
}

// findKeptBody finds the keptBody debugExceptions put on the request under
// the wrappers later layers added (dispatch rewinds a parsed form body).
func findKeptBody(body io.Reader) *keptBody {
	for i := 0; i < 8 && body != nil; i++ {
		switch b := body.(type) {
		case *keptBody:
			return b
		case interface{ Unwrap() io.ReadCloser }:
			body = b.Unwrap()
		default:
			return nil
		}
	}
	return nil
}

// flatten writes v under key as the debug page lists params: nested maps
// as key[sub], lists as key[], files by name.
func flatten(key string, v any, out map[string][]string) {
	switch v := v.(type) {
	case map[string]any:
		flattenMap(key, v, out)
	case dispatch.Params:
		flattenMap(key, v, out)
	case []any:
		for _, e := range v {
			flatten(key+"[]", e, out)
		}
	case *dispatch.File:
		out[key] = append(out[key], fmt.Sprintf("(file %q, %d bytes)", v.Filename, v.Size))
	default:
		out[key] = append(out[key], fmt.Sprint(v))
	}
}

func flattenMap(key string, m map[string]any, out map[string][]string) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		name := k
		if key != "" {
			name = key + "[" + k + "]"
		}
		flatten(name, m[k], out)
	}
}

// keptBodyLimit is how much of a form body debugExceptions keeps.
const keptBodyLimit = 64 << 10

// keptBody is a request body that keeps a copy of what was read, up to
// keptBodyLimit, for the debug page of a panic.
type keptBody struct {
	io.ReadCloser
	buf       bytes.Buffer
	truncated bool
}

func (k *keptBody) Read(p []byte) (int, error) {
	n, err := k.ReadCloser.Read(p)
	if room := keptBodyLimit - k.buf.Len(); n > room {
		k.truncated = true
		k.buf.Write(p[:max(room, 0)])
	} else {
		k.buf.Write(p[:n])
	}
	return n, err
}

// debugExceptions is development's innermost middleware, around the route
// set: it turns a panic into the debug page while the request still
// carries its session, and keeps a copy of an urlencoded form body so that
// the page can list the params the action was given. The outer recover
// middleware still catches panics in the middleware.
func (a *App) debugExceptions(next http.Handler) http.Handler {
	recovering := middleware.Recover(a.handlePanic)(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "application/x-www-form-urlencoded" && r.Body != nil {
			r.Body = &keptBody{ReadCloser: r.Body}
		}
		recovering.ServeHTTP(w, r)
	})
}

// publicPage writes public/<status>.html (or a minimal page, or JSON for a
// JSON-only client), with nothing of the internals.
func (a *App) publicPage(w http.ResponseWriter, r *http.Request, status int) {
	w.Header().Del("Content-Length")
	errorpage.Public{FS: a.publicFiles()}.ServeError(w, r, status)
}
