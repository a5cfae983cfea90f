package framework_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/gorails/gorails/framework"
	"github.com/gorails/gorails/framework/record/migrate"
)

// syncLog is a log buffer safe for concurrent writes.
type syncLog struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *syncLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *syncLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// pendingApp is a booted development app whose database has the jobs
// table (and db/schema.sql, as after a first db:migrate) but not the notes
// table: 20260201000000_create_notes.go is pending.
func pendingApp(t *testing.T, cfg func(*framework.Config)) (*framework.App, *syncLog) {
	t.Helper()
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "db"), 0o755); err != nil {
		t.Fatal(err)
	}
	log := &syncLog{}
	app, _ := jobsAppIn(t, root, framework.Development, nil, func(c *framework.Config) {
		c.Logger = slog.New(slog.NewTextHandler(log, &slog.HandlerOptions{Level: slog.LevelDebug}))
		if cfg != nil {
			cfg(c)
		}
	})
	if err := app.Boot(context.Background()); err != nil {
		t.Fatal(err)
	}
	migrateTo(t, app, 20260101000000)
	return app, log
}

// migrateTo migrates the app's database to version, as gorails db:migrate
// or db:rollback in a terminal would (dumping db/schema.sql).
func migrateTo(t *testing.T, app *framework.App, version int64) {
	t.Helper()
	m, err := migrate.New(app.DB, app.Migrations(), app.MigrateOptions())
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Migrate(context.Background(), version); err != nil {
		t.Fatal(err)
	}
}

// local is a request from this machine.
func local(method, target string, body string) *http.Request {
	r := httptest.NewRequest(method, "http://localhost"+target, strings.NewReader(body))
	r.RemoteAddr = "127.0.0.1:50123"
	if body != "" {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return r
}

func do(app http.Handler, r *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	app.ServeHTTP(rec, r)
	return rec
}

var tokenRE = regexp.MustCompile(`name="authenticity_token" value="([^"]+)"`)

func TestPendingMigrationsPage(t *testing.T) {
	t.Parallel()
	app, _ := pendingApp(t, nil)
	tests := []struct {
		name    string
		req     func() *http.Request
		want    []string
		wantNot []string
	}{
		{"a local HTML request gets the page with the button", func() *http.Request { return local("GET", "/about?x=1", "") }, []string{
			"<h1 id=\"message\">Migrations are pending</h1>", "<td>20260201000000</td><td>Create notes</td>", "db/migrate/20260201000000_create_notes.go",
			`action="/gorails/pending_migrations"`, `name="return_to" value="/about?x=1"`, "Run pending migrations", "gorails db:migrate",
		}, []string{"create_gorails_jobs"}},
		{"a request from elsewhere gets the page without the button", func() *http.Request {
			r := local("GET", "/", "")
			r.RemoteAddr = "192.0.2.7:4000"
			return r
		}, []string{"Create notes", "Only a request from this machine may run them"}, []string{"Run pending migrations", "authenticity_token"}},
		{"a request a proxy forwards for another host is not local", func() *http.Request {
			r := local("GET", "/", "")
			r.Header.Set("X-Forwarded-For", "203.0.113.9")
			return r
		}, []string{"Create notes"}, []string{"Run pending migrations"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := do(app, tt.req())
			body := rec.Body.String()
			if rec.Code != http.StatusInternalServerError || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
				t.Errorf("status %d, Content-Type %q", rec.Code, rec.Header().Get("Content-Type"))
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("page lacks %q:\n%s", w, body)
				}
			}
			for _, w := range tt.wantNot {
				if strings.Contains(body, w) {
					t.Errorf("page shows %q", w)
				}
			}
		})
	}
	t.Run("a JSON request gets a JSON error", func(t *testing.T) {
		r := local("GET", "/about", "")
		r.Header.Set("Accept", "application/json")
		rec := do(app, r)
		var got struct {
			Status  int      `json:"status"`
			Error   string   `json:"error"`
			Pending []string `json:"pending"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || rec.Code != 500 {
			t.Fatalf("status %d, body %q: %v", rec.Code, rec.Body, err)
		}
		if got.Error != "Migrations are pending: 20260201000000_create_notes.go. Run gorails db:migrate to apply them." || len(got.Pending) != 1 {
			t.Errorf("JSON %+v", got)
		}
	})
}

func TestPendingMigrationsRunFromThePage(t *testing.T) {
	t.Parallel()
	app, log := pendingApp(t, func(c *framework.Config) {
		c.CSRFBypass = []string{"/gorails/"} // the run keeps its own protection
	})
	page := do(app, local("GET", "/about", ""))
	m := tokenRE.FindStringSubmatch(page.Body.String())
	if m == nil {
		t.Fatalf("no token on the page:\n%s", page.Body)
	}
	cookie := page.Header().Get("Set-Cookie")
	post := func(form url.Values, edit func(*http.Request)) *httptest.ResponseRecorder {
		r := local("POST", framework.PendingMigrationsPath, form.Encode())
		r.Header.Set("Cookie", cookie[:strings.IndexByte(cookie, ';')])
		if edit != nil {
			edit(r)
		}
		return do(app, r)
	}
	refused := []struct {
		name   string
		form   url.Values
		edit   func(*http.Request)
		status int
	}{
		{"without the token", url.Values{"return_to": {"/about"}}, nil, http.StatusUnprocessableEntity},
		{"with a forged token", url.Values{"authenticity_token": {"Zm9yZ2Vk"}}, nil, http.StatusUnprocessableEntity},
		{"from another site", url.Values{"authenticity_token": {m[1]}}, func(r *http.Request) { r.Header.Set("Sec-Fetch-Site", "cross-site") }, http.StatusUnprocessableEntity},
		{"from another machine", url.Values{"authenticity_token": {m[1]}}, func(r *http.Request) { r.RemoteAddr = "192.0.2.7:4000" }, http.StatusForbidden},
		{"for another host through a proxy", url.Values{"authenticity_token": {m[1]}}, func(r *http.Request) { r.Header.Set("X-Forwarded-For", "127.0.0.1, 203.0.113.9") }, http.StatusForbidden},
	}
	for _, tt := range refused {
		if rec := post(tt.form, tt.edit); rec.Code != tt.status {
			t.Errorf("a run %s: status %d, want %d\n%s", tt.name, rec.Code, tt.status, rec.Body)
		}
	}
	if rec := do(app, local("GET", framework.PendingMigrationsPath, "")); rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("GET of the run path: %d", rec.Code)
	}
	if rec := do(app, local("GET", "/about", "")); rec.Code != 500 {
		t.Fatalf("after the refused runs, the migrations are no longer pending (%d)", rec.Code)
	}

	rec := post(url.Values{"authenticity_token": {m[1]}, "return_to": {"//evil.example/x"}}, nil)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/" {
		t.Fatalf("the run: status %d, Location %q, want 303 to / (the hostile return_to dropped)\n%s", rec.Code, rec.Header().Get("Location"), rec.Body)
	}
	if rec := do(app, local("GET", "/about", "")); rec.Code != 200 {
		t.Fatalf("after the run, GET /about = %d\n%s", rec.Code, rec.Body)
	}
	if !strings.Contains(log.String(), "ran the pending migrations from their page") {
		t.Errorf("the run is not logged:\n%s", log.String())
	}
}

// TestPendingMigrationsCostNoQueryInSteadyState: once nothing is pending, a
// request runs no statement for the check; a rollback in a terminal (which
// dumps db/schema.sql) brings the page back on the next request, and a
// migrate there takes it away.
func TestPendingMigrationsCostNoQueryInSteadyState(t *testing.T) {
	t.Parallel()
	app, log := pendingApp(t, nil)
	migrateTo(t, app, migrate.Latest)
	for range 3 {
		if rec := do(app, local("GET", "/about", "")); rec.Code != 200 {
			t.Fatalf("GET /about = %d", rec.Code)
		}
	}
	completed := 0
	for _, line := range strings.Split(log.String(), "\n") {
		if strings.Contains(line, "Completed") && strings.Contains(line, "path=/about") {
			completed++
			if !strings.Contains(line, "db_queries=0") {
				t.Errorf("a request in steady state ran statements: %s", line)
			}
		}
	}
	if completed < 3 {
		t.Errorf("%d Completed lines for /about, want 3:\n%s", completed, log.String())
	}
	migrateTo(t, app, 20260101000000) // db:rollback in a terminal
	if rec := do(app, local("GET", "/about", "")); rec.Code != 500 || !strings.Contains(rec.Body.String(), "Create notes") {
		t.Errorf("after a rollback, GET /about = %d, want the pending page", rec.Code)
	}
	migrateTo(t, app, migrate.Latest) // db:migrate in a terminal
	if rec := do(app, local("GET", "/about", "")); rec.Code != 200 {
		t.Errorf("after db:migrate, GET /about = %d", rec.Code)
	}
}

func TestPendingMigrationsOfANewAppArePrepared(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "db"), 0o755); err != nil {
		t.Fatal(err)
	}
	app, _ := jobsAppIn(t, root, framework.Development, nil, nil)
	if err := app.Boot(context.Background()); err != nil {
		t.Fatal(err)
	}
	if rec := do(app, local("GET", "/about", "")); rec.Code != 200 {
		t.Fatalf("the first request of a new app: %d\n%s", rec.Code, rec.Body)
	}
	if _, err := os.Stat(filepath.Join(root, "db", "schema.sql")); err != nil {
		t.Errorf("the prepared database's schema was not dumped: %v", err)
	}
}

func TestPendingMigrationsAreOnlyCheckedInDevelopment(t *testing.T) {
	t.Parallel()
	for _, env := range []framework.Env{framework.Production} {
		root := t.TempDir()
		app, _ := jobsAppIn(t, root, env, nil, nil)
		if err := app.Boot(context.Background()); err != nil {
			t.Fatal(err)
		}
		if rec := do(app, local("GET", "/about", "")); rec.Code != 200 {
			t.Errorf("%s: GET /about = %d with migrations pending, want the page served", env, rec.Code)
		}
		if rec := do(app, local("POST", framework.PendingMigrationsPath, "x=1")); rec.Code == http.StatusSeeOther {
			t.Errorf("%s: the run path ran migrations", env)
		}
	}
}

func TestTestEnvironmentFailsOnASchemaBehindTheMigrations(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "db"), 0o755); err != nil {
		t.Fatal(err)
	}
	dev, _ := pendingApp(t, func(c *framework.Config) { c.Root = root })
	_ = dev // db/schema.sql now records the jobs migration only

	test, _ := jobsAppIn(t, root, framework.Test, nil, func(c *framework.Config) {
		c.Files.(fstest.MapFS)["config/database.yml"].Data = []byte("test:\n  adapter: sqlite3\n  database: " + filepath.Join(root, "test.sqlite3") + "\n")
	})
	err := test.Boot(context.Background())
	if !errors.Is(err, framework.ErrPendingMigrations) || !strings.Contains(err.Error(), `initializer "database": migrations are pending: 20260201000000_create_notes.go; db/schema.sql does not have them: run gorails db:migrate`) {
		t.Fatalf("Boot() = %v, want the pending migration named", err)
	}

	migrateTo(t, dev, migrate.Latest) // gorails db:migrate in development
	again, _ := jobsAppIn(t, root, framework.Test, nil, func(c *framework.Config) {
		c.Files.(fstest.MapFS)["config/database.yml"].Data = []byte("test:\n  adapter: sqlite3\n  database: " + filepath.Join(root, "test.sqlite3") + "\n")
	})
	if err := again.Boot(context.Background()); err != nil {
		t.Fatalf("after db:migrate, the test environment does not boot: %v", err)
	}
}

// BenchmarkPendingCheck is what development's check costs a request once
// nothing is pending (two stats), against the same app without it.
func BenchmarkPendingCheck(b *testing.B) {
	for _, tc := range []struct {
		name  string
		check bool
	}{{"without the check", false}, {"with the check", true}} {
		b.Run(tc.name, func(b *testing.B) {
			root := b.TempDir()
			if err := os.MkdirAll(filepath.Join(root, "db"), 0o755); err != nil {
				b.Fatal(err)
			}
			app, _ := jobsAppIn(b, root, framework.Development, nil, func(c *framework.Config) {
				c.Logger = slog.New(slog.DiscardHandler)
			})
			b.Cleanup(func() { _ = app.Close() })
			if !tc.check {
				if err := app.Middleware.Delete(framework.MiddlewarePendingMigrations); err != nil {
					b.Fatal(err)
				}
			}
			if err := app.Boot(context.Background()); err != nil {
				b.Fatal(err)
			}
			if rec := do(app, local("GET", "/about", "")); rec.Code != 200 { // prepares the new database
				b.Fatalf("GET /about = %d", rec.Code)
			}
			b.ReportAllocs()
			for b.Loop() {
				do(app, local("GET", "/about", ""))
			}
		})
	}
}
