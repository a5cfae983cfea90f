package framework_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gorails/gorails/framework"
	"github.com/gorails/gorails/framework/controller"
	"github.com/gorails/gorails/framework/dispatch"
	"github.com/gorails/gorails/framework/job"
	"github.com/gorails/gorails/framework/record"
	"github.com/gorails/gorails/framework/record/driver"
	"github.com/gorails/gorails/framework/record/migrate"
	"github.com/gorails/gorails/framework/record/sqlite"
	"github.com/gorails/gorails/internal/testenv"
)

type noteArgs struct {
	Body string `json:"body"`
}

// noteJob inserts a note: its effect is visible in the app's database.
type noteJob struct {
	db   *record.DB
	runs *atomic.Int64
}

func (j noteJob) Perform(ctx context.Context, a noteArgs) error {
	j.runs.Add(1)
	_, err := j.db.Exec(ctx, "INSERT INTO notes (body) VALUES (?)", a.Body)
	return err
}

// NotesController enqueues a noteJob through the app's client, which it
// receives, with the database, as a generated ApplicationController does.
type NotesController struct {
	controller.Base
	db   *record.DB
	jobs *job.Client
}

func (c *NotesController) Callbacks(cb *controller.Chain[NotesController]) {
	controller.Use(cb, func(c *NotesController, db *record.DB) { c.db = db })
	controller.Use(cb, func(c *NotesController, jobs *job.Client) { c.jobs = jobs })
}

func (c *NotesController) Create() error {
	if c.db == nil {
		return errors.New("the controller has no database")
	}
	body := c.Request().Param("body")
	if _, err := job.For[noteArgs](c.jobs).PerformLater(c.Request().Context(), noteArgs{Body: body}); err != nil {
		return err
	}
	return c.Text(http.StatusAccepted, "enqueued")
}

func notesRoutes(r *dispatch.Mapper) {
	routes(r)
	r.Get("notes/create", dispatch.To((*NotesController).Create))
}

func notesMigrations() []migrate.Migration {
	return []migrate.Migration{
		job.Migration(),
		migrate.File("20260201000000_create_notes.go", migrate.Migration{Change: func(s *migrate.Schema) {
			s.CreateTable("notes", func(t *migrate.Table) { t.Text("body") })
		}}),
	}
}

// jobsApp is an app with a SQLite database holding notes and the jobs
// table, and noteJob registered. env maps environment variables.
func jobsApp(t *testing.T, appEnv framework.Env, env map[string]string, cfg func(*framework.Config)) (*framework.App, *atomic.Int64) {
	t.Helper()
	return jobsAppIn(t, t.TempDir(), appEnv, env, cfg)
}

// jobsAppIn is jobsApp in root: apps made in one root share the database,
// as the processes of one app do (each command closes its app).
func jobsAppIn(t testing.TB, root string, appEnv framework.Env, env map[string]string, cfg func(*framework.Config)) (*framework.App, *atomic.Int64) {
	t.Helper()
	files := appFiles()
	files["config/database.yml"] = &fstest.MapFile{Data: []byte(fmt.Sprintf(
		"development:\n  adapter: sqlite3\n  database: %[1]s\ntest:\n  adapter: sqlite3\n  database: %[1]s\nproduction:\n  adapter: sqlite3\n  database: %[1]s\n",
		filepath.Join(root, "app.sqlite3")))}
	runs := new(atomic.Int64)
	c := framework.Config{
		Name: "jobsapp", Env: appEnv, Root: root, Files: files, Routes: notesRoutes,
		DatabaseDrivers: []driver.Driver{sqlite.Driver{}},
		Logger:          slog.New(slog.DiscardHandler),
		Getenv: func(k string) string {
			if v, ok := env[k]; ok {
				return v
			}
			return productionEnv(k)
		},
		Migrations: notesMigrations,
		RegisterJobs: func(app *framework.App) error {
			job.Register(app.Jobs, noteJob{db: app.DB, runs: runs})
			return nil
		},
	}
	if cfg != nil {
		cfg(&c)
	}
	app := framework.New(c)
	t.Cleanup(func() { _ = app.Close() })
	return app, runs
}

// migrateApp applies the app's migrations outside the test environment,
// as db:migrate does, without booting it.
func migrateApp(t *testing.T, app *framework.App) {
	t.Helper()
	ctx := context.Background()
	drv, cfg, err := app.Database()
	if err != nil {
		t.Fatal(err)
	}
	db, err := record.Open(ctx, drv, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	m, err := migrate.New(db, app.Migrations(), app.MigrateOptions())
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Migrate(ctx, migrate.Latest); err != nil {
		t.Fatalf("migrate: %v", err)
	}
}

func TestJobBackendChoice(t *testing.T) {
	t.Setenv("DATABASE_URL", "")
	tests := []struct {
		name    string
		env     framework.Env
		vars    map[string]string
		backend string // Config.JobBackend
		want    string // the backend's Go type, or an error's text
	}{
		{"test runs jobs inline unless a test records them", framework.Test, nil, "", "*job.TestBackend"},
		{"development uses the database", framework.Development, nil, "", "*job.DatabaseBackend"},
		{"production uses the database", framework.Production, nil, "", "*job.DatabaseBackend"},
		{"the config chooses", framework.Development, nil, "async", "*job.AsyncBackend"},
		{"the environment overrides the config", framework.Development, map[string]string{"GORAILS_JOB_BACKEND": "Inline"}, "async", "*job.InlineBackend"},
		{"an unknown backend", framework.Development, map[string]string{"GORAILS_JOB_BACKEND": "sidekiq"}, "", `job backend "sidekiq" is unknown: use database, redis, async, inline or test`},
		{"a bad REDIS_URL names the variable, not its secret", framework.Development,
			map[string]string{"GORAILS_JOB_BACKEND": "redis", "REDIS_URL": "http://user:s3cret@host"}, "", `REDIS_URL is not a redis:// URL`},
		{"an unreachable Redis", framework.Development,
			map[string]string{"GORAILS_JOB_BACKEND": "redis", "REDIS_URL": "redis://127.0.0.1:1/0"}, "", `cannot reach Redis at 127.0.0.1:1`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app, _ := jobsApp(t, tt.env, tt.vars, func(c *framework.Config) { c.JobBackend = tt.backend })
			err := app.Boot(context.Background())
			if strings.HasPrefix(tt.want, "*job.") {
				if err != nil {
					t.Fatalf("boot: %v", err)
				}
				if got := fmt.Sprintf("%T", app.Jobs.Backend()); got != tt.want {
					t.Fatalf("backend %s, want %s", got, tt.want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, framework.ErrJobBackend) {
				t.Fatalf("boot = %v, want ErrJobBackend saying %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Fatalf("the error shows the password: %v", err)
			}
		})
	}
}

func TestJobBackendRedis(t *testing.T) {
	addr := testenv.Redis(t)
	app, _ := jobsApp(t, framework.Development, map[string]string{"GORAILS_JOB_BACKEND": "redis", "REDIS_URL": "redis://" + addr + "/0"}, nil)
	if err := app.Boot(context.Background()); err != nil {
		t.Fatalf("boot: %v", err)
	}
	if _, ok := app.Jobs.Backend().(*job.RedisBackend); !ok {
		t.Fatalf("backend %T, want *job.RedisBackend", app.Jobs.Backend())
	}
	if _, err := app.Jobs.Stats(context.Background()); err != nil {
		t.Fatalf("stats: %v", err)
	}
}

// TestControllerEnqueuesOnTheAppsBackend: an action enqueues through the
// app's job client; the database backend keeps the jobs for a worker (the
// jobs command, tested in framework/cli) instead of running them.
func TestControllerEnqueuesOnTheAppsBackend(t *testing.T) {
	t.Setenv("DATABASE_URL", "")
	root := t.TempDir()
	app, runs := jobsAppIn(t, root, framework.Development, nil, nil)
	migrateApp(t, app)
	if err := app.Boot(context.Background()); err != nil {
		t.Fatalf("boot: %v", err)
	}
	for _, body := range []string{"one", "two"} {
		w := httptest.NewRecorder()
		app.ServeHTTP(w, httptest.NewRequest("GET", "http://localhost/notes/create?body="+body, nil))
		if w.Code != http.StatusAccepted {
			t.Fatalf("enqueue: %d %s", w.Code, w.Body)
		}
	}
	if runs.Load() != 0 {
		t.Fatalf("the database backend ran %d jobs at enqueue", runs.Load())
	}
	st, err := app.Jobs.Stats(context.Background())
	if err != nil || st.Ready["default"] != 2 {
		t.Fatalf("stats %+v (%v), want 2 ready on default", st, err)
	}
	if err := app.CheckJobs(context.Background()); err != nil {
		t.Fatalf("CheckJobs after migrating: %v", err)
	}
}

func TestJobsDashboardMount(t *testing.T) {
	t.Setenv("DATABASE_URL", "")
	withDashboard := func(c *framework.Config) { c.JobsDashboard = "/admin/jobs" }

	// Production refuses to serve it without a login.
	app, _ := jobsApp(t, framework.Production, nil, withDashboard)
	migrateApp(t, app)
	if err := app.Boot(context.Background()); err == nil || !strings.Contains(err.Error(), "jobs dashboard at /admin/jobs has no login") {
		t.Fatalf("boot = %v, want a refusal to serve the dashboard open", err)
	}

	// With a login it asks for it, compares it and then serves the page.
	app, _ = jobsApp(t, framework.Production, map[string]string{
		"GORAILS_JOBS_DASHBOARD_USER": "admin", "GORAILS_JOBS_DASHBOARD_PASSWORD": "pw",
	}, withDashboard)
	migrateApp(t, app)
	if err := app.Boot(context.Background()); err != nil {
		t.Fatalf("boot: %v", err)
	}
	tests := []struct {
		user, pass string
		want       int
	}{
		{"", "", http.StatusUnauthorized},
		{"admin", "wrong", http.StatusUnauthorized},
		{"admin", "pw", http.StatusOK},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "https://example.com/admin/jobs", nil)
		if tt.user != "" {
			r.SetBasicAuth(tt.user, tt.pass)
		}
		w := httptest.NewRecorder()
		app.ServeHTTP(w, r)
		if w.Code != tt.want {
			t.Errorf("%s:%s: status %d, want %d", tt.user, tt.pass, w.Code, tt.want)
		}
		if tt.want == http.StatusOK && !strings.Contains(w.Body.String(), "Jobs") {
			t.Errorf("the dashboard page: %s", w.Body)
		}
	}

	// Development serves it open.
	app, _ = jobsApp(t, framework.Development, nil, withDashboard)
	migrateApp(t, app)
	if err := app.Boot(context.Background()); err != nil {
		t.Fatalf("boot: %v", err)
	}
	w := httptest.NewRecorder()
	app.ServeHTTP(w, httptest.NewRequest("GET", "http://localhost/admin/jobs", nil))
	if w.Code != http.StatusOK {
		t.Fatalf("development dashboard: %d %s", w.Code, w.Body)
	}
}

// TestJobsDashboardRetriesThroughTheApp: the mounted dashboard's retry
// button goes through the app's session and CSRF protection and redirects
// back to the mounted path.
func TestJobsDashboardRetriesThroughTheApp(t *testing.T) {
	t.Setenv("DATABASE_URL", "")
	root := t.TempDir()
	withDashboard := func(c *framework.Config) { c.JobsDashboard = "/admin/jobs" }
	app, _ := jobsAppIn(t, root, framework.Development, nil, withDashboard)
	migrateApp(t, app)
	app, _ = jobsAppIn(t, root, framework.Development, nil, withDashboard)
	ctx := context.Background()
	if err := app.Boot(ctx); err != nil {
		t.Fatalf("boot: %v", err)
	}
	// A dead job: enqueued, claimed, killed.
	store := app.Jobs.Backend().(job.Store)
	now := time.Now().UTC().Truncate(time.Microsecond)
	rec := &job.Record{Kind: "noteJob", Queue: "default", Args: []byte(`{"body":"x"}`), MaxAttempts: 1, RunAt: now, CreatedAt: now, State: job.Available}
	if err := store.Enqueue(ctx, rec); err != nil {
		t.Fatal(err)
	}
	claimed, err := store.Claim(ctx, "w1", "default", 1, now, now.Add(time.Minute))
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim: %v, %d jobs", err, len(claimed))
	}
	if err := store.Kill(ctx, claimed[0], "boom", now); err != nil {
		t.Fatal(err)
	}

	srv := httptest.NewServer(app)
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Get(srv.URL + "/admin/jobs")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := regexp.MustCompile(`name="authenticity_token" value="([^"]+)"`).FindSubmatch(page)
	if res.StatusCode != http.StatusOK || m == nil || !strings.Contains(string(page), "boom") {
		t.Fatalf("dashboard: %d, token found %v:\n%s", res.StatusCode, m != nil, page)
	}
	post := func(origin string, form url.Values) *http.Response {
		t.Helper()
		req, _ := http.NewRequest("POST", srv.URL+"/admin/jobs", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	id := fmt.Sprint(rec.ID)
	// Neither an origin the browser vouches for nor a token: refused.
	if res := post("", url.Values{"id": {id}, "action": {"retry"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("retry without a token or an Origin: %d, want 422", res.StatusCode)
	}
	if res := post("https://evil.example", url.Values{"id": {id}, "action": {"retry"}, "authenticity_token": {string(m[1])}}); res.StatusCode < 400 {
		t.Fatalf("retry from another origin: %d, want a refusal", res.StatusCode)
	}
	res = post("", url.Values{"id": {id}, "action": {"retry"}, "authenticity_token": {string(m[1])}})
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/admin/jobs?notice=") {
		t.Fatalf("retry: %d to %q, want 303 back to /admin/jobs", res.StatusCode, loc)
	}
	st, err := app.Jobs.Stats(ctx)
	if err != nil || st.Dead != 0 || st.Ready["default"] != 1 {
		t.Fatalf("after retry: %+v (%v), want no dead job and one ready", st, err)
	}
}

type waitArgs struct{}

// waitJob runs until its context ends, then says so.
type waitJob struct{ started, ended chan struct{} }

func (j waitJob) Perform(ctx context.Context, _ waitArgs) error {
	close(j.started)
	<-ctx.Done()
	close(j.ended)
	return ctx.Err()
}

// TestCloseEndsTheAsyncBackendsJobs is the regression test of issue 14
// item 6: App.Close hung while the async backend had a job scheduled for
// later, and could not stop a running one.
func TestCloseEndsTheAsyncBackendsJobs(t *testing.T) {
	t.Setenv("DATABASE_URL", "")
	closeWithin := func(t *testing.T, app *framework.App) error {
		t.Helper()
		done := make(chan error, 1)
		go func() { done <- app.Close() }()
		select {
		case err := <-done:
			return err
		case <-time.After(30 * time.Second):
			t.Fatal("App.Close hangs")
			return nil
		}
	}
	t.Run("a job scheduled for later does not hold Close", func(t *testing.T) {
		app, runs := jobsApp(t, framework.Development, nil, func(c *framework.Config) { c.JobBackend = framework.JobBackendAsync })
		ctx := context.Background()
		if err := app.Boot(ctx); err != nil {
			t.Fatalf("boot: %v", err)
		}
		if _, err := job.For[noteArgs](app.Jobs).PerformIn(ctx, time.Hour, noteArgs{Body: "later"}); err != nil {
			t.Fatal(err)
		}
		if err := closeWithin(t, app); err != nil || runs.Load() != 0 {
			t.Fatalf("Close = %v after %d runs; want nil and the job dropped", err, runs.Load())
		}
	})
	t.Run("a running job is cancelled after the shutdown timeout", func(t *testing.T) {
		j := waitJob{started: make(chan struct{}), ended: make(chan struct{})}
		app, _ := jobsApp(t, framework.Development, nil, func(c *framework.Config) {
			c.JobBackend = framework.JobBackendAsync
			c.Worker.ShutdownTimeout = 50 * time.Millisecond
			c.RegisterJobs = func(app *framework.App) error {
				job.Register(app.Jobs, j)
				return nil
			}
		})
		ctx := context.Background()
		if err := app.Boot(ctx); err != nil {
			t.Fatalf("boot: %v", err)
		}
		if _, err := job.For[waitArgs](app.Jobs).PerformLater(ctx, waitArgs{}); err != nil {
			t.Fatal(err)
		}
		<-j.started
		if err := closeWithin(t, app); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Close = %v, want the shutdown timeout's error", err)
		}
		select {
		case <-j.ended:
		case <-time.After(30 * time.Second):
			t.Fatal("the running job's context was not cancelled")
		}
	})
}
