package framework_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gorails/gorails/framework"
	"github.com/gorails/gorails/framework/controller"
	"github.com/gorails/gorails/framework/dispatch"
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

func routes(r *dispatch.Mapper) {
	r.Root(dispatch.To((*PagesController).Home))
	r.Get("about", dispatch.To((*PagesController).About))
	r.Get("broken", dispatch.To((*PagesController).Broken))
	r.Get("panics", dispatch.To((*PagesController).Panics))
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
			if line := fmt.Sprintf("msg=request method=GET path=%s status=200 duration=", tt.path); !strings.Contains(log.String(), line) {
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
	// jobs
	// views
	// routes
	// use request_id
	// use logger
	// use ssl
	// use host_authorization
	// use recover
	// use static
	// use security_headers
	// use method_override
	// use session
	// use csrf
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
