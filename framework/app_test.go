package framework_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gorails/gorails/framework"
	"github.com/gorails/gorails/framework/controller"
	"github.com/gorails/gorails/framework/dispatch"
	"github.com/gorails/gorails/framework/record"
)

type PagesController struct {
	controller.Base
	Title string
}

func (c *PagesController) Home() error {
	c.Title = "Home <sweet> home"
	return nil
}

func (c *PagesController) About() error {
	c.Title = "About"
	return c.Render(controller.Template("about"))
}

func (c *PagesController) Broken() error { return errors.New("the database is on fire") }

func (c *PagesController) Panics() error { panic("kaboom") }

// Missing returns what a finder returns for an id no row has.
func (c *PagesController) Missing() error {
	return fmt.Errorf("pages#missing: find 999: %w", record.ErrNotFound)
}

// Sorted returns what Order returns for a sort param that is not a column.
func (c *PagesController) Sorted() error {
	return fmt.Errorf("pages#sorted: %w", &record.ColumnError{Op: "Order", Term: "(select 1 from pg_sleep(1.5))", Reason: "want a column name"})
}

// Create requires the post params: without them, a params error (400).
func (c *PagesController) Create() error {
	if err := c.Params().Require("post").Err(); err != nil {
		return err
	}
	return c.Head(http.StatusCreated)
}

// Invalid answers 422, as a record that failed its validations does.
func (c *PagesController) Invalid() error {
	return &controller.StatusError{Code: http.StatusUnprocessableEntity, Err: errors.New("title can't be blank")}
}

// NoView renders nothing and has no template.
func (c *PagesController) NoView() error { return nil }

func routes(r *dispatch.Mapper) {
	r.Root(dispatch.To((*PagesController).Home))
	r.Get("about", dispatch.To((*PagesController).About))
	r.Get("broken", dispatch.To((*PagesController).Broken))
	r.Get("panics", dispatch.To((*PagesController).Panics))
	r.Post("panics", dispatch.To((*PagesController).Panics))
	r.Get("missing", dispatch.To((*PagesController).Missing))
	r.Get("no_view", dispatch.To((*PagesController).NoView))
	r.Get("sorted", dispatch.To((*PagesController).Sorted))
	r.Post("pages", dispatch.To((*PagesController).Create))
	r.Get("invalid", dispatch.To((*PagesController).Invalid))
}

func appFiles() fstest.MapFS {
	return fstest.MapFS{
		"app/views/layouts/application.html.tmpl": {Data: []byte(`<html data-layout="application"><title>{{block "title" .}}App{{end}}</title>{{template "content" .}}</html>`)},
		"app/views/pages/home.html.tmpl":          {Data: []byte(`{{define "title"}}{{.Data.Title}}{{end}}<h1 data-view="home">{{.Data.Title}}</h1>`)},
		"app/views/pages/about.html.tmpl":         {Data: []byte(`<h1 data-view="about">{{.Data.Title}}</h1>`)},
		"public/404.html":                         {Data: []byte("<p>public 404 page</p>")},
		"public/500.html":                         {Data: []byte("<p>public 500 page</p>")},
		"public/robots.txt":                       {Data: []byte("User-agent: *\n")},
	}
}

// productionEnv is a production environment with its required settings.
func productionEnv(name string) string {
	switch name {
	case "SECRET_KEY_BASE":
		return strings.Repeat("0123456789abcdef", 8)
	case "GORAILS_HOSTS":
		return "example.com, localhost"
	}
	return ""
}

func newApp(t *testing.T, env framework.Env, log io.Writer) *framework.App {
	t.Helper()
	app := framework.New(framework.Config{
		Name:   "test",
		Env:    env,
		Root:   t.TempDir(), // no app/ on disk: the embedded files are used
		Files:  appFiles(),
		Routes: routes,
		Logger: slog.New(slog.NewTextHandler(log, nil)),
		Getenv: productionEnv,
	})
	if err := app.Boot(context.Background()); err != nil {
		t.Fatalf("boot: %v", err)
	}
	t.Cleanup(func() { _ = app.Close() })
	return app
}

// serve sends a request to localhost, a host every environment allows.
func serve(app http.Handler, method, target string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	app.ServeHTTP(rec, httptest.NewRequest(method, "http://localhost"+target, nil))
	return rec
}

func TestAppServesViewsInsideTheLayout(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, path string
		want       []string
	}{
		{"the root path renders the action's view by convention", "/", []string{`data-layout="application"`, `<h1 data-view="home">Home &lt;sweet&gt; home</h1>`, `<title>Home &lt;sweet&gt; home</title>`}},
		{"a GET path renders an explicit template", "/about", []string{`data-layout="application"`, `<h1 data-view="about">About</h1>`, `<title>App</title>`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var log bytes.Buffer
			rec := serve(newApp(t, framework.Test, &log), "GET", tt.path)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d, want 200\n%s", rec.Code, rec.Body)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			for _, w := range tt.want {
				if !strings.Contains(rec.Body.String(), w) {
					t.Errorf("body lacks %q:\n%s", w, rec.Body)
				}
			}
			if line := fmt.Sprintf("Completed 200 OK in "); !strings.Contains(log.String(), line) || !strings.Contains(log.String(), fmt.Sprintf(`Started GET \"%s\" for`, tt.path)) {
				t.Errorf("no request log line %q in:\n%s", line, log.String())
			}
		})
	}
}

func TestAppErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		env        framework.Env
		path       string
		wantStatus int
		want       string
		wantNot    string
		wantLog    string
	}{
		{"an unknown path is a 404 with the public page in production", framework.Production, "/nope", 404, "public 404 page", "", "status=404"},
		{"an action's error is a 500 with the public page and no internals in production", framework.Production, "/broken", 500, "public 500 page", "on fire", "the database is on fire"},
		{"a panic is a 500 and the app lives on", framework.Production, "/panics", 500, "public 500 page", "kaboom", "kaboom"},
		{"development shows the error, escaped", framework.Development, "/broken", 500, "the database is on fire", "public 500 page", "status=500"},
		{"a public file is served", framework.Production, "/robots.txt", 200, "User-agent", "", "status=200"},
		{"a missing record is a 404 in production", framework.Production, "/missing", 404, "public 404 page", "find 999", "record not found"},
		{"a missing record is a 404 in development", framework.Development, "/missing", 404, "find 999: record not found", "public 404 page", "status=404"},
		{"an action without a template is a 404 in production", framework.Production, "/no_view", 404, "public 404 page", "template", "template not found"},
		{"an action without a template is a 404 in development", framework.Development, "/no_view", 404, "pages/no_view", "public 404 page", "status=404"},
		{"a missing public file is a 404", framework.Production, "/images/nope.png", 404, "public 404 page", "", "status=404"},
		{"a sort param that is not a column is a 400 in production", framework.Production, "/sorted", 400, "400 Bad Request", "pg_sleep", "want a column name"},
		{"a sort param that is not a column is a 400 in development", framework.Development, "/sorted", 400, "want a column name", "public", "status=400"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var log bytes.Buffer
			app := newApp(t, tt.env, &log)
			rec := serve(app, "GET", tt.path)
			if rec.Code != tt.wantStatus {
				t.Errorf("status %d, want %d", rec.Code, tt.wantStatus)
			}
			body := rec.Body.String()
			if !strings.Contains(body, tt.want) {
				t.Errorf("body lacks %q:\n%s", tt.want, body)
			}
			if tt.wantNot != "" && strings.Contains(body, tt.wantNot) {
				t.Errorf("body shows %q:\n%s", tt.wantNot, body)
			}
			if !strings.Contains(log.String(), tt.wantLog) {
				t.Errorf("log lacks %q:\n%s", tt.wantLog, log.String())
			}
			if rec := serve(app, "GET", "/"); rec.Code != 200 {
				t.Errorf("after the error, GET / = %d", rec.Code)
			}
		})
	}
}

func TestBootFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  framework.Config
		edit func(app *framework.App)
		want string
	}{
		{"an unknown environment", framework.Config{Env: "staging", Routes: routes, Files: appFiles()}, nil, `unknown environment`},
		{"no routes", framework.Config{Env: framework.Test, Files: appFiles()}, nil, `initializer "routes": Config.Routes is nil`},
		{"no files", framework.Config{Env: framework.Test, Routes: routes}, nil, `initializer "files": no application files`},
		{"a failing initializer is named", framework.Config{Env: framework.Test, Routes: routes, Files: appFiles()}, func(app *framework.App) {
			if err := app.Initializers.InsertAfter(framework.InitViews, "payments", func(context.Context, *framework.App) error {
				return errors.New("connection refused")
			}); err != nil {
				panic(err)
			}
		}, `initializer "payments": connection refused`},
		{"production refuses a template that does not parse", framework.Config{Env: framework.Production, Getenv: productionEnv, Routes: routes, Files: func() fstest.MapFS {
			f := appFiles()
			f["app/views/pages/home.html.tmpl"] = &fstest.MapFile{Data: []byte(`{{if}}`)}
			return f
		}()}, nil, `pages/home.html.tmpl:1`},
		{"production without a secret", framework.Config{Env: framework.Production, Routes: routes, Files: appFiles(), Hosts: []string{"example.com"}}, nil, `initializer "secrets": secrets: secret_key_base is not set for the production environment: set SECRET_KEY_BASE`},
		{"production without hosts", framework.Config{Env: framework.Production, Routes: routes, Files: appFiles(), Getenv: func(k string) string {
			if k == "SECRET_KEY_BASE" {
				return productionEnv(k)
			}
			return ""
		}}, nil, `initializer "security": security: no allowed hosts`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.cfg.Root = t.TempDir()
			tt.cfg.Logger = slog.New(slog.DiscardHandler)
			if tt.cfg.Getenv == nil {
				tt.cfg.Getenv = func(string) string { return "" }
			}
			app := framework.New(tt.cfg)
			if tt.edit != nil {
				tt.edit(app)
			}
			err := app.Boot(context.Background())
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Boot() = %v, want an error containing %q", err, tt.want)
			}
			if rec := serve(app, "GET", "/"); rec.Code != http.StatusServiceUnavailable {
				t.Errorf("an app that failed to boot answered %d, want 503", rec.Code)
			}
		})
	}
}

func TestTwoAppsSideBySide(t *testing.T) {
	t.Parallel()
	a := newApp(t, framework.Test, io.Discard)
	b := newApp(t, framework.Production, io.Discard)
	if a.Routes == b.Routes || a.Views == b.Views {
		t.Fatal("two apps share a route set or view set")
	}
	if serve(a, "GET", "/").Code != 200 || serve(b, "GET", "/").Code != 200 {
		t.Error("both apps should serve")
	}
}

func ExampleApp() {
	root, _ := os.MkdirTemp("", "example-app-") // the development secret is kept in <root>/tmp
	defer os.RemoveAll(root)
	app := framework.New(framework.Config{
		Name:   "example",
		Root:   root,
		Env:    framework.Test,
		Files:  appFiles(),
		Routes: routes,
		Logger: slog.New(slog.DiscardHandler),
		Getenv: func(string) string { return "" },
	})
	if err := app.Boot(context.Background()); err != nil {
		fmt.Println(err)
		return
	}
	defer app.Close()
	fmt.Println(app.Initializers.String())
	fmt.Print(app.Middleware.String())
	rec := httptest.NewRecorder()
	app.ServeHTTP(rec, httptest.NewRequest("GET", "http://localhost/about", nil))
	fmt.Println(rec.Code, strings.Contains(rec.Body.String(), `data-view="about"`))
	// Output:
	// files
	// secrets
	// security
	// database
	// cache
	// jobs
	// views
	// mailer
	// routes
	// use request_id
	// use method_override
	// use logger
	// use ssl
	// use host_authorization
	// use recover
	// use static
	// use security_headers
	// use session
	// use csrf
	// use etag
	// use pending_migrations
	// 200 true
}

func TestDevelopmentNotFoundListsTheRoutes(t *testing.T) {
	t.Parallel()
	rec := serve(newApp(t, framework.Development, io.Discard), "GET", "/nope")
	if rec.Code != 404 || !strings.Contains(rec.Body.String(), "pages#about") {
		t.Errorf("status %d; the development 404 should list the routes:\n%s", rec.Code, rec.Body)
	}
	prod := serve(newApp(t, framework.Production, io.Discard), "GET", "/nope")
	if strings.Contains(prod.Body.String(), "pages#about") {
		t.Error("the production 404 shows the routes")
	}
}

func TestDevelopmentDebugPageNamesTheActionAndFiltersTheRequest(t *testing.T) {
	t.Parallel()
	app := framework.New(framework.Config{
		Name: "test", Env: framework.Development, Root: t.TempDir(), Files: appFiles(), Routes: routes,
		Logger: slog.New(slog.DiscardHandler), Getenv: func(string) string { return "" },
		FilterParameters: []string{"isbn"},
	})
	if err := app.Boot(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = app.Close() })
	tests := []struct {
		name, method, target, body string
		want                       []string
	}{
		{"an action's error lists the parsed params", "GET", "/broken?isbn=978-3&page=2", "", []string{
			"Error in <b>PagesController#broken</b> · 500", `<h1 id="message">the database is on fire</h1>`,
			"<td>isbn</td><td>[FILTERED]</td>", "<td>page</td><td>2</td>", "?isbn=[FILTERED]&amp;page=2",
		}},
		{"a panic names the action and lists the query", "GET", "/panics?isbn=978-3&page=2", "", []string{
			"Panic in <b>PagesController#panics</b> · 500", "panic: kaboom",
			"<td>isbn</td><td>[FILTERED]</td>", "<td>page</td><td>2</td>",
		}},
		{"a panic lists the form it was posted", "POST", "/panics", "post%5Btitle%5D=Hi&post%5Bisbn%5D=978-3", []string{
			"Panic in <b>PagesController#panics</b>", "<td>post[title]</td><td>Hi</td>", "<td>post[isbn]</td><td>[FILTERED]</td>",
			"<td>Cookie</td><td>[FILTERED]</td>",
		}},
		{"a missing record names the action", "GET", "/missing", "", []string{"Error in <b>PagesController#missing</b> · 404 Not Found"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(tt.method, "http://localhost"+tt.target, strings.NewReader(tt.body))
			if tt.body != "" {
				r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				r.Header.Set("Sec-Fetch-Site", "same-origin")
			}
			r.Header.Set("Cookie", "_test_session=s3cr3t")
			rec := httptest.NewRecorder()
			app.ServeHTTP(rec, r)
			page := rec.Body.String()
			for _, w := range tt.want {
				if !strings.Contains(page, w) {
					t.Errorf("page lacks %q:\n%s", w, page)
				}
			}
			if strings.Contains(page, "978-3") || strings.Contains(page, "s3cr3t") {
				t.Errorf("page leaks a filtered value:\n%s", page)
			}
		})
	}
}

// TestStaticServesNewFilesInDevelopment: development reads public/ on disk
// for each request, so a file added while the app runs is served; a
// production app answers from the index of its embedded public/ listed at
// boot.
func TestStaticServesNewFilesInDevelopment(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	for name, f := range appFiles() {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	app := framework.New(framework.Config{Name: "test", Env: framework.Development, Root: root, Routes: routes,
		Logger: slog.New(slog.DiscardHandler), Getenv: func(string) string { return "" }})
	if err := app.Boot(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	if err := os.WriteFile(filepath.Join(root, "public", "new.txt"), []byte("fresh"), 0o644); err != nil {
		t.Fatal(err)
	}
	if w := serve(app, "GET", "/new.txt"); w.Code != 200 || w.Body.String() != "fresh" {
		t.Fatalf("a public file added after boot: %d %q", w.Code, w.Body)
	}
}

// TestJSONRequestsGetJSONErrors: a JSON request (a .json path, or Accept:
// application/json) that fails gets a JSON body, never an HTML page: in
// development Rails' DebugExceptions body for an API request (status,
// error, exception, traces), in production only the status.
func TestJSONRequestsGetJSONErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, method, target, accept string
		status                       int
		exception                    string // in development
		trace                        bool   // development lists a trace
	}{
		{"a missing record", "GET", "/missing", "application/json", 404, "PagesController#missing: pages#missing: find 999: record not found", false},
		{"a missing record, by the .json suffix", "GET", "/missing.json", "text/html", 404, "record not found", false},
		{"no route", "GET", "/nope.json", "", 404, `no route matches GET "/nope.json"`, false},
		{"a params error", "POST", "/pages", "application/json", 400, "post", false},
		{"an unprocessable entity", "GET", "/invalid", "application/json", 422, "title can't be blank", false},
		{"a panic", "GET", "/panics", "application/json", 500, "kaboom", true},
		{"a panic, by the .json suffix", "GET", "/panics.json", "", 500, "kaboom", true},
	}
	for _, env := range []framework.Env{framework.Development, framework.Production} {
		app := newApp(t, env, io.Discard)
		for _, tt := range tests {
			t.Run(string(env)+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				r := httptest.NewRequest(tt.method, "http://localhost"+tt.target, nil)
				r.Header.Set("Sec-Fetch-Site", "same-origin")
				if tt.accept != "" {
					r.Header.Set("Accept", tt.accept)
				}
				rec := httptest.NewRecorder()
				app.ServeHTTP(rec, r)
				if rec.Code != tt.status {
					t.Errorf("status %d, want %d", rec.Code, tt.status)
				}
				if ct := rec.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
					t.Fatalf("Content-Type %q, want JSON:\n%s", ct, rec.Body)
				}
				var body struct {
					Status    int     `json:"status"`
					Error     string  `json:"error"`
					Exception *string `json:"exception"`
					Traces    map[string][]struct {
						ID    int    `json:"id"`
						Trace string `json:"trace"`
					} `json:"traces"`
				}
				if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
					t.Fatalf("body is not JSON: %v\n%s", err, rec.Body)
				}
				if body.Status != tt.status || body.Error != http.StatusText(tt.status) {
					t.Errorf("status %d %q in the body, want %d %q", body.Status, body.Error, tt.status, http.StatusText(tt.status))
				}
				if env == framework.Production {
					if want := fmt.Sprintf(`{"status":%d,"error":%q}`, tt.status, http.StatusText(tt.status)); rec.Body.String() != want {
						t.Errorf("production body %s, want %s (nothing of the internals)", rec.Body, want)
					}
					return
				}
				if body.Exception == nil || !strings.Contains(*body.Exception, tt.exception) {
					t.Errorf("exception %v, want it to contain %q\n%s", body.Exception, tt.exception, rec.Body)
				}
				for _, k := range []string{"Application Trace", "Framework Trace", "Full Trace"} {
					if _, ok := body.Traces[k]; !ok {
						t.Errorf("traces lack %q: %s", k, rec.Body)
					}
				}
				if full := body.Traces["Full Trace"]; tt.trace && (len(full) == 0 || !strings.Contains(full[0].Trace, "Panics")) {
					t.Errorf("the panic's Full Trace should start at the action: %s", rec.Body)
				}
			})
		}
	}
	// A browser's request for a page still gets the page.
	rec := serve(newApp(t, framework.Development, io.Discard), "GET", "/missing")
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("an HTML request got %q", ct)
	}
}
