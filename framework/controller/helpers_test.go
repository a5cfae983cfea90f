package controller_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/gorails/gorails/framework/controller"
	"github.com/gorails/gorails/framework/dispatch"
	"github.com/gorails/gorails/framework/view"
)

// testViews are the templates the tests render.
var testViews = fstest.MapFS{
	"layouts/application.html.tmpl": {Data: []byte(`<main>{{template "content" .}}</main>`)},
	"layouts/plain.html.tmpl":       {Data: []byte(`<plain>{{template "content" .}}</plain>`)},
	"posts/show.html.tmpl":          {Data: []byte(`<h1>{{.Data.Title}}</h1>`)},
	"posts/show.json.tmpl":          {Data: []byte(`{"title": {{printf "%q" .Data.Title}}}`)},
	"render/show.html.tmpl":         {Data: []byte(`<h1>{{.Data.Title}}</h1>`)},
	"render/show.json.tmpl":         {Data: []byte(`{"title": {{printf "%q" .Data.Title}}}`)},
	"render/edit.html.tmpl":         {Data: []byte(`<form>{{.Data.Title}}</form>`)},
	"posts/edit.html.tmpl":          {Data: []byte(`<form>{{.Data.Title}}</form>`)},
	"posts/index.html.tmpl":         {Data: []byte(`<ul>{{range .Data.Items}}<li>{{.}}</li>{{end}}</ul>`)},
	"pages/about.html.tmpl":         {Data: []byte(`about {{page_path "about"}} {{page_url $ "about"}} at {{.RequestPath}}`)},
	"flash/show.html.tmpl":          {Data: []byte(`notice: {{.Flash.notice}}|{{csrf_token .}}`)},
	"fresh/show.html.tmpl":          {Data: []byte(`<h1>{{.Data.Title}}</h1>`)},
	"pages/broken.html.tmpl":        {Data: []byte(`{{.Data.Nope.Deeper}}`)},
}

// testRoutes are the route helpers of the named routes the tests link to,
// built as an app's generated app/routes package builds them.
var (
	postRoute  = dispatch.NewRouteHelper("post", "/posts/:id(.:format)")
	pageRoute  = dispatch.NewRouteHelper("page", "/pages/:id(.:format)")
	flashRoute = dispatch.NewRouteHelper("flash", "/flash(.:format)")
	testRoutes = dispatch.RouteHelpers{postRoute, pageRoute, flashRoute}
)

// app is a route set over testViews with an error handler that answers
// with the error's StatusCode (else 500) and its message, and a log.
type app struct {
	h   http.Handler
	log *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newApp(t testing.TB, routes func(r *dispatch.Mapper), configure ...func(*controller.Env)) *app {
	t.Helper()
	rs, log, err := drawApp(routes, configure...)
	if err != nil {
		t.Fatalf("Draw: %v", err)
	}
	return &app{h: traced(rs), log: log}
}

func drawApp(routes func(r *dispatch.Mapper), configure ...func(*controller.Env)) (*dispatch.RouteSet, *syncBuffer, error) {
	views, err := view.New(view.Config{FS: testViews, Funcs: testRoutes.Funcs()})
	if err != nil {
		return nil, nil, err
	}
	log := &syncBuffer{}
	env := &controller.Env{Views: views, Logger: slog.New(slog.NewTextHandler(log, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	for _, c := range configure {
		c(env)
	}
	rs := dispatch.NewRouteSet(dispatch.Config{Invoker: env, ErrorHandler: statusErrorHandler})
	return rs, log, rs.Draw(routes)
}

func statusErrorHandler(w http.ResponseWriter, _ *dispatch.Request, err error) {
	code := http.StatusInternalServerError
	var sc interface{ StatusCode() int }
	if errors.As(err, &sc) {
		code = sc.StatusCode()
	}
	http.Error(w, "error: "+err.Error(), code)
}

// do serves one request and returns the recorder.
func (a *app) do(t testing.TB, method, target string, body io.Reader, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, body)
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	a.h.ServeHTTP(rec, req)
	return rec
}

func (a *app) get(t testing.TB, target string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	return a.do(t, http.MethodGet, target, nil, header...)
}

// A trace records which callbacks ran, in order; traced puts one in each
// request's context and reports it in the X-Trace trailer-like header
// written after the handler (as a body suffix when headers are gone).
type traceKey struct{}

type trace struct{ steps []string }

func traced(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tr := &trace{}
		h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), traceKey{}, tr)))
		if rec, ok := w.(*httptest.ResponseRecorder); ok {
			rec.Header().Set("X-Trace", strings.Join(tr.steps, ","))
		}
	})
}

// step records name in the request's trace.
func step(r *dispatch.Request, name string) {
	if tr, ok := r.Context().Value(traceKey{}).(*trace); ok {
		tr.steps = append(tr.steps, name)
	}
}

func traceOf(rec *httptest.ResponseRecorder) string { return rec.Header().Get("X-Trace") }
