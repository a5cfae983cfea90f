package main

import (
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// productionEnv is what a production server of a generated app needs to
// be tested over plain HTTP: a generated app forces SSL in production, so
// these tests opt out as a local production run would.
var productionEnv = []string{
	"GORAILS_ENV=production",
	"SECRET_KEY_BASE=" + strings.Repeat("0123456789abcdef", 8),
	"GORAILS_HOSTS=127.0.0.1",
	"GORAILS_FORCE_SSL=false",
}

// writeFiles writes files (paths relative to dir) into a generated app.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// appendRoutes inserts route lines at the end of func Routes in
// config/routes.go and regenerates the route helpers.
func appendRoutes(t *testing.T, dir string, lines ...string) {
	t.Helper()
	p := filepath.Join(dir, "config", "routes.go")
	src, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	s := string(src)
	end := strings.LastIndex(s, "\n}")
	if end < 0 {
		t.Fatalf("config/routes.go has no closing brace:\n%s", s)
	}
	s = s[:end] + "\n\t" + strings.Join(lines, "\n\t") + s[end:]
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	// As a user does after editing routes.go (the app refuses stale
	// helpers and says to run this).
	if out, code := runCLI(t, dir, "generate", "routes"); code != 0 {
		t.Fatalf("generate routes: exit %d\n%s", code, out)
	}
}

// runApp runs the app binary gorails built into tmp/bin with env added.
func runApp(t *testing.T, dir string, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command(filepath.Join(dir, "tmp", "bin", filepath.Base(dir)), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", filepath.Base(dir), args, err, out)
	}
	return string(out)
}

// booksController finds a book by id (a missing one is the finder's
// record.ErrNotFound, returned as it is) and has an action without a view.
const booksController = `package controllers

import (
	"github.com/gorails/gorails/framework/record"

	"shelf/app/models"
)

type BooksController struct {
	ApplicationController
	Book models.Book
}

func (c *BooksController) Show() error {
	id, err := c.Params().Int64("id")
	if err != nil {
		return err
	}
	c.Book, err = record.Query[models.Book](c.DB()).Find(c.Request().Context(), id)
	return err
}

// Bare renders nothing and has no template.
func (c *BooksController) Bare() error { return nil }
`

// TestNotFoundIs404EndToEnd: a missing record, an unknown route, an action
// without a template and a missing static file are each a 404, through a
// running server of a generated app, in development and in production.
func TestNotFoundIs404EndToEnd(t *testing.T) {
	dir := generateApp(t, "shelf")
	if out, code := runCLI(t, dir, "generate", "model", "Book", "title:string"); code != 0 {
		t.Fatalf("generate model: exit %d\n%s", code, out)
	}
	writeFiles(t, dir, map[string]string{
		"app/controllers/books_controller.go": booksController,
		"app/views/books/show.html.tmpl":      `<h1>{{.Data.Book.Title}}</h1>`,
	})
	appendRoutes(t, dir,
		`r.Get("books/bare", dispatch.To((*controllers.BooksController).Bare))`,
		`r.Get("books/:id", dispatch.To((*controllers.BooksController).Show))`)
	// Production does not boot with stale route helpers.
	if out, code := runCLI(t, dir, "generate", "routes"); code != 0 {
		t.Fatalf("generate routes: exit %d\n%s", code, out)
	}
	if out, code := runCLI(t, dir, "db:migrate"); code != 0 {
		t.Fatalf("db:migrate: exit %d\n%s", code, out)
	}
	runApp(t, dir, productionEnv, "db:migrate")

	for _, env := range []struct {
		name string
		vars []string
		want map[string]string // path -> what the page says
	}{
		{"development", nil, map[string]string{
			"/books/999":          "record not found",
			"/books/bare":         "books/bare",
			"/no/such/page":       "no route matches GET",
			"/images/missing.png": "no route matches GET",
		}},
		{"production", productionEnv, map[string]string{
			"/books/999":          "The page you were looking for",
			"/books/bare":         "The page you were looking for",
			"/no/such/page":       "The page you were looking for",
			"/images/missing.png": "The page you were looking for",
		}},
	} {
		t.Run(env.name, func(t *testing.T) {
			srv := startServerEnv(t, dir, env.vars)
			for path, want := range env.want {
				status, body := get(t, srv.base+path)
				if status != http.StatusNotFound || !strings.Contains(body, want) {
					t.Errorf("GET %s = %d, want 404 saying %q\n%s", path, status, want, body)
				}
			}
			if status, body := get(t, srv.base+"/"); status != http.StatusOK {
				t.Errorf("GET / = %d after the 404s\n%s\nserver log:\n%s", status, body, srv.out)
			}
		})
	}
}

// libraryController has an action that returns a finder's error and one
// that panics, for the debug page.
const libraryController = `package controllers

import (
	"github.com/gorails/gorails/framework/record"

	"library/app/models"
)

type BooksController struct {
	ApplicationController
	Book  models.Book
	Title string
}

func (c *BooksController) Show() error {
	id, err := c.Params().Int64("id")
	if err != nil {
		return err
	}
	c.Book, err = record.Query[models.Book](c.DB()).Find(c.Request().Context(), id)
	return err
}

func (c *BooksController) Explode() error {
	var titles []string
	c.Title = titles[3]
	return nil
}
`

// debugPageFacts is what the browser reads off a debug page.
type debugPageFacts struct {
	Where, Message, FirstFrame, FirstMark, Params, Session, Headers, Visible, HTML string
	TraceFolded                                                                    bool
}

const readDebugPage = `(() => {
	const text = (sel) => { const e = document.querySelector(sel); return e ? e.innerText : ""; };
	const frame = document.querySelector("#trace .frame");
	const full = document.querySelector("details#full-trace");
	const fw = document.querySelector("details#framework-trace");
	return {
		Where: text("#where"), Message: text("#message"),
		FirstFrame: frame ? frame.innerText : "", FirstMark: frame && frame.querySelector("mark") ? frame.querySelector("mark").innerText : "",
		Params: text("#params"), Session: text("#session"), Headers: text("#headers"),
		Visible: document.body.innerText, HTML: document.documentElement.outerHTML,
		TraceFolded: (!full || !full.open) && (!fw || !fw.open),
	};
})()`

// TestDebugPageInABrowser opens the development debug page of a generated
// app in headless Chromium: an error an action returned and a panic, each
// headlined by its message and Controller#action, with the app's frame and
// its source, the params filtered through the app's filter_parameters, the
// session's keys and the headers with credentials hidden.
func TestDebugPageInABrowser(t *testing.T) {
	ctx := browser(t)
	dir := generateApp(t, "library")
	if out, code := runCLI(t, dir, "generate", "model", "Book", "title:string"); code != 0 {
		t.Fatalf("generate model: exit %d\n%s", code, out)
	}
	writeFiles(t, dir, map[string]string{"app/controllers/books_controller.go": libraryController})
	appendRoutes(t, dir,
		`r.Get("books/explode", dispatch.To((*controllers.BooksController).Explode))`,
		`r.Get("books/:id", dispatch.To((*controllers.BooksController).Show))`)
	appConfig := filepath.Join(dir, "config", "application.go")
	src, err := os.ReadFile(appConfig)
	if err != nil {
		t.Fatal(err)
	}
	src = []byte(strings.Replace(string(src), `Name:   "library",`, `Name:   "library",
		FilterParameters: []string{"isbn"},`, 1))
	if err := os.WriteFile(appConfig, src, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, code := runCLI(t, dir, "db:migrate"); code != 0 {
		t.Fatalf("db:migrate: exit %d\n%s", code, out)
	}
	srv := startServer(t, dir)

	inBrowser(t, ctx, chromedp.Navigate(srv.base+"/"), chromedp.WaitVisible("h1")) // starts a session (the CSRF token)
	tests := []struct {
		name, path string
		want       debugPageFacts // substrings of each field
	}{
		{"an error the action returned", "/books/999?isbn=978-3&page=2", debugPageFacts{
			Where: "Error in BooksController#show · 404 Not Found", Message: "record not found",
			FirstFrame: "app/controllers/books_controller.go:15 in (*BooksController).Show", FirstMark: "func (c *BooksController) Show() error {",
			Params: "isbn\t[FILTERED]", Session: "_csrf_token", Headers: "Cookie\t[FILTERED]",
		}},
		{"a panic", "/books/explode?password=s3cr3t&page=2", debugPageFacts{
			Where: "Panic in BooksController#explode · 500 Internal Server Error", Message: "index out of range [3] with length 0",
			FirstFrame: "app/controllers/books_controller.go:26 in controllers.(*BooksController).Explode", FirstMark: "c.Title = titles[3]",
			Params: "password\t[FILTERED]", Session: "_csrf_token", Headers: "Cookie\t[FILTERED]",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inBrowser(t, ctx, chromedp.Navigate(srv.base+tt.path), chromedp.WaitVisible("#message"))
			got := evaluate[debugPageFacts](t, ctx, readDebugPage)
			for _, c := range []struct{ field, got, want string }{
				{"headline", got.Where, tt.want.Where}, {"message", got.Message, tt.want.Message},
				{"first app frame", got.FirstFrame, tt.want.FirstFrame}, {"highlighted line", got.FirstMark, tt.want.FirstMark},
				{"params", got.Params, tt.want.Params}, {"params", got.Params, "page\t2"},
				{"session", got.Session, tt.want.Session}, {"headers", got.Headers, tt.want.Headers},
			} {
				if !strings.Contains(c.got, c.want) {
					t.Errorf("%s: %q lacks %q", c.field, c.got, c.want)
				}
			}
			for _, secret := range []string{"978-3", "s3cr3t"} {
				if strings.Contains(got.HTML, secret) {
					t.Errorf("the page shows the filtered value %q", secret)
				}
			}
			if !got.TraceFolded || strings.Contains(got.Visible, "goroutine ") || strings.Contains(got.Visible, "runtime/debug") {
				t.Errorf("the raw trace is on the page, not folded:\n%s", got.Visible)
			}
			if strings.Contains(got.Where+got.Message, "*fmt.") || strings.Contains(got.Where+got.Message, "runtime.") {
				t.Errorf("the headline names a Go type: %q %q", got.Where, got.Message)
			}
		})
	}
}

// TestPendingMigrationsEndToEnd: a migration generated but not run stops
// the development server's pages with Rails' pending migrations page (HTML
// in Chromium, JSON for an API client) until its button runs it, and
// stops the app's tests with a message that names it until db:migrate.
func TestPendingMigrationsEndToEnd(t *testing.T) {
	ctx := browser(t)
	dir := generateApp(t, "almanac")
	for _, args := range [][]string{
		{"generate", "model", "Entry", "title:string"},
		{"generate", "controller", "pages", "home"},
		{"db:migrate"},
		{"generate", "migration", "AddSlugToEntries", "slug:string"},
	} {
		if out, code := runCLI(t, dir, args...); code != 0 {
			t.Fatalf("gorails %v: exit %d\n%s", args, code, out)
		}
	}
	appTests := func() (string, error) {
		cmd := exec.Command("go", "test", "-count=1", "./app/controllers/")
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	out, err := appTests()
	if err == nil || !regexp.MustCompile(`migrations are pending: \d{14}_add_slug_to_entries\.go; db/schema\.sql does not have them: run gorails db:migrate`).MatchString(out) {
		t.Fatalf("the app's tests with a pending migration: %v, want a failure naming it\n%s", err, out)
	}

	srv := startServer(t, dir)
	status, body := getJSON(t, srv.base+"/pages/home")
	if status != http.StatusInternalServerError || !strings.Contains(body, `"error":"Migrations are pending: `) || !strings.Contains(body, `_add_slug_to_entries.go"]`) {
		t.Errorf("a JSON request: %d %s", status, body)
	}
	inBrowser(t, ctx, chromedp.Navigate(srv.base+"/pages/home"), chromedp.WaitVisible("#run-pending"))
	page := evaluate[struct{ Message, List string }](t, ctx, `({Message: document.querySelector("#message").innerText, List: document.querySelector("#pending").innerText})`)
	if page.Message != "Migrations are pending" || !strings.Contains(page.List, "Add slug to entries") || strings.Contains(page.List, "Create entries") {
		t.Fatalf("the page: %+v", page)
	}
	// A forged run, without the page's token, is refused.
	res, err := http.Post(srv.base+"/gorails/pending_migrations", "application/x-www-form-urlencoded", strings.NewReader("return_to=/"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a run without the token: %d, want 422", res.StatusCode)
	}
	// The button's page and the one it returns to both have an h1, so the
	// wait is on the new page's content, not on a node of the old one.
	inBrowserOn(t, ctx, srv, chromedp.Click("#run-pending"))
	waitFor(t, ctx, srv, `!document.querySelector("#run-pending") && document.querySelector("h1")?.innerText === "pages#home"`)
	after := evaluate[struct{ URL, H1 string }](t, ctx, `({URL: location.pathname, H1: document.querySelector("h1").innerText})`)
	if after.URL != "/pages/home" || after.H1 != "pages#home" {
		t.Errorf("after the button: %+v, want the page it was pressed on\nserver log:\n%s", after, srv.out)
	}
	if !regexp.MustCompile(`up\s+\d{14}\s+Add slug to entries`).MatchString(runOK(t, dir, "db:status")) {
		t.Error("db:status does not show the migration applied")
	}
	if out, err := appTests(); err != nil {
		t.Errorf("the app's tests after the run: %v\n%s", err, out)
	}
}

// getJSON GETs url as an API client does (Accept: application/json).
func getJSON(t *testing.T, url string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Accept", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// runOK runs gorails and fails the test unless it exits 0.
func runOK(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, code := runCLI(t, dir, args...)
	if code != 0 {
		t.Fatalf("gorails %v: exit %d\n%s", args, code, out)
	}
	return out
}
